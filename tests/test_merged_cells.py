"""The digital cells kept between runs (issue 13): a run merges again only the city months of
the partitions that changed, from every partition holding rows of those months, and takes the
other cells as kept; the result is what a full merge gives."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from barometer.aggregate.cell_stats import cell_stats
from barometer.aggregate.digital import digital_from_stats
from barometer.aggregate.interval_cache import INTERVAL_DIR, IntervalCache
from barometer.aggregate.merged_cells import MERGED_DIR, MergedCells

_DRAW = {"n_boot": 49, "level": 0.9, "seed": 3}
_KEYS = ["indicator", "neighbourhood_id", "period_start"]


def _partition(root: Path, name: str, days: tuple[str, str], seed: int, n: int = 120) -> Path:
    """A partition's ``cell_stats`` file, of ``n`` posts between the two days (UTC)."""
    rng = np.random.default_rng(seed)
    start, end = pd.Timestamp(days[0], tz="UTC"), pd.Timestamp(days[1], tz="UTC")
    posts = pd.DataFrame(
        {
            "post_id": [f"{name}:{i}" for i in range(n)],
            "author_pseudonym": rng.choice([f"u{i}" for i in range(25)], n),
            "neighbourhood_id": rng.choice(["alby", "fittja", "hallunda"], n),
            "created_at": start + (end - start) * rng.random(n),
            "is_repost": False,
        }
    )
    labels = rng.choice(["negative", "positive"], n, p=[0.3, 0.7])
    scores = pd.DataFrame({"post_id": posts["post_id"], "task": "sentiment", "label": labels})
    path = root / name / "cell_stats.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    cell_stats(posts, scores).to_parquet(path, index=False)
    return path


def _run(root: Path, partitions: dict[Path, str]) -> tuple[pd.DataFrame, MergedCells]:
    kept = MergedCells(root / MERGED_DIR, partitions)
    intervals = IntervalCache(root / INTERVAL_DIR, _DRAW["n_boot"], _DRAW["level"], merged=kept)
    return digital_from_stats(list(partitions), intervals=intervals, **_DRAW), kept


def _cold(partitions: dict[Path, str]) -> pd.DataFrame:
    return digital_from_stats(list(partitions), **_DRAW)


def _plant(root: Path, value: float) -> None:
    """Overwrite every kept cell's value with ``value`` (the record kept)."""
    path = root / MERGED_DIR / "cells.parquet"
    table = pq.read_table(path)
    frame = table.to_pandas().assign(value=value)
    planted = table.from_pandas(frame, schema=table.schema, preserve_index=False)
    pq.write_table(planted.replace_schema_metadata(table.schema.metadata), path)


def _by_month(cells: pd.DataFrame) -> pd.DataFrame:
    return cells.assign(month=pd.to_datetime(cells["period_start"]).dt.strftime("%Y-%m"))


def test_a_full_merge_is_kept_and_a_changed_partition_merges_its_months_again(
    tmp_path: Path,
) -> None:
    root = tmp_path / "_summaries"
    january = _partition(root, "m=2024-01", ("2024-01-01", "2024-01-31"), 1)
    # February's partition starts an hour early: its first rows are January's (city months
    # span two UTC months): January is merged again when February changes
    february = _partition(root, "m=2024-02", ("2024-01-31T23:00", "2024-02-29"), 2)
    march = _partition(root, "m=2024-03", ("2024-03-01", "2024-03-31"), 3)
    partitions = {january: "j1", february: "f1", march: "m1"}
    first, kept = _run(root, partitions)
    pd.testing.assert_frame_equal(first, _cold(partitions))
    assert kept.merged == len(first) and kept.reused == 0

    _plant(root, -1.0)
    again, kept = _run(root, partitions)
    assert kept.merged == 0 and (again["value"] == -1).all()  # nothing changed: all kept

    march = _partition(root, "m=2024-03", ("2024-03-01", "2024-03-31"), 4)  # rewritten
    grown, kept = _run(root, {january: "j1", february: "f1", march: "m2"})
    months = _by_month(grown)
    assert (months.loc[months["month"] != "2024-03", "value"] == -1).all()  # kept
    fresh = _by_month(_cold({january: "j1", february: "f1", march: "m2"}))
    pd.testing.assert_frame_equal(
        months[months["month"] == "2024-03"].reset_index(drop=True),
        fresh[fresh["month"] == "2024-03"].reset_index(drop=True),
    )
    assert kept.merged == int((months["month"] == "2024-03").sum())

    _plant(root, -1.0)
    february = _partition(root, "m=2024-02", ("2024-01-31T23:00", "2024-02-29"), 5)
    grown, kept = _run(root, {january: "j1", february: "f2", march: "m2"})
    months = _by_month(grown)
    assert (months.loc[months["month"] == "2024-03", "value"] == -1).all()
    fresh = _by_month(_cold({january: "j1", february: "f2", march: "m2"}))
    early = months[months["month"] != "2024-03"].reset_index(drop=True)
    pd.testing.assert_frame_equal(early, fresh[fresh["month"] != "2024-03"].reset_index(drop=True))


def test_a_gone_partition_drops_its_cells_and_other_settings_merge_everything(
    tmp_path: Path,
) -> None:
    root = tmp_path / "_summaries"
    january = _partition(root, "m=2024-01", ("2024-01-01", "2024-01-31"), 1)
    march = _partition(root, "m=2024-03", ("2024-03-01", "2024-03-31"), 3)
    _run(root, {january: "j1", march: "m1"})
    _plant(root, -1.0)
    pruned, kept = _run(root, {march: "m1"})  # January pruned
    assert kept.merged == 0 and not _by_month(pruned)["month"].eq("2024-01").any()
    assert (pruned["value"] == -1).all()
    pd.testing.assert_frame_equal(
        pruned.drop(columns="value"), _cold({march: "m1"}).drop(columns="value")
    )

    _plant(root, -1.0)
    kept = MergedCells(root / MERGED_DIR, {march: "m1"})
    intervals = IntervalCache(root / INTERVAL_DIR, 49, 0.9, merged=kept)
    reseeded = digital_from_stats([march], n_boot=49, level=0.9, seed=4, intervals=intervals)
    assert kept.reused == 0 and (reseeded["value"] >= 0).all()
    pd.testing.assert_frame_equal(
        reseeded, digital_from_stats([march], n_boot=49, level=0.9, seed=4)
    )


def test_a_copied_warehouse_keeps_its_merged_cells(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "a" / "_summaries"
    march = _partition(root, "m=2024-03", ("2024-03-01", "2024-03-31"), 3)
    first, _ = _run(root, {march: "m1"})
    copy = tmp_path / "b" / "_summaries"
    shutil.copytree(root, copy)
    again, kept = _run(copy, {copy / "m=2024-03" / "cell_stats.parquet": "m1"})
    assert kept.merged == 0 and kept.reused == len(first)
    pd.testing.assert_frame_equal(again, first)
    assert set(first.set_index(_KEYS).index) == set(again.set_index(_KEYS).index)
