"""Trend tests, change points and alerts on simulated indicator series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats.trends import (
    ALERT_COLUMNS,
    CHANGE_POINT_COLUMNS,
    TREND_COLUMNS,
    alerts,
    change_points,
    trend_test,
)


def _monthly(values: np.ndarray, start: str = "2023-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"))


def _indicators(values: np.ndarray, se: float | np.ndarray, nbh: str = "tumba") -> pd.DataFrame:
    dates = pd.date_range("2023-01-01", periods=len(values), freq="MS")
    return pd.DataFrame(
        {
            "neighbourhood_id": nbh,
            "period_start": dates.date,
            "period": "M",
            "indicator": "trust_neighbours",
            "value": values,
            "lower": values - 1.96 * se,
            "upper": values + 1.96 * se,
            "n_effective": 50.0,
            "method": "test",
            "suppressed": False,
            "run_id": "r1",
        }
    )


def test_declining_series_has_a_negative_significant_trend() -> None:
    rng = np.random.default_rng(3)
    values = 6.5 - 0.05 * np.arange(24) + rng.normal(0, 0.15, 24)
    out = trend_test(_monthly(values)).set_index("estimator")
    assert out.columns.tolist() == TREND_COLUMNS[1:]
    mk, ols = out.loc["mann_kendall_sen"], out.loc["ols_hac"]
    assert mk["p_value"] < 0.01 and mk["value"] < 0
    assert mk["lower"] < mk["value"] < mk["upper"] < 0
    assert ols["p_value"] < 0.01 and ols["upper"] < 0
    # 0.05 per month = 0.6 per year, Sen and OLS within noise of it
    assert mk["value"] == pytest.approx(-0.6, abs=0.12)
    assert ols["value"] == pytest.approx(-0.6, abs=0.12)
    assert -1 < mk["lag1_autocorr"] < 1


def test_sen_slope_and_kendall_score_match_scipy() -> None:
    """A series without significant rank autocorrelation: no Hamed-Rao correction, so the
    statistic is the plain Mann-Kendall z from Kendall's tau (scipy) and Sen's slope is
    scipy's Theil-Sen slope."""
    rng = np.random.default_rng(11)
    x = rng.normal(0, 1, 30) + 0.02 * np.arange(30)
    out = trend_test(pd.Series(x, index=np.arange(30.0))).iloc[0]
    assert out["n_effective"] == 30  # asserted, not assumed: the uncorrected case
    assert out["value"] == pytest.approx(stats.theilslopes(x, np.arange(30.0)).slope, rel=1e-12)
    tau = stats.kendalltau(np.arange(30), x).statistic
    s = tau * 30 * 29 / 2
    var_s = 30 * 29 * 65 / 18
    assert out["statistic"] == pytest.approx((s - np.sign(s)) / np.sqrt(var_s), rel=1e-9)


@pytest.mark.parametrize("seed", [29, 5])
def test_hamed_rao_correction_matches_pymannkendall(seed: int) -> None:
    """Autocorrelated series: the corrected z and Sen's slope equal pymannkendall's
    ``hamed_rao_modification_test`` (Hamed & Rao 1998)."""
    import pymannkendall as mk

    rng = np.random.default_rng(seed)
    if seed == 5:
        x = np.zeros(40)
        for t in range(1, 40):
            x[t] = 0.8 * x[t - 1] + rng.normal()
    else:
        x = rng.normal(0, 1, 30) + 0.02 * np.arange(30)
    out = trend_test(pd.Series(x, index=np.arange(float(len(x))))).iloc[0]
    ref = mk.hamed_rao_modification_test(x)
    assert out["n_effective"] < len(x)
    assert out["statistic"] == pytest.approx(ref.z, rel=1e-9)
    assert out["p_value"] == pytest.approx(ref.p, rel=1e-9)
    assert out["value"] == pytest.approx(ref.slope, rel=1e-12)


def test_autocorrelation_widens_the_mann_kendall_variance() -> None:
    rng = np.random.default_rng(5)
    e = np.zeros(60)
    for t in range(1, 60):
        e[t] = 0.85 * e[t - 1] + rng.normal(0, 1)
    out = trend_test(_monthly(e)).iloc[0]
    assert out["lag1_autocorr"] > 0.5
    assert out["n_effective"] < 60


def test_mean_shift_is_found_within_one_period() -> None:
    for seed in range(5):
        rng = np.random.default_rng(seed)
        values = np.r_[np.full(14, 6.0), np.full(16, 5.0)] + rng.normal(0, 0.3, 30)
        cps = change_points(_monthly(values))
        assert cps.columns.tolist() == CHANGE_POINT_COLUMNS
        assert len(cps) >= 1
        nearest = cps.iloc[int(np.argmin(np.abs(cps["position"] - 14)))]
        assert abs(nearest["position"] - 14) <= 1
        assert nearest["magnitude"] == pytest.approx(-1.0, abs=0.4)
        assert nearest["period_start"] == _monthly(values).index[nearest["position"]]


def test_change_points_equal_ruptures_pelt() -> None:
    rpt = pytest.importorskip("ruptures")
    rng = np.random.default_rng(2)
    values = np.r_[np.full(10, 1.0), np.full(8, 3.0), np.full(12, 0.5)] + rng.normal(0, 0.5, 30)
    for pen in (0.5, 2.0, 8.0):
        ours = change_points(pd.Series(values), penalty=pen)["position"].tolist()
        theirs = rpt.Pelt(model="l2", min_size=3, jump=1).fit(values).predict(pen=pen)[:-1]
        assert ours == theirs


def test_constant_series_has_no_change_point() -> None:
    assert change_points(pd.Series(np.full(12, 4.0))).empty


def test_declining_neighbourhood_gets_a_decline_alert() -> None:
    rng = np.random.default_rng(8)
    values = np.r_[6.0 + rng.normal(0, 0.1, 18), 6.0 - 0.25 * np.arange(1, 7)]
    table = pd.concat(
        [
            _indicators(values, 0.1, "tumba"),
            _indicators(6.0 + rng.normal(0, 0.1, 24), 0.1, "alby"),
        ]
    )
    out = alerts(table, "trust_neighbours")
    assert out.columns.tolist() == ALERT_COLUMNS
    assert set(out["neighbourhood_id"]) == {"tumba"}
    recent = out[out["basis"] == "recent_mean"].iloc[0]
    assert recent["kind"] == "decline" and recent["magnitude"] < -0.5
    assert recent["period_start"] == table["period_start"].iloc[23]
    assert "fell by" in recent["message_en"] and "months" in recent["message_en"]
    assert "har sjunkit med" in recent["message_sv"] and "," in recent["message_sv"]
    trend = out[out["basis"] == "trend"].iloc[0]
    assert trend["kind"] == "decline" and trend["magnitude"] < 0 and trend["p_value"] < 0.05


def test_flat_noisy_series_rarely_alert() -> None:
    rng = np.random.default_rng(2024)
    table = pd.concat(
        [_indicators(6.0 + rng.normal(0, 0.3, 24), 0.3, f"n{k:02d}") for k in range(40)]
    )
    out = alerts(table, "trust_neighbours")
    assert out["neighbourhood_id"].nunique() <= 0.3 * 40
    assert alerts(table[table["neighbourhood_id"] == "n00"], "trust_neighbours").empty


def test_suppressed_and_short_series_are_skipped() -> None:
    values = 6.0 - 0.3 * np.arange(24)
    table = _indicators(values, 0.1)
    assert not alerts(table, "trust_neighbours").empty
    assert alerts(table.assign(suppressed=True), "trust_neighbours").empty
    assert alerts(table.head(5), "trust_neighbours").empty
    assert alerts(table, "other_indicator").empty


def test_missing_intervals_fall_back_to_the_baseline_spread() -> None:
    rng = np.random.default_rng(4)
    values = np.r_[6.0 + rng.normal(0, 0.1, 12), [4.0, 4.1, 3.9]]
    table = _indicators(values, 0.1).assign(lower=np.nan, upper=np.nan)
    out = alerts(table, "trust_neighbours")
    assert "decline" in out.loc[out["basis"] == "recent_mean", "kind"].tolist()


def test_errors_say_what_was_expected() -> None:
    with pytest.raises(EstimationError, match="at least 4 non-missing values; got 3"):
        trend_test(_monthly(np.array([1.0, 2.0, np.nan, 3.0])))
    with pytest.raises(EstimationError, match="level must be strictly between 0 and 1"):
        trend_test(_monthly(np.arange(6.0)), level=95)
    with pytest.raises(EstimationError, match="penalty must be a finite number >= 0"):
        change_points(pd.Series(np.arange(10.0)), penalty=-1.0)
    with pytest.raises(EstimationError, match="all values share one time point"):
        trend_test(pd.Series([1.0, 2.0, 3.0, 4.0], index=[1.0] * 4))
    with pytest.raises(EstimationError, match=r"expected the indicators table's columns \['lower'"):
        alerts(_indicators(np.arange(6.0), 0.1).drop(columns="lower"), "trust_neighbours")
