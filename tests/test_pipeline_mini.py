"""The whole pipeline on the hand-written fixtures: mechanics, privacy, idempotence."""

import json
import re

import duckdb
import pytest
from conftest import FIXTURES

from barometer.config import load_config
from barometer.exceptions import ConfigError
from barometer.pipeline import run_pipeline
from barometer.schema import POSTS, QUARANTINE, TABLES
from barometer.warehouse import Warehouse

RAW_IDENTIFIERS = ["9001", "9002", "9003", "anna", "cecilia", "Eva Observer", "Olle", "A1", "A2"]


@pytest.fixture
def built(tmp_path):
    config = load_config(FIXTURES / "mini.toml")
    report = run_pipeline(config, warehouse=tmp_path / "wh", show_progress=False)
    return config, report


def test_counts_reconcile_per_input(built) -> None:
    _, report = built
    for entry in report.manifest["inputs"]:
        if "n_read" in entry:
            assert entry["n_read"] == (
                entry["n_kept"] + entry["n_quarantined"] + entry["n_duplicates"]
            ), entry["path"]
    counts = report.manifest["row_counts"]
    assert counts["posts"] == 6  # 4 tweets + 2 statuses
    assert counts["observations"] == 2
    assert counts["survey_responses"] == 4
    assert counts["quarantine"] == 3 + 1 + 1 + 4 + 3


def test_posts_are_enriched_and_pseudonymous(built) -> None:
    _, report = built
    posts = Warehouse(report.warehouse).read(POSTS).set_index("post_id")
    assert posts.loc["x:101", "neighbourhood_id"] == "west"
    assert posts.loc["x:101", "geo_method"] == "gazetteer"
    assert posts.loc["x:102", "geo_method"] == "coords"
    assert posts.loc["x:106", "geo_method"] == "place"
    assert posts.loc["mastodon:201", "neighbourhood_id"] == "east"
    assert posts["author_pseudonym"].str.match(r"^(x|mastodon)-[0-9a-f]{20}$").all()
    assert "<user>" in posts.loc["mastodon:201", "text"]


def _mentions(text: str, raw: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(raw)}(?![\w-])", text) is not None


def test_no_raw_identifier_anywhere_in_the_warehouse(built) -> None:
    _, report = built
    store = Warehouse(report.warehouse)
    for table in TABLES.values():
        blob = store.read(table).astype(str).to_csv(index=False)
        for raw in RAW_IDENTIFIERS:
            assert not _mentions(blob, raw), (table.name, raw)
    with duckdb.connect(str(store.duckdb_path), read_only=True) as con:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        assert "posts" not in names  # the app's file holds aggregates only
        for name in names:
            blob = con.execute(f'SELECT * FROM "{name}"').df().to_csv()
            for raw in RAW_IDENTIFIERS:
                assert not _mentions(blob, raw), (name, raw)


def test_rerun_changes_nothing(built) -> None:
    config, report = built
    store = Warehouse(report.warehouse)
    before = {name: store.read(table) for name, table in TABLES.items()}
    again = run_pipeline(config, warehouse=report.warehouse, show_progress=False)
    assert all(v == 0 for v in again.new_rows.values())
    assert again.manifest["row_counts"] == report.manifest["row_counts"]
    for name, table in TABLES.items():
        assert store.read(table).equals(before[name]), name
    assert all(
        e.get("skipped")
        for e in again.manifest["inputs"]
        if "n_read" not in e
        and e["source"] not in ("survey codebook", "sensing metadata", "observation sites")
    )


def test_manifest_written(built) -> None:
    _, report = built
    path = report.warehouse / "manifests" / f"{report.run_id}.json"
    manifest = json.loads(path.read_text())
    assert {"inputs", "code_version", "model_versions", "row_counts", "step_seconds"} <= set(
        manifest
    )
    assert all(len(e["sha256"]) == 64 for e in manifest["inputs"])


def test_quarantine_names_file_line_field(built) -> None:
    _, report = built
    quarantine = Warehouse(report.warehouse).read(QUARANTINE)
    rows = set(zip(quarantine["file"], quarantine["line"], quarantine["field"], strict=True))
    assert ("x_page.jsonl", 3, "(json)") in rows
    assert ("survey.csv", 3, "Q1") in rows
    assert ("kobo.csv", 4, "interactions/mixed") in rows


def test_refuses_without_key(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    text = (FIXTURES / "mini.toml").read_text().replace("demo_key = true", "demo_key = false")
    config_path = FIXTURES / "mini.toml"
    config = load_config(config_path).model_copy(
        update={"privacy": load_config(config_path).privacy.model_copy(update={"demo_key": False})}
    )
    assert "demo_key = false" in text
    with pytest.raises(ConfigError, match="no pseudonymisation key"):
        run_pipeline(config, warehouse=tmp_path / "wh", show_progress=False)
