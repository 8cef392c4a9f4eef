"""Published indicators -> a unit x period panel for one outcome, and action checks.

The impact estimators work on a *long* panel with three columns: ``unit`` (the
neighbourhood id), ``period`` (the first day of the period, a ``datetime64``) and ``value``
(the indicator on its own scale). Suppressed cells are dropped, never imputed: a missing
cell stays missing and each estimator says how it handles it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from barometer.exceptions import ConfigError, EstimationError

UNIT = "unit"
PERIOD = "period"
VALUE = "value"

#: Default number of pre and post periods an action needs in the data.
MIN_PERIODS = 3


def indicator_panel(
    indicators: pd.DataFrame,
    indicator: str,
    *,
    period: str = "M",
    min_coverage: float = 0.0,
) -> pd.DataFrame:
    """Turn the published ``indicators`` table into a long panel for one outcome.

    Parameters
    ----------
    indicators
        The canonical ``indicators`` table (long; see :data:`barometer.schema.INDICATORS`).
    indicator
        Name of the outcome, e.g. ``"trust_neighbours"``; values keep the indicator's unit.
    period
        Period length to keep (``"W"``, ``"M"`` or ``"Q"``).
    min_coverage
        Drop units observed in fewer than this share (0-1) of the panel's periods, so the
        panel is as balanced as the data allow.

    Returns
    -------
    DataFrame
        Columns ``unit, period, value, lower, upper, n_effective``, one row per observed
        (unsuppressed, non-missing) cell, sorted by unit then period.
    """
    needed = ["neighbourhood_id", "period_start", "period", "indicator", "value", "suppressed"]
    missing = [c for c in needed if c not in indicators.columns]
    if missing:
        raise EstimationError(
            f"expected the indicators table with columns {needed}; missing {missing}"
        )
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["period"] == period)]
    if rows.empty:
        known = sorted(indicators["indicator"].dropna().unique().tolist())
        raise EstimationError(
            f"indicator '{indicator}' with period '{period}' is not in the table; "
            f"indicators found: {known}"
        )
    keep = ~rows["suppressed"].fillna(False).astype(bool) & rows["value"].notna()
    rows = rows[keep]
    out = pd.DataFrame(
        {
            UNIT: rows["neighbourhood_id"].astype(str).to_numpy(),
            PERIOD: pd.to_datetime(rows["period_start"]).to_numpy(),
            VALUE: rows["value"].astype(float).to_numpy(),
            "lower": _column(rows, "lower"),
            "upper": _column(rows, "upper"),
            "n_effective": _column(rows, "n_effective"),
        }
    )
    if out.duplicated([UNIT, PERIOD]).any():
        raise EstimationError(
            f"indicator '{indicator}' has several rows for one neighbourhood and period; "
            "expected one (filter the table to a single run_id first)"
        )
    n_periods = out[PERIOD].nunique()
    coverage = out.groupby(UNIT)[PERIOD].nunique() / max(n_periods, 1)
    out = out[out[UNIT].isin(coverage.index[coverage >= min_coverage])]
    if out.empty:
        raise EstimationError(
            f"indicator '{indicator}': no unit has coverage >= {min_coverage}; lower min_coverage"
        )
    return out.sort_values([UNIT, PERIOD]).reset_index(drop=True)


def _column(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name in rows.columns:
        return rows[name].astype(float).to_numpy()
    return np.full(len(rows), np.nan)


def wide_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Pivot a long panel to wide: index ``period`` (sorted), one column per unit, NaN gaps."""
    check_panel(panel)
    return panel.pivot(index=PERIOD, columns=UNIT, values=VALUE).sort_index()


def long_panel(wide: pd.DataFrame) -> pd.DataFrame:
    """Inverse of :func:`wide_panel`: long ``unit, period, value`` rows, gaps dropped."""
    flat = wide.rename_axis(index=PERIOD, columns=UNIT).reset_index()
    stacked = flat.melt(id_vars=PERIOD, var_name=UNIT, value_name=VALUE).dropna(subset=[VALUE])
    return stacked[[UNIT, PERIOD, VALUE]].sort_values([UNIT, PERIOD]).reset_index(drop=True)


def check_panel(panel: pd.DataFrame) -> None:
    """Raise :class:`EstimationError` unless ``panel`` has ``unit, period, value`` columns."""
    missing = [c for c in (UNIT, PERIOD, VALUE) if c not in panel.columns]
    if missing:
        raise EstimationError(
            f"expected a long panel with columns {[UNIT, PERIOD, VALUE]}; missing {missing} "
            "(build one with indicator_panel)"
        )
    if panel.empty:
        raise EstimationError("the panel has no rows")


def period_index(periods: pd.Series | pd.Index, start: Any) -> tuple[np.ndarray, int]:
    """Ordinal position of each period among the sorted distinct periods, and of ``start``.

    Periods are assumed regular (every period appears for at least one unit). ``start`` is
    the first treated period; when it is not itself a period, the first period after it is used.
    """
    values = pd.to_datetime(pd.Series(periods)).to_numpy()
    distinct = np.unique(values)
    position = np.searchsorted(distinct, values)
    first = int(np.searchsorted(distinct, np.datetime64(pd.Timestamp(start))))
    return position, first


def validate_action(
    action: Any,
    neighbourhoods: set[str],
    periods: tuple[date | pd.Timestamp, date | pd.Timestamp],
    *,
    min_pre: int = MIN_PERIODS,
    min_post: int = MIN_PERIODS,
    period_months: int = 1,
) -> None:
    """Check an :class:`~barometer.config.ActionConfig` against the data it will be judged on.

    Parameters
    ----------
    action
        The action (needs ``id``, ``neighbourhoods``, ``start``, ``comparison``).
    neighbourhoods
        Neighbourhood ids present in the panel.
    periods
        ``(first, last)`` period start dates in the panel.
    min_pre, min_post
        Periods required before ``start`` and from ``start`` on (both inclusive of the data).
    period_months
        Length of a period in months (1 for monthly indicators, 3 for quarterly).

    Raises
    ------
    ConfigError
        An unknown treated or comparison neighbourhood, no comparison unit left, or a start
        date without ``min_pre`` periods before it and ``min_post`` from it in the data.
    """
    treated = list(action.neighbourhoods)
    if not treated:
        raise ConfigError(f"action '{action.id}': expected at least one treated neighbourhood")
    unknown = sorted(set(treated) - neighbourhoods)
    if unknown:
        raise ConfigError(
            f"action '{action.id}': neighbourhoods {unknown} are not in the data; "
            f"known: {sorted(neighbourhoods)}"
        )
    comparison = list(getattr(action, "comparison", []) or [])
    unknown = sorted(set(comparison) - neighbourhoods)
    if unknown:
        raise ConfigError(
            f"action '{action.id}': comparison neighbourhoods {unknown} are not in the data; "
            f"known: {sorted(neighbourhoods)}"
        )
    controls = (set(comparison) or neighbourhoods) - set(treated)
    if not controls:
        raise ConfigError(
            f"action '{action.id}': expected at least one comparison neighbourhood that is "
            "not treated; found none"
        )
    first, last = (pd.Timestamp(p) for p in periods)
    start = pd.Timestamp(action.start)
    n_pre = _months_between(first, start) // period_months
    n_post = _months_between(start, last) // period_months + 1
    if n_pre < min_pre or n_post < min_post:
        raise ConfigError(
            f"action '{action.id}': start {start.date()} leaves {n_pre} periods before and "
            f"{max(n_post, 0)} from the start in the data ({first.date()} to {last.date()}); "
            f"expected at least {min_pre} before and {min_post} after"
        )


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


#: The unit name of the treated units' per-period mean (one synthetic-control target).
POOLED = "treated (mean)"


def pool_treated(panel: pd.DataFrame, treated: list[str], name: str = POOLED) -> pd.DataFrame:
    """Replace the treated units by their per-period mean, as unit ``name``."""
    is_t = panel[UNIT].isin(treated)
    mean = panel[is_t].groupby(PERIOD, as_index=False)[VALUE].mean().assign(**{UNIT: name})
    return pd.concat([panel.loc[~is_t, [UNIT, PERIOD, VALUE]], mean], ignore_index=True)


def error_scale(panel: pd.DataFrame, start: pd.Timestamp) -> tuple[float, float]:
    """Residual SD (in the indicator's unit) and lag-1 autocorrelation (clipped to 0-0.95, with
    a first-order bias correction ``+ 1 / T``) of the two-way demeaned pre-period panel."""
    pre = panel[panel[PERIOD] < start].pivot(index=PERIOD, columns=UNIT, values=VALUE)
    pre = pre.dropna(axis=1)
    r = pre - pre.mean(axis=0) - pre.mean(axis=1).to_numpy()[:, None] + pre.to_numpy().mean()
    t, n = r.shape
    sigma = float(np.sqrt(np.sum(r.to_numpy() ** 2) / ((t - 1) * (n - 1))))
    x = r.to_numpy()
    rho = float(np.sum(x[1:] * x[:-1]) / np.sum(x**2)) + 1.0 / t  # first-order bias fix
    return sigma, float(np.clip(rho, 0.0, 0.95))


def comparison_units(
    panel: pd.DataFrame, action: Any, treated: list[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(the panel of treated and comparison units, the comparison units, those left out).

    The comparison is the action's donor pool, else every untreated neighbourhood. A unit with
    suppressed (small) cells leaves gaps that the event study and the synthetic control cannot
    fill: only comparison units observed every month are used.
    """
    comparison = [u for u in (action.comparison or sorted(set(panel[UNIT]))) if u not in treated]
    months = panel.groupby(UNIT)[PERIOD].nunique()
    gappy = [u for u in comparison if months.get(u, 0) < panel[PERIOD].nunique()]
    comparison = [u for u in comparison if u not in gappy]
    return panel[panel[UNIT].isin([*treated, *comparison])], comparison, gappy
