"""Outlier treatment of composite-index indicators, as COINr's ``Treat`` (JRC).

An indicator *passes* when ``|skewness| < skew_max`` or ``kurtosis < kurtosis_max`` (sample
skewness and excess kurtosis with the small-sample corrections of Excel / e1071 type 2,
i.e. ``scipy.stats.skew(bias=False)`` and ``kurtosis(bias=False)``). A failing indicator is
winsorised: repeatedly, the highest value(s) (when the skew is >= 0) or the lowest value(s)
(otherwise) are set to the next value in, until it passes or ``winmax`` is reached. If
winsorising does not make it pass, the *original* values are log-transformed instead,
``log(x - min + 0.01 (max - min))`` (COINr's ``log_CT``).

The ``winmax`` limit: with ``winmax_rule="coinr"`` (default) the count is the number of points
changed by the *last* high-side and the *last* low-side winsorisation, exactly as COINr 1.x,
which reproduces its published results; ``"cumulative"`` counts every point changed so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from barometer.exceptions import EstimationError

WinmaxRule = Literal["coinr", "cumulative"]


@dataclass(frozen=True)
class Treatment:
    """What happened to one indicator: ``"none"``, ``"winsorised"`` or ``"log"``."""

    method: str
    n_winsorised: int
    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float


def skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Sample skewness and excess kurtosis (type 2, bias-corrected) of the non-missing ``x``."""
    v = x[~np.isnan(x)]
    if v.size < 4:
        raise EstimationError(f"skewness and kurtosis need >= 4 non-missing values; got {v.size}")
    spread = np.ptp(v)
    if spread == 0:
        return 0.0, 0.0
    # both are invariant to location and scale; standardising first keeps the moments of
    # tiny (subnormal) values from underflowing to 0/0
    v = (v - v.mean()) / spread
    if np.var(v) == 0:
        return 0.0, 0.0
    return float(stats.skew(v, bias=False)), float(stats.kurtosis(v, bias=False))


def passes(x: np.ndarray, skew_max: float, kurtosis_max: float) -> bool:
    """True when ``|skewness| < skew_max`` or ``kurtosis < kurtosis_max``."""
    sk, kt = skew_kurtosis(x)
    return abs(sk) < skew_max or kt < kurtosis_max


def winsorise(
    x: np.ndarray,
    winmax: int = 5,
    skew_max: float = 2.0,
    kurtosis_max: float = 3.5,
    winmax_rule: WinmaxRule = "coinr",
) -> tuple[np.ndarray, bool, int]:
    """``(values, passes, points changed)`` after COINr-style winsorisation (NaN kept)."""
    if winmax_rule not in ("coinr", "cumulative"):
        raise EstimationError(f"winmax_rule must be 'coinr' or 'cumulative'; got {winmax_rule!r}")
    out = np.array(x, dtype=float)
    ok = passes(out, skew_max, kurtosis_max)
    last_high = last_low = 0
    changed = np.zeros(out.shape, dtype=bool)
    for _ in range(out.size):  # each step changes >= 1 point: a safe bound
        count = last_high + last_low if winmax_rule == "coinr" else int(changed.sum())
        if ok or count >= winmax:
            break
        values = out[~np.isnan(out)]
        high = skew_kurtosis(out)[0] >= 0
        extreme = values.max() if high else values.min()
        at = out == extreme
        rest = values[values != extreme]
        if rest.size == 0:
            break
        out[at] = rest.max() if high else rest.min()
        changed |= at
        if high:
            last_high = int(at.sum())
        else:
            last_low = int(at.sum())
        ok = passes(out, skew_max, kurtosis_max)
    return out, ok, int(changed.sum())


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: ``log(x - min + 0.01 (max - min))`` (NaN kept)."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


def treat(
    x: np.ndarray,
    winmax: int = 5,
    skew_max: float = 2.0,
    kurtosis_max: float = 3.5,
    winmax_rule: WinmaxRule = "coinr",
) -> tuple[np.ndarray, Treatment]:
    """Treat one indicator (see the module docstring); returns the values and a record."""
    x = np.asarray(x, dtype=float)
    sk0, kt0 = skew_kurtosis(x)
    if abs(sk0) < skew_max or kt0 < kurtosis_max:
        return x, Treatment("none", 0, sk0, kt0, sk0, kt0)
    won, ok, count = winsorise(x, winmax, skew_max, kurtosis_max, winmax_rule)
    if ok:
        out, method = won, "winsorised"
    else:
        out, method, count = log_ct(x), "log", 0
    sk1, kt1 = skew_kurtosis(out)
    return out, Treatment(method, count, sk0, kt0, sk1, kt1)
