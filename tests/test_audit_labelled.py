"""Validating the rule-based sentiment scorer on a city's own labelled posts
(``barometer validate sentiment --labelled FILE.csv``, :mod:`barometer.audit.labelled`)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from barometer.audit.labelled import (
    read_labelled,
    score_labelled,
    stored_labelled,
    validate_labelled,
)
from barometer.audit.validity import current_versions, model_validity_table
from barometer.cli import app
from barometer.exceptions import InputError, ModelError
from barometer.locations import packaged_models_dir
from barometer.scoring import RULE_BASED
from tests.conftest import FIXTURES

VERSION = RULE_BASED["sentiment"][0]
SV_NOUNS = ["dagen", "maten", "parken", "konserten", "skolan", "biblioteket", "bussen", "torget"]
EN_NOUNS = ["day", "food", "park", "concert", "school", "library", "bus", "square"]


def _texts(lang: str, noun: str) -> dict[str, str]:
    """Posts the lexicon scorer reads as positive / negative / neutral (checked below)."""
    if lang == "sv":
        return {"positive": f"Vilken underbar och härlig {noun}, jag älskar det!",
                "negative": f"Hemskt, {noun} var fruktansvärt dålig och tråkig.",
                "neutral": f"Vi ses vid {noun} klockan tre."}  # fmt: skip
    return {"positive": f"What a wonderful and lovely {noun}, I love it!",
            "negative": f"Awful, the {noun} was terrible and boring.",
            "neutral": f"We meet at the {noun} at three."}  # fmt: skip


def _labelled() -> pd.DataFrame:
    """48 posts (24 sv, 24 en), 8 the scorer reads as each class per language, with gold labels
    that disagree by design:

    - sv: 2 of the 8 read-positive posts labelled neutral, 2 of the 8 read-neutral labelled
      negative, the rest as read. Confusion (truth x predicted): positive 6/0/0 (pos/neg/neu),
      negative 0/8/2, neutral 2/0/6. F1: positive 2*(6/8)*(6/6)/(6/8+1) = 6/7, negative
      2*(8/8)*(8/10)/(1+8/10) = 8/9, neutral 2*(6/8)*(6/8)/(12/8) = 3/4; macro (6/7+8/9+3/4)/3.
    - en: 4 of the 8 read-negative posts labelled positive. Positive: precision 8/8, recall 8/12,
      F1 4/5; negative: precision 4/8, recall 4/4, F1 2/3; neutral 1; macro (4/5+2/3+1)/3.
    """
    rows = []
    for lang, nouns in (("sv", SV_NOUNS), ("en", EN_NOUNS)):
        for i, noun in enumerate(nouns):
            texts = _texts(lang, noun)
            for read, text in texts.items():
                label = read
                if lang == "sv" and read == "positive" and i < 2:
                    label = "neutral"
                if lang == "sv" and read == "neutral" and i < 2:
                    label = "negative"
                if lang == "en" and read == "negative" and i < 4:
                    label = "positive"
                shown = label.upper() if i == 7 else label  # case is ignored
                rows.append({"text": text, "lang": lang, "label": shown, "read": read})
    return pd.DataFrame(rows)


SV_MACRO = (6 / 7 + 8 / 9 + 3 / 4) / 3
EN_MACRO = (4 / 5 + 2 / 3 + 1) / 3
#: Limits under which sv passes and en fails (en's macro-F1 is below 1 whatever the interval).
SV_ONLY = ["validity.min_n_test=20", "validity.min_metric_lower_by_language={sv = 0.5, en = 1.0}"]


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "to_label.csv"
    _labelled().drop(columns="read").to_csv(path, index=False)
    return path


def test_the_scorer_reads_the_planted_posts_as_designed() -> None:
    frame = _labelled()
    predicted = score_labelled(frame["text"].tolist(), frame["lang"].tolist(), "sentiment")
    assert predicted.tolist() == frame["read"].tolist()


def test_macro_f1_per_language_is_the_hand_computed_one(tmp_path: Path, labelled_csv: Path) -> None:
    models = tmp_path / "models"
    table = validate_labelled("sentiment", labelled_csv, models_dir=models, overrides=SV_ONLY)
    by_lang = table.set_index("language")
    assert sorted(by_lang.index) == ["en", "sv"]
    assert by_lang.loc["sv", "value"] == pytest.approx(SV_MACRO)
    assert by_lang.loc["en", "value"] == pytest.approx(EN_MACRO)
    assert (by_lang["n_test"] == 24).all()
    assert (by_lang["lower"] <= by_lang["value"]).all()
    assert (by_lang["value"] <= by_lang["upper"]).all()
    assert by_lang.loc["sv", "validated"] and pd.isna(by_lang.loc["sv", "reason"])
    assert not by_lang.loc["en", "validated"]
    assert by_lang.loc["en", "reason"] == "metric_below_threshold"
    # sv: 8 posts labelled neutral, none read negative; en: 8 labelled neutral, none negative
    assert by_lang.loc["sv", "neutral_flag_rate"] == 0.0
    assert by_lang.loc["sv", "test_set"] == "labelled:to_label.csv"
    stored = json.loads((models / "sentiment" / VERSION / "validity.json").read_text("utf-8"))
    assert stored["scorer_version"] == VERSION and stored["n_labelled"] == 48


def test_default_limits_need_min_n_test_rows(tmp_path: Path, labelled_csv: Path) -> None:
    """The packaged limits: 100 posts per language, so 24 is too few whatever the F1."""
    table = validate_labelled("sentiment", labelled_csv, models_dir=tmp_path / "models")
    assert not table["validated"].any()
    assert all("test_set_too_small" in reason for reason in table["reason"])


def test_the_table_marks_validated_languages_and_the_others_stay_untested(
    tmp_path: Path, labelled_csv: Path
) -> None:
    models = tmp_path / "models"
    validate_labelled("sentiment", labelled_csv, models_dir=models, overrides=SV_ONLY)
    table = model_validity_table({"sentiment": VERSION}, models_dir=models).set_index("language")
    assert table.loc["sv", "validated"] and table.loc["sv", "n_test"] == 24
    assert table.loc["en", "reason"] == "metric_below_threshold"
    others = table.drop(index=["sv", "en"])
    assert len(others) >= 2 and set(others["reason"]) == {"no_test_set"}
    # another scorer version is not validated by this file
    stale = model_validity_table({"sentiment": "lexicon-v999"}, models_dir=models)
    assert set(stale["reason"]) == {"no_test_set"}


def test_a_file_of_another_version_is_ignored(tmp_path: Path, labelled_csv: Path) -> None:
    models = tmp_path / "models"
    validate_labelled("sentiment", labelled_csv, models_dir=models, overrides=SV_ONLY)
    path = models / "sentiment" / VERSION / "validity.json"
    payload = json.loads(path.read_text("utf-8"))
    payload["scorer_version"] = "lexicon-v1"  # copied from an older scorer's folder
    path.write_text(json.dumps(payload), encoding="utf-8")
    assert stored_labelled("sentiment", VERSION, models).empty
    table = model_validity_table({"sentiment": VERSION}, models_dir=models)
    assert not table["validated"].any()


def test_majority_over_annotator_columns(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    pd.DataFrame(
        {"text": ["a", "b", "c", "d"], "lang": ["sv"] * 4,
         "label_ann": ["positive", "negative", "neutral", ""],
         "label_bo": ["positive", "neutral", "neutral", ""],
         "label_cy": ["negative", "neutral", "", ""]}
    ).to_csv(path, index=False)  # fmt: skip
    rows, summary = read_labelled(path, "sentiment")
    # b: neutral 2 of 3 votes; c: neutral 2 of 2 (a blank is no vote); d: nobody labelled it
    assert rows["label"].tolist() == ["positive", "neutral", "neutral"]
    assert summary["n_used"] == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,lang\nhej,sv\n", "missing column 'label'"),
        ("text,label\nhej,positive\n", "missing column 'lang'"),
        ("text,lang,label\nhej,sv,positive\n,sv,negative\n", "line 3, field 'text': empty"),
        ("text,lang,label\nhej,,positive\n", "line 2, field 'lang': empty"),
        ("text,lang,label\nhej,sv,positive\nhå,sv,glad\n",
         "line 3, field 'label': 'glad' is not a sentiment class"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_labelled(path, "sentiment")
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_other_tasks_and_missing_models_folder_are_refused(
    labelled_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ModelError, match="rule-based sentiment only; 'theme' is a rule-based"):
        validate_labelled("theme", labelled_csv, models_dir=None)
    with pytest.raises(ModelError, match="'hostility' is not a rule-based task"):
        validate_labelled("hostility", labelled_csv, models_dir=None)
    monkeypatch.delenv("BAROMETER_MODELS_DIR", raising=False)
    with pytest.raises(ModelError, match="no models folder to write to"):
        validate_labelled("sentiment", labelled_csv, models_dir=None)


def test_cli_writes_to_the_city_folder_never_the_package(
    tmp_path: Path, labelled_csv: Path
) -> None:
    packaged = {p: p.read_bytes() for p in packaged_models_dir().rglob("*") if p.is_file()}
    models = tmp_path / "models"
    result = CliRunner(env={"COLUMNS": "250", "BAROMETER_MODELS_DIR": str(models)}).invoke(
        app, ["validate", "sentiment", "--labelled", str(labelled_csv),
              *[arg for item in SV_ONLY for arg in ("--set", item)]],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "labelled:to_label.csv (24)" in result.output
    assert "measured on to_label.csv in en, sv; validated in sv" in result.output
    assert {p: p.read_bytes() for p in packaged_models_dir().rglob("*") if p.is_file()} == packaged
    assert (models / "sentiment" / VERSION / "validity.json").is_file()
    refused = CliRunner().invoke(app, ["validate", "theme", "--labelled", str(labelled_csv),
                                       "--models-dir", str(models)])  # fmt: skip
    assert refused.exit_code != 0 and "rule-based sentiment only" in refused.output
    assert "Traceback" not in refused.output


def test_pipeline_publishes_validated_only_where_every_language_is(
    tmp_path: Path, labelled_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mini fixture's negative-share cells: east 2024-03 rests on en and sv posts, east
    2024-04 and west 2024-03 on sv posts only. With sv validated and en not, only the sv-only
    cells are published as validated."""
    from barometer.config import load_config
    from barometer.pipeline import run_pipeline

    models = tmp_path / "models"
    validate_labelled("sentiment", labelled_csv, models_dir=models, overrides=SV_ONLY)
    monkeypatch.setenv("BAROMETER_MODELS_DIR", str(models))
    assert current_versions()["sentiment"] == VERSION
    root = tmp_path / "warehouse"
    run_pipeline(load_config(FIXTURES / "mini.toml"), warehouse=root, show_progress=False)
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        cells = con.execute(
            "SELECT neighbourhood_id, period_start, validity, validity_note FROM indicators "
            "WHERE indicator = 'digital_negative_share' ORDER BY neighbourhood_id, period_start"
        ).df()
        table = con.execute("SELECT * FROM model_validity WHERE task = 'sentiment'").df()
    notes = cells["validity_note"].tolist()
    assert cells["validity"].tolist() == ["not_validated", "validated", "validated"]
    assert notes[0] == (f"sentiment:{VERSION}:en:metric_below_threshold;"
                        f"sentiment:{VERSION}:sv:validated")  # fmt: skip
    assert notes[1] == notes[2] == f"sentiment:{VERSION}:sv:validated"
    assert set(table.loc[table["validated"], "language"]) == {"sv"}
    assert np.all(table["validated"] == table["reason"].isna())


def test_per_language_limits_default_to_the_issue_goals() -> None:
    from barometer.audit.labelled import criteria_for
    from barometer.exceptions import ConfigError
    from barometer.training.config import ValidityCriteria

    criteria = criteria_for("sentiment")
    assert (criteria.metric_limit("sv"), criteria.metric_limit("ar")) == (0.62, 0.52)
    assert criteria.metric_limit("en") == criteria.min_metric_lower == 0.60
    assert criteria.min_n_test == 100
    assert ValidityCriteria().metric_limit("sv") == ValidityCriteria().min_metric_lower
    with pytest.raises(ConfigError, match=r"only validity\.KEY=VALUE"):
        criteria_for("sentiment", ["classifier.C=2"])
