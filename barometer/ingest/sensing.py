"""Footfall / pedestrian counter exports.

Wide layout: one row per hour, a ``timestamp`` column (ISO 8601; local time with its UTC offset,
or naive local time in ``timezone``) and one column per sensor, as most counter vendors and open
data portals export them. Sensor metadata: ``sensor_id, name, site_type, lat, lon``.

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
from barometer.ingest.quarantine import Quarantine

SOURCE = "sensing"
SENSOR_COLUMNS = ["sensor_id", "name", "site_type", "lat", "lon"]


def read_sensor_metadata(path: Path) -> pd.DataFrame:
    """Read sensor metadata; raises :class:`InputError` naming the file, row and field."""
    try:
        frame = pd.read_csv(path, dtype={"sensor_id": str})
    except FileNotFoundError as exc:
        raise InputError(f"{path}: sensor metadata file not found") from exc
    missing = [c for c in SENSOR_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing columns {missing}; expected {SENSOR_COLUMNS}")
    for column in ("lat", "lon"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise InputError(f"{path}: row {row}, field '{column}': not a number")
        frame[column] = values
    return frame[SENSOR_COLUMNS]


def _parse_timestamps(raw: pd.Series, timezone: str) -> pd.Series:
    def one(value: object) -> pd.Timestamp | None:
        try:
            ts = pd.Timestamp(str(value))
        except (ValueError, TypeError):
            return None
        if ts is pd.NaT:
            return None
        if ts.tzinfo is None:
            try:
                ts = ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
            except (ValueError, TypeError):
                return None
        return ts.tz_convert("UTC")

    return raw.map(one)


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


def read_footfall_wide(
    path: Path,
    sensors: pd.DataFrame,
    *,
    timezone: str = "Europe/Stockholm",
    max_per_hour: float = 20_000,
    stuck_hours: int = 24,
) -> IngestResult:
    """Read a wide hourly counter export into long ``sensor_readings`` rows (metric ``footfall``).

    Rows have ``neighbourhood_id`` empty; the pipeline fills it from the sensors' coordinates.
    A line with an unreadable timestamp is quarantined once (standing for one reading per
    sensor); a sensor column without metadata raises :class:`InputError`.
    """
    try:
        wide = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: counter export not found") from exc
    if "timestamp" not in wide.columns:
        raise InputError(f"{path}: no 'timestamp' column; found {list(wide.columns)[:5]}...")
    sensor_cols = [c for c in wide.columns if c != "timestamp"]
    unknown = sorted(set(sensor_cols) - set(sensors["sensor_id"]))
    if unknown:
        raise InputError(
            f"{path}: sensor columns {unknown} have no entry in the sensor metadata file"
        )
    quarantine = Quarantine(source=SOURCE)
    ts = _parse_timestamps(wide["timestamp"], timezone)
    bad = ts.isna()
    for index in np.flatnonzero(bad.to_numpy()):
        quarantine.reject(
            path.name, int(index) + 2, "timestamp", "unreadable timestamp", wide.iloc[int(index), 0]
        )
    good = wide[~bad.to_numpy()].copy()
    good["timestamp"] = pd.to_datetime(ts[~bad])
    duplicated = good["timestamp"].duplicated()
    good = good[~duplicated.to_numpy()]
    long = good.melt(id_vars="timestamp", var_name="sensor_id", value_name="raw")
    values = pd.to_numeric(long["raw"].replace("", np.nan), errors="coerce")
    unparseable = values.isna() & long["raw"].ne("")
    values[unparseable] = np.nan
    site_type = sensors.set_index("sensor_id")["site_type"]
    rows = pd.DataFrame(
        {
            "sensor_id": long["sensor_id"].astype(str),
            "neighbourhood_id": None,
            "site_type": long["sensor_id"].map(site_type).astype(str),
            "ts": long["timestamp"],
            "metric": "footfall",
            "value": values.astype("float64"),
            "unreadable": unparseable,
        }
    ).sort_values(["sensor_id", "ts"], ignore_index=True)
    rows["flag"] = flag_readings(rows, max_per_hour=max_per_hour, stuck_hours=stuck_hours)
    rows.loc[rows["unreadable"], "flag"] = "unreadable"
    rows = rows.drop(columns="unreadable")
    n_sensors = len(sensor_cols)
    return IngestResult(
        rows=rows,
        quarantine=quarantine,
        n_read=len(wide) * n_sensors,
        n_duplicates=int(duplicated.sum()) * n_sensors,
        n_quarantined=len(quarantine) * n_sensors,
    )
