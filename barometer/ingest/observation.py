"""Micro-level observation of public spaces, from KoboToolbox / ODK form exports (CSV).

Kobo exports name fields by their group path (``people/total``); :data:`KOBO_FIELDS` maps them
to the canonical ``observations`` columns. Site metadata (``site_id, name, site_type, lat,
lon``) places each site in a neighbourhood. A session is quarantined, with the field and reason,
when a count is missing, not a whole number or negative, when mixed interactions exceed all
interactions, when its end is not after its start, or when its site is unknown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from barometer.ingest.base import IngestResult
from barometer.ingest.files import read_csv_text, read_site_table
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.social._common import parse_utc

SOURCE = "observation"
SITE_COLUMNS = ["site_id", "name", "site_type", "lat", "lon"]

#: canonical column -> Kobo export column
KOBO_FIELDS: dict[str, str] = {
    "observation_id": "_uuid",
    "site_id": "site_id",
    "start": "start",
    "end": "end",
    "observer": "observer",
    "n_people": "people/total",
    "n_interactions": "interactions/total",
    "n_mixed_interactions": "interactions/mixed",
    "n_conflicts": "interactions/conflicts",
}
COUNT_COLUMNS = ["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"]


def read_sites(path: Path) -> pd.DataFrame:
    """Read observation site metadata; raises :class:`InputError` naming file, row and field."""
    return read_site_table(path, "site_id", SITE_COLUMNS)


def _check_row(row: dict[str, object], known_sites: set[str]) -> tuple[str, str] | None:
    """Return (field, reason) for the first problem of a session, or None."""
    if not row["observation_id"]:
        return "observation_id", "session has no id"
    if row["site_id"] not in known_sites:
        return "site_id", f"unknown site {row['site_id']!r} (not in the site file)"
    for column in COUNT_COLUMNS:
        value = row[column]
        if not isinstance(value, float) or np.isnan(value):
            return KOBO_FIELDS[column], "missing or not a number"
        if value < 0 or value != int(value):
            return KOBO_FIELDS[column], f"count must be a whole number >= 0, found {value:g}"
    if row["n_mixed_interactions"] > row["n_interactions"]:  # type: ignore[operator]
        return KOBO_FIELDS["n_mixed_interactions"], "more mixed interactions than interactions"
    if row["start"] is None:
        return "start", "missing or unreadable start time"
    if row["end"] is None:
        return "end", "missing or unreadable end time"
    if row["end"] <= row["start"]:  # type: ignore[operator]
        return "end", "session ends before it starts"
    return None


def read_kobo_sessions(path: Path, sites: pd.DataFrame) -> IngestResult:
    """Read a Kobo/ODK CSV export of observation sessions into canonical rows + quarantine.

    Rows carry the raw ``observer`` name (pseudonymised by the enrich step) and an empty
    ``neighbourhood_id`` (filled from the site's coordinates by the pipeline).
    """
    table = read_csv_text(path, required=list(KOBO_FIELDS.values()))
    quarantine = Quarantine(source=SOURCE)
    for line, reason in table.bad_rows:
        quarantine.reject(path.name, line, "(row)", reason)
    known = set(sites["site_id"].astype(str))
    kept: list[dict[str, object]] = []
    seen: set[str] = set()
    duplicates = 0
    for line, record in zip(table.lines, table.records(), strict=True):
        row: dict[str, object] = {
            "observation_id": f"kobo:{record[KOBO_FIELDS['observation_id']]}",
            "site_id": record[KOBO_FIELDS["site_id"]],
            "start": parse_utc(record[KOBO_FIELDS["start"]]),
            "end": parse_utc(record[KOBO_FIELDS["end"]]),
            "observer": record[KOBO_FIELDS["observer"]],
        }
        if not record[KOBO_FIELDS["observation_id"]]:
            row["observation_id"] = ""
        for column in COUNT_COLUMNS:
            row[column] = float(pd.to_numeric(record[KOBO_FIELDS[column]], errors="coerce"))
        problem = _check_row(row, known)
        if problem is not None:
            field_name = problem[0]
            quarantine.reject(
                path.name,
                line,
                field_name,
                problem[1],
                f"{field_name}={record.get(field_name, '')}",
            )
            continue
        if row["observation_id"] in seen:
            duplicates += 1
            continue
        seen.add(str(row["observation_id"]))
        kept.append(row)
    frame = pd.DataFrame(
        kept, columns=["observation_id", "site_id", "start", "end", "observer", *COUNT_COLUMNS]
    )
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].astype("int64")
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["neighbourhood_id"] = None
    return IngestResult(frame, quarantine, n_read=table.n_records, n_duplicates=duplicates)
