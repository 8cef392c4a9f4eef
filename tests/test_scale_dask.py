"""The Dask engine (issue 13): the same published tables as the default engine, on the sample,
with a 2-worker LocalCluster."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, REPO_ROOT, SAMPLE_CONFIG
from test_scale_incremental import _published

from barometer.engine import make_engine
from barometer.exceptions import ConfigError
from barometer.warehouse import Warehouse


def _run_on_dask(config: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """``barometer run --engine dask --workers 2`` in a fresh interpreter (a LocalCluster's
    worker processes are started from a clean process, as from the command line)."""
    cli = "from barometer.cli import main; main()"
    command = [sys.executable, "-c", cli, "run", str(config), "--warehouse", str(warehouse),
               "--quiet", "--engine", "dask", "--workers", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)


def test_dask_publishes_what_the_local_engine_publishes(sample_warehouse, tmp_path: Path) -> None:
    local, _ = sample_warehouse
    done = _run_on_dask(SAMPLE_CONFIG, tmp_path / "dask")
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = Warehouse(tmp_path / "dask").manifests()[-1]
    read = manifest["partitions_read"]
    assert read["scored"] == read["summarised"] == read["total"] > 30
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
    done = _run_on_dask(folder / "mini.toml", tmp_path / "wh")
    assert done.returncode == 0, done.stderr[-3000:]
    local = CliRunner().invoke(app, ["run", str(folder / "mini.toml"), "--warehouse",
                                     str(tmp_path / "local"), "--quiet"])  # fmt: skip
    assert local.exit_code == 0, local.output
    on_dask, here = _published(tmp_path / "wh"), _published(tmp_path / "local")
    for name in here:
        pd.testing.assert_frame_equal(on_dask[name], here[name], obj=name)
