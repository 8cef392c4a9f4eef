"""Neutral-band calibration: planted answers and intervals."""

from __future__ import annotations

import numpy as np
import pytest

from barometer.training.sentiment_calibration import (
    band_labels,
    calibrate_neutral_band,
    evaluate_band,
)


def test_band_labels_are_symmetric_and_inclusive() -> None:
    got = band_labels(np.array([-0.3, -0.2, 0.0, 0.19, 0.2, 0.9]), 0.2)
    assert got.tolist() == ["negative", "negative", "neutral", "neutral", "positive", "positive"]


def test_calibration_recovers_a_planted_band() -> None:
    """Posts labelled by a true band of 0.3 (plus 5 % label noise): the calibrated band is
    0.3 within the grid's resolution, and macro-F1 there is the best on the grid."""
    rng = np.random.default_rng(3)
    compound = rng.uniform(-1, 1, 4000)
    labels = band_labels(compound, 0.3)
    flip = rng.random(len(labels)) < 0.05
    labels[flip] = rng.choice(["negative", "neutral", "positive"], int(flip.sum()))
    band, f1 = calibrate_neutral_band(compound, labels)
    assert band == pytest.approx(0.3, abs=0.02)
    assert f1 > 0.9
    at_default, _ = calibrate_neutral_band(compound, labels, grid=[0.05])
    assert at_default < f1


def test_evaluation_interval_contains_the_value_and_narrows_with_n() -> None:
    rng = np.random.default_rng(4)
    compound = rng.uniform(-1, 1, 2000)
    labels = band_labels(compound + rng.normal(0, 0.3, 2000), 0.3)
    value, lower, upper = evaluate_band(compound, labels, 0.3, n_boot=300)
    assert lower < value < upper
    _, lower_small, upper_small = evaluate_band(compound[:200], labels[:200], 0.3, n_boot=300)
    assert upper_small - lower_small > upper - lower


def test_calibration_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="as many labels"):
        calibrate_neutral_band(np.array([0.1, 0.2]), ["neutral"])
    with pytest.raises(ValueError, match="NaN"):
        calibrate_neutral_band(np.array([np.nan]), ["neutral"])
