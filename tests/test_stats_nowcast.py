"""Nowcast: ridge calibration of monthly indicators to survey trust, on simulated truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import EstimationError
from barometer.schema import INDICATORS
from barometer.stats.nowcast import NOWCAST_NAME, fit_nowcast, nowcast

PREDICTORS = ["x_up", "x_down", "x_null"]
BETA = {"x_up": 0.8, "x_down": -0.5, "x_null": 0.0}
MODEL_SD, SAMPLING_SE = 0.2, 0.25  # total noise sd of a direct estimate: 0.32
NOISE_SD = float(np.hypot(MODEL_SD, SAMPLING_SE))


def _simulate(
    seed: int, n_months: int = 48, first: str = "2021-01-01", n_nbh: int = 12
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(long indicators table, true trust per wave cell); a survey wave every 6 months."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(first, periods=n_months, freq="MS")
    nbhs = [f"n{i:02d}" for i in range(n_nbh)]
    grid = pd.MultiIndex.from_product([nbhs, months], names=["neighbourhood_id", "period_start"])
    frame = grid.to_frame(index=False)
    offsets = rng.normal(0, 1, (n_nbh, len(PREDICTORS)))
    codes = np.repeat(np.arange(n_nbh), n_months)
    for j, name in enumerate(PREDICTORS):
        frame[name] = offsets[codes, j] + rng.normal(0, 1, len(frame))
    truth = 5.0 + sum(frame[k] * b for k, b in BETA.items()) + rng.normal(0, MODEL_SD, len(frame))
    frame["truth"] = truth
    long = frame.melt(
        id_vars=["neighbourhood_id", "period_start"],
        value_vars=PREDICTORS,
        var_name="indicator",
        value_name="value",
    )
    waves = frame[frame["period_start"].dt.month.isin([3, 9])].copy()
    waves["value"] = waves["truth"] + rng.normal(0, SAMPLING_SE, len(waves))
    survey = waves.assign(
        indicator="survey_ppltrst_mean",
        lower=waves["value"] - 1.96 * SAMPLING_SE,
        upper=waves["value"] + 1.96 * SAMPLING_SE,
    )
    columns = ["neighbourhood_id", "period_start", "indicator", "value", "lower", "upper"]
    table = pd.concat([long.assign(lower=np.nan, upper=np.nan), survey[columns]])
    return table[columns].reset_index(drop=True), waves[
        ["neighbourhood_id", "period_start", "truth", "value"]
    ]


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, object]:
    table, _ = _simulate(seed=7)
    return table, fit_nowcast(table, predictors=PREDICTORS, include_sampling_error=True)


def test_signs_recovered_and_cv_error_near_noise(fitted) -> None:
    _, model = fitted
    coef = model.coefficients.set_index("feature")["per_unit"]
    assert coef["x_up"] > 0.5 and coef["x_down"] < -0.3
    assert abs(coef["x_null"]) < 0.15
    assert model.cv["n_waves"] == 8 and model.cv["n"] == 96
    assert 0.8 * NOISE_SD < model.cv["rmse"] < 1.25 * NOISE_SD
    assert model.cv["mae"] < model.cv["rmse"]
    assert model.cv["r2"] > 0.8
    assert model.cv["rmse"] < model.cv["baseline_rmse"]  # beats neighbourhood means
    assert 0.85 <= model.cv["coverage"] <= 1.0
    assert model.model_var == pytest.approx(MODEL_SD**2, abs=0.03)
    assert set(model.predictions.columns) >= {"observed", "predicted", "lower", "upper"}


def test_prediction_intervals_cover_fresh_waves(fitted) -> None:
    _, model = fitted
    fresh, waves = _simulate(seed=99, n_months=120, first="2025-01-01", n_nbh=12)
    out = nowcast(fresh, model).merge(waves, on=["neighbourhood_id", "period_start"])
    assert len(out) == 12 * 20
    covered = (out["lower"] <= out["value_y"]) & (out["value_y"] <= out["upper"])
    assert 0.90 <= covered.mean() <= 0.99  # nominal 95% for a new direct estimate
    level_model = fit_nowcast(fitted[0], predictors=PREDICTORS)  # default: the trust level
    level = nowcast(fresh, level_model).merge(waves, on=["neighbourhood_id", "period_start"])
    covered = (level["lower"] <= level["truth"]) & (level["truth"] <= level["upper"])
    assert 0.88 <= covered.mean() <= 0.99  # nominal 95% for the underlying level
    assert (level["upper"] - level["lower"]).mean() < (out["upper"] - out["lower"]).mean()


def test_nowcast_rows_fit_the_indicators_table(fitted) -> None:
    table, model = fitted
    out = nowcast(table, model)
    assert len(out) == 12 * 48  # every month, not only waves
    # validity columns are added by the pipeline (barometer.validity), not by the nowcast
    assert set(out.columns) == set(INDICATORS.columns) - {"run_id", "validity", "validity_note"}
    assert (out["indicator"] == NOWCAST_NAME).all() and (out["period"] == "M").all()
    assert (out["lower"] < out["value"]).all() and (out["value"] < out["upper"]).all()
    assert "leave-one-wave-out CV RMSE" in out["method"].iloc[0]
    assert not out["suppressed"].any()


def test_lags_intercepts_and_missing_cells() -> None:
    table, _ = _simulate(seed=3, n_months=36, n_nbh=8)
    gaps = (table["indicator"] == "x_null") & (table["neighbourhood_id"] == "n00")
    table.loc[gaps, "value"] = np.nan  # a predictor never observed in one neighbourhood
    model = fit_nowcast(table, predictors=PREDICTORS)
    assert "x_up_lag3" in model.features and len(model.features) == 6
    out = nowcast(table, model)
    assert out["value"].notna().all() and len(out) == 8 * 36
    assert "3-month lagged means" in model.method and "the trust level" in model.method
    plain = fit_nowcast(table, predictors=PREDICTORS, lag_months=0, neighbourhood_effects=True)
    assert plain.features == tuple(PREDICTORS) and "neighbourhood intercepts" in plain.method
    assert nowcast(table, plain)["value"].notna().all()


def test_errors() -> None:
    table, _ = _simulate(seed=1, n_months=24, n_nbh=4)
    with pytest.raises(EstimationError, match="no non-missing rows of the target"):
        fit_nowcast(table, target="nope", predictors=PREDICTORS)
    with pytest.raises(EstimationError, match=r"predictors \['ghost'\] have no rows"):
        fit_nowcast(table, predictors=["ghost"])
    with pytest.raises(EstimationError, match="cannot also be a predictor"):
        fit_nowcast(table, predictors=["survey_ppltrst_mean"])
    with pytest.raises(EstimationError, match="at least 5 waves"):
        fit_nowcast(table, predictors=PREDICTORS, min_waves=5)  # 24 months = 4 waves
    with pytest.raises(EstimationError, match="level must be"):
        fit_nowcast(table, predictors=PREDICTORS, level=1.5)
    with pytest.raises(EstimationError, match="alphas must be"):
        fit_nowcast(table, predictors=PREDICTORS, alphas=[0.0])
    with pytest.raises(EstimationError, match="lacks columns"):
        fit_nowcast(table.drop(columns="value"), predictors=PREDICTORS)
