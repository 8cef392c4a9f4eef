"""Numbers -> estimates with uncertainty: survey designs, cluster bootstrap, intervals, indices.

Every estimator returns a tidy frame with ``value, lower, upper, n_effective, method``.
"""

from barometer.stats.composite import aggregate, composite_index, normalise
from barometer.stats.design import SurveyDesign
from barometer.stats.intervals import poisson_rate_interval, wilson_interval
from barometer.stats.replicate_design import ReplicateDesign
from barometer.stats.resample import author_weighted_shares, cluster_bootstrap_share
from barometer.stats.sae import FayHerriotResult, fit_fay_herriot
from barometer.stats.survey import (
    estimate_domain_means,
    estimate_mean,
    estimate_ratio,
    estimate_total,
)
from barometer.stats.trends import alerts, change_points, trend_test
from barometer.stats.weighting import (
    WeightingResult,
    poststratify,
    rake,
    weighting_design_effect,
)

__all__ = [
    "FayHerriotResult",
    "ReplicateDesign",
    "SurveyDesign",
    "WeightingResult",
    "aggregate",
    "alerts",
    "author_weighted_shares",
    "change_points",
    "cluster_bootstrap_share",
    "composite_index",
    "estimate_domain_means",
    "estimate_mean",
    "estimate_ratio",
    "estimate_total",
    "fit_fay_herriot",
    "normalise",
    "poisson_rate_interval",
    "poststratify",
    "rake",
    "trend_test",
    "weighting_design_effect",
    "wilson_interval",
]
