"""The Dask engine (issue 13): the same published tables as the default engine, on the sample,
with a 2-worker LocalCluster."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, REPO_ROOT
from test_scale_incremental import _published

from barometer.config import load_config
from barometer.engine import make_engine
from barometer.exceptions import ConfigError
from barometer.pipeline import run_pipeline


def test_dask_publishes_what_the_local_engine_publishes(sample_warehouse, tmp_path: Path) -> None:
    local, _ = sample_warehouse
    config = load_config(REPO_ROOT / "pipelines" / "botkyrka_sample.toml")
    with make_engine("dask", workers=2) as engine:
        assert engine.n_workers == 2
        report = run_pipeline(
            config, warehouse=tmp_path / "dask", show_progress=False, engine=engine
        )
    assert (
        report.manifest["partitions_read"]["scored"] == report.manifest["partitions_read"]["total"]
    )
    on_dask, here = _published(tmp_path / "dask"), _published(local)
    assert on_dask.keys() == here.keys()
    for name in here:
        pd.testing.assert_frame_equal(on_dask[name], here[name], obj=name)


def test_an_unknown_engine_or_unreachable_scheduler_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown engine 'spark'"):
        make_engine("spark")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        make_engine("dask", scheduler="tcp://127.0.0.1:9")


def test_cli_runs_on_dask(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from barometer.cli import app

    folder = tmp_path / "city"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("live", "synth*"))
    args = ["run", str(folder / "mini.toml"), "--warehouse", str(tmp_path / "wh"), "--quiet"]
    result = CliRunner().invoke(app, [*args, "--engine", "dask", "--workers", "2"])
    assert result.exit_code == 0, result.output
    local = CliRunner().invoke(app, ["run", str(folder / "mini.toml"), "--warehouse",
                                     str(tmp_path / "local"), "--quiet"])  # fmt: skip
    assert local.exit_code == 0, local.output
    on_dask, here = _published(tmp_path / "wh"), _published(tmp_path / "local")
    for name in here:
        pd.testing.assert_frame_equal(on_dask[name], here[name], obj=name)
