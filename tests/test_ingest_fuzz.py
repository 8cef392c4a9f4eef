"""Property tests: whatever bytes, JSON or CSV a parser is given, it either raises one clear
InputError naming the file, or returns a result whose counts reconcile. Never another exception."""

import csv
import io
import json
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_readers import CSV_READERS, JSON_READERS, READERS

from barometer.exceptions import InputError
from barometer.ingest.pldp import PldpFields
from barometer.ingest.social.crowdtangle import read_crowdtangle
from barometer.ingest.social.reddit import read_reddit
from barometer.ingest.social.telegram import read_telegram

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_names = count()

KEYS = [
    "data", "includes", "places", "id", "text", "created_at", "geo", "coordinates",
    "public_metrics", "referenced_tweets", "type", "content", "account", "reblog", "language",
    "lang", "kind", "children", "replies", "name", "created_utc", "body", "title", "selftext",
    "author", "score", "num_comments", "crosspost_parent", "messages", "date_unixtime",
    "from_id", "forwarded_from", "reactions", "count", "place_id", "full_name", "author_id",
]  # fmt: skip
TIMES = st.sampled_from(
    ["2024-03-05T14:22:01.000Z", "2024-03-05T14:22:01+01:00", "2024-03-05", "nope", ""]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | TIMES
    | st.sampled_from([1709648521, "1709648521", "t3", "t1", "more", "Listing", "message"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=25,
)
THINGS = st.fixed_dictionaries(
    {"kind": st.sampled_from(["t1", "t3", "more", "x", 3]), "data": JSON}
)
LISTING = st.fixed_dictionaries(
    {"kind": st.just("Listing"), "data": st.fixed_dictionaries({"children": st.lists(THINGS)})}
)
TELEGRAM = st.fixed_dictionaries(
    {"id": JSON, "name": JSON, "messages": st.lists(st.dictionaries(st.sampled_from(KEYS), JSON))}
)
CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
CELLS |= TIMES | st.sampled_from(["", "12", "-3", "1,234", "s1", "lib_w", "group_2", "yes"])


def _write(folder, suffix: str, data: bytes):
    path = folder / f"fuzz{next(_names)}{suffix}"
    path.write_bytes(data)
    return path


def _check(reader, path) -> None:
    try:
        result = reader(path)
    except InputError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return
    assert result.reconciles(), (result.n_read, len(result.rows), result.quarantined)
    if "post_id" in result.rows.columns:
        assert result.rows["post_id"].is_unique


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("name,suffix,reader", READERS, ids=[r[0] for r in READERS])
@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes(folder, name, suffix, reader, data) -> None:
    _check(reader, _write(folder, suffix, data))


@pytest.mark.parametrize("name,suffix,reader", JSON_READERS, ids=[r[0] for r in JSON_READERS])
@FUZZ
@given(value=JSON, lines=st.lists(JSON, max_size=4))
def test_random_json(folder, name, suffix, reader, value, lines) -> None:
    _check(reader, _write(folder, suffix, json.dumps(value).encode()))
    text = "\n".join(json.dumps(line) for line in lines) or "{}"
    _check(reader, _write(folder, suffix, text.encode()))


@FUZZ
@given(listings=st.lists(LISTING, min_size=1, max_size=3), ndjson=st.lists(THINGS, max_size=4))
def test_random_reddit_things(folder, listings, ndjson) -> None:
    _check(read_reddit, _write(folder, ".json", json.dumps(listings).encode()))
    text = "\n".join(json.dumps(thing) for thing in ndjson) or "{}"
    _check(read_reddit, _write(folder, ".ndjson", text.encode()))


@FUZZ
@given(export=TELEGRAM)
def test_random_telegram_exports(folder, export) -> None:
    _check(read_telegram, _write(folder, ".json", json.dumps(export).encode()))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


PLDP_COLUMNS = [str(v) for v in PldpFields().model_dump().values()]
COLUMN_POOL = sorted(
    {*PLDP_COLUMNS, "Date", "Hour", "InCount", "LocationName",
     "id", "time", "text", "timestamp", "sensor_id", "count", "lib_w", "sq_e",
     "URL", "Post Created", "Message", "Description", "Total Interactions", "_uuid", "site_id",
     "start", "end", "observer", "people/total", "interactions/total", "interactions/mixed",
     "interactions/conflicts", "RID", "WAVE", "IDATE", "DISTRICT", "W", "STR", "PSU", "Q1",
     "Q4", "Q8", "AGE", "SEX", "BORN", "surveyor"}
)  # fmt: skip


@pytest.mark.parametrize("name,suffix,reader", CSV_READERS, ids=[r[0] for r in CSV_READERS])
@FUZZ
@given(
    header=st.lists(st.sampled_from(COLUMN_POOL), min_size=1, max_size=40, unique=True),
    rows=st.lists(st.lists(CELLS, max_size=40), max_size=6),
)
def test_random_csv(folder, name, suffix, reader, header, rows) -> None:
    rows = [
        (row + [""] * len(header))[: len(header)] if i % 3 else row for i, row in enumerate(rows)
    ]
    _check(reader, _write(folder, suffix, _csv(header, rows)))


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), max_size=6))
def test_random_crowdtangle_rows(folder, rows) -> None:
    header = ["URL", "Post Created", "Message", "Total Interactions"]
    rows = [[f"https://www.facebook.com/p/posts/{r[0]}", *r[1:]] for r in rows]
    _check(read_crowdtangle, _write(folder, ".csv", _csv(header, rows)))
