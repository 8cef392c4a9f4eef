"""Aggregations of Callaway-Sant'Anna ATT(g, t) into event-study, group and overall effects.

Follows R's ``did::aggte``: weights are group shares ``P(G = g)`` (estimated, so their own
influence function is added), standard errors come from the aggregated influence function.

- ``"dynamic"``: for each event time ``e = t - g``, the group-share weighted mean of the
  ATT(g, t) with that ``e``; the overall effect is the simple mean over ``e >= 0``.
  ``balance_e`` keeps only groups observed for at least ``balance_e`` periods after treatment
  (and event times in ``[balance_e - (T - 1), balance_e]``), so the composition is fixed.
- ``"group"``: for each group, the mean of its post-treatment ATT(g, t); the overall effect is
  the group-share weighted mean.
- ``"simple"``: the group-share weighted mean of all post-treatment ATT(g, t).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.impact.staggered import GroupTimeATT


def aggregate_att(
    att: GroupTimeATT,
    type: Literal["dynamic", "group", "simple"] = "dynamic",
    *,
    balance_e: int | None = None,
    min_e: float = -np.inf,
    max_e: float = np.inf,
    level: float | None = None,
) -> pd.DataFrame:
    """Aggregate ATT(g, t) into a tidy frame (one row per event time/group, plus overall).

    Parameters
    ----------
    att
        Result of :func:`~barometer.impact.staggered.callaway_santanna`.
    type
        ``"dynamic"`` (event study), ``"group"`` or ``"simple"``.
    balance_e
        Event time up to which every included group must be observed (dynamic only).
    min_e, max_e
        Event-time window (dynamic), or the last event time used (group/simple: ``max_e``).
    level
        Confidence level of the pointwise intervals; defaults to the level of ``att``.

    Returns
    -------
    DataFrame
        ``method, estimand, group, event_time, estimate, se, lower, upper, p_value, n_units,
        n_periods, note``; the last row is the overall effect.
    """
    if type not in ("dynamic", "group", "simple"):
        raise EstimationError(f"type must be 'dynamic', 'group' or 'simple'; got {type!r}")
    tab = att.table
    ok = np.isfinite(tab["estimate"].to_numpy())
    est = tab["estimate"].to_numpy()
    grp = tab["group"].to_numpy(dtype=float)
    tim = tab["time"].to_numpy(dtype=float)
    evt = tab["event_time"].to_numpy()
    share = {g: float(np.mean(att.unit_group == g)) for g in np.unique(grp)}
    pg = np.array([share[g] for g in grp])
    agg = _Aggregator(att, est, pg, grp)
    rows: list[tuple[str, float, float, float, np.ndarray]] = []
    if type == "dynamic":
        include = ok.copy()
        rank = np.unique(tim, return_inverse=True)[1]
        eseq = np.unique(evt[include])
        if balance_e is not None:
            include &= (rank.max() - rank + evt) >= balance_e
            eseq = np.unique(evt[include])
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - (rank.max() - rank.min()))]
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        infs, vals = [], []
        for e in eseq:
            value, inf = agg.weighted(np.flatnonzero(include & (evt == e)))
            rows.append(("ATT(e)", np.nan, float(e), value, inf))
            infs.append(inf)
            vals.append(value)
        post = eseq >= 0
        if not post.any():
            raise EstimationError("no event time >= 0 to aggregate; widen min_e/max_e")
        overall_inf = np.column_stack(infs)[:, post].mean(axis=1)
        overall = float(np.mean(np.asarray(vals)[post]))
    elif type == "group":
        overall, overall_inf = _by_group(att, ok & (tim >= grp) & (evt <= max_e), share, rows)
    else:
        overall, overall_inf = agg.weighted(np.flatnonzero(ok & (grp <= tim) & (evt <= max_e)))
    rows.append((f"overall ATT ({type})", np.nan, np.nan, overall, overall_inf))
    return _frame(att, rows, type, balance_e, att.level if level is None else level)


def _by_group(
    att: GroupTimeATT,
    keep: np.ndarray,
    share: dict[float, float],
    rows: list[tuple[str, float, float, float, np.ndarray]],
) -> tuple[float, np.ndarray]:
    """Append ATT(g), the mean over each group's post cells in ``keep``, to ``rows``; return
    their group-share weighted mean and its influence function."""
    tab = att.table
    est = tab["estimate"].to_numpy()
    grp = tab["group"].to_numpy(dtype=float)
    groups = np.unique(grp[np.isfinite(est)])
    vals, infs = [], []
    for g in groups:
        cells = np.flatnonzero(keep & (grp == g))
        value = float(est[cells].mean())
        inf = att.influence[:, cells].mean(axis=1)
        rows.append(("ATT(g)", float(g), np.nan, value, inf))
        vals.append(value)
        infs.append(inf)
    pgg = np.array([share[g] for g in groups])
    vals_a = np.asarray(vals)
    overall = float(np.sum(vals_a * pgg) / pgg.sum())
    wif = _wif(pgg, att.unit_group, groups)
    return overall, np.column_stack(infs) @ (pgg / pgg.sum()) + wif @ vals_a


class _Aggregator:
    def __init__(self, att: GroupTimeATT, est: np.ndarray, pg: np.ndarray, grp: np.ndarray):
        self.att, self.est, self.pg, self.grp = att, est, pg, grp

    def weighted(self, keep: np.ndarray) -> tuple[float, np.ndarray]:
        """Group-share weighted mean of the rows ``keep`` and its influence function."""
        if keep.size == 0:
            raise EstimationError("no ATT(g,t) left to aggregate for this selection")
        w = self.pg[keep] / self.pg[keep].sum()
        value = float(np.sum(self.est[keep] * w))
        wif = _wif(self.pg[keep], self.att.unit_group, self.grp[keep])
        inf = self.att.influence[:, keep] @ w + wif @ self.est[keep]
        return value, inf


def _wif(pg: np.ndarray, unit_group: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Influence function of estimated weights ``pg / sum(pg)`` (R's ``did:::wif``)."""
    centred = (unit_group[:, None] == groups[None, :]).astype(float) - pg[None, :]
    total = pg.sum()
    return centred / total - centred.sum(axis=1, keepdims=True) * (pg / total**2)[None, :]


def _frame(
    att: GroupTimeATT,
    rows: list[tuple[str, float, float, float, np.ndarray]],
    type: str,
    balance_e: int | None,
    level: float,
) -> pd.DataFrame:
    n = att.n_units
    est = np.array([r[3] for r in rows])
    se = np.array([np.sqrt(np.mean(r[4] ** 2) / n) for r in rows])
    z = stats.norm.ppf(0.5 + level / 2)
    note = "analytic influence-function SE; pointwise normal interval"
    if balance_e is not None:
        note += f"; balanced in event time up to e={balance_e}"
    return pd.DataFrame(
        {
            "method": f"Callaway-Sant'Anna aggregation ({type})",
            "estimand": [r[0] for r in rows],
            "group": [r[1] for r in rows],
            "event_time": [r[2] for r in rows],
            "estimate": est,
            "se": se,
            "lower": est - z * se,
            "upper": est + z * se,
            "p_value": 2 * stats.norm.sf(np.abs(est / se)),
            "n_units": n,
            "n_periods": int(att.table["n_periods"].iloc[0]),
            "note": note,
        }
    )
