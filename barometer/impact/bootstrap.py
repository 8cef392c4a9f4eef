"""Wild cluster bootstrap for one OLS coefficient (Rademacher or Webb weights by cluster).

Cameron, Gelbach & Miller (2008); MacKinnon & Webb (2017). Rademacher weights are +-1; Webb's
six-point weights (+-sqrt(1/2), +-1, +-sqrt(3/2), each with probability 1/6; Webb 2023) give
``6^G`` distinct draws instead of ``2^G``, which matters with fewer than about 12 clusters.
All weight vectors are enumerated when there are at most ``n_boot`` of them (the bootstrap is
then exact, not random).
The p-value imposes the null ``beta = 0`` (WCR bootstrap-t); the interval is the symmetric
percentile-t interval of the unrestricted (WCU) bootstrap. Cluster scores use the same
small-sample factor as statsmodels, ``G/(G-1) * (N-1)/(N-K)``.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np

_WEIGHTS = {
    "rademacher": np.array([-1.0, 1.0]),
    "webb": np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]),
}


def wild_cluster_bootstrap(
    y: np.ndarray,
    x: np.ndarray,
    groups: np.ndarray,
    *,
    n_boot: int = 999,
    level: float = 0.95,
    seed: int | None = None,
    weights: Literal["rademacher", "webb"] = "rademacher",
) -> tuple[float, float, int]:
    """Wild cluster bootstrap for the first column of ``x`` (weights drawn by cluster).

    Returns the WCR bootstrap-t p-value (null ``beta = 0`` imposed), the half-width of the
    WCU symmetric percentile-t interval and the number of draws.
    """
    g = int(groups.max() + 1)
    points = _WEIGHTS[weights]
    if len(points) ** g <= n_boot:
        signs = np.array(list(itertools.product(points, repeat=g)))
    else:
        signs = np.random.default_rng(seed).choice(points, size=(n_boot, g))
    n, k = x.shape
    xtx_inv = np.linalg.pinv(x.T @ x)
    c = (xtx_inv @ x.T)[0]
    resid_maker = np.eye(n) - x @ xtx_inv @ x.T
    onehot = np.zeros((n, g))
    onehot[np.arange(n), groups] = 1.0
    factor = g / (g - 1) * (n - 1) / (n - k)

    def t_stats(fitted: np.ndarray, resid: np.ndarray, null: float) -> np.ndarray:
        ystar = fitted[None, :] + signs[:, groups] * resid[None, :]
        beta = ystar @ c
        scores = ((ystar @ resid_maker) * c[None, :]) @ onehot
        return (beta - null) / np.sqrt(factor * np.sum(scores**2, axis=1))

    beta_hat = float(c @ y)
    resid_u = resid_maker @ y
    se_hat = np.sqrt(factor * np.sum((onehot.T @ (c * resid_u)) ** 2))
    xr = x[:, 1:]
    fitted_r = xr @ np.linalg.lstsq(xr, y, rcond=None)[0]
    t_r = t_stats(fitted_r, y - fitted_r, 0.0)
    p = float(np.mean(np.abs(t_r) >= abs(beta_hat / se_hat) - 1e-12))
    t_u = t_stats(y - resid_u, resid_u, beta_hat)
    half = float(np.quantile(np.abs(t_u), level) * se_hat)
    return p, half, int(signs.shape[0])
