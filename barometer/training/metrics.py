"""Evaluation metrics of the text models, with percentile bootstrap intervals.

F1 scores are computed from confusion counts, so a bootstrap replicate costs one
``np.bincount`` (1,000 replicates of a 3,500-row test set take well under a second).
Krippendorff's alpha is the interval-metric alpha for two coders (gold and model) without
missing values, as used for ABSAbank-Imm in SuperLim-2 (the one implementation of
:mod:`barometer.annotation.agreement`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from barometer.annotation.agreement import krippendorff_alpha
from barometer.exceptions import EstimationError

Metric = Callable[[np.ndarray, np.ndarray], float]


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def _f1_per_class(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(cm).astype(float)
    pred = cm.sum(axis=0)
    true = cm.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1


def macro_f1(k: int) -> Metric:
    """Macro-F1 over the classes present in ``y_true`` or ``y_pred`` (codes ``0..k-1``)."""

    def metric(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        cm = _confusion(y_true, y_pred, k)
        present = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
        return float(_f1_per_class(cm)[2][present].mean())

    return metric


def weighted_f1(k: int) -> Metric:
    """F1 per class weighted by the class's share of ``y_true`` (scikit-learn "weighted")."""

    def metric(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        cm = _confusion(y_true, y_pred, k)
        support = cm.sum(axis=1)
        return float((_f1_per_class(cm)[2] * support).sum() / max(support.sum(), 1))

    return metric


def class_precision(k: int, code: int) -> Metric:
    """Precision of class ``code``."""
    return lambda t, p: float(_f1_per_class(_confusion(t, p, k))[0][code])


def class_recall(k: int, code: int) -> Metric:
    """Recall of class ``code``."""
    return lambda t, p: float(_f1_per_class(_confusion(t, p, k))[1][code])


def false_positive_rate(negative: int) -> Metric:
    """Share of the items of class ``negative`` predicted as any other class (NaN without
    such items)."""

    def metric(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        negatives = y_true == negative
        return float((y_pred[negatives] != negative).mean()) if negatives.any() else float("nan")

    return metric


def krippendorff_alpha_interval(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha (interval metric) of two complete codings ``a`` and ``b`` (gold and
    model), by :func:`barometer.annotation.agreement.krippendorff_alpha`; NaN where undefined
    (no spread at all, e.g. in a bootstrap replicate).

    Examples
    --------
    >>> krippendorff_alpha_interval(np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 3, 4]))
    1.0
    """
    try:
        return krippendorff_alpha([a, b], level="interval")
    except EstimationError:
        return float("nan")


def bootstrap(
    metric: Metric,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Return ``(value, lower, upper)``: the metric and its percentile bootstrap interval.

    Test items are resampled with replacement ``n_boot`` times with ``np.random.default_rng(seed)``,
    so the interval is reproducible.
    """
    value = metric(y_true, y_pred)
    n = len(y_true)
    if n_boot <= 0 or n == 0:
        return value, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    reps = np.empty(n_boot)
    for i in range(n_boot):
        idx = rng.integers(0, n, n)
        reps[i] = metric(y_true[idx], y_pred[idx])
    tail = (1 - level) / 2 * 100
    lower, upper = np.nanpercentile(reps, [tail, 100 - tail])
    return value, float(lower), float(upper)


def metric_row(
    name: str,
    metric: Metric,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    source: str,
    lang: str,
    n_boot: int,
    level: float,
    seed: int,
) -> dict[str, object]:
    """One tidy metric row: source, lang, metric, value, lower, upper, n, method."""
    value, lower, upper = bootstrap(metric, y_true, y_pred, n_boot=n_boot, level=level, seed=seed)
    return {
        "source": source, "lang": lang, "metric": name, "value": value, "lower": lower,
        "upper": upper, "n": len(y_true),
        "method": f"percentile bootstrap over test items, {n_boot} replicates, {level:.0%}",
    }  # fmt: skip


def encode(labels: pd.Series | np.ndarray, classes: list[str]) -> np.ndarray:
    """Integer codes of ``labels`` in ``classes`` (a label outside ``classes`` raises)."""
    lookup = {c: i for i, c in enumerate(classes)}
    return np.array([lookup[str(v)] for v in labels], dtype=np.int64)
