"""Streaming ingest and partitioned storage (issue 13): batches of a file add up to the whole
file, a file that cannot be read fails before any row is stored, and partitioned appends
keep keys unique exactly."""

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE_DIR

from barometer import warehouse as warehouse_module
from barometer.exceptions import InputError
from barometer.ingest.files import text_lines
from barometer.ingest.social.x import iter_x_v2, read_x_v2
from barometer.partitions import month_of, post_partitions
from barometer.schema import POST_SCORES, POSTS, QUARANTINE
from barometer.warehouse import Warehouse

SAMPLE_X = SAMPLE_DIR / "social" / "x_2024.jsonl.gz"


def test_batches_of_a_file_add_up_to_the_whole_file() -> None:
    whole = next(iter_x_v2(SAMPLE_X, batch_size=10**9))  # one batch: the whole file
    batches = list(iter_x_v2(SAMPLE_X, batch_size=1_000))
    assert len(batches) > 10
    rows = pd.concat([b.rows for b in batches], ignore_index=True)
    pd.testing.assert_frame_equal(rows, whole.rows)
    assert sum(b.n_read for b in batches) == whole.n_read
    assert sum(b.n_duplicates for b in batches) == whole.n_duplicates
    assert all(b.reconciles() for b in batches)
    quarantined = [r for b in batches for r in b.quarantine.rows]
    assert quarantined == whole.quarantine.rows  # numbered 1..n across batches
    assert [r["record"] for r in quarantined] == list(range(1, len(quarantined) + 1))
    assert batches[-1].notes == whole.notes and not any(b.notes for b in batches[:-1])
    merged = read_x_v2(SAMPLE_X)
    pd.testing.assert_frame_equal(merged.rows, whole.rows)


def test_a_repeat_in_a_later_batch_is_a_duplicate(tmp_path: Path) -> None:
    tweet = {"id": "1", "text": "Hej", "author_id": "7", "created_at": "2024-01-02T03:04:05Z"}
    other = {**tweet, "id": "2"}
    pages = [{"data": [tweet]}, {"data": [other]}, {"data": [tweet]}]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in pages) + "\n", encoding="utf-8")
    batches = list(iter_x_v2(path, batch_size=1))
    assert [len(b.rows) for b in batches] == [1, 1, 0, 0]
    assert sum(b.n_duplicates for b in batches) == 1


def test_a_truncated_gzip_fails_before_any_line(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b'{"data": []}\n' for _ in range(50_000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    lines = text_lines(path)
    with pytest.raises(InputError, match="truncated or corrupt"):
        next(lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"{}\n\x00\x00\n", "binary data"), (b'{"a": "\xff"}\n', "0xff at offset 7")],
)
def test_a_broken_file_fails_as_when_read_whole(tmp_path: Path, content, message) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        next(text_lines(path))


def _posts(ids: list[str], month: str = "2024-03") -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "post_id": ids,
            "source": "x",
            "created_at": pd.Timestamp(f"{month}-05", tz="UTC"),
            "author_pseudonym": "x-a",
            "text": "t",
            "lang": "sv",
            "lang_hint": None,
            "neighbourhood_id": None,
            "geo_method": "none",
            "engagement": 0,
            "is_repost": False,
            "content_hash": "h",
        }
    )
    return frame[POSTS.columns]


def test_partitioned_appends_keep_keys_unique(tmp_path: Path, monkeypatch) -> None:
    with Warehouse.open_for_writing(tmp_path / "wh") as store:
        assert store.append(POSTS, _posts(["x:1", "x:2"]), partition="source=x/month=2024-03") == 2
        assert store.append(POSTS, _posts(["x:2", "x:3"]), partition="source=x/month=2024-03") == 1
        # every key hashes alike: each row is a hash match, confirmed (or not) on the keys
        monkeypatch.setattr(
            warehouse_module, "key_hashes", lambda f, k: np.zeros(len(f), dtype=np.uint64)
        )
        store.release_keys(POSTS, "source=x/month=2024-03")
        assert store.append(POSTS, _posts(["x:3", "x:4"]), partition="source=x/month=2024-03") == 1
        assert store.partitions(POSTS) == ["source=x/month=2024-03"]
        assert sorted(store.read(POSTS)["post_id"]) == ["x:1", "x:2", "x:3", "x:4"]


def test_releasing_a_tables_key_index_keeps_appends_exact(tmp_path: Path) -> None:
    march, april = "source=x/month=2024-03", "source=x/month=2024-04"
    with Warehouse.open_for_writing(tmp_path / "wh") as store:
        assert store.append(POSTS, _posts(["x:1", "x:2"]), partition=march) == 2
        assert store.append(POSTS, _posts(["x:5"], "2024-04"), partition=april) == 1
        assert store.key_index_rows(POSTS) == 3
        store.release_keys(POSTS)  # every partition of the table: 8 bytes per row freed
        assert store.key_index_rows(POSTS) == 0
        assert store.append(POSTS, _posts(["x:2", "x:3"]), partition=march) == 1
        assert store.append(POSTS, _posts(["x:5", "x:6"], "2024-04"), partition=april) == 1
        assert store.key_index_rows(POSTS) == 5  # rebuilt from the stored keys
        assert sorted(store.read(POSTS)["post_id"]) == ["x:1", "x:2", "x:3", "x:5", "x:6"]


def test_a_legacy_top_level_part_still_counts_for_duplicates(tmp_path: Path) -> None:
    with Warehouse.open_for_writing(tmp_path / "wh") as store:
        assert store.append(POSTS, _posts(["x:1"])) == 1  # unpartitioned: the old layout
        assert store.append(POSTS, _posts(["x:1", "x:2"]), partition="source=x/month=2024-03") == 1
        assert store.partitions(POSTS) == ["", "source=x/month=2024-03"]
        assert store.count(POSTS) == 2


def test_replace_writes_each_row_into_its_partition(tmp_path: Path) -> None:
    posts = pd.concat([_posts(["x:1"], "2024-03"), _posts(["x:2", "x:3"], "2025-11")])
    with Warehouse.open_for_writing(tmp_path / "wh") as store:
        store.append(QUARANTINE, pd.DataFrame(columns=QUARANTINE.columns))
        store.replace(POSTS, posts, partitions=post_partitions(posts))
        assert store.partitions(POSTS) == ["source=x/month=2024-03", "source=x/month=2025-11"]
        assert [month_of(p) for p in store.partitions(POSTS)] == ["2024-03", "2025-11"]
        later = store.read(POSTS, partition="source=x/month=2025-11")
        assert sorted(later["post_id"]) == ["x:2", "x:3"]


def test_the_sample_run_stores_posts_and_scores_by_source_and_month(sample_warehouse) -> None:
    root, _ = sample_warehouse
    store = Warehouse(root)
    partitions = store.partitions(POSTS)
    assert "" not in partitions and len(partitions) >= 36  # 3 years, X and Mastodon
    assert {p.split("/")[0] for p in partitions} == {"source=x", "source=mastodon"}
    for partition in partitions[:3]:
        posts = store.read(POSTS, columns=["post_id", "source", "created_at"], partition=partition)
        assert set(post_partitions(posts)) == {partition}
        scores = store.read(POST_SCORES, columns=["post_id"], partition=partition)
        assert set(scores["post_id"]) <= set(posts["post_id"])


def test_repeats_across_many_batches_are_duplicates_and_the_ids_take_16_bytes(
    tmp_path: Path,
) -> None:
    """Every third tweet repeats one of an earlier batch: batch by batch, the kept rows and
    the duplicates equal the whole file's, and the drained ids are kept as hashes only."""
    tweets = [
        {"id": str(i), "text": f"Hej {i}", "author_id": "7", "created_at": "2024-01-02T03:04:05Z"}
        for i in range(300)
    ]
    pages = [{"data": [t, tweets[i // 2]]} for i, t in enumerate(tweets)]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in pages) + "\n", encoding="utf-8")
    whole = next(iter_x_v2(path, batch_size=10**9))
    batches = list(iter_x_v2(path, batch_size=5))
    rows = pd.concat([b.rows for b in batches if len(b.rows)], ignore_index=True)
    pd.testing.assert_frame_equal(rows, whole.rows)
    assert whole.n_duplicates == 300 and len(whole.rows) == 300
    assert sum(b.n_duplicates for b in batches) == 300
    assert all(b.reconciles() for b in batches)


def test_seen_ids_are_exact_on_distinct_ids() -> None:
    from barometer.ingest.social.id_set import SeenIds

    seen = SeenIds()
    for start in range(0, 50_000, 10_000):
        batch = [f"x:{i}" for i in range(start, start + 10_000)]
        assert not seen.seen(batch).any()
        seen.add(batch)
    assert len(seen) == 50_000 and seen.nbytes == 16 * 50_000
    probe = [f"x:{i}" for i in range(45_000, 55_000)]
    assert seen.seen(probe).tolist() == [i < 50_000 for i in range(45_000, 55_000)]
