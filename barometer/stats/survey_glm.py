"""Design-weighted generalised linear models (R: ``svyglm``).

Coefficients maximise the weighted (pseudo-)likelihood: a GLM fitted by statsmodels with the
sampling weights as variance weights. Their design-based variance is the sandwich
``A^-1 V A^-1`` (Binder 1983): ``A = X' diag(w V(mu)) X`` the weighted information and ``V``
the design variance of the estimating-function totals ``sum_i w_i x_i (y_i - mu_i)``; as in R,
the influence values ``z_i = A^-1 w_i x_i (y_i - mu_i)`` go through the design's variance
machinery (strata, clusters, stages, calibration). Links are canonical: identity (gaussian),
logit (binomial / quasibinomial), log (poisson / quasipoisson); the quasi families give the
same coefficients and design-based standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm

from barometer.exceptions import EstimationError

Family = Literal["gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson"]
FAMILIES = ("gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson")


@dataclass(frozen=True)
class ModelData:
    """Response and model matrix of a formula; rows with a missing value are unused."""

    y: np.ndarray  # (n,) 0 where unused
    x: np.ndarray  # (n, p) 0 where unused
    terms: list[str]
    used: np.ndarray  # (n,) bool
    response: str


def model_data(data: pd.DataFrame, formula: str) -> ModelData:
    """Evaluate ``formula`` (patsy / R syntax, e.g. ``"api00 ~ ell + meals"``) on ``data``."""
    try:
        y, x = patsy.dmatrices(formula, data, return_type="dataframe")
    except patsy.PatsyError as exc:
        raise EstimationError(f"cannot evaluate the model formula {formula!r}: {exc}") from exc
    if y.shape[1] != 1:
        raise EstimationError(
            f"the model formula {formula!r} must have one numeric or 0/1 response column; "
            f"got {list(y.columns)} (write a factor response as I(column == 'level'))"
        )
    positions = data.index.get_indexer(y.index)
    used = np.zeros(len(data), dtype=bool)
    used[positions] = True
    full_y = np.zeros(len(data))
    full_y[positions] = y.iloc[:, 0].to_numpy(dtype=float)
    full_x = np.zeros((len(data), x.shape[1]))
    full_x[positions] = x.to_numpy(dtype=float)
    return ModelData(full_y, full_x, [str(c) for c in x.columns], used, str(y.columns[0]))


def _family(name: str) -> sm.families.Family:
    if name not in FAMILIES:
        raise EstimationError(f"family must be one of {FAMILIES}; got {name!r}")
    if name == "gaussian":
        return sm.families.Gaussian()
    if name.endswith("binomial"):
        return sm.families.Binomial()
    return sm.families.Poisson()


def variance_function(name: str, mu: np.ndarray) -> np.ndarray:
    """``V(mu)`` of the family (1, ``mu (1 - mu)`` or ``mu``)."""
    if name == "gaussian":
        return np.ones_like(mu)
    if name.endswith("binomial"):
        return mu * (1.0 - mu)
    return mu


def fit_coefficients(model: ModelData, weights: np.ndarray, family: str) -> np.ndarray:
    """Weighted GLM coefficients (``weights`` 0 for rows outside the domain)."""
    keep = model.used & (weights > 0)
    if keep.sum() <= model.x.shape[1]:
        raise EstimationError(
            f"the model has {model.x.shape[1]} coefficients but only {int(keep.sum())} rows "
            "with data and positive weight"
        )
    y = model.y[keep]
    if family.endswith("binomial") and ((y < 0) | (y > 1)).any():
        raise EstimationError(
            f"a binomial response must lie in [0, 1]; '{model.response}' does not"
        )
    if family.endswith("poisson") and (y < 0).any():
        raise EstimationError(f"a poisson response must be >= 0; '{model.response}' is not")
    x = model.x[keep]
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise EstimationError(
            f"the model matrix {model.terms} is rank deficient in these rows; drop collinear "
            "terms or levels without data"
        )
    w = weights[keep] / weights[keep].mean()
    fitted = sm.GLM(y, x, family=_family(family), var_weights=w).fit()
    return np.asarray(fitted.params, dtype=float)


def coefficient_influence(
    model: ModelData, weights: np.ndarray, family: str, beta: np.ndarray
) -> np.ndarray:
    """Influence values of the coefficients (n x p), zero for unused rows."""
    w = np.where(model.used, weights, 0.0)
    eta = model.x @ beta
    mu = _family(family).link.inverse(eta)
    info = (model.x * (w * variance_function(family, mu))[:, None]).T @ model.x
    score = model.x * (w * (model.y - mu))[:, None]
    return score @ np.linalg.inv(info)
