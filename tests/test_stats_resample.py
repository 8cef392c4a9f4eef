"""Author-weighted shares with a cluster bootstrap."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.exceptions import EstimationError
from barometer.stats.resample import author_weighted_shares, cluster_bootstrap_share


def _posts(n_authors: int, seed: int = 0, posts: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    authors = np.repeat([f"a{i}" for i in range(n_authors)], posts)
    p = np.repeat(rng.uniform(0, 0.6, n_authors), posts)
    return pd.DataFrame({"author": authors, "neg": (rng.random(len(authors)) < p).astype(int)})


def test_each_author_counts_once() -> None:
    df = pd.DataFrame(
        {"author": ["loud"] * 10 + [f"q{i}" for i in range(9)], "neg": [1] * 10 + [0] * 9}
    )
    row = cluster_bootstrap_share(df, "author", "neg", seed=1).iloc[0]
    assert row["value"] == pytest.approx(0.1)
    assert row["n_effective"] == 10
    assert row["n"] == 19
    assert row["lower"] <= 0.1 <= row["upper"]
    assert list(row.index) == ["value", "lower", "upper", "n_effective", "n", "method"]


def test_probabilities_are_averaged_within_author_first() -> None:
    df = pd.DataFrame({"author": ["a", "a", "b"], "p": [0.2, 0.4, 0.9]})
    assert cluster_bootstrap_share(df, "author", "p", seed=0)["value"].iloc[0] == pytest.approx(
        (0.3 + 0.9) / 2
    )


def _splitmix(x: int) -> int:
    """SplitMix64's finaliser in Python integers (Steele, Lea and Flood 2014)."""
    mask = (1 << 64) - 1
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
    return x ^ (x >> 31)


def test_percentile_interval_matches_an_explicit_bootstrap() -> None:
    """The interval is the percentile interval of a cluster bootstrap written out by hand:
    the group's stream starts at mix(blake2b(key) ^ mix(seed)); draw k = r * n + j of
    replicate r, slot j is mix(origin + (k + 1) * gamma), mapped onto the n authors by
    multiply-shift; average the drawn authors' means, and take the quantiles."""
    df = _posts(25, seed=8, posts=4)
    n_boot, level, seed = 500, 0.9, 21
    row = cluster_bootstrap_share(df, "author", "neg", n_boot=n_boot, level=level, seed=seed)
    author_means = df.groupby("author")["neg"].mean().sort_index().to_numpy()
    n, mask, gamma = len(author_means), (1 << 64) - 1, 0x9E3779B97F4A7C15
    key = int.from_bytes(hashlib.blake2b(b"", digest_size=8).digest(), "little")
    origin = _splitmix(key ^ _splitmix(seed))
    replicates = []
    for r in range(n_boot):
        draws = [_splitmix((origin + (r * n + j + 1) * gamma) & mask) for j in range(n)]
        replicates.append(author_means[[((x >> 32) * n) >> 32 for x in draws]].mean())
    lower, upper = np.quantile(replicates, [0.05, 0.95])
    assert row["value"].iloc[0] == pytest.approx(author_means.mean())
    assert row["lower"].iloc[0] == pytest.approx(lower, rel=1e-12)
    assert row["upper"].iloc[0] == pytest.approx(upper, rel=1e-12)


def test_bootstrap_replicates_follow_the_resampling_distribution() -> None:
    """Two equal authors with shares 0 and 1: a replicate is 0, 0.5 or 1 with probabilities
    1/4, 1/2, 1/4, so the 80% interval is [0, 1] and the 40% interval is [0.5, 0.5]."""
    df = pd.DataFrame({"author": ["a", "b"], "neg": [0, 1]})
    wide = cluster_bootstrap_share(df, "author", "neg", n_boot=4000, level=0.8, seed=3).iloc[0]
    assert (wide["lower"], wide["upper"]) == (0.0, 1.0)
    narrow = cluster_bootstrap_share(df, "author", "neg", n_boot=4000, level=0.4, seed=3).iloc[0]
    assert (narrow["lower"], narrow["upper"]) == (0.5, 0.5)


def test_interval_shrinks_with_more_clusters() -> None:
    small = cluster_bootstrap_share(_posts(20), "author", "neg", seed=1).iloc[0]
    large = cluster_bootstrap_share(_posts(500), "author", "neg", seed=1).iloc[0]
    assert (large["upper"] - large["lower"]) < (small["upper"] - small["lower"]) / 2


def test_seed_makes_it_deterministic() -> None:
    df = _posts(30)
    a = cluster_bootstrap_share(df, "author", "neg", seed=42)
    b = cluster_bootstrap_share(df, "author", "neg", seed=42)
    c = cluster_bootstrap_share(df, "author", "neg", seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert not a[["lower", "upper"]].equals(c[["lower", "upper"]])


def test_grouped_matches_per_group_values() -> None:
    df = pd.concat(
        [_posts(15, seed=1).assign(nbh="n1"), _posts(40, seed=2).assign(nbh="n2")],
        ignore_index=True,
    )
    df.loc[0, "nbh"] = None  # a post without neighbourhood belongs to no group
    out = author_weighted_shares(df, ["nbh"], "author", "neg", seed=5)
    assert out["nbh"].tolist() == ["n1", "n2"]
    for _, row in out.iterrows():
        sub = df[df["nbh"] == row["nbh"]]
        assert row["value"] == pytest.approx(sub.groupby("author")["neg"].mean().mean())
        assert row["n_effective"] == sub["author"].nunique()
        assert row["n"] == len(sub)
        assert row["lower"] <= row["value"] <= row["upper"]
    assert (out["upper"] - out["lower"]).iloc[1] < (out["upper"] - out["lower"]).iloc[0]


def test_grouped_bootstrap_distribution_matches_single_group() -> None:
    """The vectorised grouped bootstrap has the same spread as the one-group bootstrap."""
    df = _posts(25, seed=9)
    single = cluster_bootstrap_share(df, "author", "neg", n_boot=4000, seed=1).iloc[0]
    both = pd.concat([df.assign(g="x"), df.assign(g="y")], ignore_index=True)
    grouped = author_weighted_shares(both, ["g"], "author", "neg", n_boot=4000, seed=2)
    width = single["upper"] - single["lower"]
    np.testing.assert_allclose(grouped["upper"] - grouped["lower"], width, rtol=0.1)


@settings(max_examples=25, deadline=None)
@given(
    shares=st.lists(st.floats(0, 1), min_size=1, max_size=30),
    posts=st.integers(1, 4),
)
def test_value_is_mean_of_author_means(shares: list[float], posts: int) -> None:
    df = pd.DataFrame(
        {"author": np.repeat(np.arange(len(shares)), posts), "p": np.repeat(shares, posts)}
    )
    row = cluster_bootstrap_share(df, "author", "p", n_boot=50, seed=0).iloc[0]
    assert row["value"] == pytest.approx(np.mean(shares))
    assert min(shares) - 1e-12 <= row["lower"] <= row["upper"] <= max(shares) + 1e-12


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (pd.DataFrame({"author": ["a"], "neg": [1]}), {"indicator": "x"}, r"columns \['x'\]"),
        (pd.DataFrame({"author": ["a"], "neg": [2]}), {}, r"must lie in \[0, 1\]"),
        (pd.DataFrame({"author": ["a"], "neg": ["yes"]}), {}, "must be numeric"),
        (pd.DataFrame({"author": [None, "b"], "neg": [1, 0]}), {}, "'author' is missing at row 0"),
        (pd.DataFrame({"author": ["a"], "neg": [np.nan]}), {}, "no non-missing values"),
        (pd.DataFrame({"author": ["a"], "neg": [1]}), {"n_boot": 1}, "n_boot must be"),
        (pd.DataFrame({"author": ["a"], "neg": [1]}), {"n_boot": 9.5}, "n_boot must be"),
        (pd.DataFrame({"author": ["a"], "neg": [1]}), {"level": 0.0}, "between 0 and 1"),
    ],
)
def test_errors(frame: pd.DataFrame, kwargs: dict, message: str) -> None:
    kwargs = {"cluster": "author", "indicator": "neg", **kwargs}
    with pytest.raises(EstimationError, match=message):
        cluster_bootstrap_share(frame, **kwargs)


def test_grouped_error_when_no_group_is_known() -> None:
    df = pd.DataFrame({"author": ["a", "b"], "neg": [1, 0], "nbh": [None, None]})
    with pytest.raises(EstimationError, match="missing value in the grouping columns"):
        author_weighted_shares(df, ["nbh"], "author", "neg")


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=12),
    chunk=st.integers(1, 20),
    block=st.integers(1, 40),
)
def test_draws_do_not_depend_on_how_the_groups_are_chunked(sizes, chunk, block) -> None:
    """Groups drawn a few at a time, in small blocks of replicates, get exactly the draws of
    all groups drawn at once (each group's stream is its own)."""
    from barometer.stats import resample

    rng = np.random.default_rng(len(sizes) + 7 * chunk)
    means = rng.random(sum(sizes))
    origins = rng.integers(0, 2**63, len(sizes)).astype(np.uint64)
    sizes_array = np.array(sizes)
    saved = resample._CHUNK_SLOTS, resample._MAX_BLOCK
    try:
        resample._CHUNK_SLOTS, resample._MAX_BLOCK = 10**9, 10**9
        whole = resample._bootstrap_group_means(means, sizes_array, origins, 23)
        resample._CHUNK_SLOTS, resample._MAX_BLOCK = chunk, block
        chunked = resample._bootstrap_group_means(means, sizes_array, origins, 23)
    finally:
        resample._CHUNK_SLOTS, resample._MAX_BLOCK = saved
    np.testing.assert_array_equal(chunked, whole)
    # and each replicate is a mean of the group's own entries
    ends = np.cumsum(sizes_array)
    for g, size in enumerate(sizes):
        own = means[ends[g] - size : ends[g]]
        assert own.min() - 1e-12 <= chunked[:, g].min() <= chunked[:, g].max() <= own.max() + 1e-12
