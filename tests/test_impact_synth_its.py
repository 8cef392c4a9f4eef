"""Synthetic control and interrupted time series on simulated data with known answers."""

import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import EstimationError
from barometer.impact.its import default_maxlags, poisson_its, segmented_regression
from barometer.impact.simulate import simulate_panel
from barometer.impact.synth import fit_simplex_weights, placebo_inference, synthetic_control

START = "2023-01-01"
PERIODS = pd.date_range("2021-01-01", periods=48, freq="MS")


def convex_panel(effect: float, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Eight donors with distinct wiggly paths; the treated unit is an exact convex mix."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(PERIODS))
    donors = 6 + rng.normal(0, 0.6, 8)[None, :] + np.cumsum(rng.normal(0, 0.15, (48, 8)), axis=0)
    donors += 0.2 * np.sin(2 * np.pi * t / 12)[:, None]
    weights = np.array([0.5, 0.3, 0.2, 0, 0, 0, 0, 0])
    treated = donors @ weights + effect * (PERIODS >= START)
    wide = pd.DataFrame(donors, index=PERIODS, columns=[f"D{i}" for i in range(8)])
    wide["T"] = treated
    long = wide.rename_axis(index="period", columns="unit").stack().rename("value").reset_index()
    return long, weights


def test_simplex_weights_on_the_simplex() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 5))
    w = fit_simplex_weights(rng.normal(size=20) + 5, x)  # target outside the hull
    assert np.all(w >= 0) and w.sum() == pytest.approx(1, abs=1e-12)


def test_synthetic_control_recovers_weights_and_effect() -> None:
    panel, weights = convex_panel(effect=0.7)
    fit = synthetic_control(panel, "T", START)
    np.testing.assert_allclose(fit["weights"].to_numpy(), weights, atol=1e-5)
    assert fit["pre_rmspe"] < 1e-5
    assert fit["effect"] == pytest.approx(0.7, abs=1e-4)
    assert fit["n_pre"] == 24 and fit["n_post"] == 24


def test_placebo_p_value_small_for_big_effect_not_for_zero() -> None:
    big = placebo_inference(convex_panel(effect=1.0)[0], "T", START)
    assert big["p_value"] == pytest.approx(1 / 9)  # the smallest possible with 8 placebos
    assert big["lower"] < 1.0 < big["upper"]
    zero = placebo_inference(simulate_panel(effect=0.0, seed=4), "N05", START)
    assert zero["p_value"] > 0.2
    assert zero["lower"] < 0 < zero["upper"]
    assert zero["placebo_gaps"].shape == (48, zero["n_placebos"])


def test_synthetic_control_errors() -> None:
    panel, _ = convex_panel(effect=0.0)
    with pytest.raises(EstimationError, match="not in the panel"):
        synthetic_control(panel, "X", START)
    with pytest.raises(EstimationError, match="at least 2 donors"):
        synthetic_control(panel, "T", START, donors=["D1"])
    with pytest.raises(EstimationError, match="pre and 1 post"):
        synthetic_control(panel, "T", "2030-01-01")


def its_series(level: float, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    noise = np.zeros(48)
    for i in range(1, 48):
        noise[i] = 0.3 * noise[i - 1] + rng.normal(0, 0.2)
    y = 5 + 0.01 * t + 0.2 * np.sin(2 * np.pi * t / 12) + level * (PERIODS >= START) + noise
    return pd.Series(y, index=PERIODS)


def test_segmented_regression_recovers_level_change() -> None:
    out = segmented_regression(its_series(0.5, seed=2), START).set_index("estimand")
    row = out.loc["level change"]
    assert row["lower"] < 0.5 < row["upper"] and row["p_value"] < 0.05
    assert f"maxlags={default_maxlags(48)}" in row["note"]
    fourier = segmented_regression(its_series(0.5, seed=2), START, seasonality="fourier")
    assert fourier.iloc[0]["lower"] < 0.5 < fourier.iloc[0]["upper"]


def test_segmented_regression_zero_change_mostly_not_significant() -> None:
    pvals = [segmented_regression(its_series(0.0, s), START).iloc[0]["p_value"] for s in range(20)]
    # Newey-West over-rejects in short series (about 15% at nominal 5% for n=48, AR(1) 0.3,
    # measured over 200 seeds); see the its module docstring.
    assert np.mean(np.asarray(pvals) < 0.05) <= 0.25


def test_poisson_its_rate_ratio() -> None:
    rng = np.random.default_rng(4)  # 96 of 100 seeds cover the true rate ratio
    t = np.arange(48)
    exposure = pd.Series(rng.uniform(150, 250, 48), index=PERIODS)
    rate = 0.4 * np.exp(np.log(1.3) * (PERIODS >= START) + 0.1 * np.sin(2 * np.pi * t / 12))
    counts = pd.Series(rng.poisson(rate * exposure.to_numpy()), index=PERIODS)
    row = poisson_its(counts, exposure, START).iloc[0]
    assert row["lower"] < 1.3 < row["upper"] and row["p_value"] < 0.05
    assert "dispersion" in row["note"]
    with pytest.raises(EstimationError, match="exposure > 0"):
        poisson_its(counts, exposure * 0, START)


def test_its_errors() -> None:
    with pytest.raises(EstimationError, match="at least 3 periods"):
        segmented_regression(its_series(0.0, 1), "2024-11-01")
    with pytest.raises(EstimationError, match="too few"):
        segmented_regression(its_series(0.0, 1).iloc[16:32], "2023-01-01")


def _counts(step: float, slope: float, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    t = np.arange(len(PERIODS))
    post = PERIODS >= START
    exposure = rng.integers(800, 1200, len(PERIODS)).astype(float)
    log_rate = np.log(0.2) + 0.004 * t + np.log(step) * post + np.log(slope) * (t - 24) * post
    counts = rng.poisson(exposure * np.exp(log_rate))
    return pd.Series(counts, index=PERIODS), pd.Series(exposure, index=PERIODS)


def test_poisson_its_step_change_matches_an_independent_glm_fit() -> None:
    import statsmodels.formula.api as smf

    counts, exposure = _counts(step=0.8, slope=1.0, seed=2)
    out = poisson_its(counts, exposure, START, seasonality="none", slope_change=False)
    assert out["estimand"].tolist() == ["level change (rate ratio)"]
    frame = pd.DataFrame(
        {"y": counts.to_numpy(), "e": exposure.to_numpy(), "t": np.arange(48.0),
         "post": (PERIODS >= START).astype(float)}
    )  # fmt: skip
    ref = smf.glm(
        "y ~ t + post", frame, family=__import__("statsmodels.api").api.families.Poisson(),
        offset=np.log(frame["e"]),
    ).fit(scale="X2")  # fmt: skip
    assert out["estimate"].iloc[0] == pytest.approx(np.exp(ref.params["post"]), rel=1e-9)
    assert out["se"].iloc[0] == pytest.approx(ref.bse["post"], rel=1e-9)
    assert out["lower"].iloc[0] < 0.8 < out["upper"].iloc[0]


def test_poisson_its_normal_intervals_are_wald_z() -> None:
    counts, exposure = _counts(step=0.8, slope=1.01, seed=5)
    t_rows = poisson_its(counts, exposure, START, interval="t")
    z_rows = poisson_its(counts, exposure, START, interval="normal")
    assert len(z_rows) == 2
    b, se = np.log(z_rows["estimate"].iloc[0]), z_rows["se"].iloc[0]
    assert z_rows["upper"].iloc[0] == pytest.approx(np.exp(b + 1.959963985 * se), rel=1e-9)
    # same fit, wider t intervals
    np.testing.assert_allclose(t_rows["estimate"], z_rows["estimate"])
    assert (t_rows["upper"] - t_rows["lower"] > z_rows["upper"] - z_rows["lower"]).all()
    with pytest.raises(EstimationError, match="interval must be"):
        poisson_its(counts, exposure, START, interval="exact")  # type: ignore[arg-type]


def test_segmented_regression_step_change_only() -> None:
    panel = simulate_panel(effect=0.5, seed=9, sigma=0.05)
    series = panel[panel["unit"] == "N01"].set_index("period")["value"]
    full = segmented_regression(series, START)
    step = segmented_regression(series, START, slope_change=False)
    assert len(full) == 2 and step["estimand"].tolist() == ["level change"]
    assert step["lower"].iloc[0] < 0.5 < step["upper"].iloc[0]


def test_structural_counterfactual_recovers_a_planted_effect() -> None:
    from barometer.impact.sts import structural_its

    covered = 0
    for seed in range(8):
        wide = simulate_panel(effect=0.5, seed=seed).pivot(
            index="period", columns="unit", values="value"
        )
        controls = wide.drop(columns="N01").mean(axis=1).to_frame("comparison_mean")
        row = structural_its(wide["N01"], START, controls, n_draws=400, seed=seed).iloc[0]
        covered += row["lower"] < 0.5 < row["upper"]
        assert abs(row["estimate"] - 0.5) < 0.5
    assert covered >= 6
    placebo = simulate_panel(effect=0.0, seed=1).pivot(
        index="period", columns="unit", values="value"
    )
    row = structural_its(placebo["N02"], START, None, n_draws=200).iloc[0]
    assert "0 covariate(s)" in row["note"]
    with pytest.raises(EstimationError, match="at least 8 periods"):
        structural_its(placebo["N02"], "2021-03-01")
