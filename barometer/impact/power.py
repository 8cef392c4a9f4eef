"""Power of a difference-in-differences evaluation: closed form and placebo simulation.

Closed form. For the collapsed DiD (each unit's post mean minus pre mean; treated minus
comparison), unit fixed effects and common period shocks cancel, and with idiosyncratic errors
that are AR(1) in time (variance ``sigma^2``, autocorrelation ``rho``) and independent across
units::

    Var(DiD) = sigma^2 * (a' R a) * (1/n_treated + 1/n_control)

where ``R_st = rho^|s-t|`` over the ``n_pre + n_post`` periods and ``a`` is ``-1/n_pre`` on
pre and ``1/n_post`` on post periods. With ``rho = 0`` this is the familiar
``sigma^2 (1/n_pre + 1/n_post)(1/n_treated + 1/n_control)``. This is the serial-correlation
formula of McKenzie (2012) and Burlig, Preonas & Woerman (2020, eq. 8, their idiosyncratic
AR(1) case). The minimum detectable effect (two-sided test at ``alpha``) is::

    MDE = (c_{1 - alpha/2} + c_{power}) * sqrt(Var(DiD))

with ``c`` normal quantiles (``distribution="normal"``) or Student t quantiles on
``n_treated + n_control - 2`` degrees of freedom (``"t"``, the default, matching the collapsed
t-test reported by :func:`barometer.impact.did.twfe_did`; an approximation to the noncentral t).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.impact.panel import period_index, wide_panel


def did_variance(
    sigma: float, n_pre: int, n_post: int, n_treated: int, n_control: int, rho: float = 0.0
) -> float:
    """Sampling variance of the collapsed DiD estimator (see module docstring)."""
    for name, v in (("n_pre", n_pre), ("n_post", n_post), ("n_treated", n_treated)):
        if v < 1:
            raise EstimationError(f"{name} must be >= 1; got {v}")
    if n_control < 1:
        raise EstimationError(f"n_control must be >= 1; got {n_control}")
    if not -1 < rho < 1 or sigma <= 0:
        raise EstimationError(f"expected sigma > 0 and -1 < rho < 1; got {sigma}, {rho}")
    t = np.arange(n_pre + n_post)
    corr = rho ** np.abs(t[:, None] - t[None, :])
    a = np.where(t < n_pre, -1.0 / n_pre, 1.0 / n_post)
    return float(sigma**2 * (a @ corr @ a) * (1 / n_treated + 1 / n_control))


def minimum_detectable_effect(
    sigma: float,
    n_pre: int,
    n_post: int,
    n_treated: int,
    n_control: int,
    alpha: float = 0.05,
    power: float = 0.8,
    rho: float = 0.0,
    *,
    distribution: Literal["t", "normal"] = "t",
) -> pd.DataFrame:
    """Minimum detectable effect of a DiD design, in the outcome's unit.

    Parameters
    ----------
    sigma
        Standard deviation of the idiosyncratic unit-period error (outcome units), e.g. the
        residual SD of a two-way fixed-effects fit on pre-period data.
    n_pre, n_post
        Periods before and after the start.
    n_treated, n_control
        Treated and comparison units.
    alpha, power
        Two-sided test level and target power.
    rho
        First-order autocorrelation of the errors.
    distribution
        ``"t"`` (df = n_treated + n_control - 2) or ``"normal"`` critical values.

    Returns
    -------
    DataFrame
        One row: ``method, mde, se, alpha, power, rho, sigma, n_pre, n_post, n_treated,
        n_control, note``.
    """
    if not (0 < alpha < 1 and 0 < power < 1):
        raise EstimationError(f"expected 0 < alpha, power < 1; got {alpha}, {power}")
    se = np.sqrt(did_variance(sigma, n_pre, n_post, n_treated, n_control, rho))
    df = n_treated + n_control - 2
    if distribution == "t":
        if df < 1:
            raise EstimationError("distribution='t' needs n_treated + n_control >= 3")
        mult = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    else:
        mult = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return pd.DataFrame(
        [
            {
                "method": "closed-form MDE, collapsed DiD with AR(1) errors",
                "mde": float(mult * se),
                "se": float(se),
                "alpha": alpha,
                "power": power,
                "rho": rho,
                "sigma": sigma,
                "n_pre": n_pre,
                "n_post": n_post,
                "n_treated": n_treated,
                "n_control": n_control,
                "note": f"{distribution} critical values"
                + (f", df={df}" if distribution == "t" else ""),
            }
        ]
    )


def collapsed_t(
    wide: np.ndarray, post: np.ndarray, treated: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Collapsed DiD estimates and t statistics for a stack of panels.

    ``wide`` is (S, T, N) (simulations x periods x units, NaN allowed), ``treated`` (S, N)
    booleans. Period effects are removed by subtracting the cross-unit period mean.
    """
    net = wide - np.nanmean(wide, axis=2, keepdims=True)
    d = np.nanmean(net[:, post, :], axis=1) - np.nanmean(net[:, ~post, :], axis=1)
    n_t = treated.sum(axis=1)
    n_c = treated.shape[1] - n_t
    mean_t = np.sum(d * treated, axis=1) / n_t
    mean_c = np.sum(d * ~treated, axis=1) / n_c
    resid = d - np.where(treated, mean_t[:, None], mean_c[:, None])
    df = int(treated.shape[1] - 2)
    pooled = np.sum(resid**2, axis=1) / df
    est = mean_t - mean_c
    return est, est / np.sqrt(pooled * (1 / n_t + 1 / n_c)), df


def simulate_power(
    panel: pd.DataFrame,
    treated_units: Iterable[str],
    start: Any,
    effect: float | Sequence[float],
    n_sims: int = 500,
    seed: int = 0,
    *,
    alpha: float = 0.05,
    n_treated: int | None = None,
) -> pd.DataFrame:
    """Power by placebo simulation on the real panel.

    The actually treated units are set aside (their post periods may carry the effect). In
    each simulation ``n_treated`` (default: as many as were treated) of the remaining units
    are drawn at random as pseudo-treated, ``effect`` is added to their values from ``start``
    on, and the collapsed DiD t-test (see :func:`~barometer.impact.did.twfe_did`) is run.
    Power is the share of simulations significant at ``alpha``; ``effect = 0`` gives the
    empirical size. Real serial correlation and unit heterogeneity are kept as they are.

    Returns
    -------
    DataFrame
        One row per effect: ``method, effect, power, mc_se, n_sims, n_treated, n_control,
        alpha, note``.
    """
    treated = {str(u) for u in treated_units}
    wide = wide_panel(panel)
    pool = [u for u in wide.columns if u not in treated]
    k = len(treated) if n_treated is None else n_treated
    if k < 1 or len(pool) - k < 2:
        raise EstimationError(
            f"placebo simulation needs n_treated >= 1 and at least 2 other comparison units; "
            f"have {len(pool)} untreated units for {k} pseudo-treated"
        )
    _, start_pos = period_index(wide.index.to_series(), start)
    post = np.arange(len(wide)) >= start_pos
    values = wide[pool].to_numpy(float)
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((n_sims, len(pool))), axis=1)
    pseudo = order < k
    effects = np.atleast_1d(np.asarray(effect, dtype=float))
    crit = stats.t.ppf(1 - alpha / 2, len(pool) - 2)
    rows = []
    for eff in effects:
        sims = np.broadcast_to(values, (n_sims, *values.shape)).copy()
        sims += eff * (post[None, :, None] & pseudo[:, None, :])
        _, t, df = collapsed_t(sims, post, pseudo)
        share = float(np.mean(np.abs(t) > crit))
        rows.append(
            {
                "method": "placebo simulation, collapsed DiD t-test",
                "effect": float(eff),
                "power": share,
                "mc_se": float(np.sqrt(share * (1 - share) / n_sims)),
                "n_sims": n_sims,
                "n_treated": k,
                "n_control": len(pool) - k,
                "alpha": alpha,
                "note": f"t({df}); actually treated units {sorted(treated)} set aside",
            }
        )
    return pd.DataFrame(rows)
