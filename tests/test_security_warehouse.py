"""One writer at a time (issue 11, deliverable 5): the lock, repair and clean-up under it,
unique run ids, warehouse path validation, read-only status, consistent reads, and a run
killed at random points while a second writer tries to start."""

import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES, REPO_ROOT, observation_rows
from rich.console import Console
from typer.testing import CliRunner

import barometer.pipeline.state as pipeline_module
from barometer import read
from barometer.cli import app
from barometer.config import load_config
from barometer.exceptions import ConfigError, WarehouseError
from barometer.locking import WarehouseLock
from barometer.pipeline import run_ingest, run_pipeline
from barometer.schema import OBSERVATIONS, TABLES
from barometer.warehouse import Warehouse
from barometer.warehouse_folder import check_warehouse_path, is_warehouse


def test_a_second_writer_is_refused_while_the_first_writes(tmp_path) -> None:
    root = tmp_path / "wh"
    with Warehouse.open_for_writing(root) as first:
        first.append(OBSERVATIONS, observation_rows(["a"]))
        with pytest.raises(WarehouseError, match="another barometer command is writing"):
            run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
        with pytest.raises(WarehouseError, match=f"process {os.getpid()}"):
            Warehouse.open_for_writing(root).__enter__()
        assert first.count(OBSERVATIONS) == 1  # the first writer goes on
    with Warehouse.open_for_writing(root) as second:  # released when the block ends
        assert second.count(OBSERVATIONS) == 1


def test_readers_write_nothing_and_cannot_write(tmp_path) -> None:
    root = tmp_path / "wh"
    with Warehouse.open_for_writing(root) as store:
        store.append(OBSERVATIONS, observation_rows(["a"]))
        staging = store.parquet_dir / ".observations.new-0123abcd"  # a replace() in progress
        staging.mkdir()
        part_tmp = store.table_dir(OBSERVATIONS) / ".part-x.parquet.abc.tmp"
        part_tmp.write_bytes(b"half a part")
        reader = Warehouse(root)  # what `status` and the app do
        assert reader.count(OBSERVATIONS) == 1
        assert staging.is_dir() and part_tmp.is_file()  # the writer's work is left alone
        result = CliRunner().invoke(app, ["status", "--warehouse", str(root)])
        assert "Traceback" not in result.output
        assert staging.is_dir() and part_tmp.is_file()
        with pytest.raises(WarehouseError, match="open read-only"):
            reader.append(OBSERVATIONS, observation_rows(["b"]))


def test_the_next_writer_cleans_up_after_a_killed_one(tmp_path) -> None:
    root = tmp_path / "wh"
    with Warehouse.open_for_writing(root) as store:
        store.append(OBSERVATIONS, observation_rows(["a"]))
    leftovers = [
        store.table_dir(OBSERVATIONS) / ".part-0123.parquet.x1y2.tmp",
        root / ".barometer.duckdb.0a1b2c3d.tmp",
        root / ".barometer.duckdb.0a1b2c3d.tmp.wal",
        store.manifest_dir / ".r1.json.zz.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"posts' text of a killed run")
    (store.parquet_dir / ".observations.new-dead").mkdir()
    assert all(p.exists() for p in leftovers)
    with Warehouse.open_for_writing(root) as store:
        assert not [p for p in leftovers if p.exists()]
        assert not list(store.parquet_dir.glob(".*"))
        assert store.count(OBSERVATIONS) == 1


def test_run_ids_are_unique_even_in_the_same_second(tmp_path, monkeypatch) -> None:
    frozen = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return frozen

    monkeypatch.setattr(pipeline_module, "datetime", Clock)
    root = tmp_path / "wh"
    first = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    second = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    assert first.run_id != second.run_id
    assert first.run_id.startswith("20250101T120000-")
    assert len(list((root / "manifests").glob("*.json"))) == 2  # none overwrote the other


@pytest.mark.parametrize("kind", ["root", "file", "other"])
def test_warehouse_paths_that_are_not_warehouses_are_refused(tmp_path, kind) -> None:
    target = {"root": Path("/"), "file": tmp_path / "notes.txt", "other": tmp_path / "home"}[kind]
    if kind == "file":
        target.write_text("not a warehouse")
    if kind == "other":
        target.mkdir()
        (target / "thesis.docx").write_text("someone's files")
    before = sorted(os.listdir(target)) if target.is_dir() else None
    with pytest.raises(WarehouseError, match=r"root of the file system|is a file|not empty"):
        check_warehouse_path(target)
    with pytest.raises(WarehouseError):
        run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=target)
    if before is not None:
        assert sorted(os.listdir(target)) == before  # nothing written


def test_an_older_warehouse_without_metadata_is_still_a_warehouse(tmp_path) -> None:
    root = tmp_path / "old"
    (root / "parquet" / "posts").mkdir(parents=True)
    (root / "manifests").mkdir()
    (root / "barometer.duckdb").write_bytes(b"")
    assert is_warehouse(root)
    check_warehouse_path(root)
    (root / "unrelated.txt").write_text("x")
    assert not is_warehouse(root)
    killed_at_start = tmp_path / "locked_only"  # killed right after taking the lock
    killed_at_start.mkdir()
    (killed_at_start / ".lock").write_text("")
    check_warehouse_path(killed_at_start)


def _killed_first_run(root: Path) -> list[Path]:
    """What a first run killed while ingesting leaves: the lock, the empty table folders and
    its temporary ingest folders of enriched posts, but no ``warehouse.json``."""
    for name in ("parquet", "manifests"):
        (root / name).mkdir(parents=True)
    (root / ".lock").write_text("")
    planted = [root / ".ingest-k1ll3d", root / ".ingest-k1ll3d" / ".enrich-in1", root / ".enrich-0"]
    for folder in planted:
        folder.mkdir()
        (folder / "batch-000000.parquet").write_bytes(b"pseudonymised posts of a killed run")
    return planted


def test_a_killed_first_runs_ingest_folders_are_removed_and_the_run_goes_on(tmp_path) -> None:
    root = tmp_path / "wh"
    planted = _killed_first_run(root)
    assert is_warehouse(root)
    check_warehouse_path(root)
    # a writer still at work: its folders are in use, and none is removed
    busy = pytest.raises(WarehouseError, match="another barometer command is writing")
    with WarehouseLock(root), busy:
        run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    assert all(p.is_dir() for p in planted)
    out = io.StringIO()
    report = run_ingest(
        load_config(FIXTURES / "mini.toml"), warehouse=root, console=Console(file=out, width=400)
    )
    assert not any(p.exists() for p in planted)
    assert report.manifest["row_counts"]["posts"] > 0
    said = [line for line in out.getvalue().splitlines() if "killed run" in line]
    assert said == [
        f"removed the temporary ingest folders a killed run left in {root} (.enrich-0, "
        ".ingest-k1ll3d); the files they held were never stored, and this run reads them again"
    ]
    again = io.StringIO()
    run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root, console=Console(file=again))
    assert "killed run" not in again.getvalue()  # said once, when there was something to remove


@pytest.mark.parametrize("other", ["notes.txt", ".ingest-notes.txt", "photos"])
def test_a_killed_first_runs_folder_holding_anything_else_is_still_refused(tmp_path, other):
    root = tmp_path / "wh"
    planted = _killed_first_run(root)
    if other == "photos":
        (root / other).mkdir()
    else:  # a file, even one named as the ingest folders are, is not the barometer's
        (root / other).write_text("someone's file")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert not is_warehouse(root)
    with pytest.raises(WarehouseError, match=rf"is not empty .*holds {re.escape(other)}\)"):
        check_warehouse_path(root)
    with pytest.raises(WarehouseError, match="not a barometer warehouse"):
        run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing removed
    assert all(p.is_dir() for p in planted)


def test_folders_are_created_only_after_the_config_and_key_are_valid(tmp_path, monkeypatch):
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    config = load_config(FIXTURES / "mini.toml")
    no_key = config.model_copy(
        update={"privacy": config.privacy.model_copy(update={"demo_key": False})}
    )
    root = tmp_path / "wh"
    with pytest.raises(ConfigError, match="no pseudonymisation key"):
        run_pipeline(no_key, warehouse=root, show_progress=False)
    assert not root.exists()


def test_status_creates_nothing(tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (Path("/"), empty, tmp_path / "absent"):
        existed = {p.name for p in folder.iterdir()} if folder.is_dir() else None
        result = CliRunner().invoke(app, ["status", "--warehouse", str(folder)])
        assert result.exit_code == 1 and "no warehouse at" in result.output
        assert "Traceback" not in result.output
        if existed is not None:
            assert {p.name for p in folder.iterdir()} == existed
    assert not Path("/parquet").exists() and not Path("/manifests").exists()
    assert not (tmp_path / "absent").exists()


def test_a_snapshot_reads_one_publish_while_another_is_published(tmp_path) -> None:
    root = tmp_path / "wh"
    runs = pd.DataFrame({"run_id": ["r1"], "started_at": ["2025-01-01"]})
    with Warehouse.open_for_writing(root) as store:
        store.publish({"runs": runs, "numbers": pd.DataFrame({"x": [1, 2]})})
    with read.Published(root) as snapshot:
        assert snapshot.run_id == "r1"
        first = read.table(snapshot, "numbers")
        with Warehouse.open_for_writing(root) as store:
            store.publish(
                {
                    "runs": runs.assign(run_id="r2", started_at="2025-02-01"),
                    "numbers": pd.DataFrame({"x": [10, 20, 30]}),
                }
            )
        second = read.table(snapshot, "numbers")  # the same render, after the new publish
        assert first.equals(second) and second["x"].tolist() == [1, 2]
        assert read.table_names(snapshot) == {"runs", "numbers"}
    with read.Published(root) as fresh:
        assert fresh.run_id == "r2" and read.table(fresh, "numbers")["x"].tolist() == [10, 20, 30]


# -- a run killed at random points, with a second writer started against it --------------------

_IGNORED_PUBLISHED = {"runs"}  # one row per run: times and run ids differ by construction


def _canonical(root: Path) -> dict[str, pd.DataFrame]:
    store = Warehouse(root)
    out = {}
    for name, table in TABLES.items():
        frame = store.read(table).drop(columns=["run_id"], errors="ignore")
        out[name] = frame.sort_values(list(table.key), ignore_index=True)
    return out


def _published(root: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        frames = {n: con.execute(f'SELECT * FROM "{n}"').df() for n in names}
    out = {}
    for name, frame in frames.items():
        if name in _IGNORED_PUBLISHED:
            continue
        frame = frame.drop(columns=["run_id"], errors="ignore")
        out[name] = frame.sort_values(list(frame.columns), ignore_index=True)
    return out


def _barometer(*args: str) -> list[str]:
    return [sys.executable, "-c", "from barometer.cli import main; main()", *args]


def test_killed_at_random_points_with_a_second_writer_then_finished(tmp_path) -> None:
    config_path = FIXTURES / "mini.toml"
    clean, root = tmp_path / "clean", tmp_path / "wh"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("BAROMETER_PSEUDONYM_KEY", None)
    rng = random.Random(20261201)
    started = time.monotonic()  # one clean run: the reference, and how long a run takes
    subprocess.run(
        _barometer("run", str(config_path), "--warehouse", str(clean), "--quiet"),
        env=env,
        capture_output=True,
        timeout=600,
        check=True,
    )
    whole_run = time.monotonic() - started
    outcomes = []
    for _ in range(3):
        writer = subprocess.Popen(
            _barometer("run", str(config_path), "--warehouse", str(root), "--quiet"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.2, whole_run * 0.9))
        second = subprocess.run(
            _barometer("ingest", str(config_path), "--warehouse", str(root)),
            env=env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        output = (second.stdout + second.stderr).decode()
        assert "Traceback" not in output, output[-3000:]
        if second.returncode != 0:  # refused while the first held the lock: a clear line
            assert "another barometer command is writing" in " ".join(output.split()), output
        writer.send_signal(signal.SIGKILL)
        _, err = writer.communicate(timeout=60)
        assert b"Traceback" not in err, err.decode()[-3000:]
        outcomes.append((writer.returncode, second.returncode))
    assert any(code == -signal.SIGKILL for code, _ in outcomes)  # some kills landed mid-run
    finished = subprocess.run(
        _barometer("run", str(config_path), "--warehouse", str(root), "--quiet"),
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr.decode()[-3000:]
    assert not [p for p in root.rglob("*") if ".tmp" in p.name or ".new-" in p.name]
    got, want = _canonical(root), _canonical(clean)
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    got_published, want_published = _published(root), _published(clean)
    assert set(got_published) == set(want_published)
    for name, frame in want_published.items():
        pd.testing.assert_frame_equal(got_published[name], frame, obj=name)
