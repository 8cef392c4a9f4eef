"""Post-stratification and raking: exact margins, closed-form 2x2 raking, errors, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.exceptions import EstimationError
from barometer.stats.weighting import (
    DIAGNOSTIC_COLUMNS,
    poststratify,
    rake,
    weighting_design_effect,
)


@pytest.fixture
def sample() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    return pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n, p=[0.65, 0.35]),
            "age_group": rng.choice(["16-29", "30-44", "45-64", "65+"], n),
            "born_abroad": rng.choice([True, False], n, p=[0.3, 0.7]),
            "w": rng.uniform(0.5, 3.0, n),
        },
        index=pd.RangeIndex(100, 100 + n),
    )


MARGINS = {
    "sex": pd.Series({"female": 5100.0, "male": 4900.0}),
    "age_group": pd.DataFrame(
        {"age_group": ["16-29", "30-44", "45-64", "65+"], "population": [2500, 2600, 3100, 1800]}
    ),
    "born_abroad": {True: 4200.0, False: 5800.0},
}


def test_raked_weights_reproduce_every_margin(sample: pd.DataFrame) -> None:
    out = rake(sample, "w", MARGINS)
    assert out.weights.index.equals(sample.index)
    assert out.iterations > 1
    assert out.max_margin_error < 1e-8
    for column, target in [
        ("sex", MARGINS["sex"]),
        ("age_group", MARGINS["age_group"].set_index("age_group")["population"]),
        ("born_abroad", pd.Series(MARGINS["born_abroad"])),
    ]:
        achieved = out.weights.groupby(sample[column]).sum()
        np.testing.assert_allclose(achieved.reindex(target.index), target, rtol=1e-8)
    assert out.margins.columns.tolist() == DIAGNOSTIC_COLUMNS
    assert len(out.margins) == 2 + 4 + 2
    assert out.design_effect == pytest.approx(weighting_design_effect(out.weights))
    assert out.design_effect >= 1.0
    assert "raked" in out.method
    assert sample["w"].between(0.5, 3.0).all()  # input untouched


def _two_by_two_closed_form(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    """Raking keeps the seed's cross-product ratio (Bishop, Fienberg & Holland 1975, ch. 3):
    solve x (N - R1 - C1 + x) = theta (R1 - x)(C1 - x) for the raked cell (1, 1)."""
    theta = seed[0, 0] * seed[1, 1] / (seed[0, 1] * seed[1, 0])
    n, r1, c1 = rows.sum(), rows[0], cols[0]
    roots = np.roots([1 - theta, n - r1 - c1 + theta * (r1 + c1), -theta * r1 * c1])
    lo, hi = max(0.0, r1 + c1 - n), min(r1, c1)
    return float(next(r.real for r in roots if lo < r.real < hi))


def test_two_by_two_raking_matches_the_closed_form() -> None:
    # seed table of weighted counts [[10, 20], [30, 40]] from 2 respondents per cell
    rows_, cols_, weights = [], [], []
    for (i, j), total in np.ndenumerate(np.array([[10.0, 20.0], [30.0, 40.0]])):
        for share in (0.25, 0.75):
            rows_.append(f"r{i}")
            cols_.append(f"c{j}")
            weights.append(total * share)
    sample = pd.DataFrame({"row": rows_, "col": cols_, "w": weights})
    rows, cols = np.array([55.0, 45.0]), np.array([35.0, 65.0])
    out = rake(sample, "w", {"row": {"r0": 55, "r1": 45}, "col": {"c0": 35, "c1": 65}})
    table = out.weights.groupby([sample["row"], sample["col"]]).sum().unstack()
    x = _two_by_two_closed_form(np.array([[10.0, 20.0], [30.0, 40.0]]), rows, cols)
    expected = np.array([[x, rows[0] - x], [cols[0] - x, rows[1] - cols[0] + x]])
    np.testing.assert_allclose(table.to_numpy(), expected, rtol=1e-8)
    ratio = out.weights / sample["w"]
    assert ratio.groupby([sample["row"], sample["col"]]).nunique().max() == 1 or np.allclose(
        ratio.groupby([sample["row"], sample["col"]]).std(), 0.0
    )


def test_poststratified_totals_equal_population_cells(sample: pd.DataFrame) -> None:
    pop = sample.groupby(["sex", "age_group"]).size().rename("population").mul(100).reset_index()
    out = poststratify(sample, "w", ["sex", "age_group"], pop)
    achieved = out.weights.groupby([sample["sex"], sample["age_group"]]).sum()
    expected = pop.set_index(["sex", "age_group"])["population"]
    np.testing.assert_allclose(achieved[expected.index], expected, rtol=1e-12)
    assert out.max_margin_error < 1e-12 and out.iterations == 1
    # within a cell the weights keep their ratios
    ratio = out.weights / sample["w"]
    assert np.allclose(ratio.groupby([sample["sex"], sample["age_group"]]).std(), 0.0)


def test_poststratify_small_hand_example() -> None:
    sample = pd.DataFrame({"g": ["a", "a", "b"], "w": [1.0, 3.0, 2.0]})
    population = pd.DataFrame({"g": ["a", "b", "c"], "population": [100, 50, 0]})
    out = poststratify(sample, "w", ["g"], population)
    assert out.weights.tolist() == [25.0, 75.0, 50.0]
    assert out.design_effect == pytest.approx(3 * (25**2 + 75**2 + 50**2) / 150**2)


def test_bounded_raking_keeps_factors_within_bounds(sample: pd.DataFrame) -> None:
    free = rake(sample, "w", MARGINS)
    scale = 10000.0 / sample["w"].sum()
    factor = free.weights / (sample["w"] * scale)
    low, high = factor.min() * 1.1, factor.max() * 0.9
    out = rake(sample, "w", MARGINS, bounds=(low, high))
    assert out.max_margin_error < 1e-8
    bounded = out.weights / (sample["w"] * scale)
    assert bounded.min() >= low - 1e-12 and bounded.max() <= high + 1e-12
    assert "bounded" in out.method


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["x", "y"]),
            st.floats(0.1, 50.0),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_raking_to_margins_already_matched_returns_the_input(data) -> None:
    sample = pd.DataFrame(data, columns=["one", "two", "w"])
    margins = {c: sample.groupby(c)["w"].sum() for c in ("one", "two")}
    out = rake(sample, "w", margins)
    np.testing.assert_allclose(out.weights, sample["w"], rtol=1e-10)
    assert out.iterations == 1


def test_errors_name_the_margin(sample: pd.DataFrame) -> None:
    absent = {**MARGINS, "sex": pd.Series({"female": 5000.0, "male": 4900.0, "other": 100.0})}
    with pytest.raises(EstimationError, match=r"margin 'sex': category 'other' has population"):
        rake(sample, "w", absent)
    with pytest.raises(EstimationError, match="totals differ: 'sex' 10000, 'age_group' 10100"):
        rake(sample, "w", {"sex": MARGINS["sex"], "age_group": {**_ages(), "65+": 1900}})
    with pytest.raises(EstimationError, match=r"margin 'sex'.*'male' must be a finite number >= 0"):
        rake(sample, "w", {"sex": {"female": 5100.0, "male": -1.0}})
    with pytest.raises(
        EstimationError, match=r"margin 'age_group': respondents in category '65\+'"
    ):
        rake(sample, "w", {"age_group": {k: v for k, v in _ages().items() if k != "65+"}})
    with pytest.raises(EstimationError, match="has respondents but a population of 0"):
        rake(sample, "w", {"sex": {"female": 10000.0, "male": 0.0}})
    with pytest.raises(EstimationError, match="margin 'region' is not a column"):
        rake(sample, "w", {"region": {"n": 1.0}})
    with pytest.raises(EstimationError, match=r"raking did not converge in max_iter=3.*widen"):
        rake(sample, "w", MARGINS, max_iter=3, bounds=(0.99, 1.01))
    with pytest.raises(EstimationError, match="bounds must satisfy"):
        rake(sample, "w", MARGINS, bounds=(1.5, 2.0))
    holed = sample.assign(sex=sample["sex"].where(sample.index != 105))
    with pytest.raises(EstimationError, match="row 105 has no category"):
        rake(holed, "w", MARGINS)
    with pytest.raises(EstimationError, match=r"row 101 has -1\.0"):
        rake(sample.assign(w=sample["w"].where(sample.index != 101, -1.0)), "w", MARGINS)
    pop = pd.DataFrame({"sex": ["female"], "age_group": ["16-29"], "population": [10]})
    with pytest.raises(EstimationError, match="have no population total"):
        poststratify(sample, "w", ["sex", "age_group"], pop)
    with pytest.raises(EstimationError, match="missing \\['population'\\]"):
        poststratify(sample, "w", ["sex"], pop.drop(columns="population"))


def _ages() -> dict[str, float]:
    return dict(
        zip(["16-29", "30-44", "45-64", "65+"], [2500.0, 2600.0, 3100.0, 1800.0], strict=True)
    )
