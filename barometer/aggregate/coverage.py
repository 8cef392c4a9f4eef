"""Coverage of each source per neighbourhood and month (for the data-quality page)."""

from __future__ import annotations

import pandas as pd

from barometer.aggregate.cells import month_start


def coverage_table(
    posts: pd.DataFrame,
    responses: pd.DataFrame,
    readings: pd.DataFrame,
    sessions: pd.DataFrame,
    social: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows per source, neighbourhood and month (``neighbourhood_id`` null = not placed).

    Sensing counts clean hours (flag ``ok``) and flagged hours separately. ``social``: the
    original posts' rows per neighbourhood and month when counted already (partition by
    partition, :mod:`barometer.aggregate.post_summaries`); ``posts`` are then not read.
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

    if social is None:
        count(posts[~posts["is_repost"]], "created_at", "social")
    elif not social.empty:
        parts.append(social.assign(source="social"))
    count(responses, "interview_date", "survey")
    count(readings[readings["flag"] == "ok"], "ts", "sensing_ok_hours")
    count(readings[readings["flag"] != "ok"], "ts", "sensing_flagged_hours")
    count(sessions, "start", "observation")
    if not parts:
        return pd.DataFrame(columns=["source", "neighbourhood_id", "period_start", "rows"])
    out = pd.concat(parts, ignore_index=True)
    return out[["source", "neighbourhood_id", "period_start", "rows"]]
