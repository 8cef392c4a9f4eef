"""First-order sensitivity indices of the composite index's assumptions, from its draws.

The first-order index of an assumption ``X_i`` is the share of rank (and score) variance
explained by it, ``S_i = Var(E[R | X_i]) / Var(R)`` (summed over units before dividing),
estimated by a one-way analysis of variance over the draws grouped by the level of ``X_i``,
with the bias-corrected ``(SS_between - (G - 1) MS_within) / SS_total``, floored at 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def nanmean(x: np.ndarray, axis: int = 0) -> np.ndarray | float:
    """Mean ignoring NaN; NaN (without a warning) where nothing is left."""
    n = (~np.isnan(x)).sum(axis=axis)
    total = np.where(np.isnan(x), 0.0, x).sum(axis=axis)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _first_order(values: np.ndarray, groups: np.ndarray) -> float:
    """Bias-corrected share of the variance of ``values`` (draws x units) explained by
    ``groups`` (one level per draw), summed over units; NaN cells are ignored."""
    ok = ~np.isnan(values)
    filled = np.where(ok, values, 0.0)
    n = ok.sum(axis=0)
    mean = filled.sum(axis=0) / np.maximum(n, 1)
    ss_total = float((np.where(ok, values - mean, 0.0) ** 2).sum())
    if ss_total == 0:
        return 0.0
    ss_between, levels = 0.0, np.unique(groups)
    for g in levels:
        rows = groups == g
        n_g = ok[rows].sum(axis=0)
        mean_g = filled[rows].sum(axis=0) / np.maximum(n_g, 1)
        ss_between += float((n_g * (mean_g - mean) ** 2).sum())
    df_within = float(n.sum()) - len(levels) * int((n > 0).sum())
    ms_within = (ss_total - ss_between) / max(df_within, 1.0)
    corrected = ss_between - (len(levels) - 1) * int((n > 0).sum()) * ms_within
    return max(corrected / ss_total, 0.0)


def assumption_table(
    factors: list[tuple[str, np.ndarray]],
    ranks: np.ndarray,
    scores: np.ndarray,
    nominal_rank: np.ndarray,
) -> pd.DataFrame:
    """One row per varied assumption (its levels, first-order variance shares of ranks and
    scores, mean |rank shift| per level) and a last row ``interactions`` (``1 - sum``)."""
    records: list[dict[str, object]] = []
    for name, groups in factors:
        level_shift = {
            str(g): float(nanmean(np.abs(ranks[groups == g] - nominal_rank).ravel()))
            for g in np.unique(groups)
        }
        records.append(
            {
                "assumption": name,
                "levels": ", ".join(sorted(level_shift)),
                "rank_variance_share": _first_order(ranks, groups),
                "score_variance_share": _first_order(scores, groups),
                "mean_abs_rank_shift": "; ".join(f"{g}: {v:.2f}" for g, v in level_shift.items()),
            }
        )
    table = pd.DataFrame(records)
    rest = {
        "assumption": "interactions",
        "levels": "",
        "rank_variance_share": max(1.0 - table["rank_variance_share"].sum(), 0.0),
        "score_variance_share": max(1.0 - table["score_variance_share"].sum(), 0.0),
        "mean_abs_rank_shift": "",
    }
    return pd.concat([table, pd.DataFrame([rest])], ignore_index=True)
