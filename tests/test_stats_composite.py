"""Composite index building blocks on hand-built known answers."""

from __future__ import annotations

import doctest
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometer.exceptions import EstimationError
from barometer.stats import composite
from barometer.stats.composite import aggregate, composite_index, normalise


def test_minmax() -> None:
    assert normalise([1.0, 2.0, 3.0]).tolist() == [0.0, 50.0, 100.0]
    assert normalise([1.0, 2.0, 3.0], direction=-1).tolist() == [100.0, 50.0, 0.0]
    out = normalise([1.0, np.nan, 3.0])
    assert out[0] == 0.0 and np.isnan(out[1]) and out[2] == 100.0


def test_zscore() -> None:
    np.testing.assert_allclose(normalise([1.0, 2.0, 3.0], "zscore"), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(normalise([1.0, 2.0, 3.0], "zscore", -1), [1.0, 0.0, -1.0])


def test_rank_with_ties() -> None:
    np.testing.assert_allclose(normalise([10.0, 30.0, 20.0], "rank"), [0.0, 100.0, 50.0])
    np.testing.assert_allclose(normalise([10.0, 30.0, 20.0], "rank", -1), [100.0, 0.0, 50.0])
    np.testing.assert_allclose(normalise([1.0, 1.0, 2.0], "rank"), [25.0, 25.0, 100.0])


def test_baseline() -> None:
    mask = [True, True, False]
    np.testing.assert_allclose(normalise([4.0, 6.0, 7.5], "baseline", 1, mask), [80, 120, 150])
    np.testing.assert_allclose(normalise([4.0, 6.0, 7.5], "baseline", -1, mask), [120, 80, 50])


def test_arithmetic_aggregation_renormalises_weights() -> None:
    f = pd.DataFrame({"a": [0.0, 100.0, np.nan], "b": [100.0, np.nan, np.nan], "c": 50.0})
    out = aggregate(f, {"a": 1.0, "b": 3.0, "c": 0.0}, min_dimensions=1)
    assert out.iloc[:2].tolist() == [75.0, 100.0]
    assert np.isnan(out.iloc[2])  # only a zero-weight dimension left
    assert out.name == "composite"


def test_min_dimensions_rule() -> None:
    f = pd.DataFrame({"a": [10.0, 10.0, np.nan], "b": [20.0, np.nan, np.nan], "c": 30.0})
    weights = {"a": 1.0, "b": 1.0, "c": 1.0}
    default = aggregate(f, weights)  # at least 2 of 3
    assert default.iloc[:2].tolist() == [20.0, 20.0] and np.isnan(default.iloc[2])
    strict = aggregate(f, weights, min_dimensions=3)
    assert strict.notna().tolist() == [True, False, False]


def test_geometric_mean() -> None:
    f = pd.DataFrame({"a": [4.0, 0.0], "b": [16.0, 50.0]})
    out = aggregate(f, {"a": 1.0, "b": 1.0}, "geometric")
    assert out.tolist() == pytest.approx([8.0, 0.0])
    weighted = aggregate(f.iloc[:1], {"a": 3.0, "b": 1.0}, "geometric")
    assert weighted.iloc[0] == pytest.approx(4**0.75 * 16**0.25)


@given(
    st.lists(st.floats(0, 100), min_size=2, max_size=5),
    st.lists(st.floats(0.1, 10), min_size=5, max_size=5),
)
def test_geometric_never_exceeds_arithmetic(scores: list[float], w: list[float]) -> None:
    f = pd.DataFrame([scores], columns=[f"d{i}" for i in range(len(scores))])
    weights = {c: w[i] for i, c in enumerate(f.columns)}
    geo = aggregate(f, weights, "geometric").iloc[0]
    ari = aggregate(f, weights, "arithmetic").iloc[0]
    assert geo <= ari + 1e-9
    assert min(scores) - 1e-9 <= ari <= max(scores) + 1e-9


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30, unique=True))
def test_minmax_range(values: list[float]) -> None:
    out = normalise(values)
    assert out.min() == pytest.approx(0.0) and out.max() == pytest.approx(100.0)


def test_doctests() -> None:
    assert doctest.testmod(composite).failed == 0


def _long() -> pd.DataFrame:
    p = date(2025, 1, 1)
    rows = [
        # neighbourhood, indicator, value  (trust +, conflicts -)
        ("n1", "trust", 4.0),
        ("n2", "trust", 6.0),
        ("n3", "trust", 8.0),
        ("n1", "conflicts", 3.0),
        ("n2", "conflicts", 2.0),
        ("n3", "conflicts", 1.0),
        ("n1", "belonging", 5.0),
        ("n2", "belonging", 5.0),
        ("n3", "belonging", 7.0),
    ]
    df = pd.DataFrame(rows, columns=["neighbourhood_id", "indicator", "value"])
    return df.assign(
        period_start=p, lower=df["value"], upper=df["value"], n_effective=[30.0, 40, 50] * 3
    )


SPEC = {"trust": ("social", 1), "conflicts": ("safety", -1), "belonging": ("social", 1)}


def test_composite_index_known_answer_without_uncertainty() -> None:
    out = composite_index(_long(), SPEC, {"social": 1.0, "safety": 1.0}, seed=0)
    # social = mean(trust 0/50/100, belonging 0/0/100) = 0/25/100; safety = 0/50/100
    assert out["neighbourhood_id"].tolist() == ["n1", "n2", "n3"]
    assert out["value"].tolist() == pytest.approx([0.0, 37.5, 100.0])
    assert out["lower"].tolist() == pytest.approx(out["value"].tolist())
    assert out["upper"].tolist() == pytest.approx(out["value"].tolist())
    assert (out["indicator"] == "composite_trust_index").all()
    assert out["n_effective"].tolist() == [30.0, 40.0, 50.0]
    assert out.columns.tolist() == [
        "neighbourhood_id",
        "period_start",
        "indicator",
        "value",
        "lower",
        "upper",
        "n_effective",
        "method",
    ]


def test_composite_index_weights_and_missing_dimension() -> None:
    df = _long()
    df = df[~((df["neighbourhood_id"] == "n2") & (df["indicator"] == "conflicts"))]
    out = composite_index(df, SPEC, {"social": 3.0, "safety": 1.0}, min_dimensions=1, seed=0)
    # conflicts now n1=3 -> 0, n3=1 -> 100; n2 has only social (25)
    assert out["value"].tolist() == pytest.approx([0.0, 25.0, 100.0])
    strict = composite_index(df, SPEC, {"social": 3.0, "safety": 1.0}, min_dimensions=2)
    assert np.isnan(strict["value"].iloc[1]) and np.isnan(strict["lower"].iloc[1])
    assert np.isnan(strict["n_effective"].iloc[1])


def test_composite_index_interval_from_monte_carlo() -> None:
    df = _long()
    df["lower"], df["upper"] = df["value"] - 0.5, df["value"] + 0.5
    out = composite_index(df, SPEC, {"social": 1.0, "safety": 1.0}, n_draws=2000, seed=1)
    again = composite_index(df, SPEC, {"social": 1.0, "safety": 1.0}, n_draws=2000, seed=1)
    pd.testing.assert_frame_equal(out, again)
    mid = out.iloc[1]
    assert mid["lower"] < mid["value"] < mid["upper"]
    assert ((out["lower"] >= 0) & (out["upper"] <= 100)).all()
    wider = df.assign(lower=df["value"] - 1.0, upper=df["value"] + 1.0)
    wide = composite_index(wider, SPEC, {"social": 1.0, "safety": 1.0}, n_draws=2000, seed=1)
    assert wide["upper"].iloc[1] - wide["lower"].iloc[1] > mid["upper"] - mid["lower"]


def test_composite_index_geometric_rank_and_baseline() -> None:
    df = pd.concat([_long(), _long().assign(period_start=date(2025, 2, 1))], ignore_index=True)
    df.loc[df["period_start"] == date(2025, 2, 1), "value"] *= 1.1
    w = {"social": 1.0, "safety": 1.0}
    geo = composite_index(df, SPEC, w, normalisation="rank", aggregation="geometric", seed=0)
    assert geo["value"].between(0, 100).all()
    base = composite_index(
        df, SPEC, w, normalisation="baseline", baseline_mask=df["period_start"] == date(2025, 1, 1)
    )
    jan = base[base["period_start"] == date(2025, 1, 1)]
    # mean over neighbourhoods of the baseline-normalised January indicators is 100 per dimension
    assert jan["value"].mean() == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: normalise([1.0, 2.0], "log"), "normalisation must be"),
        (lambda: normalise([1.0, 2.0], direction=2), "direction must be"),
        (lambda: normalise([1.0, 1.0]), "constant indicator"),
        (lambda: normalise([1.0, np.nan]), "needs >= 2 non-missing"),
        (lambda: normalise([1.0, 2.0], "baseline"), "needs a baseline_mask"),
        (lambda: normalise([1.0, 2.0], "baseline", 1, [True]), "one entry per value"),
        (lambda: normalise([0.0, 2.0], "baseline", 1, [True, False]), "positive baseline"),
        (lambda: aggregate(pd.DataFrame({"a": [1.0]}), {"b": 1.0}), r"dimensions \['b'\]"),
        (lambda: aggregate(pd.DataFrame({"a": [1.0]}), {}), "at least one dimension"),
        (lambda: aggregate(pd.DataFrame({"a": [1.0]}), {"a": -1.0}), "weights must be"),
        (lambda: aggregate(pd.DataFrame({"a": [1.0]}), {"a": 1.0}, "max"), "aggregation must"),
        (
            lambda: aggregate(pd.DataFrame({"a": [-1.0]}), {"a": 1.0}, "geometric"),
            "needs scores >= 0",
        ),
        (
            lambda: aggregate(pd.DataFrame({"a": [1.0]}), {"a": 1.0}, min_dimensions=2),
            "min_dimensions must be between 1 and 1",
        ),
        (
            lambda: composite_index(
                _long().drop(columns="upper"), SPEC, {"social": 1, "safety": 1}
            ),
            r"lacks columns \['upper'\]",
        ),
        (lambda: composite_index(_long(), SPEC, {"social": 1}), "weights must name"),
        (
            lambda: composite_index(_long(), {"x": ("social", 1)}, {"social": 1}),
            "no rows for the indicators",
        ),
        (
            lambda: composite_index(
                pd.concat([_long(), _long()]), SPEC, {"social": 1, "safety": 1}
            ),
            "repeats an indicator",
        ),
        (
            lambda: composite_index(
                _long().assign(lower=_long()["value"] + 1), SPEC, {"social": 1, "safety": 1}
            ),
            "upper < lower",
        ),
        (
            lambda: composite_index(_long(), SPEC, {"social": 1, "safety": 1}, n_draws=1),
            "n_draws must be",
        ),
        (
            lambda: composite_index(_long(), SPEC, {"social": 1, "safety": 1}, level=2),
            "between 0 and 1",
        ),
        (
            lambda: composite_index(
                _long(), SPEC, {"social": 1, "safety": 1}, "zscore", "geometric"
            ),
            "needs scores >= 0",
        ),
    ],
)
def test_errors(call, message: str) -> None:
    with pytest.raises(EstimationError, match=message):
        call()
