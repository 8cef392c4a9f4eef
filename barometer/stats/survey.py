"""One-call design-based estimates, thin wrappers around :class:`SurveyDesign`.

Each function builds ``SurveyDesign(df, ids=psu, strata=strata, weights=weight, fpc=fpc,
nest=True, lonely_psu=lonely_psu)`` (a one-stage design with PSU ids taken as nested within
strata, R's ``svydesign(id=~psu, strata=~strata, weights=~weight, fpc=~fpc, nest=TRUE)``) and
calls one estimator; for anything more (several stages,
calibration, replicate weights, quantiles, regression) use the design object directly. Result
columns: the domain columns, then ``variable, category, value, se, lower, upper, df, n,
n_effective, method`` (see :mod:`barometer.stats.design_base`).
"""

from __future__ import annotations

import pandas as pd

from barometer.stats._checks import RESULT_COLUMNS
from barometer.stats.design import SurveyDesign
from barometer.stats.estimands import as_list
from barometer.stats.linearisation import LonelyPSU

__all__ = [
    "RESULT_COLUMNS",
    "LonelyPSU",
    "SurveyDesign",
    "estimate_domain_means",
    "estimate_mean",
    "estimate_ratio",
    "estimate_total",
]


def _design(
    df: pd.DataFrame,
    weight: str,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    lonely_psu: LonelyPSU,
) -> SurveyDesign:
    return SurveyDesign(
        df, ids=psu, strata=strata, weights=weight, fpc=fpc, nest=True, lonely_psu=lonely_psu
    )


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
    """Population mean of ``y`` (R: ``svymean(~y, design, na.rm=TRUE)``).

    ``strata``/``psu`` ``None``: one stratum, one PSU per row; ``fpc``: population PSU count
    per stratum (or sampling fractions <= 1). See :meth:`SurveyDesign.mean`.
    """
    return _design(df, weight, strata, psu, fpc, lonely_psu).mean(y, level)


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
    """Population total of ``y`` (R: ``svytotal``), optionally per domain (``svyby``)."""
    design = _design(df, weight, strata, psu, fpc, lonely_psu)
    return design.by(as_list(domain)).total(y, level) if domain else design.total(y, level)


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
    """Ratio of population totals ``Y / X`` (R: ``svyratio(~y, ~x, design)``), optionally
    per domain; ``variable`` is ``"y/x"``."""
    design = _design(df, weight, strata, psu, fpc, lonely_psu)
    if domain:
        return design.by(as_list(domain)).ratio(y, x, level)
    return design.ratio(y, x, level)


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
    """Mean of ``y`` in each domain (R: ``svyby(~y, ~domain, design, svymean)``), sorted by
    domain; domains whose ``y`` are all missing get NaN estimates and ``n = 0``."""
    return _design(df, weight, strata, psu, fpc, lonely_psu).by(domain).mean(y, level)
