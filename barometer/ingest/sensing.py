"""Footfall / pedestrian counter exports.

Two layouts:

- **wide**: one row per hour and one column per sensor, as most counter vendors and open data
  portals export them. The hour is either a ``timestamp`` column (ISO 8601; local time with its
  UTC offset, or naive local time in ``timezone``), or a ``date`` column plus an ``hour``
  column (``6``, ``06:00`` or a range ``6:00-6:59``: its start is used), as in Auckland's
  Heart of the City export; there a day may start at ``day_start_hour`` (Auckland's export
  runs 6:00-5:59, so ``date`` 2023-09-30 ``hour`` 0:00-0:59 is 1 October), and the calendar
  helper columns ``year``, ``month``, ``day``, ``weekday`` are ignored.
- **long**: one row per reading: ``timestamp, sensor_id, count`` (or ``value``).

Sensor metadata: ``sensor_id, name, site_type, lat, lon``. A naive local time that does not
exist (the hour skipped when daylight-saving time starts) or is ambiguous (the hour repeated
when it ends) cannot be placed in UTC and is quarantined with that reason.

Nothing is deleted. Each reading gets a ``flag``:

- ``ok``;
- ``gap``: no value (outage);
- ``unreadable``: a cell that is not a number (kept as a missing value);
- ``impossible``: negative, or above ``max_per_hour`` (default 20,000 people per hour);
- ``stuck``: part of a run of at least ``stuck_hours`` identical non-zero values (a frozen
  counter).

Indicators exclude every flagged reading.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import read_csv_text, read_site_table
from barometer.ingest.quarantine import Quarantine

SOURCE = "sensing"
SENSOR_COLUMNS = ["sensor_id", "name", "site_type", "lat", "lon"]


def read_sensor_metadata(path: Path) -> pd.DataFrame:
    """Read sensor metadata; raises :class:`InputError` naming the file, row and field."""
    return read_site_table(path, "sensor_id", SENSOR_COLUMNS)


UNREADABLE = "unreadable timestamp"
CALENDAR_COLUMNS = ("year", "month", "day", "weekday")


def _dst_reason(timezone: str) -> str:
    return f"local time does not exist or is ambiguous in {timezone} (daylight-saving change)"


def _parse_timestamps(raw: pd.Series, timezone: str) -> tuple[pd.Series, pd.Series]:
    """Per-value ISO 8601 parsing to UTC; returns (timestamps or None, reason where None)."""
    parsed: list[pd.Timestamp | None] = []
    reasons: list[str] = []
    for value in raw:
        try:
            ts = pd.Timestamp(str(value))
        except (ValueError, TypeError, OverflowError):
            ts = None
        if ts is None or ts is pd.NaT:
            parsed.append(None)
            reasons.append(UNREADABLE)
            continue
        if ts.tzinfo is None:
            try:
                ts = ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
            except (ValueError, TypeError, OverflowError):
                parsed.append(None)
                reasons.append(_dst_reason(timezone))
                continue
        parsed.append(ts.tz_convert("UTC"))
        reasons.append("")
    return (
        pd.Series(parsed, index=raw.index, dtype=object),
        pd.Series(reasons, index=raw.index, dtype=object),
    )


def _date_hour_timestamps(
    dates: pd.Series, hours: pd.Series, timezone: str, day_start_hour: int
) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``date`` + ``hour`` (``6``, ``06:00``, ``6:00-6:59``) to UTC."""
    hour = pd.to_numeric(hours.str.extract(r"^\s*(\d{1,2})(?::00)?(?:\D|$)")[0], errors="coerce")
    day = pd.to_datetime(dates.str.strip(), format="%Y-%m-%d", errors="coerce")
    hour = hour.where((hour >= 0) & (hour <= 23))
    local = day + pd.to_timedelta(hour, unit="h")
    local = local + pd.to_timedelta((hour < day_start_hour).astype(int), unit="D")
    readable = local.notna()
    placed = local.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    reasons = pd.Series("", index=dates.index, dtype=object)
    reasons[~readable] = UNREADABLE
    reasons[readable & placed.isna()] = _dst_reason(timezone)
    utc = placed.dt.tz_convert("UTC").astype(object).where(placed.notna(), None)
    return utc, reasons


def flag_readings(
    readings: pd.DataFrame, *, max_per_hour: float = 20_000, stuck_hours: int = 24
) -> pd.Series:
    """Flag per reading (``ok``/``gap``/``impossible``/``stuck``); rows sorted by sensor, ts."""
    value = readings["value"]
    flag = pd.Series("ok", index=readings.index, dtype=object)
    flag[value.isna()] = "gap"
    flag[(value < 0) | (value > max_per_hour)] = "impossible"
    # runs of identical values per sensor
    change = (value != value.shift()) | (readings["sensor_id"] != readings["sensor_id"].shift())
    run_id = change.cumsum()
    run_length = run_id.map(run_id.value_counts())
    stuck = (run_length >= stuck_hours) & value.notna() & (value != 0)
    flag[stuck & (flag == "ok")] = "stuck"
    return flag


def _readings(
    sensor_ids: pd.Series,
    ts: pd.Series,
    raw_values: pd.Series,
    sensors: pd.DataFrame,
    *,
    max_per_hour: float,
    stuck_hours: int,
) -> pd.DataFrame:
    """Canonical ``sensor_readings`` rows (with flags) from parallel columns of raw strings."""
    text = raw_values.fillna("").astype(str).str.strip()
    values = pd.to_numeric(text.where(text.ne("")), errors="coerce")
    unparseable = values.isna() & text.ne("")
    site_type = sensors.set_index("sensor_id")["site_type"]
    rows = pd.DataFrame(
        {
            "sensor_id": sensor_ids.astype(str).to_numpy(),
            "neighbourhood_id": None,
            "site_type": sensor_ids.map(site_type).astype(str).to_numpy(),
            "ts": pd.to_datetime(ts, utc=True).to_numpy(),
            "metric": "footfall",
            "value": values.astype("float64").to_numpy(),
            "unreadable": unparseable.to_numpy(),
        }
    )
    rows["ts"] = pd.to_datetime(rows["ts"], utc=True)
    rows = rows.sort_values(["sensor_id", "ts"], ignore_index=True)
    rows["flag"] = flag_readings(rows, max_per_hour=max_per_hour, stuck_hours=stuck_hours)
    rows.loc[rows["unreadable"], "flag"] = "unreadable"
    return rows.drop(columns="unreadable")


def read_footfall_wide(
    path: Path,
    sensors: pd.DataFrame,
    *,
    timezone: str = "Europe/Stockholm",
    max_per_hour: float = 20_000,
    stuck_hours: int = 24,
    day_start_hour: int = 0,
) -> IngestResult:
    """Read a wide hourly counter export into long ``sensor_readings`` rows (metric ``footfall``).

    Rows have ``neighbourhood_id`` empty; the pipeline fills it from the sensors' coordinates.
    A line whose hour cannot be placed in UTC is quarantined once (standing for one reading per
    sensor); a later line repeating an hour is a duplicate; a sensor column without metadata
    raises :class:`InputError`.
    """
    table = read_csv_text(path)
    wide = table.frame
    if "timestamp" in wide.columns:
        time_columns = ["timestamp"]
        ts, reasons = _parse_timestamps(wide["timestamp"], timezone)
    elif {"date", "hour"} <= set(wide.columns):
        time_columns = ["date", "hour", *(c for c in CALENDAR_COLUMNS if c in wide.columns)]
        ts, reasons = _date_hour_timestamps(wide["date"], wide["hour"], timezone, day_start_hour)
    else:
        raise InputError(
            f"{path}: no 'timestamp' column (nor 'date' and 'hour'); "
            f"found {list(wide.columns)[:5]}..."
        )
    sensor_cols = [c for c in wide.columns if c not in time_columns]
    unknown = sorted(set(sensor_cols) - set(sensors["sensor_id"]))
    if unknown:
        raise InputError(
            f"{path}: sensor columns {unknown} have no entry in the sensor metadata file"
        )
    quarantine = Quarantine(source=SOURCE)
    for line, reason in table.bad_rows:
        quarantine.reject(path.name, line, "(row)", reason)
    bad = ts.isna()
    for index in np.flatnonzero(bad.to_numpy()):
        when = " ".join(str(wide.iloc[int(index)][c]) for c in time_columns[:2])
        line = table.lines[int(index)]
        quarantine.reject(path.name, line, time_columns[0], reasons.iloc[index], when)
    good = wide[~bad.to_numpy()].copy()
    good["_ts"] = pd.to_datetime(ts[~bad], utc=True)
    duplicated = good["_ts"].duplicated()
    good = good[~duplicated.to_numpy()]
    long = good[["_ts", *sensor_cols]].melt(id_vars="_ts", var_name="sensor_id", value_name="raw")
    rows = _readings(
        long["sensor_id"],
        long["_ts"],
        long["raw"],
        sensors,
        max_per_hour=max_per_hour,
        stuck_hours=stuck_hours,
    )
    n_sensors = len(sensor_cols)
    return IngestResult(
        rows=rows,
        quarantine=quarantine,
        n_read=table.n_records * n_sensors,
        n_duplicates=int(duplicated.sum()) * n_sensors,
        n_quarantined=len(quarantine) * n_sensors,
    )


def read_footfall_long(
    path: Path,
    sensors: pd.DataFrame,
    *,
    timezone: str = "Europe/Stockholm",
    max_per_hour: float = 20_000,
    stuck_hours: int = 24,
) -> IngestResult:
    """Read a long counter export (``timestamp, sensor_id, count``; one reading per line).

    A line with an unreadable timestamp or a sensor without metadata is quarantined; a line
    repeating a (sensor, hour) is a duplicate. An empty count is a gap, a count that is not a
    number is kept as ``unreadable``. Hours missing from the file are not invented.
    """
    table = read_csv_text(path, required=["timestamp", "sensor_id"])
    frame = table.frame
    value_column = next((c for c in ("count", "value") if c in frame.columns), None)
    if value_column is None:
        raise InputError(f"{path}: missing required column 'count' (or 'value')")
    quarantine = Quarantine(source=SOURCE)
    for line, reason in table.bad_rows:
        quarantine.reject(path.name, line, "(row)", reason)
    ts, reasons = _parse_timestamps(frame["timestamp"], timezone)
    known = frame["sensor_id"].str.strip().isin(set(sensors["sensor_id"].astype(str)))
    lines = np.asarray(table.lines)
    for index in np.flatnonzero(ts.isna().to_numpy()):
        raw = frame["timestamp"].iloc[index]
        quarantine.reject(path.name, int(lines[index]), "timestamp", reasons.iloc[index], raw)
    for index in np.flatnonzero((ts.notna() & ~known).to_numpy()):
        sensor = frame["sensor_id"].iloc[index]
        reason = f"sensor {sensor!r} has no entry in the sensor metadata file"
        quarantine.reject(path.name, int(lines[index]), "sensor_id", reason, sensor)
    good = frame[(ts.notna() & known).to_numpy()].assign(_ts=pd.to_datetime(ts.dropna(), utc=True))
    good["sensor_id"] = good["sensor_id"].str.strip()
    duplicated = good.duplicated(subset=["sensor_id", "_ts"])
    good = good[~duplicated.to_numpy()]
    rows = _readings(
        good["sensor_id"],
        good["_ts"],
        good[value_column],
        sensors,
        max_per_hour=max_per_hour,
        stuck_hours=stuck_hours,
    )
    return IngestResult(
        rows=rows,
        quarantine=quarantine,
        n_read=table.n_records,
        n_duplicates=int(duplicated.sum()),
    )
