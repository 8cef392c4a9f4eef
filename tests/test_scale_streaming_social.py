"""Streaming Mastodon and Reddit readers (issue 13): a JSON Lines file read in batches gives
exactly the rows, quarantine and counts of the same file read whole (Reddit's whole-text dump
reader; the same statuses as one Mastodon JSON document), a repeat across batches is one
duplicate, and a broken line in a late batch is quarantined as before."""

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_bad_inputs import CORPUS

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.social import read_mastodon, read_reddit
from barometer.ingest.social.mastodon import iter_mastodon
from barometer.ingest.social.reddit import iter_reddit
from barometer.pipeline.social import SOCIAL_READERS


def _comment(i: int, body: str = "") -> dict[str, object]:
    body = body or f"Grannar i Alby {i}"
    return {"id": f"c{i}", "author": f"user{i % 3}", "body": body, "created_utc": 1711962000 + i}


def _reddit_dump() -> list[str]:
    """13 lines: 10 comments (c4 deleted), c1 again (line 11), a cut line (12), a stub (13)."""
    lines = [json.dumps(_comment(i, "[deleted]" if i == 4 else "")) for i in range(10)]
    lines.append(json.dumps(_comment(1)))
    lines.append('{"id": "c99", "body": "cut')
    lines.append(json.dumps({"kind": "more", "data": {"count": 3}}))
    return lines


def _write(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def _merged(batches: Iterator[IngestResult]) -> tuple[IngestResult, list[IngestResult]]:
    parts = list(batches)
    assert all(p.reconciles() for p in parts)
    assert not any(p.notes for p in parts[:-1])  # the file's notes come with the last batch
    return IngestResult.merge(parts), parts


def _same(streamed: IngestResult, whole: IngestResult) -> None:
    pd.testing.assert_frame_equal(streamed.rows, whole.rows)
    assert streamed.quarantine.rows == whole.quarantine.rows
    assert (streamed.n_read, streamed.n_duplicates, streamed.quarantined) == (
        whole.n_read,
        whole.n_duplicates,
        whole.quarantined,
    )
    assert streamed.notes == whole.notes


@pytest.mark.parametrize("name", ["dump.ndjson", "dump.ndjson.gz"])
def test_a_reddit_dump_in_batches_of_3_is_the_dump_read_whole(tmp_path: Path, name) -> None:
    path = _write(tmp_path / name, _reddit_dump())
    streamed, parts = _merged(iter_reddit(path, batch_size=3))
    assert len(parts) == 5  # 12 records: a batch after lines 3, 6, 9 and 12, then the notes
    whole = read_reddit(path)  # the whole-text reader, not the stream
    _same(streamed, whole)
    # known answers: 12 records read = 9 kept + c1's repeat + c4 deleted + the cut line
    assert (streamed.n_read, len(streamed.rows), streamed.n_duplicates) == (12, 9, 1)
    assert list(streamed.rows["post_id"]) == [f"reddit:t1_c{i}" for i in range(10) if i != 4]
    assert parts[3].n_duplicates == 1  # c1 came again in the fourth batch, lines 10 to 12
    quarantined = [(r["line"], r["field"], r["reason"]) for r in streamed.quarantine.rows]
    assert quarantined == [
        (5, "body", "no text (deleted, removed or empty)"),
        (12, "(json)", "not valid JSON: Unterminated string starting at at column 23"),
    ]
    assert streamed.notes == ["skipped 1 'more comments' stub(s) (comments not in the export)"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch_size=st.integers(min_value=1, max_value=16))
def test_any_batch_size_gives_the_whole_reddit_dump(tmp_path: Path, batch_size: int) -> None:
    for path in (
        _write(tmp_path / "planted.ndjson", _reddit_dump()),
        FIXTURES / "reddit_dump.ndjson",
    ):
        streamed, _ = _merged(iter_reddit(path, batch_size=batch_size))
        _same(streamed, read_reddit(path))


def _status(i: int, content: str = "") -> dict[str, object]:
    return {
        "id": str(100 + i),
        "uri": f"https://social.example/users/u{i % 2}/statuses/{100 + i}",
        "created_at": f"2024-04-01T08:{i:02d}:00.000Z",
        "content": content or f"<p>Hej Fittja {i}</p>",
        "language": "sv",
        "account": {
            "id": str(i % 2),
            "acct": f"u{i % 2}",
            "url": f"https://social.example/@u{i % 2}",
        },
    }


def test_mastodon_json_lines_in_batches_are_the_statuses_read_as_one_document(
    tmp_path: Path,
) -> None:
    pages = [
        [_status(0), _status(1)],  # a timeline page
        _status(2),  # one Status
        {"statuses": [_status(3), _status(4, content="<p></p>")]},  # a search result
        [_status(5), _status(1)],  # status 1 again, two batches later
    ]
    lines = [json.dumps(p) for p in pages] + ['{"id": "9", "content": "cut', "42"]
    streamed, parts = _merged(iter_mastodon(_write(tmp_path / "t.jsonl", lines), batch_size=3))
    assert len(parts) == 3
    assert (streamed.n_read, len(streamed.rows), streamed.n_duplicates) == (9, 5, 1)
    assert parts[1].n_duplicates == 1
    quarantined = [(r["line"], r["field"], r["reason"]) for r in streamed.quarantine.rows]
    assert quarantined == [
        (3, "content", "status has no text"),
        (5, "(json)", "not valid JSON: Unterminated string starting at at column 24"),
        (6, "(json)", "not Mastodon statuses"),
    ]
    statuses = [_status(i) for i in (0, 1, 2, 3, 5)]
    document = tmp_path / "t.json"
    document.write_text(json.dumps(statuses), encoding="utf-8")
    pd.testing.assert_frame_equal(streamed.rows, read_mastodon(document).rows)
    for batch_size in (1, 2, 10**6):
        again, _ = _merged(iter_mastodon(tmp_path / "t.jsonl", batch_size=batch_size))
        _same(again, streamed)


def test_a_mastodon_document_streams_status_by_status() -> None:
    streamed, parts = _merged(iter_mastodon(FIXTURES / "mastodon.json", batch_size=1))
    assert len(parts) == 5  # 4 statuses, then the notes
    _same(streamed, read_mastodon(FIXTURES / "mastodon.json"))  # json.loads of the document


def test_the_pipeline_streams_mastodon_and_reddit() -> None:
    assert SOCIAL_READERS["mastodon"] is iter_mastodon
    assert SOCIAL_READERS["reddit"] is iter_reddit


def _outcome(read: Callable[[Path], IngestResult], path: Path) -> object:
    try:
        result = read(path)
    except InputError as exc:
        return str(exc)
    return (len(result.rows), result.quarantine.rows, result.n_read, result.n_duplicates)


STREAMED = [
    ("reddit", read_reddit, lambda p: IngestResult.merge(list(iter_reddit(p, batch_size=1)))),
    (
        "mastodon",
        read_mastodon,
        lambda p: IngestResult.merge(list(iter_mastodon(p, batch_size=1))),
    ),
]


@pytest.mark.parametrize("case", sorted(CORPUS))
@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
@pytest.mark.parametrize(("name", "whole", "streamed"), STREAMED, ids=[s[0] for s in STREAMED])
def test_a_broken_file_streamed_fails_as_when_read_whole(
    tmp_path: Path, case, suffix, name, whole, streamed
) -> None:
    data = CORPUS[case]
    path = tmp_path / f"{case}{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    assert _outcome(streamed, path) == _outcome(whole, path)
