"""Simulated structured observation of public spaces (KoboToolbox-style export).

Per session at a site in district ``n`` during month ``m`` with latent trust ``T = T[n, m]``::

    people        ~ Poisson(site mean)
    interactions  ~ Binomial(people, 0.25)
    mixed         ~ Binomial(interactions, sigmoid(-1.2 + 0.45 (T - 5.5)))
    conflicts     ~ Poisson(0.02 * people * exp(-0.3 (T - 5.5)))
    staying       ~ Binomial(people, 0.45)
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Point, Polygon

from barometer.synthetic._common import TIMEZONE, as_float, as_int, local_iso, months, sigmoid
from barometer.synthetic.municipality import DISTRICTS, random_points_in

PARAMS: dict[str, Any] = {
    "sessions_per_site_month": 3,
    "duration_minutes": [30, 60],
    "p_interaction": 0.25,
    "p_mixed": "sigmoid(-1.2 + 0.45 * (T - 5.5))",
    "conflict_rate": "0.02 * people * exp(-0.3 * (T - 5.5))",
    "p_staying": 0.45,
}
SITE_KINDS: tuple[tuple[str, str, float], ...] = (
    ("torg", "square", 38.0),
    ("lekplats", "playground", 16.0),
)
OBSERVERS = (
    "Maja Ekvall",
    "Dilan Sarvi",
    "Omar Haddu",
    "Linnea Strand",
    "Samira Jusuf",
    "Erik Malmgren",
    "Hodan Warsame",
    "Tove Lindahl",
)


def p_mixed(trust: np.ndarray | float) -> np.ndarray:
    """Probability (0-1) that an interaction is mixed across apparent age/origin groups."""
    return sigmoid(-1.2 + 0.45 * (np.asarray(trust, dtype=float) - 5.5))


def observation_sites(
    rng: np.random.Generator, polygons: dict[str, Polygon | MultiPolygon]
) -> pd.DataFrame:
    """Two sites per district.

    Columns ``site_id, name, site_type, neighbourhood_id, lat, lon`` (degrees) and
    ``mean_people`` (expected people counted per session).
    """
    rows = []
    for d in DISTRICTS:
        for suffix, stype, mean in SITE_KINDS:
            lon, lat = random_points_in(
                rng, polygons[d.neighbourhood_id], 1, near=Point(d.lon, d.lat), spread_deg=0.004
            )[0]
            scale = 1.3 if d.population > 12000 else 1.0
            rows.append(
                (
                    f"obs-{d.neighbourhood_id}-{suffix}",
                    f"{d.name} {suffix}",
                    stype,
                    d.neighbourhood_id,
                    lat,
                    lon,
                    round(mean * scale, 1),
                )
            )
    return pd.DataFrame(
        rows,
        columns=["site_id", "name", "site_type", "neighbourhood_id", "lat", "lon", "mean_people"],
    )


def _session(rng: np.random.Generator, first: pd.Timestamp, site: Any, t: float) -> dict[str, Any]:
    """One observation session at ``site`` in the month starting ``first`` (local time), its
    mixed interactions and conflicts driven by the district's trust ``t`` (0-10)."""
    day = int(rng.integers(0, first.days_in_month))
    start_local = first + pd.Timedelta(
        days=day,
        hours=int(rng.integers(9, 19)),
        minutes=int(rng.choice([0, 15, 30, 45])),
    )
    dur = int(rng.integers(30, 61))
    people = int(rng.poisson(as_float(site.mean_people)))
    inter = int(rng.binomial(people, PARAMS["p_interaction"]))
    return {
        "start_local": start_local,
        "minutes": dur,
        "site_id": site.site_id,
        "observer": str(rng.choice(OBSERVERS)),
        "people/total": people,
        "people/staying": int(rng.binomial(people, PARAMS["p_staying"])),
        "interactions/total": inter,
        "interactions/mixed": int(rng.binomial(inter, float(p_mixed(t)))),
        "interactions/conflicts": int(rng.poisson(0.02 * people * np.exp(-0.3 * (t - 5.5)))),
        "lag_minutes": int(rng.integers(5, 3 * 24 * 60)),
    }


def _kobo_layout(
    rng: np.random.Generator, df: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """The sessions (sorted by local start) as Kobo export rows, with ids and submission times;
    also their UTC starts."""
    start = (
        pd.DatetimeIndex(df["start_local"])
        .tz_localize(TIMEZONE, ambiguous=np.zeros(len(df), dtype=bool), nonexistent="shift_forward")
        .tz_convert("UTC")
    )
    end = start + pd.to_timedelta(df["minutes"], unit="m")
    submitted = end + pd.to_timedelta(df["lag_minutes"], unit="m")
    ids = 31_000_000 + np.cumsum(rng.integers(1, 40, len(df)))
    out = pd.DataFrame(
        {
            "_id": ids,
            "_uuid": [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(len(df))],
            "start": local_iso(start),
            "end": local_iso(end),
            "site_id": df["site_id"],
            "observer": df["observer"],
            **{
                c: df[c]
                for c in (
                    "people/total",
                    "people/staying",
                    "interactions/total",
                    "interactions/mixed",
                    "interactions/conflicts",
                )
            },
            "_submission_time": pd.DatetimeIndex(submitted).strftime("%Y-%m-%dT%H:%M:%S"),
        }
    )
    return out, start


def simulate_sessions(
    rng: np.random.Generator, trust: pd.DataFrame, sites: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per session in the Kobo export layout; returns (frame, planted defects)."""
    recs: list[dict[str, Any]] = []
    k = PARAMS["sessions_per_site_month"]
    for month in months():
        first = pd.Timestamp(f"{month}-01")
        for site in sites.itertuples():
            t = as_float(trust.at[site.neighbourhood_id, month])
            recs.extend(_session(rng, first, site, t) for _ in range(k))
    df = pd.DataFrame(recs).sort_values(["start_local", "site_id"], kind="stable")
    df = df.reset_index(drop=True)
    out, start = _kobo_layout(rng, df)
    return out, _plant_defects(rng, out, start)


def _plant_defects(
    rng: np.random.Generator, out: pd.DataFrame, start: pd.DatetimeIndex
) -> dict[str, Any]:
    rows = rng.choice(np.flatnonzero(out["interactions/total"].to_numpy() >= 2), 8, replace=False)
    mixed_rows, time_rows = rows[:5], rows[5:]
    for r in mixed_rows:
        out.at[r, "interactions/mixed"] = as_int(out.at[r, "interactions/total"]) + int(
            rng.integers(1, 6)
        )
    for r in time_rows:
        out.at[r, "end"] = local_iso(pd.DatetimeIndex([start[r] - pd.Timedelta(minutes=40)]))[0]
    return {
        "mixed_gt_total": sorted(as_int(out.at[r, "_id"]) for r in mixed_rows),
        "end_before_start": sorted(as_int(out.at[r, "_id"]) for r in time_rows),
        "mixed_gt_total_uuid": sorted(str(out.at[r, "_uuid"]) for r in mixed_rows),
        "end_before_start_uuid": sorted(str(out.at[r, "_uuid"]) for r in time_rows),
    }
