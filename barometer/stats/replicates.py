"""Replicate-weight variance: delete-one-PSU jackknife (JK1) for unstratified cluster designs.

The replicate counterpart of the Taylor-linearised :func:`barometer.stats.survey.estimate_mean`
(R: ``as.svrepdesign(design, type="JK1")``); results have the same columns
(:data:`barometer.stats.survey.RESULT_COLUMNS`). Both functions are re-exported by
:mod:`barometer.stats.survey` and :mod:`barometer.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats._checks import (
    RESULT_COLUMNS,
    check_level,
    factor_codes,
    positive_weights,
    require_columns,
)


def jk1_replicate_weights(df: pd.DataFrame, weight: str, psu: str) -> pd.DataFrame:
    """Delete-one-PSU jackknife (JK1) replicate weights for an unstratified cluster design.

    Replicate ``r`` sets the weights of PSU ``r`` to zero and multiplies the others by
    ``n / (n - 1)``, ``n`` = number of PSUs (R: ``as.svrepdesign(design, type="JK1")``).

    Returns
    -------
    pandas.DataFrame
        Same index as ``df``; one column per deleted PSU, named ``jk1_<psu id>``, in sorted
        PSU order.
    """
    require_columns(df, [weight, psu])
    w = positive_weights(df, weight)
    codes, labels = factor_codes(df[psu], "psu")
    n = len(labels)
    if n < 2:
        raise EstimationError(f"JK1 needs at least 2 PSUs in '{psu}'; got {n}")
    reps = np.repeat(w[:, None] * n / (n - 1), n, axis=1)
    reps[np.arange(len(df)), codes] = 0.0
    return pd.DataFrame(reps, index=df.index, columns=[f"jk1_{label}" for label in labels])


def estimate_mean_replicates(
    df: pd.DataFrame,
    y: str,
    weight: str,
    psu: str,
    fpc: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Estimate the mean of numeric ``y`` with JK1 replicate-weight variance.

    ``var = (1 - f) (n - 1) / n * sum_r (theta_r - mean_r theta_r)^2``: centred on the mean of
    the replicates (R: ``svymean(~y, as.svrepdesign(design), na.rm=TRUE)``), with
    ``f = n / N`` when ``fpc`` (population count of PSUs, or a fraction <= 1) is given.
    ``df = n - 1``. Rows with missing ``y`` are dropped. Columns as in :func:`estimate_mean`.
    """
    check_level(level)
    require_columns(df, [y, weight, psu, fpc])
    if not pd.api.types.is_numeric_dtype(df[y]):
        raise EstimationError(f"outcome '{y}' must be numeric for JK1; got {df[y].dtype}")
    reps = jk1_replicate_weights(df, weight, psu).to_numpy()
    n_psu = reps.shape[1]
    yv = df[y].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(yv)
    w = df[weight].to_numpy(dtype=float)[ok]
    value = float(w @ yv[ok] / w.sum())
    rep_sw = reps[ok].sum(axis=0)
    if (rep_sw == 0).any():
        raise EstimationError(f"a JK1 replicate of '{y}' has no non-missing rows left")
    theta = (yv[ok] @ reps[ok]) / rep_sw
    scale = (n_psu - 1) / n_psu
    if fpc is not None:
        pop = df[fpc].to_numpy(dtype=float, na_value=np.nan)
        valid = np.isfinite(pop).all() and (0 < pop[0] <= 1 or pop[0] >= n_psu)
        if not valid or np.ptp(pop) > 0:
            raise EstimationError(
                f"fpc column '{fpc}' must hold one finite PSU population count >= {n_psu} "
                "(or one sampling fraction <= 1)"
            )
        scale *= 1.0 - (pop[0] if pop[0] <= 1 else n_psu / pop[0])
    se = float(np.sqrt(scale * ((theta - theta.mean()) ** 2).sum()))
    t_crit = float(stats.t.ppf(0.5 + level / 2.0, n_psu - 1))
    row = {
        "variable": y,
        "category": None,
        "value": value,
        "se": se,
        "lower": value - t_crit * se,
        "upper": value + t_crit * se,
        "df": n_psu - 1,
        "n": int(ok.sum()),
        "n_effective": float(w.sum() ** 2 / (w**2).sum()),
        "method": f"design-based mean, JK1 replicate weights ({n_psu} replicates)",
    }
    return pd.DataFrame([row], columns=RESULT_COLUMNS)
