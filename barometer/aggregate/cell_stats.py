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
import pyarrow as pa

from barometer.aggregate.cells import month_start
from barometer.aggregate.out_of_core import Source
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
#: the table's types (as stored per partition, see :mod:`barometer.summary_cache`)
CELL_STATS_SCHEMA = pa.schema(
    [
        ("neighbourhood_id", pa.string()),
        ("period_start", pa.date32()),
        ("author_pseudonym", pa.string()),
        ("indicator", pa.string()),
        ("n_posts", pa.int64()),
        ("n_flagged", pa.int64()),
    ]
)
#: a ``cell_stats`` table, or the Parquet files of the partitions' tables
CellStatsSource = Source


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
    keys = ["neighbourhood_id", "period_start", "author_pseudonym"]
    # one integer per cell x author, numbered in sorted key order; then each indicator's
    # counts are two bincounts instead of a groupby over the string keys
    group = base.groupby(keys, sort=True).ngroup().to_numpy()
    valid = group >= 0  # a missing key (no author, no time) is in no cell
    n_groups = int(group[valid].max()) + 1 if valid.any() else 0
    first = np.zeros(n_groups, dtype=np.int64)
    first[group[valid][::-1]] = np.flatnonzero(valid)[::-1]  # each group's first row
    groups = base[keys].iloc[first].reset_index(drop=True)
    frames = []
    for spec in DIGITAL_SPECS:
        denominator = scores.loc[scores["task"] == spec.task, "post_id"]
        if len(denominator) == 0:
            continue
        labelled = scores[scores["task"] == (spec.label_task or spec.task)]
        passed = spec.test(labelled["label"].astype(str)).to_numpy(dtype=bool)
        scored = isin_ids(base["post_id"], denominator) & valid
        if not scored.any():
            continue
        flag = scored & isin_ids(base["post_id"], labelled["post_id"].to_numpy()[passed])
        n_posts = np.bincount(group[scored], minlength=n_groups)
        present = n_posts > 0
        frames.append(
            groups[present]
            .reset_index(drop=True)
            .assign(
                indicator=spec.indicator,
                n_posts=n_posts[present].astype(np.int64),
                n_flagged=np.bincount(group[flag], minlength=n_groups)[present].astype(np.int64),
            )[CELL_STATS_COLUMNS]
        )
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
