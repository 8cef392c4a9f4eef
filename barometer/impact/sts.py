"""Counterfactual structural time series with covariates (in the spirit of CausalImpact).

A structural time-series model (statsmodels ``UnobservedComponents``: a local level, a
trigonometric seasonal of ``harmonics`` pairs when there are two full cycles before the start,
and a regression on ``covariates`` such as the comparison neighbourhoods' mean) is fitted by
maximum likelihood to the treated series *before* the start only. From the last pre-period state
the model is simulated ``n_draws`` times over the post periods, with the covariates' observed
post-period values: each draw is a counterfactual path without the action. The effect is the
average over the post periods of ``observed - counterfactual``; its interval is the
``level`` percentile interval of that average over the draws, and the p-value the two-sided
share of draws on the other side of zero. Uncertainty in the fitted parameters is not
propagated (the draws condition on the maximum-likelihood estimates), so the interval is too
narrow when the pre period is short: the impact report shows the method's calibration.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tsa.statespace.structural import UnobservedComponents

from barometer.exceptions import EstimationError
from barometer.impact.panel import period_index
from barometer.stats.intervals import percentile_interval

COLUMNS = [
    "method", "estimand", "estimate", "se", "lower", "upper", "p_value", "n_units",
    "n_periods", "note",
]  # fmt: skip


def structural_its(
    series: pd.Series,
    start: Any,
    covariates: pd.DataFrame | None = None,
    *,
    seasonal_period: int = 12,
    harmonics: int = 1,
    n_draws: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Average post-start effect against a simulated counterfactual (see module docstring).

    Parameters
    ----------
    series
        The treated unit's values indexed by period start (regular periods, no gaps).
    start
        First period of the action.
    covariates
        Regressors on the same index (e.g. the comparison units' mean), observed before and
        after the start and unaffected by the action; ``None`` for none.

    Returns
    -------
    DataFrame
        One row: ``method, estimand, estimate, se, lower, upper, p_value, n_units, n_periods,
        note`` (``se``: SD of the simulated average effect).
    """
    y = series.sort_index()
    if y.isna().any():
        raise EstimationError("the structural time-series model needs a series without gaps")
    pos, start_pos = period_index(y.index.to_series(), start)
    pre = pos < start_pos
    n_pre, n_post = int(pre.sum()), int((~pre).sum())
    if n_pre < 8 or n_post < 1:
        raise EstimationError(
            f"expected at least 8 periods before and 1 after start; found {n_pre}, {n_post}"
        )
    exog = _covariates(covariates, y.index)
    seasonal = (
        [{"period": seasonal_period, "harmonics": harmonics}]
        if n_pre >= 2 * seasonal_period
        else None
    )
    sims, caught = _simulate_counterfactuals(y, pre, exog, seasonal, n_draws, seed)
    paths = np.asarray(sims).reshape(n_post, -1)
    effects = np.mean(y.to_numpy(float)[~pre][:, None] - paths, axis=0)
    lower, upper = percentile_interval(effects, level)
    p = 2 * min(np.mean(effects <= 0), np.mean(effects >= 0))
    notes = sorted({str(w.message).split("\n")[0] for w in caught})
    parts = [
        "local level",
        f"{harmonics} seasonal harmonic(s)" if seasonal else "no seasonal (under 2 cycles)",
        f"{0 if exog is None else exog.shape[1]} covariate(s)",
        f"{n_draws} simulated counterfactuals, parameters fixed at their MLE",
        f"{n_pre} pre / {n_post} post periods",
    ]
    if notes:
        parts.append("optimiser: " + "; ".join(notes))
    return pd.DataFrame(
        [
            {
                "method": "structural time series (counterfactual)",
                "estimand": "average post-start effect",
                "estimate": float(np.mean(effects)),
                "se": float(np.std(effects, ddof=1)),
                "lower": float(lower),
                "upper": float(upper),
                "p_value": float(min(1.0, p)),
                "n_units": 1,
                "n_periods": len(y),
                "note": "; ".join(parts),
            }
        ],
        columns=COLUMNS,
    )


def _covariates(covariates: pd.DataFrame | None, index: pd.Index) -> np.ndarray | None:
    """The covariates as a matrix on the series' index; refuse a missing value."""
    if covariates is None:
        return None
    exog = covariates.reindex(index).to_numpy(float)
    if np.isnan(exog).any():
        raise EstimationError("covariates must be observed in every period of the series")
    return exog


def _simulate_counterfactuals(
    y: pd.Series,
    pre: np.ndarray,
    exog: np.ndarray | None,
    seasonal: list[dict[str, int]] | None,
    n_draws: int,
    seed: int,
) -> tuple[Any, list[warnings.WarningMessage]]:
    """Fit the model on the pre periods and simulate ``n_draws`` post-period paths from the
    last pre-period state; also the optimiser's warnings, caught to be reported in the note."""
    model = UnobservedComponents(
        y.to_numpy(float)[pre],
        level="local level",
        freq_seasonal=seasonal,
        exog=None if exog is None else exog[pre],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(disp=False, method="lbfgs", maxiter=500)
    sims = fit.simulate(
        int((~pre).sum()),
        repetitions=n_draws,
        anchor="end",
        exog=None if exog is None else exog[~pre],
        rng=np.random.default_rng(seed),
    )
    return sims, caught
