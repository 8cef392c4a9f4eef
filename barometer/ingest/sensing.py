"""Footfall / pedestrian counter exports, in the layout :class:`FootfallFormat` describes (see
:mod:`barometer.ingest.footfall_layout`): wide (one column per sensor) or long (one row per
reading, or one file per sensor), hourly or daily, with a timestamp or a date plus an hour,
counts in one column or in and out columns added up.

Wide date+hour exports may start their day late: Auckland's runs 6:00-5:59, so with
``day_start_hour = 6`` ``date`` 2023-09-30 ``hour`` 0:00-0:59 is 1 October. A daily reading is
placed at its day's start (midnight, or ``day_start_hour``) in local time.

Sensor metadata: ``sensor_id`` plus, optionally, ``name``, ``site_type`` and a place (``lat`` and
``lon``, or a ``neighbourhood``): see :func:`barometer.ingest.sites.read_site_table`. A naive
local time that does not exist (the hour skipped when daylight-saving time starts) or is
ambiguous (the hour repeated when it ends) cannot be placed in UTC and is quarantined.

Nothing is deleted. Each reading gets a ``flag``:

- ``ok``;
- ``gap``: no value (outage; for counts added up, any part missing);
- ``unreadable``: a cell that is not a number (kept as a missing value);
- ``impossible``: negative, or above the ``thresholds``' ``max_per_hour`` / ``max_per_day``;
- ``stuck``: part of a run of identical non-zero values at least ``stuck_hours`` hourly (or
  ``stuck_days`` daily) readings long: a frozen counter.

Indicators exclude every flagged reading.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.columns import Header, normalise
from barometer.ingest.files import CsvTable, read_csv_text
from barometer.ingest.footfall_layout import (
    CALENDAR_NAMES,
    COUNT_NAMES,
    SENSOR_NAMES,
    FootfallFormat,
    FootfallThresholds,
)
from barometer.ingest.footfall_time import time_axis
from barometer.ingest.numbers import parse_number, resolve_decimal
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.sites import read_site_table

SOURCE = "sensing"
KEY = "[sources.sensing] "


def read_sensor_metadata(path: Path) -> pd.DataFrame:
    """Read sensor metadata; raises :class:`InputError` naming the file, row and field."""
    return read_site_table(path, "sensor_id")


def _listed(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


# -- values and flags ----------------------------------------------------------------------------


def count_values(
    parts: list[pd.Series], fmt: FootfallFormat, path: Path, columns: list[str]
) -> tuple[pd.Series, pd.Series]:
    """(value, unreadable mask): the parts added up, each read in the source's number format.

    Cells pandas reads as whole numbers are taken as they are; the rest (``1.234``, ``1 234``,
    ``12,5``) are read with the separator the column shows (:mod:`barometer.ingest.numbers`).
    """
    total = pd.Series(0.0, index=parts[0].index)
    gap = pd.Series(False, index=total.index)
    unreadable = pd.Series(False, index=total.index)
    for column, raw in zip(columns, parts, strict=True):
        text = raw.fillna("").astype(str).str.strip()
        empty = text.eq("")
        plain = pd.to_numeric(text.where(~empty), errors="coerce")
        local = ~empty & (plain.isna() | (plain != plain.round()))
        if local.any():
            decimal = resolve_decimal(fmt.decimal_separator, text[local], path=path, column=column)
            parsed = text[local].map(lambda v, d=decimal: parse_number(v, d))
            plain[local] = pd.to_numeric(parsed, errors="coerce")
        gap |= empty
        unreadable |= ~empty & plain.isna()
        total = total + plain.fillna(0.0)
    value = total.where(~gap & ~unreadable)
    return value, unreadable & ~gap


def flag_readings(readings: pd.DataFrame, *, max_value: float, stuck_run: int) -> pd.Series:
    """Flag per reading (``ok``/``gap``/``impossible``/``stuck``); rows sorted by sensor, ts.

    ``stuck_run``: the shortest run of identical non-zero readings taken as a frozen counter."""
    value = readings["value"]
    flag = pd.Series("ok", index=readings.index, dtype=object)
    flag[value.isna()] = "gap"
    flag[(value < 0) | (value > max_value)] = "impossible"
    change = (value != value.shift()) | (readings["sensor_id"] != readings["sensor_id"].shift())
    run_id = change.cumsum()
    run_length = run_id.map(run_id.value_counts())
    stuck = (run_length >= stuck_run) & value.notna() & (value != 0)
    flag[stuck & (flag == "ok")] = "stuck"
    return flag


def _limits(thresholds: FootfallThresholds, daily: bool) -> tuple[float, int]:
    if daily:
        return thresholds.max_per_day, thresholds.stuck_days
    return thresholds.max_per_hour, thresholds.stuck_hours


def _readings(
    sensor_ids: pd.Series,
    ts: pd.Series,
    values: pd.Series,
    unreadable: pd.Series,
    sensors: pd.DataFrame,
    *,
    thresholds: FootfallThresholds,
    daily: bool,
) -> pd.DataFrame:
    """Canonical ``sensor_readings`` rows (with flags) from parallel columns."""
    site_type = sensors.set_index("sensor_id")["site_type"]
    rows = pd.DataFrame(
        {
            "sensor_id": sensor_ids.astype(str).to_numpy(),
            "neighbourhood_id": None,
            "site_type": sensor_ids.map(site_type).astype(str).to_numpy(),
            "ts": pd.to_datetime(ts, utc=True).array,  # positional, no Timestamp objects
            "metric": "footfall",
            "value": values.astype("float64").to_numpy(),
            "unreadable": unreadable.to_numpy(dtype=bool),
        }
    )
    rows["ts"] = pd.to_datetime(rows["ts"], utc=True)
    rows = rows.sort_values(["sensor_id", "ts"], ignore_index=True)
    max_value, stuck_run = _limits(thresholds, daily)
    rows["flag"] = flag_readings(rows, max_value=max_value, stuck_run=stuck_run)
    rows.loc[rows["unreadable"], "flag"] = "unreadable"
    return rows.drop(columns="unreadable")


def _notes(daily: bool, path: Path) -> list[str]:
    return [f"{path.name}: daily totals (one reading per sensor and day)"] if daily else []


# -- wide layout ---------------------------------------------------------------------------------


def _sensor_columns(
    header: Header, time_columns: list[str], fmt: FootfallFormat, sensors: pd.DataFrame
) -> dict[str, list[str]]:
    """sensor id -> the column(s) holding its counts."""
    known = set(sensors["sensor_id"].astype(str))
    mapped = fmt.columns.sensor_columns
    if mapped:
        unknown = sorted(set(mapped) - known)
        if unknown:
            raise InputError(
                f"{header.path}: {KEY}columns.sensor_columns names sensors {unknown} that have "
                "no entry in the sensor metadata file"
            )
        return {
            sid: [header.configured(f"columns.sensor_columns.{sid}", c) for c in _listed(cols)]
            for sid, cols in mapped.items()
        }
    ignored = {header.configured("columns.ignore", c) for c in fmt.columns.ignore}
    ignored |= set(time_columns)
    ignored |= {c for c in header.columns if normalise(c) in CALENDAR_NAMES}
    found = [c for c in header.columns if c not in ignored]
    unknown = sorted(c for c in found if c.strip() not in known)
    if unknown:
        raise InputError(
            f"{header.path}: sensor columns {unknown} have no entry in the sensor metadata file "
            f"(map sensors to their columns with {KEY}columns.sensor_columns; columns that are "
            f"not sensors go in {KEY}columns.ignore)"
        )
    if not found:
        raise InputError(f"{header.path}: no sensor columns besides the time; {header.found()}")
    return {c.strip(): [c] for c in found}


def read_footfall_wide(
    path: Path, sensors: pd.DataFrame, fmt: FootfallFormat | None = None
) -> IngestResult:
    """Read a wide counter export into long ``sensor_readings`` rows (metric ``footfall``).

    Rows have ``neighbourhood_id`` empty; the pipeline fills it from the sensors' places.
    A line whose time cannot be placed in UTC is quarantined once (standing for one reading per
    sensor); a later line repeating a time is a duplicate; a sensor column without metadata
    raises :class:`InputError`.
    """
    fmt = fmt or FootfallFormat()
    table = read_csv_text(path)
    wide = table.frame
    header = Header(path, list(wide.columns), KEY)
    ts, reasons, time_columns, daily = time_axis(wide, header, fmt, path)
    by_sensor = _sensor_columns(header, time_columns, fmt, sensors)
    quarantine = Quarantine(source=SOURCE)
    for line, reason in table.bad_rows:
        quarantine.reject(path.name, line, "(row)", reason)
    bad = ts.isna().to_numpy()
    for index in np.flatnonzero(bad):
        when = " ".join(str(wide.iloc[int(index)][c]) for c in time_columns)
        line = table.lines[int(index)]
        quarantine.reject(path.name, line, time_columns[0], str(reasons.iloc[index]), when)
    good = wide[~bad]
    good_ts = pd.Series(pd.to_datetime(ts[~bad], utc=True).to_numpy(), index=good.index)
    duplicated = good_ts.duplicated().to_numpy()
    good, good_ts = good[~duplicated], good_ts[~duplicated]
    frames = []
    for sid, cols in by_sensor.items():
        value, unreadable = count_values([good[c] for c in cols], fmt, path, cols)
        frames.append(pd.DataFrame({"sensor_id": sid, "ts": good_ts, "value": value,
                                    "unreadable": unreadable}))  # fmt: skip
    long = pd.concat(frames, ignore_index=True)
    rows = _readings(
        long["sensor_id"], long["ts"], long["value"], long["unreadable"], sensors,
        thresholds=fmt.thresholds, daily=daily,
    )  # fmt: skip
    n_sensors = len(by_sensor)
    return IngestResult(
        rows=rows,
        quarantine=quarantine,
        n_read=table.n_records * n_sensors,
        n_duplicates=int(duplicated.sum()) * n_sensors,
        n_quarantined=len(quarantine) * n_sensors,
        notes=_notes(daily, path),
    )


# -- long layout ---------------------------------------------------------------------------------


def _long_sensor(table: CsvTable, header: Header, fmt: FootfallFormat, path: Path) -> pd.Series:
    if fmt.sensor_from_file_name:
        stem = path.name.split(".")[0].strip()
        return pd.Series(stem, index=table.frame.index, dtype=object)
    if fmt.columns.sensor:
        column = header.configured("columns.sensor", fmt.columns.sensor)
    else:
        found = header.conventional(SENSOR_NAMES)
        if found is None:
            raise header.missing(
                "sensor", 'columns.sensor = "<column>" (or sensor_from_file_name = true)'
            )
        column = found
    return table.frame[column].fillna("").astype(str).str.strip()


def _count_columns(header: Header, fmt: FootfallFormat) -> list[str]:
    configured = _listed(fmt.columns.count)
    if configured:
        return [header.configured("columns.count", c) for c in configured]
    found = header.conventional(COUNT_NAMES)
    if found is None:
        raise header.missing(
            "count", 'columns.count = "<column>" (or a list of columns to add up, e.g. in and out)'
        )
    return [found]


def read_footfall_long(
    path: Path, sensors: pd.DataFrame, fmt: FootfallFormat | None = None
) -> IngestResult:
    """Read a long counter export (one reading per line; one file per sensor allowed).

    A line with an unreadable time or a sensor without metadata is quarantined; a line
    repeating a (sensor, time) is a duplicate. An empty count is a gap, a count that is not a
    number is kept as ``unreadable``. Hours missing from the file are not invented.
    """
    fmt = fmt or FootfallFormat(layout="long")
    table = read_csv_text(path)
    frame = table.frame
    header = Header(path, list(frame.columns), KEY)
    count_cols = _count_columns(header, fmt)
    sensor = _long_sensor(table, header, fmt, path)
    ts, reasons, time_columns, daily = time_axis(frame, header, fmt, path)
    quarantine = Quarantine(source=SOURCE)
    for line, reason in table.bad_rows:
        quarantine.reject(path.name, line, "(row)", reason)
    known = sensor.isin(set(sensors["sensor_id"].astype(str)))
    lines = np.asarray(table.lines)
    for index in np.flatnonzero(ts.isna().to_numpy()):
        raw = " ".join(str(frame[c].iloc[index]) for c in time_columns)
        field = time_columns[0]
        quarantine.reject(path.name, int(lines[index]), field, str(reasons.iloc[index]), raw)
    sensor_field = fmt.columns.sensor or "sensor_id"
    for index in np.flatnonzero((ts.notna() & ~known).to_numpy()):
        reason = f"sensor {sensor.iloc[index]!r} has no entry in the sensor metadata file"
        quarantine.reject(path.name, int(lines[index]), sensor_field, reason, sensor.iloc[index])
    keep = (ts.notna() & known).to_numpy()
    good = pd.DataFrame({"sensor_id": sensor[keep], "ts": pd.to_datetime(ts[keep], utc=True)})
    duplicated = good.duplicated(subset=["sensor_id", "ts"]).to_numpy()
    good = good[~duplicated]
    kept = frame[keep][~duplicated]
    value, unreadable = count_values([kept[c] for c in count_cols], fmt, path, count_cols)
    rows = _readings(
        good["sensor_id"], good["ts"], value, unreadable, sensors,
        thresholds=fmt.thresholds, daily=daily,
    )  # fmt: skip
    return IngestResult(
        rows=rows,
        quarantine=quarantine,
        n_read=table.n_records,
        n_duplicates=int(duplicated.sum()),
        notes=_notes(daily, path),
    )
