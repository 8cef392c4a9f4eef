"""Simulated hourly footfall counters at public meeting places.

Expected count of sensor ``s`` in district ``n`` at local hour ``h`` of month ``m``::

    mu = base_s * profile[site_type][hour_of_week(h)] * seasonality[site_type][month_of_year]
         * exp(0.12 * (T[n, m] - mean_m T0[n, m])) * day_noise * hour_noise

where ``T0`` is latent trust without the action (so the centring does not absorb the action),
``day_noise`` and ``hour_noise`` are mean-one lognormal (sd of log 0.15 and 0.10), and the count
is Poisson(mu). Counts are people per hour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Point, Polygon

from barometer.synthetic._common import TIMEZONE, as_float, local_iso
from barometer.synthetic.municipality import DISTRICTS, random_points_in

TRUST_ELASTICITY = 0.12
#: (sensor_id, name, site_type, neighbourhood_id, base count per hour at profile 1)
SENSORS: tuple[tuple[str, str, str, str, float], ...] = (
    ("fc-fittja-torg", "Fittja torg", "square", "fittja", 140.0),
    ("fc-fittja-bibl", "Fittja bibliotek", "library", "fittja", 45.0),
    ("fc-fittja-ungd", "Fittja ungdomsgård", "youth_centre", "fittja", 25.0),
    ("fc-hallunda-torg", "Hallunda torg", "square", "hallunda", 120.0),
    ("fc-hallunda-sporthall", "Hallunda sporthall", "sports_hall", "hallunda", 40.0),
    ("fc-alby-torg", "Alby torg", "square", "alby", 130.0),
    ("fc-alby-bibl", "Alby bibliotek", "library", "alby", 40.0),
    ("fc-norsborg-ungd", "Norsborg fritidsgård", "youth_centre", "norsborg", 22.0),
    ("fc-tumba-torg", "Tumba torg", "square", "tumba", 220.0),
    ("fc-tumba-bibl", "Tumba bibliotek", "library", "tumba", 60.0),
    ("fc-storvreten-sporthall", "Storvretens sporthall", "sports_hall", "storvreten", 35.0),
    ("fc-tullinge-torg", "Tullinge torg", "square", "tullinge", 150.0),
    ("fc-tullinge-bibl", "Tullinge bibliotek", "library", "tullinge", 35.0),
    ("fc-eriksberg-ungd", "Eriksbergs träffpunkt", "youth_centre", "eriksberg", 18.0),
    ("fc-varsta-sporthall", "Vårsta sporthall", "sports_hall", "varsta", 30.0),
)
SEASONALITY: dict[str, tuple[float, ...]] = {  # January .. December
    "square": (0.75, 0.75, 0.85, 0.95, 1.1, 1.2, 1.25, 1.2, 1.05, 0.95, 0.85, 0.9),
    "library": (1.1, 1.1, 1.1, 1.05, 0.95, 0.8, 0.65, 0.75, 1.05, 1.1, 1.15, 1.0),
    "sports_hall": (1.15, 1.15, 1.1, 1.0, 0.85, 0.7, 0.5, 0.7, 1.1, 1.15, 1.2, 1.0),
    "youth_centre": (1.0, 1.0, 1.05, 1.05, 1.0, 0.9, 0.7, 0.8, 1.05, 1.1, 1.1, 1.0),
}


def hour_profile(site_type: str, weekday: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """Relative footfall (about 1 at a busy hour) by local weekday (0=Monday) and hour."""
    wk = weekday >= 5
    h = hour.astype(float)
    if site_type == "square":
        day = np.exp(-0.5 * ((h - 13.5) / 4.0) ** 2)
        return np.where(wk, 0.8, 1.0) * (0.05 + day)
    if site_type == "library":
        open_ = np.where(wk, (h >= 11) & (h < 16), (h >= 10) & (h < 19))
        return open_ * (0.6 + 0.4 * np.exp(-0.5 * ((h - 15) / 2.5) ** 2)) + 0.01
    if site_type == "sports_hall":
        open_ = np.where(wk, (h >= 9) & (h < 18), (h >= 16) & (h < 22))
        return open_ * 1.0 + 0.02
    open_ = np.where(wk, (h >= 14) & (h < 20), (h >= 15) & (h < 21)) & (weekday != 6)
    return open_ * 1.0 + 0.01


def simulate_footfall(
    rng: np.random.Generator, trust: pd.DataFrame, trust0: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Hourly counts, one column per sensor, with planted defects; returns (wide frame, defects).

    The frame's first column ``timestamp`` is local Europe/Stockholm time with offset; cells are
    nullable integers (missing = outage).
    """
    utc = pd.date_range("2022-12-31T23:00Z", "2025-12-31T22:00Z", freq="h")
    local = utc.tz_convert(TIMEZONE)
    month = local.strftime("%Y-%m")
    moy = local.month.to_numpy() - 1
    weekday, hour = local.day_of_week.to_numpy(), local.hour.to_numpy()
    day_idx = (local.normalize().tz_localize(None) - pd.Timestamp("2023-01-01")).days.to_numpy()
    out: dict[str, Any] = {"timestamp": local_iso(utc)}
    for sid, _name, stype, nbh, base in SENSORS:
        t = np.asarray(trust.loc[nbh, list(month)], dtype=float)
        factor = np.exp(TRUST_ELASTICITY * (t - as_float(trust0.loc[nbh].mean())))
        day_noise = rng.lognormal(-(0.15**2) / 2, 0.15, day_idx.max() + 1)[day_idx]
        hour_noise = rng.lognormal(-(0.10**2) / 2, 0.10, len(utc))
        mu = (
            base
            * hour_profile(stype, weekday, hour)
            * np.array(SEASONALITY[stype])[moy]
            * factor
            * day_noise
            * hour_noise
        )
        out[sid] = rng.poisson(mu).astype("int64")
    wide = pd.DataFrame(out)
    for sid, *_ in SENSORS:
        wide[sid] = wide[sid].astype("Int64")
    return wide, _plant_defects(rng, wide)


def _plant_defects(rng: np.random.Generator, wide: pd.DataFrame) -> dict[str, Any]:
    ids = [s[0] for s in SENSORS]
    n = len(wide)
    outages = []
    target = int(0.02 * n * len(ids))
    total = 0
    while total < target:
        sid = str(rng.choice(ids))
        length = int(rng.integers(1, 15)) * 24
        start = int(rng.integers(0, n - length))
        seg = wide[sid].iloc[start : start + length]
        if seg.isna().any():
            continue
        wide.loc[wide.index[start : start + length], sid] = pd.NA
        outages.append({"sensor_id": sid, "start": wide.at[start, "timestamp"], "hours": length})
        total += length
    stuck_sid, stuck_len = "fc-tumba-torg", 60
    start = int(np.flatnonzero(wide["timestamp"].str.startswith("2025-02-10T12"))[0])
    wide.loc[wide.index[start : start + stuck_len], stuck_sid] = 187
    stuck = {
        "sensor_id": stuck_sid,
        "start": wide.at[start, "timestamp"],
        "hours": stuck_len,
        "value": 187,
    }
    bad: list[dict[str, Any]] = []
    values = (-1, -1, -58, 20655, 65535, 99999)
    for value in values:
        while True:
            sid, row = str(rng.choice(ids)), int(rng.integers(0, n))
            if not pd.isna(as_float(wide.at[row, sid])) and not (
                sid == stuck_sid and start <= row < start + stuck_len
            ):
                break
        wide.at[row, sid] = value
        bad.append({"sensor_id": sid, "timestamp": wide.at[row, "timestamp"], "value": value})
    return {
        "outage_runs": outages,
        "n_outage_runs": len(outages),
        "outage_cells": total,
        "missing_cells": int(wide[ids].isna().sum().sum()),
        "stuck": stuck,
        "negative_values": [b for b, v in zip(bad, values, strict=True) if v < 0],
        "impossible_values": [b for b, v in zip(bad, values, strict=True) if v > 20000],
    }


def sensor_sites(
    rng: np.random.Generator, polygons: dict[str, Polygon | MultiPolygon]
) -> pd.DataFrame:
    """``sensor_id, name, site_type, neighbourhood_id, lat, lon`` (degrees, inside the district)."""
    rows = []
    centres = {d.neighbourhood_id: Point(d.lon, d.lat) for d in DISTRICTS}
    for sid, name, stype, nbh, _base in SENSORS:
        lon, lat = random_points_in(rng, polygons[nbh], 1, near=centres[nbh], spread_deg=0.003)[0]
        rows.append((sid, name, stype, nbh, lat, lon))
    return pd.DataFrame(
        rows, columns=["sensor_id", "name", "site_type", "neighbourhood_id", "lat", "lon"]
    )
