"""Sufficient statistics of the digital shares: one row per cell x author x indicator.

A digital share (:data:`~barometer.aggregate.digital.DIGITAL_SPECS`) of a neighbourhood x
month is the author-weighted mean of 0/1 flags, with a cluster bootstrap over authors. Both
need, per author of the cell, only how many of their posts the task scored (``n_posts``) and
how many of those were flagged (``n_flagged``): the author's mean is ``n_flagged / n_posts``,
the author has a flagged post when ``n_flagged > 0`` and an unflagged one when
``n_flagged < n_posts`` (what disclosure control counts). So the aggregate step works from this
table, not from posts: it is built per partition of posts (one source and one UTC month),
concatenated, and summed where two partitions share a cell and author (cells are months on
the city's clock, so a local month's first hours lie in the partition of the UTC month
before).

Its size grows with the authors active per cell, not with their posts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barometer.aggregate.cells import month_start
from barometer.ids import isin_ids

#: columns of the ``cell_stats`` table; one row per key (the first four)
CELL_STATS_COLUMNS = [
    "neighbourhood_id",
    "period_start",
    "author_pseudonym",
    "indicator",
    "n_posts",
    "n_flagged",
]
_KEY = CELL_STATS_COLUMNS[:4]


def empty_cell_stats() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c.startswith("n_") else object) for c in CELL_STATS_COLUMNS}
    )


def cell_stats(posts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The ``cell_stats`` rows of ``posts`` (``post_id, author_pseudonym, neighbourhood_id,
    created_at, is_repost``) and their current ``scores`` (see
    :func:`barometer.scoring.current_scores`).

    Only original posts placed in a neighbourhood count (reposts would count one voice twice);
    a post counts for an indicator only when the indicator's task scored it.
    """
    from barometer.aggregate.digital import DIGITAL_SPECS

    located = posts[~posts["is_repost"].astype(bool) & posts["neighbourhood_id"].notna()]
    base = located[["post_id", "author_pseudonym", "neighbourhood_id", "created_at"]].copy()
    base["period_start"] = month_start(base["created_at"])
    frames = []
    for spec in DIGITAL_SPECS:
        denominator = scores.loc[scores["task"] == spec.task, "post_id"].unique()
        if len(denominator) == 0:
            continue
        labelled = scores[scores["task"] == (spec.label_task or spec.task)]
        passed = spec.test(labelled["label"].astype(str)).to_numpy(dtype=bool)
        flagged = labelled["post_id"].to_numpy()[passed]
        scored = base[isin_ids(base["post_id"], denominator)]
        if scored.empty:
            continue
        flag = isin_ids(scored["post_id"], flagged).astype(np.int64)
        grouped = (
            scored[["neighbourhood_id", "period_start", "author_pseudonym"]]
            .assign(n_posts=1, n_flagged=flag)
            .groupby(["neighbourhood_id", "period_start", "author_pseudonym"], sort=True)
            .sum()
            .reset_index()
        )
        frames.append(grouped.assign(indicator=spec.indicator)[CELL_STATS_COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else empty_cell_stats()


def merge_cell_stats(parts: list[pd.DataFrame], *, overlapping: bool = True) -> pd.DataFrame:
    """One ``cell_stats`` table from per-partition ones; rows keep the parts' order (the
    digital aggregate sorts each indicator's rows itself).

    With ``overlapping``, rows of the same cell, author and indicator in two parts are added
    up: cells are months on the city's clock and partitions UTC months, so the first hours of a
    local month may lie in the partition of the month before (and parts written before
    partitions may share any row). ``False`` is for parts known to be disjoint.
    """
    kept = [p for p in parts if not p.empty]
    if not kept:
        return empty_cell_stats()
    stacked = pd.concat(kept, ignore_index=True)
    if overlapping and len(kept) > 1 and stacked.duplicated(_KEY).any():
        stacked = stacked.groupby(_KEY, sort=False).sum().reset_index()
    return stacked[CELL_STATS_COLUMNS]
