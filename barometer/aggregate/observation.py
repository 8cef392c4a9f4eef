"""Observation indicators: mixed-interaction rate and conflict rate per neighbourhood-month.

- ``observation_mixed_rate``: interactions across groups per 100 interactions observed;
- ``observation_conflict_rate``: conflicts per 100 people observed.

Both are ratios of counts pooled over a cell's sessions. Sessions differ more than a Poisson
process allows (site, weather, time of day), so intervals are quasi-Poisson: the dispersion
``phi = max(1, Pearson chi2 / (sessions - 1))`` across the cell's sessions widens a log-scale
normal interval, ``exp(log(rate) +/- z * sqrt(phi / count))``. A cell with no event gets the
exact Garwood upper bound scaled by ``phi``, and lower bound 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from barometer.aggregate.cells import empty_cells, month_start, to_cells
from barometer.stats.intervals import poisson_rate_interval


def quasi_poisson_rates(
    sessions: pd.DataFrame, count: str, exposure: str, by: list[str], *, level: float
) -> pd.DataFrame:
    """Pooled rate ``sum(count) / sum(exposure)`` per group with a quasi-Poisson interval.

    Returns ``by`` columns plus ``value, lower, upper, n_effective`` (sessions) and ``phi``.
    Rates are per unit of exposure (multiply by 100 for "per 100"). Sessions that did not
    record ``count`` (missing, as a PLDP moving count has no conversations) are left out.
    """
    data = sessions[(sessions[exposure] > 0) & sessions[count].notna()]
    sums = data.groupby(by, as_index=False).agg(
        events=(count, "sum"), exposure=(exposure, "sum"), sessions=(count, "size")
    )
    data = data.merge(sums[[*by, "events", "exposure"]], on=by)
    rate = data["events"] / data["exposure"]
    expected = rate * data[exposure]
    pearson = np.where(expected > 0, (data[count] - expected) ** 2 / expected, 0.0)
    chi2 = pd.Series(pearson, index=data.index).groupby([data[c] for c in by]).sum()
    sums = sums.merge(chi2.rename("chi2").reset_index(), on=by)
    dof = (sums["sessions"] - 1).clip(lower=1)
    phi = np.maximum(1.0, sums["chi2"] / dof)
    value = sums["events"] / sums["exposure"]
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(phi / sums["events"])
        lower = np.where(sums["events"] > 0, value * np.exp(-spread), 0.0)
        upper = np.where(sums["events"] > 0, value * np.exp(spread), np.nan)
    _, garwood_upper = poisson_rate_interval(sums["events"], sums["exposure"], level=level)
    upper = np.where(sums["events"] > 0, upper, np.asarray(garwood_upper) * phi)
    return sums[by].assign(
        value=value, lower=lower, upper=upper, n_effective=sums["sessions"].astype(float), phi=phi
    )


def aggregate_observation(sessions: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Mixed-interaction rate (per 100 interactions) and conflict rate (per 100 people)."""
    located = sessions[sessions["neighbourhood_id"].notna()].copy()
    if located.empty:
        return empty_cells()
    located["period_start"] = month_start(located["start"])
    by = ["neighbourhood_id", "period_start"]
    frames = []
    for count, exposure, indicator in (
        ("n_mixed_interactions", "n_interactions", "observation_mixed_rate"),
        ("n_conflicts", "n_people", "observation_conflict_rate"),
    ):
        rates = quasi_poisson_rates(located, count, exposure, by, level=level)
        for column in ("value", "lower", "upper"):
            rates[column] = 100 * rates[column]
        frames.append(to_cells(rates, indicator))
    return pd.concat(frames, ignore_index=True)
