"""Design-based survey estimates against R's `survey` package (California API samples)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats.survey import (
    RESULT_COLUMNS,
    estimate_domain_means,
    estimate_mean,
    estimate_ratio,
    estimate_total,
)

RTOL = 1e-6


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data("reference", "survey_api", name), dtype={"cds": str})


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return _read("apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return _read("apiclus1.csv")


def _strat(fn, df, y, **kw):  # dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
    return fn(df, y, weight="pw", strata="stype", fpc="fpc", **kw)


def _clus(fn, df, y, **kw):  # dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc)
    return fn(df, y, weight="pw", psu="dnum", fpc="fpc", **kw)


def test_population_mean_of_api00() -> None:
    pop = _read("apipop.csv")
    assert pop["api00"].mean() == pytest.approx(664.712625121, rel=RTOL)


def test_svymean_stratified(apistrat: pd.DataFrame) -> None:
    out = _strat(estimate_mean, apistrat, "api00")
    assert list(out.columns) == RESULT_COLUMNS
    row = out.iloc[0]
    assert row["value"] == pytest.approx(662.287363159, rel=RTOL)
    assert row["se"] == pytest.approx(9.40894080278, rel=RTOL)
    assert row["df"] == 197
    t = stats.t.ppf(0.975, 197)
    assert row["lower"] == pytest.approx(row["value"] - t * row["se"])
    assert row["upper"] == pytest.approx(row["value"] + t * row["se"])
    assert row["n"] == 200
    w = apistrat["pw"]
    assert row["n_effective"] == pytest.approx(w.sum() ** 2 / (w**2).sum())


def test_svytotal_stratified_na_rm(apistrat: pd.DataFrame) -> None:
    row = _strat(estimate_total, apistrat, "enroll").iloc[0]
    assert row["value"] == pytest.approx(3687177.53244, rel=RTOL)
    assert row["se"] == pytest.approx(114641.716101, rel=RTOL)


def test_svymean_cluster(apiclus1: pd.DataFrame) -> None:
    row = _clus(estimate_mean, apiclus1, "api00").iloc[0]
    assert row["value"] == pytest.approx(644.169398907, rel=RTOL)
    assert row["se"] == pytest.approx(23.5422406938, rel=RTOL)
    assert row["df"] == 14


def test_svytotal_cluster_na_rm(apiclus1: pd.DataFrame) -> None:
    row = _clus(estimate_total, apiclus1, "enroll").iloc[0]
    assert row["value"] == pytest.approx(3404940.13453, rel=RTOL)
    assert row["se"] == pytest.approx(932235.027041, rel=RTOL)


def test_na_rm_keeps_the_full_design(apiclus1: pd.DataFrame) -> None:
    holed = apiclus1.copy()
    holed.loc[holed.index[::7], "enroll"] = np.nan
    kept = holed.dropna(subset=["enroll"])
    row = _clus(estimate_total, holed, "enroll").iloc[0]
    assert row["value"] == pytest.approx((kept["pw"] * kept["enroll"]).sum())
    assert row["n"] == len(kept)
    assert row["df"] == 14


def test_svytotal_of_a_factor(apiclus1: pd.DataFrame) -> None:
    out = _clus(estimate_total, apiclus1, "stype")
    assert out["category"].tolist() == ["E", "H", "M"]
    np.testing.assert_allclose(out["value"], [4873.97, 473.86, 846.17], rtol=1e-5)
    np.testing.assert_allclose(out["se"], [1333.32, 158.70, 167.55], rtol=5e-5)


def test_svyratio(apiclus1: pd.DataFrame) -> None:
    row = apiclus1.pipe(
        estimate_ratio, "api.stu", "enroll", weight="pw", psu="dnum", fpc="fpc"
    ).iloc[0]
    assert row["variable"] == "api.stu/enroll"
    assert row["value"] == pytest.approx(0.8497087, rel=1e-7 / 0.85)
    assert row["se"] == pytest.approx(0.008386297, rel=1e-6)


@pytest.mark.parametrize(
    ("y", "values", "ses"),
    [
        ("ell", [29.69444, 15.00000, 22.68000], [1.411617, 5.347065, 2.952862]),
        ("meals", [53.09028, 37.57143, 43.08000], [7.070399, 5.912262, 6.017110]),
    ],
)
def test_svyby_domain_means(apiclus1, y, values, ses) -> None:
    out = apiclus1.pipe(estimate_domain_means, y, "stype", weight="pw", psu="dnum", fpc="fpc")
    assert list(out.columns) == ["stype", *RESULT_COLUMNS]
    assert out["stype"].tolist() == ["E", "H", "M"]
    np.testing.assert_allclose(out["value"], values, rtol=1e-6)
    np.testing.assert_allclose(out["se"], ses, rtol=1e-6)
    assert (out["df"] == 14).all()
    assert out["n"].tolist() == apiclus1.groupby("stype").size().tolist()


def test_domain_means_match_a_dense_reference(apiclus1: pd.DataFrame) -> None:
    """Sparse domain variance equals the textbook dense computation with zero influence."""
    df = apiclus1.assign(grp=np.where(apiclus1["api00"] > 650, "hi", "lo"))
    out = df.pipe(estimate_domain_means, "meals", ["stype", "grp"], weight="pw", psu="dnum")
    w, y = df["pw"].to_numpy(), df["meals"].to_numpy(float)
    for _, r in out.iterrows():
        inside = ((df["stype"] == r["stype"]) & (df["grp"] == r["grp"])).to_numpy()
        mean = (w * y)[inside].sum() / w[inside].sum()
        z = np.where(inside, w * (y - mean) / w[inside].sum(), 0.0)
        t = pd.Series(z).groupby(df["dnum"].to_numpy()).sum()
        var = len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum()
        assert r["value"] == pytest.approx(mean)
        assert r["se"] == pytest.approx(np.sqrt(var), rel=1e-9)


# ---- properties -------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    y=st.lists(st.floats(-100, 100, allow_nan=False), min_size=3, max_size=40),
    weight=st.floats(0.5, 50),
    unsampled=st.integers(0, 800),
)
def test_srs_mean_and_se(y: list[float], weight: float, unsampled: int) -> None:
    """Simple random sampling without replacement from a population of ``N`` (a whole number:
    the sample plus ``unsampled`` people; ``unsampled = 0`` is a census, SE 0)."""
    population = len(y) + unsampled
    df = pd.DataFrame({"y": y, "w": weight, "N": population})
    row = estimate_mean(df, "y", "w", fpc="N").iloc[0]
    arr = np.asarray(y)
    assert row["value"] == pytest.approx(arr.mean(), abs=1e-9)
    expected = arr.std(ddof=1) / np.sqrt(len(y)) * np.sqrt(1 - len(y) / population)
    assert row["se"] == pytest.approx(expected, rel=1e-7, abs=1e-9)
    assert row["df"] == len(y) - 1
    assert row["n_effective"] == pytest.approx(len(y))


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(1e-3, 1e3), seed=st.integers(0, 1000))
def test_mean_and_se_invariant_to_weight_scaling(scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "y": rng.normal(5, 2, 60),
            "w": rng.uniform(1, 9, 60),
            "h": np.repeat(["a", "b", "c"], 20),
            "c": np.tile(np.arange(5), 12),
        }
    )
    base = estimate_domain_means(df, "y", "h", "w", strata="h", psu="c")
    scaled = estimate_domain_means(df.assign(w=df["w"] * scale), "y", "h", "w", "h", "c")
    np.testing.assert_allclose(scaled["value"], base["value"], rtol=1e-9)
    np.testing.assert_allclose(scaled["se"], base["se"], rtol=1e-7)
    np.testing.assert_allclose(scaled["n_effective"], base["n_effective"], rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_domain_totals_add_up_to_the_total(seed: int) -> None:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {"y": rng.poisson(3, 50), "w": rng.uniform(1, 4, 50), "d": rng.choice(list("xyz"), 50)}
    )
    parts = estimate_total(df, "y", "w", domain="d")
    whole = estimate_total(df, "y", "w").iloc[0]
    assert parts["value"].sum() == pytest.approx(whole["value"])


def test_factor_mean_gives_shares() -> None:
    df = pd.DataFrame({"g": ["a", "b", "b", None, "a", "b"], "w": [1.0, 1, 1, 5, 1, 1]})
    out = estimate_mean(df, "g", "w")
    assert out["category"].tolist() == ["a", "b"]
    assert out["value"].tolist() == pytest.approx([0.4, 0.6])
    assert (out["n"] == 5).all()


# ---- lonely PSUs -------------------------------------------------------------------------


def _lonely_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0, 10.0, 12.0],
            "w": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
            "h": ["a", "a", "a", "a", "solo", "solo"],
            "c": ["p1", "p1", "p2", "p2", "p3", "p3"],
        }
    )


def test_lonely_psu_fails_by_default() -> None:
    with pytest.raises(EstimationError, match="stratum 'solo' has only one PSU"):
        estimate_mean(_lonely_frame(), "y", "w", strata="h", psu="c")


def test_lonely_psu_certainty_and_remove_contribute_zero() -> None:
    df = _lonely_frame()
    cert = estimate_total(df, "y", "w", "h", "c", lonely_psu="certainty").iloc[0]
    rem = estimate_total(df, "y", "w", "h", "c", lonely_psu="remove").iloc[0]
    t = np.array([1 + 2, 2 * 3 + 2 * 4])  # PSU totals in stratum a
    assert cert["se"] == pytest.approx(np.sqrt(2 * ((t - t.mean()) ** 2).sum()))
    assert rem["se"] == pytest.approx(cert["se"])
    assert cert["df"] == 1


def test_lonely_psu_adjust_centres_the_lonely_psu_on_zero() -> None:
    """R's survey.lonely.psu = "adjust": the lonely PSU's total deviates from 0 (the
    population mean of an influence function), not from its own stratum mean."""
    df = _lonely_frame()
    out = estimate_total(df, "y", "w", "h", "c", lonely_psu="adjust").iloc[0]
    t = np.array([3.0, 14.0])
    solo = 3 * 10 + 3 * 12.0
    expected = 2 * ((t - t.mean()) ** 2).sum() + solo**2
    assert out["se"] == pytest.approx(np.sqrt(expected))


# ---- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (pd.DataFrame({"y": [1.0, 2.0], "w": [1.0, 1.0]}), {"weight": "pw"}, r"columns \['pw'\]"),
        (pd.DataFrame({"y": [1.0, 2.0], "w": [1.0, -1.0]}), {}, "finite positive"),
        (pd.DataFrame({"y": [1.0, 2.0], "w": [1.0, np.nan]}), {}, "finite positive"),
        (pd.DataFrame({"y": [1.0, 2.0], "w": ["a", "b"]}), {}, "must be numeric"),
        (pd.DataFrame({"y": [1.0], "w": [1.0]}), {}, "at least 2 rows"),
        (pd.DataFrame({"y": [1.0, 2.0], "w": [1.0, 1.0]}), {"level": 1.5}, "between 0 and 1"),
        (
            pd.DataFrame({"y": [1.0, 2.0], "w": [1.0, 1.0]}),
            {"lonely_psu": "drop"},
            "lonely_psu must be one of",
        ),
        (
            pd.DataFrame({"y": [1.0, 2.0, 3], "w": 1.0, "h": ["a", None, "a"]}),
            {"strata": "h"},
            "strata column 'h' is missing at row 1",
        ),
        (
            pd.DataFrame({"y": [1.0, 2.0, 3], "w": 1.0, "c": ["a", "b", None]}),
            {"psu": "c"},
            "psu column 'c' is missing at row 2",
        ),
        (
            pd.DataFrame({"y": [1.0, 2.0, 3], "w": 1.0, "N": [10, 11, 10]}),
            {"fpc": "N"},
            "constant within each stratum",
        ),
        (
            pd.DataFrame({"y": [1.0, 2.0, 3], "w": 1.0, "N": 2}),
            {"fpc": "N"},
            "population of 2; expected population counts >= sample counts",
        ),
        (
            pd.DataFrame({"y": [1.0, 2.0, 3], "w": 1.0, "N": [5, np.nan, 5]}),
            {"fpc": "N"},
            "fpc column 'N' must hold finite positive",
        ),
        (
            pd.DataFrame({"y": [1.0, 2.0], "w": 1.0, "c": ["a", "a"]}),
            {"psu": "c", "lonely_psu": "certainty"},
            "0 degrees of freedom",
        ),
    ],
)
def test_estimate_mean_errors(frame: pd.DataFrame, kwargs: dict, message: str) -> None:
    kwargs = {"weight": "w", **kwargs}
    with pytest.raises(EstimationError, match=message):
        estimate_mean(frame, "y", **kwargs)


def test_ratio_errors() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [0.0, 0.0, 0.0], "g": list("abc"), "w": 1.0})
    with pytest.raises(EstimationError, match="weighted sum of 'x' is zero"):
        estimate_ratio(df, "y", "x", "w")
    with pytest.raises(EstimationError, match="denominator 'g' must be numeric"):
        estimate_ratio(df, "y", "g", "w")
    with pytest.raises(EstimationError, match="numerator 'g' must be numeric"):
        estimate_ratio(df.assign(x=1.0), "g", "x", "w")


def test_domain_column_missing() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": 1.0})
    with pytest.raises(EstimationError, match=r"expected columns \['nbh'\]"):
        estimate_domain_means(df, "y", "nbh", "w")


def test_domain_with_only_missing_outcomes_is_kept_as_nan() -> None:
    df = pd.DataFrame({"y": [np.nan, np.nan, 1, 2, 3, 4.0], "d": list("aabbbb"), "w": 1.0})
    out = estimate_domain_means(df, "y", "d", "w")
    assert out["d"].tolist() == ["a", "b"]
    assert np.isnan(out[["value", "se", "lower", "upper"]].iloc[0]).all()
    assert out["n"].tolist() == [0, 4]
    assert out["df"].tolist() == [5, 5]  # the full design is kept
    assert out["value"].iloc[1] == pytest.approx(2.5)


def test_ratio_by_domain(apiclus1: pd.DataFrame) -> None:
    out = apiclus1.pipe(
        estimate_ratio, "api.stu", "enroll", weight="pw", psu="dnum", fpc="fpc", domain="stype"
    )
    for _, row in out.iterrows():
        sub = apiclus1[apiclus1["stype"] == row["stype"]]
        expected = (sub["pw"] * sub["api.stu"]).sum() / (sub["pw"] * sub["enroll"]).sum()
        assert row["value"] == pytest.approx(expected)
        assert row["lower"] < row["value"] < row["upper"]
