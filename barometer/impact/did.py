"""Difference-in-differences for one action: two-way fixed effects and an event study.

Model: ``y_it = a_i + l_t + beta * D_it + e_it`` with unit effects ``a_i``, period effects
``l_t`` and ``D_it = 1`` for treated units from ``start`` on. ``beta`` is the average effect
on the treated after the start, in the indicator's own unit. Identification rests on parallel
trends and no spillovers to comparison units. With one start date for all treated units TWFE
is fine; with staggered starts use :func:`~barometer.impact.staggered.callaway_santanna`.

Inference, three ways (one row each in :func:`twfe_did`):

1. ``cluster``: cluster-robust (CR1) SEs by unit with t(G-1) critical values and the
   small-sample factor ``G/(G-1) * (N-1)/(N-K)``, where ``K`` leaves out the unit fixed
   effects when they are nested in the clusters (R ``fixest``'s default,
   ``ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)``; ``small_sample="all"`` counts
   them, as statsmodels and Stata's ``regress ..., vce(cluster)`` with dummies do). With ~10
   neighbourhoods, and above all with one treated unit, these are far too small (the treated
   cluster's residuals are nearly orthogonal to the treatment dummy): use them for comparison
   only (on the simulated municipalities they covered the planted effect in well under 90%).
2. ``wild bootstrap``: wild cluster bootstrap (:mod:`barometer.impact.bootstrap`, Webb weights
   by default), WCR p-value and WCU interval. Better with few clusters, still unreliable with
   one treated unit (MacKinnon & Webb 2017; measured in the calibration study).
3. ``collapsed``: each unit's post-minus-pre mean of ``y_it - l_t`` (period effects from the
   TWFE fit), then a two-sample t-test of treated against comparison units with the pooled
   variance and ``n - 2`` degrees of freedom (Bertrand, Duflo & Mullainathan 2004). Exact
   under normal, exchangeable unit errors, whatever the serial correlation; the point estimate
   equals TWFE's on a balanced panel. This is the default headline of the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.impact.aggregation import aggregate_att
from barometer.impact.bootstrap import wild_cluster_bootstrap
from barometer.impact.panel import PERIOD, UNIT, VALUE, check_panel, period_index
from barometer.impact.staggered import GroupTimeATT, callaway_santanna

__all__ = ["GroupTimeATT", "aggregate_att", "callaway_santanna", "event_study", "twfe_did"]

COLUMNS = [
    "method", "estimand", "inference", "estimate", "se", "lower", "upper", "p_value",
    "n_units", "n_periods", "n_clusters", "note",
]  # fmt: skip
_ESTIMAND = "ATT, average over post-start periods"


def twfe_did(
    panel: pd.DataFrame,
    treated_units: Iterable[str],
    start: Any,
    *,
    cluster: str = "unit",
    level: float = 0.95,
    n_boot: int = 999,
    seed: int | None = None,
    bootstrap_weights: Literal["rademacher", "webb"] = "webb",
    small_sample: Literal["nested", "all"] = "nested",
) -> pd.DataFrame:
    """Estimate the post-start average effect with two-way fixed effects.

    Parameters
    ----------
    panel
        Long panel ``unit, period, value`` (see :func:`~barometer.impact.panel.indicator_panel`).
    treated_units
        Units that received the action.
    start
        First treated period (a date; the first period on or after it is treated).
    cluster
        Column to cluster on (``"unit"``; another column of ``panel`` is allowed).
    level
        Confidence level.
    n_boot
        Wild-bootstrap replications (0 skips the bootstrap row).
    seed
        Seed of the bootstrap draws (unused when all sign vectors are enumerated).
    bootstrap_weights
        Wild-bootstrap weights: ``"webb"`` (six-point, default) or ``"rademacher"``.
    small_sample
        ``K`` in the cluster small-sample factor: ``"nested"`` leaves out unit fixed effects
        nested in the clusters (fixest), ``"all"`` counts every dummy (statsmodels).

    Returns
    -------
    DataFrame
        One row per inference (``cluster``, ``wild bootstrap``, ``collapsed``), columns
        ``method, estimand, inference, estimate, se, lower, upper, p_value, n_units,
        n_periods, n_clusters, note``. The bootstrap row has no ``se``.
    """
    data, treated = _prepare(panel, treated_units, start)
    d = (data["_treated"] & (data["_pos"] >= data.attrs["start_pos"])).to_numpy(float)
    if d.sum() == 0 or d.sum() == data["_treated"].sum():
        raise EstimationError("expected treated observations both before and after start")
    x = _design(data, {"treatment": d})
    y = data[VALUE].to_numpy(float)
    groups = _cluster_codes(data, cluster)
    fit = _fit(y, x, groups)
    g = int(groups.max() + 1)
    beta, se = float(fit.params[0]), float(fit.bse[0])
    if small_sample == "nested" and _nested(data, cluster):
        n, k = x.shape
        k_nested = k - (data[UNIT].nunique() - 1)
        se *= float(np.sqrt((n - k) / (n - k_nested)))
    base = {
        "method": "TWFE DiD (unit + period FE)",
        "estimand": _ESTIMAND,
        "n_units": int(data[UNIT].nunique()),
        "n_periods": int(data[PERIOD].nunique()),
        "n_clusters": g,
    }
    rows = [
        {
            **base,
            **_t_row(beta, se, g - 1, level),
            "inference": "cluster",
            "note": f"cluster-robust SE by {cluster}, t({g - 1}); unreliable with few "
            f"({len(treated)}) treated clusters",
        }
    ]
    if n_boot:
        p, half, reps = wild_cluster_bootstrap(
            y, x, groups, n_boot=n_boot, level=level, seed=seed, weights=bootstrap_weights
        )
        rows.append(
            {
                **base,
                "inference": "wild bootstrap",
                "estimate": beta,
                "se": np.nan,
                "lower": beta - half,
                "upper": beta + half,
                "p_value": p,
                "note": f"wild cluster bootstrap, {bootstrap_weights.capitalize()} weights by "
                f"{cluster}, {reps} draws; "
                "WCR p-value, WCU percentile-t interval",
            }
        )
    rows.append({**base, **_collapsed(data, fit, level), "inference": "collapsed"})
    return pd.DataFrame(rows, columns=COLUMNS)


def _t_row(estimate: float, se: float, df: float, level: float) -> dict[str, float]:
    crit = stats.t.ppf(0.5 + level / 2, df)
    return {
        "estimate": estimate,
        "se": se,
        "lower": estimate - crit * se,
        "upper": estimate + crit * se,
        "p_value": float(2 * stats.t.sf(abs(estimate / se), df)) if se > 0 else np.nan,
    }


def _collapsed(data: pd.DataFrame, fit: Any, level: float) -> dict[str, Any]:
    """Unit-level post-minus-pre contrasts net of period effects, pooled two-sample t."""
    n_units = data[UNIT].nunique()
    period_fx = np.concatenate([[0.0], np.asarray(fit.params)[1 + n_units :]])
    net = data[VALUE].to_numpy(float) - period_fx[data["_pos"].to_numpy()]
    post = data["_pos"].to_numpy() >= data.attrs["start_pos"]
    frame = pd.DataFrame({"unit": data[UNIT].to_numpy(), "post": post, "net": net})
    means = frame.pivot_table(index="unit", columns="post", values="net", aggfunc="mean")
    if means.shape[1] < 2 or means.isna().to_numpy().any():
        raise EstimationError("every unit needs observations before and after start")
    contrast = means[True] - means[False]
    treated = contrast.index.isin(data.loc[data["_treated"], UNIT].unique())
    d_t, d_c = contrast[treated].to_numpy(), contrast[~treated].to_numpy()
    n_t, n_c = d_t.size, d_c.size
    df = n_t + n_c - 2
    if df < 1:
        raise EstimationError("the collapsed t-test needs at least 3 units")
    pooled = (np.sum((d_t - d_t.mean()) ** 2) + np.sum((d_c - d_c.mean()) ** 2)) / df
    se = float(np.sqrt(pooled * (1 / n_t + 1 / n_c)))
    out: dict[str, Any] = {**_t_row(float(d_t.mean() - d_c.mean()), se, df, level)}
    out["note"] = (
        f"unit post-minus-pre means net of period effects; pooled two-sample t({df}) "
        f"({n_t} treated, {n_c} comparison units)"
    )
    return out


def event_study(
    panel: pd.DataFrame,
    treated_units: Iterable[str],
    start: Any,
    *,
    leads: int = 6,
    lags: int = 12,
    bin_endpoints: bool = True,
    level: float = 0.95,
    inference: Literal["units", "cluster"] = "units",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Event-study regression: one coefficient per period relative to ``start``.

    Relative time ``k = period - start`` (in periods) for treated units; ``k = -1`` is the
    reference (0 by construction). With ``bin_endpoints`` the first/last coefficients absorb
    all ``k <= -leads`` / ``k >= lags``; otherwise treated observations outside the window are
    dropped. Point estimates come from OLS with unit and period fixed effects.

    ``inference="units"`` (default) estimates the covariance of the coefficients from the
    spread across units of each unit's own event-time contrasts (its residual-free analogue:
    the coefficient regression run for every comparison unit as a pseudo-treated one),
    pooled, times ``1/n_treated + 1/n_comparison``; t(n-2) intervals and a two-sample
    Hotelling test of the leads, F(q, n - q - 1). ``"cluster"`` uses cluster-robust SEs by
    unit, t(G-1) and a Wald F(q, G-1) (too small SEs with few treated units).

    Returns
    -------
    (DataFrame, dict)
        Coefficients ``method, estimand, event_time, estimate, se, lower, upper, p_value,
        n_units, n_periods, note`` (the reference row included), and the joint pre-trend
        test ``{"statistic", "df_num", "df_denom", "p_value"}`` that all leads (``k <= -2``)
        are zero; NaN when there are too few units for the number of leads.
    """
    if leads < 2 or lags < 0:
        raise EstimationError(f"expected leads >= 2 and lags >= 0; got {leads}, {lags}")
    data, treated = _prepare(panel, treated_units, start)
    rel = data["_pos"] - data.attrs["start_pos"]
    if bin_endpoints:
        rel = rel.clip(-leads, lags)
    else:
        keep = ~data["_treated"] | rel.between(-leads, lags)
        data, rel = data[keep], rel[keep]
    ks = [k for k in range(-leads, lags + 1) if k != -1]
    present = [k for k in ks if ((rel == k) & data["_treated"]).any()]
    dummies = {f"k={k}": ((rel == k) & data["_treated"]).to_numpy(float) for k in present}
    x = _design(data, dummies)
    groups = _cluster_codes(data, UNIT)
    y = data[VALUE].to_numpy(float)
    fit = _fit(y, x, groups)
    est = np.asarray(fit.params[: len(present)])
    n_units = int(groups.max() + 1)
    if inference == "cluster":
        cov = np.asarray(fit.cov_params())[: len(present), : len(present)]
        df = n_units - 1
    else:
        cov, df = _unit_covariance(data, rel, present, len(treated))
    se = np.sqrt(np.diag(cov))
    crit = stats.t.ppf(0.5 + level / 2, df)
    frame = pd.DataFrame(
        {
            "event_time": [*present, -1],
            "estimate": [*est, 0.0],
            "se": [*se, np.nan],
            "lower": [*(est - crit * se), np.nan],
            "upper": [*(est + crit * se), np.nan],
            "p_value": [*(2 * stats.t.sf(np.abs(est / se), df)), np.nan],
        }
    ).sort_values("event_time", ignore_index=True)
    frame.insert(0, "method", "event study (unit + period FE)")
    frame.insert(1, "estimand", "effect at event time k (reference k=-1)")
    frame["n_units"] = n_units
    frame["n_periods"] = int(data[PERIOD].nunique())
    frame["note"] = (
        f"{'binned endpoints' if bin_endpoints else 'window only'}; {inference} SEs, t({df})"
    )
    lead_idx = [i for i, k in enumerate(present) if k <= -2]
    return frame, _wald(est, cov, lead_idx, df, hotelling=inference != "cluster")


def _unit_covariance(
    data: pd.DataFrame, rel: pd.Series, present: list[int], n_treated: int
) -> tuple[np.ndarray, int]:
    """Pooled within-group covariance of unit event-time contrasts, scaled to the DiD."""
    frame = pd.DataFrame(
        {"unit": data[UNIT].to_numpy(), "k": rel.to_numpy(), "y": data[VALUE].to_numpy(float)}
    )
    means = frame.pivot_table(index="unit", columns="k", values="y", aggfunc="mean")
    if -1 not in means.columns or means[[*present, -1]].isna().to_numpy().any():
        raise EstimationError(
            "inference='units' needs every unit observed at every event time (and k=-1); "
            "use inference='cluster' for gappy panels"
        )
    contrasts = means[present].to_numpy() - means[[-1]].to_numpy()
    is_treated = means.index.isin(data.loc[data["_treated"], UNIT].unique())
    n = contrasts.shape[0]
    df = n - 2
    centred = np.vstack(
        [contrasts[m] - contrasts[m].mean(axis=0) for m in (is_treated, ~is_treated)]
    )
    pooled = centred.T @ centred / df
    return pooled * (1 / n_treated + 1 / (n - n_treated)), df


def _prepare(
    panel: pd.DataFrame, treated_units: Iterable[str], start: Any
) -> tuple[pd.DataFrame, list[str]]:
    check_panel(panel)
    treated = sorted({str(u) for u in treated_units})
    data = panel.dropna(subset=[VALUE]).copy()
    data[UNIT] = data[UNIT].astype(str)
    missing = sorted(set(treated) - set(data[UNIT]))
    if missing:
        raise EstimationError(
            f"treated units {missing} are not in the panel; units: {sorted(set(data[UNIT]))}"
        )
    if data[UNIT].nunique() - len(treated) < 1:
        raise EstimationError("expected at least one untreated comparison unit; found none")
    pos, start_pos = period_index(data[PERIOD], start)
    data["_pos"] = pos
    data["_treated"] = data[UNIT].isin(treated)
    data.attrs["start_pos"] = start_pos
    data.attrs["n_treated"] = len(treated)
    return data, treated


def _design(data: pd.DataFrame, regressors: dict[str, np.ndarray]) -> np.ndarray:
    """Regressors first, then a constant and unit and period dummies (first level dropped)."""
    units = pd.get_dummies(data[UNIT], drop_first=True, dtype=float).to_numpy()
    periods = pd.get_dummies(data["_pos"], drop_first=True, dtype=float).to_numpy()
    return np.column_stack([*regressors.values(), np.ones(len(data)), units, periods])


def _nested(data: pd.DataFrame, cluster: str) -> bool:
    """Whether every unit lies in one cluster (unit fixed effects nested in the clusters)."""
    return cluster == UNIT or bool((data.groupby(UNIT)[cluster].nunique() == 1).all())


def _cluster_codes(data: pd.DataFrame, cluster: str) -> np.ndarray:
    if cluster not in data.columns:
        raise EstimationError(f"cluster column '{cluster}' is not in the panel")
    return pd.factorize(data[cluster])[0]


def _fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> Any:
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise EstimationError(
            "the design is collinear (e.g. a treatment dummy that coincides with a fixed "
            "effect); check that comparison units cover the treated periods"
        )
    return sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})


def _wald(
    est: np.ndarray, cov: np.ndarray, idx: list[int], df: int, *, hotelling: bool
) -> dict[str, float]:
    """Joint test that ``est[idx]`` are 0: Wald F(q, df), or a two-sample Hotelling T^2 whose
    pooled covariance has ``df = n - 2`` degrees of freedom: F = (df - q + 1)/(q df) T^2 on
    (q, df - q + 1)."""
    q = len(idx)
    nan = {"statistic": np.nan, "df_num": q, "df_denom": np.nan, "p_value": np.nan}
    if q == 0:
        return nan
    b, v = est[idx], cov[np.ix_(idx, idx)]
    if np.linalg.matrix_rank(v) < q:
        return nan
    wald = float(b @ np.linalg.solve(v, b))
    if hotelling:
        denom = df - q + 1
        if denom < 1:
            return nan
        f = wald * denom / (q * df)
    else:
        denom, f = df, wald / q
    return {
        "statistic": f,
        "df_num": q,
        "df_denom": denom,
        "p_value": float(stats.f.sf(f, q, denom)),
    }
