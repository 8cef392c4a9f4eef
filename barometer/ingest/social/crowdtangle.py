"""Facebook / Instagram public content in CrowdTangle's layouts: the dashboard's CSV export and
the API's JSON (``/posts``, ``/posts/search``, ``/post/:id``).

**CSV** (CrowdTangle, and tools that copy its layout, e.g. Meta Content Library exports
re-shaped for CrowdTangle users), one row per post:

============================  =========================================================
column                        becomes
============================  =========================================================
``URL``                       the post id: its last path segment, ``facebook:<segment>``
                              or ``instagram:<shortcode>`` (required)
``Post Created``              ``created_at``: local time with a time-zone abbreviation
                              (``2021-07-05 18:02:45 BRT``, resolved through
                              :mod:`barometer.ingest.timezones` and the source's
                              ``timezone_abbreviations``) or with a numeric offset (required)
``Message`` (Facebook) /      ``text`` (Facebook's ``Description`` is the description of
``Description`` (Instagram)   a shared link, not the post, and is not used)
``Facebook Id`` / ``User      ``author_id`` (the page or account; pseudonymised later);
Name`` / ``Page Name`` /      ``Page Name`` / ``Account`` are display names and are only
``Account``                   used when no id is present
``Total Interactions``        ``engagement``, in the export's number format (``1,204``;
                              ``407.137`` in a pt-BR export is 407,137: see
                              :mod:`barometer.ingest.numbers` and ``decimal_separator``)
``Language`` (if present)     ``lang_hint``
============================  =========================================================

**API JSON**: a response body ``{"status": 200, "result": {"posts": [...]}}``, an array of such
bodies or of posts, or JSON Lines with one body per line. From each post: ``postUrl`` (the post
id, as for the CSV, so a post exported both ways is one post; ``platformId`` when there is no
URL), ``platform``, ``date`` (``yyyy-mm-dd hh:mm:ss``, UTC by the API's definition),
``message`` (Facebook) or ``description`` (Instagram; ``message`` when empty), ``account``
(``platformId``, else ``id``, else ``handle``), the sum of ``statistics.actual`` counts
(``engagement``) and ``languageCode``.

The platform is Instagram when the URL is an instagram.com address (or ``platform`` says so),
Facebook otherwise. CrowdTangle does not mark a share of another page's post, so ``is_repost``
stays false; exact re-exports of a post are recognised by its id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.csv_stream import CsvStream, column_index, open_csv, read_head
from barometer.ingest.files import encoding_notes, read_csv_text
from barometer.ingest.numbers import DecimalEvidence, DecimalSeparator, resolve_decimal
from barometer.ingest.social._common import PostCollector, as_count, in_batches
from barometer.ingest.social.crowdtangle_api import SOURCE, iter_api_json, post_id_of, read_api_json
from barometer.ingest.timezones import ZoneResolver

COUNT_COLUMN = "Total Interactions"
REQUIRED = ("URL", "Post Created")


def _first(row: dict[str, str], columns: tuple[str, ...]) -> str:
    for column in columns:
        value = row.get(column, "").strip()
        if value:
            return value
    return ""


def _looks_like_json(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".json", ".jsonl", ".ndjson")):
        return True
    head = read_head(path, 64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def read_crowdtangle(
    path: Path,
    *,
    timezone_abbreviations: dict[str, str] | None = None,
    decimal_separator: DecimalSeparator = "auto",
) -> IngestResult:
    """Read one CrowdTangle CSV export or API JSON file of Facebook or Instagram posts.

    ``timezone_abbreviations`` overrides the abbreviation table (``{"IST": "+05:30"}``);
    ``decimal_separator`` is the CSV's number format (``"auto"``: detected where unambiguous).
    """
    if _looks_like_json(path):
        return read_api_json(path)
    table = read_csv_text(path, required=list(REQUIRED))
    _check_text_columns(path, list(table.frame.columns))
    zones = ZoneResolver(timezone_abbreviations or {})
    zones.check(path, "Post Created", table.frame["Post Created"], table.lines)
    columns = set(table.frame.columns)
    counts = table.frame[COUNT_COLUMN] if COUNT_COLUMN in columns else pd.Series(dtype=object)
    decimal = resolve_decimal(decimal_separator, counts, path=path, column=COUNT_COLUMN)
    collector = PostCollector(SOURCE, path)
    collector.notes.extend(encoding_notes(table.encoding))
    for line, reason in table.bad_rows:
        collector.reject(line, "(row)", reason)
    for line, row in zip(table.lines, table.records(), strict=True):
        _take_row(collector, line, row, zones, decimal)
    return collector.result()


def iter_crowdtangle(
    path: Path,
    *,
    timezone_abbreviations: dict[str, str] | None = None,
    decimal_separator: DecimalSeparator = "auto",
    batch_size: int = STREAM_BATCH,
) -> Iterator[IngestResult]:
    """:func:`read_crowdtangle` as a stream of results of about ``batch_size`` records: a CSV
    export is read twice, row by row (:mod:`barometer.ingest.csv_stream`): once to check what
    the whole-file read checks on whole columns (time-zone abbreviations, number format;
    every error raises before the first batch), once to hand on the posts. Rows, quarantine,
    counts and notes are those of :func:`read_crowdtangle`. API JSON is streamed post by post
    where its layout allows (:mod:`~barometer.ingest.social.crowdtangle_api`)."""
    if _looks_like_json(path):
        yield from iter_api_json(path, batch_size=batch_size)
        return
    stream = open_csv(path)
    zones = ZoneResolver(timezone_abbreviations or {})
    created, count = column_index(stream, "Post Created"), column_index(stream, COUNT_COLUMN)
    zone_problem: tuple[int, str] | None = None
    evidence = DecimalEvidence()
    for line, cells in stream.scan(required=list(REQUIRED)):
        if zone_problem is None and created is not None:
            problem = zones.value_problem(cells[created])
            zone_problem = (line, problem) if problem is not None else None
        if count is not None:
            evidence.add(cells[count])
    _check_text_columns(path, stream.header)
    if zone_problem is not None:
        raise zones.error(path, zone_problem[0], "Post Created", zone_problem[1])
    decimal = resolve_decimal(decimal_separator, evidence, path=path, column=COUNT_COLUMN)
    collector = PostCollector(SOURCE, path)
    collector.notes.extend(encoding_notes(stream.encoding))
    for line, reason in stream.bad_rows:
        collector.reject(line, "(row)", reason)
    yield from in_batches(collector, _steps(collector, stream, zones, decimal), batch_size)


def _steps(
    collector: PostCollector, stream: CsvStream, zones: ZoneResolver, decimal: str | None
) -> Iterator[None]:
    for line, row in stream.records():
        _take_row(collector, line, row, zones, decimal)
        yield None


def _check_text_columns(path: Path, header: list[str]) -> None:
    if not set(header) & {"Message", "Description"}:
        raise InputError(f"{path}: neither a 'Message' nor a 'Description' column: no post text")


def _take_row(
    collector: PostCollector,
    line: int,
    row: dict[str, str],
    zones: ZoneResolver,
    decimal: str | None,
) -> None:
    """One CSV record into ``collector``: a post, or quarantined with its reason."""
    safe = json.dumps(
        {"Post Created": row.get("Post Created"), "Message": row.get("Message")},
        ensure_ascii=False,
    )
    post_id = post_id_of(row["URL"])
    if not post_id:
        collector.reject(line, "URL", "no post URL to identify the post")
        return
    created = zones.parse(row["Post Created"])
    if created is None:
        collector.reject(line, "Post Created", "unreadable time or no time zone", safe)
        return
    instagram = post_id.startswith("instagram:")
    text_columns = ("Description",) if instagram else ("Message",)
    text = _first(row, text_columns)
    if not text:
        collector.reject(line, text_columns[0], "post has no text", safe)
        return
    author = _first(row, ("Facebook Id", "User Name", "Page Name", "Account"))
    collector.add(
        {
            "post_id": post_id,
            "source": post_id.split(":")[0],
            "created_at": created,
            "author_id": author or f"[unknown]:{post_id}",
            "text": text,
            "lang_hint": row.get("Language", "").strip() or None,
            "lat": None,
            "lon": None,
            "place_name": None,
            "engagement": as_count(row.get(COUNT_COLUMN), decimal),
            "is_repost": False,
        }
    )
