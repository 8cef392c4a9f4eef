"""Multi-group CFA measurement invariance against lavaan's published Holzinger & Swineford
(1939) example, cross-checked with semopy, and on planted (non-)invariance.

References (HolzingerSwineford1939 by school, the three-factor model):
- lavaan tutorial "Multiple groups" (https://lavaan.ugent.be/tutorial/groups.html, lavaan
  0.6-21): configural test statistic 115.851 on 48 df; per group Pasteur 64.309, Grant-White
  51.542;
- semTools::measurementInvariance output (as printed in M. Clark, "Comparisons of the
  Unseen", 2019): Chisq 115.85 / 124.04 / 164.10 on 48 / 54 / 60 df; cfi 0.923 / 0.921 /
  0.882; rmsea 0.097 / 0.093 / 0.107.
The data ship with semopy (``semopy.examples.holzinger39``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from barometer.aggregate.invariance import (
    TRUST_SCALE,
    group_comparison_allowed,
    trust_scale_invariance,
)
from barometer.exceptions import EstimationError
from barometer.stats.invariance import INVARIANCE_COLUMNS, measurement_invariance

HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
            "speed": ["x7", "x8", "x9"]}  # fmt: skip


@pytest.fixture(scope="module")
def holzinger() -> pd.DataFrame:
    from semopy.examples import holzinger39

    return holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_table(holzinger: pd.DataFrame) -> pd.DataFrame:
    return measurement_invariance(holzinger, HS_MODEL, "school").set_index("level")


def test_matches_lavaan_and_semtools(hs_table: pd.DataFrame) -> None:
    assert hs_table.index.tolist() == ["configural", "metric", "scalar"]
    assert hs_table.columns.tolist() == [c for c in INVARIANCE_COLUMNS if c != "level"] + [
        "chisq",
        "df",
    ]
    assert hs_table.loc["configural", "chisq"] == pytest.approx(115.851, abs=5e-4)
    expected = {"configural": ("115.85", 48, 0.923, 0.097),
                "metric": ("124.04", 54, 0.921, 0.093),
                "scalar": ("164.10", 60, 0.882, 0.107)}  # fmt: skip
    for level, (chisq, df, cfi, rmsea) in expected.items():
        row = hs_table.loc[level]
        assert row["chisq"] == pytest.approx(float(chisq), abs=5e-3)
        assert row["df"] == df
        assert row["cfi"] == pytest.approx(cfi, abs=5e-4)
        assert row["rmsea"] == pytest.approx(rmsea, abs=5e-4)
        assert row["n"] == 301
    # Chisq diff 8.192 (6 df) and 40.059 (6 df)
    assert hs_table.loc["metric", "chisq"] - hs_table.loc["configural", "chisq"] == pytest.approx(
        8.192, abs=1e-3
    )
    assert hs_table.loc["scalar", "chisq"] - hs_table.loc["metric", "chisq"] == pytest.approx(
        40.059, abs=1e-3
    )
    # cfi.delta 0.002 (metric holds) and 0.038 (scalar does not)
    assert hs_table["holds"].tolist() == [True, True, False]
    assert hs_table.loc["scalar", "delta_cfi"] == pytest.approx(0.038, abs=5e-4)
    assert (hs_table["groups"] == "Grant-White|Pasteur").all()


def test_configural_fit_is_the_sum_of_semopys_group_fits(holzinger, hs_table) -> None:
    import semopy

    desc = "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in HS_MODEL.items())
    total = 0.0
    for school, chisq in (("Pasteur", 64.309), ("Grant-White", 51.542)):  # lavaan, per group
        model = semopy.Model(desc)
        model.fit(holzinger[holzinger["school"] == school])
        ours = semopy.calc_stats(model)["chi2"].iloc[0]
        assert ours == pytest.approx(chisq, abs=5e-4)
        total += ours
    # ours is the lower (better) minimum by 1e-6 relative
    assert hs_table.loc["configural", "chisq"] == pytest.approx(total, rel=3e-6)


def _simulate(seed: int, shift: float, loading_b: float = 1.0, n: int = 600) -> pd.DataFrame:
    """One trust factor, four items; group B's third item is shifted by ``shift`` (an
    intercept difference: scalar non-invariance) and its loadings scaled by ``loading_b``."""
    rng = np.random.default_rng(seed)
    frames = []
    for group, mean in (("a", 0.0), ("b", 0.5)):
        eta = rng.normal(mean, 1.0, n)
        lam = np.array([1.0, 0.8, 0.9, 0.7]) * (loading_b if group == "b" else 1.0)
        lam[0] = 1.0
        nu = np.array([5.0, 5.5, 4.5, 6.0]) + np.array([0, 0, shift, 0]) * (group == "b")
        items = nu + np.outer(eta, lam) + rng.normal(0, 0.6, (n, 4))
        frames.append(pd.DataFrame(items, columns=["i1", "i2", "i3", "i4"]).assign(g=group))
    return pd.concat(frames, ignore_index=True)


def test_planted_invariance_and_violations() -> None:
    scale = {"f": ["i1", "i2", "i3", "i4"]}
    clean = measurement_invariance(_simulate(1, 0.0), scale, "g").set_index("level")
    assert clean["holds"].all()
    assert (clean["cfi"] > 0.99).all()
    shifted = measurement_invariance(_simulate(2, 1.0), scale, "g").set_index("level")
    assert shifted.loc[["configural", "metric"], "holds"].all()
    assert not shifted.loc["scalar", "holds"] and shifted.loc["scalar", "delta_cfi"] > 0.01
    loads = measurement_invariance(_simulate(3, 0.0, loading_b=0.4), scale, "g").set_index("level")
    assert loads.loc["configural", "holds"] and not loads.loc["metric", "holds"]
    assert not loads.loc["scalar", "holds"]  # cannot hold without metric invariance


def test_trust_scale_table_and_gate() -> None:
    names = dict(zip(["i1", "i2", "i3", "i4"], TRUST_SCALE["social_trust"], strict=True))
    data = _simulate(4, 0.0).rename(columns=names)
    data["born_abroad"] = data["g"] == "b"
    table = trust_scale_invariance(data)
    assert table.columns.tolist() == INVARIANCE_COLUMNS
    assert table["level"].tolist() == ["configural", "metric", "scalar"]
    assert (table["groups"] == "born_in_sweden|born_abroad").all()
    assert group_comparison_allowed(table)
    shifted = data.assign(pplhlp=data["pplhlp"] + data["born_abroad"] * 1.5)
    assert not group_comparison_allowed(trust_scale_invariance(shifted))
    assert trust_scale_invariance(data[data["born_abroad"]]).empty  # one group only
    assert not group_comparison_allowed(pd.DataFrame(columns=INVARIANCE_COLUMNS))


def test_errors() -> None:
    data = _simulate(5, 0.0)
    with pytest.raises(EstimationError, match="saturated"):
        measurement_invariance(data, {"f": ["i1", "i2", "i3"]}, "g")
    with pytest.raises(EstimationError, match="exactly one factor"):
        measurement_invariance(data, {"f": ["i1", "i2"], "h": ["i2", "i3"]}, "g")
    with pytest.raises(EstimationError, match=">= 2 groups"):
        measurement_invariance(data.assign(g="a"), {"f": ["i1", "i2", "i3", "i4"]}, "g")
    with pytest.raises(EstimationError, match="expected columns"):
        measurement_invariance(data, {"f": ["i1", "i2", "i3", "zz"]}, "g")
