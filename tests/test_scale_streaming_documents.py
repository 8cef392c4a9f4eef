"""Streaming Parquet tables and single JSON documents (issue 13): a Parquet table of posts
(``iter_tabular``), a CrowdTangle API response, a Mastodon statuses document and a Reddit
listing, read in batches of 1, 7 or whole, give exactly the rows, quarantine, counts and notes
of the same file read whole (``pq.read_table`` / ``json.loads``, separate code); a broken file
still raises before the first batch, naming the file, with the whole read's message."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES, shared_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_formats import MAPPING
from test_scale_streaming_readers import _merged, _quarantined, _same

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.social.crowdtangle import iter_crowdtangle, read_crowdtangle
from barometer.ingest.social.json_document import document_bytes, items, lone_surrogate_escape
from barometer.ingest.social.mastodon import iter_mastodon, read_mastodon
from barometer.ingest.social.reddit import iter_reddit, read_reddit
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


def _open_files() -> set[str]:
    """The paths this process holds open (Linux ``/proc``)."""
    held = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            held.add(os.readlink(fd))
        except OSError:  # closed since it was listed
            continue
    return held


def test_parquet_handles_are_closed_when_each_pass_ends(tmp_path: Path) -> None:
    """Pass 2 holds the file while its rows are handed on and lets go when they end; pass 1's
    handle is closed before its error reaches the caller (a mapped column the table lacks,
    the error still alive here); a ``.parquet.GZ`` table is read whole as a ``.gz`` one."""
    path = _write_parquet(tmp_path / "posts.parquet", _parquet_rows(30))
    stream = iter_tabular(path, PARQUET_MAPPING, batch_size=7)
    next(stream)
    assert str(path) in _open_files()
    rest = list(stream)
    assert len(rest) == 4 and str(path) not in _open_files()
    lacking = PARQUET_MAPPING.model_copy(update={"author": "author_name"})
    with pytest.raises(InputError, match=r"author = 'author_name' names no column") as caught:
        next(iter_tabular(path, lacking, batch_size=7))
    assert caught.value.__traceback__ is not None and str(path) not in _open_files()
    shouting = tmp_path / "posts.parquet.GZ"
    shouting.write_bytes(gzip.compress(path.read_bytes()))
    with patch("barometer.ingest.social.tabular_stream.open_parquet") as opened:
        outcome = _streamed(shouting)
    assert not opened.called and outcome == _outcome(
        lambda p: read_tabular(p, PARQUET_MAPPING), shouting
    )


# -- single JSON documents: Mastodon, Reddit, CrowdTangle API ----------------------------------


def _write_json(path: Path, document: object, indent: int | None = None) -> Path:
    data = json.dumps(document, indent=indent, ensure_ascii=indent is None).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def _every_batch(path: Path, stream, whole) -> tuple[IngestResult, int]:
    """The file streamed in batches of 1, 7 and whole, each the same as read whole; returns
    the result and how many batches it came in, one record at a time."""
    expected = whole(path)
    for batch in BATCHES:
        streamed, parts = _merged(stream(path, batch_size=batch))
        _same(streamed, expected)
        if batch == 1:
            n_parts = len(parts)
    return expected, n_parts


def _statuses(n: int) -> list[object]:
    """``n`` Mastodon statuses from two servers; s3 is a boost, s4 has no text, s6 repeats
    s1 (same ``uri``), s8 is not an object."""
    statuses: list[object] = [
        {
            "id": str(100 + i),
            "uri": f"https://{'a.example' if i % 2 else 'b.example'}/users/u{i % 3}/statuses/{i}",
            "created_at": f"2024-04-0{1 + i % 5}T08:00:00.000Z",
            "content": f"<p>Hej grannar {i}<br>i Alby</p>",
            "language": "sv",
            "account": {"id": str(i % 3), "username": f"u{i % 3}", "url": "https://a.example/@u"},
            "favourites_count": i,
        }
        for i in range(n)
    ]
    boost = dict(statuses[3])  # type: ignore[arg-type]
    statuses[3] = {**boost, "content": "", "reblog": {"content": "<p>Boosted</p>"}}
    statuses[4] = {**statuses[4], "content": "<p></p>"}  # type: ignore[dict-item]
    statuses[6] = {**statuses[6], "uri": statuses[1]["uri"]}  # type: ignore[index, dict-item]
    statuses[8] = "not a status"
    return statuses


MASTODON_LAYOUTS = {
    "array": lambda s: s,
    "search": lambda s: {"accounts": [], "statuses": s, "hashtags": []},
    "context": lambda s: {"descendants": s[5:], "ancestors": s[:5]},  # ancestors read first
}


@pytest.mark.parametrize("layout", sorted(MASTODON_LAYOUTS))
@pytest.mark.parametrize(("name", "indent"), [("m.json", None), ("m.json.gz", 2)])
def test_a_mastodon_document_streams_as_read_whole(tmp_path: Path, layout, name, indent) -> None:
    document = MASTODON_LAYOUTS[layout](_statuses(20))
    path = _write_json(tmp_path / name, document, indent)
    result, n_parts = _every_batch(path, iter_mastodon, read_mastodon)
    # known answers: 20 statuses = 17 posts + s1 again + s4 without text + s8 not an object
    assert (result.n_read, len(result.rows), result.n_duplicates) == (20, 17, 1)
    assert _quarantined(result) == [(5, "content"), (9, "(status)")]
    assert result.rows["is_repost"].tolist()[3] and result.rows["text"].iloc[3] == "Boosted"
    assert result.rows["post_id"].iloc[0] == "mastodon:b.example:0"
    assert n_parts == 21  # streamed: a batch per status, then the notes


def _listing(children: list[object], after: str | None = None) -> dict[str, object]:
    return {"kind": "Listing", "data": {"after": after, "children": children, "before": None}}


def _comment(i: int, replies: object = "") -> dict[str, object]:
    data = {"id": f"c{i}", "author": f"u{i % 3}", "body": f"Tack &amp; hej {i}",
            "created_utc": 1_711_962_000 + i, "score": i, "replies": replies}  # fmt: skip
    return {"kind": "t1", "data": data}


def _thread() -> list[object]:
    """A submission page and its comments: c1 has two replies (c2, and c3 with a reply c4),
    a 'more' stub, a deleted comment c6 and c1 again."""
    post = {"kind": "t3", "data": {"id": "s1", "title": "Alby", "selftext": "[removed]",
                                   "author": "op", "created_utc": 1_711_962_000}}  # fmt: skip
    deleted = _comment(6)
    deleted["data"]["body"] = "[deleted]"  # type: ignore[index]
    replies = _listing([_comment(2), _comment(3, _listing([_comment(4)]))])
    comments = [_comment(1, replies), {"kind": "more", "data": {"children": ["x"]}}, deleted]
    comments += [_comment(5), _comment(1), "not a thing"]
    return [_listing([post]), _listing(comments)]


@pytest.mark.parametrize(("name", "indent"), [("r.json", None), ("r.json.gz", 1)])
def test_a_reddit_listing_document_streams_as_read_whole(tmp_path: Path, name, indent) -> None:
    path = _write_json(tmp_path / name, _thread(), indent)
    result, n_parts = _every_batch(path, iter_reddit, read_reddit)
    # known answers: s1, c1, c2, c3, c4, the stub, c6, c5, c1 again, the string: 9 read
    assert (result.n_read, len(result.rows), result.n_duplicates) == (9, 6, 1)
    names = ("t3_s1", "t1_c1", "t1_c2", "t1_c3", "t1_c4", "t1_c5")
    assert result.rows["post_id"].tolist() == [f"reddit:{n}" for n in names]
    assert _quarantined(result) == [(7, "body"), (10, "kind")]  # positions: the stub counts
    assert result.rows["text"].iloc[1] == "Tack & hej 1"
    assert n_parts == 7  # a batch per child with records (c1 with its replies), then notes
    one = _write_json(tmp_path / "one.json", _thread()[1], indent)
    assert len(_every_batch(one, iter_reddit, read_reddit)[0].rows) == 5


def _ct_posts(n: int) -> list[object]:
    """``n`` CrowdTangle API posts: p2 has no message, p4 no URL but a ``platformId``, p5
    repeats p1, p7 is not an object."""
    posts: list[object] = [
        {
            "platformId": f"100_{i}",
            "platform": "Facebook",
            "date": f"2024-04-0{1 + i % 5} 10:00:00",
            "message": f"Grannar i Tumba {i}",
            "postUrl": f"https://www.facebook.com/sida/posts/{i}",
            "account": {"id": 7, "platformId": f"page{i % 2}"},
            "statistics": {"actual": {"likeCount": i, "shareCount": 1}},
        }
        for i in range(n)
    ]
    posts[2] = {**posts[2], "message": ""}  # type: ignore[dict-item]
    posts[4] = {k: v for k, v in posts[4].items() if k != "postUrl"}  # type: ignore[union-attr]
    posts[5] = {**posts[5], "postUrl": posts[1]["postUrl"]}  # type: ignore[index, dict-item]
    posts[7] = 7
    return posts


def _ct_layouts(posts: list[object]) -> dict[str, object]:
    pages = [posts[:6], posts[6:], []]
    bodies = [{"status": 200, "result": {"posts": p, "pagination": {}}} for p in pages]
    good = [p for p in posts if isinstance(p, dict)]
    return {"body": bodies[0] | {"result": {"posts": posts}}, "bodies": bodies, "posts": good}


@pytest.mark.parametrize("layout", ["body", "bodies", "posts"])
@pytest.mark.parametrize(("name", "indent"), [("ct.json", None), ("ct.json.gz", 2)])
def test_a_crowdtangle_api_document_streams_as_read_whole(
    tmp_path: Path, layout, name, indent
) -> None:
    path = _write_json(tmp_path / name, _ct_layouts(_ct_posts(16))[layout], indent)
    result, n_parts = _every_batch(path, iter_crowdtangle, read_crowdtangle)
    if layout == "posts":  # p7 (not an object) left out: an array of posts only
        assert (result.n_read, len(result.rows), result.n_duplicates) == (15, 13, 1)
        assert _quarantined(result) == [(3, "message")]
    else:  # 16 posts = 13 + p5 again + p2 without text + p7 not an object
        assert (result.n_read, len(result.rows), result.n_duplicates) == (16, 13, 1)
        assert _quarantined(result) == [(3, "message"), (8, "(post)")]
    assert result.rows["post_id"].tolist()[:5] == [
        "facebook:0", "facebook:1", "facebook:3", "facebook:100_4", "facebook:6"
    ]  # fmt: skip
    assert result.rows["engagement"].iloc[1] == 2
    assert n_parts == result.n_read + 1


@pytest.mark.parametrize("name", ["ct.jsonl", "ct.jsonl.gz"])
def test_crowdtangle_api_json_lines_stream_as_read_whole(tmp_path: Path, name) -> None:
    """One body per line, as a harvester appends pages; line 3 is cut (quarantined first)."""
    posts = _ct_posts(16)
    pages = [{"status": 200, "result": {"posts": posts[i : i + 4]}} for i in range(0, 16, 4)]
    lines = [json.dumps(page) for page in pages]
    lines.insert(2, lines[2][:40])
    data = "\n".join(lines).encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result, n_parts = _every_batch(path, iter_crowdtangle, read_crowdtangle)
    # 17 read: 16 posts (13 kept, p5 again, p2 without text, p7 not an object) + line 3
    assert (result.n_read, len(result.rows), result.n_duplicates) == (17, 13, 1)
    assert _quarantined(result) == [(3, "(json)"), (1, "message"), (2, "(post)")]
    assert n_parts == 5  # a batch per page (its 4 posts), then the notes
    lines.append(json.dumps({"status": 500, "message": "Server error"}))
    data = "\n".join(lines).encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(InputError, match=r"the API answered status 500 Server error"):
        next(iter_crowdtangle(path, batch_size=1))


def test_a_failed_request_raises_before_any_batch(tmp_path: Path) -> None:
    pages = [
        {"status": 200, "result": {"posts": _ct_posts(16)[:2]}},
        {"status": 429, "message": "Too many"},
    ]
    path = _write_json(tmp_path / "ct.json", pages)
    with pytest.raises(InputError, match=r"ct.json: the API answered status 429 Too many"):
        next(iter_crowdtangle(path, batch_size=1))


DOCUMENT_READERS = {
    "mastodon": (iter_mastodon, read_mastodon, lambda: MASTODON_LAYOUTS["search"](_statuses(9))),
    "reddit": (iter_reddit, read_reddit, _thread),
    "crowdtangle": (iter_crowdtangle, read_crowdtangle, lambda: _ct_layouts(_ct_posts(9))["body"]),
}


def _document_outcome(read, path: Path) -> object:
    try:
        result = read(path)
    except InputError as exc:
        return str(exc)
    except UnicodeError as exc:  # a lone surrogate in a quarantined record's text
        return f"{type(exc).__name__}: {exc}"
    return (list(result.rows["post_id"]), result.quarantine.rows, result.n_read, result.notes)


def _variants(document: object) -> dict[str, bytes]:
    """The document broken, or in what only the whole read takes: each must give exactly the
    whole read's outcome (most are one error naming the file)."""
    text = json.dumps(document)
    cut = len(text) * 2 // 3
    return {
        "cut": text[:cut].encode(),
        "comma": (text[:cut].replace(", ", " ", 1) + text[cut:]).encode(),
        "two values": (text + " " + text).encode(),
        "nan": text.replace("2024-04-01", "2024-04-01", 1).replace("}", ', "x": NaN}', 1).encode(),
        "big integer": text.replace("}", ', "x": 123456789012345678901234567890}', 1).encode(),
        "lone surrogate": text.replace("Hej", "\\ud800Hej", 1)
        .replace("Tack", "\\udc00", 1)
        .replace("Grannar", "\\ud83dGrannar", 1)
        .encode(),
        "repeated key": text.replace("{", '{"data": 1, "statuses": [], "result": 2, ', 1).encode(),
        "dotted key": text.replace(
            "{", '{"result.posts": [1], "data.children": [2], "statuses.item": 3, ', 1
        ).encode(),
        "deep": text.replace("}", ', "x": ' + "[" * 450 + "]" * 450 + "}", 1).encode(),
        "utf16": text.encode("utf-16"),
        "bom": b"\xef\xbb\xbf" + text.encode(),
        "empty": b" \n",
    }


#: the broken documents that are one error when read whole (the others are read as JSON Lines)
FAILING = {
    "mastodon": {"cut", "comma", "two values", "empty"},
    "reddit": {"cut", "comma", "empty"},
    "crowdtangle": {"empty"},
}


@pytest.mark.parametrize("reader", sorted(DOCUMENT_READERS))
def test_a_broken_document_fails_before_any_batch_as_read_whole(tmp_path: Path, reader) -> None:
    stream, whole, document = DOCUMENT_READERS[reader]
    for case, data in _variants(document()).items():
        path = tmp_path / f"{case.replace(' ', '_')}.json"
        path.write_bytes(data)
        expected = _document_outcome(whole, path)
        streamed = _document_outcome(
            lambda p: IngestResult.merge(list(stream(p, batch_size=1))), path
        )
        assert streamed == expected, case
        if case in FAILING[reader]:
            assert isinstance(expected, str) and expected.startswith(f"{path}: "), case
        elif case in ("cut", "comma", "two values"):  # read as JSON Lines: line 1 is broken
            assert isinstance(expected, tuple) and expected[0] == [], case
            assert [(r["file"], r["line"], r["field"]) for r in expected[1]] == [
                (path.name, 1, "(json)")
            ], case


@pytest.mark.parametrize("reader", sorted(DOCUMENT_READERS))
def test_a_cut_document_stores_nothing(tmp_path: Path, reader) -> None:
    stream, _, document = DOCUMENT_READERS[reader]
    text = json.dumps(document())
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) - 5], "utf-8")
    batches = stream(path, batch_size=1)
    if reader == "crowdtangle":  # the whole read takes it for JSON Lines: line 1 is broken
        assert [(r["line"], r["field"]) for r in next(batches).quarantine.rows] == [(1, "(json)")]
        assert next(batches, None) is None
        return
    with pytest.raises(InputError, match=r"cut.json: not valid JSON at line 1, column \d+"):
        next(batches)  # the first batch: nothing was handed on before


def test_a_lone_surrogate_is_not_turned_into_a_question_mark(tmp_path: Path) -> None:
    """ijson would read ``"\\ud800"`` as ``?`` and store the post; the document is read whole
    instead, so it fails as it does when read whole (the text cannot be stored as UTF-8)."""
    statuses = _statuses(9)
    path = _write_json(tmp_path / "s.json", statuses)
    assert len(list(iter_mastodon(path, batch_size=1))) == 10  # 9 statuses, then the notes
    path.write_text(path.read_text("utf-8").replace("Hej grannar 0", "Hej \\ud800"), "utf-8")
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        read_mastodon(path)
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        list(iter_mastodon(path, batch_size=1))


@pytest.mark.parametrize(
    ("fixture", "stream", "whole"),
    [
        ("mastodon.json", iter_mastodon, read_mastodon),
        ("reddit_listing.json", iter_reddit, read_reddit),
    ],
)
def test_the_fixture_documents_stream_as_read_whole(fixture, stream, whole) -> None:
    result, n_parts = _every_batch(FIXTURES / fixture, stream, whole)
    assert n_parts > 2 and result.n_read > 2


def test_the_real_mastodon_specimen_reads_as_before(tmp_path: Path) -> None:
    """The API docs' Status example: one Status object, read whole (one record); in a
    timeline (an array, as ``GET /api/v1/timelines`` answers) with a copy of itself, streamed."""
    path = shared_data("formats", "mastodon", "status_entity_docs_example.json")
    result, n_parts = _every_batch(path, iter_mastodon, read_mastodon)
    assert (n_parts, result.n_read, len(result.rows)) == (1, 1, 1)
    assert result.rows["post_id"].iloc[0] == "mastodon:mastodon.social:103270115826048975"
    status = json.loads(path.read_text("utf-8"))
    timeline = _write_json(tmp_path / "home.json", [status, status], indent=2)
    again, n_parts = _every_batch(timeline, iter_mastodon, read_mastodon)
    assert (n_parts, again.n_read, again.n_duplicates) == (3, 2, 1)
    _same(IngestResult(again.rows, result.quarantine, n_read=1, notes=result.notes), result)


# -- any document: streamed or read whole, the outcome of the whole read -----------------------

KEYS = ["id", "uri", "content", "created_at", "statuses", "ancestors", "descendants", "item"]
KEYS += ["kind", "data", "children", "replies", "result", "posts", "status", "postUrl", "date"]
SCALARS = st.none() | st.booleans() | st.integers(-5, 2**70) | st.text(max_size=4)
SCALARS |= st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(["Listing", "t1"])
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


def _records(reader: str) -> st.SearchStrategy[list[object]]:
    planted = {"mastodon": _statuses(9), "reddit": _thread()[1]["data"]["children"],
               "crowdtangle": _ct_posts(9)}[reader]  # fmt: skip
    return st.lists(st.sampled_from(planted) | VALUES, max_size=6)


def _layout(reader: str, records: list[object], extra: dict[str, object]) -> st.SearchStrategy:
    layouts = {
        "mastodon": [records, {**extra, "statuses": records},
                     {**extra, "descendants": records, "ancestors": records[:2]}],
        "reddit": [_listing(records), [_listing(records), _listing(records[:1])], extra],
        "crowdtangle": [{"status": 200, "result": {"posts": records}},
                        [{"status": 200, **extra, "result": {"posts": records}}], records],
    }[reader]  # fmt: skip
    return st.sampled_from(layouts)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), batch=st.integers(1, 5), indent=st.sampled_from([None, 1]))
@pytest.mark.parametrize("reader", sorted(DOCUMENT_READERS))
def test_any_document_streams_as_read_whole(tmp_path: Path, reader, data, batch, indent) -> None:
    stream, whole, _ = DOCUMENT_READERS[reader]
    records = data.draw(_records(reader))
    extra = data.draw(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3))
    document = data.draw(_layout(reader, records, extra) | VALUES)
    path = _write_json(tmp_path / "any.json", document, indent)
    if data.draw(st.booleans()):  # JSON Lines: the document, then others, one a line
        others = data.draw(st.lists(_layout(reader, records, extra) | VALUES, max_size=3))
        text = "\n".join(json.dumps(d) for d in [document, *others])
        path.write_text(text + data.draw(st.sampled_from(["", "\n", "\n{cut"])), "utf-8")
    streamed = _document_outcome(
        lambda p: IngestResult.merge(list(stream(p, batch_size=batch))), path
    )
    assert streamed == _document_outcome(whole, path)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            # text, pairs, lone escapes; escaped backslashes (runs longer than a block's tail)
            [
                *("x", "é", "\\ud83d\\ude00", "\\ud800", "\\udc00", '"'),
                *("\\\\", "\\\\" * 13, "ud800", "udc00"),
            ]
        ),
        max_size=16,
    ),
    block=st.integers(1, 30),
)
def test_lone_surrogate_escapes_are_found_across_blocks(pieces, block) -> None:
    """Against json.loads: a surrogate code point left in the text is a lone escape; an
    escape after an escaped backslash counts (``\\\\\\ud800``), text after one does not
    (``\\\\ud800``), however the blocks cut the backslashes."""
    text = "".join(pieces).replace('"', "")
    truth = any("\ud800" <= c <= "\udfff" for c in json.loads(f'"{text}"'))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.json"
        path.write_text(f'["{text}"]', "utf-8")
        with patch("barometer.ingest.social.json_document.STREAM_BLOCK", block):
            assert lone_surrogate_escape(path) == truth


@pytest.mark.parametrize("block", [1, 2, 7, 64])
def test_an_escaped_backslash_before_u_is_not_an_escape(tmp_path: Path, block: int) -> None:
    """``\\\\ud800\\udc00``: a backslash, the text ``ud800``, then a lone low surrogate,
    which json.loads keeps (the read must be whole); ``\\\\\\ud800\\udc00`` is a
    backslash and a pair."""
    lone, pair = tmp_path / "lone.json", tmp_path / "pair.json"
    lone.write_text('["\\\\ud800\\udc00"]', "utf-8")
    pair.write_text('["\\\\\\ud800\\udc00"]', "utf-8")
    assert json.loads(lone.read_text("utf-8")) == ["\\ud800\udc00"]
    assert json.loads(pair.read_text("utf-8")) == ["\\\U00010000"]
    with patch("barometer.ingest.social.json_document.STREAM_BLOCK", block):
        assert lone_surrogate_escape(lone)
        assert not lone_surrogate_escape(pair)


def test_a_gzip_file_broken_in_its_first_bytes_is_one_line_error(tmp_path: Path) -> None:
    """The document's bytes are opened by the caller's ``with``: a gzip file broken in its
    header raises the one-line corrupt-file error naming the file, from the opening and from
    the records' pass, and leaves no handle open (warnings are errors)."""
    path = tmp_path / "broken.json.gz"
    path.write_bytes(b"\x1f\x8c" + gzip.compress(b'[{"a": 1}]')[2:])

    def opened() -> None:
        with document_bytes(path) as handle:
            handle.read()

    for read in (opened, lambda: list(items(path, "item", 1))):
        with pytest.raises(InputError) as caught:
            read()
        message = str(caught.value)
        assert message.startswith(f"{path}: cannot read the file (truncated or corrupt?)")
        assert "\n" not in message
