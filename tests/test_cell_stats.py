"""The digital aggregate from sufficient statistics (issue 13): known answers, and the same
cells, intervals and disclosure counts whether built from posts at once or partition by
partition."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.aggregate.cell_stats import CELL_STATS_SCHEMA, cell_stats, merge_cell_stats
from barometer.aggregate.digital import digital_from_stats
from barometer.aggregate.post_summaries import merge_summaries, summarise_partition
from barometer.partitions import post_partitions
from barometer.stats.resample import author_weighted_shares, shares_from_clusters


def _posts(rows: list[tuple[str, str, str, str, bool]]) -> pd.DataFrame:
    """(post id, author, neighbourhood, ISO time, is_repost) -> posts rows."""
    ids, authors, places, times, reposts = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "post_id": ids,
            "source": [i.split(":")[0] for i in ids],
            "author_pseudonym": authors,
            "neighbourhood_id": places,
            "created_at": pd.to_datetime(list(times), utc=True),
            "lang": "sv",
            "is_repost": reposts,
        }
    )


def _scores(labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"post_id": list(labels), "task": "sentiment", "label": list(labels.values())}
    )


def test_known_shares_and_people_from_cell_stats() -> None:
    posts = _posts(
        [
            ("x:1", "a", "fittja", "2024-03-01T10:00Z", False),
            ("x:2", "a", "fittja", "2024-03-09T10:00Z", False),
            ("x:3", "b", "fittja", "2024-03-20T10:00Z", False),
            ("x:4", "b", "fittja", "2024-03-21T10:00Z", True),  # a repost: not counted
            ("x:5", "c", "fittja", "2024-04-02T10:00Z", False),
        ]
    )
    scores = _scores(
        {"x:1": "negative", "x:2": "positive", "x:3": "negative", "x:4": "negative",
         "x:5": "neutral"}
    )  # fmt: skip
    stats = cell_stats(posts, scores)
    negative = stats[stats["indicator"] == "digital_negative_share"].set_index("author_pseudonym")
    assert negative.loc["a", ["n_posts", "n_flagged"]].tolist() == [2, 1]
    assert negative.loc["b", ["n_posts", "n_flagged"]].tolist() == [1, 1]
    cells = digital_from_stats(stats, n_boot=50, level=0.9, seed=1).set_index("period_start")
    march = cells.loc[pd.Timestamp("2024-03-01").date()]
    assert march["value"] == pytest.approx(0.75)  # (1/2 + 1) / 2 authors
    assert march["n_numerator"] == 2 and march["n_complement"] == 1  # a has an unflagged post
    assert march["n_effective"] == 2
    april = cells.loc[pd.Timestamp("2024-04-01").date()]
    assert april["value"] == 0 and april["lower"] == april["upper"] == 0


def test_shares_from_clusters_are_the_shares_of_the_rows_draw_for_draw() -> None:
    rng = np.random.default_rng(3)
    rows = pd.DataFrame(
        {
            "cell": rng.choice(["a", "b", "c"], 400),
            "author": rng.choice([f"u{i}" for i in range(40)], 400),
            "flag": rng.integers(0, 2, 400).astype(float),
        }
    )
    direct = author_weighted_shares(rows, ["cell"], "author", "flag", n_boot=99, seed=7)
    per = rows.groupby(["cell", "author"], sort=True)["flag"].agg(["sum", "size"]).reset_index()
    per["mean"] = per["sum"] / per["size"]
    summed = shares_from_clusters(per[["cell", "author", "mean", "size"]], ["cell"], 99, seed=7)
    pd.testing.assert_frame_equal(direct, summed)


def _sorted(stats: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator", "neighbourhood_id", "period_start", "author_pseudonym"]
    return stats.sort_values(keys).reset_index(drop=True)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["x", "mastodon"]),
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(["fittja", "alby", None]),
            st.sampled_from(["2024-01-05", "2024-01-28", "2024-02-10", "2024-03-31"]),
            st.booleans(),
            st.sampled_from(["negative", "positive", None]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_partition_by_partition_equals_all_at_once(records) -> None:
    posts = _posts(
        [
            (f"{src}:{i}", f"{src}-{author}", place, f"{day}T12:00Z", repost)
            for i, (src, author, place, day, repost, _) in enumerate(records)
        ]
    )
    labels = {f"{r[0]}:{i}": r[5] for i, r in enumerate(records) if r[5] is not None}
    scores = _scores(labels)
    whole = summarise_partition(posts, scores)
    where = post_partitions(posts)
    parts = []
    for name in sorted(set(where)):
        mine = posts[where == name]
        parts.append(summarise_partition(mine, scores[scores["post_id"].isin(mine["post_id"])]))
    merged, at_once = merge_summaries(parts), merge_summaries([whole])
    # partitions never share a cell x author row (pseudonyms name their source): no adding up
    apart = merge_summaries(parts, overlapping=False).cell_stats
    pd.testing.assert_frame_equal(apart, merged.cell_stats)
    pd.testing.assert_frame_equal(_sorted(merged.cell_stats), _sorted(at_once.cell_stats))
    pd.testing.assert_frame_equal(merged.languages, at_once.languages)
    pd.testing.assert_frame_equal(merged.coverage, at_once.coverage)
    pd.testing.assert_frame_equal(merge_cell_stats([whole.cell_stats]), at_once.cell_stats)
    if not at_once.cell_stats.empty:
        a = digital_from_stats(merged.cell_stats, n_boot=20, level=0.9, seed=5)
        b = digital_from_stats(at_once.cell_stats, n_boot=20, level=0.9, seed=5)
        pd.testing.assert_frame_equal(a, b)
        # the partitions' tables as the summary cache stores them, merged out of core
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for i, part in enumerate(parts):
                paths.append(Path(folder) / f"cell_stats-{i}.parquet")
                table = pa.Table.from_pandas(part.cell_stats, CELL_STATS_SCHEMA, False)
                pq.write_table(table, paths[-1])
            c = digital_from_stats(paths, n_boot=20, level=0.9, seed=5)
        pd.testing.assert_frame_equal(c, b)


def test_cell_stats_of_cells_spanning_two_partition_files_are_added_up(tmp_path) -> None:
    # author a has 2 posts (1 negative) in the March cell in one file and 1 (negative) in the
    # other: 2 of 3 flagged, one author; b only in the second file
    rows = [("fittja", "a", 2, 1), ("fittja", "a", 1, 1), ("fittja", "b", 1, 0)]
    paths = []
    for i, part in enumerate([rows[:1], rows[1:]]):
        frame = pd.DataFrame(
            {
                "neighbourhood_id": [r[0] for r in part],
                "period_start": [pd.Timestamp("2024-03-01").date()] * len(part),
                "author_pseudonym": [r[1] for r in part],
                "indicator": "digital_negative_share",
                "n_posts": [r[2] for r in part],
                "n_flagged": [r[3] for r in part],
            }
        )
        paths.append(tmp_path / f"part-{i}.parquet")
        pq.write_table(pa.Table.from_pandas(frame, CELL_STATS_SCHEMA), paths[-1])
    empty = tmp_path / "old-empty.parquet"
    pd.DataFrame(columns=CELL_STATS_SCHEMA.names).to_parquet(empty)  # no column types
    cells = digital_from_stats([*paths, empty], n_boot=50, level=0.9, seed=1)
    march = cells.iloc[0]
    assert len(cells) == 1 and march["value"] == pytest.approx((2 / 3 + 0) / 2)
    assert march["n_effective"] == 2
    assert march["n_numerator"] == 1 and march["n_complement"] == 2


def _reference_cell_stats(posts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``cell_stats`` written the plain way: for each indicator, the located original posts
    its task scored, flagged when one of its label task's labels (as ``str``) passes."""
    from barometer.aggregate.cells import month_start
    from barometer.aggregate.digital import DIGITAL_SPECS

    located = posts[~posts["is_repost"] & posts["neighbourhood_id"].notna()].copy()
    located["period_start"] = month_start(located["created_at"])
    keys = ["neighbourhood_id", "period_start", "author_pseudonym"]
    frames = []
    for spec in DIGITAL_SPECS:
        scored = set(scores.loc[scores["task"] == spec.task, "post_id"])
        labelled = scores[scores["task"] == (spec.label_task or spec.task)]
        flagged = set(labelled.loc[spec.test(labelled["label"].astype(str)).to_numpy(), "post_id"])
        rows = located[located["post_id"].isin(scored)].dropna(subset=keys)
        if rows.empty:
            continue
        rows = rows.assign(n_flagged=rows["post_id"].isin(flagged).astype("int64"))
        grouped = rows.groupby(keys, sort=True).agg(
            n_posts=("post_id", "size"), n_flagged=("n_flagged", "sum")
        )
        frames.append(grouped.reset_index().assign(indicator=spec.indicator))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out[["neighbourhood_id", "period_start", "author_pseudonym", "indicator",
                "n_posts", "n_flagged"]]  # fmt: skip


_TASK_LABELS = {
    "sentiment": ["negative", "positive", "neutral", None],
    "hostility": ["hostile", "none", "offensive"],
    "hostility_target": ["migrants", "muslims", "other"],
    "theme": ["safety", "transport", "housing"],
    "rumour": ["none", "rumour"],
}


@settings(max_examples=25, deadline=None)
@given(
    posts=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", None]),
            st.sampled_from(["fittja", "alby", None]),
            st.sampled_from(["2024-03-05T10:00Z", "2024-03-31T23:30Z", "2024-04-02T10:00Z"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=25,
    ),
    labels=st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(sorted(_TASK_LABELS)), st.integers(0, 3)),
        max_size=60,
    ),
)
def test_cell_stats_equal_the_plain_computation(posts, labels) -> None:
    """Any posts (reposts, no author, no place) and any score rows (missing labels, rows of
    posts not in the frame, a post scored twice by a task) give the plain reference's rows."""
    frame = pd.DataFrame(
        {
            "post_id": [f"x:{i}" for i in range(len(posts))],
            "author_pseudonym": [p[0] for p in posts],
            "neighbourhood_id": [p[1] for p in posts],
            "created_at": pd.to_datetime([p[2] for p in posts], utc=True).tz_convert(
                "Europe/Stockholm"
            ),
            "is_repost": [p[3] for p in posts],
        }
    )
    scores = pd.DataFrame(
        {
            "post_id": [f"x:{i}" for i, _, _ in labels],
            "task": [task for _, task, _ in labels],
            "label": [_TASK_LABELS[task][k % len(_TASK_LABELS[task])] for _, task, k in labels],
        },
        columns=["post_id", "task", "label"],
    )
    found, expected = cell_stats(frame, scores), _reference_cell_stats(frame, scores)
    assert found.empty == expected.empty
    if not found.empty:
        pd.testing.assert_frame_equal(found, expected, check_dtype=False)
