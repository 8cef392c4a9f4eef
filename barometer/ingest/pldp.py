"""Observation sessions recorded with the Public Life Data Protocol (PLDP 1.0, Gehl Institute).

PLDP studies count *people moving* (People Moving Count) and map *people staying* (Stationary
Activity Mapping) at a location during a survey, recording for each tally the PLDP attributes
``groups`` (group size: ``group_1``, ``group_2``, ``group_3-7``, ``group_8-plus``) and
``activities`` (e.g. ``commercial``, ``consuming``, ``conversing``, ``cultural``,
``electronic_engagement``, ``recreation_active``, ``recreation_passive``, ``working_civic``).
Field names below follow PLDP 1.0 as published by the Gehl Institute (2017); PLDP has other
attributes (``gender``, ``age``, ``mode``, ``posture``, ``objects``) that are read past.

Input: a CSV with one line per tally (a person, or a number of people sharing the attributes):

=================  ======================================================================
column             meaning
=================  ======================================================================
``survey_id``      the survey (one observation session) -> ``observation_id`` ``pldp:<id>``
``location_id``    the PLDP location -> ``site_id`` (must be in the site file)
``time_start``     survey start, ISO 8601 (naive local times in the config's time zone)
``time_stop``      survey end
``method``         ``people_moving`` or ``stationary`` (PLDP's two counts; ``moving`` and
                   ``staying`` are accepted too)
``groups``         PLDP group size (empty = ``group_1``)
``activities``     PLDP activity codes, separated by spaces, commas or semicolons
``count``          people on this line (a whole number >= 0; empty = 1)
``surveyor``       optional: the observer (pseudonymised by the enrich step)
``mixed``          barometer extension, yes/no: the group mixes people across visible social
                   groups (as defined in the observer guide); PLDP has no such field
``conflict``       barometer extension, yes/no: the tally is a conflict or confrontation
=================  ======================================================================

Per survey: ``n_people`` = all people counted (moving + staying); ``n_interactions`` = people
in groups of two or more whose activities include ``conversing``; ``n_mixed_interactions`` =
those of them on ``mixed`` lines; ``n_conflicts`` = people on ``conflict`` lines. Counts are of
people, not of encounters. The unit of the read/accepted/quarantined counts is the survey: a
survey with any bad line is quarantined whole (each bad line is listed with its reason), so
its totals are never built from part of its lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import read_csv_text
from barometer.ingest.quarantine import Quarantine

SOURCE = "observation"
REQUIRED = ["survey_id", "location_id", "time_start", "time_stop", "method", "groups",
            "activities", "count", "mixed", "conflict"]  # fmt: skip
GROUPS = {"": 1, "group_1": 1, "group_2": 2, "group_3-7": 3, "group_8-plus": 8}
METHODS = {"people_moving": "moving", "moving": "moving", "stationary": "staying",
           "stationary_activity": "staying", "staying": "staying"}  # fmt: skip
YES = {"yes": True, "y": True, "true": True, "1": True, "ja": True,
       "no": False, "n": False, "false": False, "0": False, "nej": False, "": False}  # fmt: skip
COUNT_COLUMNS = ["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"]


def _time(value: str, timezone: str) -> pd.Timestamp | None:
    try:
        ts = pd.Timestamp(value.strip())
        if ts is pd.NaT:
            return None
        if ts.tzinfo is None:
            ts = ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
        return ts.tz_convert("UTC")
    except (ValueError, TypeError, OverflowError):
        return None


def _line(row: dict[str, str], timezone: str) -> tuple[dict[str, object] | None, str, str]:
    """Parse one tally line: (parsed, field, reason); parsed is None when the line is bad."""
    start, end = _time(row["time_start"], timezone), _time(row["time_stop"], timezone)
    if start is None:
        return None, "time_start", "missing or unreadable start time"
    if end is None:
        return None, "time_stop", "missing or unreadable stop time"
    if end <= start:
        return None, "time_stop", "survey stops before it starts"
    method = METHODS.get(row["method"].strip().lower())
    if method is None:
        return None, "method", f"unknown method {row['method']!r}; use {sorted(METHODS)}"
    group = GROUPS.get(row["groups"].strip().lower())
    if group is None:
        return None, "groups", f"unknown PLDP group size {row['groups']!r}"
    raw_count = row["count"].strip() or "1"
    count = pd.to_numeric(raw_count, errors="coerce")
    if not np.isfinite(count) or count < 0 or count != int(count):
        return None, "count", f"count must be a whole number >= 0, found {raw_count!r}"
    flags = {}
    for column in ("mixed", "conflict"):
        flag = YES.get(row[column].strip().lower())
        if flag is None:
            return None, column, f"{column} must be yes or no, found {row[column]!r}"
        flags[column] = flag
    activities = {a for a in re.split(r"[\s,;]+", row["activities"].strip().lower()) if a}
    interacting = group >= 2 and "conversing" in activities
    people = int(count)
    parsed: dict[str, object] = {
        "start": start,
        "end": end,
        "n_people": people,
        "n_interactions": people if interacting else 0,
        "n_mixed_interactions": people if interacting and flags["mixed"] else 0,
        "n_conflicts": people if flags["conflict"] else 0,
    }
    return parsed, "", ""


def read_pldp_sessions(
    path: Path, sites: pd.DataFrame, *, timezone: str = "Europe/Stockholm"
) -> IngestResult:
    """Read a PLDP tally CSV into canonical ``observations`` rows (one per survey)."""
    table = read_csv_text(path, required=REQUIRED)
    if table.bad_rows:
        line, reason = table.bad_rows[0]
        raise InputError(f"{path}: line {line}: {reason}; a survey cannot be split")
    frame = table.frame
    surveyor = frame["surveyor"] if "surveyor" in frame.columns else pd.Series("", frame.index)
    known = set(sites["site_id"].astype(str))
    quarantine = Quarantine(source=SOURCE)
    sessions: dict[str, dict[str, object]] = {}
    bad: set[str] = set()
    n_read = 0
    for line, row, observer in zip(table.lines, table.records(), surveyor, strict=True):
        survey = row["survey_id"].strip()
        if not survey:
            n_read += 1
            quarantine.reject(path.name, line, "survey_id", "line has no survey_id", "")
            continue
        parsed, field, reason = _line(row, timezone)
        site = row["location_id"].strip()
        if parsed is not None and site not in known:
            field, reason = "location_id", f"unknown location {site!r} (not in the site file)"
            parsed = None
        session = sessions.get(survey)
        if (
            parsed is not None
            and session is not None
            and "start" in session
            and (session["site_id"], session["start"], session["end"])
            != (site, parsed["start"], parsed["end"])
        ):
            field, reason = "survey_id", "location or times differ from earlier lines of the survey"
            parsed = None
        if session is None:
            n_read += 1
            session = sessions[survey] = {
                "observation_id": f"pldp:{survey}",
                "site_id": site,
                "observer": str(observer).strip(),
                **dict.fromkeys(COUNT_COLUMNS, 0),
            }
            if parsed is not None:
                session.update(start=parsed["start"], end=parsed["end"])
        if parsed is None:
            bad.add(survey)
            quarantine.reject(path.name, line, field, reason, f"{field}={row.get(field, '')}")
            continue
        session.setdefault("start", parsed["start"])
        session.setdefault("end", parsed["end"])
        for column in COUNT_COLUMNS:
            session[column] = int(session[column]) + int(parsed[column])  # type: ignore[call-overload]
    kept = [s for survey, s in sessions.items() if survey not in bad]
    out = pd.DataFrame(
        kept, columns=["observation_id", "site_id", "start", "end", "observer", *COUNT_COLUMNS]
    )
    for column in COUNT_COLUMNS:
        out[column] = out[column].astype("int64")
    out["start"] = pd.to_datetime(out["start"], utc=True)
    out["end"] = pd.to_datetime(out["end"], utc=True)
    out["neighbourhood_id"] = None
    n_quarantined = n_read - len(kept)
    return IngestResult(out, quarantine, n_read=n_read, n_quarantined=n_quarantined)
