"""Survey weighting to known population totals: post-stratification and raking.

Both functions take a sample with base (design) weights and return a :class:`WeightingResult`:
the new weights as a Series aligned to the sample's index, plus diagnostics. They never modify
their inputs.

- :func:`poststratify` scales the weights in each cell (a combination of the ``cells``
  columns) so that they sum to that cell's population (R: ``survey::postStratify``).
- :func:`rake` rakes to one-way margins (R: ``survey::rake``, Deming & Stephan 1940): the
  raking calibration ``g = exp(x' eta)`` that iterative proportional fitting converges to,
  solved by Newton steps (:mod:`barometer.stats.calibration`), optionally keeping each
  adjustment factor within ``bounds`` (as ``survey::calibrate(calfun="raking", bounds=)``).

Both only compute weights. For estimates whose variance reflects the weighting, calibrate a
:class:`~barometer.stats.design.SurveyDesign` instead (``.poststratify``, ``.rake``).

The design effect due to weighting is Kish's ``1 + CV^2 = n sum(w^2) / (sum w)^2``.
Impossible targets raise :class:`EstimationError` naming the margin and category: a category
with population > 0 but no respondents, respondents in a category without population, negative
or missing totals, or margins whose grand totals disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError
from barometer.stats import calibration_targets as targets
from barometer.stats._checks import positive_weights
from barometer.stats.calibration import calibration_factors

MarginSpec = targets.MarginSpec
DIAGNOSTIC_COLUMNS = ["margin", "category", "target", "initial", "achieved", "error"]


@dataclass(frozen=True)
class WeightingResult:
    """New weights and how they were obtained.

    Attributes
    ----------
    weights
        The adjusted weights, aligned to the sample's index.
    iterations
        Newton steps of the raking calibration (1 for post-stratification).
    max_margin_error
        Largest ``|achieved - target| / target`` over all cells or margin categories.
    design_effect
        Kish's design effect due to weighting of the new weights, ``1 + CV^2``.
    margins
        One row per margin and category: ``margin, category, target, initial`` (weighted total
        before), ``achieved`` (after) and ``error`` (relative).
    method
        A one-line description for the ``method`` column of estimates.
    """

    weights: pd.Series
    iterations: int
    max_margin_error: float
    design_effect: float
    margins: pd.DataFrame
    method: str


def weighting_design_effect(weights: pd.Series | np.ndarray) -> float:
    """Kish's design effect due to unequal weights, ``n sum(w^2) / (sum w)^2 = 1 + CV^2``.

    Examples
    --------
    >>> weighting_design_effect(np.array([1.0, 1.0, 4.0]))
    1.5
    """
    w = np.asarray(weights, dtype=float)
    return float(len(w) * np.sum(w**2) / np.sum(w) ** 2)


def _base_weights(sample: pd.DataFrame, weight: str) -> np.ndarray:
    if weight not in sample.columns:
        raise EstimationError(f"expected weight column '{weight}'; found {list(sample.columns)}")
    return positive_weights(sample, weight)


def _diagnostics(
    margin: str, labels: pd.Index, target: np.ndarray, codes: np.ndarray, w0, w1
) -> pd.DataFrame:
    initial = np.bincount(codes, weights=w0, minlength=len(target))
    achieved = np.bincount(codes, weights=w1, minlength=len(target))
    error = np.divide(
        np.abs(achieved - target), target, out=np.zeros(len(target)), where=target > 0
    )
    return pd.DataFrame(
        {
            "margin": margin,
            "category": list(labels),
            "target": target,
            "initial": initial,
            "achieved": achieved,
            "error": error,
        }
    )


def poststratify(
    sample: pd.DataFrame, weight: str, cells: Sequence[str], population: pd.DataFrame
) -> WeightingResult:
    """Post-stratify: scale the weights of each cell to its population count.

    ``new_i = w_i N_c / sum_{j in c} w_j`` for respondent ``i`` in cell ``c``. Weights are not
    trimmed (trimming would undo the cell totals; use :func:`rake` with ``bounds``).

    Parameters
    ----------
    sample
        One row per respondent with the base weight and the ``cells`` columns.
    weight
        Base (design) weight column, finite and positive.
    cells
        Columns whose combinations define the post-strata.
    population
        The ``cells`` columns plus ``"population"``, one row per cell. Cells with population 0
        and no respondents are allowed.

    Returns
    -------
    WeightingResult
        The post-stratified weights; ``margins`` has one row per cell (``margin`` is
        ``"cell"``, ``category`` a tuple of the cell values).
    """
    cells = list(cells)
    w = _base_weights(sample, weight)
    matrix, values, target_index = targets.poststrat_targets(sample, cells, population)
    codes = matrix.argmax(axis=1)
    g, _ = calibration_factors(matrix, w, values, "linear", maxit=2, epsilon=1e-12)
    new = w * g
    diag = _diagnostics("cell", target_index, values, codes, w, new)
    return WeightingResult(
        weights=pd.Series(new, index=sample.index, name=weight),
        iterations=1,
        max_margin_error=float(diag["error"].max()),
        design_effect=weighting_design_effect(new),
        margins=diag[DIAGNOSTIC_COLUMNS],
        method=f"post-stratified to {len(values)} cells of {' x '.join(cells)}",
    )


def rake(
    sample: pd.DataFrame,
    weight: str,
    margins: Mapping[str, MarginSpec],
    max_iter: int = 100,
    tol: float = 1e-8,
    bounds: tuple[float, float] | None = None,
    total_tol: float = 1e-6,
) -> WeightingResult:
    """Rake the weights to one-way population margins (raking calibration).

    The raked weights are ``base * g`` with ``g = exp(x' eta)`` meeting every margin (the limit
    of iterative proportional fitting); with ``bounds``, ``g`` is truncated to them and the
    margins are met by the remaining respondents. Iteration stops once every total is within
    ``tol * (1 + target)`` of its target. Bounds apply to the factor
    ``g_i = new_i / (base_i N / sum(base))``, relative to the base weights scaled to the
    population total ``N``, so ``(0.5, 2.0)`` keeps each weight within half and twice its
    uniformly scaled base weight whatever the scale of the base weights.

    Parameters
    ----------
    sample
        One row per respondent with the base weight and one column per margin.
    weight
        Base (design) weight column, finite and positive.
    margins
        ``{column: totals}``; totals as a Series (category -> population), a mapping, or a
        frame with columns ``[column, "population"]``. Categories with population 0 and no
        respondents are allowed.
    max_iter, tol
        Not reaching ``tol`` within ``max_iter`` steps raises :class:`EstimationError` naming
        the margin that is furthest off (with ``bounds``, usually bounds that are too tight).
    bounds
        Optional ``(low, high)`` limits on the factor ``g_i``, ``0 < low <= 1 <= high``
        (trimming by bounded raking).
    total_tol
        Largest relative difference allowed between the grand totals of the margins.

    Returns
    -------
    WeightingResult
        The raked weights and per-category diagnostics.

    Examples
    --------
    >>> s = pd.DataFrame({"sex": ["f", "f", "m"], "age": ["y", "o", "o"], "w": 1.0})
    >>> out = rake(s, "w", {"sex": {"f": 60, "m": 40}, "age": {"y": 30, "o": 70}})
    >>> out.weights.round(6).tolist()
    [30.0, 30.0, 40.0]
    """
    if max_iter < 1 or tol <= 0:
        raise EstimationError(f"expected max_iter >= 1 and tol > 0; got {max_iter}, {tol}")
    if bounds is not None and not 0 < bounds[0] <= 1 <= bounds[1]:
        raise EstimationError(f"bounds must satisfy 0 < low <= 1 <= high; got {bounds}")
    w0 = _base_weights(sample, weight)
    matrix, totals, names, parsed = targets.margin_targets(sample, margins, total_tol)
    scaled0 = w0 * float(parsed[0][3].sum()) / w0.sum()  # base weights scaled to the total
    strict = None
    if bounds is not None:  # calibration needs low < 1 < high; equal bounds pin g to 1
        strict = (min(bounds[0], 1 - 1e-12), max(bounds[1], 1 + 1e-12))
    try:
        g, sweeps = calibration_factors(
            matrix, scaled0, totals, "raking", strict, max_iter, tol, names=names
        )
    except EstimationError as exc:
        raise EstimationError(
            f"raking did not converge in max_iter={max_iter} steps ({exc}); "
            + ("widen the bounds or " if bounds is not None else "")
            + "raise max_iter or merge sparse categories"
        ) from exc
    w = scaled0 * g
    diag = pd.concat(
        [_diagnostics(name, idx, v, c, w0, w) for name, idx, c, v in parsed], ignore_index=True
    )
    return WeightingResult(
        weights=pd.Series(w, index=sample.index, name=weight),
        iterations=sweeps,
        max_margin_error=float(diag["error"].max()),
        design_effect=weighting_design_effect(w),
        margins=diag[DIAGNOSTIC_COLUMNS],
        method=f"raked to margins {list(margins)} ({sweeps} Newton steps)"
        + (f", factors bounded to [{bounds[0]:g}, {bounds[1]:g}]" if bounds is not None else ""),
    )
