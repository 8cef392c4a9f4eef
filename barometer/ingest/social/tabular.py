"""Any table of posts (CSV, JSON Lines or Parquet) with a column mapping from the pipeline config.

For sources without a dedicated adapter (a forum scrape, a municipal comment box, a vendor's
export), the pipeline config names the columns::

    [[sources.social]]
    format = "tabular"
    path = "forum/*.csv"
    [sources.social.column_mapping]
    source = "forum"               # names the source and prefixes ids: forum:<id>
    id = "post_id"
    created_at = "posted"
    timezone = "Europe/Stockholm"  # for timestamps without an offset (else they are rejected)
    text = "body"
    author = "user"                # optional: raw author id, pseudonymised later
    lang = "language"              # optional: language hint (ISO 639-1)
    lat = "latitude"               # optional, WGS84 degrees
    lon = "longitude"
    engagement = "likes"           # optional
    repost = "is_share"            # optional: true/1/yes marks a repost

The format follows the file name: ``.csv`` / ``.tsv`` (optionally ``.gz``), ``.jsonl`` /
``.ndjson`` (optionally ``.gz``), ``.parquet``. ``created_at`` may be ISO 8601 text, local time
followed by a time-zone abbreviation (``2024-03-05 14:22 CET``, see
:mod:`barometer.ingest.timezones`; the source's ``timezone_abbreviations`` overrides the table), a
Parquet timestamp, or a number of seconds since 1970 (milliseconds when above 10^11).
``engagement`` text is read in the source's ``decimal_separator`` format (see
:mod:`barometer.ingest.numbers`). A coordinate pair that is not plausible (not numbers, outside
WGS84, beyond +-85.05 degrees latitude, or 0, 0) is dropped and flagged in the file's notes; the
post is kept and located by other means.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, field_validator

from barometer.exceptions import InputError
from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.files import (
    encoding_notes,
    json_lines,
    one_line,
    read_bytes,
    read_csv_text,
    read_text,
)
from barometer.ingest.numbers import DecimalSeparator
from barometer.ingest.social._common import PostCollector, as_count, in_batches, parse_epoch
from barometer.ingest.social.tabular_stream import ColumnChecks, check_columns, stream_rows
from barometer.ingest.timezones import ZoneResolver

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "ja", "t"})


class ColumnMapping(BaseModel):
    """Which column of a posts table holds which canonical field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(default="tabular", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    id: str
    created_at: str
    text: str
    timezone: str | None = None
    author: str | None = None
    lang: str | None = None
    lat: str | None = None
    lon: str | None = None
    engagement: str | None = None
    repost: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    def columns(self) -> list[str]:
        return list(self.fields().values())

    def fields(self) -> dict[str, str]:
        """Mapped field -> column, for the fields this mapping sets."""
        names = ("id", "created_at", "text", "author", "lang", "lat", "lon", "engagement", "repost")
        return {n: getattr(self, n) for n in names if getattr(self, n)}


def parse_time(
    value: object, timezone: str | None, zones: ZoneResolver | None = None
) -> tuple[pd.Timestamp | None, str]:
    """A timestamp cell to UTC; returns (timestamp, reason when None)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value
        ts = parse_epoch(seconds)
        return ts, "" if ts is not None else f"epoch value {value!r} out of range"
    if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        return parse_time(float(value), timezone, zones)
    if not isinstance(value, str | datetime) or (isinstance(value, str) and not value.strip()):
        return None, "missing timestamp"
    zone = zones.trailing_zone(value) if zones is not None and isinstance(value, str) else None
    if zones is not None and zone is not None:
        if zones.problem(zone):
            return None, zones.problem(zone) or ""
        ts = zones.parse(str(value))
        return ts, "" if ts is not None else "unreadable timestamp"
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None, f"unreadable timestamp {value!r}"
    if ts is pd.NaT:
        return None, "missing timestamp"
    if ts.tzinfo is None:
        if timezone is None:
            return None, "timestamp has no UTC offset; set column_mapping.timezone"
        try:
            ts = ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError, OverflowError):
            return None, f"local time {value!s} does not exist or is ambiguous in {timezone}"
    return ts.tz_convert("UTC"), ""


def _coordinate(value: object) -> float | None:
    """A coordinate cell as a number (``None`` when empty); text that is not a number stays
    text, so that the plausibility check flags it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value  # type: ignore[return-value]


def _cell(row: dict[str, Any], column: str | None) -> object:
    return row.get(column) if column else None


def _rows(
    path: Path, collector: PostCollector, fields: dict[str, str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, record) per record; mapped columns missing from a CSV header or
    Parquet schema raise (JSON Lines records may omit keys: those rows are quarantined)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".csv", ".tsv")):
        table = read_csv_text(path)
        check_columns(path, fields, list(table.frame.columns))
        collector.notes.extend(encoding_notes(table.encoding))
        for line, reason in table.bad_rows:
            collector.reject(line, "(row)", reason)
        yield from zip(table.lines, table.records(), strict=True)
    elif name.endswith((".jsonl", ".ndjson")):
        text, _ = read_text(path)
        for line, value, error in json_lines(text):
            if isinstance(value, dict):
                yield line, value
            else:
                collector.reject(line, "(json)", error or "line is not a JSON object")
    elif name.endswith(".parquet"):
        read_bytes(path)  # missing / empty file errors
        try:
            parquet = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path}: not a readable Parquet file: {one_line(exc)}") from exc
        check_columns(path, fields, list(parquet.column_names))
        columns = sorted(set(fields.values()))
        yield from enumerate(parquet.select(columns).to_pylist(), start=1)
    else:
        raise InputError(
            f"{path}: unsupported table format; use .csv, .tsv, .jsonl, .ndjson or .parquet"
        )


def read_tabular(
    path: Path,
    mapping: ColumnMapping,
    *,
    timezone_abbreviations: dict[str, str] | None = None,
    decimal_separator: DecimalSeparator = "auto",
) -> IngestResult:
    """Read one table of posts with ``mapping``; missing mapped columns raise one InputError.

    ``timezone_abbreviations`` and ``decimal_separator`` as for
    :func:`~barometer.ingest.social.crowdtangle.read_crowdtangle`."""
    collector = PostCollector(mapping.source, path)
    zones = ZoneResolver(timezone_abbreviations or {})
    rows = list(_rows(path, collector, mapping.fields()))
    checks = ColumnChecks(path, mapping, zones)
    for line, row in rows:
        checks.add(line, row)
    decimal = checks.decimal(decimal_separator)
    for line, row in rows:
        _take_row(collector, line, row, mapping, zones, decimal)
    return collector.result()


def iter_tabular(
    path: Path,
    mapping: ColumnMapping,
    *,
    timezone_abbreviations: dict[str, str] | None = None,
    decimal_separator: DecimalSeparator = "auto",
    batch_size: int = STREAM_BATCH,
) -> Iterator[IngestResult]:
    """:func:`read_tabular` as a stream of results of about ``batch_size`` records. A CSV or
    JSON Lines table is read twice, row by row: once for the checks on whole columns (every
    error raises before the first batch), once to hand on the posts; rows, quarantine,
    counts and notes are those of :func:`read_tabular`. A Parquet table is read twice too,
    batch by batch (:mod:`~barometer.ingest.social.parquet_stream`); one that pyarrow cannot
    open or decode, or a gzipped one, is read whole, so its error is exactly the whole read's."""
    zones = ZoneResolver(timezone_abbreviations or {})
    checks = ColumnChecks(path, mapping, zones)
    collector = PostCollector(mapping.source, path)
    streamed = stream_rows(path, mapping, checks, collector, decimal_separator)
    if streamed is None:
        yield read_tabular(
            path,
            mapping,
            timezone_abbreviations=timezone_abbreviations,
            decimal_separator=decimal_separator,
        )
        return
    rows, decimal = streamed
    yield from in_batches(collector, _steps(collector, rows, mapping, zones, decimal), batch_size)


def _steps(
    collector: PostCollector,
    rows: Iterator[tuple[int, dict[str, Any]]],
    mapping: ColumnMapping,
    zones: ZoneResolver,
    decimal: str | None,
) -> Iterator[None]:
    for line, row in rows:
        _take_row(collector, line, row, mapping, zones, decimal)
        yield None


def _take_row(
    collector: PostCollector,
    line: int,
    row: dict[str, Any],
    mapping: ColumnMapping,
    zones: ZoneResolver,
    decimal: str | None,
) -> None:
    """One record into ``collector``: a post, or quarantined with its reason."""
    raw_id = _cell(row, mapping.id)
    if raw_id is None or not str(raw_id).strip():
        collector.reject(line, mapping.id, "post has no id")
        return
    post_id = f"{mapping.source}:{str(raw_id).strip()}"
    text = _cell(row, mapping.text)
    safe = f"{mapping.id}={raw_id}; {mapping.text}={text}"
    created, reason = parse_time(_cell(row, mapping.created_at), mapping.timezone, zones)
    if created is None:
        collector.reject(line, mapping.created_at, reason, safe)
        return
    if not isinstance(text, str) or not text.strip():
        collector.reject(line, mapping.text, "post has no text", safe)
        return
    author = _cell(row, mapping.author)
    lang = _cell(row, mapping.lang)
    repost = _cell(row, mapping.repost)
    lat, lon = _coordinate(_cell(row, mapping.lat)), _coordinate(_cell(row, mapping.lon))
    lat, lon = collector.point(line, lat, lon)
    collector.add(
        {
            "post_id": post_id,
            "source": mapping.source,
            "created_at": created,
            "author_id": str(author) if author not in (None, "") else f"[unknown]:{post_id}",
            "text": text.strip(),
            "lang_hint": (lang.strip().lower() or None) if isinstance(lang, str) else None,
            "lat": lat,
            "lon": lon,
            "place_name": None,
            "engagement": as_count(_cell(row, mapping.engagement), decimal),
            "is_repost": repost is True or str(repost).strip().lower() in TRUE_WORDS,
        }
    )
