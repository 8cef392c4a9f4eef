"""Synthetic control with predictors and a nested V optimisation (Abadie & Gardeazabal 2003;
Abadie, Diamond & Hainmueller 2010, 2011: R ``Synth``).

The synthetic unit ``W`` (weights >= 0 summing to 1 over the donors) minimises the distance
between the treated unit's and the donors' *predictors*, ``(X1 - X0 W)' V (X1 - X0 W)``, where

- ``X`` holds one row per predictor: each of ``predictors`` averaged (NaN skipped) over the
  ``predictor_times``, and each *special predictor* ``(variable, times, "mean")`` averaged over
  its own times (e.g. the outcome in some pre years, a sector share in odd years);
- every row is divided by its standard deviation across the treated and donor units, as
  ``Synth`` does, so predictors in different units are comparable;
- ``V`` is diagonal, non-negative, summing to 1, and chosen (the outer, nested problem) to
  minimise the mean squared error of the *outcome* over the ``optimize_times`` (the
  optimisation window, ``time.optimize.ssr``): ``mean((Z1 - Z0 W(V))^2)``.

The inner problem (``W`` for a given ``V``) is an exact non-negative least-squares solve on
``sqrt(V)``-scaled predictors with the adding-up constraint (see
:func:`~barometer.impact.synth.fit_simplex_weights`); the outer one starts from equal ``V``
and runs Nelder-Mead and BFGS (``Synth``'s default ``optimxmethod``) on ``|v| / sum|v|``,
keeping the better. A ``custom_v`` skips the outer search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from barometer.exceptions import EstimationError
from barometer.impact.synth import fit_simplex_weights


@dataclass(frozen=True)
class SpecialPredictor:
    """A predictor averaged over its own times (``op`` is ``"mean"``)."""

    variable: str
    times: Sequence[Any]
    op: str = "mean"


@dataclass(frozen=True)
class PredictorSpec:
    """What the synthetic unit must match: see the module docstring."""

    predictors: Sequence[str] = ()
    predictor_times: Sequence[Any] = ()
    special: Sequence[SpecialPredictor] = field(default_factory=tuple)


def predictor_matrix(
    data: pd.DataFrame, unit: str, time: str, units: Sequence[str], spec: PredictorSpec
) -> pd.DataFrame:
    """Predictors (rows) x units (columns), each a mean over its times with NaN skipped."""
    rows: dict[str, pd.Series] = {}
    items = [(p, list(spec.predictor_times), "mean") for p in spec.predictors]
    items += [(s.variable, list(s.times), s.op) for s in spec.special]
    for variable, times, op in items:
        if variable not in data.columns:
            raise EstimationError(f"predictor '{variable}' is not a column of the data")
        if op != "mean":
            raise EstimationError(f"predictor '{variable}': only op='mean' is supported")
        window = data[data[time].isin(times) & data[unit].isin(units)]
        values = window.groupby(unit)[variable].mean().reindex(list(units))
        name = (
            variable
            if (variable, times) == (variable, list(spec.predictor_times))
            else (f"special.{variable}.{times[0]}.{times[-1]}")
        )
        if values.isna().any():
            raise EstimationError(
                f"predictor '{variable}' has no value in {times[0]}..{times[-1]} for "
                f"{values.index[values.isna()].tolist()}"
            )
        rows[name] = values
    if not rows:
        raise EstimationError("expected at least one predictor or special predictor")
    return pd.DataFrame(rows).T


def _w_given_v(v: np.ndarray, x1: np.ndarray, x0: np.ndarray) -> np.ndarray:
    root = np.sqrt(v)
    return fit_simplex_weights(root * x1, root[:, None] * x0)


def _optimise_v(loss: Any, k: int, restarts: int = 8) -> np.ndarray:
    """Nelder-Mead and BFGS from equal weights, then Nelder-Mead restarted from the best point
    until it stops improving (a restart rebuilds the simplex, which escapes the premature
    collapse Nelder-Mead is prone to in many dimensions)."""
    start = np.full(k, 1.0 / k)
    options = {"maxiter": 40_000, "maxfev": 40_000, "xatol": 1e-12, "fatol": 1e-16}
    fits = [
        minimize(loss, start, method="Nelder-Mead", options=options),
        minimize(loss, start, method="BFGS", options={"gtol": 1e-12}),
    ]
    best = min(fits, key=lambda f: f.fun)
    x, value = best.x, float(best.fun)
    for _ in range(restarts):
        fit = minimize(loss, x / np.sum(np.abs(x)), method="Nelder-Mead", options=options)
        if fit.fun >= value - 1e-15:
            break
        x, value = fit.x, float(fit.fun)
    return np.asarray(x)


def synth_predictors(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: str,
    donors: Sequence[str],
    spec: PredictorSpec,
    optimize_times: Sequence[Any],
    custom_v: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Fit ``Synth``'s synthetic control for ``treated`` from ``donors``.

    Parameters
    ----------
    data
        Long frame, one row per unit and time, with the outcome and predictor columns.
    unit, time, outcome
        Column names.
    optimize_times
        Pre-period times whose outcome the synthetic unit must track (the optimisation window).
    custom_v
        Predictor weights to use as given (normalised to sum 1) instead of optimising them.

    Returns
    -------
    dict
        ``weights`` (Series by donor), ``v`` (Series by predictor), ``loss_v`` (mean squared
        outcome error in the window), ``loss_w`` (the predictor distance at the optimum),
        ``predictors`` (frame: treated, synthetic, donor mean), ``gap`` (Series over all
        times: treated minus synthetic outcome).
    """
    donors = [d for d in donors if d != treated]
    units = [treated, *donors]
    x = predictor_matrix(data, unit, time, units, spec)
    sd = x.to_numpy(float).std(axis=1, ddof=1)
    if np.any(sd <= 0):
        raise EstimationError(f"predictors {list(x.index[sd <= 0])} do not vary across units")
    scaled = x.to_numpy(float) / sd[:, None]
    x1, x0 = scaled[:, 0], scaled[:, 1:]
    wide = data.pivot(index=time, columns=unit, values=outcome)
    z = wide.loc[list(optimize_times), units].to_numpy(float)
    if np.isnan(z).any():
        raise EstimationError("the outcome has gaps in the optimisation window")
    z1, z0 = z[:, 0], z[:, 1:]

    def loss(raw: np.ndarray) -> float:
        v = np.abs(raw) / np.sum(np.abs(raw))
        w = _w_given_v(v, x1, x0)
        return float(np.mean((z1 - z0 @ w) ** 2))

    k = scaled.shape[0]
    best = np.asarray(custom_v, dtype=float) if custom_v is not None else _optimise_v(loss, k)
    v = np.abs(best) / np.sum(np.abs(best))
    w = _w_given_v(v, x1, x0)
    all_y = wide[units].to_numpy(float)
    gap = all_y[:, 0] - all_y[:, 1:] @ w
    diff = x1 - x0 @ w
    return {
        "weights": pd.Series(w, index=donors, name="weight"),
        "v": pd.Series(v, index=x.index, name="v"),
        "loss_v": float(np.mean((z1 - z0 @ w) ** 2)),
        "loss_w": float(diff @ (v * diff)),
        "predictors": pd.DataFrame(
            {
                "treated": x[treated],
                "synthetic": x[donors].to_numpy(float) @ w,
                "donor_mean": x[donors].mean(axis=1),
            }
        ),
        "gap": pd.Series(gap, index=wide.index, name="gap"),
    }
