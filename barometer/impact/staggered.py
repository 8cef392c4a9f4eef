"""Callaway & Sant'Anna (2021) group-time average treatment effects, no covariates.

For a balanced panel with staggered adoption, ``ATT(g, t)`` is the average effect at time
``t`` for the units first treated at ``g``: the mean change of the group minus the mean
change of the comparison units, between ``t`` and a base period (``g - 1 - anticipation`` for
post periods; ``t - 1`` for pre periods when ``base_period="varying"``). This is the
outcome-regression / doubly robust estimator of R's ``did::att_gt`` with ``xformla = ~1``
(the two coincide without covariates). Standard errors come from the influence function
(R's ``bstrap = FALSE``); an optional multiplier bootstrap (Rademacher weights, seeded)
mirrors R's default and gives a simultaneous band. Aggregations live in
:mod:`barometer.impact.aggregate`.

Reference: Callaway, B. and Sant'Anna, P. H. C. (2021), "Difference-in-Differences with
multiple time periods", *Journal of Econometrics* 225(2), 200-230.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError

_METHOD = "Callaway-Sant'Anna ATT(g,t), {control} controls, {base} base period"


@dataclass(frozen=True)
class GroupTimeATT:
    """ATT(g, t) estimates with their influence functions (one row per unit, one column each).

    ``table`` is the tidy result; ``influence`` (n_units x n_gt) and ``unit_group`` (each
    unit's first-treatment period, 0 = never) let :func:`aggregate_att` propagate uncertainty.
    """

    table: pd.DataFrame
    influence: np.ndarray = field(repr=False)
    unit_group: np.ndarray = field(repr=False)
    level: float
    pretrend_wald: float
    pretrend_df: int
    pretrend_p_value: float
    bootstrap: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_units(self) -> int:
        return int(self.influence.shape[0])


def callaway_santanna(
    data: pd.DataFrame,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    *,
    control: Literal["nevertreated", "notyettreated"] = "nevertreated",
    base_period: Literal["varying", "universal"] = "varying",
    anticipation: int = 0,
    level: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
) -> GroupTimeATT:
    """Estimate every ATT(g, t) of a balanced panel with staggered treatment timing.

    Parameters
    ----------
    data
        Long panel, one row per unit and time.
    yname, tname, idname, gname
        Outcome, time (integer-like, e.g. year or month number), unit id, and the first
        treated time of the unit (``0`` or NaN = never treated). Times are mapped to their
        ordinal positions, so event times count periods, as in R.
    control
        ``"nevertreated"`` or ``"notyettreated"`` comparison units.
    base_period
        ``"varying"`` (pre-period ATTs are one-period changes) or ``"universal"`` (all
        relative to ``g - 1``; the reference cell is reported as 0 with no SE).
    anticipation
        Periods of anticipation (the base period moves back by this many).
    level
        Confidence level of the pointwise intervals.
    n_boot
        Multiplier-bootstrap draws (0 = analytic influence-function SEs only). With draws the
        table gains ``se_boot`` and a simultaneous band ``band_lower, band_upper``.
    seed
        Seed of the bootstrap.

    Returns
    -------
    GroupTimeATT
        ``table`` columns: ``method, estimand, group, time, event_time, estimate, se,
        lower, upper, p_value, n_treated, n_control, n_units, n_periods, note``; plus the
        Wald pre-test of parallel trends (chi-squared on all pre-treatment ATT(g, t), using
        the analytic covariance, as R does).
    """
    y, times, groups = _balanced_matrix(data, yname, tname, idname, gname)
    gpos = _group_positions(groups, times)
    if np.any(gpos < 0):  # treated in the first period: no pre period, dropped as in R
        y, groups, gpos = y[gpos >= 0], groups[gpos >= 0], gpos[gpos >= 0]
    treated_groups = np.unique(gpos[gpos > 0])
    treated_groups = treated_groups[treated_groups - anticipation > 0]
    if treated_groups.size == 0:
        raise EstimationError(
            f"'{gname}': expected at least one group first treated after the first period "
            f"{times[0]}; found none"
        )
    if not np.any(gpos == 0) and control == "nevertreated":
        raise EstimationError(
            f"'{gname}': control='nevertreated' needs never-treated units (0 or NaN); found "
            "none; use control='notyettreated'"
        )
    rows, columns = _group_time_cells(y, gpos, treated_groups, control, base_period, anticipation)
    influence = np.column_stack(columns)
    out = _att_table(rows, influence, times, level, (control, base_period))
    boot = None
    if n_boot:
        estimate = out["estimate"].to_numpy()
        boot, se_boot, crit = multiplier_bootstrap(influence, n_boot, level, seed)
        out["se_boot"] = se_boot
        out["band_lower"] = estimate - crit * se_boot
        out["band_upper"] = estimate + crit * se_boot
    wald, df, p = _pretest(out, influence)
    return GroupTimeATT(out, influence, _original_groups(groups), level, wald, df, p, boot)


def _group_time_cells(
    y: np.ndarray,
    gpos: np.ndarray,
    treated_groups: np.ndarray,
    control: str,
    base_period: str,
    anticipation: int,
) -> tuple[list[tuple[int, int, float, int, int, str]], list[np.ndarray]]:
    """Every ATT(g, t) as ``(g, t, att, n_treated, n_control, note)`` (g and t as positions)
    and its influence function (one value per unit); a cell without controls is left out."""
    n, n_t = y.shape
    t_list = range(1, n_t) if base_period == "varying" else range(n_t)
    rows, columns = [], []
    never = gpos == 0
    for g in treated_groups:
        treat = gpos == g
        universal_base = g - 1 - anticipation
        for t in t_list:
            post = t >= g - anticipation
            base = universal_base if (post or base_period == "universal") else t - 1
            if base_period == "universal" and t == base:
                rows.append((g, t, 0.0, int(treat.sum()), 0, "reference period (set to 0)"))
                columns.append(np.zeros(n))
                continue
            if control == "nevertreated":
                comp = never
            else:
                comp = never | ((gpos > max(t, base) + anticipation) & ~treat)
            if not comp.any():
                continue
            att, inf = _att_2x2(y[:, t] - y[:, base], treat, comp)
            rows.append((g, t, att, int(treat.sum()), int(comp.sum()), ""))
            columns.append(inf)
    return rows, columns


def _att_table(
    rows: list[tuple[int, int, float, int, int, str]],
    influence: np.ndarray,
    times: np.ndarray,
    level: float,
    choices: tuple[str, str],
) -> pd.DataFrame:
    """The tidy ATT(g, t) table with influence-function SEs and pointwise normal intervals
    (``choices``: the control and base-period options, for the method text)."""
    control, base_period = choices
    n = influence.shape[0]
    se = np.sqrt(np.mean(influence**2, axis=0) / n)
    se[se <= np.sqrt(np.finfo(float).eps) * 10] = np.nan
    table = pd.DataFrame(rows, columns=["g", "t", "estimate", "n_treated", "n_control", "note"])
    z = stats.norm.ppf(0.5 + level / 2)
    estimate = table["estimate"].to_numpy()
    return pd.DataFrame(
        {
            "method": _METHOD.format(control=control, base=base_period),
            "estimand": "ATT(g,t)",
            "group": times[table["g"].to_numpy()],
            "time": times[table["t"].to_numpy()],
            "event_time": (table["t"] - table["g"]).to_numpy(),
            "estimate": estimate,
            "se": se,
            "lower": estimate - z * se,
            "upper": estimate + z * se,
            "p_value": 2 * stats.norm.sf(np.abs(estimate / se)),
            "n_treated": table["n_treated"].to_numpy(),
            "n_control": table["n_control"].to_numpy(),
            "n_units": n,
            "n_periods": len(times),
            "note": table["note"].to_numpy(),
        }
    )


def _balanced_matrix(
    data: pd.DataFrame, yname: str, tname: str, idname: str, gname: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in (yname, tname, idname, gname) if c not in data.columns]
    if missing:
        raise EstimationError(f"expected columns {missing} in the data; found {list(data.columns)}")
    if data.duplicated([idname, tname]).any():
        raise EstimationError(f"expected one row per '{idname}' and '{tname}'; found repeats")
    wide = data.pivot(index=idname, columns=tname, values=yname).sort_index(axis=1)
    if wide.isna().to_numpy().any():
        n_bad = int(wide.isna().any(axis=1).sum())
        raise EstimationError(
            f"expected a balanced panel with '{yname}' observed for every unit and time; "
            f"{n_bad} of {len(wide)} units have gaps (drop them or impute first)"
        )
    g = data.groupby(idname)[gname].agg(["min", "max"]).reindex(wide.index)
    if (g["min"].fillna(0) != g["max"].fillna(0)).any():
        raise EstimationError(f"'{gname}' must be constant within each '{idname}'")
    if wide.shape[1] < 2:
        raise EstimationError(f"expected at least 2 periods in '{tname}'; found {wide.shape[1]}")
    times = wide.columns.to_numpy()
    return wide.to_numpy(dtype=float), times, g["min"].fillna(0).to_numpy(dtype=float)


def _group_positions(groups: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Position of each unit's first treated time among ``times`` (0 = never treated)."""
    finite = np.isfinite(groups) & (groups != 0)
    pos = np.zeros(groups.size, dtype=int)
    idx = np.searchsorted(times.astype(float), groups[finite])
    outside = idx >= times.size
    clipped = times.astype(float)[np.minimum(idx, times.size - 1)]
    if np.any(outside) or not np.all(clipped == groups[finite]):
        raise EstimationError(
            "first-treatment times must be among the panel's times (or 0 for never treated)"
        )
    pos[finite] = idx
    # units treated in the first period have no pre period: treated as not estimable
    pos[finite & (pos == 0)] = -1
    return pos


def _original_groups(groups: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(groups), groups, 0.0)


def _att_2x2(delta: np.ndarray, treat: np.ndarray, comp: np.ndarray) -> tuple[float, np.ndarray]:
    """2x2 DiD on changes and its influence function scaled to the full sample (R's n/n1)."""
    n = delta.size
    sub = treat | comp
    n1 = sub.sum()
    p = treat.sum() / n1
    mu1, mu0 = delta[treat].mean(), delta[comp].mean()
    inf = np.zeros(n)
    inf[treat] = (delta[treat] - mu1) / p
    inf[comp] = -(delta[comp] - mu0) / (1 - p)
    return float(mu1 - mu0), inf * (n / n1)


def multiplier_bootstrap(
    influence: np.ndarray, n_boot: int, level: float, seed: int | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Rademacher multiplier bootstrap of influence functions (as R's ``did::mboot``).

    Returns the draws of ``sqrt(n) * (theta* - theta)``, the IQR-based SEs and the critical
    value of the simultaneous band (the ``level`` quantile of the max absolute t).
    """
    n = influence.shape[0]
    rng = np.random.default_rng(seed)
    draws = np.empty((n_boot, influence.shape[1]))
    for start in range(0, n_boot, 256):
        v = rng.choice(np.array([-1.0, 1.0]), size=(min(256, n_boot - start), n))
        draws[start : start + v.shape[0]] = v @ influence / np.sqrt(n)
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = sigma > np.sqrt(np.finfo(float).eps) * 10
    tmax = np.max(np.abs(draws[:, ok] / sigma[ok]), axis=1) if ok.any() else np.zeros(1)
    crit = float(np.quantile(tmax, level, method="inverted_cdf"))
    se = np.where(ok, sigma / np.sqrt(n), np.nan)
    return draws, se, crit


def _pretest(table: pd.DataFrame, influence: np.ndarray) -> tuple[float, int, float]:
    """Wald chi-squared test that all pre-treatment ATT(g, t) are zero (analytic V)."""
    is_pre = (table["group"] > table["time"]).to_numpy() & table["se"].notna().to_numpy()
    pre = np.flatnonzero(is_pre)
    if pre.size == 0:
        return float("nan"), 0, float("nan")
    n = influence.shape[0]
    v = influence[:, pre].T @ influence[:, pre] / n
    if 1.0 / np.linalg.cond(v) <= np.finfo(float).eps:
        return float("nan"), int(pre.size), float("nan")
    a = table["estimate"].to_numpy()[pre]
    wald = float(n * a @ np.linalg.solve(v, a))
    return wald, int(pre.size), float(stats.chi2.sf(wald, pre.size))
