"""Design-based estimates for stratified, clustered survey samples.

Variances use Taylor linearisation under the usual with-replacement approximation for the first
stage (as R's ``survey`` package, ``svydesign(id=, strata=, weights=, fpc=)``), with an optional
finite population correction. Domains (sub-populations) keep the full design: influence values
are zero outside the domain, as in R's ``svyby``; rows with a missing outcome are handled as a
domain too (R's ``na.rm=TRUE``), so strata and PSUs without usable answers still count.

Every estimator returns a tidy frame, one row per estimate, with the columns
``variable, category, value, se, lower, upper, df, n, n_effective, method`` (preceded by the
domain columns for domain estimates). ``n`` counts the rows used; ``n_effective`` is Kish's
effective sample size ``(sum w)^2 / sum w^2`` over those rows, which reflects unequal weights
but not clustering (no design effect). Intervals are ``value +/- t(df) * se`` with
``df = #PSUs - #strata`` of the whole design.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats._checks import (
    RESULT_COLUMNS,
    check_level,
    factor_codes,
    positive_weights,
    require_columns,
)
from barometer.stats.replicates import estimate_mean_replicates, jk1_replicate_weights

__all__ = [
    "RESULT_COLUMNS",
    "LonelyPSU",
    "estimate_domain_means",
    "estimate_mean",
    "estimate_mean_replicates",
    "estimate_ratio",
    "estimate_total",
    "jk1_replicate_weights",
]

LonelyPSU = Literal["fail", "certainty", "remove", "adjust"]
_LONELY = ("fail", "certainty", "remove", "adjust")


@dataclass(frozen=True)
class _Design:
    weight: np.ndarray  # (n,) positive sampling weights
    psu: np.ndarray  # (n,) PSU code, unique across strata (PSUs are nested in strata)
    psu_stratum: np.ndarray  # (n_psu,) stratum code of each PSU
    n_h: np.ndarray  # (H,) PSUs sampled per stratum
    f_h: np.ndarray  # (H,) first-stage sampling fraction per stratum (0 without fpc)
    df: int
    lonely_psu: str


def _build_design(
    df: pd.DataFrame,
    weight: str,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    lonely_psu: str,
) -> _Design:
    require_columns(df, [weight, strata, psu, fpc])
    if len(df) < 2:
        raise EstimationError(f"expected at least 2 rows to estimate a variance; got {len(df)}")
    if lonely_psu not in _LONELY:
        raise EstimationError(f"lonely_psu must be one of {_LONELY}; got {lonely_psu!r}")
    w = positive_weights(df, weight)
    n = len(df)
    if strata is None:
        s_codes, s_labels = np.zeros(n, dtype=np.int64), np.array(["all"], dtype=object)
    else:
        s_codes, s_labels = factor_codes(df[strata], "strata")
    p_codes = np.arange(n) if psu is None else factor_codes(df[psu], "psu")[0]
    keys, psu_idx = np.unique(s_codes * (int(p_codes.max()) + 1) + p_codes, return_inverse=True)
    psu_stratum = keys // (int(p_codes.max()) + 1)
    n_h = np.bincount(psu_stratum, minlength=len(s_labels))
    f_h = np.zeros(len(s_labels))
    if fpc is not None:
        pop = df[fpc].to_numpy(dtype=float, na_value=np.nan)
        if not np.isfinite(pop).all() or (pop <= 0).any():
            raise EstimationError(f"fpc column '{fpc}' must hold finite positive numbers")
        pop_h = np.bincount(s_codes, weights=pop) / np.bincount(s_codes)
        if not np.allclose(pop, pop_h[s_codes]):
            raise EstimationError(f"fpc column '{fpc}' must be constant within each stratum")
        # Like R's survey: values <= 1 are sampling fractions, otherwise population PSU counts.
        f_h = pop_h if (pop <= 1).all() else n_h / pop_h
        if (f_h > 1 + 1e-12).any():
            h = int(np.argmax(f_h))
            raise EstimationError(
                f"fpc column '{fpc}': stratum {s_labels[h]!r} has {n_h[h]} sampled PSUs but a "
                f"population of {pop_h[h]:g}; expected population counts >= sample counts"
            )
    lonely = np.flatnonzero(n_h == 1)
    if lonely.size and lonely_psu == "fail":
        raise EstimationError(
            f"stratum {s_labels[lonely[0]]!r} has only one PSU, so its variance is undefined; "
            "merge strata or pass lonely_psu='certainty', 'remove' or 'adjust'"
        )
    return _Design(w, psu_idx, psu_stratum, n_h, f_h, len(keys) - len(s_labels), lonely_psu)


def _linearised_variance(
    design: _Design, z: np.ndarray, domain: np.ndarray, n_dom: int
) -> np.ndarray:
    """Variance of each domain's estimate from influence values ``z`` (zero outside domains).

    PSU totals are only formed where a domain has rows (sparse); PSUs without rows of a domain
    contribute a total of zero to that domain's stratum mean and sum of squares.
    """
    inside = domain >= 0
    keys, inv = np.unique(design.psu[inside] * n_dom + domain[inside], return_inverse=True)
    t = np.bincount(inv, weights=z[inside])
    n_strata = len(design.n_h)
    cell = design.psu_stratum[keys // n_dom] * n_dom + keys % n_dom
    size = n_strata * n_dom
    n_h = design.n_h.astype(float)[:, None]
    s1 = np.bincount(cell, weights=t, minlength=size).reshape(n_strata, n_dom)
    present = np.bincount(cell, minlength=size).reshape(n_strata, n_dom)
    tbar = s1 / n_h
    dev = t - tbar.ravel()[cell]
    ss = np.bincount(cell, weights=dev * dev, minlength=size).reshape(n_strata, n_dom)
    ss += (n_h - present) * tbar**2  # PSUs of the stratum with no rows in the domain
    fpc = (1.0 - design.f_h)[:, None]
    multi = n_h > 1
    scale = np.where(multi, fpc * n_h / np.where(multi, n_h - 1, 1.0), 0.0)
    var = (scale * ss).sum(axis=0)
    if design.lonely_psu == "adjust" and not multi.all():
        centre = s1.sum(axis=0) / design.n_h.sum()  # mean PSU total over the whole sample
        var += (np.where(multi, 0.0, fpc) * (s1 - centre) ** 2).sum(axis=0)
    return np.maximum(var, 0.0)


def _domain_codes(df: pd.DataFrame, domain: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    grouped = df.groupby(domain, sort=True, dropna=True)
    codes = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
    labels = grouped.size().index.to_frame(index=False)
    return np.where(np.isnan(codes), -1, codes).astype(np.int64), labels


def _outcomes(df: pd.DataFrame, y: str) -> list[tuple[str | None, np.ndarray]]:
    """``[(category, values)]``: one numeric vector, or one 0/1 dummy per level of a factor."""
    column = df[y]
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return [(None, column.to_numpy(dtype=float, na_value=np.nan))]
    codes, levels = pd.factorize(column, sort=True)
    missing = codes < 0
    return [(str(lvl), np.where(missing, np.nan, codes == k)) for k, lvl in enumerate(levels)]


def _estimate(
    kind: str,
    df: pd.DataFrame,
    y: str,
    weight: str,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    level: float,
    lonely_psu: str,
    domain: str | list[str] | None = None,
    x: str | None = None,
) -> pd.DataFrame:
    check_level(level)
    dom_cols = [domain] if isinstance(domain, str) else list(domain or [])
    require_columns(df, [y, x, *dom_cols])
    design = _build_design(df, weight, strata, psu, fpc, lonely_psu)
    if design.df < 1:
        raise EstimationError(
            f"the design has {design.df} degrees of freedom (#PSUs - #strata); expected >= 1"
        )
    if dom_cols:
        dom, labels = _domain_codes(df, dom_cols)
    else:
        dom, labels = np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=[0])
    n_dom = len(labels)
    if x is not None:
        if not pd.api.types.is_numeric_dtype(df[x]):
            raise EstimationError(f"ratio denominator '{x}' must be numeric; got {df[x].dtype}")
        xv = df[x].to_numpy(dtype=float, na_value=np.nan)
    w = design.weight
    t_crit = stats.t.ppf(0.5 + level / 2.0, design.df)
    frames = []
    for category, yv in _outcomes(df, y):
        if x is not None and category is not None:
            raise EstimationError(f"ratio numerator '{y}' must be numeric; got {df[y].dtype}")
        ok = ~np.isnan(yv) if x is None else ~np.isnan(yv) & ~np.isnan(xv)
        d = np.where(ok, dom, -1)
        safe = np.where(ok, yv, 0.0)
        n = np.bincount(d[ok], minlength=n_dom)
        sw = np.bincount(d[ok], weights=w[ok], minlength=n_dom)
        sw2 = np.bincount(d[ok], weights=w[ok] ** 2, minlength=n_dom)
        swy = np.bincount(d[ok], weights=(w * safe)[ok], minlength=n_dom)
        if kind == "total":
            value, z = swy, w * safe
        else:
            den = sw if x is None else np.bincount(d[ok], weights=(w * xv)[ok], minlength=n_dom)
            if (den[n > 0] == 0).any():
                raise EstimationError(
                    f"the weighted sum of '{x}' is zero in a domain; "
                    "expected a non-zero ratio denominator"
                )
            value = np.divide(swy, den, out=np.full(n_dom, np.nan), where=n > 0)
            xi = np.ones(len(df)) if x is None else np.where(ok, xv, 0.0)
            safe_d = np.maximum(d, 0)
            z = np.where(ok, w * (safe - value[safe_d] * xi) / den[safe_d], 0.0)
        se = np.sqrt(_linearised_variance(design, z, d, n_dom))
        se = np.where(n > 0, se, np.nan)
        neff = np.divide(sw**2, sw2, out=np.zeros(n_dom), where=n > 0)
        part = labels.copy()
        part["variable"] = y if x is None else f"{y}/{x}"
        part["category"] = category
        part["value"] = value
        part["se"] = se
        part["lower"] = value - t_crit * se
        part["upper"] = value + t_crit * se
        part["df"] = design.df
        part["n"] = n
        part["n_effective"] = neff
        part["method"] = f"design-based {kind}, Taylor linearisation"
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    return out[[*dom_cols, *RESULT_COLUMNS]]


def estimate_mean(
    df: pd.DataFrame,
    y: str,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    level: float = 0.95,
    lonely_psu: LonelyPSU = "fail",
) -> pd.DataFrame:
    """Estimate the population mean of ``y`` (R: ``svymean(~y, design, na.rm=TRUE)``).

    Parameters
    ----------
    df
        One row per respondent.
    y
        Outcome column, in its own units (e.g. a 0-10 trust item). A non-numeric column is a
        factor: one row per level with the estimated population share (0-1). Booleans are 0/1.
        Missing values are dropped as a domain, keeping the full design.
    weight
        Sampling (inverse-probability) weights, finite and positive.
    strata, psu
        Stratum and first-stage cluster columns; ``None`` means one stratum and one PSU per row.
        PSU ids are taken as nested within strata.
    fpc
        Population count of PSUs per stratum (constant within a stratum), or sampling fractions
        if every value is <= 1. ``None`` means sampling with replacement (no correction).
    level
        Confidence level of the t interval on the design degrees of freedom.
    lonely_psu
        A stratum with a single PSU: ``"fail"`` raises; ``"certainty"`` and ``"remove"`` let
        it contribute zero variance; ``"adjust"`` centres it on the overall mean PSU total.

    Returns
    -------
    pandas.DataFrame
        Columns ``variable, category, value, se, lower, upper, df, n, n_effective, method``.
    """
    return _estimate("mean", df, y, weight, strata, psu, fpc, level, lonely_psu)


def estimate_total(
    df: pd.DataFrame,
    y: str,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    level: float = 0.95,
    lonely_psu: LonelyPSU = "fail",
    domain: str | list[str] | None = None,
) -> pd.DataFrame:
    """Estimate the population total of ``y`` (R: ``svytotal``), optionally per domain.

    A factor ``y`` gives the estimated population count of each level. Missing ``y`` count as
    outside the domain (``na.rm=TRUE``). Parameters and columns as in :func:`estimate_mean`.
    """
    return _estimate("total", df, y, weight, strata, psu, fpc, level, lonely_psu, domain)


def estimate_ratio(
    df: pd.DataFrame,
    y: str,
    x: str,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    level: float = 0.95,
    lonely_psu: LonelyPSU = "fail",
    domain: str | list[str] | None = None,
) -> pd.DataFrame:
    """Estimate the ratio of population totals ``Y / X`` (R: ``svyratio(~y, ~x, design)``).

    Rows where ``y`` or ``x`` is missing are left out as a domain. The influence value of row
    ``i`` is ``w_i (y_i - R x_i) / X_hat``. ``variable`` is ``"y/x"``; other parameters and
    columns as in :func:`estimate_mean`.
    """
    return _estimate("ratio", df, y, weight, strata, psu, fpc, level, lonely_psu, domain, x)


def estimate_domain_means(
    df: pd.DataFrame,
    y: str,
    domain: str | list[str],
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    level: float = 0.95,
    lonely_psu: LonelyPSU = "fail",
) -> pd.DataFrame:
    """Estimate the mean of ``y`` in each domain (R: ``svyby(~y, ~domain, design, svymean)``).

    The whole design is kept: each domain's influence values are zero outside it, so strata
    and PSUs with no rows in a domain still count. Rows with a missing domain value belong to
    no domain. Domains whose ``y`` are all missing get ``value`` NaN and ``n`` 0.

    Returns
    -------
    pandas.DataFrame
        The domain columns, then the columns of :func:`estimate_mean`, one row per domain
        (and per level of a factor ``y``), sorted by domain.
    """
    return _estimate("mean", df, y, weight, strata, psu, fpc, level, lonely_psu, domain)
