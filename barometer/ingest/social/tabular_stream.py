"""The first pass of a table of posts streamed by
:func:`~barometer.ingest.social.tabular.iter_tabular`: the checks on whole columns (the
time-zone abbreviations of ``created_at``, the number format of ``engagement``), gathered row
by row, and the mapped columns' presence, so that every error the whole read raises is raised
before the first batch; then the records, as a second pass.

A CSV/TSV table is read with :func:`~barometer.ingest.csv_stream.open_csv`, a JSON Lines table
with :func:`~barometer.ingest.files.stream_json_lines` (lines that are not objects are
quarantined first, as when read whole), a Parquet table batch by batch
(:mod:`~barometer.ingest.social.parquet_stream`); a gzipped Parquet table, or one pyarrow
cannot open or decode, is left to the whole read (:func:`stream_rows` says ``None``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from barometer.exceptions import InputError
from barometer.ingest.csv_stream import open_csv
from barometer.ingest.files import encoding_notes, stream_json_lines
from barometer.ingest.numbers import DecimalEvidence, DecimalSeparator, resolve_decimal
from barometer.ingest.social._common import PostCollector
from barometer.ingest.social.parquet_stream import open_parquet, parquet_rows, scan_parquet
from barometer.ingest.timezones import ZoneResolver

if TYPE_CHECKING:
    from barometer.ingest.social.tabular import ColumnMapping

#: rows decoded at a time from a Parquet table when it is streamed
READ_BATCH = 65_536

#: (line or row number, record) per record of a table
Rows = Iterator[tuple[int, dict[str, Any]]]


def check_columns(path: Path, fields: dict[str, str], found: list[str]) -> None:
    """:class:`InputError` naming the mapping key of the first column the file lacks."""
    for field, column in fields.items():
        if column not in found:
            shown = [c[:40] for c in found[:25]]
            raise InputError(
                f"{path}: [sources.social.column_mapping] {field} = {column!r} names no column "
                f"of the file (missing required columns [{column!r}]); found columns {shown}"
            )


class ColumnChecks:
    """What the reader checks on whole columns, gathered row by row: the time-zone
    abbreviations of ``created_at`` (when its first value is text) and the number format of
    ``engagement``; :meth:`decimal` raises the first problem, as the whole-file read does."""

    def __init__(self, path: Path, mapping: ColumnMapping, zones: ZoneResolver) -> None:
        self.path, self.mapping, self.zones = path, mapping, zones
        self.text_times: bool | None = None  # whether the first row's time is text
        self.zone_problem: tuple[int, str] | None = None
        self.evidence = DecimalEvidence()

    def add(self, line: int, row: dict[str, Any]) -> None:
        created = row.get(self.mapping.created_at)
        if self.text_times is None:
            self.text_times = isinstance(created, str)
        if self.text_times and self.zone_problem is None:
            problem = self.zones.value_problem(str(created or ""))
            self.zone_problem = (line, problem) if problem is not None else None
        if self.mapping.engagement:
            self.evidence.add(row.get(self.mapping.engagement))

    def decimal(self, setting: DecimalSeparator) -> str | None:
        """The decimal separator of ``engagement`` (``None`` when unmapped or undecided)."""
        if self.zone_problem is not None:
            line, problem = self.zone_problem
            raise self.zones.error(self.path, line, self.mapping.created_at, problem)
        if not self.mapping.engagement:
            return None
        column = self.mapping.engagement
        return resolve_decimal(setting, self.evidence, path=self.path, column=column)


def stream_rows(
    path: Path,
    mapping: ColumnMapping,
    checks: ColumnChecks,
    collector: PostCollector,
    setting: DecimalSeparator,
) -> tuple[Rows, str | None] | None:
    """Pass 1 over the table (checks on whole columns, malformed records quarantined first),
    then (its records as pass 2, the decimal separator); ``None`` when it is read whole."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".parquet"):
        return _parquet_rows(path, mapping, checks, setting)
    if name.endswith((".csv", ".tsv")):
        stream = open_csv(path)
        for line, cells in stream.scan():
            checks.add(line, dict(zip(stream.header, cells, strict=True)))
        check_columns(path, mapping.fields(), stream.header)
        decimal = checks.decimal(setting)
        collector.notes.extend(encoding_notes(stream.encoding))
        for line, reason in stream.bad_rows:
            collector.reject(line, "(row)", reason)
        return stream.records(), decimal
    if not name.endswith((".jsonl", ".ndjson")):
        return None
    bad: list[tuple[int, str]] = []  # lines that are not objects are quarantined first
    for line, value, error in stream_json_lines(path):
        if isinstance(value, dict):
            checks.add(line, value)
        else:
            bad.append((line, error or "line is not a JSON object"))
    decimal = checks.decimal(setting)
    for line, reason in bad:
        collector.reject(line, "(json)", reason)
    return ((n, v) for n, v, _ in stream_json_lines(path) if isinstance(v, dict)), decimal


def _parquet_rows(
    path: Path, mapping: ColumnMapping, checks: ColumnChecks, setting: DecimalSeparator
) -> tuple[Rows, str | None] | None:
    """Pass 1 over a Parquet table through a handle closed when it ends; pass 2 opens the
    file again (:func:`~barometer.ingest.social.parquet_stream.parquet_rows`)."""
    if path.name.lower().endswith(".gz"):
        return None
    parquet = open_parquet(path)
    if parquet is None:
        return None
    checked = [c for c in (mapping.created_at, mapping.engagement) if c]
    with parquet:
        if not scan_parquet(parquet, checked, checks, READ_BATCH):
            return None
        check_columns(path, mapping.fields(), list(parquet.schema_arrow.names))
    decimal = checks.decimal(setting)
    columns = sorted(set(mapping.fields().values()))
    return parquet_rows(path, columns, READ_BATCH), decimal
