"""Survey weighting to known population totals: post-stratification and raking.

Both functions take a sample with base (design) weights and return a :class:`WeightingResult`:
the new weights as a Series aligned to the sample's index, plus diagnostics. They never modify
their inputs.

- :func:`poststratify` scales the weights in each cell (a combination of the ``cells``
  columns) so that they sum to that cell's population (R: ``survey::postStratify``).
- :func:`rake` runs iterative proportional fitting over one-way margins (R: ``survey::rake``,
  Deming & Stephan 1940), optionally keeping each adjustment factor ``new / base`` within
  ``bounds`` (bounded raking, as ``survey::calibrate(calfun="raking", bounds=)``).

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
from barometer.stats._checks import positive_weights

MarginSpec = pd.Series | pd.DataFrame | Mapping[object, float]
DIAGNOSTIC_COLUMNS = ["margin", "category", "target", "initial", "achieved", "error"]


@dataclass(frozen=True)
class WeightingResult:
    """New weights and how they were obtained.

    Attributes
    ----------
    weights
        The adjusted weights, aligned to the sample's index.
    iterations
        Raking sweeps over all margins (1 for post-stratification).
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


def _check_totals(totals: np.ndarray, labels: Sequence[object], what: str) -> None:
    bad = ~np.isfinite(totals) | (totals < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise EstimationError(
            f"{what}: population of category {labels[k]!r} must be a finite number >= 0; "
            f"got {totals[k]}"
        )


def _align(sample_keys: pd.Series, targets: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each respondent into ``targets`` (index = category) and the target vector."""
    if sample_keys.isna().any():
        row = sample_keys.index[int(np.flatnonzero(sample_keys.isna().to_numpy())[0])]
        raise EstimationError(f"{what}: row {row!r} has no category; fill or drop it first")
    if targets.index.has_duplicates:
        dup = targets.index[targets.index.duplicated()][0]
        raise EstimationError(f"{what}: category {dup!r} is listed more than once")
    values = targets.to_numpy(dtype=float, na_value=np.nan)
    _check_totals(values, list(targets.index), what)
    codes = targets.index.get_indexer(pd.Index(sample_keys))
    if (codes < 0).any():
        row = sample_keys.index[int(np.flatnonzero(codes < 0)[0])]
        raise EstimationError(
            f"{what}: respondents in category {sample_keys.loc[row]!r} (row {row!r}) have no "
            f"population total; expected one of {list(targets.index)}"
        )
    count = np.bincount(codes, minlength=len(targets))
    empty = (count == 0) & (values > 0)
    if empty.any():
        k = int(np.flatnonzero(empty)[0])
        raise EstimationError(
            f"{what}: category {targets.index[k]!r} has population {values[k]:g} but no "
            "respondents; merge it with a neighbouring category"
        )
    zero = (count > 0) & (values == 0)
    if zero.any():
        k = int(np.flatnonzero(zero)[0])
        raise EstimationError(
            f"{what}: category {targets.index[k]!r} has respondents but a population of 0; "
            "check the population table or drop those respondents"
        )
    return codes, values


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
    missing = [c for c in cells if c not in sample.columns]
    missing += [c for c in [*cells, "population"] if c not in population.columns]
    if not cells or missing:
        raise EstimationError(
            f"expected cell columns {cells} in the sample and the population, and a "
            f"'population' column; missing {missing or 'cell columns'}"
        )
    w = _base_weights(sample, weight)
    keys = pd.Series(list(zip(*(sample[c] for c in cells), strict=True)), index=sample.index)
    if sample[cells].isna().any(axis=None):
        keys[sample[cells].isna().any(axis=1)] = np.nan
    target_index = pd.Index(list(zip(*(population[c] for c in cells), strict=True)))
    targets = pd.Series(population["population"].to_numpy(), index=target_index)
    codes, values = _align(keys, targets, f"cells {cells}")
    totals = np.bincount(codes, weights=w, minlength=len(values))
    factor = np.divide(values, totals, out=np.zeros(len(values)), where=totals > 0)
    new = w * factor[codes]
    diag = _diagnostics("cell", target_index, values, codes, w, new)
    return WeightingResult(
        weights=pd.Series(new, index=sample.index, name=weight),
        iterations=1,
        max_margin_error=float(diag["error"].max()),
        design_effect=weighting_design_effect(new),
        margins=diag[DIAGNOSTIC_COLUMNS],
        method=f"post-stratified to {len(values)} cells of {' x '.join(cells)}",
    )


def _margin_targets(name: str, spec: MarginSpec) -> pd.Series:
    if isinstance(spec, pd.DataFrame):
        if name in spec.columns and "population" in spec.columns:
            return pd.Series(spec["population"].to_numpy(), index=pd.Index(spec[name]))
        if spec.shape[1] == 1:
            return spec.iloc[:, 0]
        raise EstimationError(
            f"margin '{name}': expected a frame with columns ['{name}', 'population'] (or a "
            f"Series category -> total); got columns {list(spec.columns)}"
        )
    if isinstance(spec, pd.Series):
        return spec
    return pd.Series(dict(spec))


def rake(
    sample: pd.DataFrame,
    weight: str,
    margins: Mapping[str, MarginSpec],
    max_iter: int = 100,
    tol: float = 1e-8,
    bounds: tuple[float, float] | None = None,
    total_tol: float = 1e-6,
) -> WeightingResult:
    """Rake the weights to one-way population margins by iterative proportional fitting.

    Each sweep scales the weights to every margin in turn; after a sweep with ``bounds``, the
    adjustment factors ``new / base`` are clipped to ``bounds``. Raking stops once every margin
    category is within ``tol`` (relative) of its target. Bounds apply to the factor
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
        Not reaching ``tol`` within ``max_iter`` sweeps raises :class:`EstimationError` naming
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
    if not margins:
        raise EstimationError("expected at least one margin to rake to; got none")
    if max_iter < 1 or tol <= 0:
        raise EstimationError(f"expected max_iter >= 1 and tol > 0; got {max_iter}, {tol}")
    if bounds is not None and not 0 < bounds[0] <= 1 <= bounds[1]:
        raise EstimationError(f"bounds must satisfy 0 < low <= 1 <= high; got {bounds}")
    w0 = _base_weights(sample, weight)
    parsed: list[tuple[str, pd.Index, np.ndarray, np.ndarray]] = []
    for name, spec in margins.items():
        if name not in sample.columns:
            raise EstimationError(
                f"margin '{name}' is not a column of the sample; found {list(sample.columns)}"
            )
        targets = _margin_targets(name, spec)
        codes, values = _align(sample[name], targets, f"margin '{name}'")
        parsed.append((name, targets.index, codes, values))
    grand = [float(v.sum()) for *_, v in parsed]
    if max(grand) - min(grand) > total_tol * max(grand):
        raise EstimationError(
            "margins must describe the same population; their totals differ: "
            + ", ".join(f"'{p[0]}' {g:g}" for p, g in zip(parsed, grand, strict=True))
        )
    scaled0 = w0 * grand[0] / w0.sum()  # base weights scaled to the population total
    w = w0.copy()
    worst, worst_name, sweeps = np.inf, parsed[0][0], 0
    for sweeps in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        for _, _, codes, values in parsed:
            sums = np.bincount(codes, weights=w, minlength=len(values))
            w *= np.divide(values, sums, out=np.zeros(len(values)), where=sums > 0)[codes]
        if bounds is not None:
            w = scaled0 * np.clip(w / scaled0, bounds[0], bounds[1])
        worst = 0.0
        for name, _, codes, values in parsed:
            sums = np.bincount(codes, weights=w, minlength=len(values))
            err = np.divide(
                np.abs(sums - values), values, out=np.zeros(len(values)), where=values > 0
            )
            if err.max() > worst:
                worst, worst_name = float(err.max()), name
        if worst < tol:
            break
    else:
        raise EstimationError(
            f"raking did not converge in max_iter={max_iter} sweeps: margin '{worst_name}' is "
            f"still off by {worst:.3g} (relative) > tol={tol}; "
            + ("widen the bounds or " if bounds is not None else "")
            + "raise max_iter or merge sparse categories"
        )
    diag = pd.concat(
        [_diagnostics(name, idx, v, c, w0, w) for name, idx, c, v in parsed], ignore_index=True
    )
    return WeightingResult(
        weights=pd.Series(w, index=sample.index, name=weight),
        iterations=sweeps,
        max_margin_error=float(diag["error"].max()),
        design_effect=weighting_design_effect(w),
        margins=diag[DIAGNOSTIC_COLUMNS],
        method=f"raked to margins {list(margins)} ({sweeps} sweeps)"
        + (f", factors bounded to [{bounds[0]:g}, {bounds[1]:g}]" if bounds is not None else ""),
    )
