"""Aggregate step: canonical tables -> indicator cells per neighbourhood x month, with intervals.

Pure functions; each returns a long frame with the columns in :data:`CELL_COLUMNS`. Suppression
and the run id are added at publish time. Months are calendar months in UTC (``period = "M"``,
``period_start`` = the first day of the month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError
from barometer.indicators import CATALOGUE
from barometer.stats.intervals import poisson_rate_interval, wilson_interval
from barometer.stats.resample import author_weighted_shares
from barometer.stats.survey import estimate_domain_means, estimate_ratio

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


def _cells(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    out = frame.copy()
    out["indicator"] = indicator
    out["period"] = "M"
    out["method"] = CATALOGUE[indicator].method
    return out[CELL_COLUMNS]


def aggregate_digital(
    posts: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    n_boot: int,
    level: float,
    seed: int,
) -> pd.DataFrame:
    """Author-weighted shares of negative, trust-expressing and distrust-expressing posts.

    Uses original posts only (reposts would count one voice twice) that are placed in a
    neighbourhood. A post enters the negative share only if the sentiment model scored it
    (e.g. no sentiment lexicon exists for Somali, so Somali posts are not in that share).
    Each author's posts in a cell are averaged first, so every author counts once. Trust
    labels are ``trust_<target>`` / ``distrust_<target>`` (interpersonal or institutional).
    """
    located = posts[~posts["is_repost"] & posts["neighbourhood_id"].notna()]
    base = located[["post_id", "author_pseudonym", "neighbourhood_id", "created_at"]].copy()
    base["period_start"] = month_start(base["created_at"])
    frames = []
    specs = [
        ("sentiment", "negative", "digital_negative_share"),
        ("trust_expression", "trust_", "digital_trust_share"),
        ("trust_expression", "distrust_", "digital_distrust_share"),
    ]
    for offset, (task, label_prefix, indicator) in enumerate(specs):
        task_scores = scores[scores["task"] == task]
        if task_scores.empty:
            continue
        best = task_scores.sort_values("probability", ascending=False).drop_duplicates("post_id")
        labels = best.set_index("post_id")["label"].astype(str)
        flag = labels.str.startswith(label_prefix).astype(float)
        scored = base[base["post_id"].isin(flag.index)].copy()
        if scored.empty:
            continue
        scored["flag"] = scored["post_id"].map(flag)
        shares = author_weighted_shares(
            scored,
            by=["neighbourhood_id", "period_start"],
            cluster="author_pseudonym",
            indicator="flag",
            n_boot=n_boot,
            level=level,
            seed=seed + offset,
        )
        frames.append(_cells(shares, indicator))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CELL_COLUMNS)


def aggregate_survey(responses: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Design-based neighbourhood means of survey items per wave.

    Each wave is its own design (weights, strata, PSUs); neighbourhoods are domains. The cell's
    month is the month of the wave's median interview date.
    """
    frames = []
    items = {"ppltrst": "survey_ppltrst_mean", "trust_neighbours": "survey_trust_neighbours_mean"}
    for wave_id, wave in responses.groupby("wave", sort=True):
        month = month_start(pd.Series([wave["interview_date"].median()])).iloc[0]
        for item, indicator in items.items():
            try:
                estimate = estimate_domain_means(
                    wave,
                    item,
                    domain="neighbourhood_id",
                    weight="weight",
                    strata="stratum",
                    psu="psu",
                    level=level,
                    lonely_psu="certainty",
                )
            except EstimationError as exc:
                raise EstimationError(f"survey wave {wave_id}, item {item}: {exc}") from exc
            estimate["period_start"] = month
            frames.append(_cells(estimate, indicator))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CELL_COLUMNS)


def footfall_baseline(readings: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Each sensor's mean count per hour of week over its first ``months`` months of clean data.

    Returns columns ``sensor_id, hour_of_week, baseline`` (people per hour).
    """
    ok = readings[readings["flag"] == "ok"].copy()
    start = ok.groupby("sensor_id")["ts"].transform("min")
    ok = ok[ok["ts"] < start + pd.DateOffset(months=months)]
    ok["hour_of_week"] = ok["ts"].dt.day_of_week * 24 + ok["ts"].dt.hour
    return ok.groupby(["sensor_id", "hour_of_week"], as_index=False).agg(baseline=("value", "mean"))


def aggregate_sensing(readings: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Footfall index = observed / baseline counts over clean readings, per neighbourhood-month.

    Readings flagged as gaps, stuck or impossible are excluded, as are hours with no baseline.
    The interval is a linearised ratio interval with days as clusters within each cell.
    """
    footfall = readings[(readings["metric"] == "footfall") & readings["neighbourhood_id"].notna()]
    if footfall.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    baseline = footfall_baseline(footfall)
    ok = footfall[footfall["flag"] == "ok"].copy()
    ok["hour_of_week"] = ok["ts"].dt.day_of_week * 24 + ok["ts"].dt.hour
    ok = ok.merge(baseline, on=["sensor_id", "hour_of_week"], how="inner")
    ok["day"] = ok["ts"].dt.strftime("%Y-%m-%d")
    ok["period_start"] = month_start(ok["ts"])
    daily = ok.groupby(["neighbourhood_id", "period_start", "day"], as_index=False)[
        ["value", "baseline"]
    ].sum()
    daily["cell"] = daily["neighbourhood_id"] + "|" + daily["period_start"].astype(str)
    daily["psu"] = daily["cell"] + "|" + daily["day"]
    daily["w"] = 1.0
    # cells with a single day cannot give a variance; they are dropped here and are
    # suppressed anyway (min_cell = 7 days)
    days = daily.groupby("cell")["day"].transform("size")
    daily = daily[days >= 2]
    ratio = estimate_ratio(
        daily,
        "value",
        "baseline",
        weight="w",
        strata="cell",
        psu="psu",
        level=level,
        domain=["neighbourhood_id", "period_start"],
    )
    ratio["n_effective"] = ratio["n"].astype(float)
    return _cells(ratio, "sensing_footfall_index")


def aggregate_observation(sessions: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Mixed-interaction rate (per 100 interactions) and conflict rate (per 100 people)."""
    located = sessions[sessions["neighbourhood_id"].notna()].copy()
    if located.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    located["period_start"] = month_start(located["start"])
    sums = located.groupby(["neighbourhood_id", "period_start"], as_index=False).agg(
        mixed=("n_mixed_interactions", "sum"),
        interactions=("n_interactions", "sum"),
        conflicts=("n_conflicts", "sum"),
        people=("n_people", "sum"),
        sessions=("observation_id", "size"),
    )
    sums["n_effective"] = sums["sessions"].astype(float)
    mixed_lower, mixed_upper = wilson_interval(sums["mixed"], sums["interactions"], level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        mixed = sums.assign(
            value=100 * sums["mixed"] / sums["interactions"].where(sums["interactions"] > 0),
            lower=100 * np.asarray(mixed_lower),
            upper=100 * np.asarray(mixed_upper),
        )
        conflict_lower, conflict_upper = poisson_rate_interval(
            sums["conflicts"], sums["people"], level=level
        )
        conflicts = sums.assign(
            value=100 * sums["conflicts"] / sums["people"].where(sums["people"] > 0),
            lower=100 * np.asarray(conflict_lower),
            upper=100 * np.asarray(conflict_upper),
        )
    return pd.concat(
        [_cells(mixed, "observation_mixed_rate"), _cells(conflicts, "observation_conflict_rate")],
        ignore_index=True,
    )


def coverage_table(
    posts: pd.DataFrame,
    responses: pd.DataFrame,
    readings: pd.DataFrame,
    sessions: pd.DataFrame,
) -> pd.DataFrame:
    """Rows per source, neighbourhood and month (``neighbourhood_id`` null = not placed).

    Sensing counts clean hours (flag ``ok``) and flagged hours separately.
    """
    parts = []

    def count(frame: pd.DataFrame, ts: str, source: str) -> None:
        if frame.empty:
            return
        grouped = (
            frame.assign(period_start=month_start(frame[ts]))
            .groupby(["neighbourhood_id", "period_start"], dropna=False, as_index=False)
            .size()
            .rename(columns={"size": "rows"})
        )
        parts.append(grouped.assign(source=source))

    count(posts[~posts["is_repost"]], "created_at", "social")
    count(responses, "interview_date", "survey")
    count(readings[readings["flag"] == "ok"], "ts", "sensing_ok_hours")
    count(readings[readings["flag"] != "ok"], "ts", "sensing_flagged_hours")
    count(sessions, "start", "observation")
    if not parts:
        return pd.DataFrame(columns=["source", "neighbourhood_id", "period_start", "rows"])
    out = pd.concat(parts, ignore_index=True)
    return out[["source", "neighbourhood_id", "period_start", "rows"]]
