"""Numbers -> estimates with uncertainty: survey designs, small areas, cluster bootstrap,
intervals, composite indices, measurement invariance.

Every estimator returns a tidy frame with ``value, lower, upper, n_effective, method``.
"""

from barometer.stats.composite import aggregate, composite_index, normalise
from barometer.stats.composite_framework import IndexFramework
from barometer.stats.composite_pipeline import (
    Aggregate,
    CompositePipeline,
    Denominate,
    Impute,
    Normalise,
    Screen,
    Treat,
)
from barometer.stats.design import SurveyDesign
from barometer.stats.intervals import poisson_rate_interval, wilson_interval
from barometer.stats.invariance import measurement_invariance
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
    "Aggregate",
    "CompositePipeline",
    "Denominate",
    "FayHerriotResult",
    "Impute",
    "IndexFramework",
    "Normalise",
    "ReplicateDesign",
    "Screen",
    "SurveyDesign",
    "Treat",
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
    "measurement_invariance",
    "normalise",
    "poisson_rate_interval",
    "poststratify",
    "rake",
    "trend_test",
    "weighting_design_effect",
    "wilson_interval",
]
