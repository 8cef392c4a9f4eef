"""Observation sessions recorded with the Public Life Data Protocol (PLDP 1.0, Gehl Institute).

PLDP studies count *people moving* and map *people staying* at a location during a survey. The
official data-sheet template (``PLDP_1.0 Data Sheet Template (Full)``, an .xlsx workbook) has a
``SURVEY_CONTEXT`` sheet, one row per survey (``survey_id``, ``location_id``,
``survey_time_start`` / ``survey_time_stop`` as ``yyyymmdd:hhmm``, ``survey_surveyor_name``,
...), and tally sheets ``SURVEY_MOVING`` and ``SURVEY_STAYING``: one row per data-sheet row
(``survey_id``, ``row_id``, ``row_total`` = people in the row, then wide tallies of PLDP
attributes: ``gender_*``, ``age_*``, ``mode_*``, ``posture_*``, ``activity_*``, one column per
value, each the number of the row's people with it). Its ``LOCATIONS`` sheet can serve as the
site file (``location_geometry`` places each location).

Two inputs are read:

- the **workbook**: ``SURVEY_CONTEXT`` joined to the rows of every ``SURVEY_MOVING*`` and
  ``SURVEY_STAYING*`` sheet by ``survey_id``;
- **one table** (a CSV, or a workbook without ``SURVEY_CONTEXT``: its first sheet) whose rows
  carry the context fields and the tallies, as cities publish PLDP-based counts (Seattle's
  public-life study: ``moving_time_start``, ``moving_row_total``, ``moving_male``, ...).

:class:`PldpFields` maps each field to its column; the defaults are PLDP 1.0's names, and a city's
own names go in ``[sources.observation.pldp_fields]``. Per survey:

- ``n_people`` = the sum of ``row_total`` (moving and staying);
- ``n_interactions`` = the sum of ``activity_conversing`` (people conversing, from the staying
  tallies), or missing when the input has no such column (a moving count records none);
- ``n_mixed_interactions`` = the sum of ``mixed`` and ``n_conflicts`` of ``conflict``:
  barometer extensions that PLDP does not have (people conversing across visible social groups,
  as defined in the observer guide; people in a conflict or confrontation), a number per row or
  yes/no (yes: all the row's conversing people, resp. all its people); missing when absent.

A missing count is not zero: the observation indicators leave such sessions out. The unit of the
read/accepted/quarantined counts is the survey: a survey with any bad row (a count that is not
a whole number, more people conversing than in the row, an unknown location, unreadable or
inconsistent times, no tally row at all) is quarantined whole, each bad row listed with its
reason, so its totals are never built from part of its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.columns import Header
from barometer.ingest.datetimes import parse_local, to_utc
from barometer.ingest.files import CsvTable, read_csv_text
from barometer.ingest.numbers import parse_number
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.workbooks import find_sheet, read_sheet, sheet_names

SOURCE = "observation"
KEY = "[sources.observation] pldp_fields."
COUNT_COLUMNS = ["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"]
YES = {"yes": True, "y": True, "true": True, "1": True, "ja": True,
       "no": False, "n": False, "false": False, "0": False, "nej": False, "": False}  # fmt: skip
CONTEXT_FIELDS = ("location_id", "time_start", "time_stop", "surveyor")
OPTIONAL_FIELDS = ("surveyor", "conversing", "mixed", "conflict")
#: other spellings of PLDP 1.0 names met in the wild (the template itself writes the first)
ALIASES = {"survey_surveyor_name": ("survey_surveor_name",)}


class PldpFields(BaseModel):
    """PLDP field -> the column holding it; defaults are PLDP 1.0's field names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    survey_id: str = "survey_id"
    location_id: str = "location_id"
    time_start: str = "survey_time_start"
    time_stop: str = "survey_time_stop"
    surveyor: str = "survey_surveyor_name"
    row_total: str = "row_total"
    conversing: str = "activity_conversing"
    mixed: str = "mixed"
    conflict: str = "conflict"


@dataclass
class _Survey:
    site_id: str = ""
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    observer: str = ""
    line: int = 0
    rows: int = 0
    counts: dict[str, float | None] = field(
        default_factory=lambda: dict.fromkeys(COUNT_COLUMNS, 0.0)
    )


class _Columns:
    """The columns of one table that hold the mapped fields (optional ones may be absent)."""

    def __init__(self, path: Path, table: CsvTable, fields: PldpFields, wanted: tuple[str, ...]):
        header = Header(path, list(table.frame.columns), KEY)
        self.found: dict[str, str] = {}
        for name in wanted:
            configured = getattr(fields, name)
            column = header.get(configured)
            for alias in ALIASES.get(configured, ()):
                column = column or header.get(alias)
            if column is not None:
                self.found[name] = column
            elif name not in OPTIONAL_FIELDS or name in fields.model_fields_set:
                raise InputError(
                    f"{path}: {KEY}{name} = {configured!r} names no column; {header.found()}"
                )


def _times(table: CsvTable, columns: _Columns, timezone: str, path: Path) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    for name in ("time_start", "time_stop"):
        column = columns.found[name]
        naive, aware = parse_local(table.frame[column], date_format=None, path=path, column=column)
        placed, _ = to_utc(naive, timezone)
        out[name] = aware.where(aware.notna(), placed)
    return out


def _number(text: str, what: str, limit: float | None = None) -> tuple[float | None, str]:
    value = parse_number(text, None) if text.strip() else 0.0
    if value is None or value < 0 or value != int(value):
        return None, f"{what} must be a whole number >= 0"
    if limit is not None and value > limit:
        return None, f"{what} exceeds the people in the row"
    return value, ""


def _tally(
    row: dict[str, str], columns: _Columns, anywhere: set[str]
) -> tuple[dict[str, float | None], str, str]:
    """One tally row's counts, or ({}, field, reason) when the row is bad. A count column
    missing from this table but present in another (conversing: staying, not moving) is 0."""
    found = columns.found
    total_text = row[found["row_total"]]
    if not total_text.strip():
        return {}, found["row_total"], "row_total is empty"
    people, problem = _number(total_text, "row_total")
    if people is None:
        return {}, found["row_total"], problem
    counts: dict[str, float | None] = {"n_people": people}
    talking: float | None = 0.0 if "conversing" in anywhere else None
    if "conversing" in found:
        talking, problem = _number(row[found["conversing"]], found["conversing"], people)
        if talking is None:
            return {}, found["conversing"], problem
    counts["n_interactions"] = talking
    for name, column, base in (("mixed", "n_mixed_interactions", talking),
                               ("conflict", "n_conflicts", people)):  # fmt: skip
        if name not in found:
            counts[column] = 0.0 if name in anywhere else None
            continue
        text = row[found[name]].strip()
        flag = YES.get(text.lower())
        if flag is not None and not text.isdigit():
            counts[column] = (base or 0.0) if flag else 0.0
            continue
        value, problem = _number(text, found[name], base if base is not None else people)
        if value is None:
            return {}, found[name], problem
        counts[column] = value
    return counts, "", ""


def _add(survey: _Survey, counts: dict[str, float | None]) -> None:
    survey.rows += 1
    for column in COUNT_COLUMNS:
        current, extra = survey.counts[column], counts.get(column)
        survey.counts[column] = None if current is None or extra is None else current + extra


def _tables(path: Path) -> tuple[CsvTable | None, list[CsvTable]]:
    """(the SURVEY_CONTEXT sheet or None, the tally tables)."""
    if path.suffix.lower() != ".xlsx":
        return None, [read_csv_text(path)]
    names = sheet_names(path)
    context = find_sheet(names, "SURVEY_CONTEXT")
    if context is None:
        return None, [read_sheet(path, names[0])]
    tallies = [
        n for n in names if n.strip().upper().startswith(("SURVEY_MOVING", "SURVEY_STAYING"))
    ]
    if not tallies:
        raise InputError(f"{path}: a SURVEY_CONTEXT sheet but no SURVEY_MOVING or SURVEY_STAYING")
    return read_sheet(path, context), [read_sheet(path, n) for n in tallies]


class _Reader:
    """The state of one PLDP read: surveys seen so far, the bad ones, the quarantine."""

    def __init__(self, path: Path, sites: pd.DataFrame, timezone: str, fields: PldpFields):
        self.path, self.timezone, self.fields = path, timezone, fields
        self.known = set(sites["site_id"].astype(str))
        self.quarantine = Quarantine(source=SOURCE)
        self.surveys: dict[str, _Survey] = {}
        self.bad: set[str] = set()

    def reject(self, survey: str, line: int, field_name: str, reason: str, raw: str = "") -> None:
        """Quarantine one row and mark its whole survey bad."""
        self.bad.add(survey)
        self.quarantine.reject(self.path.name, line, field_name, reason, raw)

    def place(self, survey: str, line: int, row: dict[str, str], columns: _Columns,
              times: dict[str, pd.Series], index: int) -> None:  # fmt: skip
        """Set the survey's site and times from one row, or reject the row when they are bad
        or differ from the survey's earlier rows."""
        found = columns.found
        site = row[found["location_id"]].strip()
        start, end = times["time_start"].iloc[index], times["time_stop"].iloc[index]
        if pd.isna(start):
            return self.reject(
                survey, line, found["time_start"], "missing or unreadable start time"
            )
        if pd.isna(end):
            return self.reject(survey, line, found["time_stop"], "missing or unreadable stop time")
        if end <= start:
            return self.reject(survey, line, found["time_stop"],
                               "survey does not stop after it starts")  # fmt: skip
        if site not in self.known:
            return self.reject(survey, line, found["location_id"], "unknown location (not in the "
                               "site file)", f"{found['location_id']}={site}")  # fmt: skip
        entry = self.surveys[survey]
        if entry.start is not None and (entry.site_id, entry.start, entry.end) != (
            site,
            start,
            end,
        ):
            differ = "location or times differ from earlier rows of the survey"
            return self.reject(survey, line, found.get("survey_id", ""), differ)
        entry.site_id, entry.start, entry.end = site, start, end
        if "surveyor" in found:
            entry.observer = row[found["surveyor"]].strip()
        return None

    def read_context(self, context: CsvTable) -> None:
        """One survey per SURVEY_CONTEXT row: its id, site, times and surveyor."""
        columns = _Columns(self.path, context, self.fields, ("survey_id", *CONTEXT_FIELDS))
        times = _times(context, columns, self.timezone, self.path)
        for index, (line, row) in enumerate(zip(context.lines, context.records(), strict=True)):
            survey = row[columns.found["survey_id"]].strip()
            if not survey:
                self.quarantine.reject(self.path.name, line, columns.found["survey_id"],
                                       "no survey_id")  # fmt: skip
                self.surveys[f"(line {line})"] = _Survey()
                self.bad.add(f"(line {line})")
                continue
            if survey in self.surveys:
                self.reject(survey, line, columns.found["survey_id"], "survey_id appears twice")
                continue
            self.surveys[survey] = _Survey(line=line)
            self.place(survey, line, row, columns, times, index)

    def read_tallies(self, tallies: list[CsvTable], in_row: bool) -> None:
        """Add every tally row to its survey (``in_row``: the rows carry the context too)."""
        wanted: tuple[str, ...] = ("survey_id", "row_total", "conversing", "mixed", "conflict")
        wanted += CONTEXT_FIELDS if in_row else ()
        # a CSV is checked even without good rows (its bad rows are records); an empty sheet is not
        tables = [
            (t, _Columns(self.path, t, self.fields, wanted))
            for t in tallies
            if in_row or not t.frame.empty or t.bad_rows
        ]
        anywhere = {name for _, columns in tables for name in columns.found}
        for table, columns in tables:
            times = _times(table, columns, self.timezone, self.path) if in_row else {}
            for line, reason in table.bad_rows:
                self.surveys.setdefault(f"(line {line})", _Survey())
                self.reject(f"(line {line})", line, "(row)", reason)
            for index, (line, row) in enumerate(zip(table.lines, table.records(), strict=True)):
                self.tally_row(line, row, columns, anywhere, (in_row, times, index))

    def tally_row(self, line: int, row: dict[str, str], columns: _Columns, anywhere: set[str],
                  where: tuple[bool, dict[str, pd.Series], int]) -> None:  # fmt: skip
        """One tally row: find (or, in a one-table input, start) its survey and add its counts."""
        in_row, times, index = where
        survey = row[columns.found["survey_id"]].strip()
        if not survey:
            self.surveys.setdefault(f"(line {line})", _Survey())
            self.reject(f"(line {line})", line, columns.found["survey_id"], "row has no survey_id")
            return
        if survey not in self.surveys:
            self.surveys[survey] = _Survey(line=line)
            if not in_row:
                self.reject(survey, line, columns.found["survey_id"],
                            "survey not in SURVEY_CONTEXT")  # fmt: skip
                return
        if in_row:
            self.place(survey, line, row, columns, times, index)
        counts, field_name, reason = _tally(row, columns, anywhere)
        if not counts:
            self.reject(survey, line, field_name, reason, f"{field_name}={row.get(field_name, '')}")
            return
        _add(self.surveys[survey], counts)

    def result(self) -> IngestResult:
        """The good surveys as ``observations`` rows; a survey without tally rows is rejected."""
        for survey, entry in self.surveys.items():
            if survey not in self.bad and entry.rows == 0:
                self.reject(survey, entry.line, self.fields.survey_id, "survey has no tally rows")
        kept = [
            {"observation_id": f"pldp:{survey}", "site_id": entry.site_id, "start": entry.start,
             "end": entry.end, "observer": entry.observer, **entry.counts}
            for survey, entry in self.surveys.items() if survey not in self.bad
        ]  # fmt: skip
        out = pd.DataFrame(kept, columns=["observation_id", "site_id", "start", "end", "observer",
                                          *COUNT_COLUMNS])  # fmt: skip
        for column in COUNT_COLUMNS:
            out[column] = out[column].astype("float64").astype("Int64")
        out["start"] = pd.to_datetime(out["start"], utc=True)
        out["end"] = pd.to_datetime(out["end"], utc=True)
        out["neighbourhood_id"] = None
        return IngestResult(out, self.quarantine, n_read=len(self.surveys),
                            n_quarantined=len(self.bad))  # fmt: skip


def read_pldp_sessions(
    path: Path,
    sites: pd.DataFrame,
    *,
    timezone: str = "Europe/Stockholm",
    fields: PldpFields | None = None,
) -> IngestResult:
    """Read a PLDP workbook or table into canonical ``observations`` rows (one per survey)."""
    context, tallies = _tables(path)
    reader = _Reader(path, sites, timezone, fields or PldpFields())
    if context is not None:
        reader.read_context(context)
    reader.read_tallies(tallies, in_row=context is None)
    return reader.result()
