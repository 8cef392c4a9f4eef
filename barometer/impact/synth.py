"""Synthetic control (Abadie, Diamond & Hainmueller 2010) for one treated neighbourhood.

The synthetic unit is a convex combination of donor units (weights >= 0, summing to 1) that
best reproduces the treated unit's *pre-period outcome path* (no covariates, equal weight on
every pre period). Weights solve the constrained least-squares problem with
``scipy.optimize.nnls`` on the system augmented by a heavily weighted row ``1'w = 1``
(a deterministic, warning-free exact QP solver; the residual of the constraint is below
1e-8 and the weights are renormalised). The effect is the average post-period gap
``treated - synthetic`` in the indicator's unit.

Inference is by in-space placebos: each donor in turn is treated as if it got the action and
fitted from the other donors. The rank p-value of the treated unit's post/pre RMSPE ratio is
``rank / (n_donors + 1)``, so with 9 donors it cannot go below 0.1. The reported interval is
the set of effects ``c`` for which the treated average gap minus ``c`` lies within the range of
the placebo average gaps (a permutation interval at nominal level ``1 - 2/(J + 1)``, here
0.8 with J = 9; it says how large placebo "effects" get, and is not a 95% interval).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from barometer.exceptions import EstimationError
from barometer.impact.panel import period_index, wide_panel

_PENALTY = 1e6


def fit_simplex_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Weights ``w >= 0, sum(w) = 1`` minimising ``||target - donors @ w||``.

    ``target`` has shape (T,), ``donors`` (T, J).
    """
    scale = max(float(np.abs(donors).max()), 1.0)
    a = np.vstack([donors / scale, np.full((1, donors.shape[1]), _PENALTY)])
    b = np.concatenate([target / scale, [_PENALTY]])
    w, _ = nnls(a, b, maxiter=50 * donors.shape[1] + 100)
    total = w.sum()
    if total <= 0:
        raise EstimationError("synthetic-control weights could not be fitted (all zero)")
    return w / total


def synthetic_control(
    panel: pd.DataFrame,
    treated_unit: str,
    start: Any,
    donors: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Fit a synthetic control for ``treated_unit`` and its post-period gap.

    Parameters
    ----------
    panel
        Long panel ``unit, period, value``.
    treated_unit
        The treated neighbourhood (for several treated units, average them into one unit
        first).
    start
        First treated period.
    donors
        Donor pool; defaults to every other unit. Donors with gaps in the periods where the
        treated unit is observed are dropped; periods where the treated unit is missing too.

    Returns
    -------
    dict
        ``weights`` (Series by donor), ``gap`` (Series by period: treated - synthetic),
        ``synthetic`` (Series), ``pre_rmspe``, ``post_rmspe``, ``ratio`` (post/pre RMSPE),
        ``effect`` (average post gap), ``n_pre``, ``n_post``, ``dropped_donors``.
    """
    wide = wide_panel(panel)
    if treated_unit not in wide.columns:
        raise EstimationError(f"treated unit '{treated_unit}' is not in the panel")
    pool = [u for u in (wide.columns if donors is None else donors) if u != treated_unit]
    unknown = sorted(set(pool) - set(wide.columns))
    if unknown:
        raise EstimationError(f"donors {unknown} are not in the panel")
    wide = wide[wide[treated_unit].notna()]
    complete = [u for u in pool if wide[u].notna().all()]
    if len(complete) < 2:
        raise EstimationError(
            f"expected at least 2 donors observed in every period of '{treated_unit}'; "
            f"found {len(complete)} of {len(pool)}"
        )
    _, start_pos = period_index(wide.index.to_series(), start)
    pre = np.arange(len(wide)) < start_pos
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise EstimationError(
            f"expected at least 2 pre and 1 post periods; found {pre.sum()} and {(~pre).sum()}"
        )
    y = wide[treated_unit].to_numpy()
    x = wide[complete].to_numpy()
    w = fit_simplex_weights(y[pre], x[pre])
    synthetic = x @ w
    gap = y - synthetic
    pre_rmspe = float(np.sqrt(np.mean(gap[pre] ** 2)))
    post_rmspe = float(np.sqrt(np.mean(gap[~pre] ** 2)))
    return {
        "weights": pd.Series(w, index=complete, name="weight"),
        "gap": pd.Series(gap, index=wide.index, name="gap"),
        "synthetic": pd.Series(synthetic, index=wide.index, name="synthetic"),
        "pre_rmspe": pre_rmspe,
        "post_rmspe": post_rmspe,
        "ratio": post_rmspe / pre_rmspe if pre_rmspe > 0 else float("inf"),
        "effect": float(gap[~pre].mean()),
        "n_pre": int(pre.sum()),
        "n_post": int((~pre).sum()),
        "dropped_donors": sorted(set(pool) - set(complete)),
    }


def placebo_inference(
    panel: pd.DataFrame,
    treated_unit: str,
    start: Any,
    donors: Iterable[str] | None = None,
    *,
    max_pre_rmspe_ratio: float | None = None,
) -> dict[str, Any]:
    """In-space placebo test of a synthetic control.

    Parameters
    ----------
    max_pre_rmspe_ratio
        Drop placebos whose pre-period RMSPE exceeds this multiple of the treated unit's
        (Abadie et al. 2010 use 5); ``None`` keeps all.

    Returns
    -------
    dict
        ``fit`` (the treated unit's :func:`synthetic_control` result), ``placebos`` (frame:
        ``unit, pre_rmspe, post_rmspe, ratio, effect``), ``placebo_gaps`` (frame, periods x
        units), ``p_value`` (rank of the treated ratio / (n + 1), descending),
        ``effect_p_value`` (same with the absolute average gap), ``lower``/``upper``
        (placebo-range interval of the effect, see module docstring) and ``n_placebos``.
    """
    fit = synthetic_control(panel, treated_unit, start, donors)
    pool = list(fit["weights"].index)
    rows, gaps = [], {}
    for unit in pool:
        others = [u for u in pool if u != unit]
        try:
            res = synthetic_control(panel, unit, start, others)
        except EstimationError:
            continue
        rows.append((unit, res["pre_rmspe"], res["post_rmspe"], res["ratio"], res["effect"]))
        gaps[unit] = res["gap"]
    placebos = pd.DataFrame(rows, columns=["unit", "pre_rmspe", "post_rmspe", "ratio", "effect"])
    if max_pre_rmspe_ratio is not None:
        placebos = placebos[placebos["pre_rmspe"] <= max_pre_rmspe_ratio * fit["pre_rmspe"]]
    if placebos.empty:
        raise EstimationError("no placebo could be fitted; need at least 3 complete units")
    n = len(placebos)
    ratios = placebos["ratio"].to_numpy()
    effects = placebos["effect"].to_numpy()
    p = (1 + np.sum(ratios >= fit["ratio"])) / (n + 1)
    p_effect = (1 + np.sum(np.abs(effects) >= abs(fit["effect"]))) / (n + 1)
    return {
        "fit": fit,
        "placebos": placebos.reset_index(drop=True),
        "placebo_gaps": pd.DataFrame(gaps)[placebos["unit"].tolist()],
        "p_value": float(p),
        "effect_p_value": float(p_effect),
        "lower": float(fit["effect"] - effects.max()),
        "upper": float(fit["effect"] - effects.min()),
        "interval_level": float(1 - 2 / (n + 1)),
        "n_placebos": n,
    }
