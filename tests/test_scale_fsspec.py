"""The Dask engine's workers read the warehouse through an fsspec URL (issue 13, item 4:
``--workers-read s3://bucket/warehouse``): the per-partition tasks read the same frames through
``file://`` and fsspec's in-memory file system as through the folder path, the driver mirrors
its parts there, and a run on a threaded LocalCluster reading ``memory://`` publishes what the
local engine publishes. Nothing leaves this process."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pandas as pd
import pytest
from conftest import SAMPLE_CONFIG
from test_scale_incremental import _published

from barometer.config import load_config
from barometer.engine import make_engine
from barometer.engine.dask import DaskEngine
from barometer.engine.tasks import partition_scores, score_partition, summarise, summarise_terms
from barometer.exceptions import ConfigError, WarehouseError
from barometer.pipeline import run_pipeline
from barometer.schema import POST_SCORES, POSTS
from barometer.scoring import model_versions
from barometer.warehouse import Warehouse
from barometer.warehouse_mirror import mirror_parts
from barometer.warehouse_view import WarehouseView

MEMORY = fsspec.filesystem("memory")
TZ = load_config(SAMPLE_CONFIG).timezone


@pytest.fixture
def memory_url() -> Iterator[str]:
    """A fresh folder of fsspec's in-memory file system (one per process), removed after."""
    name = f"/barometer-{uuid.uuid4().hex[:8]}"
    yield f"memory://{name}"
    if MEMORY.exists(name):
        MEMORY.rm(name, recursive=True)


def _copy_parquet(root: Path, url: str) -> None:
    """The warehouse's ``parquet/`` folder copied file by file to ``url`` (no mirroring)."""
    fs, base = fsspec.core.url_to_fs(url)
    for path in (root / "parquet").rglob("*.parquet"):
        target = f"{base.rstrip('/')}/{path.relative_to(root).as_posix()}"
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(path), target)


def _assert_same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    elif isinstance(a, tuple | list):
        assert isinstance(b, type(a)) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif hasattr(a, "__dataclass_fields__"):
        for field in a.__dataclass_fields__:
            _assert_same(getattr(a, field), getattr(b, field))
    else:
        assert a == b


def test_tasks_read_the_same_frames_through_file_and_memory_urls(
    sample_warehouse, memory_url: str
) -> None:
    local, _ = sample_warehouse
    _copy_parquet(local, memory_url)
    roots = [str(local), local.as_uri(), memory_url]
    partitions = Warehouse(local).partitions(POSTS)
    assert len(partitions) > 30
    versions = model_versions(frozenset())
    for partition in partitions[:: max(1, len(partitions) // 5)]:
        summaries = [summarise(partition, root, versions, TZ) for root in roots]
        terms = [summarise_terms(partition, root, TZ, False) for root in roots]
        post_ids = Warehouse(local).read(POSTS, columns=["post_id"], partition=partition)
        scores = [partition_scores(WarehouseView(r), partition, post_ids["post_id"]) for r in roots]
        assert len(scores[0]) > 0 and len(terms[0]) > 0
        for found in (summaries, terms, scores):
            _assert_same(found[0], found[1])
            _assert_same(found[0], found[2])


def test_a_partition_scored_through_a_url_gets_its_stored_scores(
    sample_warehouse, memory_url: str
) -> None:
    """With a partition's scores gone from the URL, scoring it there gives back the scores
    the sample stored for it (the posts were read whole, through the memory file system)."""
    local, _ = sample_warehouse
    _copy_parquet(local, memory_url)
    store = Warehouse(local)
    partition = max(store.partitions(POSTS), key=lambda p: len(store.parts(POSTS, p)))
    MEMORY.rm(f"{memory_url.removeprefix('memory://')}/parquet/post_scores/{partition}", True)
    columns = ["post_id", "task", "model_version", "label"]
    rescored = score_partition(partition, memory_url, None, frozenset())[columns]
    stored = store.read(POST_SCORES, columns=columns, partition=partition)
    assert len(stored) > 0
    order = ["post_id", "task"]
    pd.testing.assert_frame_equal(
        rescored.sort_values(order).reset_index(drop=True),
        stored.sort_values(order).reset_index(drop=True),
        check_dtype=False,
    )


def test_the_mirror_uploads_what_is_missing_and_deletes_what_is_gone(
    sample_warehouse, tmp_path: Path, memory_url: str
) -> None:
    root = tmp_path / "wh"
    shutil.copytree(sample_warehouse[0], root)
    store = Warehouse(root)
    n_parts = len(store.parts(POSTS)) + len(store.parts(POST_SCORES))
    first = mirror_parts(store, memory_url, (POSTS, POST_SCORES))
    assert first.uploaded == n_parts and first.deleted == 0
    assert mirror_parts(store, memory_url, (POSTS, POST_SCORES)).uploaded == 0
    gone, cut = store.parts(POSTS)[0], store.parts(POSTS)[1]
    gone.unlink()  # as a rewrite or an erasure leaves it
    base = memory_url.removeprefix("memory://")
    cut_there = f"{base}/{cut.relative_to(root).as_posix()}"
    MEMORY.pipe_file(cut_there, cut.read_bytes()[:100])  # an upload cut short
    again = mirror_parts(store, memory_url, (POSTS, POST_SCORES))
    assert (again.uploaded, again.deleted) == (1, 1)
    assert not MEMORY.exists(f"{base}/{gone.relative_to(root).as_posix()}")
    assert MEMORY.cat_file(cut_there) == cut.read_bytes()


def test_a_url_the_workers_cannot_read_is_one_line_naming_url_and_partition(
    sample_warehouse, memory_url: str
) -> None:
    local, _ = sample_warehouse
    partition = Warehouse(local).partitions(POSTS)[0]
    versions = model_versions(frozenset())
    with pytest.raises(WarehouseError) as empty:
        summarise(partition, memory_url, versions, TZ)  # the driver's parts never synced
    _copy_parquet(local, memory_url)
    part = WarehouseView(memory_url).parts(POSTS, partition)[0]
    MEMORY.pipe_file(part, b"not parquet")
    with pytest.raises(WarehouseError) as corrupt:
        score_partition(partition, memory_url, None, frozenset())
    for error in (empty.value, corrupt.value):
        message = str(error)
        assert memory_url in message and f"partition '{partition}'" in message
        assert "\n" not in message
    with pytest.raises(WarehouseError, match="cannot open the warehouse URL nosuch://x"):
        WarehouseView("nosuch://x")


def test_workers_read_needs_the_dask_engine_and_a_url() -> None:
    with pytest.raises(ConfigError, match="--workers-read needs --engine dask"):
        make_engine("local", workers_read="memory://x")
    with pytest.raises(ConfigError, match="takes an fsspec URL"):
        DaskEngine(workers_read="/shared/warehouse")


def test_dask_reading_memory_url_publishes_what_the_local_engine_publishes(
    sample_warehouse, tmp_path: Path, memory_url: str
) -> None:
    """A threaded LocalCluster (the memory file system is this process's) whose workers read
    only the URL: the driver's warehouse is mirrored there as the run goes."""
    config = load_config(SAMPLE_CONFIG)
    engine = DaskEngine(workers=2, processes=False, workers_read=memory_url)
    with engine:
        run_pipeline(config, warehouse=tmp_path / "wh", show_progress=False, engine=engine)
    read = Warehouse(tmp_path / "wh").manifests()[-1]["partitions_read"]
    assert read["scored"] == read["summarised"] == read["total"] > 30
    store = Warehouse(tmp_path / "wh")
    assert engine.mirrored.uploaded == len(store.parts(POSTS)) + len(store.parts(POST_SCORES))
    on_dask, here = _published(tmp_path / "wh"), _published(sample_warehouse[0])
    assert on_dask.keys() == here.keys()
    for name in here:
        pd.testing.assert_frame_equal(on_dask[name], here[name], obj=name)


def test_cli_refuses_workers_read_without_dask_or_a_url(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from barometer.cli import app

    base = ["run", str(SAMPLE_CONFIG), "--warehouse", str(tmp_path / "wh"), "--quiet"]
    for extra, said in (
        (["--workers-read", "memory://x"], "--workers-read needs --engine dask"),
        (["--engine", "dask", "--workers-read", "wh"], "takes an fsspec URL"),
    ):
        done = CliRunner(env={"COLUMNS": "200"}).invoke(app, base + extra)
        assert done.exit_code != 0 and said in done.output, done.output
    assert not (tmp_path / "wh").exists()
