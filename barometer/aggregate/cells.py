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
    """First day of the (UTC) calendar month of each timestamp, as ``datetime.date``."""
    utc = pd.to_datetime(ts, utc=True).dt.tz_localize(None)
    return utc.dt.to_period("M").dt.start_time.dt.date


def to_cells(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Label estimates with their indicator, period and the catalogue's method."""
    out = frame.copy()
    out["indicator"] = indicator
    out["period"] = "M"
    out["method"] = CATALOGUE[indicator].method
    return out[CELL_COLUMNS]


def empty_cells() -> pd.DataFrame:
    return pd.DataFrame(columns=CELL_COLUMNS)
