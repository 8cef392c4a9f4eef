"""Sensing indicator: footfall at public meeting places against each sensor's own seasonal
baseline.

Baseline (multiplicative, per sensor, from its first ``baseline_months`` months of clean
readings): ``expected = hour_of_week_mean[h] * month_factor[calendar month]``, where
``month_factor`` is the mean of ``value / hour_of_week_mean`` in that calendar month (1 where a
calendar month has no clean baseline reading). The index of a neighbourhood-month is
``sum(observed) / sum(expected)`` over its sensors' clean hours: 1 = as busy as in the baseline
year at that time of week and season; 1.1 = 10 % busier. Readings flagged as gaps, stuck,
unreadable or impossible are excluded. The interval is a linearised ratio interval with days as
clusters within each cell (t on the number of days - 1).
"""

from __future__ import annotations

import pandas as pd

from barometer import indicators as catalogue
from barometer.aggregate.cells import empty_cells, month_start, to_cells
from barometer.stats.survey import estimate_ratio


def _hour_of_week(ts: pd.Series) -> pd.Series:
    return ts.dt.day_of_week * 24 + ts.dt.hour


def footfall_baseline(readings: pd.DataFrame, baseline_months: int = 12) -> pd.DataFrame:
    """Expected people per hour for every reading of ``readings`` (column ``expected``).

    Returns ``readings`` (clean rows only) with ``expected`` added; rows whose sensor has no
    baseline for that hour of week are dropped.
    """
    ok = readings[readings["flag"] == "ok"].copy()
    ok["hour_of_week"] = _hour_of_week(ok["ts"])
    ok["calendar_month"] = ok["ts"].dt.month
    start = ok.groupby("sensor_id")["ts"].transform("min")
    base = ok[ok["ts"] < start + pd.DateOffset(months=baseline_months)]
    how = base.groupby(["sensor_id", "hour_of_week"], as_index=False).agg(
        how_mean=("value", "mean")
    )
    base = base.merge(how, on=["sensor_id", "hour_of_week"])
    base = base[base["how_mean"] > 0]
    base = base.assign(ratio=base["value"] / base["how_mean"])
    season = base.groupby(["sensor_id", "calendar_month"], as_index=False).agg(
        month_factor=("ratio", "mean")
    )
    out = ok.merge(how, on=["sensor_id", "hour_of_week"], how="inner")
    out = out.merge(season, on=["sensor_id", "calendar_month"], how="left")
    out["expected"] = out["how_mean"] * out["month_factor"].fillna(1.0)
    return out.drop(columns=["how_mean", "month_factor"])


def aggregate_sensing(
    readings: pd.DataFrame, *, level: float, baseline_months: int = 12
) -> pd.DataFrame:
    """Footfall index per neighbourhood-month (see module docstring)."""
    footfall = readings[(readings["metric"] == "footfall") & readings["neighbourhood_id"].notna()]
    if footfall.empty:
        return empty_cells()
    ok = footfall_baseline(footfall, baseline_months)
    ok["day"] = ok["ts"].dt.strftime("%Y-%m-%d")
    ok["period_start"] = month_start(ok["ts"])
    daily = ok.groupby(["neighbourhood_id", "period_start", "day"], as_index=False)[
        ["value", "expected"]
    ].sum()
    daily["cell"] = daily["neighbourhood_id"] + "|" + daily["period_start"].astype(str)
    daily["psu"] = daily["cell"] + "|" + daily["day"]
    daily["w"] = 1.0
    # a cell with a single day has no variance; it is dropped (and would be suppressed: the
    # catalogue asks for at least 7 days)
    daily = daily[daily.groupby("cell")["day"].transform("size") >= 2]
    if daily.empty:
        return empty_cells()
    ratio = estimate_ratio(
        daily,
        "value",
        "expected",
        weight="w",
        strata="cell",
        psu="psu",
        level=level,
        domain=["neighbourhood_id", "period_start"],
    )
    ratio["n_effective"] = ratio["n"].astype(float)
    return to_cells(ratio, catalogue.SENSING_FOOTFALL)
