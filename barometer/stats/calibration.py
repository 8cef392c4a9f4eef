"""Calibration of survey weights to known population totals (generalised raking).

Given base weights ``d``, a model matrix ``X`` (one row per respondent) and population totals
``T`` of its columns, find adjustment factors ``g`` such that ``sum_i d_i g_i x_i = T`` with
``g_i = F(x_i' eta)`` (Deville & Sarndal 1992), as R's ``survey::calibrate`` (``grake``):

- ``"linear"``: ``F(u) = 1 + u`` (GREG; can give negative weights without bounds);
- ``"raking"``: ``F(u) = exp(u)`` (multiplicative raking, the limit of iterative proportional
  fitting);
- ``"logit"``: ``F(u) = (L (U - 1) + U (1 - L) e^{A u}) / (U - 1 + (1 - L) e^{A u})`` with
  ``A = (U - L) / ((U - 1)(1 - L))``, which keeps ``g`` inside ``(L, U)``.

With ``bounds = (L, U)``, linear and raking factors are truncated to ``[L, U]`` (Newton steps use
the truncated derivative and a pseudo-inverse, as ``grake``). Iteration stops when every
``|misfit_j| / (1 + |T_j|) < epsilon``.

:func:`calibration_residuals` turns influence values computed with the calibrated weights into
the residuals of their weighted regression on ``X`` (base weights), which is what the variance
of a calibrated estimator is built from (Sarndal, Swensson & Wretman 1992, section 6.6; R's
``svyrecvar`` with ``greg_calibration``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from barometer.exceptions import EstimationError

CalFun = Literal["linear", "raking", "logit"]
_CALFUNS = ("linear", "raking", "logit")


@dataclass(frozen=True)
class Calibration:
    """One calibration step: ``X`` (n x p), the weights before (``base``) and after it."""

    matrix: np.ndarray
    base: np.ndarray
    weights: np.ndarray
    calfun: str
    iterations: int
    bounds: tuple[float, float] | None = None
    variance: np.ndarray | None = None


def _link(calfun: str, low: float, high: float) -> tuple[Callable, Callable]:
    """``(F - 1, dF/du)`` for the calibration function, with the bounds applied."""
    if calfun == "linear":
        return (
            lambda u: np.clip(u + 1.0, low, high) - 1.0,
            lambda u: ((u < high - 1.0) & (u > low - 1.0)).astype(float),
        )
    if calfun == "raking":

        def raking(u: np.ndarray) -> np.ndarray:
            return np.clip(np.exp(np.minimum(u, 700.0)), low, high) - 1.0

        def draking(u: np.ndarray) -> np.ndarray:
            inside = (u < high - 1.0) & (u > low - 1.0)
            return np.where(inside, np.exp(np.minimum(u, 700.0)), 0.0)

        return raking, draking
    a = (high - low) / ((high - 1.0) * (1.0 - low))

    def logit(u: np.ndarray) -> np.ndarray:
        e = np.exp(np.clip(a * u, -700.0, 700.0))
        return (low * (high - 1.0) + high * (1.0 - low) * e) / (high - 1.0 + (1.0 - low) * e) - 1.0

    def dlogit(u: np.ndarray) -> np.ndarray:
        e = np.exp(np.clip(a * u, -700.0, 700.0))
        den = high - 1.0 + (1.0 - low) * e
        num = low * (high - 1.0) + high * (1.0 - low) * e
        return high * (1.0 - low) * e * a / den - num * (1.0 - low) * e * a / den**2

    return logit, dlogit


def calibration_factors(
    matrix: np.ndarray,
    base: np.ndarray,
    population: np.ndarray,
    calfun: str = "linear",
    bounds: tuple[float, float] | None = None,
    maxit: int = 50,
    epsilon: float = 1e-7,
    variance: np.ndarray | None = None,
    names: list[str] | None = None,
) -> tuple[np.ndarray, int]:
    """Calibration factors ``g`` (new weight = ``base * g``) and the Newton steps taken.

    Parameters
    ----------
    matrix
        ``X``, one row per respondent, one column per calibration total.
    base
        Weights before calibration (> 0).
    population
        Population totals of the columns of ``X``.
    calfun, bounds, maxit, epsilon
        See the module docstring. ``bounds`` is required for ``"logit"`` (``L < 1 < U``).
    variance
        Optional working-model variances ``sigma_i`` (linear calibration without bounds only):
        ``g_i = 1 + x_i' lambda / sigma_i`` (R's ``calibrate(variance=)``); e.g. ``x`` itself
        with ``X = [x]`` gives the ratio estimator.
    names
        Labels of the totals, for the error message when calibration does not converge.
    """
    x = np.asarray(matrix, dtype=float)
    d = np.asarray(base, dtype=float)
    t = np.asarray(population, dtype=float)
    if calfun not in _CALFUNS:
        raise EstimationError(f"calfun must be one of {_CALFUNS}; got {calfun!r}")
    if x.ndim != 2 or x.shape[0] != d.shape[0] or x.shape[1] != t.shape[0]:
        raise EstimationError(
            f"calibration needs one total per model-matrix column: matrix {x.shape}, "
            f"{t.shape[0]} totals, {d.shape[0]} weights"
        )
    if not np.isfinite(t).all():
        raise EstimationError("calibration totals must be finite numbers")
    low, high = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if bounds is not None and not low < 1.0 < high:
        raise EstimationError(f"bounds must satisfy low < 1 < high; got {bounds}")
    if calfun == "logit" and bounds is None:
        raise EstimationError("logit calibration needs finite bounds (low, high)")
    if variance is not None:
        if calfun != "linear" or bounds is not None:
            raise EstimationError(
                "a working-model variance needs linear calibration without bounds"
            )
        sigma = np.asarray(variance, dtype=float)
        if sigma.shape != d.shape or not (np.isfinite(sigma) & (sigma > 0)).all():
            raise EstimationError("variance must give one finite positive value per respondent")
        tmat = (x * (d / sigma)[:, None]).T @ x
        lam = np.linalg.lstsq(tmat, t - d @ x, rcond=None)[0]
        return 1.0 + (x @ lam) / sigma, 1
    f_minus_1, d_f = _link(calfun, low, high)
    sample = d @ x
    eta = np.zeros(x.shape[1])
    for iteration in range(1, maxit + 1):
        xeta = x @ eta
        tmat = (x * (d * d_f(xeta))[:, None]).T @ x
        misfit = t - sample - d @ (x * f_minus_1(xeta)[:, None])
        eta = eta + np.linalg.pinv(tmat) @ misfit
        xeta = x @ eta
        misfit = t - sample - d @ (x * f_minus_1(xeta)[:, None])
        if (np.abs(misfit) / (1.0 + np.abs(t)) < epsilon).all():
            return 1.0 + f_minus_1(xeta), iteration
    worst = int(np.argmax(np.abs(misfit) / (1.0 + np.abs(t))))
    label = names[worst] if names is not None else f"number {worst}"
    raise EstimationError(
        f"{calfun} calibration did not converge in {maxit} iterations: the total of {label} "
        f"is still off by {misfit[worst]:.4g} (of {t[worst]:.4g})"
        + (f"; the bounds {bounds} may be too tight" if bounds is not None else "")
    )


def calibration_residuals(z: np.ndarray, steps: list[Calibration]) -> np.ndarray:
    """Influence values ``z`` (n x k) replaced by their calibration residuals, step by step.

    For each step, ``u = z / w`` (``w`` the weights after the step) is regressed on ``X`` with
    the weights before it (divided by the working-model variances, if any), and
    ``z <- w (u - X b)``.
    """
    out = np.asarray(z, dtype=float)
    for step in steps:
        u = out / step.weights[:, None]
        reg = step.base if step.variance is None else step.base / step.variance
        xw = step.matrix * reg[:, None]
        coef = np.linalg.lstsq(xw.T @ step.matrix, xw.T @ u, rcond=None)[0]
        out = step.weights[:, None] * (u - step.matrix @ coef)
    return out
