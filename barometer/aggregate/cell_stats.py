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

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from barometer.aggregate.cells import month_start
from barometer.aggregate.out_of_core import Source
from barometer.ids import positions_of_ids

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
    group = base.groupby(keys, sort=True).ngroup().fillna(-1).to_numpy(dtype=np.int64)
    valid = group >= 0  # a missing key (no author, no time: NaN, here -1) is in no cell
    n_groups = int(group[valid].max()) + 1 if valid.any() else 0
    first = np.zeros(n_groups, dtype=np.int64)
    first[group[valid][::-1]] = np.flatnonzero(valid)[::-1]  # each group's first row
    groups = base[keys].iloc[first].reset_index(drop=True)
    rows = _ScoreRows(base["post_id"], scores)
    picked: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for spec in DIGITAL_SPECS:
        scored = rows.posts_of(spec.task) & valid
        if not scored.any():
            continue
        flag = scored & rows.posts_of(spec.label_task or spec.task, spec.test)
        n_posts = np.bincount(group[scored], minlength=n_groups)
        present = np.flatnonzero(n_posts > 0)
        n_flagged = np.bincount(group[flag], minlength=n_groups)
        picked.append((spec.indicator, present, n_posts[present], n_flagged[present]))
    if not picked:
        return empty_cell_stats()
    out = groups.take(np.concatenate([p[1] for p in picked])).reset_index(drop=True)
    names = np.array([p[0] for p in picked], dtype=object)
    out["indicator"] = np.repeat(names, [len(p[1]) for p in picked])
    out["n_posts"] = np.concatenate([p[2] for p in picked]).astype(np.int64)
    out["n_flagged"] = np.concatenate([p[3] for p in picked]).astype(np.int64)
    return out[CELL_STATS_COLUMNS]


class _ScoreRows:
    """The ``scores`` rows of a set of posts, coded once: each row's post (its position
    among the posts' distinct ids), task and label as integers, so that "the posts a task
    scored" or "labelled so" is a few array operations, not a filter of the string frame."""

    def __init__(self, post_ids: pd.Series, scores: pd.DataFrame) -> None:
        if scores.empty:  # no score rows (no model ran): the frame may lack its columns
            scores = pd.DataFrame(
                {c: pd.Series(dtype=object) for c in ("post_id", "task", "label")}
            )
        self.codes, uniques = pd.factorize(post_ids)  # a missing id (-1) is never a member
        self.n_ids = len(uniques)
        none = np.zeros(0, dtype=np.int64)
        self.where = positions_of_ids(scores["post_id"], uniques) if len(scores) else none
        task, self.tasks = pd.factorize(scores["task"])
        self.task = np.asarray(task)
        self.labels = scores["label"]
        self.label, _ = pd.factorize(self.labels, use_na_sentinel=True)

    def posts_of(
        self, task: str, test: Callable[[pd.Series], pd.Series] | None = None
    ) -> np.ndarray:
        """Boolean per post: whether a ``task`` row of it exists (whose label, as ``str``,
        passes ``test``)."""
        at = np.flatnonzero(np.asarray(self.tasks == task, dtype=bool))
        rows = self.task == at[0] if len(at) else np.zeros(len(self.task), dtype=bool)
        rows &= self.where >= 0
        if test is not None and rows.any():
            rows &= self._passed(test)[self.label]
        member = np.zeros(self.n_ids + 1, dtype=bool)  # the last entry: a missing id
        member[self.where[rows]] = True
        member[-1] = False
        return member[self.codes]

    def _passed(self, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
        """``test`` of each distinct label (as ``str``), indexed by label code (-1: missing)."""
        codes = np.append(np.arange(self.label.max() + 1), -1)
        # one row per code (the missing one last, taken from a missing label if any)
        firsts = np.full(len(codes), -1, dtype=np.int64)
        seen = self.label >= 0
        firsts[self.label[seen][::-1]] = np.flatnonzero(seen)[::-1]
        missing = np.flatnonzero(~seen)
        if len(missing):
            firsts[-1] = missing[0]
        passed = np.zeros(len(codes), dtype=bool)
        known = firsts >= 0
        values = self.labels.iloc[firsts[known]].astype(str).reset_index(drop=True)
        passed[known] = np.asarray(test(values), dtype=bool)
        return passed


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
