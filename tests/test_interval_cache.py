"""The digital cells' own bootstrap streams and the interval cache (issue 13): a cell draws
what the grouped bootstrap of its posts draws, an unchanged cell's interval is taken from the
cache, and a changed cell is drawn again."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from barometer.aggregate.cell_stats import cell_stats
from barometer.aggregate.digital import digital_from_stats
from barometer.aggregate.interval_cache import IntervalCache
from barometer.stats.resample import author_weighted_shares

_NEGATIVE = "digital_negative_share"  # the first of DIGITAL_SPECS: it draws from seed + 0


def _posts_and_scores(rng: np.random.Generator, places: list[str], n: int = 300):
    posts = pd.DataFrame(
        {
            "post_id": [f"x:{i}" for i in range(n)],
            "author_pseudonym": rng.choice([f"u{i}" for i in range(30)], n),
            "neighbourhood_id": rng.choice(places, n),
            "created_at": pd.to_datetime("2024-01-03", utc=True)
            + pd.to_timedelta(rng.integers(0, 80, n), unit="D"),
            "is_repost": False,
        }
    )
    labels = rng.choice(["negative", "positive"], n, p=[0.3, 0.7])
    scores = pd.DataFrame({"post_id": posts["post_id"], "task": "sentiment", "label": labels})
    return posts, scores


def _negative(cells: pd.DataFrame) -> pd.DataFrame:
    keys = ["neighbourhood_id", "period_start"]
    mine = cells[cells["indicator"] == _NEGATIVE]
    return mine.sort_values(keys).set_index(keys)[["value", "lower", "upper", "n_effective"]]


def test_a_digital_cell_draws_the_grouped_bootstrap_of_its_posts() -> None:
    """Named by (neighbourhood, month), a cell's stream is the one author_weighted_shares
    gives the same group: the same interval, to the last bit."""
    posts, scores = _posts_and_scores(np.random.default_rng(1), ["alby", "fittja"])
    cells = _negative(digital_from_stats(cell_stats(posts, scores), n_boot=99, level=0.9, seed=4))
    rows = posts.assign(
        flag=(scores["label"] == "negative").astype(float),
        period_start=posts["created_at"].dt.tz_localize(None).dt.to_period("M").dt.start_time,
    )
    direct = author_weighted_shares(
        rows, ["neighbourhood_id", "period_start"], "author_pseudonym", "flag", 99, 0.9, seed=4
    )
    assert len(cells) == len(direct) == 6
    np.testing.assert_array_equal(cells["lower"].to_numpy(), direct["lower"].to_numpy())
    np.testing.assert_array_equal(cells["upper"].to_numpy(), direct["upper"].to_numpy())


def _plant(folder: Path, value: float) -> None:
    """Overwrite every cached bound with ``value`` (the file's metadata kept)."""
    for path in folder.glob("*.parquet"):
        table = pq.read_table(path)
        frame = table.to_pandas().assign(lower=value, upper=value)
        planted = table.from_pandas(frame, preserve_index=False).replace_schema_metadata(
            table.schema.metadata
        )
        pq.write_table(planted, path)


def test_unchanged_cells_come_from_the_cache_and_changed_ones_are_drawn(tmp_path: Path) -> None:
    posts, scores = _posts_and_scores(np.random.default_rng(2), ["alby", "fittja", "hallunda"])
    stats = cell_stats(posts, scores)
    first = IntervalCache(tmp_path / "intervals", n_boot=99, level=0.9)
    cold = digital_from_stats(stats, n_boot=99, level=0.9, seed=3)
    cached = digital_from_stats(stats, n_boot=99, level=0.9, seed=3, intervals=first)
    pd.testing.assert_frame_equal(cached, cold)
    assert first.reused == 0 and first.drawn == len(cold)
    _plant(tmp_path / "intervals", -1.0)
    # one more negative post in Fittja in March: that cell's rows change, no other's
    extra = posts.iloc[:1].assign(
        post_id="x:new", neighbourhood_id="fittja", created_at=pd.Timestamp("2024-03-09", tz="UTC")
    )
    posts2 = pd.concat([posts, extra], ignore_index=True)
    new_score = pd.DataFrame({"post_id": ["x:new"], "task": "sentiment", "label": ["negative"]})
    stats2 = cell_stats(posts2, pd.concat([scores, new_score], ignore_index=True))
    second = IntervalCache(tmp_path / "intervals", n_boot=99, level=0.9)
    grown = _negative(digital_from_stats(stats2, n_boot=99, level=0.9, seed=3, intervals=second))
    fresh = _negative(digital_from_stats(stats2, n_boot=99, level=0.9, seed=3))
    changed = ("fittja", pd.Timestamp("2024-03-01").date())
    assert second.drawn == 1 and second.reused == len(cold) - 1
    assert grown.loc[changed].equals(fresh.loc[changed])  # drawn again, as a cold run draws it
    others = grown.drop(index=[changed])
    assert (others["lower"] == -1).all() and (others["upper"] == -1).all()  # from the cache
    assert (fresh.drop(index=[changed])["lower"] >= 0).all()


def test_a_cache_drawn_with_other_settings_is_not_used(tmp_path: Path) -> None:
    posts, scores = _posts_and_scores(np.random.default_rng(3), ["alby"])
    stats = cell_stats(posts, scores)
    digital_from_stats(
        stats, n_boot=99, level=0.9, seed=3, intervals=IntervalCache(tmp_path, 99, 0.9)
    )
    _plant(tmp_path, -1.0)
    for n_boot, level in ((199, 0.9), (99, 0.8)):
        other = IntervalCache(tmp_path, n_boot, level)
        out = digital_from_stats(stats, n_boot=n_boot, level=level, seed=3, intervals=other)
        assert other.reused == 0 and (out["lower"] >= 0).all()
        _plant(tmp_path, -1.0)
    # another seed names other streams: nothing found either
    digital_from_stats(
        stats, n_boot=99, level=0.9, seed=3, intervals=IntervalCache(tmp_path, 99, 0.9)
    )
    _plant(tmp_path, -1.0)
    other = IntervalCache(tmp_path, 99, 0.9)
    digital_from_stats(stats, n_boot=99, level=0.9, seed=4, intervals=other)
    assert other.reused == 0
