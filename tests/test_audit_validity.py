"""Validity travels with the numbers: the model x language table, indicator validity, the
composite built from validated components only, and `barometer validate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from barometer import registry
from barometer.audit.validity import (
    COLUMNS,
    ValidityCriteria,
    model_validity_table,
    stored_validity,
    validate_model,
)
from barometer.cli import app
from barometer.locations import packaged_models_dir
from barometer.validity import (
    NOT_VALIDATED,
    VALIDATED,
    composite_inputs,
    composite_validity,
    indicator_validity,
)
from tests.conftest import MODELS_DIR, shared_data

CONTRACT = ["task", "model_version", "language", "test_set", "n_test", "metric", "value",
            "lower", "upper", "functional_pass_rate", "neutral_flag_rate", "audit_verdict",
            "validated", "reason"]  # fmt: skip


def _table(rows: list[tuple[str, str, str, bool, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["task", "model_version", "language", "validated", "reason"])
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(COLUMNS)]


def _posts() -> pd.DataFrame:
    when = pd.Timestamp("2025-03-10", tz="UTC")
    rows = [("p1", "n1", "sv"), ("p2", "n1", "en"), ("p3", "n1", "so"), ("p4", "n2", "en"),
            ("p5", "n2", "en"), ("p6", None, "sv")]  # fmt: skip
    return pd.DataFrame(
        {"post_id": [r[0] for r in rows], "neighbourhood_id": [r[1] for r in rows],
         "lang": [r[2] for r in rows], "created_at": when, "is_repost": False}
    )  # fmt: skip


def test_contract_columns() -> None:
    assert list(COLUMNS) == CONTRACT


def test_indicator_validity_names_each_model_language_pair() -> None:
    """Planted: hostility scores sv and en (validated in en only) and abstains on so; sentiment
    (lexicon) scores every post and is validated nowhere."""
    posts = _posts()
    scores = pd.DataFrame(
        {"post_id": ["p1", "p2", "p4", "p5", "p1", "p2", "p3", "p4", "p5"],
         "task": ["hostility"] * 4 + ["sentiment"] * 5,
         "model_version": ["hostility-2026.3"] * 4 + ["lexicon-v1"] * 5,
         "label": "x", "probability": 1.0}
    )  # fmt: skip
    table = _table([("hostility", "2026.3", "sv", False, "no_test_set,audit_failed"),
                    ("hostility", "2026.3", "en", True, None),
                    ("sentiment", "lexicon-v1", "*", False, "no_test_set")])  # fmt: skip
    cells = pd.DataFrame(
        {"neighbourhood_id": ["n1", "n2", "n1", "n1"],
         "period_start": pd.to_datetime(["2025-03-01"] * 4),
         "indicator": ["digital_hostility_share", "digital_hostility_share",
                       "digital_negative_share", "survey_ppltrst_mean"],
         "value": 0.1}
    )  # fmt: skip
    out = indicator_validity(cells, posts, scores, table)
    assert out["validity"].tolist() == [NOT_VALIDATED, VALIDATED, NOT_VALIDATED, None]
    assert out["validity_note"].iloc[0] == (
        "hostility:2026.3:en:validated;hostility:2026.3:so:language_not_supported;"
        "hostility:2026.3:sv:no_test_set"
    )
    assert out["validity_note"].iloc[1] == "hostility:2026.3:en:validated"
    assert out["validity_note"].iloc[2] == (
        "sentiment:lexicon-v1:en:no_test_set;sentiment:lexicon-v1:so:no_test_set;"
        "sentiment:lexicon-v1:sv:no_test_set"
    )
    assert out["validity_note"].iloc[3] is None


def test_composite_uses_validated_components_only() -> None:
    cells = pd.DataFrame(
        {"neighbourhood_id": ["n1", "n2", "n1", "n2"],
         "period_start": pd.to_datetime(["2025-03-01"] * 4),
         "indicator": ["digital_negative_share"] * 2 + ["survey_ppltrst_mean"] * 2,
         "value": [0.2, 0.3, 6.0, 7.0], "validity": [VALIDATED, NOT_VALIDATED, None, None]}
    )  # fmt: skip
    kept = composite_inputs(cells, validated_only=True)
    assert kept["value"].tolist() == [0.2, 6.0, 7.0]
    assert composite_inputs(cells, validated_only=False).equals(cells)
    index = pd.DataFrame(
        {
            "neighbourhood_id": ["n1", "n2"],
            "period_start": pd.to_datetime(["2025-03-01"] * 2),
            "value": [50.0, 60],
        }
    )
    marked = composite_validity(index, kept, ["digital_negative_share", "survey_ppltrst_mean"])
    assert marked["validity"].tolist() == [VALIDATED, None]
    assert marked["validity_note"].tolist() == ["digital_negative_share:validated", None]
    unfiltered = composite_validity(index, cells, ["digital_negative_share"])
    assert unfiltered["validity"].tolist() == [VALIDATED, NOT_VALIDATED]


def test_rule_based_scorers_are_listed_as_not_validated() -> None:
    table = model_validity_table({"sentiment": "lexicon-v1", "rumour": "rumour-catalogue-v1"},
                                 models_dir=MODELS_DIR)  # fmt: skip
    assert list(table.columns) == CONTRACT
    assert set(table["task"]) == {"sentiment", "rumour"}
    assert not table["validated"].any()
    assert set(table["reason"]) == {"no_test_set"}
    assert (table.loc[table["task"] == "rumour", "language"] == "*").all()
    assert "sv" in set(table.loc[table["task"] == "sentiment", "language"])


def test_committed_models_have_validity_records_of_their_own_files() -> None:
    for task, version in registry.active_versions().items():
        rows = stored_validity(task, version)
        assert rows is not None, f"{task} {version} has no validity.json (barometer validate)"
        config = json.loads((registry.version_dir(task, version) / "validity.json").read_text())
        assert (
            config["model_sha256"] == registry.read_manifest(task, version)["files"]["model.skops"]
        )
        languages = set(rows["language"])
        assert "so" not in languages  # no labelled Somali data: no row, the model abstains
        assert rows["validated"].dtype == bool or rows["validated"].isin([True, False]).all()
        assert ((rows["validated"]) == rows["reason"].isna()).all()


def _small_model(tmp_path: Path) -> Path:
    """A copy of the committed hostility version (validated below with other criteria)."""
    version = registry.active_versions()["hostility"]
    folder = tmp_path / "hostility" / version
    shutil.copytree(registry.version_dir("hostility", version), folder)
    (tmp_path / "registry.toml").write_text(f'[active]\nhostility = "{version}"\n')
    return folder


def test_validate_model_applies_its_criteria(tmp_path: Path) -> None:
    root = shared_data()
    folder = _small_model(tmp_path)
    version = folder.name
    config = (folder / "config.toml").read_text(encoding="utf-8")
    strict = config.replace("min_metric_lower = 0.6", "min_metric_lower = 0.99")
    (folder / "config.toml").write_text(strict, encoding="utf-8")
    rows = validate_model("hostility", version, models_dir=tmp_path, shared_data=root)
    assert not rows["validated"].any()
    with_metric = rows[rows["metric"] == "binary_macro_f1"]
    assert with_metric["reason"].str.contains("metric_below_threshold").all()
    sv = rows[rows["language"] == "sv"].iloc[0]
    assert "no_test_set" in sv["reason"]  # ABSAbank has no hostile test rows
    assert sv["metric"] == "false_positive_rate"  # what is measured in sv is shown
    assert 0 <= sv["neutral_flag_rate"] <= 1
    card = (folder / "card.md").read_text(encoding="utf-8")
    assert "## Validity" in card and "metric_below_threshold" in card
    registry.verify_model("hostility", version, tmp_path)  # validity.json is hashed
    # another model file: the stored record no longer counts
    (folder / "model.skops").write_bytes((folder / "model.skops").read_bytes())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["model.skops"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert stored_validity("hostility", version, tmp_path) is None


def test_criteria_defaults_and_errors() -> None:
    assert ValidityCriteria().max_neutral_flag_rate == 0.05
    with pytest.raises(ValueError):
        ValidityCriteria(min_metric_lower=2.0)


def test_cli_validate_prints_and_publishes(mini_warehouse: Path, tmp_path: Path) -> None:
    root = shared_data()
    warehouse = tmp_path / "warehouse"
    shutil.copytree(mini_warehouse, warehouse)
    models = tmp_path / "models"
    _small_model(models)
    packaged = {p: p.read_bytes() for p in packaged_models_dir().rglob("*") if p.is_file()}
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        app, ["validate", "--models-dir", str(models), "--shared-data", str(root),
              "--warehouse", str(warehouse)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # the packaged defaults it validated are recorded in the city's folder, never in the package
    assert {p: p.read_bytes() for p in packaged_models_dir().rglob("*") if p.is_file()} == packaged
    active = registry.active_versions()["immigration_attitude"]
    assert (models / "immigration_attitude" / active / "validity.json").is_file()
    assert "hostility" in result.output and "neutral flagged" in result.output
    with duckdb.connect(str(warehouse / "barometer.duckdb"), read_only=True) as con:
        table = con.execute("SELECT * FROM model_validity").df()
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert list(table.columns) == CONTRACT
    assert {"indicators", "runs", "model_validity"} <= names
    assert set(table.loc[table["task"] == "hostility", "language"]) >= {"sv", "en"}
    assert np.all(table["validated"] == table["reason"].isna())


def test_pipeline_publishes_validity(mini_warehouse: Path) -> None:
    with duckdb.connect(str(mini_warehouse / "barometer.duckdb"), read_only=True) as con:
        indicators = con.execute("SELECT * FROM indicators").df()
        table = con.execute("SELECT * FROM model_validity").df()
    digital = indicators[indicators["indicator"].str.startswith("digital_")]
    assert digital["validity"].isin([VALIDATED, NOT_VALIDATED]).all()
    assert digital["validity_note"].notna().all()
    survey = indicators[indicators["indicator"].str.startswith("survey_")]
    assert survey["validity"].isna().all()
    assert list(table.columns) == CONTRACT
    hostile = digital[digital["indicator"] == "digital_hostility_share"]
    assert hostile["validity_note"].str.contains(r"hostility:[^:]+:sv:").all()
