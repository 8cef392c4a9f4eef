"""Minimum detectable effect: monotonicity and a Monte Carlo check of the closed form."""

import numpy as np
import pytest
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.impact.power import (
    collapsed_t,
    did_variance,
    minimum_detectable_effect,
    simulate_power,
)
from barometer.impact.simulate import simulate_panel


def mde(**kw) -> float:
    args = {"sigma": 1.0, "n_pre": 12, "n_post": 12, "n_treated": 2, "n_control": 8} | kw
    return float(minimum_detectable_effect(**args)["mde"].iloc[0])


def test_mde_decreases_with_more_periods_and_units() -> None:
    assert mde(n_pre=24) < mde() and mde(n_post=24) < mde()
    assert mde(n_treated=4) < mde() and mde(n_control=20) < mde()
    assert mde(rho=0.5) > mde()  # positive serial correlation: less information
    assert mde(distribution="normal") < mde()


def test_iid_variance_formula() -> None:
    v = did_variance(2.0, 6, 4, 3, 7)
    assert v == pytest.approx(4 * (1 / 6 + 1 / 4) * (1 / 3 + 1 / 7))


def test_closed_form_matches_simulation_iid() -> None:
    rng = np.random.default_rng(5)
    sims, n_t, n_c, t_pre = 4000, 3, 7, 6
    effect = mde(sigma=1.0, n_pre=t_pre, n_post=t_pre, n_treated=n_t, n_control=n_c,
                 distribution="normal")  # fmt: skip
    post = np.arange(2 * t_pre) >= t_pre
    treated = np.zeros((sims, n_t + n_c), bool)
    treated[:, :n_t] = True
    y = rng.normal(0, 1, (sims, 2 * t_pre, n_t + n_c))
    y += rng.normal(0, 3, (sims, 1, n_t + n_c))  # unit effects cancel
    y += effect * (post[None, :, None] & treated[:, None, :])
    est, _, _ = collapsed_t(y, post, treated)
    se = np.sqrt(did_variance(1.0, t_pre, t_pre, n_t, n_c))
    assert est.std() == pytest.approx(se, rel=0.05)
    mc_se = np.sqrt(0.8 * 0.2 / sims)
    assert np.mean(np.abs(est / se) > stats.norm.ppf(0.975)) == pytest.approx(0.8, abs=3 * mc_se)
    # t version: power of the collapsed t-test at the t-based MDE is close to 0.8 as well
    effect_t = mde(sigma=1.0, n_pre=t_pre, n_post=t_pre, n_treated=n_t, n_control=n_c)
    y2 = rng.normal(0, 1, y.shape) + effect_t * (post[None, :, None] & treated[:, None, :])
    _, t2, df = collapsed_t(y2, post, treated)
    assert np.mean(np.abs(t2) > stats.t.ppf(0.975, df)) == pytest.approx(0.8, abs=0.03)


def test_ar1_variance_matches_simulation() -> None:
    rng = np.random.default_rng(9)
    sims, periods, rho = 3000, 16, 0.6
    e = np.empty((sims, periods, 6))
    e[:, 0] = rng.normal(size=(sims, 6))
    for j in range(1, periods):
        e[:, j] = rho * e[:, j - 1] + rng.normal(0, np.sqrt(1 - rho**2), (sims, 6))
    treated = np.zeros((sims, 6), bool)
    treated[:, 0] = True
    est, _, _ = collapsed_t(e, np.arange(periods) >= 8, treated)
    assert est.var() == pytest.approx(did_variance(1.0, 8, 8, 1, 5, rho=rho), rel=0.08)


def test_simulate_power_on_panel() -> None:
    panel = simulate_panel(effect=0.0, seed=2, n_units=12)
    out = simulate_power(panel, ["N01"], "2023-01-01", [0.0, 1.0], n_sims=300, seed=1)
    assert out["power"].iloc[0] < 0.3 and out["power"].iloc[1] > 0.9
    assert (out["n_control"] == 10).all()


def test_power_errors() -> None:
    with pytest.raises(EstimationError, match="n_pre must be >= 1"):
        mde(n_pre=0)
    with pytest.raises(EstimationError, match="rho"):
        mde(rho=1.0)
    panel = simulate_panel(n_units=3)
    with pytest.raises(EstimationError, match="placebo simulation needs"):
        simulate_power(panel, ["N01"], "2023-01-01", 0.5)
