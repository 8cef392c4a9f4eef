"""Confidence intervals for rates and proportions, and percentile intervals of draws.

Low-level helpers, vectorised over arrays: they take array-likes, broadcast them against each
other and return ``(lower, upper)`` as numpy arrays of the broadcast shape, for callers that
assemble the tidy ``value, lower, upper, n_effective, method`` cells themselves. A cell without
information (``n = 0``, ``exposure = 0``, no draws) gets NaN bounds; invalid inputs (negative or
fractional counts, more successes than trials) raise.

- :func:`poisson_rate_interval`: exact (Garwood) interval of a Poisson rate;
- :func:`wilson_interval`: Wilson score interval of a proportion (``statsmodels``'
  ``proportion_confint(method="wilson")``);
- :func:`percentile_interval` and :func:`draw_quantiles`: the interval (or any quantiles) of
  bootstrap or Monte-Carlo draws, the one place the barometer turns draws into an interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from barometer.exceptions import EstimationError

#: Method labels for the ``method`` column of cells built with these helpers.
POISSON_METHOD = "exact Poisson (Garwood) interval"
WILSON_METHOD = "Wilson score interval"


def _alpha(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    return 1.0 - level


def _counts(values: npt.ArrayLike, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if not np.isfinite(x).all() or (x < 0).any() or (x != np.round(x)).any():
        raise EstimationError(f"{name} must be finite whole numbers >= 0; got {x.tolist()}")
    return x


def poisson_rate_interval(
    count: npt.ArrayLike, exposure: npt.ArrayLike = 1.0, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval for a Poisson rate ``count / exposure``.

    ``lower = chi2.ppf(a/2, 2k) / 2`` (0 when ``k = 0``) and
    ``upper = chi2.ppf(1 - a/2, 2k + 2) / 2``, ``a = 1 - level``, both divided by the exposure.
    Coverage is at least ``level`` for every true rate (conservative). Multiply the bounds by
    100 for a rate per 100 units of exposure (e.g. conflicts per 100 people observed).

    Parameters
    ----------
    count
        Observed event counts, whole numbers >= 0.
    exposure
        Exposure >= 0 in its own unit (people observed, hours, ...); 0 gives NaN bounds.
    level
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lower, upper)`` on the scale of ``count / exposure``.

    Examples
    --------
    >>> lower, upper = poisson_rate_interval([0, 10])
    >>> lower.round(4).tolist(), upper.round(4).tolist()
    ([0.0, 4.7954], [3.6889, 18.3904])
    """
    alpha = _alpha(level)
    k, e = np.broadcast_arrays(_counts(count, "count"), np.asarray(exposure, dtype=float))
    if not np.isfinite(e).all() or (e < 0).any():
        raise EstimationError(f"exposure must be finite and >= 0; got {e.tolist()}")
    lower = np.where(k > 0, stats.chi2.ppf(alpha / 2, np.maximum(2 * k, 1)) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    known = e > 0
    safe = np.where(known, e, 1.0)
    return np.where(known, lower / safe, np.nan), np.where(known, upper / safe, np.nan)


def wilson_interval(
    successes: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion ``successes / n`` (scale 0-1).

    Stays within [0, 1] (exactly 0 at ``successes = 0`` and 1 at ``successes = n``) and keeps
    close to nominal coverage for small ``n`` and proportions near 0 or 1 (Brown, Cai &
    DasGupta 2001). ``n = 0`` gives NaN bounds.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lower, upper)`` as proportions (0-1).

    Examples
    --------
    >>> lower, upper = wilson_interval(81, 263)
    >>> round(float(lower), 4), round(float(upper), 4)
    (0.2553, 0.3662)
    """
    alpha = _alpha(level)
    x, m = np.broadcast_arrays(_counts(successes, "successes"), _counts(n, "n"))
    if (x > m).any():
        raise EstimationError(
            f"expected successes <= n; got successes {x.tolist()} and n {m.tolist()}"
        )
    known = m > 0
    lower, upper = proportion_confint(x, np.where(known, m, 1.0), alpha=alpha, method="wilson")
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(x == m, 1.0, np.clip(upper, 0.0, 1.0))
    return np.where(known, lower, np.nan), np.where(known, upper, np.nan)


#: numpy quantile methods, plus ``"outward"``: the draws just outside the interval (numpy's
#: ``lower`` below the median, ``higher`` from it on), so both ends are observed draws.
QuantileMethod = Literal["linear", "lower", "higher", "nearest", "inverted_cdf", "outward"]


def draw_quantiles(
    draws: npt.ArrayLike,
    probs: Sequence[float],
    *,
    axis: int = 0,
    method: QuantileMethod = "linear",
    skip_nan: bool = False,
) -> np.ndarray:
    """Quantiles ``probs`` of ``draws`` along ``axis`` (numpy's ``method``; R's type 7 is
    ``"linear"``), stacked on a new first axis.

    With ``skip_nan`` NaN draws are left out, and a slice without any draw gives NaN (no
    warning); without it a NaN draw makes its slice's quantiles NaN.

    >>> draw_quantiles(np.arange(1.0, 11.0), [0.025, 0.5, 0.975]).round(3).tolist()
    [1.225, 5.5, 9.775]
    """
    x = np.moveaxis(np.asarray(draws, dtype=float), axis, 0)
    q = np.asarray(probs, dtype=float)
    if method == "outward":  # below the median the draw under, from it the draw over
        rows = [
            draw_quantiles(x, [p], method="lower" if p < 0.5 else "higher", skip_nan=skip_nan)
            for p in q.tolist()
        ]
        return np.concatenate(rows) if rows else np.full((0, *x.shape[1:]), np.nan)
    out = np.full((len(q), *x.shape[1:]), np.nan)
    if x.shape[0] == 0:
        return out
    if not skip_nan:
        return np.asarray(np.quantile(x, q, axis=0, method=method))
    some = ~np.isnan(x).all(axis=0)
    if some.any():
        out[:, some] = np.nanquantile(x[:, some], q, axis=0, method=method)
    return out


def percentile_interval(
    draws: npt.ArrayLike,
    level: float = 0.95,
    *,
    axis: int = 0,
    method: QuantileMethod = "linear",
    skip_nan: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap or Monte-Carlo ``draws`` along ``axis``: their
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles (see :func:`draw_quantiles`).

    Returns ``(lower, upper)``, each with ``axis`` removed (a 0-d array for a 1-d input).

    >>> lower, upper = percentile_interval(np.arange(1.0, 11.0))
    >>> round(float(lower), 3), round(float(upper), 3)
    (1.225, 9.775)
    """
    alpha = _alpha(level)
    lower, upper = draw_quantiles(
        draws, [alpha / 2, 1 - alpha / 2], axis=axis, method=method, skip_nan=skip_nan
    )
    return lower, upper
