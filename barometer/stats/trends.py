"""Trend tests, change points and alerts for indicator time series.

- :func:`trend_test`: Mann-Kendall test with Sen's slope (per year) and the Hamed & Rao (1998)
  variance correction for autocorrelation, plus an OLS slope with a Newey-West (HAC) SE.
- :func:`change_points`: shifts in the mean, the exact optimum of a squared-error (``l2``)
  cost with a penalty per change point (the objective of PELT, Killick et al. 2012), from
  ``ruptures``' exact dynamic programme (``Dynp``) for each number of change points.
- :func:`alerts`: per neighbourhood, flags a recent move beyond the published uncertainty, a
  significant trend, or a recent change point, as codes and numbers (the app words them).

A series is a :class:`pandas.Series` of values indexed by ``period_start`` (dates) or by a
number (time in its own unit; slopes are then per unit instead of per year). Missing values
are dropped.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import ruptures
import statsmodels.api as sm
from scipy import stats

from barometer.exceptions import EstimationError

TREND_COLUMNS = [
    "estimator",
    "value",
    "se",
    "lower",
    "upper",
    "statistic",
    "p_value",
    "n",
    "n_effective",
    "lag1_autocorr",
    "method",
]
CHANGE_POINT_COLUMNS = [
    "period_start",
    "position",
    "mean_before",
    "mean_after",
    "magnitude",
    "penalty",
    "method",
]
ALERT_COLUMNS = [
    "neighbourhood_id",
    "indicator",
    "period_start",
    "kind",
    "basis",
    "magnitude",
    "p_value",
]
_DAYS_PER_YEAR = 365.25


def _clean(series: pd.Series, minimum: int) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """``(time, values, labels)`` sorted by time, NaNs dropped; time in years for dates."""
    s = series.dropna()
    if isinstance(s.index, pd.DatetimeIndex) or not pd.api.types.is_numeric_dtype(s.index):
        when = pd.to_datetime(pd.Index(s.index))
        order = np.argsort(when.to_numpy(), kind="stable")
        t = (when - when.min()).days.to_numpy(dtype=float)[order] / _DAYS_PER_YEAR
    else:
        order = np.argsort(s.index.to_numpy(), kind="stable")
        t = s.index.to_numpy(dtype=float)[order]
    x = s.to_numpy(dtype=float)[order]
    if len(x) < minimum:
        raise EstimationError(
            f"series '{series.name}': expected at least {minimum} non-missing values; got {len(x)}"
        )
    if np.ptp(t) == 0:
        raise EstimationError(f"series '{series.name}': all values share one time point")
    return t, x, s.index[order]


def _acf(x: np.ndarray, nlags: int) -> np.ndarray:
    d = x - x.mean()
    denom = float(d @ d)
    if denom == 0:
        return np.zeros(nlags + 1)
    return np.array([1.0] + [float(d[k:] @ d[:-k]) / denom for k in range(1, nlags + 1)])


def _mann_kendall(t: np.ndarray, x: np.ndarray, level: float) -> dict[str, float]:
    n = len(x)
    i, j = np.triu_indices(n, k=1)
    s = float(np.sign(x[j] - x[i]).sum())
    _, ties = np.unique(x, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18.0
    dt = t[j] - t[i]
    slopes = np.sort(((x[j] - x[i]) / np.where(dt != 0, dt, np.nan))[dt != 0])
    sen = float(np.median(slopes))
    detrended = x - sen * t
    # Hamed & Rao (1998): autocorrelation of the ranks of the detrended series, significant
    # lags only; used to widen the variance only (factor floored at 1, so alerts stay
    # conservative under negative autocorrelation).
    acf = _acf(stats.rankdata(detrended), n - 1)
    bound = stats.norm.ppf(0.975) / np.sqrt(n)
    k = np.arange(1, n)
    keep = np.abs(acf[1:]) > bound
    sni = np.sum(((n - k) * (n - k - 1) * (n - k - 2) * acf[1:])[keep])
    factor = max(1.0, 1.0 + 2.0 / (n * (n - 1) * (n - 2)) * sni)
    var_c = var_s * factor
    z = (s - np.sign(s)) / np.sqrt(var_c) if var_c > 0 else 0.0
    c = stats.norm.ppf(0.5 + level / 2.0) * np.sqrt(var_c)
    positions = np.clip([(len(slopes) - c) / 2.0 - 1.0, (len(slopes) + c) / 2.0], 0, None)
    lower, upper = np.interp(positions, np.arange(len(slopes)), slopes)
    return {
        "estimator": "mann_kendall_sen",
        "value": sen,
        "se": np.nan,
        "lower": float(lower),
        "upper": float(upper),
        "statistic": float(z),
        "p_value": float(2.0 * stats.norm.sf(abs(z))),
        "n": n,
        "n_effective": n / factor,
        "lag1_autocorr": float(_acf(detrended, 1)[1]),
        "method": "Mann-Kendall test, Hamed-Rao corrected; Sen's slope with Gilbert interval",
    }


def trend_test(series: pd.Series, level: float = 0.95) -> pd.DataFrame:
    """Test a series for a monotonic trend and estimate its slope per year.

    Returns two rows (``estimator``):

    - ``"mann_kendall_sen"``: ``value`` is Sen's slope (median pairwise slope per year),
      ``lower/upper`` its Gilbert (1987) interval, ``statistic`` the continuity-corrected
      Mann-Kendall z with the tie correction and the Hamed-Rao autocorrelation correction
      (``n_effective = n / correction``), ``p_value`` two-sided;
    - ``"ols_hac"``: least-squares slope per year with a Newey-West SE
      (``maxlags = floor(4 (n/100)^(2/9))``, small-sample corrected) and a t interval on
      ``n - 2`` degrees of freedom.

    ``lag1_autocorr`` is the lag-1 autocorrelation of the series after removing Sen's trend.
    At least 4 values are required.

    Examples
    --------
    >>> s = pd.Series([5.0, 4.8, 4.9, 4.5, 4.4, 4.1, 4.2, 3.9],
    ...               index=pd.date_range("2024-01-01", periods=8, freq="MS"))
    >>> out = trend_test(s)
    >>> out["estimator"].tolist(), bool(out["value"].lt(0).all())
    (['mann_kendall_sen', 'ols_hac'], True)
    """
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    t, x, _ = _clean(series, 4)
    n = len(x)
    mk = _mann_kendall(t, x, level)
    lags = int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))
    fit = sm.OLS(x, sm.add_constant(t)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    low, high = fit.conf_int(alpha=1.0 - level)[1]
    ols = {
        "estimator": "ols_hac",
        "value": float(fit.params[1]),
        "se": float(fit.bse[1]),
        "lower": float(low),
        "upper": float(high),
        "statistic": float(fit.tvalues[1]),
        "p_value": float(fit.pvalues[1]),
        "n": n,
        "n_effective": float(n),
        "lag1_autocorr": mk["lag1_autocorr"],
        "method": f"OLS slope, Newey-West SE ({lags} lags)",
    }
    return pd.DataFrame([mk, ols], columns=TREND_COLUMNS)


def _noise_variance(x: np.ndarray) -> float:
    """Robust noise variance from first differences (insensitive to a few mean shifts)."""
    mad = np.median(np.abs(np.diff(x) - np.median(np.diff(x))))
    return float((mad / (stats.norm.ppf(0.75) * np.sqrt(2.0))) ** 2)


def change_points(
    series: pd.Series, penalty: float | None = None, min_size: int = 3
) -> pd.DataFrame:
    """Find shifts in the mean of a series (exact penalised least squares).

    Minimises ``sum over segments of sum (x - segment mean)^2 + penalty * #change points``
    over all segmentations with segments of at least ``min_size`` points: the optimal
    segmentation for each number of change points comes from ``ruptures.Dynp(model="l2")``
    (exact dynamic programming), and the number with the least penalised cost wins. This is
    the optimum ``ruptures.Pelt`` targets; ``Pelt`` itself can prune that optimum away when
    ``min_size > 1`` (ruptures PR #383; 2 of 3,000 random series of 6-15 points here), so it is
    not used. The work grows with ``n^2`` times the number of change points: meant for the
    short series of a barometer (tens to hundreds of periods).

    Parameters
    ----------
    series
        Values indexed by period (see the module notes); missing values are dropped.
    penalty
        Cost of one change point. ``None`` uses ``3 sigma^2 log(n)``, with sigma^2 the noise
        variance estimated robustly from the first differences (MAD): a BIC-type penalty
        made a little stricter for alerting.
    min_size
        Shortest segment, in periods.

    Returns
    -------
    pandas.DataFrame
        One row per change point, columns :data:`CHANGE_POINT_COLUMNS`: ``period_start`` and
        ``position`` (0-based) of the first period of the new segment, the means of the
        segments before and after and their difference ``magnitude``.

    Examples
    --------
    >>> x = pd.Series([1.0, 1.1, 0.9, 1.0, 3.0, 3.1, 2.9, 3.0])
    >>> change_points(x, penalty=1.0)[["position", "magnitude"]].round(2).values.tolist()
    [[4.0, 2.0]]
    """
    if min_size < 1:
        raise EstimationError(f"min_size must be >= 1; got {min_size}")
    _, x, labels = _clean(series, 2 * min_size)
    pen = 3.0 * _noise_variance(x) * np.log(len(x)) if penalty is None else float(penalty)
    if pen < 0 or not np.isfinite(pen):
        raise EstimationError(f"penalty must be a finite number >= 0; got {pen}")
    pen = max(pen, 1e-12 * (1.0 + float(np.var(x))))  # never split a constant stretch
    bounds = _optimal_breaks(x, pen, min_size)
    edges = [0, *bounds, len(x)]
    means = [float(x[a:b].mean()) for a, b in itertools.pairwise(edges)]
    rows = [
        {
            "period_start": labels[pos],
            "position": pos,
            "mean_before": means[k],
            "mean_after": means[k + 1],
            "magnitude": means[k + 1] - means[k],
            "penalty": pen,
            "method": f"penalised least squares (l2), min segment {min_size}",
        }
        for k, pos in enumerate(bounds)
    ]
    return pd.DataFrame(rows, columns=CHANGE_POINT_COLUMNS)


def _optimal_breaks(x: np.ndarray, pen: float, min_size: int) -> list[int]:
    """First positions of the new segments in the least-cost penalised segmentation."""
    search = ruptures.Dynp(model="l2", min_size=min_size, jump=1).fit(x)
    best, breaks = float(search.cost.error(0, len(x))), []
    for k in range(1, len(x) // min_size):
        ends = search.predict(n_bkps=k)
        total = float(search.cost.sum_of_costs(ends)) + pen * k
        if total < best:
            best, breaks = total, ends[:-1]
    return [int(b) for b in breaks]


def _check_alert_inputs(
    indicators: pd.DataFrame, window: int, baseline: int, levels: dict[str, float]
) -> None:
    need = ["neighbourhood_id", "period_start", "indicator", "value", "lower", "upper"]
    missing = [c for c in need if c not in indicators.columns]
    if missing:
        raise EstimationError(
            f"expected the indicators table's columns {missing}; found {list(indicators.columns)}"
        )
    if window < 1 or baseline < 1:
        raise EstimationError(f"expected window, baseline >= 1; got {window}, {baseline}")
    for name, lvl in levels.items():
        if not 0.0 < lvl < 1.0:
            raise EstimationError(f"{name} must be strictly between 0 and 1; got {lvl}")


def _recent_move(
    g: pd.DataFrame, window: int, z_level: float, z_int: float
) -> dict[str, Any] | None:
    """The ``recent_mean`` alert of one neighbourhood's series, or None."""
    recent, base = g.iloc[-window:], g.iloc[:-window]
    diff = float(recent["value"].mean() - base["value"].mean())
    half = (g["upper"] - g["lower"]).to_numpy(dtype=float, na_value=np.nan) / 2.0
    if np.isfinite(half).all():
        se_t = half / z_int
        se = np.hypot(
            np.sqrt(np.sum(se_t[-window:] ** 2)) / window,
            np.sqrt(np.sum(se_t[:-window] ** 2)) / len(base),
        )
    else:
        se = float(base["value"].std(ddof=1)) * np.sqrt(1 / window + 1 / len(base))
    if not (se > 0 and abs(diff) > z_level * se):
        return None
    return {
        "period_start": g["period_start"].iloc[-1],
        "kind": "decline" if diff < 0 else "rise",
        "basis": "recent_mean",
        "magnitude": diff,
        "p_value": float(2.0 * stats.norm.sf(abs(diff) / se)),
    }


def _trend(series: pd.Series, level: float, latest: object) -> dict[str, Any] | None:
    """The ``trend`` alert (a significant Mann-Kendall trend), or None."""
    mk = trend_test(series, level=level).iloc[0]
    if not (mk["p_value"] < 1.0 - level and mk["value"] != 0):
        return None
    return {
        "period_start": latest,
        "kind": "decline" if mk["value"] < 0 else "rise",
        "basis": "trend",
        "magnitude": float(mk["value"]),
        "p_value": float(mk["p_value"]),
    }


def _recent_shifts(series: pd.Series, since: int) -> list[dict[str, Any]]:
    """``change_point`` alerts for the mean shifts starting at position ``since`` or later."""
    cps = change_points(series)
    return [
        {
            "period_start": cp["period_start"],
            "kind": "change_point",
            "basis": "change_point",
            "magnitude": float(cp["mean_after"]) - float(cp["mean_before"]),
            "p_value": np.nan,
        }
        for cp in cps[cps["position"] >= since].to_dict("records")
    ]


def alerts(
    indicators: pd.DataFrame,
    indicator: str,
    window: int = 3,
    level: float = 0.95,
    baseline: int = 12,
    interval_level: float = 0.95,
) -> pd.DataFrame:
    """Alerts for neighbourhoods whose recent values move beyond their uncertainty.

    For each neighbourhood's non-suppressed values of ``indicator``, sorted by
    ``period_start``, with ``recent`` the last ``window`` periods and ``base`` the up to
    ``baseline`` periods before them:

    - ``basis="recent_mean"``: ``kind`` ``"decline"`` (``"rise"``) when
      ``mean(recent) - mean(base)`` is below (above) ``-/+ z * se``, ``z`` the normal quantile
      of ``level`` (two-sided) and ``se`` the SE of that difference, from the published
      intervals (``se_t = (upper - lower) / (2 z(interval_level))``, periods taken as
      independent). Where an interval is missing, the spread of ``base`` is used instead.
      ``magnitude`` is the difference, in the indicator's units;
    - ``basis="trend"``: Mann-Kendall (Hamed-Rao) ``p < 1 - level`` over ``base + recent``,
      with a negative (positive) Sen slope; ``magnitude`` is the slope per year;
    - ``basis="change_point"``, ``kind="change_point"``: a mean shift (:func:`change_points`)
      whose new segment starts within the last ``2 * window`` periods; ``magnitude`` is the
      jump.

    Neighbourhoods with fewer than ``window + 3`` usable periods get no alerts. Alerts carry
    codes and numbers only; the app writes them as sentences in each language.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ALERT_COLUMNS`; ``period_start`` is the latest period, or the first
        period after a change point.
    """
    levels = {"level": level, "interval_level": interval_level}
    _check_alert_inputs(indicators, window, baseline, levels)
    rows = indicators[(indicators["indicator"] == indicator) & indicators["value"].notna()]
    if "suppressed" in rows.columns:
        rows = rows[~rows["suppressed"].fillna(False).astype(bool)]
    z_level = stats.norm.ppf(0.5 + level / 2.0)
    z_int = stats.norm.ppf(0.5 + interval_level / 2.0)
    out: list[dict[str, object]] = []
    for nbh, group in rows.groupby("neighbourhood_id", sort=True):
        g = group.sort_values("period_start").tail(window + baseline)
        if len(g) < window + 3:
            continue
        series = pd.Series(g["value"].to_numpy(), index=pd.Index(g["period_start"]))
        found = [
            _recent_move(g, window, z_level, z_int),
            _trend(series, level, g["period_start"].iloc[-1]),
            *(_recent_shifts(series, len(g) - 2 * window) if len(g) >= 6 else []),
        ]
        out.extend({"neighbourhood_id": nbh, "indicator": indicator, **row} for row in found if row)
    return pd.DataFrame(out, columns=ALERT_COLUMNS)
