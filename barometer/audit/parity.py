"""Error-rate parity and flag-rate ratios across groups, with percentile bootstrap intervals.

* :func:`error_rates`: false-positive and false-negative rates per group (language, target
  group, dialect, ...). The bootstrap redraws the four confusion-matrix cells of each group from
  a multinomial with the observed shares, which is the same distribution as resampling the
  group's items with replacement (the rates depend on the items only through those counts),
  vectorised.
* :func:`flag_rate_ratio`: share of flagged texts in two groups (e.g. African-American-English-
  aligned vs white-aligned tweets, :mod:`barometer.audit.dialect`) and their ratio, with a
  bootstrap interval (independent binomial redraws of each group).
* :func:`rate_ratios`: highest / lowest rate across groups, what the audit's thresholds limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from barometer.exceptions import InputError

BOOTSTRAP = "percentile bootstrap"


def percentile_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of bootstrap draws: the order statistics at ``floor(a * (B - 1))``
    and ``ceil((1 - a) * (B - 1))`` of the ``B`` draws that are not NaN, ``a = (1 - level) / 2``
    (infinite draws allowed; (NaN, NaN) without any draw).

    Examples
    --------
    >>> percentile_interval(np.arange(101.0), 0.5)
    (25.0, 75.0)
    >>> percentile_interval(np.array([np.nan, np.nan]), 0.9)
    (nan, nan)
    """
    kept = np.sort(draws[~np.isnan(draws)])
    if not len(kept):
        return np.nan, np.nan
    alpha = (1 - level) / 2
    last = len(kept) - 1
    return float(kept[int(np.floor(alpha * last))]), float(kept[int(np.ceil((1 - alpha) * last))])


def _rates_of(
    counts: np.ndarray, draws: np.ndarray, level: float
) -> list[tuple[str, float, float, float, float]]:
    """(metric, value, lower, upper, n) of FPR and FNR from one group's confusion counts
    (TN, FP, FN, TP) and their bootstrap redraws."""
    out = []
    for metric, bad, good in (("fpr", 1, 0), ("fnr", 2, 3)):
        n = counts[bad] + counts[good]
        value = counts[bad] / n if n else np.nan
        denom = draws[:, bad] + draws[:, good]
        boot = np.divide(draws[:, bad], denom, out=np.full(len(draws), np.nan), where=denom > 0)
        lo, hi = percentile_interval(boot, level) if n else (np.nan, np.nan)
        out.append((metric, value, lo, hi, float(n)))
    return out


def error_rates(
    frame: pd.DataFrame,
    *,
    y_true: str,
    y_pred: str,
    by: Sequence[str],
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """False-positive and false-negative rates per group with percentile bootstrap intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per item with boolean (or 0/1) columns ``y_true`` and ``y_pred`` and the
        grouping columns ``by``.
    by : sequence of str
        Grouping columns, each audited separately (e.g. ``["lang", "target_group"]``).

    Returns
    -------
    DataFrame
        ``by, group, metric (fpr | fnr), value, lower, upper, n_effective, method``;
        ``n_effective`` is the number of negatives (FPR) or positives (FNR) of the group;
        a rate without any such item is NaN.
    """
    missing = [c for c in (y_true, y_pred, *by) if c not in frame.columns]
    if missing:
        raise InputError(f"error_rates: missing columns {missing}; got {list(frame.columns)}")
    truth = frame[y_true].astype(bool).to_numpy()
    pred = frame[y_pred].astype(bool).to_numpy()
    cell = 2 * truth.astype(int) + pred.astype(int)  # 0 TN, 1 FP, 2 FN, 3 TP
    rng = np.random.default_rng(seed)
    rows = []
    for column in by:
        for group, idx in frame.groupby(column, sort=True).indices.items():
            counts = np.bincount(cell[idx], minlength=4)
            draws = rng.multinomial(counts.sum(), counts / counts.sum(), size=n_boot)
            rows += [(column, str(group), *rate) for rate in _rates_of(counts, draws, level)]
    out = pd.DataFrame(
        rows, columns=["by", "group", "metric", "value", "lower", "upper", "n_effective"]
    )
    out["method"] = f"{BOOTSTRAP} ({n_boot}, level {level})"
    return out


def flag_rate_ratio(
    flags: Any,
    groups: Any,
    *,
    numerator: str,
    denominator: str,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Flag rates of two groups and their ratio (numerator / denominator) with intervals.

    Returns rows ``quantity (flag_rate | ratio), group, value, lower, upper, n_effective,
    method``.
    """
    flags, groups = np.asarray(flags, dtype=bool), np.asarray(groups, dtype=object)
    rng = np.random.default_rng(seed)
    rows, boots, points = [], [], []
    for name in (numerator, denominator):
        members = flags[groups == name]
        if not len(members):
            raise InputError(f"no item in group {name!r}; groups present: {sorted(set(groups))}")
        rate = members.mean()
        boot = rng.binomial(len(members), rate, size=n_boot) / len(members)
        lo, hi = percentile_interval(boot, level)
        rows.append(("flag_rate", name, rate, lo, hi, float(len(members))))
        boots.append(boot)
        points.append(rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_boot = boots[0] / boots[1]
        ratio = points[0] / points[1] if points[1] > 0 else np.inf
    lo, hi = percentile_interval(ratio_boot, level)
    rows.append(("ratio", f"{numerator}/{denominator}", ratio, lo, hi, np.nan))
    out = pd.DataFrame(
        rows, columns=["quantity", "group", "value", "lower", "upper", "n_effective"]
    )
    out["method"] = f"{BOOTSTRAP} ({n_boot}, level {level})"
    return out


def rate_ratios(rates: pd.DataFrame, *, min_n: int = 30) -> pd.DataFrame:
    """Highest / lowest rate across groups with at least ``min_n`` items, per (by, metric)."""
    kept = rates[(rates["n_effective"] >= min_n) & rates["value"].notna()]
    rows = []
    for (column, metric), part in kept.groupby(["by", "metric"], sort=True):
        values = part["value"].to_numpy(float)
        high, low = part.iloc[int(values.argmax())], part.iloc[int(values.argmin())]
        hi, lo = float(values.max()), float(values.min())
        ratio = 1.0 if hi == 0 else (hi / lo if lo > 0 else np.inf)
        rows.append((column, metric, high["group"], low["group"], hi, lo, ratio, len(part)))
    return pd.DataFrame(
        rows, columns=["by", "metric", "highest", "lowest", "high", "low", "ratio", "n_groups"]
    )
