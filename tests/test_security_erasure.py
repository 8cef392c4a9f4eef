"""Erasure and retention (issue 11, deliverable 4): ``barometer erase`` and ``barometer
prune`` on the sample municipality, and what they leave for later runs."""

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
from conftest import FIXTURES, REPO_ROOT
from typer.testing import CliRunner

from barometer.cli import app
from barometer.config import load_config
from barometer.keys import DEMO_KEY
from barometer.pipeline import run_pipeline
from barometer.privacy import Pseudonymiser
from barometer.schema import ERASURES, POST_SCORES, POSTS, SURVEY_RESPONSES
from barometer.warehouse import Warehouse

SAMPLE_X = REPO_ROOT / "data_samples" / "social" / "x_2023.jsonl.gz"


def _busiest_x_author() -> str:
    counts: Counter[str] = Counter()
    with gzip.open(SAMPLE_X, "rt", encoding="utf-8") as handle:
        for line in handle:
            counts.update(str(t["author_id"]) for t in json.loads(line).get("data", []))
    return counts.most_common(1)[0][0]


def _published(root: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        frame = con.execute(f'SELECT * FROM "{table}"').df()
    if "period_start" in frame.columns:
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def _copy(sample_warehouse, tmp_path: Path) -> Path:
    root, _ = sample_warehouse
    copy = tmp_path / "warehouse"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".lock"))
    return copy


def test_erase_an_author_from_the_sample(sample_warehouse, tmp_path) -> None:
    root = _copy(sample_warehouse, tmp_path)
    author = _busiest_x_author()
    pseudonym = Pseudonymiser(DEMO_KEY).pseudonym("x", author)
    store = Warehouse(root)
    posts = store.read(POSTS)
    theirs = posts[posts["author_pseudonym"] == pseudonym]
    assert len(theirs) > 100
    scores = store.read(POST_SCORES)
    their_scores = scores["post_id"].isin(set(theirs["post_id"])).sum()
    # the cells they count in: each loses exactly one author from its denominator
    located = theirs[~theirs["is_repost"] & theirs["neighbourhood_id"].notna()]
    sentiment = set(scores.loc[scores["task"] == "sentiment", "post_id"])
    months = located[located["post_id"].isin(sentiment)]
    months = months["created_at"].dt.tz_convert(None).dt.to_period("M").dt.start_time.dt.date
    cells = set(zip(located.loc[months.index, "neighbourhood_id"], months, strict=True))
    before = _published(root, "indicators").set_index(["neighbourhood_id", "period_start"])

    result = CliRunner().invoke(
        app, ["erase", "--source", "x", "--author-id", author, "--warehouse", str(root)]
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert f"removed {len(theirs):,} posts, {their_scores:,} post scores" in output
    assert author not in result.output and pseudonym not in result.output

    store = Warehouse(root)
    assert not (store.read(POSTS)["author_pseudonym"] == pseudonym).any()
    assert not store.read(POST_SCORES)["post_id"].isin(set(theirs["post_id"])).any()
    assert store.read(ERASURES)["pseudonym"].tolist() == [pseudonym]
    manifest = store.manifests()[-1]
    assert manifest["steps"] == ["erase", "publish"]
    assert manifest["erase"]["removed"]["posts"] == len(theirs)
    for path in root.rglob("*.json"):
        assert author not in path.read_text(encoding="utf-8"), path  # never the raw id
    after = _published(root, "indicators").set_index(["neighbourhood_id", "period_start"])
    negative = "digital_negative_share"
    was = before[before["indicator"] == negative]["n_effective"]
    now = after[after["indicator"] == negative]["n_effective"]
    for cell in cells:
        if cell in was.index and cell in now.index:
            assert now.loc[cell] == was.loc[cell] - 1, cell
    assert _published(root, "runs")["run_id"].iloc[0] == manifest["run_id"]


def test_an_erased_person_stays_erased_in_files_ingested_later(
    mini_warehouse, tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    root = tmp_path / "wh"
    shutil.copytree(mini_warehouse, root, ignore=shutil.ignore_patterns(".lock"))
    erased = CliRunner().invoke(
        app, ["erase", "--source", "survey", "--author-id", "A1", "--warehouse", str(root)]
    )
    assert erased.exit_code == 0, erased.output
    assert "removed 1 survey responses" in " ".join(erased.output.split())
    # the same respondent arrives again in a corrected survey file
    survey = folder / "survey.csv"
    survey.write_text(survey.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = run_pipeline(load_config(folder / "mini.toml"), warehouse=root, show_progress=False)
    entry = next(e for e in report.manifest["inputs"] if e["source"] == "survey")
    assert "1 row(s) of erased people not stored" in entry["notes"]
    respondents = Warehouse(root).read(SURVEY_RESPONSES)["respondent_pseudonym"]
    assert Pseudonymiser(DEMO_KEY).pseudonym("survey", "A1") not in set(respondents)
    # erasing needs the warehouse's own key: another one would find nobody and say so falsely
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", "another-key-of-32-random-bytes!!")
    refused = CliRunner().invoke(
        app, ["erase", "--source", "survey", "--author-id", "A2", "--warehouse", str(root)]
    )
    assert refused.exit_code == 1
    assert "another pseudonymisation key" in " ".join(refused.output.split())


def test_prune_keeps_every_published_aggregate_of_the_pruned_months(sample_warehouse, tmp_path):
    root = _copy(sample_warehouse, tmp_path)
    cutoff = pd.Timestamp("2024-01-01").date()
    # midnight in Stockholm (the sample's timezone): indicator months are the city's, so the
    # posts of the first hour of 1 January (still 2023 in UTC) stay, and January is unchanged
    midnight = pd.Timestamp(cutoff).tz_localize("Europe/Stockholm")
    before = _published(root, "indicators")
    coverage_before = _published(root, "coverage")
    old_posts = (Warehouse(root).read(POSTS)["created_at"] < midnight).sum()
    assert old_posts > 10_000

    result = CliRunner().invoke(app, ["prune", "--before", "2024-01-01", "--warehouse", str(root)])
    assert result.exit_code == 0, result.output
    assert f"removed {old_posts:,} posts" in " ".join(result.output.split())
    store = Warehouse(root)
    posts = store.read(POSTS)
    assert (posts["created_at"] >= midnight).all()
    assert store.read(POST_SCORES)["post_id"].isin(set(posts["post_id"])).all()
    assert store.metadata()["pruned_before"] == "2024-01-01"

    after = _published(root, "indicators")
    keys = ["indicator", "neighbourhood_id", "period_start"]
    columns = ["value", "lower", "upper", "n_effective", "suppressed"]
    old = before[before["period_start"] < cutoff].sort_values(keys, ignore_index=True)
    kept = after[after["period_start"] < cutoff].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(kept[keys + columns], old[keys + columns])
    # later months rest on unchanged posts: the same values (bootstrap intervals share one
    # random stream across cells, so they may move within Monte-Carlo error)
    new = before[before["period_start"] >= cutoff].sort_values(keys, ignore_index=True)
    now = after[after["period_start"] >= cutoff].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(
        now[[*keys, "value", "suppressed"]], new[[*keys, "value", "suppressed"]]
    )
    social = coverage_before[coverage_before["source"] == "social"]
    social_after = _published(root, "coverage")
    social_after = social_after[social_after["source"] == "social"]
    sort = ["neighbourhood_id", "period_start"]
    pd.testing.assert_frame_equal(
        social_after.sort_values(sort, ignore_index=True)[["rows"]],
        social.sort_values(sort, ignore_index=True)[["rows"]],
        check_dtype=False,
    )


def test_pruned_months_stay_as_published_in_later_runs(mini_warehouse, tmp_path) -> None:
    root = tmp_path / "wh"
    shutil.copytree(mini_warehouse, root, ignore=shutil.ignore_patterns(".lock"))
    config = load_config(FIXTURES / "mini.toml")
    before = _published(root, "indicators")
    result = CliRunner().invoke(app, ["prune", "--before", "2024-04-01", "--warehouse", str(root)])
    assert result.exit_code == 0, result.output
    again = run_pipeline(config, warehouse=root, show_progress=False)  # files already ingested
    assert sum(again.new_rows.values()) == 0
    after = _published(root, "indicators")
    keys = ["indicator", "neighbourhood_id", "period_start"]
    march = pd.Timestamp("2024-03-01").date()
    digital = before[
        before["indicator"].str.startswith("digital_") & (before["period_start"] == march)
    ]
    assert not digital.empty
    pd.testing.assert_frame_equal(
        after[after["period_start"] < pd.Timestamp("2024-04-01").date()]
        .sort_values(keys, ignore_index=True)
        .drop(columns=["run_id"]),
        before[before["period_start"] < pd.Timestamp("2024-04-01").date()]
        .sort_values(keys, ignore_index=True)
        .drop(columns=["run_id"]),
    )
    assert not (
        Warehouse(root).read(POSTS)["created_at"] < pd.Timestamp("2024-04-01", tz="UTC")
    ).any()


def test_erase_says_plainly_what_is_wrong(mini_warehouse, tmp_path) -> None:
    root = tmp_path / "wh"
    shutil.copytree(mini_warehouse, root, ignore=shutil.ignore_patterns(".lock"))
    for args, says in (
        (["--source", "nowhere", "--author-id", "1"], "unknown source 'nowhere'"),
        (["--source", "x", "--author-id", " "], "give the person's id"),
    ):
        result = CliRunner().invoke(app, ["erase", *args, "--warehouse", str(root)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert says in " ".join(result.output.split())
    empty = CliRunner().invoke(app, ["erase", "--source", "x", "--author-id", "1",
                                     "--warehouse", str(tmp_path / "none")])  # fmt: skip
    assert empty.exit_code == 1 and "Traceback" not in empty.output
    assert not (tmp_path / "none").exists()


def test_raw_landing_pages_follow_retention_and_erasure(mini_warehouse, tmp_path) -> None:
    root = tmp_path / "wh"
    shutil.copytree(mini_warehouse, root, ignore=shutil.ignore_patterns(".lock"))
    folder = root / "landing" / "masto" / "tag-botkyrka"
    folder.mkdir(parents=True)
    pages = {
        "old": ("20240101T000000000000Z-aaaa", b'[{"account": {"id": "77"}}]'),
        "theirs": ("20240601T000000000000Z-bbbb", b'[{"author_id": "9001", "text": "hej"}]'),
        "kept": ("20240601T000000000000Z-cccc", b'[{"author_id": "9002", "text": "hej"}]'),
    }
    for stem, body in pages.values():
        (folder / f"{stem}.page.json").write_bytes(body)
        (folder / f"{stem}.meta.json").write_text("{}")
    pruned = CliRunner().invoke(app, ["prune", "--before", "2024-03-01", "--warehouse", str(root)])
    assert pruned.exit_code == 0, pruned.output
    assert "1 landing pages" in " ".join(pruned.output.split())
    erased = CliRunner().invoke(
        app, ["erase", "--source", "x", "--author-id", "9001", "--warehouse", str(root)]
    )
    assert erased.exit_code == 0, erased.output
    left = sorted(p.name for p in folder.iterdir())
    assert left == [f"{pages['kept'][0]}.meta.json", f"{pages['kept'][0]}.page.json"]
