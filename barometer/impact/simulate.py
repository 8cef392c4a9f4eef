"""Simulated neighbourhood panels with a planted action effect, for tests and power checks.

``y_it = a_i + l_t + s_m(t) + effect * D_it + e_it`` on a 0-10 trust scale: unit levels
``a_i`` around 6, a common slow trend plus small period shocks ``l_t``, a shared seasonal
cycle ``s``, and AR(1) noise ``e_it`` (``rho``, marginal sd ``sigma``). ``D_it = 1`` for the
treated units from ``start`` on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from barometer.impact.panel import PERIOD, UNIT, VALUE


def simulate_panel(
    *,
    n_units: int = 10,
    n_periods: int = 48,
    first_period: str = "2021-01-01",
    start: str = "2023-01-01",
    treated: Sequence[str] = ("N01",),
    effect: float = 0.0,
    sigma: float = 0.2,
    rho: float = 0.3,
    seed: int = 0,
) -> pd.DataFrame:
    """A long monthly panel ``unit, period, value``; units are ``N01, N02, ...``."""
    rng = np.random.default_rng(seed)
    units = [f"N{i + 1:02d}" for i in range(n_units)]
    periods = pd.date_range(first_period, periods=n_periods, freq="MS")
    level = rng.normal(6.0, 0.5, n_units)
    t = np.arange(n_periods)
    common = 0.005 * t + rng.normal(0, 0.05, n_periods) + 0.15 * np.sin(2 * np.pi * t / 12)
    noise = np.empty((n_units, n_periods))
    noise[:, 0] = rng.normal(0, sigma, n_units)
    innov = rng.normal(0, sigma * np.sqrt(1 - rho**2), (n_units, n_periods))
    for j in range(1, n_periods):
        noise[:, j] = rho * noise[:, j - 1] + innov[:, j]
    y = level[:, None] + common[None, :] + noise
    is_treated = np.isin(units, list(treated))
    y[np.ix_(is_treated, periods >= pd.Timestamp(start))] += effect
    return pd.DataFrame(
        {
            UNIT: np.repeat(units, n_periods),
            PERIOD: np.tile(periods.to_numpy(), n_units),
            VALUE: y.ravel(),
        }
    )


def simulate_indicators(indicator: str = "trust_neighbours", **kwargs: object) -> pd.DataFrame:
    """The panel of :func:`simulate_panel` as rows of the canonical ``indicators`` table."""
    panel = simulate_panel(**kwargs)  # type: ignore[arg-type]
    n = len(panel)
    return pd.DataFrame(
        {
            "neighbourhood_id": panel[UNIT],
            "period_start": panel[PERIOD].dt.date,
            "period": "M",
            "indicator": indicator,
            "value": panel[VALUE],
            "lower": panel[VALUE] - 0.4,
            "upper": panel[VALUE] + 0.4,
            "n_effective": np.full(n, 80.0),
            "method": "simulated",
            "suppressed": False,
            "run_id": "sim",
        }
    )
