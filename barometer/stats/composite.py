"""Composite trust index of the barometer: normalise, weight, aggregate, with Monte-Carlo
uncertainty.

Follows the OECD/JRC *Handbook on Constructing Composite Indicators* (2008), built as a declared
:class:`~barometer.stats.composite_pipeline.CompositePipeline` on a two-level
:class:`~barometer.stats.composite_framework.IndexFramework` (indicators -> dimensions ->
index): each indicator is normalised (with its polarity, so that higher always means more
trust), indicators are averaged within their dimension with equal weights, and dimensions are
aggregated with explicit weights.

Missing data rule: weights are re-normalised over the dimensions available for a unit, and a
unit needs at least ``min_dimensions`` dimensions (default: half of them, rounded up);
otherwise its composite is missing. Within a dimension, the available indicators are averaged
with equal weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from barometer import indicators as catalogue
from barometer.exceptions import EstimationError
from barometer.stats.composite_framework import IndexFramework
from barometer.stats.composite_math import (
    Aggregation,
    Normalisation,
    aggregate_matrix,
    apply_scale,
    check_aggregation,
    fit_scale,
    pivot,
)
from barometer.stats.composite_math import (
    min_dimensions as _min_dimensions,
)
from barometer.stats.composite_pipeline import (
    Aggregate,
    CompositePipeline,
    CompositeResult,
    Normalise,
)
from barometer.stats.intervals import percentile_interval

__all__ = [
    "INDEX_NAME",
    "Aggregation",
    "Normalisation",
    "aggregate",
    "composite_index",
    "normalise",
]

INDEX_NAME = catalogue.COMPOSITE_INDEX


def normalise(
    values: npt.ArrayLike,
    method: Normalisation = "minmax",
    direction: int = 1,
    baseline_mask: npt.ArrayLike | None = None,
) -> np.ndarray:
    """Put one indicator on a common scale where higher means more trust.

    Parameters
    ----------
    values
        Raw indicator values in their own unit; NaN is missing and stays missing.
    method
        ``"minmax"``: ``100 (x - min) / (max - min)``, 0-100. ``"zscore"``: ``(x - mean) / sd``
        (sd with ddof=1). ``"rank"``: mid-rank mapped to 0-100 (ties share a rank).
        ``"baseline"``: ``100 x / mean(baseline)``, 100 = the baseline level.
    direction
        +1 if higher raw values mean more trust, -1 if fewer (e.g. conflicts); -1 flips the
        scale (``100 - minmax``, ``-z``, reversed ranks, ``200 - 100 x / baseline``).
    baseline_mask
        Booleans marking the baseline values (``method="baseline"`` only).

    Returns
    -------
    numpy.ndarray
        Normalised values, same shape as ``values``.

    Examples
    --------
    >>> normalise([1.0, 2.0, 3.0]).tolist()
    [0.0, 50.0, 100.0]
    """
    x = np.asarray(values, dtype=float)
    return apply_scale(fit_scale(x, method, direction, baseline_mask), x)


def aggregate(
    frame: pd.DataFrame,
    weights: Mapping[str, float],
    method: Aggregation = "arithmetic",
    min_dimensions: int | None = None,
) -> pd.Series:
    """Weighted aggregation of normalised dimension scores, one value per row.

    Parameters
    ----------
    frame
        One row per unit, one column per dimension (normalised scores; NaN = missing).
    weights
        Dimension -> non-negative weight; columns not named here are ignored. Weights are
        re-normalised over the dimensions available in each row (NaN if those weigh 0).
    method
        ``"arithmetic"`` (compensatory weighted mean) or ``"geometric"`` (``prod x_d ** w_d``,
        partly compensatory; needs scores >= 0, and any zero score gives zero).
    min_dimensions
        Rows with fewer available dimensions get NaN; default half the dimensions, rounded up.

    Returns
    -------
    pandas.Series
        The aggregate per row, named ``"composite"``, on the scale of the inputs.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [0.0, 100.0], "b": [100.0, np.nan]})
    >>> aggregate(f, {"a": 1.0, "b": 3.0}).tolist()
    [75.0, 100.0]
    """
    scores = check_aggregation(frame, weights, method)
    dims = list(weights)
    k = _min_dimensions(min_dimensions, len(dims))
    w = np.array([weights[d] for d in dims], dtype=float)
    return pd.Series(aggregate_matrix(scores, w, method, k), index=frame.index, name="composite")


def composite_index(
    indicators: pd.DataFrame,
    spec: Mapping[str, tuple[str, int]],
    weights: Mapping[str, float],
    normalisation: Normalisation = "minmax",
    aggregation: Aggregation = "arithmetic",
    min_dimensions: int | None = None,
    baseline_mask: npt.ArrayLike | None = None,
    n_draws: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Composite trust index per neighbourhood and period, with a Monte-Carlo interval.

    Each indicator is normalised over all units and periods together (so periods compare),
    flipped by its direction, averaged within its dimension, and the dimensions aggregated
    with ``weights`` (see :func:`aggregate` for the missing-dimension rule). Uncertainty:
    ``n_draws`` times, every component value is drawn from a normal distribution with mean
    ``value`` and sd ``(upper - lower) / (2 * 1.96)`` (inputs are taken as 95% intervals; a
    missing bound means no uncertainty), re-normalised with the parameters fitted on the
    observed values (min-max draws clipped to 0-100, baseline draws to >= 0) and aggregated;
    ``lower``/``upper`` are the percentiles of the draws at ``(1 -/+ level) / 2``.

    Parameters
    ----------
    indicators
        Long frame with ``neighbourhood_id, period_start, indicator, value, lower, upper``
        (plus ``period`` and ``n_effective`` if present); one row per unit and indicator.
    spec
        Indicator -> ``(dimension, direction)``, direction +1 if higher means more trust.
        Rows of other indicators are ignored.
    weights
        Dimension -> weight; must name exactly the dimensions used in ``spec``.
    normalisation, aggregation, min_dimensions
        See :func:`normalise` and :func:`aggregate`.
    baseline_mask
        Booleans aligned with the rows of ``indicators`` marking the baseline (``"baseline"``).
    n_draws, level, seed
        Monte-Carlo draws, interval level and random seed.

    Returns
    -------
    pandas.DataFrame
        ``neighbourhood_id, period_start, [period,] indicator, value, lower, upper,
        n_effective, method`` with ``indicator = "composite_trust_index"``; 0-100 for minmax
        and rank, 100 = baseline for baseline, z units for zscore. ``n_effective`` is the
        smallest ``n_effective`` of the components used (NaN without that column). Units
        with too few dimensions are kept with NaN value and interval.
    """
    keys, dims = _check_arguments(indicators, spec, weights, aggregation, level, n_draws)
    k = _min_dimensions(min_dimensions, len(dims))
    data, names = _component_rows(indicators, spec, dims, keys, baseline_mask)
    values = pivot(data, keys, names, "value")
    sd = (pivot(data, keys, names, "upper") - pivot(data, keys, names, "lower")) / (
        2 * stats.norm.ppf(0.975)
    )
    if (sd < 0).any():
        raise EstimationError("an indicator row has upper < lower; expected lower <= upper")
    sd = np.nan_to_num(sd, nan=0.0)
    base = pivot(data.assign(_base=data["_base"].astype(float)), keys, names, "_base") == 1
    framework = IndexFramework.two_level({n: spec[n] for n in names}, weights, INDEX_NAME)
    pipeline = CompositePipeline(
        [
            Normalise(normalisation),
            Aggregate(method={2: "arithmetic", 3: aggregation}, min_children={3: k}),
        ]
    )
    result = pipeline.run(
        pd.DataFrame(values, columns=names),
        framework,
        baseline_mask=base if baseline_mask is not None else None,
    )
    norm = result.datasets["Normalised"].to_numpy()
    value = result.scores[INDEX_NAME].to_numpy()
    ok = ~np.isnan(value)
    draws = _draws(values, sd, pipeline, result, n_draws, seed)
    lower, upper = np.full(len(value), np.nan), np.full(len(value), np.nan)
    if ok.any():
        lower[ok], upper[ok] = percentile_interval(draws[:, ok], level)
    if "n_effective" in data.columns:
        neff = pivot(data, keys, names, "n_effective")
        neff = np.where(np.isnan(neff) | np.isnan(norm), np.inf, neff).min(axis=1)
        neff = np.where(np.isinf(neff) | ~ok, np.nan, neff)
    else:
        neff = np.full(len(value), np.nan)
    units = data.pivot(index=keys, columns="indicator", values="value").index.to_frame(index=False)
    return units.assign(
        indicator=INDEX_NAME,
        value=value,
        lower=lower,
        upper=upper,
        n_effective=neff,
        method=f"composite index: {normalisation} normalisation, {aggregation} aggregation, "
        f"Monte-Carlo interval ({n_draws} draws)",
    )


def _check_arguments(
    indicators: pd.DataFrame,
    spec: Mapping[str, tuple[str, int]],
    weights: Mapping[str, float],
    aggregation: Aggregation,
    level: float,
    n_draws: int,
) -> tuple[list[str], list[str]]:
    """Refuse bad arguments in one plain line; return the unit keys and the dimensions."""
    keys = ["neighbourhood_id", "period_start"]
    keys += ["period"] if "period" in indicators.columns else []
    needed = [*keys, "indicator", "value", "lower", "upper"]
    missing = [c for c in needed if c not in indicators.columns]
    if missing:
        raise EstimationError(f"indicators frame lacks columns {missing}; expected {needed}")
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 2:
        raise EstimationError(f"n_draws must be an integer >= 2; got {n_draws!r}")
    dims = sorted({dim for dim, _ in spec.values()})
    if sorted(weights) != dims:
        raise EstimationError(f"weights must name the dimensions {dims}; got {sorted(weights)}")
    check_aggregation(pd.DataFrame(columns=dims), weights, aggregation)
    return keys, dims


def _component_rows(
    indicators: pd.DataFrame,
    spec: Mapping[str, tuple[str, int]],
    dims: list[str],
    keys: list[str],
    baseline_mask: npt.ArrayLike | None,
) -> tuple[pd.DataFrame, list[str]]:
    """The rows of the indicators in ``spec`` (with a ``_base`` flag) and their names, sorted;
    refuse no rows, a repeated indicator or a dimension without any."""
    data = indicators.assign(
        _base=True if baseline_mask is None else np.asarray(baseline_mask, dtype=bool)
    )
    data = data[data["indicator"].isin(list(spec))]
    if data.empty:
        raise EstimationError(f"no rows for the indicators in spec {sorted(spec)}")
    if data.duplicated([*keys, "indicator"]).any():
        raise EstimationError(f"indicators frame repeats an indicator for one unit of {keys}")
    names = sorted(data["indicator"].unique())
    absent = sorted(set(dims) - {spec[n][0] for n in names})
    if absent:
        raise EstimationError(f"dimensions {absent} have no indicator rows in the frame")
    return data, names


def _draws(
    values: np.ndarray,
    sd: np.ndarray,
    pipeline: CompositePipeline,
    result: CompositeResult,
    n_draws: int,
    seed: int | np.random.Generator | None,
) -> np.ndarray:
    """The index (draws x units) of ``n_draws`` normal draws of the components around
    ``values`` with sd ``sd``, built with the fitted ``pipeline`` (in blocks of ~4M cells)."""
    rng = np.random.default_rng(seed)
    draws = np.empty((n_draws, len(values)))
    block = max(1, 4_000_000 // values.size)
    for first in range(0, n_draws, block):
        size = min(block, n_draws - first)
        x = values + sd * rng.standard_normal((size, *values.shape))
        draws[first : first + size] = pipeline.transform(x, result)[INDEX_NAME]
    return draws
