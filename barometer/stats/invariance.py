"""Measurement invariance of a scale across groups: configural, metric and scalar multi-group
confirmatory factor analysis (maximum likelihood, as lavaan's ``cfa(..., group=)``).

Model per group ``g``: items ``y = nu_g + Lambda_g eta + e`` with factor covariance ``Phi_g``,
diagonal residual variances ``Theta_g`` and factor means ``kappa_g``; the first item of each
factor is its marker (loading 1). The three nested models:

- ``configural``: the same pattern of loadings, every parameter free per group (factor means 0);
- ``metric``: loadings equal across groups;
- ``scalar``: loadings and intercepts equal; factor means free except in the first group (0).

Fit: ``F = sum_g (n_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p +
(m_g - mu_g)' Sigma_g^-1 (m_g - mu_g)]`` with ``S_g`` the covariance with divisor ``n_g``;
``chisq = N F``. Fit indices as lavaan: CFI against the independence model (free means and
variances per group), ``RMSEA = sqrt(max(0, (chisq - df) / (df N))) sqrt(G)``.

Decision (Cheung & Rensvold 2002; Chen 2007): configural invariance holds when its
``CFI >= min_cfi`` (0.90); metric and scalar invariance hold when the level below holds and
CFI drops by at most ``max_delta_cfi`` (0.01). Group comparisons of scale means are only
meaningful under scalar invariance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from barometer.exceptions import EstimationError

LEVELS = ("configural", "metric", "scalar")
INVARIANCE_COLUMNS = ["groups", "level", "holds", "cfi", "rmsea", "delta_cfi", "n"]


@dataclass(frozen=True)
class _Moments:
    n: np.ndarray  # (G,)
    mean: np.ndarray  # (G, p)
    cov: np.ndarray  # (G, p, p), divisor n
    logdet: np.ndarray  # (G,) log|S_g|


@dataclass(frozen=True)
class _Layout:
    """Where each parameter of the packed vector lives."""

    loads: np.ndarray  # (G or 1, n_free_loadings) index into theta
    phi: np.ndarray  # (G, n_phi)
    theta: np.ndarray  # (G, p)
    nu: np.ndarray  # (G or 1, p)
    kappa: np.ndarray  # (G, k) -1 where fixed at 0
    size: int


def _moments(data: pd.DataFrame, items: list[str], group: str) -> tuple[_Moments, list[str]]:
    labels = sorted(data[group].dropna().unique().tolist(), key=str)
    if len(labels) < 2:
        raise EstimationError(f"invariance needs >= 2 groups in '{group}'; got {labels}")
    n, mean, cov = [], [], []
    for label in labels:
        block = data.loc[data[group] == label, items].dropna().to_numpy(dtype=float)
        if len(block) <= len(items):
            raise EstimationError(
                f"group {label!r} has {len(block)} complete answers to {len(items)} items; "
                "expected more answers than items"
            )
        centred = block - block.mean(axis=0)
        n.append(len(block))
        mean.append(block.mean(axis=0))
        cov.append(centred.T @ centred / len(block))
    covs = np.array(cov)
    logdet = np.array([np.linalg.slogdet(c)[1] for c in covs])
    return _Moments(np.array(n, float), np.array(mean), covs, logdet), [str(x) for x in labels]


def _layout(n_groups: int, p: int, k: int, n_free_loads: int, level: str) -> _Layout:
    counter = iter(range(10**6))

    def block(rows: int, cols: int) -> np.ndarray:
        return np.array([[next(counter) for _ in range(cols)] for _ in range(rows)], dtype=int)

    loads = block(1 if level in ("metric", "scalar") else n_groups, n_free_loads)
    phi = block(n_groups, k * (k + 1) // 2)
    theta = block(n_groups, p)
    nu = block(1 if level == "scalar" else n_groups, p)
    kappa = np.full((n_groups, k), -1, dtype=int)
    if level == "scalar":
        kappa[1:] = block(n_groups - 1, k)
    return _Layout(loads, phi, theta, nu, kappa, next(counter))


def _parts(
    params: np.ndarray, layout: _Layout, pattern: np.ndarray, g: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(Lambda, Phi, Theta diagonal, kappa)`` of group ``g``."""
    k = pattern.shape[1]
    lam = (pattern == 2).astype(float)  # markers
    free = np.argwhere(pattern == 1)
    lam[free[:, 0], free[:, 1]] = params[layout.loads[min(g, len(layout.loads) - 1)]]
    phi = np.zeros((k, k))
    phi[np.tril_indices(k)] = params[layout.phi[g]]
    phi = phi + np.tril(phi, -1).T
    kappa = np.where(layout.kappa[g] >= 0, params[np.maximum(layout.kappa[g], 0)], 0.0)
    return lam, phi, params[layout.theta[g]], kappa


def _discrepancy(params, layout, pattern, moments: _Moments) -> tuple[float, np.ndarray]:
    """The ML discrepancy ``F`` and its gradient in the packed parameters."""
    total, grad = 0.0, np.zeros_like(params)
    p, k = pattern.shape
    free = np.argwhere(pattern == 1)
    tril = np.tril_indices(k)
    weight = moments.n / moments.n.sum()
    for g in range(len(moments.n)):
        lam, phi, theta, kappa = _parts(params, layout, pattern, g)
        sigma = lam @ phi @ lam.T + np.diag(theta)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(params)
        inv = np.linalg.inv(sigma)
        nu = params[layout.nu[min(g, len(layout.nu) - 1)]]
        d = moments.mean[g] - nu - lam @ kappa
        f = logdet + np.sum(moments.cov[g] * inv) - moments.logdet[g] - p
        total += weight[g] * (f + d @ inv @ d)
        gs = inv - inv @ (moments.cov[g] + np.outer(d, d)) @ inv  # dF/dSigma
        h = -2.0 * inv @ d  # dF/dmu
        d_lam = 2.0 * gs @ lam @ phi + np.outer(h, kappa)
        d_phi = lam.T @ gs @ lam
        d_phi = 2.0 * d_phi - np.diag(np.diag(d_phi))
        # indices are distinct within a group, so += accumulates correctly across groups
        grad[layout.loads[min(g, len(layout.loads) - 1)]] += (
            weight[g] * d_lam[free[:, 0], free[:, 1]]
        )
        grad[layout.phi[g]] += weight[g] * d_phi[tril]
        grad[layout.theta[g]] += weight[g] * np.diag(gs)
        grad[layout.nu[min(g, len(layout.nu) - 1)]] += weight[g] * h
        fixed = layout.kappa[g] >= 0
        grad[layout.kappa[g][fixed]] += weight[g] * (lam.T @ h)[fixed]
    return float(total), grad


def _start(layout: _Layout, pattern: np.ndarray, moments: _Moments) -> np.ndarray:
    x = np.zeros(layout.size)
    k = pattern.shape[1]
    markers = np.argwhere(pattern == 2)[:, 0]
    x[layout.loads] = 1.0
    for g in range(len(moments.n)):
        var = np.diag(moments.cov[g])
        diag = np.zeros((k, k))
        diag[np.diag_indices(k)] = 0.5 * var[markers]
        x[layout.phi[g]] = diag[np.tril_indices(k)]
        x[layout.theta[g]] = 0.5 * var
    x[layout.nu] = moments.mean.mean(axis=0) if len(layout.nu) == 1 else moments.mean
    return x


def _fit(level: str, pattern: np.ndarray, moments: _Moments) -> tuple[float, int]:
    n_groups, p = moments.mean.shape
    k = pattern.shape[1]
    layout = _layout(n_groups, p, k, int((pattern == 1).sum()), level)
    x0 = _start(layout, pattern, moments)
    lower = np.full(layout.size, -np.inf)
    lower[layout.theta.ravel()] = 1e-8
    diag = np.zeros((k, k), dtype=bool)
    diag[np.diag_indices(k)] = True
    lower[layout.phi[:, diag[np.tril_indices(k)]].ravel()] = 1e-8
    bounds = list(zip(lower, np.full(layout.size, np.inf), strict=True))
    best = optimize.minimize(
        _discrepancy,
        x0,
        args=(layout, pattern, moments),
        method="L-BFGS-B",
        jac=True,
        bounds=bounds,
        options={"maxiter": 20_000, "maxfun": 10**6, "ftol": 1e-14, "gtol": 1e-9},
    )
    at_bound = (best.x <= lower + 1e-12) & (best.jac > 0)
    if not np.isfinite(best.fun) or best.fun >= 1e9 or np.abs(best.jac[~at_bound]).max() > 1e-5:
        raise EstimationError(f"the {level} model did not converge: {best.message}")
    moments_count = n_groups * (p * (p + 1) // 2 + p)
    return float(moments.n.sum() * best.fun), moments_count - layout.size


def _baseline(moments: _Moments) -> tuple[float, int]:
    """The independence model: free means and variances, zero covariances, per group."""
    chisq = 0.0
    for g in range(len(moments.n)):
        cov = moments.cov[g]
        chisq += moments.n[g] * (np.log(np.diag(cov)).sum() - np.linalg.slogdet(cov)[1])
    p = moments.mean.shape[1]
    return float(chisq), len(moments.n) * p * (p - 1) // 2


def measurement_invariance(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    group: str,
    min_cfi: float = 0.90,
    max_delta_cfi: float = 0.01,
    group_labels: Mapping[object, str] | None = None,
) -> pd.DataFrame:
    """Configural, metric and scalar invariance of a scale across the groups in ``group``.

    Parameters
    ----------
    data
        One row per respondent: the items (numeric) and the group column. Rows with a
        missing item or group are left out (complete cases per group).
    factors
        Factor -> its items, the first being the marker (e.g. ``{"trust": ["ppltrst",
        "pplfair", "pplhlp", "trust_neighbours"]}``); each item loads on one factor.
    group
        The grouping column (e.g. ``born_abroad``).
    min_cfi, max_delta_cfi
        Decision thresholds (see the module docstring).
    group_labels
        Optional names of the group values for the ``groups`` column.

    Returns
    -------
    pandas.DataFrame
        One row per level: :data:`INVARIANCE_COLUMNS` plus ``chisq`` and ``df``. ``groups``
        is the groups compared, ``"a|b"``; ``delta_cfi`` is the drop in CFI from the level
        below (NaN for configural); ``n`` the complete cases used.
    """
    items = [item for members in factors.values() for item in members]
    if len(set(items)) != len(items) or not items:
        raise EstimationError(f"each item must load on exactly one factor; got {dict(factors)}")
    if any(len(members) < 2 for members in factors.values()):
        raise EstimationError("every factor needs at least 2 items")
    missing = [c for c in [*items, group] if c not in data.columns]
    if missing:
        raise EstimationError(f"expected columns {missing} in the data")
    pattern = np.zeros((len(items), len(factors)), dtype=int)
    position = 0
    for j, members in enumerate(factors.values()):
        pattern[position, j] = 2
        pattern[position + 1 : position + len(members), j] = 1
        position += len(members)
    moments, labels = _moments(data, items, group)
    if group_labels is not None:
        labels = [
            group_labels.get(v, str(v)) for v in sorted(data[group].dropna().unique(), key=str)
        ]
    base_chisq, base_df = _baseline(moments)
    n_total, n_groups = float(moments.n.sum()), len(moments.n)
    rows = []
    for level in LEVELS:
        chisq, df = _fit(level, pattern, moments)
        if df <= 0:
            raise EstimationError(
                f"the {level} model has {df} degrees of freedom; a one-factor scale needs at "
                "least 4 items (3 give a saturated configural model)"
            )
        excess, base_excess = max(chisq - df, 0.0), max(base_chisq - base_df, 0.0)
        denominator = max(base_excess, excess)
        cfi = 1.0 - excess / denominator if denominator > 0 else 1.0
        rmsea = np.sqrt(max(0.0, (chisq - df) / (df * n_total))) * np.sqrt(n_groups)
        rows.append({"level": level, "cfi": cfi, "rmsea": float(rmsea), "chisq": chisq, "df": df})
    out = pd.DataFrame(rows)
    out["delta_cfi"] = out["cfi"].shift(1) - out["cfi"]
    holds, previous = [], True
    for level, cfi, delta in zip(out["level"], out["cfi"], out["delta_cfi"], strict=True):
        ok = cfi >= min_cfi if level == "configural" else previous and delta <= max_delta_cfi
        holds.append(bool(ok))
        previous = bool(ok)
    out["holds"] = holds
    out["groups"] = "|".join(labels)
    out["n"] = int(n_total)
    return out[[*INVARIANCE_COLUMNS, "chisq", "df"]]
