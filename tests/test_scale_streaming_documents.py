"""Streaming Parquet tables and single JSON documents (issue 13): a Parquet table of posts
(``iter_tabular``), a CrowdTangle API response, a Mastodon statuses document and a Reddit
listing, read in batches of 1, 7 or whole, give exactly the rows, quarantine, counts and notes
of the same file read whole (``pq.read_table`` / ``json.loads``, separate code); a broken file
still raises before the first batch, naming the file, with the whole read's message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_ingest_formats import MAPPING
from test_scale_streaming_readers import _merged, _quarantined, _same

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.social.tabular import iter_tabular, read_tabular

BATCHES = [1, 7, 100_000]  # one record at a time, a few, the whole file

# -- Parquet -----------------------------------------------------------------------------------

PARQUET_MAPPING = MAPPING.model_copy(update={"lat": None, "lon": None, "repost": None})


def _parquet_rows(n: int) -> dict[str, list[object]]:
    """``n`` posts (``f0`` ..) in Stockholm local time; f2 has no text, f5 repeats f1's id,
    f7's time does not exist (the spring-forward gap) and f3's count ``3,5`` shows a decimal
    comma."""
    columns: dict[str, list[object]] = {
        "msg_id": [f"f{i}" for i in range(n)],
        "posted": [f"2024-03-0{1 + i % 9} 12:00" for i in range(n)],
        "user": [f"u{i % 4}" for i in range(n)],
        "body": [f"Möte i Fittja {i}" for i in range(n)],
        "language": ["sv" if i % 2 else "en" for i in range(n)],
        "likes": [f"{i},5" if i == 3 else str(i) for i in range(n)],
        "unused": [b"x" * 10] * n,
    }
    columns["body"][2] = ""
    columns["msg_id"][5] = "f1"
    columns["posted"][7] = "2024-03-31 02:30"
    return columns


def _write_parquet(path: Path, columns: dict[str, list[object]], group: int = 4) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=group, compression="zstd")
    return path


@pytest.mark.parametrize("batch", BATCHES)
def test_a_parquet_table_in_batches_is_the_table_read_whole(tmp_path: Path, batch) -> None:
    path = _write_parquet(tmp_path / "posts.parquet", _parquet_rows(30))
    streamed, parts = _merged(iter_tabular(path, PARQUET_MAPPING, batch_size=batch))
    _same(streamed, read_tabular(path, PARQUET_MAPPING))
    # known answers: 30 rows = 27 posts + f1 again + f2 without text + f7 in the gap
    assert (streamed.n_read, len(streamed.rows), streamed.n_duplicates) == (30, 27, 1)
    assert _quarantined(streamed) == [(3, "body"), (8, "posted")]
    assert streamed.rows["engagement"].tolist()[:4] == [0, 1, 0, 4]  # 3,5 is no count
    first = streamed.rows.iloc[0]
    assert first["created_at"] == pd.Timestamp("2024-03-01 11:00", tz="UTC")
    assert (first["post_id"], first["lang_hint"]) == ("forum:f0", "en")
    assert len(parts) == (31 if batch == 1 else 5 if batch == 7 else 1)


def test_parquet_timestamps_stream_as_read_whole(tmp_path: Path) -> None:
    mapping = PARQUET_MAPPING.model_copy(update={"timezone": None, "engagement": None})
    when = pd.date_range("2024-03-05 15:00", periods=9, freq="h", tz="Europe/Stockholm")
    columns: dict[str, list[object]] = {
        "msg_id": [f"p{i}" for i in range(9)],
        "posted": list(when),
        "user": ["u1", None] * 4 + ["u2"],
        "body": ["Parquet post", None, *[f"text {i}" for i in range(7)]],
        "language": [None] * 9,
    }
    path = _write_parquet(tmp_path / "times.parquet", columns, group=2)
    whole = read_tabular(path, mapping)
    for batch in BATCHES:
        _same(_merged(iter_tabular(path, mapping, batch_size=batch))[0], whole)
    assert whole.rows["created_at"].iloc[0] == pd.Timestamp("2024-03-05 14:00", tz="UTC")
    assert _quarantined(whole) == [(2, "body")]


def test_a_whole_column_problem_late_in_a_parquet_table_raises_before_any_batch(
    tmp_path: Path,
) -> None:
    columns = _parquet_rows(20)
    columns["posted"][19] = "2024-03-05 12:00 IST"
    path = _write_parquet(tmp_path / "zones.parquet", columns)
    with pytest.raises(InputError, match=r"line 20, column 'posted': .*'IST' is ambiguous"):
        next(iter_tabular(path, PARQUET_MAPPING, batch_size=1))
    columns = _parquet_rows(20)
    columns["likes"][0], columns["likes"][19] = "12.5", "2,5"
    path = _write_parquet(tmp_path / "counts.parquet", columns)
    with pytest.raises(InputError, match=r"mixes number formats"):
        next(iter_tabular(path, PARQUET_MAPPING, batch_size=1))
    lacking = PARQUET_MAPPING.model_copy(update={"author": "author_name"})
    with pytest.raises(InputError, match=r"author = 'author_name' names no column"):
        next(iter_tabular(path, lacking, batch_size=1))


def _outcome(read, path: Path) -> object:
    try:
        result = read(path)
    except InputError as exc:
        return str(exc)
    return (list(result.rows["post_id"]), result.quarantine.rows, result.n_read, result.notes)


def _streamed(path: Path) -> object:
    return _outcome(
        lambda p: IngestResult.merge(list(iter_tabular(p, PARQUET_MAPPING, batch_size=1))), path
    )


def test_a_broken_parquet_table_fails_before_any_batch_as_read_whole(tmp_path: Path) -> None:
    path = _write_parquet(tmp_path / "posts.parquet", _parquet_rows(400), group=40)
    data = path.read_bytes()
    cases = {
        "cut.parquet": data[: len(data) // 2],  # the footer is gone
        "tail.parquet": data[:-9],
        "text.parquet": b"msg_id,posted\n1,2\n",
        "blank.parquet": b"  \n",
    }
    # a corrupt page in a middle row group: zstd refuses it when that group is decoded
    middle = pq.ParquetFile(path).metadata.row_group(5).column(3)
    start = middle.data_page_offset + 20
    cases["page.parquet"] = data[:start] + bytes(40) + data[start + 40 :]
    for name, content in cases.items():
        broken = tmp_path / name
        broken.write_bytes(content)
        outcome = _streamed(broken)
        assert outcome == _outcome(lambda p: read_tabular(p, PARQUET_MAPPING), broken)
        assert isinstance(outcome, str) and outcome.startswith(str(broken)), name
    assert "not a readable Parquet file" in _streamed(tmp_path / "page.parquet")  # type: ignore[operator]
    assert (
        _streamed(tmp_path / "blank.parquet") == f"{tmp_path / 'blank.parquet'}: the file is empty"
    )
    assert _streamed(tmp_path / "none.parquet") == f"{tmp_path / 'none.parquet'}: file not found"
