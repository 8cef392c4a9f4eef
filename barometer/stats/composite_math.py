"""Primitives of composite indices: fitted normalisation scales and weighted aggregation.

Shared by the declared pipeline (:mod:`barometer.stats.composite_pipeline`), the production
index (:mod:`barometer.stats.composite`) and its sensitivity analysis
(:mod:`barometer.stats.sensitivity`), so that all three compute the same numbers.

Normalisations (per indicator, fitted on reference values, then applied to any values):
``"minmax"`` ``100 (x - min) / (max - min)``; ``"zscore"`` ``(x - mean) / sd`` (ddof=1);
``"rank"`` the mid-rank among the reference values mapped to 0-100; ``"baseline"``
``100 x / mean(baseline)``. Direction -1 flips each (``100 - minmax``, ``-z``, reversed ranks,
``200 - 100 x / baseline``). Aggregation of a node's children: weighted arithmetic or geometric
mean over the children available for a unit, weights re-normalised over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from barometer.exceptions import EstimationError

Normalisation = Literal["minmax", "zscore", "rank", "baseline"]
Aggregation = Literal["arithmetic", "geometric"]


@dataclass(frozen=True)
class Scale:
    """A fitted normalisation of one indicator."""

    method: str
    direction: int
    reference: np.ndarray  # sorted non-missing reference values (used by "rank")
    centre: float  # min, mean or baseline mean
    spread: float  # max - min, standard deviation, or baseline mean


def fit_scale(
    values: np.ndarray, method: str, direction: int, baseline_mask: npt.ArrayLike | None
) -> Scale:
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
        return Scale(method, direction, ref, float(base.mean()), float(base.mean()))
    if ref.size < 2:
        raise EstimationError(f"{method} normalisation needs >= 2 non-missing values")
    if method == "rank":
        return Scale(method, direction, np.sort(ref * direction), 0.0, 1.0)
    centre, spread = (
        (ref.min(), np.ptp(ref)) if method == "minmax" else (ref.mean(), ref.std(ddof=1))
    )
    if spread == 0:
        raise EstimationError(f"{method} normalisation of a constant indicator is undefined")
    return Scale(method, direction, ref, float(centre), float(spread))


def apply_scale(scale: Scale, x: np.ndarray) -> np.ndarray:
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


def normalise_columns(x: np.ndarray, scales: list[Scale]) -> np.ndarray:
    out = np.empty_like(x)
    for i, scale in enumerate(scales):  # a loop over indicators (columns), not rows
        col = apply_scale(scale, x[..., i])
        if scale.method == "minmax":
            col = np.clip(col, 0.0, 100.0)
        elif scale.method == "baseline":
            col = np.maximum(col, 0.0)
        out[..., i] = col
    return out


def dimension_scores(normalised: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Equal-weight mean of the available indicators of each dimension (NaN if none)."""
    available = ~np.isnan(normalised)
    sums = np.where(available, normalised, 0.0) @ members
    counts = available.astype(float) @ members
    return np.divide(sums, counts, out=np.full_like(sums, np.nan), where=counts > 0)


def aggregate_matrix(
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


def check_aggregation(frame: pd.DataFrame, weights: Mapping[str, float], method: str) -> np.ndarray:
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


def min_dimensions(min_dimensions: int | None, n_dims: int) -> int:
    k = (n_dims + 1) // 2 if min_dimensions is None else min_dimensions
    if not 1 <= k <= n_dims:
        raise EstimationError(f"min_dimensions must be between 1 and {n_dims}; got {k}")
    return k


def pivot(long: pd.DataFrame, keys: list[str], names: list[str], column: str) -> np.ndarray:
    wide = long.pivot(index=keys, columns="indicator", values=column)
    return wide.reindex(columns=names).to_numpy(dtype=float, na_value=np.nan)
