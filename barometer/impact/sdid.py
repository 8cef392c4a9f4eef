"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021).

The estimate is a weighted DiD of the treated block (treated units x post periods)::

    tau = (mean_post(Y_tr) - lambda' Y_tr,pre) - (omega' Y_co,post_mean - omega' Y_co,pre lambda)

with unit weights ``omega`` (on the simplex, plus an intercept) that make the comparison units'
pre-period path parallel to the treated mean's, penalised by ``zeta^2 T0 ||omega||^2`` with
``zeta = (N1 T1)^(1/4) * sigma`` (``sigma``: SD of the comparison units' first differences
before the start), and time weights ``lambda`` (simplex, intercept, penalty ``1e-6 sigma``)
that make the weighted pre periods predict the post-period mean of each comparison unit.
Both are solved by Frank-Wolfe with exact line search, first 100 iterations, then the weights
at or below a quarter of their maximum are set to zero (``sparsify``) and the solver runs on
to convergence (decrease of the objective below ``(1e-5 sigma)^2``), as R's ``synthdid``
(version 0.0.9, ``synthdid_estimate`` defaults) does.

Standard error: the placebo method (Section 5 of the paper, Algorithm 4), the only one
available with a single treated unit: comparison units are treated as if they were treated,
``N1`` at a time, and the estimate is recomputed on the comparison units only with the fitted
weights kept (``omega`` restricted and renormalised, ``lambda`` as is: ``synthdid``'s
``vcov(method = "placebo")``); ``se = sqrt((r - 1) / r) * sd(placebo estimates)``. With
``N1 = 1`` and ``placebo_reps=None`` every comparison unit is used once (exact, no randomness).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.impact.panel import period_index, wide_panel


def _fw_step(a: np.ndarray, x: np.ndarray, b: np.ndarray, eta: float) -> np.ndarray:
    """One Frank-Wolfe step with exact line search for ``||A x - b||^2 + eta ||x||^2`` on the
    simplex."""
    ax = a @ x
    half_grad = (ax - b) @ a + eta * x
    i = int(np.argmin(half_grad))
    d_x = -x.copy()
    d_x[i] = 1 - x[i]
    if not np.any(d_x):
        return x
    d_err = a[:, i] - ax
    step = -(half_grad @ d_x) / (d_err @ d_err + eta * (d_x @ d_x))
    return x + min(1.0, max(0.0, float(step))) * d_x


def _sc_weights(
    y: np.ndarray,
    zeta: float,
    *,
    intercept: bool,
    weights: np.ndarray | None,
    min_decrease: float,
    max_iter: int,
) -> np.ndarray:
    """Frank-Wolfe for ``min ||A w + c - b||^2 / n + zeta^2 ||w||^2`` over the simplex, where
    ``A`` is ``y[:, :-1]`` and ``b`` its last column (columns demeaned when ``intercept``)."""
    n, t = y.shape[0], y.shape[1] - 1
    w = np.full(t, 1.0 / t) if weights is None else weights.copy()
    if intercept:
        y = y - y.mean(axis=0, keepdims=True)
    a, b = y[:, :t], y[:, t]
    eta = n * zeta**2
    vals: list[float] = []
    for _ in range(max_iter):
        w = _fw_step(a, w, b, eta)
        err = a @ w - b
        vals.append(zeta**2 * float(w @ w) + float(err @ err) / n)
        if len(vals) >= 2 and vals[-2] - vals[-1] <= min_decrease**2:
            break
    return w


def _sparsify(v: np.ndarray) -> np.ndarray:
    out = np.where(v <= v.max() / 4, 0.0, v)
    return out / out.sum()


def _collapsed(y: np.ndarray, n0: int, t0: int) -> np.ndarray:
    """(N0 + 1) x (T0 + 1): treated rows and post columns averaged."""
    top = np.column_stack([y[:n0, :t0], y[:n0, t0:].mean(axis=1)])
    bottom = np.append(y[n0:, :t0].mean(axis=0), y[n0:, t0:].mean())
    return np.vstack([top, bottom])


def sdid_matrix(y: np.ndarray, n0: int, t0: int) -> dict[str, Any]:
    """Synthetic DiD on a matrix: rows ``0..n0-1`` comparison units, then treated units;
    columns ``0..t0-1`` pre periods, then post periods. Returns ``estimate``, ``omega``,
    ``lambda``, ``zeta_omega``, ``noise_level``."""
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    if n0 < 2 or n1 < 1 or t0 < 2 or t1 < 1:
        raise EstimationError(
            f"synthetic DiD needs >= 2 comparison units, >= 1 treated, >= 2 pre and >= 1 post "
            f"periods; got {n0}, {n1}, {t0}, {t1}"
        )
    noise = float(np.std(np.diff(y[:n0, :t0], axis=1), ddof=1))
    if not np.isfinite(noise) or noise <= 0:
        noise = 1e-12
    zeta_omega = (n1 * t1) ** 0.25 * noise
    zeta_lambda = 1e-6 * noise
    min_decrease = 1e-5 * noise
    yc = _collapsed(y, n0, t0)
    lam = _sc_weights(
        yc[:n0, :], zeta_lambda, intercept=True, weights=None, min_decrease=min_decrease,
        max_iter=100,
    )  # fmt: skip
    lam = _sc_weights(
        yc[:n0, :], zeta_lambda, intercept=True, weights=_sparsify(lam),
        min_decrease=min_decrease, max_iter=10_000,
    )  # fmt: skip
    om = _sc_weights(
        yc[:, :t0].T, zeta_omega, intercept=True, weights=None, min_decrease=min_decrease,
        max_iter=100,
    )  # fmt: skip
    om = _sc_weights(
        yc[:, :t0].T, zeta_omega, intercept=True, weights=_sparsify(om),
        min_decrease=min_decrease, max_iter=10_000,
    )  # fmt: skip
    row = np.concatenate([-om, np.full(n1, 1.0 / n1)])
    col = np.concatenate([-lam, np.full(t1, 1.0 / t1)])
    return {
        "estimate": float(row @ y @ col),
        "omega": om,
        "lambda": lam,
        "zeta_omega": zeta_omega,
        "noise_level": noise,
    }


def synthetic_did(
    panel: pd.DataFrame,
    treated: Iterable[str],
    start: Any,
    *,
    level: float = 0.95,
    placebo_reps: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Synthetic DiD estimate of the post-start average effect on the treated units.

    Parameters
    ----------
    panel
        Long panel ``unit, period, value``; units observed in every period are used (others
        are dropped and named in ``dropped_units``).
    treated
        Treated units (all start at ``start``).
    start
        First treated period.
    level
        Confidence level of the normal interval ``estimate +/- z se``.
    placebo_reps
        Placebo replications for the SE; ``None``: every comparison unit once when one unit is
        treated, else 200 random draws.
    seed
        Seed of the random placebo draws.

    Returns
    -------
    dict
        ``estimate, se, lower, upper, p_value`` (normal), ``unit_weights`` (Series),
        ``time_weights`` (Series over pre periods), ``n_placebos``, ``dropped_units``.
    """
    wide = wide_panel(panel)
    treated = sorted({str(u) for u in treated})
    missing = sorted(set(treated) - set(wide.columns))
    if missing:
        raise EstimationError(f"treated units {missing} are not in the panel")
    complete = [u for u in wide.columns if wide[u].notna().all()]
    dropped = sorted(set(wide.columns) - set(complete))
    if set(treated) - set(complete):
        raise EstimationError(
            f"treated units {sorted(set(treated) - set(complete))} have gaps; synthetic DiD "
            "needs a balanced panel"
        )
    controls = [u for u in complete if u not in treated]
    _, t0 = period_index(wide.index.to_series(), start)
    y = wide[[*controls, *treated]].to_numpy(float).T
    fit = sdid_matrix(y, len(controls), t0)
    n1 = len(treated)
    estimates = _placebos(y[: len(controls)], fit, n1, t0, placebo_reps, seed)
    r = len(estimates)
    se = float(np.sqrt((r - 1) / r) * np.std(estimates, ddof=1)) if r >= 2 else np.nan
    z = stats.norm.ppf(0.5 + level / 2)
    est = fit["estimate"]
    return {
        "estimate": est,
        "se": se,
        "lower": est - z * se,
        "upper": est + z * se,
        "p_value": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
        "unit_weights": pd.Series(fit["omega"], index=controls, name="omega"),
        "time_weights": pd.Series(fit["lambda"], index=wide.index[:t0], name="lambda"),
        "n_placebos": r,
        "dropped_units": dropped,
    }


def _placebos(
    controls: np.ndarray, fit: dict[str, Any], n1: int, t0: int, reps: int | None, seed: int
) -> np.ndarray:
    """Placebo estimates with the fitted weights kept (``synthdid``'s ``vcov`` default):
    ``omega`` restricted to the remaining comparison units and renormalised, ``lambda`` as
    fitted."""
    n0 = controls.shape[0]
    if n0 - n1 < 2:
        return np.array([])
    if reps is None and n1 == 1:
        orders = [np.r_[np.delete(np.arange(n0), j), j] for j in range(n0)]
    else:
        rng = np.random.default_rng(seed)
        orders = [rng.permutation(n0) for _ in range(reps or 200)]
    t1 = controls.shape[1] - t0
    col = np.concatenate([-fit["lambda"], np.full(t1, 1.0 / t1)])
    out = []
    for order in orders:
        omega = fit["omega"][order[: n0 - n1]]
        if omega.sum() <= 0:
            continue
        row = np.concatenate([-omega / omega.sum(), np.full(n1, 1.0 / n1)])
        out.append(float(row @ controls[order] @ col))
    return np.array(out)
