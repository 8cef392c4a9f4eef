"""Model registry, training configs, the train/evaluate/models commands and committed models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO_ROOT, shared_data
from typer.testing import CliRunner

from barometer import registry
from barometer.cli import app
from barometer.exceptions import ConfigError, ModelError, ModelIntegrityError
from barometer.nlp.classifiers import TextClassifier
from barometer.schema import POST_SCORES
from barometer.training import load_training_config, parse_override

CONFIGS = REPO_ROOT / "models" / "configs"
TEXTS = ["you stupid idiot", "shut up moron", "lovely day today", "nice concert"] * 6
LABELS = ["hostile", "hostile", "ok", "ok"] * 6


class NotAModel:
    """A type that is not in registry.TRUSTED_TYPES."""

    def __init__(self) -> None:
        self.x = 1


def _fitted() -> TextClassifier:
    return TextClassifier(n_features=2**10, cv=2).fit(TEXTS, LABELS)


def _save(obj: object, root: Path, version: str, task: str = "toy") -> Path:
    return registry.save_model(
        obj, task, version, metrics={"test": [], "headline": "toy"}, card="# toy\n",
        config_text="[task]\n", models_dir=root,
    )  # fmt: skip


def test_skops_round_trip_predicts_the_same(tmp_path: Path) -> None:
    model = _fitted()
    folder = _save(model, tmp_path, "v1")
    assert {p.name for p in folder.iterdir()} >= {"model.skops", "manifest.json", "card.md"}
    loaded = registry.load_model("toy", "v1", models_dir=tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    with pytest.raises(ModelError, match="exists already"):
        _save(model, tmp_path, "v1")


def test_tampered_model_file_is_refused(tmp_path: Path) -> None:
    folder = _save(_fitted(), tmp_path, "v1")
    with (folder / "model.skops").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelIntegrityError, match=r"model\.skops: SHA-256 .* does not match"):
        registry.load_model("toy", "v1", models_dir=tmp_path)


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    _save(NotAModel(), tmp_path, "v1")
    with pytest.raises(ModelError, match=r"not trusted: .*NotAModel"):
        registry.load_model("toy", "v1", models_dir=tmp_path)


def test_activate_list_and_load_active(tmp_path: Path) -> None:
    _save(_fitted(), tmp_path, "v1")
    _save(_fitted(), tmp_path, "v2")
    with pytest.raises(ModelError, match=r"no active version of 'toy'"):
        registry.load_model("toy", models_dir=tmp_path)
    registry.record_audit("toy", "v2", {"passed": True, "reasons": []}, "ok", models_dir=tmp_path)
    registry.activate("toy", "v2", models_dir=tmp_path)
    table = registry.list_models(tmp_path)
    assert table[["version", "active"]].values.tolist() == [["v1", False], ["v2", True]]
    assert isinstance(registry.load_model("toy", models_dir=tmp_path), TextClassifier)
    with pytest.raises(ModelError, match=r"no model 'toy' version 'v9'.*known versions"):
        registry.activate("toy", "v9", models_dir=tmp_path)


def test_update_card_section_replaces_the_audit_section(tmp_path: Path) -> None:
    _save(_fitted(), tmp_path, "v1")
    registry.update_card_section("toy", "v1", "Audit results", "old", models_dir=tmp_path)
    registry.update_card_section("toy", "v1", "Audit results", "passed", models_dir=tmp_path)
    card = (tmp_path / "toy" / "v1" / "card.md").read_text()
    assert card.count("## Audit results") == 1 and "passed" in card and "old" not in card


def test_override_parsing_and_unknown_keys() -> None:
    assert parse_override("classifier.C=2.0") == ("classifier", "C", 2.0)
    assert parse_override("data.sources=['dkhate']") == ("data", "sources", ["dkhate"])
    assert parse_override("calibration.method=isotonic") == ("calibration", "method", "isotonic")
    with pytest.raises(ConfigError, match=r"section.key=value"):
        parse_override("C=2")
    config = load_training_config(
        CONFIGS / "hostility.toml", ["classifier.C=2.0", "cv.report=false"]
    )
    assert config.classifier.C == 2.0 and config.cv.report is False
    with pytest.raises(ConfigError, match=r"no key classifier.gamma"):
        load_training_config(CONFIGS / "hostility.toml", ["classifier.gamma=1"])


def test_cli_train_with_overrides_then_audit_activate_and_evaluate(tmp_path: Path) -> None:
    shared_data("text", "absabank_imm")
    runner = CliRunner(env={"COLUMNS": "200"})
    args = [
        "train", "immigration_attitude", "--output", str(tmp_path), "--version", "small",
        "--set", "data.max_rows_per_source=80", "--set", "evaluation.n_boot=50",
        "--set", "classifier.C=0.5", "--set", "calibration.cv_folds=3",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    config = (tmp_path / "immigration_attitude" / "small" / "config.toml").read_text()
    assert "C = 0.5" in config and "max_rows_per_source = 80" in config
    where = ["--models-dir", str(tmp_path)]
    refused = runner.invoke(app, ["activate", "immigration_attitude", "small", *where])
    assert refused.exit_code == 1 and "not activated: no bias audit" in refused.output
    audited = runner.invoke(
        app, ["audit", "immigration_attitude", "--version", "small", "--n-boot", "50", *where]
    )
    assert audited.exit_code == 0, audited.output
    forced = runner.invoke(
        app, ["activate", "immigration_attitude", "small", "--force", "--reason", "a test", *where]
    )
    assert forced.exit_code == 0, forced.output
    listed = runner.invoke(app, ["models", *where])
    assert "immigration_attitude" in listed.output and "small" in listed.output
    checked = runner.invoke(app, ["evaluate", "immigration_attitude", *where])
    assert checked.exit_code == 0, checked.output
    assert "numbers reproduced" in checked.output
    bad = runner.invoke(app, ["train", "immigration_attitude", "--set", "classifier.nope=1"])
    assert bad.exit_code == 1 and "no key classifier.nope" in bad.output


# -- activation gate ---------------------------------------------------------------------------


def _record(root: Path, passed: bool, reasons: list[str]) -> None:
    registry.record_audit(
        "toy", "v1", {"passed": passed, "reasons": reasons}, "audited", models_dir=root
    )


def test_activation_needs_a_passing_audit_of_the_same_file(tmp_path: Path) -> None:
    folder = _save(_fitted(), tmp_path, "v1")
    with pytest.raises(registry.ActivationRefused, match=r"not activated: no bias audit"):
        registry.activate("toy", "v1", models_dir=tmp_path)
    _record(tmp_path, False, ["FPR ratio by lang 2.00 > 1.5"])
    with pytest.raises(registry.ActivationRefused, match=r"audit failed: FPR ratio by lang 2.00"):
        registry.activate("toy", "v1", models_dir=tmp_path)
    _record(tmp_path, True, [])
    record = json.loads((folder / "audit.json").read_text())
    (folder / "audit.json").write_text(json.dumps(record | {"model_sha256": "0" * 64}))
    with pytest.raises(registry.ActivationRefused, match=r"audits another model file"):
        registry.activate("toy", "v1", models_dir=tmp_path)
    _record(tmp_path, True, [])
    registry.activate("toy", "v1", models_dir=tmp_path)
    assert registry.active_versions(tmp_path) == {"toy": "v1"}
    assert "## Activation" not in (folder / "card.md").read_text()
    assert "audited" in (folder / "card.md").read_text()


def test_forced_activation_is_recorded_in_the_card(tmp_path: Path) -> None:
    folder = _save(_fitted(), tmp_path, "v1")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["card.md"] = registry.sha256(folder / "card.md")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    _record(tmp_path, False, ["counterfactual spread 0.4 > 0.1"])
    registry.activate("toy", "v1", force=True, reason="needed for the demo", models_dir=tmp_path)
    card = (folder / "card.md").read_text()
    activation = card.split("## Activation", 1)[1]
    assert "`--force`" in activation and "counterfactual spread 0.4" in activation
    assert "Reason given: needed for the demo" in activation
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"]["card.md"] == registry.sha256(folder / "card.md")
    assert registry.active_versions(tmp_path) == {"toy": "v1"}


def test_committed_default_models_are_audited_or_forced_with_a_reason() -> None:
    for task, version in registry.active_versions().items():
        card = (REPO_ROOT / "models" / task / version / "card.md").read_text()
        problems = registry.audit_problems(task, version)
        if problems:
            assert "## Activation" in card and "Reason given: " in card, task
            assert "none given" not in card.split("## Activation", 1)[1], task
        if (REPO_ROOT / "models" / task / version / "audit.json").is_file():
            assert "Not audited yet" not in card and "### Bias audit" in card


# -- annotation files as training data ----------------------------------------------------------


def test_read_annotations_majority_ties_and_agreement(tmp_path: Path) -> None:
    from barometer.exceptions import InputError
    from barometer.training import read_annotations

    config = load_training_config(CONFIGS / "hostility.toml")
    path = tmp_path / "labelled.csv"
    pd.DataFrame(
        {
            "post_id": ["a", "b", "c", "d", "e"],
            "text": ["du är dum", "fin dag", "idiot", "hej", "vad bra"],
            "lang": ["sv", "sv", "sv", None, "sv"],
            "label": [""] * 5,  # the empty column of sample-for-annotation is ignored
            "label_anna": ["Hostile", "not_hostile", "hostile", None, "not_hostile"],
            "label_bo": ["hostile ", "not_hostile", "not_hostile", None, "not_hostile"],
        }
    ).to_csv(path, index=False)
    rows, summary = read_annotations(path, config)
    assert rows["text"].tolist() == ["du är dum", "fin dag", "vad bra"]  # c tied, d unlabelled
    assert rows["label"].tolist() == ["hostile", "not_hostile", "not_hostile"]
    assert set(rows["split"]) == {"train"} and set(rows["lang"]) == {"sv"}
    assert (summary["n_labelled"], summary["n_ties"], summary["n_used"]) == (4, 1, 3)
    kappa = next(r for r in summary["agreement"] if r["measure"] == "cohen_kappa")
    assert kappa["annotators"] == "label_anna|label_bo" and kappa["n_items"] == 4
    pd.DataFrame({"text": ["x"], "label": ["rude"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"labels \['rude'\] are not classes of task"):
        read_annotations(path, config)
    pd.DataFrame({"text": ["x"], "label": [None]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"expected a text column and a filled label column"):
        read_annotations(path, config)
    binned = load_training_config(CONFIGS / "immigration_attitude.toml")
    pd.DataFrame(
        {"text": ["x", "y"], "label_1": ["1", "4.5"], "label_2": ["2", "positive"]}
    ).to_csv(path, index=False)
    rows, _ = read_annotations(path, binned)
    assert rows["label"].tolist() == ["negative", "positive"]
    assert rows["value"].tolist() == [1.5, 4.5]


def test_cli_train_with_an_annotation_file(tmp_path: Path) -> None:
    shared_data("text", "absabank_imm")
    from barometer.training.corpora import load_corpora

    gold = load_corpora(["absabank_imm"]).query("split == 'train'").tail(40)
    path = tmp_path / "team.csv"
    pd.DataFrame(
        {"post_id": range(40), "text": gold["text"], "lang": "sv", "label": "",
         "label_a": gold["attitude"].round(1), "label_b": gold["attitude"].round(1)}
    ).to_csv(path, index=False)  # fmt: skip
    args = [
        "train", "immigration_attitude", "--output", str(tmp_path), "--version", "team",
        "--annotations", str(path), "--set", "data.max_rows_per_source=60",
        "--set", "evaluation.n_boot=20", "--set", "calibration.cv_folds=2",
        "--set", "cv.report=false",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "immigration_attitude" / "team"
    assert json.loads((folder / "metrics.json").read_text())["n_train"] == 60 + 40
    assert f'annotations = ["{path}"]' in (folder / "config.toml").read_text()
    section = (folder / "card.md").read_text().split("## Annotations", 1)[1].split("\n## ")[0]
    assert "| team.csv |" in section and "label_a, label_b" in section
    assert "| team.csv | krippendorff_alpha_nominal | all | 1.000 | 40 |" in section


def test_evaluate_flags_a_changed_metric(tmp_path: Path) -> None:
    shared_data("text", "absabank_imm")
    from barometer.training import evaluate, train

    overrides = ["data.max_rows_per_source=60", "evaluation.n_boot=20", "calibration.cv_folds=2"]
    version = train(
        "immigration_attitude", CONFIGS / "immigration_attitude.toml", overrides, tmp_path
    )
    path = tmp_path / "immigration_attitude" / version / "metrics.json"
    metrics = json.loads(path.read_text())
    metrics["test"][0]["value"] += 0.01
    path.write_text(json.dumps(metrics))
    report = evaluate("immigration_attitude", version, models_dir=tmp_path)
    assert report["ok"].tolist().count(False) == 1


# -- the committed default models ------------------------------------------------------------

THRESHOLDS = {  # (task, corpus, lang, metric) -> lowest accepted value (published in brackets)
    (
        "immigration_attitude",
        "absabank_imm",
        "sv",
        "krippendorff_alpha_interval",
    ): 0.43,  # SVM 0.286
    # hostility toward groups: no published result on this label scheme (Davidson's hate class
    # vs the rest); the floor is the validity criterion of barometer.audit.validity (chance: 0.5)
    ("hostility", "davidson2017", "en", "binary_macro_f1"): 0.60,
    ("hostility_target", "mlma", "en", "macro_f1"): 0.55,
}
CEILINGS = {  # (task, corpus, lang, metric) -> highest accepted value
    # real not-hostile text in languages without hostile test rows: at most 5 % flagged (the
    # validity limit for neutral text); Swedish paragraphs and Turkish tweets
    ("hostility", "absabank_imm", "sv", "false_positive_rate"): 0.05,
    ("hostility", "offenseval2020_tr", "tr", "false_positive_rate"): 0.05,
}


@pytest.mark.parametrize("task", ["hostility", "immigration_attitude", "hostility_target"])
def test_committed_models_load_and_meet_their_thresholds(task: str) -> None:
    version = registry.active_versions().get(task)
    assert version, f"no active {task} model in models/registry.toml"
    model = registry.load_model(task)
    assert (REPO_ROOT / "models" / task / version / "model.skops").stat().st_size < 15e6
    rows = json.loads((REPO_ROOT / "models" / task / version / "metrics.json").read_text())
    found = {(task, r["source"], r["lang"], r["metric"]): r for r in rows["test"]}
    for key, lowest in THRESHOLDS.items():
        if key[0] == task:
            assert found[key]["value"] >= lowest, key
            assert found[key]["lower"] <= found[key]["value"] <= found[key]["upper"]
    for key, highest in CEILINGS.items():
        if key[0] == task:
            assert found[key]["value"] <= highest, key
    card = (REPO_ROOT / "models" / task / version / "card.md").read_text()
    assert "## Audit results" in card and "Licence" in card
    assert len(model.predict_proba(["hej"], ["sv"])[0]) == len(model.classes_)


def test_committed_models_score_obvious_posts() -> None:
    posts = pd.DataFrame(
        {
            "post_id": ["a", "b", "c", "d"],
            "text": [
                "Muslims are vermin and should all be deported",
                "Fuck this weather, the bus is late again",
                "Massinvandringen förstör Sverige, stoppa invandringen nu",
                "Invandringen har varit positiv för Sverige och flyktingar ska välkomnas",
            ],
            "lang": ["en", "en", "sv", "sv"],
        }
    )
    rows = registry.score_with_active_models(posts)
    assert list(rows.columns) == POST_SCORES.columns
    label = rows.set_index(["task", "post_id"])["label"]
    assert label[("hostility", "a")] == "hostile"
    assert label[("hostility", "b")] == "not_hostile"  # profanity without a target
    assert label[("immigration_attitude", "c")] == "negative"
    assert label[("immigration_attitude", "d")] == "positive"
    gated = set(rows.loc[rows["task"] == "hostility_target", "post_id"])
    hostile = rows[(rows["task"] == "hostility") & (rows["label"] != "not_hostile")]
    target_langs = registry.model_languages("hostility_target") or set(posts["lang"])
    in_scope = set(hostile["post_id"]) & set(posts.loc[posts["lang"].isin(target_langs), "post_id"])
    assert gated == in_scope and "a" in gated


def test_committed_attitude_model_reproduces_its_card() -> None:
    shared_data("text", "absabank_imm")
    from barometer.training import evaluate

    report = evaluate("immigration_attitude")
    assert report["ok"].all(), report[~report["ok"]]


def test_committed_hostility_model_reproduces_its_card() -> None:
    for corpus in ("davidson2017", "offenseval2020_tr", "mlma", "absabank_imm"):
        shared_data("text", corpus)
    from barometer.training import evaluate

    report = evaluate("hostility")
    assert report["ok"].all(), report[~report["ok"]]
    english = report[(report["source"] == "davidson2017")
                     & (report["metric"] == "binary_macro_f1")]  # fmt: skip
    assert english["reproduced"].iloc[0] >= 0.60


def test_committed_target_group_model_reproduces_its_card() -> None:
    shared_data("text", "mlma")
    from barometer.training import evaluate

    report = evaluate("hostility_target")
    assert report["ok"].all(), report[~report["ok"]]
