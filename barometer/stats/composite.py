"""Composite trust index: normalise, weight, aggregate, with Monte-Carlo uncertainty.

Follows the OECD/JRC *Handbook on Constructing Composite Indicators* (2008): each indicator is
normalised (with its polarity, so that higher always means more trust), indicators are
averaged within their dimension, and dimensions are aggregated with explicit weights.

Missing data rule: weights are re-normalised over the dimensions available for a unit, and a
unit needs at least ``min_dimensions`` dimensions (default: half of them, rounded up);
otherwise its composite is missing. Within a dimension, the available indicators are averaged
with equal weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError

Normalisation = Literal["minmax", "zscore", "rank", "baseline"]
Aggregation = Literal["arithmetic", "geometric"]
INDEX_NAME = "composite_trust_index"


@dataclass(frozen=True)
class _Scale:
    method: str
    direction: int
    reference: np.ndarray  # sorted non-missing reference values (used by "rank")
    centre: float  # min, mean or baseline mean
    spread: float  # max - min, standard deviation, or baseline mean


def _fit_scale(
    values: np.ndarray, method: str, direction: int, baseline_mask: npt.ArrayLike | None
) -> _Scale:
    if method not in ("minmax", "zscore", "rank", "baseline"):
        raise EstimationError(
            f"normalisation must be 'minmax', 'zscore', 'rank' or 'baseline'; got {method!r}"
        )
    if direction not in (1, -1):
        raise EstimationError(f"direction must be +1 or -1; got {direction!r}")
    ref = values[~np.isnan(values)]
    if method == "baseline":
        if baseline_mask is None:
            raise EstimationError("baseline normalisation needs a baseline_mask; got None")
        mask = np.asarray(baseline_mask, dtype=bool)
        if mask.shape != values.shape:
            raise EstimationError(
                f"baseline_mask must have one entry per value ({values.shape}); got {mask.shape}"
            )
        base = values[mask & ~np.isnan(values)]
        if base.size == 0 or base.mean() <= 0:
            raise EstimationError("baseline normalisation needs a positive baseline mean")
        return _Scale(method, direction, ref, float(base.mean()), float(base.mean()))
    if ref.size < 2:
        raise EstimationError(f"{method} normalisation needs >= 2 non-missing values")
    if method == "rank":
        return _Scale(method, direction, np.sort(ref * direction), 0.0, 1.0)
    centre, spread = (
        (ref.min(), np.ptp(ref)) if method == "minmax" else (ref.mean(), ref.std(ddof=1))
    )
    if spread == 0:
        raise EstimationError(f"{method} normalisation of a constant indicator is undefined")
    return _Scale(method, direction, ref, float(centre), float(spread))


def _apply_scale(scale: _Scale, x: np.ndarray) -> np.ndarray:
    """Normalise ``x`` with fitted parameters; NaN stays NaN."""
    if scale.method == "baseline":
        ratio = x / scale.centre * 100.0
        return ratio if scale.direction == 1 else 200.0 - ratio
    if scale.method == "rank":
        # mid-rank of x among the reference values, mapped to 0-100
        ref = scale.reference
        signed = x * scale.direction
        below = np.searchsorted(ref, signed, side="left")
        upto = np.searchsorted(ref, signed, side="right")
        pos = (below + upto - 1) / 2.0
        return np.where(np.isnan(x), np.nan, np.clip(pos / (ref.size - 1), 0, 1) * 100.0)
    z = (x - scale.centre) / scale.spread
    if scale.method == "minmax":
        z = z if scale.direction == 1 else 1.0 - z
        return z * 100.0
    return z * scale.direction


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
    return _apply_scale(_fit_scale(x, method, direction, baseline_mask), x)


def _aggregate_matrix(
    scores: np.ndarray, weights: np.ndarray, method: str, min_dimensions: int
) -> np.ndarray:
    """Aggregate ``scores[..., d]`` over the last axis with weights re-normalised per unit."""
    available = ~np.isnan(scores)
    w = np.where(available, weights, 0.0)
    total = w.sum(axis=-1, keepdims=True)
    enough = (available.sum(axis=-1) >= min_dimensions) & (total[..., 0] > 0)
    w = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    filled = np.where(available, scores, 0.0)
    if method == "arithmetic":
        combined = (w * filled).sum(axis=-1)
    else:
        combined = np.prod(np.where(available, filled, 1.0) ** w, axis=-1)
    return np.where(enough, combined, np.nan)


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
    scores = _check_aggregation(frame, weights, method)
    dims = list(weights)
    k = _min_dimensions(min_dimensions, len(dims))
    w = np.array([weights[d] for d in dims], dtype=float)
    return pd.Series(_aggregate_matrix(scores, w, method, k), index=frame.index, name="composite")


def _check_aggregation(
    frame: pd.DataFrame, weights: Mapping[str, float], method: str
) -> np.ndarray:
    if method not in ("arithmetic", "geometric"):
        raise EstimationError(f"aggregation must be 'arithmetic' or 'geometric'; got {method!r}")
    if not weights:
        raise EstimationError("expected at least one dimension weight; got none")
    missing = [d for d in weights if d not in frame.columns]
    if missing:
        raise EstimationError(f"weights name dimensions {missing} absent from the frame")
    w = np.array(list(weights.values()), dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise EstimationError(f"weights must be finite, >= 0 and not all 0; got {dict(weights)}")
    scores = frame[list(weights)].to_numpy(dtype=float, na_value=np.nan)
    if method == "geometric" and (scores[~np.isnan(scores)] < 0).any():
        raise EstimationError(
            "geometric aggregation needs scores >= 0; use minmax, rank or baseline scores"
        )
    return scores


def _min_dimensions(min_dimensions: int | None, n_dims: int) -> int:
    k = (n_dims + 1) // 2 if min_dimensions is None else min_dimensions
    if not 1 <= k <= n_dims:
        raise EstimationError(f"min_dimensions must be between 1 and {n_dims}; got {k}")
    return k


def _pivot(long: pd.DataFrame, keys: list[str], names: list[str], column: str) -> np.ndarray:
    wide = long.pivot(index=keys, columns="indicator", values=column)
    return wide.reindex(columns=names).to_numpy(dtype=float, na_value=np.nan)


def _normalise_columns(x: np.ndarray, scales: list[_Scale]) -> np.ndarray:
    out = np.empty_like(x)
    for i, scale in enumerate(scales):  # a loop over indicators (columns), not rows
        col = _apply_scale(scale, x[..., i])
        if scale.method == "minmax":
            col = np.clip(col, 0.0, 100.0)
        elif scale.method == "baseline":
            col = np.maximum(col, 0.0)
        out[..., i] = col
    return out


def _dimension_scores(normalised: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Equal-weight mean of the available indicators of each dimension (NaN if none)."""
    available = ~np.isnan(normalised)
    sums = np.where(available, normalised, 0.0) @ members
    counts = available.astype(float) @ members
    return np.divide(sums, counts, out=np.full_like(sums, np.nan), where=counts > 0)


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
    _check_aggregation(pd.DataFrame(columns=dims), weights, aggregation)
    k = _min_dimensions(min_dimensions, len(dims))
    data = indicators.assign(
        _base=True if baseline_mask is None else np.asarray(baseline_mask, dtype=bool)
    )
    data = data[data["indicator"].isin(list(spec))]
    if data.empty:
        raise EstimationError(f"no rows for the indicators in spec {sorted(spec)}")
    if data.duplicated([*keys, "indicator"]).any():
        raise EstimationError(f"indicators frame repeats an indicator for one unit of {keys}")
    names = sorted(data["indicator"].unique())
    values = _pivot(data, keys, names, "value")
    sd = (_pivot(data, keys, names, "upper") - _pivot(data, keys, names, "lower")) / (
        2 * stats.norm.ppf(0.975)
    )
    if (sd < 0).any():
        raise EstimationError("an indicator row has upper < lower; expected lower <= upper")
    sd = np.nan_to_num(sd, nan=0.0)
    base = _pivot(data.assign(_base=data["_base"].astype(float)), keys, names, "_base") == 1
    scales = [
        _fit_scale(
            values[:, i],
            normalisation,
            spec[name][1],
            base[:, i] if baseline_mask is not None else None,
        )
        for i, name in enumerate(names)
    ]
    members = np.array([[spec[n][0] == d for d in dims] for n in names], dtype=float)
    w = np.array([weights[d] for d in dims], dtype=float)
    norm = _normalise_columns(values, scales)
    if aggregation == "geometric" and (norm[~np.isnan(norm)] < 0).any():
        raise EstimationError("geometric aggregation needs scores >= 0; use minmax or rank")
    value = _aggregate_matrix(_dimension_scores(norm, members), w, aggregation, k)
    rng = np.random.default_rng(seed)
    draws = np.empty((n_draws, len(value)))
    block = max(1, 4_000_000 // values.size)
    for first in range(0, n_draws, block):
        size = min(block, n_draws - first)
        x = values + sd * rng.standard_normal((size, *values.shape))
        scores = _dimension_scores(_normalise_columns(x, scales), members)
        draws[first : first + size] = _aggregate_matrix(scores, w, aggregation, k)
    ok = ~np.isnan(value)
    lower, upper = np.full(len(value), np.nan), np.full(len(value), np.nan)
    if ok.any():
        alpha = 1.0 - level
        lower[ok], upper[ok] = np.quantile(draws[:, ok], [alpha / 2, 1 - alpha / 2], axis=0)
    if "n_effective" in data.columns:
        neff = _pivot(data, keys, names, "n_effective")
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
