"""Shared helpers of the aggregate step: the cell layout and calendar months."""

from __future__ import annotations

import pandas as pd

from barometer.indicators import CATALOGUE

CELL_COLUMNS = [
    "neighbourhood_id",
    "period_start",
    "period",
    "indicator",
    "value",
    "lower",
    "upper",
    "n_effective",
    "method",
]


def month_start(ts: pd.Series) -> pd.Series:
    """First day of the calendar month of each timestamp, as ``datetime.date``, on the
    timestamps' own clock: a series in ``Europe/Stockholm`` gives Stockholm's months (a reading
    at 00:30 on 1 January local time is January, though it is still 31 December in UTC);
    naive timestamps are taken as UTC. The pipeline hands the aggregate step its timestamps in
    the city's zone (:func:`in_zone`)."""
    stamps = pd.to_datetime(ts)
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = pd.to_datetime(ts, utc=True)
    wall = stamps.dt.tz_localize(None)
    return wall.dt.to_period("M").dt.start_time.dt.date


def in_zone(frame: pd.DataFrame, column: str, timezone: str) -> pd.DataFrame:
    """``frame`` with its UTC timestamps ``column`` shown on the clock of ``timezone`` (an IANA
    name such as ``Europe/Stockholm``): the same instants, so sorting, differences and
    comparisons are unchanged; months, days and hours of the week become the city's."""
    if column not in frame or frame.empty:
        return frame
    stamps = pd.to_datetime(frame[column], utc=True)
    return frame.assign(**{column: stamps.dt.tz_convert(timezone)})


def to_cells(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Label estimates with their indicator, period and the catalogue's method."""
    out = frame.copy()
    out["indicator"] = indicator
    out["period"] = "M"
    out["method"] = CATALOGUE[indicator].method
    return out[CELL_COLUMNS]


def empty_cells() -> pd.DataFrame:
    return pd.DataFrame(columns=CELL_COLUMNS)
