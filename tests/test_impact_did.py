"""TWFE DiD, event study and the panel helpers on simulated panels with a planted effect."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from barometer.config import ActionConfig
from barometer.exceptions import ConfigError, EstimationError
from barometer.impact.did import event_study, twfe_did
from barometer.impact.panel import indicator_panel, long_panel, validate_action, wide_panel
from barometer.impact.simulate import simulate_indicators, simulate_panel

START = "2023-01-01"


def test_indicator_panel_drops_suppressed_and_round_trips() -> None:
    ind = simulate_indicators(n_units=4, n_periods=12, start="2021-07-01", seed=1)
    ind.loc[3, "suppressed"] = True
    ind.loc[3, "value"] = np.nan
    other = ind.assign(indicator="belonging")
    panel = indicator_panel(pd.concat([ind, other]), "trust_neighbours")
    assert len(panel) == 4 * 12 - 1
    assert list(panel.columns[:3]) == ["unit", "period", "value"]
    back = long_panel(wide_panel(panel))
    pd.testing.assert_frame_equal(back, panel[["unit", "period", "value"]])
    sparse = indicator_panel(ind, "trust_neighbours", min_coverage=1.0)
    assert sparse["unit"].nunique() == 3
    with pytest.raises(EstimationError, match="indicators found"):
        indicator_panel(ind, "nope")


def test_validate_action_errors() -> None:
    units = {"N01", "N02", "N03"}
    periods = (date(2021, 1, 1), date(2023, 12, 1))
    ok = ActionConfig(id="a", title="t", neighbourhoods=["N01"], start=date(2022, 6, 1))
    validate_action(ok, units, periods)
    bad = ok.model_copy(update={"neighbourhoods": ["N09"]})
    with pytest.raises(ConfigError, match=r"\['N09'\] are not in the data"):
        validate_action(bad, units, periods)
    early = ok.model_copy(update={"start": date(2021, 2, 1)})
    with pytest.raises(ConfigError, match="1 periods before"):
        validate_action(early, units, periods)
    late = ok.model_copy(update={"start": date(2024, 6, 1)})
    with pytest.raises(ConfigError, match="expected at least 3 before and 3 after"):
        validate_action(late, units, periods)
    no_controls = ok.model_copy(update={"comparison": ["N01"]})
    with pytest.raises(ConfigError, match="comparison neighbourhood"):
        validate_action(no_controls, units, periods)


def test_twfe_recovers_planted_effect_with_three_treated() -> None:
    treated = ["N01", "N02", "N03"]
    panel = simulate_panel(effect=0.5, treated=treated, seed=11)
    out = twfe_did(panel, treated, START, seed=1).set_index("inference")
    assert list(out.index) == ["cluster", "wild bootstrap", "collapsed"]
    np.testing.assert_allclose(out["estimate"], out["estimate"].iloc[0], rtol=1e-9)
    for row in out.itertuples():
        assert row.lower < 0.5 < row.upper
        assert row.p_value < 0.05
    assert out.loc["cluster", "n_clusters"] == 10


def test_collapsed_interval_covers_truth_in_most_seeds() -> None:
    covered = 0
    for seed in range(20):
        panel = simulate_panel(effect=0.3, seed=seed, n_periods=24, start="2022-01-01")
        row = twfe_did(panel, ["N01"], "2022-01-01", n_boot=0).iloc[-1]
        covered += row.lower < 0.3 < row.upper
    assert covered >= 17  # nominal 95%: 19 of 20 expected


def test_placebo_action_not_significant() -> None:
    panel = simulate_panel(effect=0.0, seed=5)
    row = twfe_did(panel, ["N04"], START, n_boot=0).set_index("inference").loc["collapsed"]
    assert row.p_value > 0.05
    assert row.lower < 0 < row.upper


def test_wild_bootstrap_is_exact_when_enumerable() -> None:
    panel = simulate_panel(effect=0.0, seed=3, n_units=6)
    a = twfe_did(panel, ["N01"], START, n_boot=64, seed=1, bootstrap_weights="rademacher")
    b = twfe_did(panel, ["N01"], START, n_boot=64, seed=2, bootstrap_weights="rademacher")
    pd.testing.assert_frame_equal(a, b)
    assert "64 draws" in a.loc[1, "note"]


def test_event_study_shape_and_pretrend() -> None:
    panel = simulate_panel(effect=0.6, treated=["N01", "N02"], seed=8)
    es, test = event_study(panel, ["N01", "N02"], START, leads=4, lags=6)
    assert es["event_time"].tolist() == list(range(-4, 7))
    ref = es.set_index("event_time").loc[-1]
    assert ref["estimate"] == 0 and np.isnan(ref["se"])
    post = es[es["event_time"] >= 0]
    assert ((post["lower"] < 0.6) & (post["upper"] > 0.6)).mean() >= 0.8
    assert test["df_num"] == 3 and test["p_value"] > 0.05
    cl, cl_test = event_study(panel, ["N01", "N02"], START, leads=4, lags=6, inference="cluster")
    np.testing.assert_allclose(cl["estimate"], es["estimate"], atol=1e-9)
    assert cl_test["df_denom"] == 9


def test_event_study_detects_pretrend() -> None:
    panel = simulate_panel(effect=0.0, seed=8, sigma=0.1, n_units=20)
    t = (panel["period"] - panel["period"].min()).dt.days / 30
    drift = np.where(panel["unit"] == "N01", 0.1 * t, 0.0)
    panel = panel.assign(value=panel["value"] + drift)
    _, test = event_study(panel, ["N01"], START, leads=6, lags=3, bin_endpoints=False)
    assert test["p_value"] < 0.05


def test_did_errors() -> None:
    panel = simulate_panel(seed=1, n_units=3)
    with pytest.raises(EstimationError, match="not in the panel"):
        twfe_did(panel, ["X"], START)
    with pytest.raises(EstimationError, match="comparison unit"):
        twfe_did(panel, ["N01", "N02", "N03"], START)
    with pytest.raises(EstimationError, match="before and after"):
        twfe_did(panel, ["N01"], "2030-01-01")
    with pytest.raises(EstimationError, match="leads >= 2"):
        event_study(panel, ["N01"], START, leads=1)
    with pytest.raises(EstimationError, match="expected a long panel"):
        twfe_did(panel.drop(columns="value"), ["N01"], START)


def _mpdta_2006() -> tuple[pd.DataFrame, list[str]]:
    """mpdta, counties first treated in 2006 against never-treated ones (one start date)."""
    from conftest import shared_data

    data = pd.read_csv(shared_data("reference", "did_mpdta", "mpdta.csv"))
    sub = data[data["first.treat"].isin([0, 2006])]
    panel = pd.DataFrame(
        {
            "unit": sub["countyreal"].astype(str),
            "period": pd.to_datetime(sub["year"].astype(str) + "-01-01"),
            "value": sub["lemp"],
            "D": ((sub["first.treat"] == 2006) & (sub["year"] >= 2006)).astype(float),
            "first_treat": sub["first.treat"],
        }
    )
    treated = sorted(panel.loc[panel["first_treat"] == 2006, "unit"].unique())
    return panel, treated


def test_cluster_se_matches_fixest_to_1e6_on_mpdta() -> None:
    import warnings

    import pyfixest as pf

    panel, treated = _mpdta_2006()
    with warnings.catch_warnings():  # pyfixest's own pandas deprecations, not ours
        warnings.simplefilter("ignore")
        ref = pf.feols("value ~ D | unit + period", data=panel, vcov={"CRV1": "unit"})
        coef, se = float(ref.coef()["D"]), float(ref.se()["D"])
    out = twfe_did(panel, treated, "2006-01-01", n_boot=0).set_index("inference")
    assert out.loc["cluster", "estimate"] == pytest.approx(coef, abs=1e-9)
    assert out.loc["cluster", "se"] == pytest.approx(se, abs=1e-6)
    # fixest ssc(fixef.K = "nested"): the 348 county dummies nested in the clusters drop out
    full = twfe_did(panel, treated, "2006-01-01", n_boot=0, small_sample="all")
    n, k_all, k_nested = len(panel), 1 + 1 + 348 + 4, 1 + 1 + 4
    ratio = full.set_index("inference").loc["cluster", "se"] / out.loc["cluster", "se"]
    assert ratio == pytest.approx(np.sqrt((n - k_nested) / (n - k_all)), rel=1e-12)


def test_collapsed_interval_is_the_pooled_two_sample_t_on_unit_contrasts() -> None:
    from scipy import stats

    panel, treated = _mpdta_2006()
    post = panel["period"] >= "2006-01-01"
    means = panel.assign(post=post).pivot_table(index="unit", columns="post", values="value")
    contrast = means[True] - means[False]
    is_t = contrast.index.isin(treated)
    ref = stats.ttest_ind(contrast[is_t], contrast[~is_t], equal_var=True)
    ci = ref.confidence_interval(0.95)
    row = twfe_did(panel, treated, "2006-01-01", n_boot=0).set_index("inference").loc["collapsed"]
    assert row["estimate"] == pytest.approx(
        contrast[is_t].mean() - contrast[~is_t].mean(), abs=1e-12
    )
    assert row["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)
    assert (row["lower"], row["upper"]) == pytest.approx((ci.low, ci.high), abs=1e-10)
