"""Callaway & Sant'Anna against R's did package on mpdta (shared/data/reference/did_mpdta)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import EstimationError
from barometer.impact.did import aggregate_att, callaway_santanna

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MPDTA = SHARED / "reference" / "did_mpdta" / "mpdta.csv"

# REFERENCE.md: full-precision ATT(g,t), and README (est_method="reg") bootstrap SEs.
ATT_GT = {
    (2004, 2004): (-0.010503, 0.0246), (2004, 2005): (-0.070423, 0.0332),
    (2004, 2006): (-0.137259, 0.0397), (2004, 2007): (-0.100811, 0.0357),
    (2006, 2004): (0.006520, 0.0229), (2006, 2005): (-0.002751, 0.0197),
    (2006, 2006): (-0.004595, 0.0179), (2006, 2007): (-0.041224, 0.0192),
    (2007, 2004): (0.030507, 0.0154), (2007, 2005): (-0.002726, 0.0164),
    (2007, 2006): (-0.031087, 0.0184), (2007, 2007): (-0.026054, 0.0170),
}  # fmt: skip
SE_BAND = 0.10  # published SEs are from a 1000-draw multiplier bootstrap


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    if not MPDTA.is_file():
        pytest.skip(f"reference data {MPDTA} is absent (clone outside the project)")
    return pd.read_csv(MPDTA)


@pytest.fixture(scope="module")
def att(mpdta: pd.DataFrame):
    return callaway_santanna(mpdta, "lemp", "year", "countyreal", "first.treat")


def test_att_gt_matches_r_to_1e6(att) -> None:
    table = att.table.set_index(["group", "time"])
    assert len(table) == len(ATT_GT)
    for (g, t), (estimate, _) in ATT_GT.items():
        assert table.loc[(g, t), "estimate"] == pytest.approx(estimate, abs=1e-6)


def test_att_gt_se_within_band_of_published_bootstrap(att) -> None:
    table = att.table.set_index(["group", "time"])
    for (g, t), (_, se) in ATT_GT.items():
        assert table.loc[(g, t), "se"] == pytest.approx(se, rel=SE_BAND), (g, t)


def test_pretrend_wald_matches_r(att) -> None:
    assert att.pretrend_df == 5
    assert att.pretrend_p_value == pytest.approx(0.16812, abs=5e-6)


def test_dynamic_aggregation(att) -> None:
    out = aggregate_att(att, "dynamic")
    overall = out.iloc[-1]
    assert overall["estimate"] == pytest.approx(-0.077240, abs=1e-6)
    assert overall["se"] == pytest.approx(0.0219, rel=SE_BAND)
    by_e = out.dropna(subset=["event_time"]).set_index("event_time")["estimate"]
    published = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373,
                 3: -0.1008}  # fmt: skip
    for e, value in published.items():
        assert round(by_e[e], 4) == pytest.approx(value, abs=1e-12)


def test_group_aggregation(att) -> None:
    out = aggregate_att(att, "group")
    overall = out.iloc[-1]
    assert overall["estimate"] == pytest.approx(-0.031018, abs=1e-6)
    assert overall["se"] == pytest.approx(0.0126, rel=SE_BAND)
    assert overall["lower"] == pytest.approx(-0.0558, abs=0.003)
    groups = out.dropna(subset=["group"]).set_index("group")
    for g, (value, se) in {2004: (-0.0797, 0.0291), 2006: (-0.0229, 0.0176),
                           2007: (-0.0261, 0.0175)}.items():  # fmt: skip
        assert round(groups.loc[g, "estimate"], 4) == pytest.approx(value, abs=1e-12)
        assert groups.loc[g, "se"] == pytest.approx(se, rel=SE_BAND)


def test_balanced_dynamic_aggregation(att) -> None:
    out = aggregate_att(att, "dynamic", balance_e=1)
    assert out.iloc[-1]["estimate"] == pytest.approx(-0.028761, abs=1e-6)
    assert out.iloc[-1]["se"] == pytest.approx(0.0135, rel=SE_BAND)
    by_e = out.dropna(subset=["event_time"]).set_index("event_time")["estimate"]
    assert list(by_e.index) == [-2, -1, 0, 1]
    for e, value in {-2: 0.0065, -1: -0.0028, 0: -0.0066, 1: -0.0510}.items():
        assert round(by_e[e], 4) == pytest.approx(value, abs=1e-12)


def test_simple_aggregation(att) -> None:
    out = aggregate_att(att, "simple")
    assert len(out) == 1
    assert out.iloc[0]["estimate"] == pytest.approx(-0.039951, abs=1e-6)


def test_multiplier_bootstrap_is_seeded_and_close(mpdta: pd.DataFrame, att) -> None:
    a = callaway_santanna(mpdta, "lemp", "year", "countyreal", "first.treat", n_boot=999, seed=7)
    b = callaway_santanna(mpdta, "lemp", "year", "countyreal", "first.treat", n_boot=999, seed=7)
    np.testing.assert_array_equal(a.table["se_boot"], b.table["se_boot"])
    np.testing.assert_allclose(a.table["se_boot"], att.table["se"], rtol=0.15)
    assert (
        a.table["band_upper"] - a.table["band_lower"] > a.table["upper"] - a.table["lower"]
    ).all()


def test_not_yet_treated_and_universal_run(mpdta: pd.DataFrame) -> None:
    nyt = callaway_santanna(
        mpdta, "lemp", "year", "countyreal", "first.treat", control="notyettreated"
    )
    assert nyt.table["n_control"].max() > 309
    uni = callaway_santanna(
        mpdta, "lemp", "year", "countyreal", "first.treat", base_period="universal"
    )
    ref = uni.table[uni.table["time"] == uni.table["group"] - 1]
    assert (ref["estimate"] == 0).all()
    # post-treatment cells do not depend on the base-period choice
    post = uni.table[uni.table["time"] >= uni.table["group"]].set_index(["group", "time"])
    for (g, t), (value, _) in ATT_GT.items():
        if t >= g:
            assert post.loc[(g, t), "estimate"] == pytest.approx(value, abs=1e-6)


def test_unbalanced_panel_is_an_error(mpdta: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="balanced panel"):
        callaway_santanna(mpdta.iloc[1:], "lemp", "year", "countyreal", "first.treat")
    with pytest.raises(EstimationError, match="expected columns"):
        callaway_santanna(mpdta, "y", "year", "countyreal", "first.treat")
    with pytest.raises(EstimationError, match="type must be"):
        aggregate_att(callaway_santanna(mpdta, "lemp", "year", "countyreal", "first.treat"), "x")  # type: ignore[arg-type]
