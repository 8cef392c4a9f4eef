"""One bootstrap stream per cell (issue 13): SplitMix64's published outputs, a known answer,
coverage of the true author-weighted share, and a cell's interval independent of the others."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.stats.resample import author_weighted_shares
from barometer.stats.streams import canonical_key, key_hashes, mix


def test_splitmix64_gives_its_published_first_outputs() -> None:
    """SplitMix64 seeded with 0 (the reference C code of Vigna's xoshiro page) starts
    0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f: draw k is mix(k * gamma)."""
    gamma = 0x9E3779B97F4A7C15
    states = np.array([(k * gamma) % 2**64 for k in (1, 2, 3)], dtype=np.uint64)
    assert [int(v) for v in mix(states)] == [
        0xE220A8397B1DCDAF,
        0x6E789E6AA1B965F4,
        0x06C45D188009454F,
    ]


def test_canonical_keys_do_not_depend_on_the_type_of_a_date() -> None:
    day = pd.Timestamp("2024-03-01")
    assert canonical_key(["fittja", day]) == "fittja\x1f2024-03-01"
    assert canonical_key(["fittja", day.date()]) == canonical_key(["fittja", np.datetime64(day)])
    assert key_hashes(["a"])[0] != key_hashes(["b"])[0]


def _cells(rng: np.random.Generator, names: list[str], p: float = 0.3) -> pd.DataFrame:
    """Posts of cells named ``names``: 8-40 authors each, 1-6 posts per author, each author
    flagging a post with their own probability (mean ``p``)."""
    frames = []
    for name in names:
        n = int(rng.integers(8, 41))
        share = rng.beta(2, 2 * (1 - p) / p, n)
        posts = rng.integers(1, 7, n)
        author = np.repeat([f"{name}-a{i}" for i in range(n)], posts)
        flag = rng.random(len(author)) < np.repeat(share, posts)
        frames.append(pd.DataFrame({"cell": name, "author": author, "flag": flag.astype(int)}))
    return pd.concat(frames, ignore_index=True)


def test_a_cell_whose_authors_all_flag_has_the_interval_one_to_one() -> None:
    df = pd.DataFrame(
        {"cell": ["all"] * 6 + ["some"] * 4, "author": list("abcdefghij"),
         "flag": [1] * 6 + [1, 0, 0, 1]}
    )  # fmt: skip
    out = author_weighted_shares(df, ["cell"], "author", "flag", n_boot=199, seed=3)
    row = out.set_index("cell").loc["all"]
    assert (row["value"], row["lower"], row["upper"]) == (1.0, 1.0, 1.0)
    assert (
        out.set_index("cell").loc["some", "lower"]
        < 0.5
        < out.set_index("cell").loc["some", "upper"]
    )


def test_intervals_cover_the_true_author_weighted_share() -> None:
    """200 simulated cells of one population (author shares ~ Beta, mean 0.3, 150 authors
    each): the 95% interval of each cell, from that cell's own stream, covers 0.3 (the true
    author-weighted share) at about the nominal rate: 0.95 +- 3.3 binomial standard errors of
    200 cells is [0.90, 0.99]."""
    rng = np.random.default_rng(11)
    frames = []
    for c in range(200):
        share = rng.beta(1.5, 3.5, 150)  # mean 0.3
        frames.append(pd.DataFrame({"cell": c, "author": np.arange(150), "p": share}))
    out = author_weighted_shares(
        pd.concat(frames, ignore_index=True), ["cell"], "author", "p", n_boot=399, level=0.95,
        seed=5,
    )  # fmt: skip
    coverage = ((out["lower"] <= 0.3) & (out["upper"] >= 0.3)).mean()
    assert 0.90 <= coverage <= 0.99, coverage


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32), others=st.integers(0, 6), order=st.randoms())
def test_a_cells_interval_does_not_depend_on_the_other_cells(seed: int, others: int, order) -> None:
    """Fittja's interval is the same alone, with other cells added, and with the rows (and so
    the cells) in any order."""
    rng = np.random.default_rng(seed)
    fittja = _cells(rng, ["fittja"])
    alone = author_weighted_shares(fittja, ["cell"], "author", "flag", n_boot=99, seed=seed)
    crowd = pd.concat([fittja, *[_cells(rng, [f"c{i}"]) for i in range(others)]], ignore_index=True)
    rows = list(range(len(crowd)))
    order.shuffle(rows)
    with_others = author_weighted_shares(
        crowd.iloc[rows], ["cell"], "author", "flag", n_boot=99, seed=seed
    ).set_index("cell")
    for column in ("value", "lower", "upper", "n_effective", "n"):
        assert with_others.loc["fittja", column] == alone[column].iloc[0]
