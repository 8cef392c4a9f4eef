"""Social files read and enriched by worker processes (``[run] ingest_workers``,
:mod:`barometer.pipeline.social_pool`) give the warehouse of a serial run: the same posts
(duplicates across files stored once, in the same file order), quarantine rows and manifest
counts, a broken file reported in one line naming it while the others go on, and no worker
or temporary folder left behind, even when the driver is interrupted."""

import gzip
import io
import json
import multiprocessing
import os
import pickle
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE_CONFIG
from rich.console import Console
from typer.testing import CliRunner

from barometer.cli import app
from barometer.config import PipelineConfig, RunSettings, SocialSource, SourcesConfig, load_config
from barometer.exceptions import ConfigError, InputError, LanguageMismatchError
from barometer.pipeline import run_ingest
from barometer.pipeline import social_pool as pool_module
from barometer.pipeline.social import SOCIAL_READERS
from barometer.pipeline.state import RunReport
from barometer.schema import POSTS, QUARANTINE, SURVEY_RESPONSES
from barometer.warehouse import Warehouse

TEXTS = [
    "Så fin kväll i Alby centrum, grannarna hälsade på varandra",
    "Great evening at the library, met my neighbours",
    "مساء جميل في الحي مع الجيران",
    "Bugün mahallede komşularla güzel bir akşam geçirdik",
    "Fiid wanaagsan oo xaafadda ah, deriskayga ayaan la kulmay",
    "Trafiken vid stationen är hemsk idag igen",
]


def _tweet(i: int) -> dict[str, object]:
    return {
        "id": str(1000 + i),
        "text": f"{TEXTS[i % len(TEXTS)]} #{i}",
        "author_id": str(700 + i % 4),  # four authors, each in several files
        "created_at": f"2024-0{1 + i % 6}-1{i % 10}T12:00:00.000Z",
    }


def _page(ids: list[int]) -> str:
    return json.dumps({"data": [_tweet(i) for i in ids], "meta": {"result_count": len(ids)}})


def _planted(folder: Path, workers: int) -> Path:
    """Four X files: b and d repeat posts of a and b (duplicates across files), b has a cut
    line (quarantined), c is a truncated gzip (the broken file); a config that reads them all
    with ``workers`` (the files are written once per folder)."""
    social = folder / "social"
    social.mkdir(parents=True, exist_ok=True)
    (social / "SYNTHETIC.txt").write_text("invented posts for a test\n")
    (social / "x_a.jsonl").write_text(_page(list(range(0, 8))) + "\n" + _page([8, 9]) + "\n")
    (social / "x_b.jsonl").write_text(
        _page(list(range(6, 14))) + "\n" + '{"data": [{"id": "cut\n' + _page([3, 14]) + "\n"
    )
    (social / "x_c.jsonl.gz").write_bytes(
        gzip.compress((_page([20, 21]) + "\n").encode(), mtime=0)[:-12]
    )
    (social / "x_d.jsonl").write_text(_page([12, 15, 16, 0]) + "\n")
    sample = SAMPLE_CONFIG.parent
    config = folder / f"pipeline-{workers}.toml"
    config.write_text(
        f'name = "planted"\nmunicipality = "Botkyrka"\n'
        f'[boundaries]\npath = "{sample / "neighbourhoods.geojson"}"\n'
        f"[privacy]\ndemo_key = true\n"
        f'[[sources.social]]\nformat = "x_v2"\npath = "social/x_*.jsonl*"\n'
        f"[run]\ningest_workers = {workers}\n"
    )
    return config


def _tables(root: Path) -> dict[str, pd.DataFrame]:
    store = Warehouse(root)
    out = {}
    for table in (POSTS, QUARANTINE, SURVEY_RESPONSES):
        frame = store.read(table).drop(columns=["run_id"], errors="ignore")
        out[table.name] = frame.sort_values(list(table.key), ignore_index=True)
    return out


def _inputs(manifest: dict) -> list[dict]:
    return list(manifest["inputs"])


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(".*") if p.name.startswith((".ingest-", ".enrich-")))


@pytest.fixture
def no_new_child():
    """After the test, no process of the test's own is left (others may predate it)."""
    before = set(multiprocessing.active_children())
    yield
    assert set(multiprocessing.active_children()) <= before


def _ingest(config: Path | PipelineConfig, root: Path, workers: int | None = None):
    if isinstance(config, Path):
        config = load_config(config)
    if workers is not None:
        config = config.model_copy(update={"run": RunSettings(ingest_workers=workers)})
    out = io.StringIO()
    report = run_ingest(config, warehouse=root, console=Console(file=out, width=400))
    return report, out.getvalue()


@dataclass(frozen=True)
class PoolRun:
    """The module's one ingest in a pool of two workers (the sample's sources, then the planted
    X files), and what it is compared with: the sample ingested in one process (conftest) and
    the planted files alone, in one process, with the same config."""

    parallel: RunReport
    parallel_out: str
    parallel_root: Path
    children_left: set
    serial: RunReport
    serial_out: str
    serial_root: Path
    sample_root: Path
    sample_manifest: dict
    planted_dir: Path


@pytest.fixture(scope="module")
def pool_run(tmp_path_factory: pytest.TempPathFactory, sample_warehouse) -> PoolRun:
    """Workers are spawned processes that load the language detectors (seconds each on 2
    cores), so the tests that read a normal pool run share this one."""
    folder = tmp_path_factory.mktemp("pool")
    _planted(folder / "in", workers=1)  # the files; the config is built here
    planted_dir = folder / "in" / "social"
    planted = SocialSource(format="x_v2", path=str(planted_dir / "x_*.jsonl*"))
    sample = load_config(SAMPLE_CONFIG)
    both = sample.sources.model_copy(update={"social": [*sample.sources.social, planted]})
    before = set(multiprocessing.active_children())
    parallel, parallel_out = _ingest(
        sample.model_copy(update={"sources": both}), folder / "wh2", workers=2
    )
    children_left = set(multiprocessing.active_children()) - before
    alone = sample.model_copy(update={"sources": SourcesConfig(social=[planted])})
    serial, serial_out = _ingest(alone, folder / "wh1", workers=1)
    root, manifest = sample_warehouse
    return PoolRun(
        parallel, parallel_out, folder / "wh2", children_left,
        serial, serial_out, folder / "wh1", root, manifest, planted_dir,
    )  # fmt: skip


def _split(frame: pd.DataFrame, sample: pd.DataFrame, key: tuple[str, ...]):
    """(the rows of ``frame`` whose key is one of ``sample``'s, the others), each in order."""
    keys = sample[list(key)].drop_duplicates()
    marked = frame.merge(keys, on=list(key), how="left", indicator=True)
    inside = (marked["_merge"] == "both").to_numpy()
    return frame[inside].reset_index(drop=True), frame[~inside].reset_index(drop=True)


def _planted_tables(run: PoolRun) -> dict[str, pd.DataFrame]:
    """The parallel warehouse's rows that are not the sample's (those of the planted files)."""
    sample, parallel = _tables(run.sample_root), _tables(run.parallel_root)
    keys = {table.name: table.key for table in (POSTS, QUARANTINE, SURVEY_RESPONSES)}
    return {name: _split(parallel[name], sample[name], keys[name])[1] for name in parallel}


def _split_inputs(run: PoolRun) -> tuple[list[dict], list[dict]]:
    """The parallel run's manifest entries: (the sample's files, the planted files), in order."""
    entries = _inputs(run.parallel.manifest)
    planted = [e for e in entries if Path(e["path"]).parent == run.planted_dir]
    return [e for e in entries if e not in planted], planted


def test_two_workers_store_what_one_process_stores(pool_run: PoolRun) -> None:
    serial, parallel = pool_run.serial, pool_run.parallel
    one, two = _tables(pool_run.serial_root), _planted_tables(pool_run)
    for name in one:
        pd.testing.assert_frame_equal(two[name], one[name], obj=name)
    # known answers: posts 0-16, each once (c's 20 and 21 are never stored)
    assert sorted(two["posts"]["post_id"]) == sorted(f"x:{1000 + i}" for i in range(17))
    assert list(two["quarantine"]["file"].map(lambda f: Path(f).name)) == ["x_b.jsonl"]
    _, planted_inputs = _split_inputs(pool_run)
    entries = {Path(e["path"]).name: e for e in planted_inputs}
    assert {
        k: (e.get("n_read"), e.get("n_duplicates"), e.get("n_new")) for k, e in entries.items()
    } == {
        "x_a.jsonl": (10, 0, 10),
        "x_b.jsonl": (11, 0, 5),  # 10 posts (3, 6-9 stored from a) + the cut line
        "x_c.jsonl.gz": (None, None, None),
        "x_d.jsonl": (4, 0, 2),  # 12 from b, 0 from a
    }
    for entry in entries.values():
        if "n_read" in entry:  # read = accepted + duplicates + quarantined
            assert (
                entry["n_read"] == entry["n_kept"] + entry["n_duplicates"] + entry["n_quarantined"]
            )
    assert sum(e.get("n_new", 0) for e in entries.values()) == len(two["posts"])
    assert planted_inputs == _inputs(serial.manifest)  # entry by entry
    assert (serial.manifest["ingest_workers"], parallel.manifest["ingest_workers"]) == (1, 2)
    # the broken file: one line naming it, in either mode, and the others went on
    for out, report in ((pool_run.serial_out, serial), (pool_run.parallel_out, parallel)):
        errors = [line for line in out.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "x_c.jsonl.gz" in errors[0], out
        assert [Path(e["path"]).name for e in report.failed_inputs] == ["x_c.jsonl.gz"]
    assert _leftovers(pool_run.parallel_root) == []
    assert pool_run.children_left == set()  # no worker outlives the run


def test_the_sample_with_two_workers_stores_the_serial_tables(pool_run: PoolRun) -> None:
    serial, parallel = _tables(pool_run.sample_root), _tables(pool_run.parallel_root)
    keys = {table.name: table.key for table in (POSTS, QUARANTINE, SURVEY_RESPONSES)}
    for name in serial:
        two = _split(parallel[name], serial[name], keys[name])[0]
        pd.testing.assert_frame_equal(two, serial[name], obj=name)
    sample_inputs, _ = _split_inputs(pool_run)
    assert sample_inputs == _inputs(pool_run.sample_manifest)


def test_an_unexpected_error_in_a_worker_is_the_files_one_line(tmp_path, monkeypatch) -> None:
    config = load_config(SAMPLE_CONFIG)
    from barometer.geo import Gazetteer, load_boundaries
    from barometer.privacy import Pseudonymiser

    boundaries = load_boundaries(config.resolve(config.boundaries.path))
    context = pool_module.EnrichContext(boundaries, Pseudonymiser(b"k"), None, "UTC")
    monkeypatch.setattr(pool_module, "_CONTEXT", context)
    monkeypatch.setattr(pool_module, "_GAZETTEER", Gazetteer(boundaries))

    def broken(path, **options):
        raise RuntimeError("the disk\nwent away")
        yield

    monkeypatch.setitem(SOCIAL_READERS, "x_v2", broken)
    source = SocialSource(format="x_v2", path="x.jsonl")
    with pytest.raises(InputError) as caught:
        pool_module.enrich_in_worker(source, "/data/x.jsonl", str(tmp_path))
    assert str(caught.value) == (
        "/data/x.jsonl: could not be read or stored (RuntimeError: the disk went away); "
        "the other files went on, and the next run tries it again"
    )

    def mismatched(path, **options):  # an InputError whose __init__ is not (message)
        raise LanguageMismatchError(3, 2)
        yield

    monkeypatch.setitem(SOCIAL_READERS, "x_v2", mismatched)
    with pytest.raises(InputError) as caught:
        pool_module.enrich_in_worker(source, "/data/x.jsonl", str(tmp_path))
    # a plain InputError, so the driver can unpickle it (the subclass's own needs two numbers)
    assert type(caught.value) is InputError
    back = pickle.loads(pickle.dumps(caught.value))
    assert (type(back), str(back)) == (InputError, "expected one language per text (3), got 2")


def test_an_interrupted_driver_stops_its_workers_and_leaves_no_folder(
    tmp_path, monkeypatch, no_new_child
) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pool_module, "load_batches", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _ingest(_planted(tmp_path / "cfg", workers=2), tmp_path / "wh")
    assert _leftovers(tmp_path / "wh") == []


def test_the_cli_option_overrides_the_config_and_bad_counts_are_refused(
    tmp_path, monkeypatch
) -> None:
    import barometer.pipeline

    asked: dict[str, object] = {}

    def fake_run(config, **options):
        asked.update(options)
        return RunReport("r", tmp_path, {"run_id": "r", "inputs": [], "row_counts": {}}, {})

    monkeypatch.setattr(barometer.pipeline, "run_pipeline", fake_run)
    config = _planted(tmp_path, workers=1)
    runner = CliRunner()
    done = runner.invoke(app, ["run", str(config), "--quiet", "--ingest-workers", "3"])
    assert done.exit_code == 0, done.output
    assert asked["ingest_workers"] == 3
    assert runner.invoke(app, ["run", str(config), "--quiet"]).exit_code == 0
    assert asked["ingest_workers"] is None  # then the config's [run] ingest_workers
    for command in ("run", "ingest"):
        shown = runner.invoke(app, [command, "--help"]).output
        assert "[run] ingest_workers" in " ".join(shown.replace("│", " ").split()), command
    refused = runner.invoke(app, ["run", str(config), "--ingest-workers", "0"])
    assert refused.exit_code == 2 and "ingest-workers" in refused.output
    config.write_text(config.read_text().replace("ingest_workers = 1", "ingest_workers = 0"))
    with pytest.raises(ConfigError, match=r"run\.ingest_workers"):
        load_config(config)


_ENRICH = pool_module.enrich_in_worker  # the real one, in a worker too


def _die(source, path, folder):
    """A worker that dies as one killed for memory does (run in the spawned worker)."""
    os._exit(9)


def _die_on_a(source, path, folder):
    """A worker that dies on x_a.jsonl only (the oversized file), enriching the others."""
    if Path(path).name == "x_a.jsonl":
        os._exit(9)
    return _ENRICH(source, path, folder)


def _errors(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("error:")]


def test_a_dead_worker_fails_the_files_in_flight_and_the_waiting_ones_go_on(
    tmp_path, monkeypatch, no_new_child
) -> None:
    import barometer.pipeline.social as social_module

    monkeypatch.setattr(pool_module, "enrich_in_worker", _die_on_a)
    one_worker = partial(pool_module.ingest_social_in_pool, workers=1)  # a, then b in flight
    monkeypatch.setattr(
        social_module, "ingest_social_in_pool", lambda run, files, workers: one_worker(run, files)
    )
    report, out = _ingest(_planted(tmp_path / "in", workers=2), tmp_path / "wh")
    # a killed its worker; b, waiting in that pool, failed with it; c and d went to a fresh
    # pool: c failed as a truncated gzip does, d was stored
    names = ["x_a.jsonl", "x_b.jsonl", "x_c.jsonl.gz"]
    assert [Path(e["path"]).name for e in report.failed_inputs] == names
    errors = _errors(out)
    assert len(errors) == 3 and all(n in e for n, e in zip(names, errors, strict=True)), out
    assert all("BrokenProcessPool" in e for e in errors[:2])
    assert "BrokenProcessPool" not in errors[2]
    posts = Warehouse(tmp_path / "wh").read(POSTS)
    assert sorted(posts["post_id"]) == sorted(f"x:{1000 + i}" for i in (0, 12, 15, 16))
    assert _leftovers(tmp_path / "wh") == []


def test_a_second_dead_pool_fails_each_later_file_in_its_own_line_and_the_run_goes_on(
    tmp_path, monkeypatch, no_new_child
) -> None:
    monkeypatch.setattr(pool_module, "enrich_in_worker", _die)
    report, out = _ingest(_planted(tmp_path / "in", workers=2), tmp_path / "wh")
    # a, b and c in flight in the first pool, d in the fresh one: every worker dies
    names = ["x_a.jsonl", "x_b.jsonl", "x_c.jsonl.gz", "x_d.jsonl"]
    assert [Path(e["path"]).name for e in report.failed_inputs] == names
    errors = _errors(out)
    assert len(errors) == 4 and all(n in e for n, e in zip(names, errors, strict=True)), out
    assert all("BrokenProcessPool" in e for e in errors)
    assert Warehouse(tmp_path / "wh").read(POSTS).empty  # nothing half stored
    assert _leftovers(tmp_path / "wh") == []


def test_the_next_writer_removes_a_killed_runs_ingest_folders(tmp_path) -> None:
    root = tmp_path / "wh"
    with Warehouse.open_for_writing(root) as store:
        store.claim_key("a run's key")  # as a run does before it reads any file
    planted = [root / ".ingest-k1ll3d", root / ".ingest-k1ll3d" / ".enrich-in1", root / ".enrich-0"]
    for folder in planted:
        folder.mkdir()
        (folder / "batch-000000.parquet").write_bytes(b"pseudonymised posts of a killed run")
    Warehouse(root).read(POSTS)  # a reader removes nothing
    assert all(p.is_dir() for p in planted)
    with Warehouse.open_for_writing(root):
        assert _leftovers(root) == []
