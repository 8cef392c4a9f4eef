"""The supervised sentiment option: trained on a team's annotations, it replaces the lexicon.

The annotation file is synthetic with planted answers: a post's label is decided by which of a
few sentiment words it holds (sv and en), so a working model must learn exactly those words.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data
from typer.testing import CliRunner

from barometer import registry, scoring
from barometer.batch_scoring import BatchScorer
from barometer.cli import app
from barometer.exceptions import ConfigError, InputError
from barometer.schema import POST_SCORES
from barometer.training import evaluate
from barometer.training.corpora import read_annotation_csv

WORDS = {
    ("sv", "positive"): ["härligt", "toppen", "underbart"],
    ("sv", "negative"): ["hemskt", "otäckt", "bedrövligt"],
    ("en", "positive"): ["wonderful", "lovely", "great"],
    ("en", "negative"): ["awful", "horrible", "dreadful"],
}
FILLER = {
    "sv": ["i parken", "vid torget", "på biblioteket", "i Fittja", "efter skolan", "i kväll"],
    "en": ["in the park", "at the square", "at the library", "in Fittja", "after school"],
}
NEUTRAL = {"sv": "bussen går klockan", "en": "the bus leaves at"}


def _annotations(path: Path, n: int = 360, seed: int = 0) -> pd.DataFrame:
    """A labelled CSV as `barometer sample-for-annotation` writes it, filled by two annotators
    who agree except on every 12th post (a tie there, dropped)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        lang = ("sv", "en")[i % 2]
        label = ("negative", "neutral", "positive")[(i // 2) % 3]
        place = FILLER[lang][rng.integers(len(FILLER[lang]))]
        if label == "neutral":
            text = f"{NEUTRAL[lang]} {rng.integers(1, 24)} {place}"
        else:
            text = f"{place} var det {WORDS[(lang, label)][rng.integers(3)]}"
            text = text if lang == "sv" else text.replace("var det", "it was")
        other = "neutral" if i % 12 == 11 and label != "neutral" else label
        rows.append({"post_id": f"p{i}", "text": text, "lang": lang, "label": "",
                     "label_anna": label, "label_omar": other})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(models folder, annotation file) with sentiment version "team" trained and activated."""
    root = tmp_path_factory.mktemp("sentiment")
    path = root / "team_sentiment.csv"
    _annotations(path)
    models = root / "models"
    args = [
        "train", "sentiment", "--annotations", str(path), "--output", str(models),
        "--version", "team", "--set", "evaluation.n_boot=50",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    activated = CliRunner().invoke(
        app, ["activate", "sentiment", "team", "--force", "--reason", "test model",
              "--models-dir", str(models)]
    )  # fmt: skip
    assert activated.exit_code == 0, activated.output
    return models, path


def test_training_holds_out_a_stratified_part_of_the_annotations(trained) -> None:
    models, path = trained
    metrics = json.loads((models / "sentiment" / "team" / "metrics.json").read_text())
    frame = pd.read_csv(path)
    used = int((frame["label_anna"] == frame["label_omar"]).sum())  # two annotators: ties dropped
    assert used == 330
    assert metrics["n_train"] + metrics["n_test"] == used
    assert metrics["n_test"] == round(0.2 * used)
    rows = {(r["source"], r["lang"], r["metric"]): r["value"] for r in metrics["test"]}
    for lang in ("sv", "en"):
        assert rows[("annotations:team_sentiment", lang, "macro_f1")] >= 0.95  # planted words
    assert "annotations:team_sentiment/sv macro_f1" in metrics["headline"]
    card = (models / "sentiment" / "team" / "card.md").read_text()
    assert "label_anna, label_omar" in card and "NB-SVM" in card


def test_evaluate_reproduces_the_card_from_the_annotation_file(trained) -> None:
    models, _ = trained
    report = evaluate("sentiment", "team", models_dir=models)
    assert report["ok"].all(), report[~report["ok"]]


def test_trained_sentiment_replaces_the_lexicon(trained, monkeypatch, tmp_path: Path) -> None:
    models, _ = trained
    monkeypatch.setenv("BAROMETER_MODELS_DIR", str(models))
    assert scoring.unavailable_tasks() == {}
    assert scoring.model_versions()["sentiment"] == "sentiment-team"
    posts = pd.DataFrame(
        {"post_id": ["a", "b", "c", "d"],
         "text": ["i parken var det underbart", "at the square it was dreadful",
                  "bussen går klockan 9 i Fittja", "Vid torget var det otäckt"],
         "lang": ["sv", "en", "sv", "sv"]}
    )  # fmt: skip
    rows = BatchScorer().score(posts)
    sentiment = rows[rows["task"] == "sentiment"].set_index("post_id")
    assert sentiment["label"].to_dict() == {
        "a": "positive", "b": "negative", "c": "neutral", "d": "negative",
    }  # fmt: skip
    assert (sentiment["model_version"] == "sentiment-team").all()
    assert sentiment["probability"].between(0, 1).all()  # a probability, unlike the lexicon's
    alone = registry.load_model("sentiment").score_posts(posts)[POST_SCORES.columns]
    pd.testing.assert_frame_equal(
        alone.drop(columns="probability"),
        sentiment.reset_index()[alone.columns].drop(columns="probability"),
    )
    assert {"trust_expression", "rumour", "theme"} <= set(rows["task"])


def test_without_lexicon_packages_or_a_model_sentiment_is_named_unavailable(
    monkeypatch, tmp_path: Path
) -> None:
    """A broken install (a lexicon package missing) and no trained sentiment model: sentiment
    is named unavailable with the package to install; every other task is scored."""
    from barometer.nlp import lexicon_sources

    (tmp_path / "models").mkdir()
    monkeypatch.setenv("BAROMETER_MODELS_DIR", str(tmp_path / "models"))
    assert scoring.unavailable_tasks() == {}
    broken = lexicon_sources.LexiconSource("afinn_en", "no_such_package", "data/x.txt", "afinn")
    monkeypatch.setitem(lexicon_sources.PACKAGED_SOURCES, "en", (broken,))
    reasons = scoring.unavailable_tasks()
    assert list(reasons) == ["sentiment"] and "'no_such_package' package" in reasons["sentiment"]
    assert "sentiment" not in scoring.model_versions(reasons)
    posts = pd.DataFrame({"post_id": ["a"], "text": ["a lovely day"], "lang": ["en"]})
    rows = BatchScorer(skip=reasons).score(posts)
    assert "sentiment" not in set(rows["task"])
    assert {"trust_expression", "rumour", "theme"} <= set(rows["task"])


def test_a_city_lexicon_folder_that_does_not_exist_falls_back_to_the_packaged_ones(
    tmp_path: Path,
) -> None:
    assert scoring.city_lexicon_dir(None) == (None, None)
    assert scoring.city_lexicon_dir(tmp_path) == (tmp_path, None)
    folder, warning = scoring.city_lexicon_dir(tmp_path / "gone")
    assert folder is None and warning is not None and str(tmp_path / "gone") in warning


def test_training_without_any_labels_says_to_pass_annotations(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "sentiment", "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "no training data" in result.output and "--annotations FILE.csv" in result.output
    assert not (tmp_path / "sentiment").exists()


def test_annotation_only_training_needs_enough_rows_per_class(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    pd.DataFrame(
        {"text": ["bra", "dåligt", "okej", "toppen"], "lang": "sv",
         "label": ["positive", "negative", "neutral", "positive"]}
    ).to_csv(path, index=False)  # fmt: skip
    args = ["train", "sentiment", "--annotations", str(path), "--output", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "held out" in result.output and "label more rows" in result.output
    with pytest.raises(ConfigError, match="at least 2 rows per class"):
        from barometer.training.data import _heldout_annotations

        _heldout_annotations(pd.Series(["a", "b", "b"]), 0.2, 0)


def test_extra_file_without_split_gets_a_stratified_test_part(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    labels = ["negative", "neutral", "positive"] * 20
    pd.DataFrame({"text": [f"t{i}" for i in range(60)], "label": labels}).to_csv(path, index=False)
    frame = read_annotation_csv(path, heldout_fraction=0.2, seed=1)
    test = frame[frame["split"] == "test"]
    assert len(test) == 12 and test["sentiment"].value_counts().to_dict() == {
        "negative": 4, "neutral": 4, "positive": 4,
    }  # fmt: skip
    assert (read_annotation_csv(path)["split"] == "train").all()  # no fraction: all training
    with pytest.raises(InputError, match="too few labelled rows"):
        read_annotation_csv(path, heldout_fraction=0.01)


def test_trained_sentiment_is_audited_as_a_registry_model(trained) -> None:
    shared_data("lexicons", "sprakbanken")
    models, _ = trained
    args = ["audit", "sentiment", "--version", "team", "--models-dir", str(models),
            "--n-boot", "50"]  # fmt: skip
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "audit of sentiment-team written to its card and audit.json" in result.output
    record = json.loads((models / "sentiment" / "team" / "audit.json").read_text())
    assert record["thresholds"]["parity_by"] == ["lang"]
    # a model of every language is audited on the templates of every language
    from barometer.audit import load_templates

    templates = set(load_templates()[0]["lang"])
    assert {r["lang"] for r in record["counterfactual_by_template"]} == templates
    assert "flagged = negative" in " ".join(record["notes"])
