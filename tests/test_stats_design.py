"""SurveyDesign against R's survey package on the California API samples.

Every expected number is published R output, cited at the test; printed values are compared
to within half a unit of their last printed digit (``printed``). Sources (repository
``cran/survey``):

- ``tests/api.Rout.save``: ``example(api)`` (two-stage ``dclus2``, post-stratified ``dclus1p``
  and ``rclus1p``);
- ``tests/rakecheck.Rout.save``: ``rake`` and ``calibrate(calfun="raking")``;
- ``tests/caleg.Rout.save``: bounded and ratio calibration;
- ``tests/lonely.psu.Rout.save``: lonely PSUs;
- ``inst/doc/survey.tex`` and the vignette "A survey analysis example" as rendered by survey
  4.4 (August 2025): calibration to ``api99``, the new ``svyquantile``, ``svyglm``;
- ``http://r-survey.r-forge.r-project.org/survey/example-regression.html``: ``svyglm`` on
  ``dclus2`` (with-replacement two-stage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, shared_data
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats import ReplicateDesign, SurveyDesign
from barometer.stats._checks import RESULT_COLUMNS


def printed(text: str) -> object:
    """``pytest.approx`` of an R print-out, tolerance half a unit of its last digit."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return pytest.approx(float(text), abs=0.5 * 10.0**-decimals + 1e-9)


def _api(name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data("reference", "survey_api", name), dtype={"cds": str})


@pytest.fixture(scope="module")
def apipop() -> pd.DataFrame:
    return _api("apipop.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return _api("apiclus1.csv")


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return _api("apistrat.csv")


@pytest.fixture(scope="module")
def apiclus2(apipop: pd.DataFrame) -> pd.DataFrame:
    """R's apiclus2 rebuilt from apipop: the 126 sampled schools (fixture), ``fpc1`` = 757
    districts, ``fpc2`` = the district's schools, ``pw`` = 757/40 * fpc2 / sampled schools."""
    rows = []
    for line in (FIXTURES / "apiclus2_snum.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            dnum, schools = line.split(":")
            rows += [(int(dnum), int(s)) for s in schools.split()]
    sample = pd.DataFrame(rows, columns=["dnum", "snum"])
    out = sample.merge(apipop, on=["dnum", "snum"], how="left", validate="1:1")
    assert len(out) == 126 and out["api00"].notna().all()
    out["fpc1"] = 757.0
    out["fpc2"] = out["dnum"].map(apipop.groupby("dnum").size()).astype(float)
    out["pw"] = 757 / 40 * out["fpc2"] / out["dnum"].map(out.groupby("dnum").size())
    return out


@pytest.fixture(scope="module")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apiclus1, ids="dnum", weights="pw", fpc="fpc")


def _one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


# ---- two-stage designs (api.Rout.save) ---------------------------------------------------


def test_two_stage_cluster_sample_with_both_fpcs(apiclus2: pd.DataFrame) -> None:
    # dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)
    d = SurveyDesign(apiclus2, ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    np.testing.assert_allclose(d.weights, apiclus2["pw"], rtol=1e-12)  # weights from the fpcs
    mean = _one(d.mean("api00"))
    assert mean["value"] == printed("670.81") and mean["se"] == printed("30.099")
    total = _one(d.total("enroll"))
    assert total["value"] == printed("2639273") and total["se"] == printed("799638")
    assert mean["df"] == 39  # 40 districts, one stratum
    # the second-stage term is what makes 30.099: the first stage alone is smaller
    first = SurveyDesign(apiclus2, ids="dnum", weights="pw", fpc="fpc1")
    assert _one(first.mean("api00"))["se"] < mean["se"] - 0.1


def test_two_stage_with_replacement(apiclus2: pd.DataFrame) -> None:
    # dclus2wr <- svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)
    d = SurveyDesign(apiclus2, ids=["dnum", "snum"], weights="pw")
    assert _one(d.mean("api00"))["se"] == printed("30.712")
    assert _one(d.total("enroll"))["se"] == printed("820261")


def test_svyglm_on_the_two_stage_sample(apiclus2: pd.DataFrame) -> None:
    # summary(svyglm(api00 ~ ell + meals + mobility, design = dclus2)) (example-regression)
    d = SurveyDesign(apiclus2, ids=["dnum", "snum"], weights="pw")
    out = d.glm("api00 ~ ell + meals + mobility").set_index("variable")
    for term, est, se in [
        ("Intercept", "811.4907", "30.8795"),
        ("ell", "-2.0592", "1.4075"),
        ("meals", "-1.7772", "1.1053"),
        ("mobility", "0.3253", "0.5305"),
    ]:
        assert out.loc[term, "value"] == printed(est)
        assert out.loc[term, "se"] == printed(se)
    assert (out["df"] == 39 - 4 + 1).all()
    means = d.glm("api00 ~ stype - 1").set_index("variable")
    assert means["value"].round(2).tolist() == [692.81, 598.34, 642.35]
    assert means["se"].round(2).tolist() == [30.28, 16.96, 45.34]


# ---- calibration (api.Rout.save, rakecheck, caleg, vignette) ------------------------------


def test_poststratified_total_uses_the_calibration_residuals(
    dclus1: SurveyDesign, apipop: pd.DataFrame
) -> None:
    # dclus1p <- postStratify(dclus1, ~stype, pop.types)
    ps = dclus1.poststratify("stype", apipop.groupby("stype").size())
    mean, total = _one(ps.mean("api00")), _one(ps.total("enroll"))
    assert mean["value"] == printed("642.31")
    # R 2.6 printed 23.921 (>= 23.9205); this is 23.92049: 1e-6 relative, across the edge
    assert mean["se"] == pytest.approx(23.9205, rel=2e-6)
    assert total["value"] == printed("3680893") and total["se"] == printed("406293")
    assert "linear calibrated" in total["method"]
    counts = ps.total("stype")
    np.testing.assert_allclose(counts["value"], [4421, 755, 1018], rtol=1e-12)
    assert counts["se"].max() < 1e-6  # calibrated totals are known: no sampling error


def test_raking_two_margins(dclus1: SurveyDesign) -> None:
    # dclus1r <- rake(dclus1, list(~stype,~sch.wide), list(pop.types, pop.schwide))
    raked = dclus1.rake({"stype": {"E": 4421, "H": 755, "M": 1018},
                         "sch.wide": {"No": 1072, "Yes": 5122}})  # fmt: skip
    assert _one(raked.mean("api00"))["value"] == printed("641.23")
    assert _one(raked.mean("api00"))["se"] == printed("23.704")
    # rake stops at a weight change < 1 (3647300); calibrate(calfun="raking") converged
    total = _one(raked.total("enroll"))
    assert total["value"] == printed("3647280") and total["se"] == printed("400603")
    same = dclus1.calibrate("~ stype + Q('sch.wide')", [6194, 755, 1018, 5122], "raking")
    np.testing.assert_allclose(same.weights, raked.weights, rtol=1e-7)


def test_linear_calibration_to_api99(dclus1: SurveyDesign) -> None:
    # gclus1 <- calibrate(dclus1, formula=~api99, population=c(6194, 3914069))
    g = dclus1.calibrate("~ api99", {"(Intercept)": 6194, "api99": 3914069})
    mean = _one(g.mean("api00"))
    assert mean["value"] == printed("666.72") and mean["se"] == printed("3.2959")
    types = g.total("stype")
    assert types["value"].round(2).tolist() == [4881.77, 463.35, 848.88]
    assert types["se"].round(2).tolist() == [302.15, 183.03, 194.76]
    total = _one(g.total("enroll"))
    assert total["value"] == printed("3357372") and total["se"] == printed("243227")
    ratio = _one(g.ratio("api.stu", "enroll"))
    assert ratio["value"] == printed("0.8506941") and ratio["se"] == printed("0.008674888")


def test_bounded_and_ratio_calibration(
    dclus1: SurveyDesign, apistrat: pd.DataFrame, apipop: pd.DataFrame
) -> None:
    pop = [6194, apipop["enroll"].sum()]
    free = dclus1.calibrate("~ enroll", pop)
    g = free.weights / dclus1.weights
    assert g.min() == printed("0.7906782") and g.max() == printed("1.7891164")
    bounded = dclus1.calibrate("~ enroll", pop, bounds=(0.6, 1.5))
    g = bounded.weights / dclus1.weights
    assert g.min() == printed("0.7198751") and g.max() == printed("1.5000000")
    # dstratg <- calibrate(dstrat, ~enroll-1, total.enroll, variance=1): the ratio estimator
    dstrat = SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc")
    ratio = dstrat.calibrate("~ enroll - 1", [apipop["enroll"].sum()], variance="enroll")
    total = _one(ratio.total("api.stu"))
    assert total["value"] == printed("3190038") and total["se"] == printed("29566")


def test_logit_calibration_keeps_factors_inside_the_bounds(dclus1: SurveyDesign) -> None:
    g = dclus1.calibrate("~ api99", [6194, 3914069], calfun="logit", bounds=(0.5, 2.0))
    factor = g.weights / dclus1.weights
    assert factor.min() > 0.5 and factor.max() < 2.0
    assert g.weights.sum() == pytest.approx(6194, rel=1e-9)
    assert (g.weights * dclus1.data["api99"]).sum() == pytest.approx(3914069, rel=1e-9)
    linear = dclus1.calibrate("~ api99", [6194, 3914069])
    # same calibration equations: the estimates agree to first order
    assert _one(g.mean("api00"))["value"] == pytest.approx(
        _one(linear.mean("api00"))["value"], abs=1.0
    )


# ---- quantiles (vignette, survey 4.4) -----------------------------------------------------


@pytest.mark.parametrize(
    ("calibrated", "expected"),
    [
        (False, [("552", "492", "627", "31.47166"), ("652", "561", "714", "35.66788"),
                 ("719", "696", "777", "18.88300")]),
        (True, [("595", "561", "627", "15.386145"), ("684", "664", "698", "7.926196"),
                ("737", "722", "759", "8.625566")]),
    ],
)  # fmt: skip
def test_svyquantile_woodruff(dclus1: SurveyDesign, calibrated: bool, expected) -> None:
    # svyquantile(~api00, dclus1 (or gclus1), quantile=c(0.25,0.5,0.75), ci=TRUE)
    design = dclus1.calibrate("~ api99", [6194, 3914069]) if calibrated else dclus1
    out = design.quantile("api00", [0.25, 0.5, 0.75])
    assert out["category"].tolist() == ["q0.25", "q0.5", "q0.75"]
    for (_, row), (value, lower, upper, se) in zip(out.iterrows(), expected, strict=True):
        assert row["value"] == printed(value)
        assert row["lower"] == printed(lower) and row["upper"] == printed(upper)
        assert row["se"] == printed(se)


def test_quantile_rules_on_a_small_sample() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": 1.0})
    d = SurveyDesign(df, weights="w")
    assert d.quantile("y", 0.5)["value"].item() == 2.0  # F(2) = 0.5 exactly: math rule
    assert d.quantile("y", 0.5, qrule="school")["value"].item() == 2.5
    assert d.quantile("y", 0.51)["value"].item() == 3.0
    assert d.quantile("y", 0.0)["value"].item() == 1.0


# ---- regression (vignette) ------------------------------------------------------------------


def test_svyglm_gaussian_and_quasibinomial(apiclus1: pd.DataFrame) -> None:
    data = apiclus1.assign(wide=(apiclus1["sch.wide"] == "Yes").astype(float))
    d = SurveyDesign(data, ids="dnum", weights="pw", fpc="fpc")
    reg = d.glm("api00 ~ ell + meals").set_index("variable")
    for term, est, se in [("Intercept", "817.1823", "18.6709"), ("ell", "-0.5088", "0.3259"),
                          ("meals", "-3.1456", "0.3018")]:  # fmt: skip
        assert reg.loc[term, "value"] == printed(est) and reg.loc[term, "se"] == printed(se)
    logit = d.glm("wide ~ ell + meals", family="quasibinomial").set_index("variable")
    for term, est, se in [("Intercept", "1.899557", "0.509915"), ("ell", "0.039925", "0.012443"),
                          ("meals", "-0.019115", "0.008825")]:  # fmt: skip
        assert logit.loc[term, "value"] == printed(est) and logit.loc[term, "se"] == printed(se)
    t = stats.t.ppf(0.975, 14 - 3 + 1)
    row = logit.loc["ell"]
    assert row["upper"] - row["value"] == pytest.approx(t * row["se"])


def test_glm_by_domain_fits_each_domain(apistrat: pd.DataFrame) -> None:
    d = SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc")
    out = d.by("stype").glm("api00 ~ ell")
    assert out.columns.tolist() == ["stype", *RESULT_COLUMNS]
    for stype, part in out.groupby("stype"):
        sub = apistrat[apistrat["stype"] == stype]
        x = np.column_stack([np.ones(len(sub)), sub["ell"]])
        w = sub["pw"].to_numpy()
        beta = np.linalg.solve(x.T @ (w[:, None] * x), x.T @ (w * sub["api00"]))
        np.testing.assert_allclose(part["value"], beta, rtol=1e-8)


# ---- lonely PSUs (lonely.psu.Rout.save) ----------------------------------------------------


@pytest.mark.parametrize(
    ("lonely", "se"),
    [("remove", "5.8058"), ("certainty", "5.8058"), ("adjust", "5.8281"), ("average", "6.0096")],
)
def test_lonely_psu_options(apiclus1: pd.DataFrame, lonely: str, se: str) -> None:
    # ds <- svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1); dnum 413 has 1 school
    d = SurveyDesign(apiclus1, strata="dnum", weights="pw", lonely_psu=lonely)  # type: ignore[arg-type]
    assert _one(d.mean("api00"))["se"] == printed(se)


def test_lonely_psu_fails_unless_fully_sampled(apiclus1: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="stratum 413 has only one PSU at stage 1"):
        SurveyDesign(apiclus1, strata="dnum", weights="pw")
    full = apiclus1.assign(N=np.where(apiclus1["dnum"] == 413, 1, 1000))
    d = SurveyDesign(full, strata="dnum", weights="pw", fpc="N")  # 413 sampled completely
    assert _one(d.mean("api00"))["se"] == printed("5.7344")


# ---- replicate designs ---------------------------------------------------------------------


def test_jk1_replicates_and_their_calibration(dclus1: SurveyDesign, apipop: pd.DataFrame) -> None:
    rclus1 = dclus1.replicates("JK1")
    assert isinstance(rclus1, ReplicateDesign)
    assert rclus1.replicate_weights.shape == (183, 15) and rclus1.degf == 14
    dropped = rclus1.replicate_weights == 0
    assert (dropped.sum(axis=1) == 1).all()
    assert _one(rclus1.mean("api00"))["se"] == pytest.approx(26.3293605895, rel=1e-6)  # REFERENCE
    assert _one(rclus1.total("enroll"))["se"] == printed("932235")  # api.Rout.save
    # rclus1p <- postStratify(rclus1, ~stype, pop.types) (api.Rout.save)
    rp = rclus1.poststratify("stype", apipop.groupby("stype").size())
    # R 2.6 printed 26.934 (< 26.9345); this is 26.934535: 1e-6 relative, across the edge
    assert _one(rp.mean("api00"))["se"] == pytest.approx(26.9345, rel=2e-6)
    assert _one(rp.total("enroll"))["se"] == printed("473431")
    # rclus1g <- calibrate(rclus1, ~stype+sch.wide, poptotals, calfun="raking") (rakecheck)
    rg = rclus1.calibrate("~ stype + Q('sch.wide')", [6194, 755, 1018, 5122], "raking")
    assert _one(rg.mean("api00"))["se"] == printed("26.874")
    assert _one(rg.total("enroll"))["se"] == printed("463582")
    # replicates of a calibrated design are calibrated too
    via = dclus1.poststratify("stype", apipop.groupby("stype").size()).replicates("JK1")
    assert _one(via.total("enroll"))["se"] == pytest.approx(_one(rp.total("enroll"))["se"])


def test_jkn_and_brr_equal_the_linearised_variance_of_a_total(apistrat: pd.DataFrame) -> None:
    """For a total (a linear statistic) the stratified jackknife and fully balanced BRR
    reproduce the with-replacement linearisation variance exactly (Wolter 2007, ch. 3-4)."""
    d = SurveyDesign(apistrat, strata="stype", weights="pw")
    linear = _one(d.total("enroll"))["se"]
    jkn = d.replicates("JKn")
    assert jkn.degf == d.degf == 197
    assert _one(jkn.total("enroll"))["se"] == pytest.approx(linear, rel=1e-10)
    pairs = apistrat.assign(pair=np.repeat(np.arange(100), 2))
    paired = SurveyDesign(pairs, strata="pair", weights="pw")
    brr = paired.replicates("BRR")
    assert brr.replicate_weights.shape[1] == 128 and brr.degf == 100
    expected = _one(paired.total("enroll"))["se"]
    assert _one(brr.total("enroll"))["se"] == pytest.approx(expected, rel=1e-10)
    fay = paired.replicates("BRR", fay_rho=0.5)
    assert _one(fay.total("enroll"))["se"] == pytest.approx(expected, rel=1e-10)
    # nonlinear statistics: close, not equal
    assert _one(brr.mean("api00"))["se"] == pytest.approx(
        _one(paired.mean("api00"))["se"], rel=0.05
    )


def test_jkn_with_fpc_matches_r(apistrat: pd.DataFrame) -> None:
    # svymean(~api00, as.svrepdesign(dstrat)) is JKn with the fpc in rscales: for a mean of a
    # stratified SRS the jackknife equals the linearised 9.40894080278 (REFERENCE.md)
    d = SurveyDesign(apistrat, strata="stype", weights="pw", fpc="fpc")
    assert _one(d.replicates("JKn").mean("api00"))["se"] == pytest.approx(9.40894080278, 1e-6)


def test_bootstrap_and_mse(apistrat: pd.DataFrame) -> None:
    d = SurveyDesign(apistrat, strata="stype", weights="pw")
    boot = d.replicates("bootstrap", n_replicates=2000, seed=11)
    linear = _one(d.total("enroll"))["se"]
    # Rao-Wu bootstrap variance of a total is unbiased for the linearised variance; with 2000
    # replicates its relative sd is about sqrt(2 / 2000) = 3%
    assert _one(boot.total("enroll"))["se"] == pytest.approx(linear, rel=0.12)
    again = d.replicates("bootstrap", n_replicates=2000, seed=11)
    np.testing.assert_array_equal(boot.replicate_weights, again.replicate_weights)
    jk = SurveyDesign(apistrat.iloc[:60], weights="pw").replicates("JK1")
    mse = SurveyDesign(apistrat.iloc[:60], weights="pw").replicates("JK1", mse=True)
    se, se_mse = _one(jk.mean("api00"))["se"], _one(mse.mean("api00"))["se"]
    theta = np.array([(r * jk.data["api00"]).sum() / r.sum() for r in jk.replicate_weights.T])
    full = (jk.weights * jk.data["api00"]).sum() / jk.weights.sum()
    assert se_mse**2 == pytest.approx(59 / 60 * ((theta - full) ** 2).sum())
    assert se**2 == pytest.approx(59 / 60 * ((theta - theta.mean()) ** 2).sum())
    assert se_mse >= se


# ---- intervals, domains, errors ------------------------------------------------------------


def test_normal_intervals(dclus1: SurveyDesign) -> None:
    t_row = _one(dclus1.mean("api00"))
    z_row = _one(dclus1.with_interval("normal").mean("api00"))
    assert t_row["se"] == z_row["se"]
    assert np.isinf(z_row["df"])
    assert z_row["upper"] - z_row["value"] == pytest.approx(stats.norm.ppf(0.975) * z_row["se"])
    assert t_row["upper"] - t_row["value"] == pytest.approx(stats.t.ppf(0.975, 14) * t_row["se"])
    explicit = SurveyDesign(dclus1.data, ids="dnum", weights="pw", fpc="fpc", interval="normal")
    assert _one(explicit.mean("api00"))["upper"] == z_row["upper"]


def test_by_gives_the_same_estimators_per_domain(dclus1: SurveyDesign) -> None:
    # svyby(~ell+meals, ~stype, dclus1, svymean) (vignette)
    out = dclus1.by("stype").mean(["ell", "meals"])
    assert out["stype"].tolist() == ["E", "H", "M"] * 2
    np.testing.assert_allclose(
        out["se"], [1.411617, 5.347065, 2.952862, 7.070399, 5.912262, 6.017110], rtol=1e-6
    )
    q = dclus1.by("stype").quantile("api00", 0.5)
    for _, row in q.iterrows():
        sub = dclus1.data[dclus1.data["stype"] == row["stype"]]
        alone = SurveyDesign(sub, weights="pw").quantile("api00", 0.5)
        assert row["value"] == alone["value"].item()  # the point estimate is the domain's own


def test_design_errors(apiclus1: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="appears in more than one stratum"):
        SurveyDesign(apiclus1, ids="cnum", strata="stype", weights="pw")
    with pytest.raises(EstimationError, match="JK1 is for unstratified designs"):
        SurveyDesign(apiclus1, strata="stype", weights="pw").replicates("JK1")
    with pytest.raises(EstimationError, match="BRR needs exactly 2 PSUs"):
        SurveyDesign(apiclus1, strata="stype", weights="pw").replicates("BRR")
    d = SurveyDesign(apiclus1, ids="dnum", weights="pw", fpc="fpc")
    with pytest.raises(EstimationError, match="population totals are missing"):
        d.calibrate("~ api99", {"api99": 1.0})
    with pytest.raises(EstimationError, match=r"gives \d+ weights <= 0"):
        d.calibrate("~ api99", [6194, 1.0])
    with pytest.raises(EstimationError, match="did not converge"):
        d.calibrate("~ api99", [6194, 1.0], calfun="raking", maxit=5)
    with pytest.raises(EstimationError, match="qrule must be one of"):
        d.quantile("api00", 0.5, qrule="hf7")
    with pytest.raises(EstimationError, match="quantiles must be probabilities"):
        d.quantile("api00", 1.5)
    with pytest.raises(EstimationError, match="family must be one of"):
        d.glm("api00 ~ ell", family="gamma")
    with pytest.raises(EstimationError, match="has respondents but a population of 0"):
        d.poststratify("stype", {"E": 1.0, "H": 0.0, "M": 1.0})


# ---- properties ----------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_psu=st.integers(3, 12))
def test_two_stage_variance_equals_the_textbook_formula(seed: int, n_psu: int) -> None:
    """Unbiased two-stage estimator (Cochran 1977, eq. 11.24 / Lohr 2019, eq. 5.21):
    V = N^2 (1 - n/N) s_t^2 / n + N/n sum_i M_i^2 (1 - m_i/M_i) s_i^2 / m_i."""
    rng = np.random.default_rng(seed)
    big_n = n_psu * 4
    sizes = rng.integers(3, 9, n_psu)  # M_i
    sampled = np.array([rng.integers(2, m + 1) for m in sizes])  # m_i
    rows = []
    for i, (m_big, m) in enumerate(zip(sizes, sampled, strict=True)):
        for j in range(m):
            rows.append((i, j, m_big, rng.normal(10 + i, 2)))
    df = pd.DataFrame(rows, columns=["psu", "ssu", "M", "y"]).assign(N=float(big_n))
    d = SurveyDesign(df, ids=["psu", "ssu"], fpc=["N", "M"])
    got = _one(d.total("y"))
    totals = df.groupby("psu").apply(lambda g: g["M"].iloc[0] * g["y"].mean(), include_groups=False)
    within = df.groupby("psu").apply(
        lambda g: g["M"].iloc[0] ** 2 * (1 - len(g) / g["M"].iloc[0]) * g["y"].var() / len(g),
        include_groups=False,
    )
    v = big_n**2 * (1 - n_psu / big_n) * totals.var() / n_psu + big_n / n_psu * within.sum()
    assert got["value"] == pytest.approx(big_n / n_psu * totals.sum())
    assert got["se"] == pytest.approx(np.sqrt(v), rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_poststratified_mean_variance_is_the_residual_variance(seed: int) -> None:
    """Post-stratified SRS (Sarndal et al. 1992, eq. 7.6.7): the linearised variance of the
    mean uses the deviations from the post-stratum means."""
    rng = np.random.default_rng(seed)
    n = 80
    cells = rng.choice(["a", "b", "c"], n)
    y = rng.normal(0, 1, n) + np.select([cells == "a", cells == "b"], [5.0, -3.0], 0.0)
    df = pd.DataFrame({"cell": cells, "y": y, "w": 10.0})
    pop = {"a": 300.0, "b": 250.0, "c": 250.0}
    if len(set(cells)) < 3:
        return
    ps = SurveyDesign(df, weights="w").poststratify("cell", pop)
    got = _one(ps.mean("y"))
    means = df.groupby("cell")["y"].mean()
    resid = df["y"] - df["cell"].map(means)
    g = df["cell"].map({k: v / (10.0 * (cells == k).sum()) for k, v in pop.items()})
    z = 10.0 * g * resid / 800.0
    expected = n / (n - 1) * ((z - z.mean()) ** 2).sum()
    assert got["value"] == pytest.approx(sum(pop[k] * means[k] for k in pop) / 800.0)
    assert got["se"] == pytest.approx(np.sqrt(expected), rel=1e-9)
