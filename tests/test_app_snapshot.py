"""The app reads one publish per page render (issue 11, "readers see one consistent publish").

A run replaces the published DuckDB file while someone is looking at a page: every query of that
render still reads the publish it started with, and the next render reads the new one, never a
cached frame of the old one.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
from conftest import APP_DIR

from barometer.warehouse_folder import DUCKDB_FILE


def _app_data(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(APP_DIR))
    return importlib.import_module("data")


def _publish_again(root: Path, run_id: str) -> None:
    """What a run's publish does: write a new DuckDB file beside, then swap it in atomically."""
    staged = root / f".{DUCKDB_FILE}.new"
    shutil.copyfile(root / DUCKDB_FILE, staged)
    with duckdb.connect(str(staged)) as con:
        con.execute(
            "UPDATE runs SET run_id = ?, started_at = '2999-01-01T00:00:00+00:00' "
            "WHERE started_at = (SELECT max(started_at) FROM runs)",
            [run_id],
        )
    os.replace(staged, root / DUCKDB_FILE)


def test_a_render_reads_one_publish_and_the_next_render_the_new_one(
    mini_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "warehouse"
    shutil.copytree(mini_warehouse, root)
    data = _app_data(monkeypatch)
    try:
        snap = data.published(root)
        first = snap.run_id
        assert data.runs(snap)["run_id"].iloc[0] == first

        _publish_again(root, "second-publish")
        # Same render: the same snapshot, and a query not made before still reads the old publish.
        assert data.snapshot(root) is snap
        assert data.table(snap, "runs")["run_id"].iloc[0] == first
        assert data.last_run(snap)["run_id"] == first

        data.close_snapshot()  # what the router does when the render ends
        again = data.published(root)
        assert again is not snap and again.run_id == "second-publish"
        # The caches are keyed on the publish: no frame of the first publish comes back.
        assert data.runs(again)["run_id"].iloc[0] == "second-publish"
        assert data.last_run(again)["run_id"] == "second-publish"
    finally:
        data.close_snapshot()


def test_no_published_barometer_gives_no_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _app_data(monkeypatch)
    assert data.published(tmp_path / "nothing-here") is None
