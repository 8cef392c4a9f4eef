"""What the aggregate step needs of the posts, built one partition at a time and merged.

Every post-level input of the indicators has a compact summary whose size grows with the
cells, authors and languages, not with the posts:

- ``cell_stats`` (:mod:`barometer.aggregate.cell_stats`): the digital shares and their
  bootstraps;
- ``languages`` (:func:`barometer.validity.merge_cell_languages`): each cell's languages and
  whether each task measured them, for the indicators' ``validity``;
- ``coverage``: original posts per neighbourhood and month (the social rows of ``coverage``).

A partition of posts (:mod:`barometer.partitions`) is one source and one UTC month; its
summaries are built on the city's clock (the pipeline passes posts in the city's time zone),
so a cell may draw on two partitions, and merging adds up what they share. Only the term
shifts read texts, and only those of the months they compare (:func:`term_window_start`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from barometer.aggregate.cell_stats import CellStatsSource, cell_stats, merge_cell_stats
from barometer.aggregate.cells import month_start
from barometer.aggregate.interval_cache import IntervalCache
from barometer.validity import LanguagePart, cell_language_part, merge_cell_languages

#: columns of ``posts`` the summaries read (no text)
SUMMARY_COLUMNS = [
    "post_id",
    "source",
    "author_pseudonym",
    "neighbourhood_id",
    "created_at",
    "lang",
    "is_repost",
]


@dataclass
class PartitionSummary:
    """The summaries of one partition of posts."""

    cell_stats: pd.DataFrame
    languages: LanguagePart
    coverage: pd.DataFrame


@dataclass
class PostSummaries:
    """The merged summaries of every partition (``cell_stats``: one table, or the Parquet
    files of the partitions' tables, merged where they are read)."""

    cell_stats: CellStatsSource
    languages: pd.DataFrame
    coverage: pd.DataFrame
    n_posts: int = 0
    #: where the digital cells' intervals are kept between runs (none: every cell is drawn)
    intervals: IntervalCache | None = None


def summarise_partition(posts: pd.DataFrame, scores: pd.DataFrame) -> PartitionSummary:
    """The summaries of ``posts`` (:data:`SUMMARY_COLUMNS`) and their current ``scores``."""
    original = posts[~posts["is_repost"].astype(bool)]
    coverage = (
        original[["neighbourhood_id"]]
        .assign(period_start=month_start(original["created_at"]))
        .groupby(["neighbourhood_id", "period_start"], dropna=False, as_index=False)
        .size()
        .rename(columns={"size": "rows"})
    )
    return PartitionSummary(cell_stats(posts, scores), cell_language_part(posts, scores), coverage)


def merge_summaries(parts: list[PartitionSummary], *, overlapping: bool = True) -> PostSummaries:
    """One :class:`PostSummaries` from every partition's (``overlapping``: see
    :func:`~barometer.aggregate.cell_stats.merge_cell_stats`)."""
    if not parts:
        parts = [summarise_partition(_no_posts(), pd.DataFrame(columns=["post_id", "task"]))]
    coverage = pd.concat([p.coverage for p in parts], ignore_index=True)
    grouped = coverage.groupby(["neighbourhood_id", "period_start"], dropna=False, as_index=False)
    coverage = grouped.agg(rows=("rows", "sum"))
    if coverage.empty:  # the same empty frame, however many empty parts
        coverage = pd.DataFrame(columns=["neighbourhood_id", "period_start", "rows"])
    return PostSummaries(
        cell_stats=merge_cell_stats([p.cell_stats for p in parts], overlapping=overlapping),
        languages=merge_cell_languages([p.languages for p in parts]),
        coverage=coverage,
        n_posts=int(coverage["rows"].sum()),
    )


def summarise_posts(posts: pd.DataFrame, scores: pd.DataFrame) -> PostSummaries:
    """The summaries of all of ``posts`` at once (one partition)."""
    return merge_summaries([summarise_partition(posts, scores)])


def term_window_start(coverage: pd.DataFrame, months: int = 15) -> pd.Timestamp | None:
    """First month the term shifts read (:func:`barometer.aggregate.terms.term_shifts`
    compares the last 3 months with the 12 before): ``months - 1`` before the last month with
    an original post, or ``None`` without posts."""
    if coverage.empty:
        return None
    last = pd.to_datetime(pd.Series(coverage["period_start"])).max()
    return pd.Timestamp(last) - pd.DateOffset(months=months - 1)


def _no_posts() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})
    frame["is_repost"] = frame["is_repost"].astype(bool)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame
