"""Exact Poisson and Wilson intervals, and percentile intervals of draws, against published
values."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats import intervals
from barometer.stats.intervals import (
    draw_quantiles,
    percentile_interval,
    poisson_rate_interval,
    wilson_interval,
)


def test_garwood_published_values() -> None:
    # Garwood (1936) / Ulm (1990), 95%: 0 -> [0, 3.689], 1 -> [0.0253, 5.572],
    # 10 -> [4.7954, 18.3904]
    lower, upper = poisson_rate_interval([0, 1, 10])
    np.testing.assert_allclose(lower, [0.0, 0.025318, 4.795389], atol=5e-6)
    np.testing.assert_allclose(upper, [3.688879, 5.571643, 18.390356], atol=5e-6)


def test_poisson_rate_per_100_people() -> None:
    lower, upper = poisson_rate_interval(10, exposure=250)
    assert 100 * lower == pytest.approx(4.795389 / 2.5, rel=1e-6)
    assert 100 * upper == pytest.approx(18.390356 / 2.5, rel=1e-6)


def test_poisson_90_percent_is_narrower() -> None:
    (lo95, up95), (lo90, up90) = poisson_rate_interval(10), poisson_rate_interval(10, level=0.9)
    assert lo95 < lo90 < up90 < up95
    assert up90 == pytest.approx(16.962, abs=1e-3)  # chi2.ppf(0.95, 22) / 2


def test_poisson_zero_exposure_gives_nan_and_accepts_series() -> None:
    lower, upper = poisson_rate_interval(pd.Series([0, 3]), pd.Series([0, 100]))
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert upper[1] == pytest.approx(stats.chi2.ppf(0.975, 8) / 2 / 100)


def test_wilson_published_values() -> None:
    # 81/263: [0.2553, 0.3662] (also statsmodels proportion_confint(method="wilson"));
    # 0/10 upper 0.2775; 5/10 [0.2366, 0.7634]; 263/263 lower 0.9856
    lower, upper = wilson_interval([81, 0, 5, 263], [263, 10, 10, 263])
    np.testing.assert_allclose(lower, [0.2552885199, 0.0, 0.2365930905, 0.9856039656], atol=1e-9)
    np.testing.assert_allclose(upper, [0.3662095770, 0.2775327999, 0.7634069095, 1.0], atol=1e-9)


def test_wilson_zero_trials_gives_nan() -> None:
    lower, upper = wilson_interval([0, 1], [0, 2])
    assert np.isnan(lower[0]) and np.isnan(upper[0]) and lower[1] < 0.5 < upper[1]


@given(x=st.integers(0, 500), extra=st.integers(0, 500))
def test_wilson_contains_estimate_and_stays_in_unit_interval(x: int, extra: int) -> None:
    n = x + extra
    if n == 0:
        return
    lower, upper = wilson_interval(x, n)
    assert 0.0 <= lower <= x / n <= upper <= 1.0


@given(k=st.integers(0, 10_000), exposure=st.floats(0.1, 1e5))
def test_poisson_interval_contains_rate(k: int, exposure: float) -> None:
    lower, upper = poisson_rate_interval(k, exposure)
    assert 0.0 <= lower <= k / exposure <= upper


def test_percentile_interval_matches_r_quantile_types() -> None:
    # R: quantile(1:10, c(.025, .975)) (type 7) = 1.225, 9.775; type 1 (inverted CDF) = 1, 10;
    # quantile(1:10, c(.05, .95)) = 1.45, 9.55
    x = np.arange(1.0, 11.0)
    np.testing.assert_allclose(percentile_interval(x), [1.225, 9.775])
    np.testing.assert_allclose(percentile_interval(x, 0.9), [1.45, 9.55])
    np.testing.assert_allclose(percentile_interval(x, method="inverted_cdf"), [1.0, 10.0])
    # outward: the draws just outside the interval, order statistics floor/ceil((n - 1) q)
    np.testing.assert_allclose(percentile_interval(x, 0.8, method="outward"), [1.0, 10.0])
    np.testing.assert_allclose(percentile_interval(x, 0.5, method="outward"), [3.0, 8.0])


def test_percentile_interval_per_column_and_missing_draws() -> None:
    draws = np.column_stack([np.arange(1.0, 11.0), np.arange(11.0, 21.0), np.full(10, np.nan)])
    lower, upper = percentile_interval(draws, 0.9)
    np.testing.assert_allclose(lower[:2], [1.45, 11.45])
    assert np.isnan(lower[2]) and np.isnan(upper[2])
    with_gaps = draws.copy()
    with_gaps[0, 0] = np.nan
    lower, upper = percentile_interval(with_gaps, 0.9, skip_nan=True)
    # the first column without its first draw is 2..10: R quantile(2:10, c(.05, .95)) = 2.4, 9.6
    np.testing.assert_allclose([lower[0], upper[0]], [2.4, 9.6])
    assert np.isnan(lower[2]) and np.isnan(upper[2])  # no draw at all: NaN, no warning
    assert np.isnan(percentile_interval(with_gaps, 0.9)[0][0])  # a NaN draw without skip_nan
    inf = percentile_interval(np.array([1.0, 2.0, np.inf]), 0.5, method="outward")
    assert inf[0] == 1.0 and inf[1] == np.inf  # infinite draws stay as they are
    np.testing.assert_allclose(draw_quantiles(np.arange(1.0, 11.0), [0.5]), [5.5])


def test_doctests() -> None:
    assert doctest.testmod(intervals).failed == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: poisson_rate_interval(-1), "count must be finite whole numbers"),
        (lambda: poisson_rate_interval(1.5), "count must be finite whole numbers"),
        (lambda: poisson_rate_interval(1, -2), "exposure must be finite and >= 0"),
        (lambda: poisson_rate_interval(1, np.nan), "exposure must be finite and >= 0"),
        (lambda: poisson_rate_interval(1, level=1), "between 0 and 1"),
        (lambda: wilson_interval(3, 2), "successes <= n"),
        (lambda: wilson_interval(np.nan, 2), "successes must be finite whole numbers"),
        (lambda: wilson_interval(1, 2.5), "n must be finite whole numbers"),
        (lambda: wilson_interval(1, 2, level=0), "between 0 and 1"),
    ],
)
def test_errors(call, message: str) -> None:
    with pytest.raises(EstimationError, match=message):
        call()


@given(
    st.lists(
        st.one_of(st.floats(-1e6, 1e6), st.just(np.inf), st.just(-np.inf), st.just(np.nan)),
        min_size=1,
        max_size=200,
    ),
    st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]),
)
def test_outward_interval_is_the_order_statistics_just_outside(draws, level) -> None:
    """``method="outward"`` picks, of the sorted draws that are not NaN, the ones at
    ``floor(a (B - 1))`` and ``ceil((1 - a) (B - 1))`` with ``a = (1 - level) / 2`` (the bias
    audit's definition, infinite draws included), and (NaN, NaN) without any draw."""
    x = np.array(draws, dtype=float)
    kept = np.sort(x[~np.isnan(x)])
    lower, upper = percentile_interval(x, level, method="outward", skip_nan=True)
    if not len(kept):
        assert np.isnan(lower) and np.isnan(upper)
        return
    a, last = (1 - level) / 2, len(kept) - 1
    assert float(lower) == kept[int(np.floor(a * last))]
    assert float(upper) == kept[int(np.ceil((1 - a) * last))]
