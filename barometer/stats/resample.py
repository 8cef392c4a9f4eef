"""Cluster bootstrap of author-weighted shares (each author counts once).

Social-media posts are clustered by author: a handful of prolific accounts must not dominate a
neighbourhood's share of, say, negative posts. The statistic is the *author-weighted share*

    share = (1 / C) * sum_c mean_{posts i of author c} indicator_i

over the ``C`` authors (clusters) of a cell; the indicator is 0/1 or a probability in [0, 1].
Its sampling uncertainty comes from resampling whole authors with replacement (a cluster
bootstrap), and the interval is the percentile interval of the bootstrap replicates. Each
group (cell) resamples from its own random stream, named by the seed and the group's key, so a
cell's interval is a function of its own rows alone (:mod:`barometer.stats.streams`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError
from barometer.stats.intervals import percentile_interval
from barometer.stats.streams import SlotStreams, group_keys, key_hashes, stream_origins

_METHOD = "author-weighted share, cluster bootstrap ({n_boot} replicates), percentile interval"
_MAX_BLOCK = 262_144  # resampled cluster slots drawn at once (2 MiB per array)
_CHUNK_SLOTS = 65_536  # clusters of the groups drawn together


def _check(
    df: pd.DataFrame, columns: list[str], cluster: str, indicator: str, n_boot: int, level: float
) -> pd.DataFrame:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise EstimationError(
            f"expected columns {missing} in the data frame; found {list(df.columns)}"
        )
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise EstimationError(f"n_boot must be an integer >= 2; got {n_boot!r}")
    if not pd.api.types.is_numeric_dtype(df[indicator]):
        raise EstimationError(
            f"indicator '{indicator}' must be numeric 0/1 or a probability; got "
            f"{df[indicator].dtype}"
        )
    if df[cluster].isna().any():
        first = df.index[int(np.flatnonzero(df[cluster].isna().to_numpy())[0])]
        raise EstimationError(f"cluster column '{cluster}' is missing at row {first!r}")
    values = df[indicator].to_numpy(dtype=float, na_value=np.nan)
    outside = (values < 0) | (values > 1)
    if outside.any():
        raise EstimationError(
            f"indicator '{indicator}' must lie in [0, 1]; found {values[outside][0]}"
        )
    kept = df.loc[~np.isnan(values), columns]
    if kept.empty:
        raise EstimationError(f"indicator '{indicator}' has no non-missing values")
    return kept


def _bootstrap_group_means(
    means: np.ndarray, sizes: np.ndarray, origins: np.ndarray, n_boot: int
) -> np.ndarray:
    """Replicates (n_boot, G) of the mean of ``means`` within each of G consecutive groups.

    Group g owns ``sizes[g]`` consecutive entries of ``means``; each replicate draws that many
    entries with replacement within the group (multinomial resampling of clusters) from the
    group's own stream (``origins[g]``, :mod:`barometer.stats.streams`). Consecutive groups
    of at most :data:`_CHUNK_SLOTS` clusters in all (a larger group alone) are drawn together,
    every replicate of them in blocks of at most :data:`_MAX_BLOCK` slots: the draws do not
    depend on the blocks (a stream's draw is a function of its origin, replicate and slot),
    and blocks that fit in the CPU's cache are drawn about three times as fast as one large
    array.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    out = np.empty((n_boot, len(sizes)))
    ends = np.cumsum(sizes)
    group = 0
    while group < len(sizes):
        first = int(ends[group] - sizes[group])
        last = max(group + 1, int(np.searchsorted(ends, first + _CHUNK_SLOTS, side="right")))
        chunk = slice(group, last)
        out[:, chunk] = _draw_chunk(
            means[first : ends[last - 1]], sizes[chunk], origins[chunk], n_boot
        )
        group = last
    return out


def _draw_chunk(
    means: np.ndarray, sizes: np.ndarray, origins: np.ndarray, n_boot: int
) -> np.ndarray:
    """:func:`_bootstrap_group_means` of one chunk of groups (its ``means`` only)."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    slots = SlotStreams(origins, sizes)
    out = np.empty((n_boot, len(sizes)))
    block = max(1, _MAX_BLOCK // len(means))
    for first in range(0, n_boot, block):
        rows = min(block, n_boot - first)
        sums = np.add.reduceat(means[slots.picks(first, rows)], starts, axis=1)
        out[first : first + rows] = sums / sizes
    return out


def cluster_intervals(
    means: np.ndarray, sizes: np.ndarray, origins: np.ndarray, n_boot: int, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals (lower, upper) of each group's author-weighted share: ``means``
    holds the clusters' means, group by group (``sizes[g]`` consecutive entries each), and
    group ``g`` resamples from the stream starting at ``origins[g]``
    (:func:`~barometer.stats.streams.stream_origins`)."""
    return percentile_interval(_bootstrap_group_means(means, sizes, origins, n_boot), level)


def author_weighted_shares(
    df: pd.DataFrame,
    by: list[str],
    cluster: str,
    indicator: str,
    n_boot: int = 999,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Author-weighted share of ``indicator`` per group, with cluster-bootstrap intervals.

    Parameters
    ----------
    df
        One row per post (or per answer), with the cluster and indicator columns.
    by
        Grouping columns, e.g. ``["neighbourhood_id", "period_start"]``; ``[]`` for one group.
        Rows with a missing grouping value belong to no group.
    cluster
        The cluster id, e.g. ``author_pseudonym``; each cluster counts once per group.
    indicator
        0/1 flags or probabilities in [0, 1]; rows with a missing indicator are left out.
    n_boot
        Bootstrap replicates (>= 2), resampling the clusters of each group independently.
    level
        Confidence level of the percentile interval.
    seed
        Seed (or a generator to draw one from) for reproducible replicates. Each group draws
        from its own random stream, derived from the seed and the group's key values
        (:mod:`barometer.stats.streams`), so a group's interval depends only on its own rows:
        adding, removing or reordering other groups leaves it as it was.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``value`` (share, 0-1), ``lower``, ``upper``, ``n_effective``
        (number of clusters), ``n`` (rows used) and ``method``; one row per group, sorted.
        A group with a single cluster gets a zero-width interval.
    """
    by = list(by)
    kept = _check(df, [*by, cluster, indicator], cluster, indicator, n_boot, level)
    keys = [*by, cluster]
    per_cluster = kept.groupby(keys, sort=True, observed=True)[indicator].agg(["mean", "size"])
    return shares_from_clusters(per_cluster.reset_index(), by, n_boot, level, seed)


def shares_from_clusters(
    per_cluster: pd.DataFrame,
    by: list[str],
    n_boot: int = 999,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`author_weighted_shares` from its sufficient statistics: one row per group x
    cluster, sorted by the ``by`` columns then the cluster, with ``mean`` (the cluster's mean
    indicator in the group) and ``size`` (its rows). Same result, row for row and draw for
    draw, as :func:`author_weighted_shares` on the rows these summarise.

    ``keys``, one canonical string per group in the groups' sorted order, name the groups'
    random streams; by default the :func:`~barometer.stats.streams.canonical_key` of the
    ``by`` values (pass them when ``by`` holds codes standing for the real keys)."""
    if per_cluster.empty:
        raise EstimationError(f"every row has a missing value in the grouping columns {by}")
    if by:
        cells = per_cluster.groupby(by, sort=False, observed=True)
        labels = cells.size().index.to_frame(index=False)
        sizes = cells.size().to_numpy()
        n_rows = cells["size"].sum().to_numpy()
    else:
        labels = pd.DataFrame(index=[0])
        sizes = np.array([len(per_cluster)])
        n_rows = np.array([per_cluster["size"].sum()])
    means = per_cluster["mean"].to_numpy(dtype=float)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    value = np.add.reduceat(means, starts) / sizes
    if keys is None:
        keys = group_keys(labels) if by else [""]
    if len(keys) != len(sizes):
        raise EstimationError(f"expected {len(sizes)} stream keys, one per group; got {len(keys)}")
    origins = stream_origins(_seed_value(seed), key_hashes(keys))
    lower, upper = cluster_intervals(means, sizes, origins, n_boot, level)
    out = labels.assign(
        value=value,
        lower=lower,
        upper=upper,
        n_effective=sizes.astype(float),
        n=n_rows,
        method=_METHOD.format(n_boot=n_boot),
    )
    return out.reset_index(drop=True)


def _seed_value(seed: int | np.random.Generator | None) -> int:
    """The integer seed of the groups' streams: ``seed`` itself, or one drawn from the
    generator (from fresh entropy for ``None``)."""
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        return int(seed)
    return int(np.random.default_rng(seed).integers(0, 2**63))


def cluster_bootstrap_share(
    df: pd.DataFrame,
    cluster: str,
    indicator: str,
    n_boot: int = 999,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Author-weighted share of ``indicator`` over all of ``df``, with a bootstrap interval.

    Each cluster (pseudonymous author) counts once: the share is the mean over clusters of each
    cluster's mean indicator, so one author with 10 negative posts among 9 authors with one
    neutral post each gives 0.1, not 10/19. See :func:`author_weighted_shares` for parameters.

    Returns
    -------
    pandas.DataFrame
        One row: ``value, lower, upper, n_effective, n, method``.
    """
    return author_weighted_shares(df, [], cluster, indicator, n_boot, level, seed)
