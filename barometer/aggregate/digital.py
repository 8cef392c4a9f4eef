"""Digital indicators: author-weighted shares of post labels per neighbourhood x month.

Besides the share, each cell carries what disclosure control needs (dropped before
publication, see :mod:`barometer.disclosure`): ``n_numerator``, the authors with at least one
flagged post, ``n_complement``, those with at least one post not flagged, and, for the
hostility total and its target-group parts, ``flagged_authors``, the set of flagged authors'
pseudonyms (to check that the total minus the published parts singles out nobody).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from barometer import indicators as catalogue
from barometer.aggregate.cell_stats import CELL_STATS_SCHEMA, CellStatsSource, cell_stats
from barometer.aggregate.cells import empty_cells, to_cells
from barometer.aggregate.interval_cache import IntervalCache, cell_fingerprints
from barometer.aggregate.merged_cells import MERGED_SCHEMA, combine, merge_settings
from barometer.aggregate.out_of_core import connection, register
from barometer.indicators import TARGET_GROUPS, THEMES
from barometer.stats.resample import cluster_intervals
from barometer.stats.streams import group_keys, key_hashes, stream_origins


@dataclass(frozen=True)
class DigitalSpec:
    """One digital share: posts scored by ``task`` form the denominator; a post is flagged when
    any of its ``label_task`` labels (default: the same task) passes ``test``."""

    task: str
    test: Callable[[pd.Series], pd.Series]
    indicator: str
    label_task: str | None = None


#: labels counted as hostile: ``hostile`` (hostility toward a group, the current scheme) and the
#: ``hateful`` / ``offensive`` of hostility versions before 2026.3
HOSTILE = ("hostile", "hateful", "offensive")


def _equals(value: str) -> Callable[[pd.Series], pd.Series]:
    return lambda labels: labels == value


DIGITAL_SPECS: list[DigitalSpec] = [
    DigitalSpec("sentiment", lambda labels: labels == "negative", catalogue.DIGITAL_NEGATIVE),
    DigitalSpec(
        "trust_expression", lambda labels: labels.str.startswith("trust_"), catalogue.DIGITAL_TRUST
    ),
    DigitalSpec(
        "trust_expression",
        lambda labels: labels.str.startswith("distrust_"),
        catalogue.DIGITAL_DISTRUST,
    ),
    DigitalSpec("rumour", lambda labels: labels != "none", catalogue.DIGITAL_RUMOUR),
    DigitalSpec("hostility", lambda labels: labels.isin(HOSTILE), catalogue.DIGITAL_HOSTILITY),
    # the target model scores hostile posts only, so these shares are of all scored posts
    *[
        DigitalSpec(
            "hostility",
            _equals(group),
            catalogue.hostility_target_share(group),
            label_task="hostility_target",
        )
        for group in TARGET_GROUPS
    ],
    DigitalSpec(
        "immigration_attitude",
        lambda labels: labels == "negative",
        catalogue.DIGITAL_IMMIGRATION_NEGATIVE,
    ),
    *[DigitalSpec("theme", _equals(theme), catalogue.theme_share(theme)) for theme in THEMES],
]


def aggregate_digital(
    posts: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    n_boot: int,
    level: float,
    seed: int,
) -> pd.DataFrame:
    """Author-weighted shares of post labels per neighbourhood x month (:data:`DIGITAL_SPECS`).

    Uses original posts only (reposts would count one voice twice) that are placed in a
    neighbourhood. A post enters a share only if that task scored it (e.g. no sentiment lexicon
    exists for Somali, so Somali posts are not in the negative share). Each author's posts in a
    cell are averaged first, so every author counts once. Trust labels are ``trust_<target>`` /
    ``distrust_<target>``; a post may carry several theme labels. Computed from the posts'
    :func:`~barometer.aggregate.cell_stats.cell_stats` (see :func:`digital_from_stats`).
    """
    return digital_from_stats(cell_stats(posts, scores), n_boot=n_boot, level=level, seed=seed)


def digital_from_stats(
    stats: CellStatsSource,
    *,
    n_boot: int,
    level: float,
    seed: int,
    intervals: IntervalCache | None = None,
) -> pd.DataFrame:
    """The digital cells from the ``cell_stats`` table (one row per cell x author x
    indicator, :mod:`barometer.aggregate.cell_stats`): a frame, or the Parquet files of the
    partitions' tables, whose rows of one cell, author and indicator are added up. The
    bootstrap resamples the author rows, as it resampled the authors of the posts; the cell of
    indicator ``k`` of :data:`DIGITAL_SPECS` draws from its own stream, named by ``seed + k``
    and the cell's key (neighbourhood, month), so its interval depends on its own rows only.
    With ``intervals``, cells whose rows are unchanged since they were last drawn take their
    interval from that cache (the same numbers), and only the others are drawn; with its
    ``merged`` cells too, only the months of the partitions that changed since the last run
    are merged again, from the partitions holding rows of those months, and every other cell
    is taken as kept (:mod:`barometer.aggregate.merged_cells`); the files read are then the
    ``merged`` cells' partitions (``stats`` is not read).

    DuckDB merges and sorts one indicator's rows at a time (out of core); what comes back is
    one integer cell code and two counts per author row, and the cells' keys."""
    kept_cells = intervals.merged if intervals is not None else None
    settings = merge_settings(n_boot, level, seed, [spec.indicator for spec in DIGITAL_SPECS])
    plan = kept_cells.plan(settings) if kept_cells is not None else None
    stale = None if plan is None else plan.stale
    bases = [_no_cells()] * len(DIGITAL_SPECS)
    if stale is None or stale:
        with connection() as con:
            register(con, "stats", stats if plan is None else plan.files, CELL_STATS_SCHEMA)
            where = _only_months(con, stale)
            bases = [
                _merge_indicator(con, spec, where, intervals, (n_boot, level, seed + offset))
                for offset, spec in enumerate(DIGITAL_SPECS)
            ]
    frames = []
    for spec, base in zip(DIGITAL_SPECS, bases, strict=True):
        if plan is not None and kept_cells is not None:
            kept = plan.kept[plan.kept["indicator"] == spec.indicator]
            kept_cells.merged += len(base)
            kept_cells.reused += len(kept)
            if intervals is not None:
                intervals.reused += len(kept)  # their intervals are kept with them
            base = combine(kept, base)
        if base.empty:
            continue
        if intervals is not None:
            bounds = (base["lower"].to_numpy(), base["upper"].to_numpy())
            origins, fingerprints = base["origin"].to_numpy(), base["fingerprint"].to_numpy()
            intervals.store(spec.indicator, origins, fingerprints, bounds)
        frames.append(base.assign(indicator=spec.indicator))
    if kept_cells is not None:
        kept_cells.save(pd.concat(frames, ignore_index=True) if frames else _no_cells(), settings)
    if intervals is not None:
        intervals.keep_only_written()
    published = [_published(frame, spec) for frame, spec in _with_specs(frames)]
    return pd.concat(published, ignore_index=True) if published else empty_cells()


def _merge_indicator(
    con: duckdb.DuckDBPyConnection,
    spec: DigitalSpec,
    where: str,
    intervals: IntervalCache | None,
    draw: tuple[int, float, int],
) -> pd.DataFrame:
    """The cells of one indicator merged from the rows of ``stats`` (those of the months
    ``where`` keeps), in :data:`~barometer.aggregate.merged_cells.MERGED_SCHEMA`'s columns."""
    con.execute(_MERGED.format(where=where), [spec.indicator])
    con.execute(_CELLS)
    keys = con.sql("SELECT neighbourhood_id, period_start FROM cells ORDER BY cell")
    cells = keys.to_arrow_table().to_pandas()
    if cells.empty:
        return _no_cells()
    rows = con.execute(_ROWS).fetchnumpy()
    cell = np.asarray(rows["cell"], dtype=np.int64)
    n_posts = np.asarray(rows["n_posts"], dtype=np.int64)
    n_flagged = np.asarray(rows["n_flagged"], dtype=np.int64)
    out = pd.concat(
        [cells, _shares(cells, (cell, n_posts, n_flagged), spec.indicator, intervals, draw)],
        axis=1,
    )
    out["n_numerator"] = np.bincount(cell, weights=n_flagged > 0, minlength=len(cells))
    out["n_complement"] = np.bincount(cell, weights=n_flagged < n_posts, minlength=len(cells))
    flagged_authors = None
    if spec.task == "hostility":
        flagged = dict(con.execute(_FLAGGED).fetchall())
        flagged_authors = [frozenset(flagged.get(i, ())) for i in range(len(cells))]
    out["flagged_authors"] = pd.Series(flagged_authors, index=out.index, dtype=object)
    return out[_BASE_COLUMNS]


def _only_months(con: duckdb.DuckDBPyConnection, months: set[date] | None) -> str:
    """The filter of ``stats`` rows to the city ``months`` (none: every row)."""
    if months is None:
        return ""
    con.register("stale", pa.table({"period_start": pa.array(sorted(months), pa.date32())}))
    return "AND period_start IN (SELECT period_start FROM stale)"


def _with_specs(frames: list[pd.DataFrame]) -> list[tuple[pd.DataFrame, DigitalSpec]]:
    specs = {spec.indicator: spec for spec in DIGITAL_SPECS}
    return [(frame, specs[str(frame["indicator"].iloc[0])]) for frame in frames]


def _published(base: pd.DataFrame, spec: DigitalSpec) -> pd.DataFrame:
    """One indicator's cells as the indicator table has them, with the counts disclosure
    control reads (and the flagged authors of the hostility shares)."""
    out = to_cells(base, spec.indicator)
    out["n_numerator"] = base["n_numerator"].to_numpy()
    out["n_complement"] = base["n_complement"].to_numpy()
    if spec.task == "hostility":
        out["flagged_authors"] = base["flagged_authors"].to_numpy()
    return out


#: one indicator's merged cells, as kept (:mod:`barometer.aggregate.merged_cells`)
_BASE_COLUMNS = [c for c in MERGED_SCHEMA.names if c != "indicator"]


def _no_cells() -> pd.DataFrame:
    return MERGED_SCHEMA.empty_table().to_pandas()


def _shares(
    cells: pd.DataFrame,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    indicator: str,
    intervals: IntervalCache | None,
    draw: tuple[int, float, int],
) -> pd.DataFrame:
    """``value, lower, upper, n_effective, origin, fingerprint`` of each cell (in code
    order) from its author rows ``(cell, n_posts, n_flagged)``, sorted by cell then author;
    ``draw`` is ``(n_boot, level, seed)``. Cells found unchanged in ``intervals`` are not
    drawn again."""
    cell, n_posts, n_flagged = rows
    n_boot, level, seed = draw
    means = n_flagged.astype(float) / n_posts
    sizes = np.bincount(cell, minlength=len(cells))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    origins = stream_origins(seed, key_hashes(group_keys(cells)))
    fingerprints = cell_fingerprints(cell, n_posts, n_flagged, len(cells))
    if intervals is None:
        lower = upper = np.full(len(cells), np.nan)
        found = np.zeros(len(cells), dtype=bool)
    else:
        lower, upper, found = intervals.lookup(indicator, origins, fingerprints)
    todo = ~found
    if todo.any():
        drawn = cluster_intervals(means[todo[cell]], sizes[todo], origins[todo], n_boot, level)
        lower, upper = lower.copy(), upper.copy()
        lower[todo], upper[todo] = drawn
    if intervals is not None:
        intervals.drawn += int(todo.sum())
        intervals.reused += int(found.sum())
    return pd.DataFrame(
        {
            "value": np.add.reduceat(means, starts) / sizes,
            "lower": lower,
            "upper": upper,
            "n_effective": sizes.astype(float),
            "origin": origins.astype(np.uint64),
            "fingerprint": fingerprints.astype(np.uint64),
        }
    )


# one indicator's rows, added up over partitions, and its cells numbered in sorted order
_MERGED = """
CREATE OR REPLACE TEMP TABLE merged AS
SELECT neighbourhood_id, period_start, author_pseudonym,
       sum(n_posts)::BIGINT AS n_posts, sum(n_flagged)::BIGINT AS n_flagged
FROM stats WHERE indicator = ? {where} GROUP BY ALL
"""
_CELLS = """
CREATE OR REPLACE TEMP TABLE cells AS
SELECT neighbourhood_id, period_start,
       (row_number() OVER (ORDER BY neighbourhood_id, period_start) - 1)::BIGINT AS cell
FROM (SELECT DISTINCT neighbourhood_id, period_start FROM merged)
"""
# the author rows, sorted by cell then author (the order the bootstrap draws in)
_ROWS = """
SELECT cells.cell, merged.n_posts, merged.n_flagged
FROM merged JOIN cells USING (neighbourhood_id, period_start)
ORDER BY cells.cell, merged.author_pseudonym
"""
# per cell, the authors with a flagged post (for disclosure control of the hostility parts)
_FLAGGED = """
SELECT cells.cell, list(merged.author_pseudonym)
FROM merged JOIN cells USING (neighbourhood_id, period_start)
WHERE merged.n_flagged > 0 GROUP BY cells.cell
"""
