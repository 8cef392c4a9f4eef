"""Numbers -> estimates with uncertainty: survey designs, cluster bootstrap, intervals, indices.

Every estimator returns a tidy frame with ``value, lower, upper, n_effective, method``.
"""

from barometer.stats.composite import aggregate, composite_index, normalise
from barometer.stats.intervals import poisson_rate_interval, wilson_interval
from barometer.stats.resample import author_weighted_shares, cluster_bootstrap_share
from barometer.stats.survey import (
    estimate_domain_means,
    estimate_mean,
    estimate_mean_replicates,
    estimate_ratio,
    estimate_total,
    jk1_replicate_weights,
)

__all__ = [
    "aggregate",
    "author_weighted_shares",
    "cluster_bootstrap_share",
    "composite_index",
    "estimate_domain_means",
    "estimate_mean",
    "estimate_mean_replicates",
    "estimate_ratio",
    "estimate_total",
    "jk1_replicate_weights",
    "normalise",
    "poisson_rate_interval",
    "wilson_interval",
]
