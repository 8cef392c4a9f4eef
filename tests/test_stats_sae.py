"""Fay-Herriot small-area estimation against R's `sae` 1.3 (`milk` data, Arora & Lahiri 1997)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, shared_data
from scipy import optimize

from barometer.exceptions import EstimationError
from barometer.stats.sae import AREA_COLUMNS, fit_fay_herriot

RTOL = 1e-6


@pytest.fixture(scope="module")
def milk() -> pd.DataFrame:
    df = pd.read_csv(shared_data("reference", "fay_herriot_milk", "milk.csv"))
    return df.assign(vardir=df["SD"] ** 2, MajorArea=df["MajorArea"].astype(str))


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(shared_data("reference", "fay_herriot_milk", "reference_reml_milk43.csv"))


def _fit(milk: pd.DataFrame, **kw):
    return fit_fay_herriot(milk, "yi", "vardir", ["MajorArea"], area="SmallArea", **kw)


def test_reml_refvar_and_beta_match_sae(milk: pd.DataFrame) -> None:
    fit = _fit(milk)
    assert fit.method == "REML"
    assert fit.refvar == pytest.approx(0.0185502223227, rel=RTOL)
    assert fit.beta["term"].tolist() == [
        "(Intercept)",
        "MajorArea2",
        "MajorArea3",
        "MajorArea4",
    ]
    np.testing.assert_allclose(
        fit.beta["estimate"], [0.9681889704, 0.1327801425, 0.2269462189, -0.2413010797], RTOL
    )
    np.testing.assert_allclose(
        fit.beta["se"], [0.06936208, 0.10300072, 0.09232981, 0.08161707], rtol=1e-6
    )


def test_reml_all_43_eblups_and_mses_match_sae(milk: pd.DataFrame, reference: pd.DataFrame) -> None:
    areas = _fit(milk).areas
    assert areas.columns.tolist() == AREA_COLUMNS
    assert areas["area"].tolist() == reference["SmallArea"].tolist()
    np.testing.assert_allclose(areas["eblup"], reference["eblup"], rtol=RTOL)
    np.testing.assert_allclose(areas["mse"], reference["mse"], rtol=RTOL)
    np.testing.assert_allclose(areas["value"], areas["eblup"])
    first = areas.iloc[[0, 1, 42]]
    np.testing.assert_allclose(first["eblup"], [1.0219703, 1.0476018, 0.6810870], atol=1e-7)
    np.testing.assert_allclose(first["mse"], [0.013460220, 0.005372876, 0.009903626], rtol=1e-6)
    assert (areas["method"] == "Fay-Herriot EBLUP (REML), Prasad-Rao MSE").all()
    np.testing.assert_allclose(areas["gamma"], 0.0185502223227 / (0.0185502223227 + milk.vardir))
    z = 1.959963984540054
    np.testing.assert_allclose(areas["upper"] - areas["eblup"], z * np.sqrt(areas["mse"]))
    assert not areas["synthetic"].any()


def test_design_matrix_gives_the_same_fit(milk: pd.DataFrame) -> None:
    x = pd.get_dummies(milk["MajorArea"], prefix="MA", dtype=float).iloc[:, 1:]
    x.insert(0, "const", 1.0)
    by_matrix = fit_fay_herriot(milk, "yi", "vardir", x)
    by_names = _fit(milk)
    np.testing.assert_allclose(by_matrix.areas["mse"], by_names.areas["mse"], rtol=1e-12)
    assert by_matrix.beta["term"].tolist() == ["const", "MA_2", "MA_3", "MA_4"]


def _neg_loglik(a: float, y: np.ndarray, x: np.ndarray, d: np.ndarray, reml: bool) -> float:
    v = a + d
    xtvx = x.T @ (x / v[:, None])
    beta = np.linalg.solve(xtvx, x.T @ (y / v))
    r = y - x @ beta
    value = 0.5 * (np.log(v).sum() + (r**2 / v).sum())
    if reml:
        value += 0.5 * np.linalg.slogdet(xtvx)[1]
    return float(value)


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_refvar_maximises_the_likelihood(milk: pd.DataFrame, method: str) -> None:
    fit = _fit(milk, method=method)
    x = pd.get_dummies(milk["MajorArea"], dtype=float).to_numpy()
    best = optimize.minimize_scalar(
        _neg_loglik,
        bounds=(1e-6, 0.2),
        method="bounded",
        args=(milk["yi"].to_numpy(), x, milk["vardir"].to_numpy(), method == "REML"),
        options={"xatol": 1e-10},
    )
    assert fit.refvar == pytest.approx(best.x, rel=1e-4)


def test_ml_mse_adds_the_bias_term(milk: pd.DataFrame) -> None:
    ml = _fit(milk, method="ML")
    assert ml.refvar < _fit(milk).refvar
    a, d = ml.refvar, milk["vardir"].to_numpy()
    x = pd.get_dummies(milk["MajorArea"], dtype=float).to_numpy()
    vi = 1 / (a + d)
    q = np.linalg.inv(x.T @ (vi[:, None] * x))
    b_d = d / (a + d)
    g1 = d * (1 - b_d)
    g2 = b_d**2 * np.einsum("ij,jk,ik->i", x, q, x)
    g3 = b_d**2 * (2 / (vi**2).sum()) / (a + d)
    bias = -np.trace(q @ (x.T @ ((vi**2)[:, None] * x))) / (vi**2).sum()
    np.testing.assert_allclose(ml.areas["mse"], g1 + g2 + 2 * g3 - bias * b_d**2, rtol=1e-12)
    assert (ml.areas["method"] == "Fay-Herriot EBLUP (ML), Datta-Lahiri MSE").all()


@pytest.mark.parametrize("method", ["ML", "FH"])
def test_ml_and_moments_fits_match_the_published_milk_values(milk: pd.DataFrame, method: str):
    """All 43 EBLUPs and MSEs (printed to 6-7 decimals in the reference, see the file)."""
    ref = pd.read_csv(FIXTURES / "fay_herriot_milk_ml_fh.csv", comment="#")
    areas = _fit(milk, method=method).areas
    tag = method.lower()
    # ML printed to 7 decimals (rounded); FH to 6 (truncated: 1.0179759 is listed as 1.017975)
    tol = 0.5e-7 if method == "ML" else 1e-6
    np.testing.assert_allclose(areas["eblup"], ref[f"{tag}_eblup"], rtol=0, atol=tol)
    np.testing.assert_allclose(areas["mse"], ref[f"{tag}_mse"], rtol=0, atol=1e-9)
    label = {"ML": "Datta-Lahiri", "FH": "Datta-Rao-Smith"}[method]
    assert (areas["method"] == f"Fay-Herriot EBLUP ({method}), {label} MSE").all()


def test_moments_estimator_solves_its_equation(milk: pd.DataFrame) -> None:
    """Fay & Herriot (1979): sum (y - x beta(A))^2 / (A + D) = m - p at the estimate."""
    fit = _fit(milk, method="FH", tol=1e-12)
    x = pd.get_dummies(milk["MajorArea"], dtype=float).to_numpy()
    y, d = milk["yi"].to_numpy(), milk["vardir"].to_numpy()
    v = fit.refvar + d
    beta = np.linalg.solve(x.T @ (x / v[:, None]), x.T @ (y / v))
    assert ((y - x @ beta) ** 2 / v).sum() == pytest.approx(len(y) - x.shape[1], rel=1e-9)
    sum_vi = (1 / v).sum()
    assert fit.refvar_se == pytest.approx(np.sqrt(2 * len(y) / sum_vi**2))


def test_area_without_direct_estimate_gets_synthetic_prediction(milk: pd.DataFrame) -> None:
    full = _fit(milk)
    holed = milk.copy()
    holed.loc[5, "yi"] = np.nan
    fit = _fit(holed, n="ni")
    row = fit.areas.loc[5]
    assert row["synthetic"] and row["gamma"] == 0.0
    beta = fit.beta.set_index("term")["estimate"]
    major = milk.loc[5, "MajorArea"]
    expected = beta["(Intercept)"] + (beta[f"MajorArea{major}"] if major != "1" else 0.0)
    assert row["value"] == pytest.approx(expected)
    assert row["mse"] > fit.refvar
    assert row["method"].startswith("Fay-Herriot synthetic")
    assert np.isnan(row["n_effective"]) and np.isnan(row["vardir"])
    assert fit.refvar != pytest.approx(full.refvar, rel=1e-9)  # fitted without area 6
    others = fit.areas.drop(index=5)
    assert (others["n_effective"] > holed["ni"].drop(index=5)).all()  # borrowing strength


def test_refvar_truncated_at_zero_gives_synthetic_eblups() -> None:
    df = pd.DataFrame({"y": [1.0, 1.01, 0.99, 1.0, 1.02, 0.98], "v": [1.0] * 6})
    fit = fit_fay_herriot(df, "y", "v", covariates=[])
    assert fit.refvar == 0.0
    np.testing.assert_allclose(fit.areas["eblup"], df["y"].mean())
    np.testing.assert_allclose(fit.areas["gamma"], 0.0)


def test_errors_name_the_problem(milk: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="expected columns \\['nope'\\]"):
        fit_fay_herriot(milk, "nope", "vardir", ["MajorArea"])
    with pytest.raises(EstimationError, match="expected covariate columns"):
        fit_fay_herriot(milk, "yi", "vardir", ["region"])
    with pytest.raises(EstimationError, match="method must be one of"):
        fit_fay_herriot(milk, "yi", "vardir", ["MajorArea"], method="GLS")  # type: ignore[arg-type]
    bad = milk.assign(vardir=milk["vardir"].where(milk.index != 3, -1.0))
    with pytest.raises(EstimationError, match=r"finite positive sampling variance.*row 3"):
        fit_fay_herriot(bad, "yi", "vardir", ["MajorArea"])
    with pytest.raises(EstimationError, match="did not converge in max_iter=1"):
        fit_fay_herriot(milk, "yi", "vardir", ["MajorArea"], max_iter=1)
    collinear = milk.assign(twice=milk["ni"] * 2.0)
    with pytest.raises(EstimationError, match="rank"):
        fit_fay_herriot(collinear, "yi", "vardir", ["ni", "twice"])
    with pytest.raises(EstimationError, match="more sampled areas than model terms"):
        fit_fay_herriot(milk.head(4), "yi", "vardir", ["ni", "CV"])
    with pytest.raises(EstimationError, match="same index"):
        fit_fay_herriot(milk, "yi", "vardir", pd.DataFrame({"c": [1.0] * 3}))
