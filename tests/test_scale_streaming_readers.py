"""Streaming Telegram, CrowdTangle and tabular readers (issue 13): a file read in batches gives
exactly the rows, quarantine, counts and notes of the same file read whole (the readers'
whole-file paths, separate code: ``read_csv_text`` / ``json.loads``), whatever the batch size;
whole-column checks still raise before the first batch; a Telegram export cut short keeps the
messages before the cut."""

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, shared_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_bad_inputs import CORPUS
from test_ingest_formats import MAPPING

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.social.crowdtangle import iter_crowdtangle, read_crowdtangle
from barometer.ingest.social.mastodon import iter_mastodon, read_mastodon
from barometer.ingest.social.reddit import iter_reddit, read_reddit
from barometer.ingest.social.tabular import iter_tabular, read_tabular
from barometer.ingest.social.telegram import read_telegram
from barometer.ingest.social.telegram_stream import iter_telegram
from barometer.pipeline.social import SOCIAL_READERS

ALL_CHATS = ("public_channel", "public_supergroup", "private_group", "personal_chat")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as objects, missing as None: a batch whose column is all None has another dtype
    than one with text, which says nothing about the values."""
    return frame.astype(object).where(frame.notna(), None)


def _same(streamed: IngestResult, whole: IngestResult) -> None:
    pd.testing.assert_frame_equal(_plain(streamed.rows), _plain(whole.rows))
    assert streamed.quarantine.rows == whole.quarantine.rows
    assert (streamed.n_read, streamed.n_duplicates, streamed.quarantined) == (
        whole.n_read,
        whole.n_duplicates,
        whole.quarantined,
    )
    assert streamed.notes == whole.notes


def _merged(batches) -> tuple[IngestResult, list[IngestResult]]:
    parts = list(batches)
    assert all(p.reconciles() for p in parts)
    assert not any(p.notes for p in parts[:-1])  # the file's notes come with the last batch
    return IngestResult.merge(parts), parts


def _quarantined(result: IngestResult) -> list[tuple[int, str]]:
    return [(r["line"], r["field"]) for r in result.quarantine.rows]


# -- CrowdTangle CSV ---------------------------------------------------------------------------

CT_HEADER = "Page Name;Facebook Id;URL;Post Created;Message;Total Interactions"


def _crowdtangle_csv() -> list[str]:
    """Semicolons (Swedish Excel), Windows-1252: 6 posts (p3 again on line 7), a row with a
    field too few (line 4), one without URL (line 5), one with an unreadable time (line 8)."""
    rows = [
        f"Sida;100;https://www.facebook.com/sida/posts/p{i};2021-07-05 18:0{i}:00 CEST;"
        f"Grannar i Tumba {i} är glada;1.20{i}"
        for i in range(1, 7)
    ]
    rows[2] = rows[2].replace("Message", "")
    rows.insert(2, "Sida;100;https://www.facebook.com/sida/posts/px;2021-07-05;Kort")
    rows.insert(3, "Sida;100;;2021-07-05 18:00:00 CEST;Ingen länk;3")
    rows.insert(5, rows[4])
    rows.insert(6, "Sida;100;https://www.facebook.com/sida/posts/p9;i går;Hej;4")
    return [CT_HEADER, *rows]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.mark.parametrize("name", ["ct.csv", "ct.csv.gz"])
def test_a_crowdtangle_csv_in_batches_of_2_is_the_file_read_whole(tmp_path: Path, name) -> None:
    path = _write(tmp_path / name, _crowdtangle_csv(), "cp1252")
    streamed, parts = _merged(iter_crowdtangle(path, batch_size=2))
    _same(streamed, read_crowdtangle(path))
    # known answers: 10 records = 6 posts + p4 again + 3 quarantined
    assert (streamed.n_read, len(streamed.rows), streamed.n_duplicates) == (10, 6, 1)
    assert list(streamed.rows["post_id"]) == [f"facebook:p{i}" for i in range(1, 7)]
    assert list(streamed.rows["engagement"]) == [1201, 1202, 1203, 1204, 1205, 1206]
    assert _quarantined(streamed) == [(4, "(row)"), (5, "URL"), (8, "Post Created")]
    assert streamed.notes == ["decoded as cp1252 (the file is not UTF-8)"]
    assert streamed.rows["text"].iloc[0] == "Grannar i Tumba 1 är glada"
    assert len(parts) == 6  # a batch after records 2, 4, 6, 8 and 10, then the notes


def test_a_whole_column_problem_late_in_a_csv_raises_before_any_batch(tmp_path: Path) -> None:
    lines = _crowdtangle_csv()
    lines.append("Sida;100;https://www.facebook.com/sida/posts/p20;2021-07-05 18:00 IST;Hej;5")
    path = _write(tmp_path / "ct.csv", lines)
    batches = iter_crowdtangle(path, batch_size=1)
    with pytest.raises(InputError, match=r"line 12, column 'Post Created': .*'IST' is ambiguous"):
        next(batches)
    mixed = [
        *_crowdtangle_csv(),
        "Sida;100;https://www.facebook.com/p/p21;2021-07-05 18:00 CEST;Hej;12.5",
        "Sida;100;https://www.facebook.com/p/p22;2021-07-05 18:00 CEST;Hej;2,5",
    ]
    path = _write(tmp_path / "mixed.csv", mixed)
    with pytest.raises(
        InputError, match=r"mixes number formats \('12.5' has a decimal point, '2,5'"
    ):
        next(iter_crowdtangle(path, batch_size=1))


# -- tabular CSV and JSON Lines ----------------------------------------------------------------


def _tabular_rows(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "msg_id": f"f{i}",
            "posted": f"2024-03-0{1 + i % 9} 12:00",
            "user": f"u{i % 4}",
            "body": f"Möte i Fittja {i}",
            "likes": f"{i},5" if i == 3 else str(i),
        }
        for i in range(n)
    ]
    rows[2]["body"] = ""
    rows[5]["msg_id"] = "f1"
    rows[7]["posted"] = "2024-03-31 02:30"  # does not exist in Stockholm (spring forward)
    return rows


@pytest.mark.parametrize("name", ["t.csv", "t.tsv.gz", "t.jsonl", "t.jsonl.gz"])
def test_a_tabular_file_in_batches_of_3_is_the_file_read_whole(tmp_path: Path, name) -> None:
    mapping = MAPPING.model_copy(update={"lat": None, "lon": None, "lang": None, "repost": None})
    rows = _tabular_rows(10)
    if ".jsonl" in name:
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        lines.insert(4, '{"msg_id": "cut')
    else:
        sep = "\t" if ".tsv" in name else ","
        lines = [sep.join(rows[0]), *(sep.join(f'"{v}"' for v in r.values()) for r in rows)]
        lines.insert(4, '"f99"')
    path = _write(tmp_path / name, lines)
    streamed, _ = _merged(iter_tabular(path, mapping, batch_size=3))
    _same(streamed, read_tabular(path, mapping))
    # 11 records: 7 posts, f1 again, f2 without text, f7's time, the broken record on line 5
    assert (streamed.n_read, len(streamed.rows), streamed.n_duplicates) == (11, 7, 1)
    assert _quarantined(streamed)[0][0] == 5  # the broken record, quarantined first
    assert sorted(field for _, field in _quarantined(streamed)[1:]) == ["body", "posted"]
    # "3,5" shows a decimal comma: 3.5 is no count (0); the other counts are whole
    assert list(streamed.rows["engagement"]) == [0, 1, 0, 4, 6, 8, 9]


# -- Telegram ----------------------------------------------------------------------------------


def _message(i: int, **extra: object) -> dict[str, object]:
    return {
        "id": i,
        "type": "message",
        "date_unixtime": str(1_711_962_000 + 60 * i),
        "from_id": f"user{i % 3}",
        "text": ["Hej ", {"type": "bold", "text": f"Alby {i}"}],
        **extra,
    }


def _chat(chat_id: int, kind: str, messages: list[object], id_last: bool = False) -> dict:
    chat = {"name": f"chat {chat_id}", "type": kind, "id": chat_id, "messages": messages}
    if id_last:  # keys in another order than Telegram Desktop writes them
        chat = {"messages": messages, "type": kind, "name": chat["name"], "id": chat_id}
    return chat


def _telegram_chat() -> dict:
    """9 messages: 6 posts, a service message (3), one with no text (5), one that is not an
    object (7), message 2 again (9)."""
    messages: list[object] = [_message(i) for i in range(1, 9)]
    messages[2] = {"id": 3, "type": "service", "action": "pin_message"}
    messages[4] = _message(5, text="")
    messages[6] = "not a message"
    messages.append(_message(2))
    return _chat(4711, "public_supergroup", messages)


def _account() -> dict:
    return {
        "personal_information": {"id": 1, "first_name": "A"},
        "chats": {
            "list": [
                _chat(1, "personal_chat", [_message(1)]),
                _chat(2, "public_channel", [_message(i) for i in range(1, 4)], id_last=True),
                _chat(3, "private_group", [_message(1), _message(2)]),
            ]
        },
        "left_chats": {"list": [_chat(4, "public_supergroup", [_message(7)])]},
    }


@pytest.mark.parametrize("name", ["result.json", "result.json.gz"])
def test_a_telegram_chat_in_batches_of_2_is_the_export_read_whole(tmp_path: Path, name) -> None:
    path = _write(tmp_path / name, [json.dumps(_telegram_chat(), ensure_ascii=False)])
    streamed, parts = _merged(iter_telegram(path, batch_size=2))
    _same(streamed, read_telegram(path))
    assert (streamed.n_read, len(streamed.rows), streamed.n_duplicates) == (8, 5, 1)
    assert list(streamed.rows["post_id"]) == [f"telegram:4711:{i}" for i in (1, 2, 4, 6, 8)]
    assert streamed.rows["text"].iloc[0] == "Hej Alby 1"
    assert _quarantined(streamed) == [(5, "text"), (7, "(message)")]
    assert streamed.notes == ["skipped 1 service message(s) (joins, pins, ...), not posts"]
    assert len(parts) == 5


@pytest.mark.parametrize("chat_types", [None, ALL_CHATS, ("private_group",)])
def test_a_telegram_account_streamed_reads_the_chosen_chats(tmp_path: Path, chat_types) -> None:
    path = _write(tmp_path / "result.json", [json.dumps(_account())])
    options = {} if chat_types is None else {"chat_types": chat_types}
    streamed, _ = _merged(iter_telegram(path, batch_size=1, **options))
    _same(streamed, read_telegram(path, **options))
    chats = {pid.split(":")[1] for pid in streamed.rows["post_id"]}
    assert chats == {None: {"2", "4"}, ALL_CHATS: {"1", "2", "3", "4"}}.get(chat_types, {"3"})


def test_a_telegram_export_cut_short_keeps_the_messages_before_the_cut(tmp_path: Path) -> None:
    text = json.dumps(_chat(9, "public_channel", [_message(i) for i in range(1, 31)]))
    cut = text.index('{"id": 21,') + 30  # inside message 21
    path = tmp_path / "result.json"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(InputError, match=r"not valid JSON at line 1, .*\(truncated\?\)"):
        read_telegram(path)  # read whole, the file is one error: all 20 messages lost
    streamed, parts = _merged(iter_telegram(path, batch_size=7))
    assert list(streamed.rows["post_id"]) == [f"telegram:9:{i}" for i in range(1, 21)]
    assert (streamed.n_read, streamed.quarantined) == (21, 1)
    (row,) = streamed.quarantine.rows
    assert (row["line"], row["field"]) == (21, "(json)")
    assert row["reason"] == "the file ends before its JSON document does (cut short?)"
    assert streamed.notes[0].startswith("the file is cut short or broken after message 20")
    assert len(parts) == 3  # batches after 7 and 14 records, the last 7 with the notes
    broken = text.replace('{"id": 12, "type"', '{"id": 12 "type"')  # no comma: not JSON
    path.write_text(broken, encoding="utf-8")
    streamed, _ = _merged(iter_telegram(path, batch_size=7))
    assert list(streamed.rows["post_id"]) == [f"telegram:9:{i}" for i in range(1, 12)]
    (row,) = streamed.quarantine.rows
    assert (row["line"], row["field"]) == (12, "(json)")
    assert row["reason"].startswith("not valid JSON (parse error: ")
    assert "Alby" not in row["reason"] + streamed.notes[0]  # no text of the file quoted


def test_a_telegram_file_broken_before_any_message_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "x", "id": 1, "messages": [{"id": 1, "text": tru', "utf-8")
    with pytest.raises(InputError, match=r"result.json: not valid JSON at line 1, column \d+"):
        next(iter_telegram(path))
    path.write_text('{"name": "x", "messages": [{"id": 1, "text": "a", "n": NaN}]}', "utf-8")
    _same(IngestResult.merge(list(iter_telegram(path))), read_telegram(path))
    path.write_text(json.dumps(_chat(1, "public_channel", [])), "utf-16")
    _same(IngestResult.merge(list(iter_telegram(path))), read_telegram(path))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.integers(min_value=1, max_value=12))
def test_any_batch_size_gives_the_whole_read(tmp_path: Path, batch: int) -> None:
    telegram = _write(tmp_path / "chat.json", [json.dumps(_telegram_chat())])
    _same(_merged(iter_telegram(telegram, batch_size=batch))[0], read_telegram(telegram))
    account = _write(tmp_path / "account.json", [json.dumps(_account())])
    streamed = _merged(iter_telegram(account, batch_size=batch, chat_types=ALL_CHATS))[0]
    _same(streamed, read_telegram(account, chat_types=ALL_CHATS))
    ct = _write(tmp_path / "ct.csv", _crowdtangle_csv())
    _same(_merged(iter_crowdtangle(ct, batch_size=batch))[0], read_crowdtangle(ct))
    for fixture in ("telegram_result.json", "crowdtangle.csv", "instagram_crowdtangle.csv"):
        read = read_telegram if fixture.startswith("telegram") else read_crowdtangle
        stream = iter_telegram if fixture.startswith("telegram") else iter_crowdtangle
        _same(_merged(stream(FIXTURES / fixture, batch_size=batch))[0], read(FIXTURES / fixture))
    for fixture in ("posts_tabular.csv", "posts_tabular.jsonl"):
        path = FIXTURES / fixture
        streamed = _merged(iter_tabular(path, MAPPING, batch_size=batch))[0]
        _same(streamed, read_tabular(path, MAPPING))


@pytest.mark.parametrize("chat_types", [None, ALL_CHATS])
def test_the_real_telegram_specimen_streams_as_read_whole(chat_types) -> None:
    path = shared_data("formats", "telegram", "MultiChat_2C_6M.json")
    options = {} if chat_types is None else {"chat_types": chat_types}
    streamed = _merged(iter_telegram(path, batch_size=1, **options))[0]
    _same(streamed, read_telegram(path, **options))
    assert len(streamed.rows) == (0 if chat_types is None else 4)


def test_the_pipeline_streams_telegram_crowdtangle_and_tabular() -> None:
    assert SOCIAL_READERS["telegram"] is iter_telegram
    assert SOCIAL_READERS["crowdtangle"] is iter_crowdtangle
    assert SOCIAL_READERS["tabular"] is iter_tabular


# -- the bad-input corpus ----------------------------------------------------------------------


def _outcome(read: Callable[[Path], IngestResult], path: Path) -> object:
    try:
        result = read(path)
    except InputError as exc:
        return str(exc)
    return (list(result.rows["post_id"]), result.quarantine.rows, result.n_read, result.notes)


STREAMED = [
    ("telegram", ".json", read_telegram, iter_telegram),
    ("mastodon", ".json", read_mastodon, iter_mastodon),
    ("reddit", ".json", read_reddit, iter_reddit),
    ("crowdtangle", ".csv", read_crowdtangle, iter_crowdtangle),
    ("crowdtangle_api", ".json", read_crowdtangle, iter_crowdtangle),
    (
        "tabular_csv",
        ".csv",
        lambda p: read_tabular(p, MAPPING),
        lambda p, **k: iter_tabular(p, MAPPING, **k),
    ),
    (
        "tabular_jsonl",
        ".jsonl",
        lambda p: read_tabular(p, MAPPING),
        lambda p, **k: iter_tabular(p, MAPPING, **k),
    ),
    (
        "tabular_parquet",
        ".parquet",
        lambda p: read_tabular(p, MAPPING),
        lambda p, **k: iter_tabular(p, MAPPING, **k),
    ),
]


@pytest.mark.parametrize("case", sorted(CORPUS))
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    ("name", "suffix", "whole", "stream"), STREAMED, ids=[s[0] for s in STREAMED]
)
def test_a_broken_file_streamed_fails_as_when_read_whole(
    tmp_path: Path, case, gz, name, suffix, whole, stream
) -> None:
    data = CORPUS[case]
    path = tmp_path / f"{case}{suffix}{'.gz' if gz else ''}"
    path.write_bytes(gzip.compress(data) if gz else data)
    streamed = _outcome(lambda p: IngestResult.merge(list(stream(p, batch_size=1))), path)
    assert streamed == _outcome(whole, path)


PIECES = [b"a", b"1", b",", b";", b"\n", b"\r\n", b'"', b" ", b"\xc3\xa4", b"\xe4", b"\x81"]
PIECES += [b"\xe2\x82", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"https://fb.com/p/x", b"CEST"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]),
    body=st.lists(st.sampled_from(PIECES), max_size=40),
    block=st.integers(min_value=1, max_value=9),
)
def test_any_bytes_decode_split_and_fail_as_in_the_whole_file_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head: bytes, body: list[bytes], block: int
) -> None:
    """Encodings, delimiter, ragged rows and their errors, read in blocks of a few bytes (so
    that characters and lines cross block ends), are those of ``read_csv_text``."""
    monkeypatch.setattr("barometer.ingest.csv_stream.STREAM_BLOCK", block)
    path = tmp_path / "any.csv"
    path.write_bytes(head + b"URL,Post Created,Message,Total Interactions\n" + b"".join(body))
    streamed = _outcome(lambda p: IngestResult.merge(list(iter_crowdtangle(p, batch_size=2))), path)
    assert streamed == _outcome(read_crowdtangle, path)


def test_a_telegram_export_with_a_byte_order_mark_streams(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_telegram_chat()).encode())
    streamed, parts = _merged(iter_telegram(path, batch_size=2))
    assert len(parts) == 5  # streamed, not read whole as one batch
    _same(streamed, read_telegram(path))
