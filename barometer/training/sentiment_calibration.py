"""Calibration of the lexicon scorer's neutral band on labelled posts, with intervals.

A lexicon compound ``c`` in [-1, 1] becomes a label with a symmetric band ``b``: positive when
``c >= b``, negative when ``c <= -b``, neutral between. :func:`calibrate_neutral_band` picks the
``b`` of a grid that maximises macro-F1 on a tuning set (ties: the smallest band);
:func:`evaluate_band` reports macro-F1 on a held-out set with a percentile bootstrap interval
(:func:`barometer.training.metrics.bootstrap`). ``bench/calibrate_sentiment.py`` runs both per
language and writes ``barometer/data/sentiment_calibration.toml``, which the scorer reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from barometer.training.metrics import bootstrap, encode, macro_f1

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
#: Bands tried by :func:`calibrate_neutral_band`: 0.00, 0.01, ..., 0.80.
BAND_GRID: tuple[float, ...] = tuple(round(0.01 * i, 2) for i in range(81))


def band_labels(compound: np.ndarray, band: float) -> np.ndarray:
    """Labels of compounds with neutral band ``band`` (see the module docstring)."""
    compound = np.asarray(compound, dtype=float)
    return np.where(
        compound >= band, "positive", np.where(compound <= -band, "negative", "neutral")
    ).astype(object)


def calibrate_neutral_band(
    compound: np.ndarray, labels: Sequence[str], grid: Sequence[float] = BAND_GRID
) -> tuple[float, float]:
    """Return ``(band, macro-F1)``: the band of ``grid`` with the highest macro-F1 of
    ``labels`` (negative / neutral / positive) on ``compound``; the smallest on ties.

    Raises ``ValueError`` for empty or mismatched inputs, NaN compounds or unknown labels.
    """
    compound = np.asarray(compound, dtype=float)
    if len(compound) == 0 or len(compound) != len(labels):
        raise ValueError(
            f"expected as many labels as scores, got {len(labels)} and {len(compound)}"
        )
    if np.isnan(compound).any():
        raise ValueError("compound scores contain NaN: score only posts of a lexicon language")
    truth = encode(np.asarray(labels, dtype=object), list(LABELS))
    metric = macro_f1(len(LABELS))
    scores = [metric(truth, encode(band_labels(compound, b), list(LABELS))) for b in grid]
    best = int(np.argmax(scores))
    return float(grid[best]), float(scores[best])


def evaluate_band(
    compound: np.ndarray,
    labels: Sequence[str],
    band: float,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Return ``(macro-F1, lower, upper)`` of ``labels`` at ``band``, with a percentile
    bootstrap interval over the posts."""
    truth = encode(np.asarray(labels, dtype=object), list(LABELS))
    pred = encode(band_labels(compound, band), list(LABELS))
    return bootstrap(macro_f1(len(LABELS)), truth, pred, n_boot=n_boot, level=level, seed=seed)
