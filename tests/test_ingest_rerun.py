"""A run killed mid-ingest leaves the store consistent, and a rerun completes it: the result
equals one uninterrupted run."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, REPO_ROOT

from barometer.config import load_config
from barometer.pipeline import run_ingest
from barometer.schema import OBSERVATIONS, POSTS, QUARANTINE, SENSOR_READINGS, TABLES
from barometer.warehouse import Warehouse

INGESTED = ["posts", "survey_responses", "sensor_readings", "observations", "quarantine"]

# Runs `run_ingest` and SIGKILLs itself right after the first part of `posts` is on disk:
# before that file's quarantine rows, the other files and the run manifest are written.
KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from barometer.config import load_config
    from barometer.pipeline import run_ingest
    from barometer.warehouse import Warehouse

    original = Warehouse.append

    def append(self, table, frame, **where):
        added = original(self, table, frame, **where)
        if table.name == "posts" and added:
            os.kill(os.getpid(), signal.SIGKILL)
        return added

    Warehouse.append = append
    run_ingest(load_config(sys.argv[1]), warehouse=sys.argv[2])
    """
)


def _snapshot(root) -> dict[str, pd.DataFrame]:
    store = Warehouse(root)
    out = {}
    for name in INGESTED:
        table = TABLES[name]
        frame = store.read(table).drop(columns=["run_id"], errors="ignore")
        out[name] = frame.sort_values(list(table.key), ignore_index=True)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean") / "wh"
    run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    return _snapshot(root)


def _assert_same(root, clean) -> None:
    after = _snapshot(root)
    for name in INGESTED:
        pd.testing.assert_frame_equal(after[name], clean[name], obj=name)


def test_sigkill_mid_ingest_then_rerun(tmp_path, clean) -> None:
    root = tmp_path / "wh"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(FIXTURES / "mini.toml"), str(root)],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    store = Warehouse(root)
    assert store.manifests() == []  # the killed run recorded nothing as ingested
    assert store.count(POSTS) == 4  # the first file (x_page.jsonl) only
    assert store.count(SENSOR_READINGS) == 0
    assert not list(root.rglob("*.tmp"))  # no half-written part
    store.read(POSTS)  # every part on disk is readable
    report = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    assert all(e.get("ingested") for e in report.manifest["inputs"] if "n_read" in e)
    _assert_same(root, clean)
    again = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    assert sum(again.new_rows.values()) == 0


def test_crash_inside_an_append_then_rerun(tmp_path, clean, monkeypatch) -> None:
    root = tmp_path / "wh"
    original = Warehouse.append

    def failing(self, table, frame, **where):
        if table.name == OBSERVATIONS.name:
            raise RuntimeError("disk full")
        return original(self, table, frame, **where)

    monkeypatch.setattr(Warehouse, "append", failing)
    report = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    monkeypatch.setattr(Warehouse, "append", original)
    # the storage error is that file's error: the other files are stored, the run goes on
    assert [Path(e["path"]).name for e in report.failed_inputs] == ["kobo.csv"]
    assert "disk full" in report.failed_inputs[0]["error"]
    assert Warehouse(root).count(OBSERVATIONS) == 0
    assert Warehouse(root).count(SENSOR_READINGS) > 0
    assert Warehouse(root).count(QUARANTINE) > 0
    again = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    assert not again.failed_inputs  # retried, and stored this time
    _assert_same(root, clean)
