"""Design-based quantiles with Woodruff intervals (R: ``svyquantile``, survey >= 4.1).

The ``p``-quantile of the weighted empirical CDF ``F`` is defined by a rule (``qrule``):

- ``"math"`` (R's default, Hyndman-Fan type 1): the smallest observed ``x`` with
  ``F(x) >= p``;
- ``"school"`` (type 2): as ``"math"``, but the midpoint of the two neighbouring values when
  ``F`` hits ``p`` exactly.

The interval is Woodruff's (1952), R's ``interval.type="mean"``: a design-based interval
``m +/- c * se(m)`` for the share ``m`` of the population at or below the estimated quantile,
mapped back through the same rule; a limit whose share falls outside ``[0, 1]`` is NaN. The
standard error is the interval's length over ``2 c`` (``c`` the t or normal critical value).

Deviation from R: when ``p`` is below the smallest observation's CDF step, R's rule returns
the *second* smallest value; here it is the smallest, as the definition says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from barometer.exceptions import EstimationError

QuantileRule = Literal["math", "school"]
QUANTILE_RULES = ("math", "school")


def weighted_quantile(x: np.ndarray, w: np.ndarray, p: float, rule: str = "math") -> float:
    """The ``p``-quantile of values ``x`` with weights ``w`` (> 0 counted) under ``rule``."""
    if rule not in QUANTILE_RULES:
        raise EstimationError(f"qrule must be one of {QUANTILE_RULES}; got {rule!r}")
    keep = w > 0
    x, w = x[keep], w[keep]
    if x.size == 0:
        return float("nan")
    order = np.argsort(x, kind="stable")
    xs, cum = x[order], np.cumsum(w[order])
    total = cum[-1]
    target = p * total
    tol = 1e-10 * total
    below = np.flatnonzero(cum <= target + tol)
    if below.size == 0:
        return float(xs[0])
    pos = int(below[-1])
    nxt = min(pos + 1, xs.size - 1)
    exact = abs(cum[pos] - target) <= tol
    if exact:
        return float(xs[pos] if rule == "math" else (xs[pos] + xs[nxt]) / 2.0)
    return float(xs[nxt])


def woodruff_interval(
    x: np.ndarray,
    w: np.ndarray,
    q: float,
    share_se: Callable[[float], tuple[float, float]],
    crit: float,
    rule: str,
) -> tuple[float, float, float]:
    """``(lower, upper, se)`` of a quantile estimate ``q`` by Woodruff's method.

    ``share_se(q)`` returns the design-based estimate and standard error of the population
    share at or below ``q`` (the caller's design does the variance).
    """
    share, se = share_se(q)
    low_p, high_p = share - crit * se, share + crit * se
    lower = (
        float("nan")
        if not np.isfinite(low_p) or low_p < 0
        else weighted_quantile(x, w, low_p, rule)
    )
    upper = (
        float("nan")
        if not np.isfinite(high_p) or high_p > 1
        else weighted_quantile(x, w, high_p, rule)
    )
    return lower, upper, (upper - lower) / (2.0 * crit)


def check_probabilities(quantiles: float | Sequence[float]) -> list[float]:
    """The requested probabilities as a list, each in ``[0, 1]``."""
    probs = [float(v) for v in np.atleast_1d(np.asarray(quantiles, dtype=float))]
    if not probs or any(not 0.0 <= p <= 1.0 for p in probs):
        raise EstimationError(f"quantiles must be probabilities in [0, 1]; got {quantiles}")
    return probs
