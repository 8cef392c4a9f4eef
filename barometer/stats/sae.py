"""Small-area estimation with the Fay-Herriot area-level model.

Model (Fay & Herriot 1979): for area ``d``, the direct estimate ``y_d = theta_d + e_d`` with a
known sampling variance ``vardir_d = var(e_d)``, and ``theta_d = x_d' beta + u_d`` with
``u_d ~ N(0, A)``. ``A`` (``refvar``, sigma_u^2) is estimated exactly as R's ``sae::eblupFH`` /
``sae::mseFH`` (version 1.3), by REML or ML (Fisher scoring) or by Fay and Herriot's (1979)
moment equation ``sum_d (y_d - x_d' beta(A))^2 / (A + vardir_d) = m - p`` (method ``"FH"``,
updated by ``A += (lhs - (m - p)) / sum_d (A + vardir_d)^-1``): start at
``A_0 = median(vardir)``, stop when ``|A_{k+1} - A_k| / A_k < tol`` (or after ``max_iter``
steps) and truncate the final ``A`` at 0. Then ``beta`` is the GLS estimate at ``A`` with
standard errors ``sqrt(diag((X' V^-1 X)^-1))`` and the EBLUP is
``x_d' beta + gamma_d (y_d - x_d' beta)`` with shrinkage ``gamma_d = A / (A + vardir_d)``.

MSE (Prasad & Rao 1990; Datta & Lahiri 2000), with ``B_d = 1 - gamma_d``:

- ``g1 = vardir_d gamma_d``, ``g2 = B_d^2 x_d' (X' V^-1 X)^-1 x_d``,
  ``g3 = B_d^2 var(A) / (A + vardir_d)``;
- REML (Prasad & Rao 1990; Datta & Lahiri 2000): ``mse = g1 + g2 + 2 g3`` with
  ``var(A) = 2 / sum_d (A + vardir_d)^-2``;
- ML (Datta & Lahiri 2000): ``mse = g1 + g2 + 2 g3 - b B_d^2``, same ``var(A)``, with the ML
  bias ``b = -tr((X' V^-1 X)^-1 X' V^-2 X) / sum_d (A + vardir_d)^-2``;
- FH (Datta, Rao & Smith 2005): ``mse = g1 + g2 + 2 g3 - b B_d^2`` with
  ``var(A) = 2 m / (sum_d (A + vardir_d)^-1)^2`` and the moment estimator's bias
  ``b = 2 (m sum_d (A + vardir_d)^-2 - (sum_d (A + vardir_d)^-1)^2) / (sum_d (A + vardir_d)^-1)^3``
  (as ``sae::mseFH``).

Areas without a direct estimate (``y`` missing, covariates known) get the synthetic prediction
``x_d' beta`` with ``mse = A + x_d' (X' V^-1 X)^-1 x_d``: the limit of the formulas above as
``vardir_d -> infinity`` (``gamma_d = 0``, ``g1 = A``, ``g3 = 0``). It ignores the uncertainty
of ``A`` in the synthetic part, a second-order term.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError

FHMethod = Literal["REML", "ML", "FH"]
FH_METHODS = ("REML", "ML", "FH")
MSE_NAMES = {"REML": "Prasad-Rao", "ML": "Datta-Lahiri", "FH": "Datta-Rao-Smith"}
AREA_COLUMNS = [
    "area",
    "value",
    "se",
    "lower",
    "upper",
    "n_effective",
    "method",
    "direct",
    "vardir",
    "eblup",
    "mse",
    "gamma",
    "synthetic",
]


@dataclass(frozen=True)
class FayHerriotResult:
    """A fitted Fay-Herriot model.

    Attributes
    ----------
    method
        ``"REML"``, ``"ML"`` or ``"FH"``.
    refvar
        Estimated variance of the area effects, sigma_u^2 (truncated at 0).
    refvar_se
        Asymptotic standard error of ``refvar``: the ``sqrt(var(A))`` of the MSE formulas
        (ML, FH) or the inverse Fisher information of REML at the last iteration (as ``sae``).
    iterations
        Fisher-scoring steps taken.
    beta
        One row per term: ``term, estimate, se, z, p_value`` (normal reference, as ``sae``).
    areas
        One row per area, columns :data:`AREA_COLUMNS`: ``value`` is the EBLUP (or synthetic
        prediction), ``se = sqrt(mse)``, ``lower/upper`` a normal interval at ``level``,
        ``n_effective = n * vardir / mse`` when a sample-size column was given (the number of
        respondents a direct estimate with the EBLUP's precision would need), else NaN.
    """

    method: str
    refvar: float
    refvar_se: float
    iterations: int
    beta: pd.DataFrame
    areas: pd.DataFrame


def _design_matrix(
    direct: pd.DataFrame, covariates: Sequence[str] | pd.DataFrame, intercept: bool
) -> pd.DataFrame:
    """Numeric columns as they are; other columns treatment-coded (first sorted level = base)."""
    if isinstance(covariates, pd.DataFrame):
        if not covariates.index.equals(direct.index):
            raise EstimationError(
                "the covariate design matrix must have the same index as the direct estimates"
            )
        x = covariates.astype(float)
    else:
        missing = [c for c in covariates if c not in direct.columns]
        if missing:
            raise EstimationError(
                f"expected covariate columns {missing}; found {list(direct.columns)}"
            )
        parts = [pd.DataFrame({"(Intercept)": 1.0}, index=direct.index)] if intercept else []
        for name in covariates:
            col = direct[name]
            if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
                dummies = pd.get_dummies(col, prefix=name, prefix_sep="", dtype=float)
                if dummies.shape[1] == 0:
                    raise EstimationError(f"covariate '{name}' has no levels")
                parts.append(dummies.iloc[:, 1:] if intercept else dummies)
            else:
                parts.append(col.astype(float).to_frame())
        if not parts:
            raise EstimationError("expected at least one covariate or an intercept")
        x = pd.concat(parts, axis=1)
    values = x.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        row = x.index[int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])]
        raise EstimationError(f"covariates must be finite; area row {row!r} has a missing value")
    return x


def _fisher_scoring(
    y: np.ndarray, x: np.ndarray, vardir: np.ndarray, method: str, max_iter: int, tol: float
) -> tuple[float, float, int]:
    """``(A, information, iterations)`` by Fisher scoring, step for step as ``sae::eblupFH``."""
    a = float(np.median(vardir))
    diff, k, info = tol + 1.0, 0, np.nan
    while diff > tol and k < max_iter:
        k += 1
        vi = 1.0 / (a + vardir)
        xtvi = (vi[:, None] * x).T
        q = np.linalg.inv(xtvi @ x)
        p = np.diag(vi) - xtvi.T @ q @ xtvi
        py = p @ y
        if method == "REML":
            score = -0.5 * np.trace(p) + 0.5 * float(py @ py)
            info = 0.5 * float(np.sum(p * p.T))  # trace(P P)
        elif method == "ML":
            score = -0.5 * float(vi.sum()) + 0.5 * float(py @ py)
            info = 0.5 * float(np.sum(vi**2))
        else:  # Fay-Herriot moments: weighted residual sum of squares = m - p
            resid = y - x @ (q @ (xtvi @ y))
            score = float(np.sum(resid**2 * vi)) - (len(y) - x.shape[1])
            info = float(vi.sum())
        a_new = a + score / info
        if not np.isfinite(a_new):
            raise EstimationError(
                f"Fay-Herriot {method}: Fisher scoring diverged at step {k} (A = {a_new})"
            )
        diff = abs((a_new - a) / a) if a != 0 else np.inf
        a = a_new
    if diff > tol:
        raise EstimationError(
            f"Fay-Herriot {method}: sigma_u^2 did not converge in max_iter={max_iter} steps "
            f"(last relative change {diff:.3g} > tol={tol}); raise max_iter or check the "
            "sampling variances"
        )
    return max(float(a), 0.0), info, k


def fit_fay_herriot(
    direct: pd.DataFrame,
    y: str,
    vardir: str,
    covariates: Sequence[str] | pd.DataFrame,
    method: FHMethod = "REML",
    max_iter: int = 100,
    tol: float = 1e-4,
    area: str | None = None,
    n: str | None = None,
    intercept: bool = True,
    level: float = 0.95,
) -> FayHerriotResult:
    """Fit a Fay-Herriot model and predict every area (R: ``sae::mseFH``).

    Parameters
    ----------
    direct
        One row per area: the direct estimate ``y`` (NaN for areas without a sample), its
        sampling variance ``vardir`` (> 0; ignored where ``y`` is NaN) and the covariates.
    y, vardir
        Columns of the direct estimates and their sampling variances (squared SEs).
    covariates
        Column names (numeric columns enter as they are; string, categorical and boolean
        columns are treatment-coded with the first sorted level as baseline, like R's
        ``as.factor``), with an intercept unless ``intercept=False``. Or a ready design
        matrix: a numeric frame with the index of ``direct``, used as given.
    method
        ``"REML"`` (default, as ``sae``), ``"ML"`` or ``"FH"`` (moments); the MSE follows
        (Prasad-Rao, Datta-Lahiri, Datta-Rao-Smith; see the module docstring).
    max_iter, tol
        Fisher scoring stops when ``|A_{k+1} - A_k| / A_k < tol``; not converging in
        ``max_iter`` steps raises :class:`EstimationError`.
    area
        Column of area ids; ``None`` uses the index of ``direct``.
    n
        Optional column of respondents per area, for ``n_effective``.
    level
        Level of the normal intervals ``value +/- z sqrt(mse)``.

    Returns
    -------
    FayHerriotResult
        ``refvar``, ``beta`` (with SEs) and the tidy per-area frame ``areas``.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 1.2, 0.8, 1.1, 0.9, 1.3],
    ...                    "v": [0.02, 0.01, 0.03, 0.02, 0.01, 0.04]})
    >>> fit = fit_fay_herriot(df, "y", "v", covariates=[])
    >>> fit.areas.columns[:7].tolist()
    ['area', 'value', 'se', 'lower', 'upper', 'n_effective', 'method']
    """
    if method not in FH_METHODS:
        raise EstimationError(f"method must be one of {FH_METHODS}; got {method!r}")
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    missing = [c for c in (y, vardir, area, n) if c is not None and c not in direct.columns]
    if missing:
        raise EstimationError(f"expected columns {missing}; found {list(direct.columns)}")
    design = _design_matrix(direct, covariates, intercept)
    x_all = design.to_numpy(dtype=float)
    y_all = direct[y].to_numpy(dtype=float, na_value=np.nan)
    v_all = direct[vardir].to_numpy(dtype=float, na_value=np.nan)
    sampled = ~np.isnan(y_all)
    _check_sampled(direct, design, vardir, x_all[sampled], v_all, sampled)
    yv, xv, dv = y_all[sampled], x_all[sampled], v_all[sampled]
    a, info, iterations = _fisher_scoring(yv, xv, dv, method, max_iter, tol)

    vi = 1.0 / (a + dv)
    q = np.linalg.inv((vi[:, None] * xv).T @ xv)
    beta = q @ (xv.T @ (vi * yv))
    beta_frame = _coefficients(design, beta, q)
    eblup, mse, gamma, var_a = _eblup_and_mse(x_all, y_all, sampled, dv, vi, q, beta, a, method)

    zc = stats.norm.ppf(0.5 + level / 2.0)
    se = np.sqrt(mse)
    n_eff = _effective_n(direct, n, v_all, mse, sampled)
    label = f"Fay-Herriot EBLUP ({method}), {MSE_NAMES[method]} MSE"
    areas = pd.DataFrame(
        {
            "area": direct[area].to_numpy() if area is not None else direct.index.to_numpy(),
            "value": eblup,
            "se": se,
            "lower": eblup - zc * se,
            "upper": eblup + zc * se,
            "n_effective": n_eff,
            "method": np.where(sampled, label, f"Fay-Herriot synthetic x'beta ({method})"),
            "direct": y_all,
            "vardir": np.where(sampled, v_all, np.nan),
            "eblup": eblup,
            "mse": mse,
            "gamma": gamma,
            "synthetic": ~sampled,
        },
        index=direct.index,
    )
    refvar_se = float(np.sqrt(1.0 / info)) if method == "REML" else float(np.sqrt(var_a))
    return FayHerriotResult(method, a, refvar_se, iterations, beta_frame, areas[AREA_COLUMNS])


def _coefficients(design: pd.DataFrame, beta: np.ndarray, q: np.ndarray) -> pd.DataFrame:
    """The regression coefficients with SEs (``q``: their covariance), z and two-sided p."""
    beta_se = np.sqrt(np.diag(q))
    z = beta / beta_se
    return pd.DataFrame(
        {
            "term": list(design.columns.astype(str)),
            "estimate": beta,
            "se": beta_se,
            "z": z,
            "p_value": 2.0 * stats.norm.sf(np.abs(z)),
        }
    )


def _effective_n(
    direct: pd.DataFrame, n: str | None, v_all: np.ndarray, mse: np.ndarray, sampled: np.ndarray
) -> np.ndarray:
    """Respondents x sampling variance / MSE for sampled areas (the sample size the EBLUP is
    worth); NaN without an ``n`` column and for areas without a sample."""
    if n is None:
        return np.full(len(v_all), np.nan)
    n_eff = direct[n].to_numpy(dtype=float, na_value=np.nan) * v_all / mse
    return np.where(sampled, n_eff, np.nan)


def _check_sampled(
    direct: pd.DataFrame,
    design: pd.DataFrame,
    vardir: str,
    xv: np.ndarray,
    v_all: np.ndarray,
    sampled: np.ndarray,
) -> None:
    """Raise :class:`EstimationError` unless every sampled area has a finite positive sampling
    variance and the sampled areas' design has full rank and more rows than terms + 1."""
    bad = sampled & ~(np.isfinite(v_all) & (v_all > 0))
    if bad.any():
        row = direct.index[int(np.flatnonzero(bad)[0])]
        raise EstimationError(
            f"'{vardir}' must be a finite positive sampling variance for every area with a "
            f"direct estimate; area row {row!r} has {v_all[bad][0]}"
        )
    m, p = xv.shape
    if p and np.linalg.matrix_rank(xv) < p:
        raise EstimationError(
            f"the design matrix of the {m} sampled areas has rank "
            f"{np.linalg.matrix_rank(xv)} < {p} columns {list(design.columns)}; drop "
            "collinear covariates or merge factor levels without sampled areas"
        )
    if m <= p + 1:
        raise EstimationError(
            f"expected more sampled areas than model terms + 1; got {m} areas, {p} terms"
        )


def _eblup_and_mse(
    x_all: np.ndarray,
    y_all: np.ndarray,
    sampled: np.ndarray,
    dv: np.ndarray,
    vi: np.ndarray,
    q: np.ndarray,
    beta: np.ndarray,
    a: float,
    method: FHMethod,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(EBLUP, MSE, shrinkage gamma, the variance of the estimated ``A``) of every area: the
    EBLUP and the second-order MSE of the method for sampled areas (g1 + g2 + 2 g3, with the
    ML / FH bias terms), ``x'beta`` and ``A + x'Qx`` for the others."""
    xv, yv = x_all[sampled], y_all[sampled]
    m = len(yv)
    synthetic_pred = x_all @ beta
    xqx = np.einsum("ij,jk,ik->i", x_all, q, x_all)
    gamma = np.zeros(len(y_all))
    mse = a + xqx  # synthetic areas
    eblup = synthetic_pred.copy()
    sum_vi, sum_vi2 = float(vi.sum()), float(np.sum(vi**2))
    var_a = 2.0 * m / sum_vi**2 if method == "FH" else 2.0 / sum_vi2
    gam = a / (a + dv)
    b_d = 1.0 - gam
    g1 = dv * gam
    g2 = b_d**2 * xqx[sampled]
    g3 = b_d**2 * var_a / (a + dv)
    mse_s = g1 + g2 + 2.0 * g3
    if method == "ML":
        bias = -np.trace(q @ ((vi**2)[:, None] * xv).T @ xv) / sum_vi2
        mse_s = mse_s - bias * b_d**2
    elif method == "FH":
        bias = 2.0 * (m * sum_vi2 - sum_vi**2) / sum_vi**3
        mse_s = mse_s - bias * b_d**2
    gamma[sampled] = gam
    mse[sampled] = mse_s
    eblup[sampled] = synthetic_pred[sampled] + gam * (yv - synthetic_pred[sampled])
    return eblup, mse, gamma, var_a
