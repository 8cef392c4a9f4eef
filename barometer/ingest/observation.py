"""Micro-level observation of public spaces, from KoboToolbox / ODK forms: the CSV export or the
API's JSON (``/api/v2/assets/<uid>/data.json``: ``{"count", "next", "results": [...]}``; also
a plain array of submissions).

Each team builds its own form, so :class:`KoboFields` maps every canonical ``observations``
field to the form field holding it (``[sources.observation.fields]`` in the pipeline config;
the defaults are the barometer's observer form). Form fields are named by their group path
(``people/total``); a field is found in the file by, in order: its exact name; a column whose
path ends with it (``obs/people/total`` when the form nests one more group); a column whose last
path segment is its last segment (``v2/people/total``, or ``total`` in an export without group
names, or with ``.`` as group separator). Two matches at the same step are ambiguous. In the
JSON, where each submission carries its own fields (form versions differ), this is done per
submission. A count field that is a repeat group counts its entries.

Times: ``start`` and ``end`` carry their UTC offset in Kobo's exports (``-00:00`` included);
naive times are local times in the source's ``timezone``, except ``_submission_time``, which
Kobo writes in UTC. Site metadata (see :func:`barometer.ingest.sites.read_site_table`) places
each site in a neighbourhood.

A session is quarantined, with the field and reason, when a count is missing, not a whole number
or negative, when mixed interactions exceed all interactions, when its end is not after its
start, or when its site is unknown. Errors and quarantine rows name form fields, never the
content of other fields (observer names, notes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.columns import Header
from barometer.ingest.datetimes import in_utc, timestamp_or_none
from barometer.ingest.files import encoding_notes, load_json, read_bytes, read_csv_text
from barometer.ingest.numbers import parse_number
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.sites import read_site_table

SOURCE = "observation"
KEY = "[sources.observation] fields."
COUNT_COLUMNS = ["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"]
SESSION_COLUMNS = ["observation_id", "site_id", "start", "end", "observer", *COUNT_COLUMNS]
UTC_FIELDS = ("_submission_time",)


class KoboFields(BaseModel):
    """Canonical observation field -> the form field (group path) that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    observation_id: str = "_uuid"
    site_id: str = "site_id"
    start: str = "start"
    end: str = "end"
    observer: str | None = "observer"
    n_people: str = "people/total"
    n_interactions: str = "interactions/total"
    n_mixed_interactions: str = "interactions/mixed"
    n_conflicts: str = "interactions/conflicts"

    def mapped(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


def read_sites(path: Path) -> pd.DataFrame:
    """Read observation site metadata; raises :class:`InputError` naming file, row and field."""
    return read_site_table(path, "site_id")


def _segments(name: str) -> list[str]:
    return [s for s in re.split(r"[/.]", name) if s]


def resolve_field(name: str, keys: list[str]) -> tuple[str | None, list[str]]:
    """(the key holding form field ``name``, or None; the ambiguous candidates if any)."""
    if name in keys:
        return name, []
    wanted = _segments(name)
    for test in (
        lambda parts: parts[-len(wanted) :] == wanted,
        lambda parts: parts[-1:] == wanted[-1:],
    ):
        found = [k for k in keys if len(_segments(k)) >= 1 and test(_segments(k))]
        if len(found) == 1:
            return found[0], []
        if found:
            return None, found
    return None, []


def _time(value: object, timezone: str, field: str) -> pd.Timestamp | None:
    ts = timestamp_or_none(value)
    if ts is None:
        return None
    return in_utc(ts, "UTC" if field.rsplit("/", 1)[-1] in UTC_FIELDS else timezone)


def _count(value: object) -> float:
    if isinstance(value, list):
        return float(len(value))  # a repeat group: its entries
    number = parse_number(value, ".")
    return np.nan if number is None else number


def _check(
    row: dict[str, Any], known_sites: set[str], fields: dict[str, str]
) -> tuple[str, str] | None:
    """Return (form field, reason) for the first problem of a session, or None."""
    if not row["observation_id"]:
        return fields["observation_id"], "session has no id"
    if row["site_id"] not in known_sites:
        return fields["site_id"], "unknown site (not in the site file)"
    for column in COUNT_COLUMNS:
        value = row[column]
        if not isinstance(value, float) or np.isnan(value):
            return fields[column], "missing or not a number"
        if value < 0 or value != int(value):
            return fields[column], f"count must be a whole number >= 0, found {value:g}"
    if row["n_mixed_interactions"] > row["n_interactions"]:
        return fields["n_mixed_interactions"], "more mixed interactions than interactions"
    if row["start"] is None:
        return fields["start"], "missing or unreadable start time"
    if row["end"] is None:
        return fields["end"], "missing or unreadable end time"
    if row["end"] <= row["start"]:
        return fields["end"], "session ends before it starts"
    return None


def _session(
    record: dict[str, Any], keys: dict[str, str | None], timezone: str
) -> dict[str, object]:
    def get(field: str) -> object:
        key = keys.get(field)
        return record.get(key) if key else None

    raw_id = get("observation_id")
    raw_id = str(raw_id).strip() if raw_id not in (None, "") else ""
    row: dict[str, object] = {
        "observation_id": f"kobo:{raw_id}" if raw_id else "",
        "site_id": str(get("site_id") or "").strip(),
        "start": _time(get("start"), timezone, keys.get("start") or ""),
        "end": _time(get("end"), timezone, keys.get("end") or ""),
        "observer": str(get("observer") or "").strip(),
    }
    for column in COUNT_COLUMNS:
        row[column] = _count(get(column))
    return row


def _csv_records(
    path: Path, fields: dict[str, str], quarantine: Quarantine, notes: list[str]
) -> Iterator[tuple[int, dict[str, Any], dict[str, str | None]]]:
    table = read_csv_text(path)
    notes.extend(encoding_notes(table.encoding))
    header = Header(path, list(table.frame.columns), KEY, names_only=True)
    keys: dict[str, str | None] = {}
    for field, name in fields.items():
        key, ambiguous = resolve_field(name, list(table.frame.columns))
        if ambiguous:
            raise InputError(
                f"{path}: {KEY}{field} = {name!r} matches several columns {ambiguous[:5]}; "
                "give the full group path"
            )
        if key is None:
            raise InputError(f"{path}: {KEY}{field} = {name!r} names no column; {header.found()}")
        keys[field] = key
    for line, reason in table.bad_rows:
        quarantine.reject(path.name, line, "(row)", reason)
    for line, record in zip(table.lines, table.records(), strict=True):
        yield line, record, keys


def _json_records(
    path: Path, fields: dict[str, str], quarantine: Quarantine
) -> Iterator[tuple[int, dict[str, Any], dict[str, str | None]]]:
    document = load_json(path)
    if isinstance(document, dict):
        found = next((document[k] for k in ("results", "submissions") if k in document), None)
        submissions = found if isinstance(found, list) else None
    else:
        submissions = document if isinstance(document, list) else None
    if submissions is None:
        raise InputError(
            f"{path}: expected KoboToolbox submissions: the API's data.json "
            '({"count": ..., "results": [...]}) or a JSON array of submissions'
        )
    for position, record in enumerate(submissions, start=1):
        if not isinstance(record, dict):
            quarantine.reject(path.name, position, "(submission)", "submission is not an object")
            continue
        keys: dict[str, str | None] = {}
        for field, name in fields.items():
            keys[field], _ambiguous = resolve_field(name, [str(k) for k in record])
        yield position, record, keys


def _is_json(path: Path) -> bool:
    if path.name.lower().removesuffix(".gz").endswith(".json"):
        return True
    return read_bytes(path)[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def read_kobo_sessions(
    path: Path,
    sites: pd.DataFrame,
    *,
    fields: KoboFields | None = None,
    timezone: str = "Europe/Stockholm",
) -> IngestResult:
    """Read a Kobo/ODK CSV export or API JSON of observation sessions (see the module doc).

    Rows carry the raw ``observer`` name (pseudonymised by the enrich step) and an empty
    ``neighbourhood_id`` (filled from the site by the pipeline).
    """
    mapping = (fields or KoboFields()).mapped()
    quarantine = Quarantine(source=SOURCE)
    notes: list[str] = []
    if _is_json(path):
        records = _json_records(path, mapping, quarantine)
    else:
        records = _csv_records(path, mapping, quarantine, notes)
    known = set(sites["site_id"].astype(str))
    kept: list[dict[str, object]] = []
    seen: set[str] = set()
    duplicates = 0
    n_records = 0
    for line, record, keys in records:
        n_records += 1
        missing = next((f for f in mapping if keys.get(f) is None and f != "observer"), None)
        if missing is not None:
            reason = f"form field {mapping[missing]!r} is not in this submission"
            quarantine.reject(path.name, line, mapping[missing], reason)
            continue
        row = _session(record, keys, timezone)
        problem = _check(row, known, mapping)
        if problem is not None:
            field_name, reason = problem
            key = next((keys[f] for f, n in mapping.items() if n == field_name), None)
            value = record.get(key) if key else ""
            shown = f"{len(value)} entries" if isinstance(value, list) else value
            quarantine.reject(path.name, line, field_name, reason, f"{field_name}={shown}")
            continue
        if row["observation_id"] in seen:
            duplicates += 1
            continue
        seen.add(str(row["observation_id"]))
        kept.append(row)
    frame = pd.DataFrame(kept, columns=SESSION_COLUMNS)
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].astype("int64")
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["neighbourhood_id"] = None
    n_read = n_records + sum(1 for r in quarantine.rows if r["field"] in ("(row)", "(submission)"))
    return IngestResult(frame, quarantine, n_read=n_read, n_duplicates=duplicates, notes=notes)
