"""Monte-Carlo uncertainty and sensitivity analysis of the composite index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import EstimationError
from barometer.stats.sensitivity import composite_sensitivity

SPEC = {
    "survey_ppltrst_mean": ("survey", 1),
    "digital_trust_share": ("digital", 1),
    "digital_negative_share": ("digital", -1),
    "observation_conflict_rate": ("observation", -1),
}
WEIGHTS = {"survey": 2.0, "digital": 1.0, "observation": 1.0}


def _table(seed: int = 0, n_units: int = 6, n_periods: int = 3) -> pd.DataFrame:
    """Random indicators; unit 'top' is strictly best on every indicator in every period."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in pd.date_range("2024-01-01", periods=n_periods, freq="MS"):
        for u in range(n_units):
            top = u == 0
            for name, (_, direction) in SPEC.items():
                value = rng.uniform(0, 1)
                if top:
                    value = 1.5 if direction == 1 else -0.5  # beyond every other unit
                rows.append(
                    {
                        "neighbourhood_id": "top" if top else f"u{u}",
                        "period_start": p,
                        "period": "M",
                        "indicator": name,
                        "value": value,
                    }
                )
    return pd.DataFrame(rows)


def test_dominant_unit_ranks_first_in_every_draw() -> None:
    out = composite_sensitivity(_table(), SPEC, WEIGHTS, n_draws=300, seed=1)
    ranks = out["ranks"].set_index("neighbourhood_id").loc["top"]
    assert (ranks["value"] == 1).all() and (ranks["median"] == 1).all()
    assert (ranks["lower"] == 1).all() and (ranks["upper"] == 1).all()
    assert (ranks["mean_abs_shift"] == 0).all()
    scores = out["scores"].set_index("neighbourhood_id").loc["top"]
    assert np.allclose(scores[["value", "median", "lower", "upper"]], 100.0)
    # every other unit: ranks 2..6, scores 0-100, intervals ordered
    r, s = out["ranks"], out["scores"]
    assert r["lower"].between(1, 6).all() and (r["lower"] <= r["median"]).all()
    assert (r["median"] <= r["upper"]).all() and (r["n_units"] == 6).all()
    assert s[["lower", "median", "upper"]].stack().between(0, 100).all()
    assert (s["lower"] <= s["median"]).all() and (s["median"] <= s["upper"]).all()


def test_assumptions_table() -> None:
    out = composite_sensitivity(_table(), SPEC, WEIGHTS, n_draws=400, seed=2)
    table = out["assumptions"].set_index("assumption")
    expected = {"normalisation", "aggregation", "dropped_indicator", "interactions"}
    assert expected | {f"weight:{d}" for d in WEIGHTS} == set(table.index)
    shares = table[["rank_variance_share", "score_variance_share"]]
    assert shares.stack().between(0, 1).all()
    assert shares.sum().between(0.999, 1.5).all()  # interactions close the sum (>= 1)
    assert "none:" in table.loc["dropped_indicator", "mean_abs_rank_shift"]
    assert table.loc["normalisation", "levels"] == "minmax, rank, zscore"


def test_fixed_assumptions_explain_nothing() -> None:
    out = composite_sensitivity(
        _table(),
        SPEC,
        WEIGHTS,
        n_draws=200,
        seed=3,
        normalisations=["minmax"],
        aggregations=["arithmetic"],
        drop_indicators=False,
        concentration=1e9,  # weights fixed at the configured ones
    )
    r, s = out["ranks"], out["scores"]
    assert (r["lower"] == r["value"]).all() and (r["upper"] == r["value"]).all()
    np.testing.assert_allclose(s["lower"], s["value"], atol=0.01)
    assert set(out["assumptions"]["assumption"]) >= {"normalisation", "interactions"}


def test_deterministic_with_seed() -> None:
    table = _table(seed=5)
    a = composite_sensitivity(table, SPEC, WEIGHTS, n_draws=100, seed=11)
    b = composite_sensitivity(table, SPEC, WEIGHTS, n_draws=100, seed=11)
    c = composite_sensitivity(table, SPEC, WEIGHTS, n_draws=100, seed=12)
    for key in ("scores", "ranks", "assumptions"):
        pd.testing.assert_frame_equal(a[key], b[key])
    assert not a["scores"]["upper"].equals(c["scores"]["upper"])


def test_more_draws_narrow_monte_carlo_error() -> None:
    table = _table(seed=4)

    def spread(n_draws: int) -> float:
        uppers = [
            composite_sensitivity(table, SPEC, WEIGHTS, n_draws=n_draws, seed=s)["scores"]["median"]
            for s in range(8)
        ]
        return float(pd.concat(uppers, axis=1).std(axis=1).mean())

    assert spread(800) < 0.6 * spread(50)  # MC error ~ 1/sqrt(n): expected ratio 0.25


def test_missing_cells_and_geometric_positive() -> None:
    table = _table(seed=6)
    gap = (table["indicator"] == "survey_ppltrst_mean") & (table["neighbourhood_id"] == "u1")
    table.loc[gap, "value"] = np.nan
    out = composite_sensitivity(
        table, SPEC, WEIGHTS, n_draws=100, seed=1, aggregations=["geometric"],
        normalisations=["zscore"], aggregation="geometric", normalisation="zscore",
    )  # fmt: skip
    assert out["scores"]["median"].notna().all()  # 2 of 3 dimensions are enough
    assert np.isfinite(out["scores"]["value"]).all()
    strict = composite_sensitivity(table, SPEC, WEIGHTS, n_draws=50, seed=1, min_dimensions=3)
    u1 = strict["ranks"]["neighbourhood_id"] == "u1"
    assert strict["ranks"].loc[u1, "median"].isna().all()
    assert (strict["ranks"].loc[~u1, "n_units"] == 5).all()


def test_errors() -> None:
    table = _table()
    with pytest.raises(EstimationError, match="weights must name the dimensions"):
        composite_sensitivity(table, SPEC, {"survey": 1.0})
    with pytest.raises(EstimationError, match="weights must be finite and > 0"):
        composite_sensitivity(table, SPEC, {**WEIGHTS, "survey": 0.0})
    with pytest.raises(EstimationError, match="n_draws must be an integer"):
        composite_sensitivity(table, SPEC, WEIGHTS, n_draws=1)
    with pytest.raises(EstimationError, match="normalisations must be among"):
        composite_sensitivity(table, SPEC, WEIGHTS, normalisations=["baseline"])
    with pytest.raises(EstimationError, match="aggregations must be among"):
        composite_sensitivity(table, SPEC, WEIGHTS, aggregations=[])
    with pytest.raises(EstimationError, match="concentration must be > 0"):
        composite_sensitivity(table, SPEC, WEIGHTS, concentration=0.0)
    with pytest.raises(EstimationError, match="lacks columns"):
        composite_sensitivity(table.drop(columns="value"), SPEC, WEIGHTS)
    with pytest.raises(EstimationError, match="repeats an indicator"):
        composite_sensitivity(pd.concat([table, table.head(1)]), SPEC, WEIGHTS)
    with pytest.raises(EstimationError, match="no rows for the indicators"):
        composite_sensitivity(table.assign(indicator="other"), SPEC, WEIGHTS)
    with pytest.raises(EstimationError, match="nominal normalisation"):
        composite_sensitivity(table, SPEC, WEIGHTS, normalisation="baseline")
