"""Incremental runs (issue 13): a run that adds one week of posts reads only the partitions
it touched, and publishes what a cold run over the same files publishes."""

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES

from barometer.aggregate.interval_cache import INTERVAL_DIR
from barometer.aggregate.merged_cells import MERGED_DIR
from barometer.config import load_config
from barometer.pipeline import run_pipeline
from barometer.schema import POSTS
from barometer.summary_cache import SUMMARY_DIR
from barometer.warehouse import Warehouse

#: columns that differ between two runs by construction
_RUN_COLUMNS = {"run_id", "started_at", "finished_at", "code_version", "step_seconds"}


def _published(root: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        names = [r[0] for r in tables]
        out = {}
        for name in names:
            if name == "runs":
                continue
            frame = con.execute(f'SELECT * FROM "{name}"').df()
            frame = frame.drop(columns=[c for c in frame.columns if c in _RUN_COLUMNS])
            out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


_CELL = ["indicator", "neighbourhood_id", "period_start"]


def _digital(indicators: pd.DataFrame) -> pd.DataFrame:
    digital = indicators[indicators["indicator"].str.startswith("digital_")]
    digital = digital.assign(period_start=pd.to_datetime(digital["period_start"]))
    return digital[[*_CELL, "value", "lower", "upper"]].reset_index(drop=True)


def _week(first_id: int) -> str:
    """One week of posts (7-13 April 2024, after the fixture's March), one page per day."""
    pages = []
    for day in range(7):
        tweets = [
            {
                "id": str(first_id + 10 * day + k),
                "text": ["Så fin kväll i Westby", "Jag litar inte på någon i Östby", "Trevligt"][k],
                "author_id": str(9100 + k),
                "created_at": f"2024-04-{7 + day:02d}T1{k}:00:00.000Z",
                "lang": "sv",
                "geo": {
                    "coordinates": {"type": "Point", "coordinates": [17.05 + 0.1 * (k % 2), 59.05]}
                },
            }
            for k in range(3)
        ]
        pages.append(json.dumps({"data": tweets}, ensure_ascii=False))
    return "\n".join(pages) + "\n"


@pytest.fixture
def city(tmp_path: Path) -> Path:
    """The mini fixtures, with the X source read from every ``x_*.jsonl`` file."""
    folder = tmp_path / "city"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("live", "synth*"))
    (folder / "x_page.jsonl").rename(folder / "x_march.jsonl")
    config = (folder / "mini.toml").read_text(encoding="utf-8")
    (folder / "mini.toml").write_text(config.replace('"x_page.jsonl"', '"x_*.jsonl"'))
    return folder


def test_an_added_week_reads_only_its_partitions(city: Path, tmp_path: Path) -> None:
    config = city / "mini.toml"
    growing = tmp_path / "growing"
    first = run_pipeline(load_config(config), warehouse=growing, show_progress=False)
    before = Warehouse(growing).partitions(POSTS)
    assert first.manifest["partitions_read"]["summarised"] == len(before)
    assert first.manifest["bootstrap_cells"]["reused"] == 0
    n_first = first.manifest["bootstrap_cells"]["drawn"]
    assert first.manifest["merged_cells"] == {"merged": n_first, "reused": 0}
    published_before = _published(growing)

    (city / "x_week.jsonl").write_text(_week(5000), encoding="utf-8")
    second = run_pipeline(load_config(config), warehouse=growing, show_progress=False)
    after = Warehouse(growing).partitions(POSTS)
    touched = sorted(set(after) - set(before))
    assert touched == ["source=x/month=2024-04"]
    read = second.manifest["partitions_read"]
    # only the new week's partition has its texts read again, for the term shifts
    assert read == {"scored": 1, "summarised": 1, "terms": 1, "total": len(after)}
    assert second.new_rows["posts"] == 21
    # only the cells the week touched (April's) are bootstrapped again; March's are reused
    drawn = second.manifest["bootstrap_cells"]
    assert 0 < drawn["drawn"] < drawn["drawn"] + drawn["reused"]
    assert drawn["reused"] >= len(_digital(published_before["indicators"]).query(
        "period_start < '2024-04-01'"))  # fmt: skip
    # only April's cells are merged again (March's rows lie in partitions the week left alone)
    merged = second.manifest["merged_cells"]
    assert merged["merged"] + merged["reused"] == drawn["drawn"] + drawn["reused"]
    assert merged["reused"] == len(_digital(published_before["indicators"]).query(
        "period_start < '2024-04-01'"))  # fmt: skip
    assert 0 < merged["merged"] <= drawn["drawn"] + drawn["reused"] - merged["reused"]
    indicators_before = _digital(published_before["indicators"])
    indicators_after = _digital(_published(growing)["indicators"])
    march = indicators_before[indicators_before["period_start"] < pd.Timestamp("2024-04-01")]
    assert not march.empty
    kept = march.merge(indicators_after, on=_CELL, suffixes=("", "_after"))
    assert len(kept) == len(march)
    for column in ("value", "lower", "upper"):
        pd.testing.assert_series_equal(
            kept[column], kept[f"{column}_after"], check_names=False, obj=column
        )

    cold = tmp_path / "cold"
    run_pipeline(load_config(config), warehouse=cold, show_progress=False)
    grown, fresh = _published(growing), _published(cold)
    assert grown.keys() == fresh.keys()
    for name in fresh:
        pd.testing.assert_frame_equal(grown[name], fresh[name], obj=name)

    third = run_pipeline(load_config(config), warehouse=growing, show_progress=False)
    nothing_read = {"scored": 0, "summarised": 0, "terms": 0, "total": len(after)}
    assert third.manifest["partitions_read"] == nothing_read
    assert third.manifest["merged_cells"]["merged"] == 0


def test_a_partition_rewritten_by_an_erasure_is_summarised_again(
    city: Path, tmp_path: Path
) -> None:
    from barometer.erasure import erase_person
    from barometer.pipeline import republish

    config = load_config(city / "mini.toml")
    root = tmp_path / "wh"
    run_pipeline(config, warehouse=root, show_progress=False)
    summaries = root / "parquet" / SUMMARY_DIR
    stored = {p: p.read_bytes() for p in summaries.rglob("cell_stats.parquet")}
    assert stored
    authors_before = set(Warehouse(root).read(POSTS)["author_pseudonym"])
    term_authors = [
        set(pd.read_parquet(p)["author_pseudonym"]) for p in summaries.rglob("terms.parquet")
    ]
    in_terms = set().union(*term_authors)
    report = republish(
        config,
        lambda store, pseudo: erase_person(store, pseudo, source="x", person_id="9001"),
        step="erase",
        warehouse=root,
    )
    assert report.manifest["erase"]["removed"]["posts"] >= 1
    assert report.manifest["partitions_read"]["summarised"] >= 1
    pseudonyms = set(Warehouse(root).read(POSTS)["author_pseudonym"])
    erased = authors_before - pseudonyms
    assert erased and erased <= in_terms  # the erased author's words were in a term summary
    for path in summaries.rglob("cell_stats.parquet"):
        authors = set(pd.read_parquet(path)["author_pseudonym"])
        assert authors <= pseudonyms  # no summary keeps the erased author
    for path in summaries.rglob("terms.parquet"):
        assert set(pd.read_parquet(path)["author_pseudonym"]) <= pseudonyms  # nor a term row


def test_an_erased_authors_cells_are_bootstrapped_again(city: Path, tmp_path: Path) -> None:
    """Erasing an author placed in a neighbourhood (9002 posts with coordinates) changes that
    cell's rows: the cell is drawn again and the intervals are those of a run that finds no
    cached interval at all."""
    from barometer.erasure import erase_person
    from barometer.pipeline import republish

    config = load_config(city / "mini.toml")
    root = tmp_path / "wh"
    first = run_pipeline(config, warehouse=root, show_progress=False)
    report = republish(
        config,
        lambda store, pseudo: erase_person(store, pseudo, source="x", person_id="9002"),
        step="erase",
        warehouse=root,
    )
    assert report.manifest["erase"]["removed"]["posts"] >= 1
    cells = report.manifest["bootstrap_cells"]
    assert cells["drawn"] >= 1, cells
    assert cells["reused"] < first.manifest["bootstrap_cells"]["drawn"]
    uncached = tmp_path / "uncached"
    shutil.copytree(root, uncached)
    shutil.rmtree(uncached / "parquet" / SUMMARY_DIR / INTERVAL_DIR)
    shutil.rmtree(uncached / "parquet" / SUMMARY_DIR / MERGED_DIR)
    again = run_pipeline(config, warehouse=uncached, show_progress=False)
    assert again.manifest["bootstrap_cells"]["reused"] == 0
    pd.testing.assert_frame_equal(
        _digital(_published(uncached)["indicators"]), _digital(_published(root)["indicators"])
    )


def _cold_aggregate(root: Path, tmp_path: Path, config) -> dict[str, pd.DataFrame]:
    """The published tables of a copy of ``root`` rerun without any of its summaries (every
    partition summarised, every cell merged and drawn from the rows)."""
    copy = tmp_path / f"cold_{len(list(tmp_path.glob('cold_*')))}"
    shutil.copytree(root, copy)
    shutil.rmtree(copy / "parquet" / SUMMARY_DIR)
    again = run_pipeline(config, warehouse=copy, show_progress=False)
    assert again.manifest["merged_cells"]["reused"] == 0
    return _published(copy)


def _assert_same(grown: dict[str, pd.DataFrame], cold: dict[str, pd.DataFrame]) -> None:
    assert grown.keys() == cold.keys()
    for name in cold:
        pd.testing.assert_frame_equal(grown[name], cold[name], obj=name)


def _kept_pseudonyms(root: Path) -> set[str]:
    kept = pd.read_parquet(root / "parquet" / SUMMARY_DIR / MERGED_DIR / "cells.parquet")
    lists = kept["flagged_authors"].dropna()
    return {str(author) for authors in lists for author in authors}


def test_a_post_in_the_utc_month_before_is_merged_into_the_city_month(
    city: Path, tmp_path: Path
) -> None:
    """00:30 on 1 April in Stockholm is 22:30 on 31 March UTC: the post lands in the March
    partition, which is rewritten, and its cell is April's. The kept cells of both months
    are merged again, and the warehouse publishes what a cold run over the same files does."""
    config = city / "mini.toml"
    growing = tmp_path / "growing"
    run_pipeline(load_config(config), warehouse=growing, show_progress=False)
    (city / "x_week.jsonl").write_text(_week(5000), encoding="utf-8")
    week = run_pipeline(load_config(config), warehouse=growing, show_progress=False)
    april = _digital(_published(growing)["indicators"]).query("period_start >= '2024-04-01'")
    late = json.loads(_week(6000).splitlines()[1])["data"][1]  # Östby, "Jag litar inte ..."
    late.update(id="6999", author_id="9199", created_at="2024-03-31T22:30:00.000Z")
    (city / "x_late.jsonl").write_text(json.dumps({"data": [late]}) + "\n", encoding="utf-8")
    second = run_pipeline(load_config(config), warehouse=growing, show_progress=False)
    assert second.manifest["partitions_read"]["summarised"] == 1  # March's, rewritten
    merged = second.manifest["merged_cells"]
    assert merged["merged"] > 0 and merged["reused"] < sum(week.manifest["merged_cells"].values())
    after = _digital(_published(growing)["indicators"]).query("period_start >= '2024-04-01'")
    grew = after.merge(april, on=_CELL, how="left", suffixes=("", "_week"))
    assert (grew["value"] != grew["value_week"]).any()  # the late post moved an April cell
    cold = tmp_path / "cold"
    run_pipeline(load_config(config), warehouse=cold, show_progress=False)
    _assert_same(_published(growing), _published(cold))


def test_an_erasure_after_a_week_merges_the_erased_authors_months_again(
    city: Path, tmp_path: Path
) -> None:
    from barometer.erasure import erase_person
    from barometer.pipeline import republish

    config = load_config(city / "mini.toml")
    root = tmp_path / "wh"
    run_pipeline(config, warehouse=root, show_progress=False)
    (city / "x_week.jsonl").write_text(_week(5000), encoding="utf-8")
    week = run_pipeline(load_config(city / "mini.toml"), warehouse=root, show_progress=False)
    config = load_config(city / "mini.toml")
    report = republish(
        config,
        lambda store, pseudo: erase_person(store, pseudo, source="x", person_id="9002"),
        step="erase",
        warehouse=root,
    )
    merged = report.manifest["merged_cells"]
    total = sum(week.manifest["merged_cells"].values())
    # the months of the partitions the erasure rewrote are merged again
    assert merged["merged"] > 0 and merged["merged"] + merged["reused"] <= total, merged
    pseudonyms = set(Warehouse(root).read(POSTS)["author_pseudonym"])
    assert _kept_pseudonyms(root) <= pseudonyms  # no kept cell names the erased author
    _assert_same(_published(root), _cold_aggregate(root, tmp_path, config))


def test_a_model_or_setting_change_merges_every_cell_again(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another set of active models (sentiment unavailable: no negative shares any more) and
    another bootstrap seed each make every kept cell stale; a suppression threshold works on
    the merged cells, which are kept. Each run publishes what a cold aggregate publishes."""
    from barometer.nlp import lexicon_sources

    root = tmp_path / "wh"
    run_pipeline(load_config(city / "mini.toml"), warehouse=root, show_progress=False)
    text = (city / "mini.toml").read_text(encoding="utf-8")

    (city / "mini.toml").write_text(text.replace("min_cell_size = 1", "min_cell_size = 3"))
    config = load_config(city / "mini.toml")
    stricter = run_pipeline(config, warehouse=root, show_progress=False)
    assert stricter.manifest["merged_cells"]["merged"] == 0
    _assert_same(_published(root), _cold_aggregate(root, tmp_path, config))

    (city / "mini.toml").write_text(
        text.replace("bootstrap_reps = 49", "bootstrap_reps = 49\nseed = 7")
    )
    config = load_config(city / "mini.toml")
    reseeded = run_pipeline(config, warehouse=root, show_progress=False)
    assert reseeded.manifest["merged_cells"]["reused"] == 0
    _assert_same(_published(root), _cold_aggregate(root, tmp_path, config))

    (tmp_path / "models").mkdir()
    monkeypatch.setenv("BAROMETER_MODELS_DIR", str(tmp_path / "models"))
    broken = lexicon_sources.LexiconSource("afinn_en", "no_such_package", "data/x.txt", "afinn")
    for lang in list(lexicon_sources.PACKAGED_SOURCES):
        monkeypatch.setitem(lexicon_sources.PACKAGED_SOURCES, lang, (broken,))
    fewer = run_pipeline(config, warehouse=root, show_progress=False)
    assert "sentiment" not in fewer.manifest["model_versions"]
    assert fewer.manifest["merged_cells"]["reused"] == 0
    published = _published(root)
    assert not published["indicators"]["indicator"].eq("digital_negative_share").any()
    _assert_same(published, _cold_aggregate(root, tmp_path, config))
