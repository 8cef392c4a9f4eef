"""Error-rate parity and flag-rate ratios across groups, with percentile bootstrap intervals.

* :func:`error_rates`: false-positive and false-negative rates per group (language, target
  group, dialect, ...). The bootstrap redraws the four confusion-matrix cells of each group from
  a multinomial with the observed shares, which is the same distribution as resampling the
  group's items with replacement (the rates depend on the items only through those counts),
  vectorised.
* :func:`flag_rate_ratio`: share of flagged texts in two groups (e.g. African-American-English-
  aligned vs white-aligned tweets, :mod:`barometer.audit.dialect`) and their ratio, with a
  bootstrap interval (independent binomial redraws of each group).
* :func:`wilson_interval`: Wilson score interval of a rate (statsmodels).
* :func:`rate_ratios`: highest / lowest rate across the groups of each stratum, as point ratio and
  as the conservative ratio lower Wilson bound of the highest / upper Wilson bound of the lowest;
  :func:`parity_disparities` keeps the comparisons whose conservative ratio exceeds the limit
  (the audit's rule: a ratio counts only when the evidence separates the rates).

Why the conservative ratio decides (``bench/parity_rule_noise.py``): with point estimates, a
model whose true false-negative rate is 0.10 in every group fails 87 % of audits at the group
sizes of MLMA's held-out tweets, and a group with no error makes the ratio infinite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from barometer.exceptions import InputError
from barometer.stats.intervals import percentile_interval as stats_percentile_interval

BOOTSTRAP = "percentile bootstrap"
#: The stratum of a comparison over every item (no ``within`` column).
POOLED = "all"
#: Confidence level of the Wilson intervals the parity rule compares.
WILSON_LEVEL = 0.95


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
    lower, upper = stats_percentile_interval(draws, level, method="outward", skip_nan=True)
    return float(lower), float(upper)


def wilson_interval(errors: Any, n: Any, level: float = WILSON_LEVEL) -> tuple[Any, Any]:
    """Wilson score interval of the rate ``errors / n`` (scalars or arrays; NaN where n = 0).

    >>> [round(float(b), 4) for b in wilson_interval(0, 32)]
    [0.0, 0.1072]
    """
    errors, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    lower, upper = proportion_confint(errors, safe, alpha=1 - level, method="wilson")
    lower, upper = np.where(n > 0, lower, np.nan), np.where(n > 0, upper, np.nan)
    return (float(lower), float(upper)) if lower.ndim == 0 else (lower, upper)


def _rates_of(
    counts: np.ndarray, draws: np.ndarray, level: float
) -> list[tuple[str, float, float, float, float, int, float, float]]:
    """(metric, value, lower, upper, n, errors, wilson_lower, wilson_upper) of FPR and FNR from
    one group's confusion counts (TN, FP, FN, TP) and their bootstrap redraws."""
    out = []
    for metric, bad, good in (("fpr", 1, 0), ("fnr", 2, 3)):
        n = counts[bad] + counts[good]
        value = counts[bad] / n if n else np.nan
        denom = draws[:, bad] + draws[:, good]
        boot = np.divide(draws[:, bad], denom, out=np.full(len(draws), np.nan), where=denom > 0)
        lo, hi = percentile_interval(boot, level) if n else (np.nan, np.nan)
        w_lo, w_hi = wilson_interval(counts[bad], n)
        out.append((metric, value, lo, hi, float(n), int(counts[bad]), w_lo, w_hi))
    return out


def _strata(
    frame: pd.DataFrame, column: str, within: Sequence[str]
) -> list[tuple[str, pd.DataFrame]]:
    """(stratum label, rows) of the comparison across ``column``: one per value combination of
    the ``within`` columns other than ``column`` (``"lang=en"``), else all rows (``"all"``)."""
    strata = [c for c in within if c != column]
    if not strata:
        return [(POOLED, frame)]
    parts = frame.groupby(strata, sort=True, dropna=True)
    return [
        (",".join(f"{c}={v}" for c, v in zip(strata, key if isinstance(key, tuple) else (key,),
                                              strict=True)), part)
        for key, part in parts
    ]  # fmt: skip


def error_rates(
    frame: pd.DataFrame,
    *,
    y_true: str,
    y_pred: str,
    by: Sequence[str],
    within: Sequence[str] = (),
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """False-positive and false-negative rates per group with percentile bootstrap and Wilson
    95 % intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per item with boolean (or 0/1) columns ``y_true`` and ``y_pred`` and the
        grouping columns ``by``.
    by : sequence of str
        Grouping columns, each audited separately (e.g. ``["lang", "target_group"]``).
    within : sequence of str
        Stratum columns: the groups of a ``by`` column are measured (and later compared) within
        each value of these (e.g. target groups within each language); a ``by`` column that is
        itself a stratum column is measured over all rows.

    Returns
    -------
    DataFrame
        ``by, stratum, group, metric (fpr | fnr), value, lower, upper, n_effective, errors,
        wilson_lower, wilson_upper, method``; ``stratum`` is ``"all"`` without ``within``, else
        e.g. ``"lang=en"``; ``n_effective`` is the number of negatives (FPR) or positives (FNR)
        of the group and ``errors`` the false positives (FPR) or false negatives (FNR) among
        them; ``lower, upper`` are the bootstrap interval (``level``), ``wilson_*`` the Wilson
        95 % interval the parity rule compares; a rate without any such item is NaN.
    """
    missing = [c for c in (y_true, y_pred, *by, *within) if c not in frame.columns]
    if missing:
        raise InputError(f"error_rates: missing columns {missing}; got {list(frame.columns)}")
    truth = frame[y_true].astype(bool).to_numpy()
    pred = frame[y_pred].astype(bool).to_numpy()
    cell = 2 * truth.astype(int) + pred.astype(int)  # 0 TN, 1 FP, 2 FN, 3 TP
    rng = np.random.default_rng(seed)
    rows = []
    frame = frame.reset_index(drop=True)  # row labels = positions in ``cell``
    for column in by:
        for stratum, part in _strata(frame, column, within):
            for group, idx in part.groupby(column, sort=True).indices.items():
                counts = np.bincount(cell[part.index.to_numpy()[idx]], minlength=4)
                draws = rng.multinomial(counts.sum(), counts / counts.sum(), size=n_boot)
                rows += [(column, stratum, str(group), *rate)
                         for rate in _rates_of(counts, draws, level)]  # fmt: skip
    out = pd.DataFrame(
        rows,
        columns=["by", "stratum", "group", "metric", "value", "lower", "upper", "n_effective",
                 "errors", "wilson_lower", "wilson_upper"],
    )  # fmt: skip
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


RATIO_COLUMNS = [
    "by", "stratum", "metric", "highest", "lowest", "high", "high_lower", "low", "low_upper",
    "ratio", "conservative_ratio", "n_groups",
]  # fmt: skip


def rate_ratios(rates: pd.DataFrame, *, min_n: int = 30) -> pd.DataFrame:
    """Highest / lowest rate across the groups of each (by, stratum, metric) with at least
    ``min_n`` items (a comparison needs two such groups).

    ``ratio`` is the point ratio high / low (1 when both are 0, infinite when only the lowest
    is); ``conservative_ratio`` is ``high_lower / low_upper``, the lower Wilson 95 % bound of the
    highest group's rate over the upper bound of the lowest group's (highest and lowest by point
    estimate): it exceeds a limit only when the intervals themselves are that far apart, and is
    finite because an upper bound is positive. Rates without Wilson bounds (tables of older
    audits) get them from ``value`` and ``n_effective``.
    """
    rates = rates.copy()
    if "stratum" not in rates.columns:
        rates["stratum"] = POOLED
    if "wilson_lower" not in rates.columns:
        errors = np.round(rates["value"].to_numpy(float) * rates["n_effective"].to_numpy(float))
        rates["wilson_lower"], rates["wilson_upper"] = wilson_interval(
            errors, rates["n_effective"].to_numpy(float)
        )
    kept = rates[(rates["n_effective"] >= min_n) & rates["value"].notna()]
    rows = []
    for (column, stratum, metric), part in kept.groupby(["by", "stratum", "metric"], sort=True):
        if len(part) < 2:
            continue
        values = part["value"].to_numpy(float)
        high, low = part.iloc[int(values.argmax())], part.iloc[int(values.argmin())]
        hi, lo = float(values.max()), float(values.min())
        ratio = 1.0 if hi == 0 else (hi / lo if lo > 0 else np.inf)
        high_lower, low_upper = float(high["wilson_lower"]), float(low["wilson_upper"])
        rows.append((column, stratum, metric, high["group"], low["group"], hi, high_lower, lo,
                     low_upper, ratio, high_lower / low_upper, len(part)))  # fmt: skip
    return pd.DataFrame(rows, columns=RATIO_COLUMNS)


def parity_disparities(ratios: pd.DataFrame, limits: dict[str, float]) -> pd.DataFrame:
    """The rows of :func:`rate_ratios` that count as disparities: ``conservative_ratio`` above
    the limit of their metric (``limits``: ``{"fpr": 1.5, "fnr": 1.5}``)."""
    limit = ratios["metric"].map(limits).astype(float)
    return ratios[ratios["conservative_ratio"] > limit]
