"""Interval coverage over many simulated samples, checked against a binomial bound.

Each test draws ``R`` independent samples from a known population (or model), builds the 95%
interval, and counts how often it contains the truth. With true coverage 0.95 the count is
Binomial(R, 0.95); the test fails when it falls outside the central 99.9% range of that
distribution, i.e. when the interval's real coverage is clearly not 95% (a false alarm has
probability 0.001).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from barometer.stats import SurveyDesign, cluster_bootstrap_share, fit_fay_herriot

NOMINAL = 0.95


def assert_nominal(hits: np.ndarray) -> None:
    r = len(hits)
    low, high = stats.binom.ppf([0.0005, 0.9995], r, NOMINAL)
    assert low <= hits.sum() <= high, f"coverage {hits.mean():.3f} over {r} samples"


def test_stratified_cluster_sample_t_interval() -> None:
    """4 strata x 40 clusters of 10 units; 8 clusters sampled per stratum without
    replacement (fpc 40); the estimand is the population mean."""
    rng = np.random.default_rng(101)
    strata, clusters, size = 4, 40, 10
    cluster_effect = rng.normal(0, 2, (strata, clusters))
    y = 50 + np.arange(strata)[:, None, None] * 3 + cluster_effect[..., None]
    y = y + rng.normal(0, 4, (strata, clusters, size))
    truth = y.mean()
    hits = []
    for _ in range(300):
        rows = []
        for h in range(strata):
            for c in rng.choice(clusters, 8, replace=False):
                rows += [(h, f"{h}-{c}", v) for v in y[h, c]]
        df = pd.DataFrame(rows, columns=["h", "psu", "y"]).assign(w=clusters / 8, N=clusters)
        est = SurveyDesign(df, ids="psu", strata="h", weights="w", fpc="N").mean("y").iloc[0]
        hits.append(est["lower"] <= truth <= est["upper"])
    assert_nominal(np.array(hits))


def test_raked_interval_keeps_its_coverage_and_is_narrower() -> None:
    """A population of 20 000 with two known margins; simple random samples of 300 raked to
    them. The raked interval (calibration residuals) covers the mean 95% of the time, and its
    standard error is that of the fixed-weight estimator times sqrt(1 - R^2), R^2 the share
    of the population variance of y explained by the margins (Sarndal et al. 1992, 7.6)."""
    rng = np.random.default_rng(202)
    n_pop = 20_000
    age = rng.choice(["young", "mid", "old"], n_pop, p=[0.3, 0.4, 0.3])
    abroad = rng.random(n_pop) < 0.35
    y = 6.0 + np.select([age == "young", age == "mid"], [-0.8, 0.2], 0.9) - 1.2 * abroad
    y = y + rng.normal(0, 1.5, n_pop)
    margins = {"age": pd.Series(age).value_counts(), "abroad": pd.Series(abroad).value_counts()}
    truth = y.mean()
    hits, ratio = [], []
    for _ in range(200):
        pick = rng.choice(n_pop, 300, replace=False)
        df = pd.DataFrame({"age": age[pick], "abroad": abroad[pick], "y": y[pick]})
        df["w"] = n_pop / 300
        raked = SurveyDesign(df, weights="w").rake(margins)
        est = raked.mean("y").iloc[0]
        fixed = SurveyDesign(df.assign(w=raked.weights), weights="w").mean("y").iloc[0]
        hits.append(est["lower"] <= truth <= est["upper"])
        ratio.append(est["se"] / fixed["se"])
    assert_nominal(np.array(hits))
    x = pd.get_dummies(pd.DataFrame({"age": age, "abroad": abroad.astype(str)}), dtype=float)
    fitted = x.to_numpy() @ np.linalg.lstsq(x.to_numpy(), y, rcond=None)[0]
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert np.mean(ratio) == pytest.approx(np.sqrt(1 - r2), abs=0.02)


def test_fay_herriot_intervals_cover_the_area_means() -> None:
    """Fay-Herriot model with 30 areas, A = 0.25, sampling variances 0.1-1; one area per
    replication (so the trials are independent), Prasad-Rao MSE normal intervals."""
    rng = np.random.default_rng(303)
    m = 30
    vardir = np.linspace(0.1, 1.0, m)
    x = rng.normal(0, 1, m)
    hits = []
    for rep in range(300):
        theta = 2.0 + 0.5 * x + rng.normal(0, 0.5, m)
        direct = pd.DataFrame({"y": theta + rng.normal(0, np.sqrt(vardir)), "v": vardir, "x": x})
        area = fit_fay_herriot(direct, "y", "v", ["x"]).areas.iloc[rep % m]
        hits.append(area["lower"] <= theta[rep % m] <= area["upper"])
    assert_nominal(np.array(hits))


def test_cluster_bootstrap_percentile_interval_covers_the_share() -> None:
    """80 authors per sample, each with their own probability of a negative post and 1-9
    posts; the estimand is the population mean of the authors' probabilities."""
    rng = np.random.default_rng(404)
    hits = []
    for _ in range(250):
        p = rng.beta(2, 5, 80)
        posts = rng.integers(1, 10, 80)
        author = np.repeat(np.arange(80), posts)
        df = pd.DataFrame({"author": author, "p": np.repeat(p, posts)})
        est = cluster_bootstrap_share(df, "author", "p", n_boot=299, seed=rng).iloc[0]
        hits.append(est["lower"] <= 2 / 7 <= est["upper"])
    assert_nominal(np.array(hits))
