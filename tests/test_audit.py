"""Bias audit: counterfactual swaps, error-rate parity, TwitterAAE dialect model, verdicts, CLI."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS_DIR
from sklearn.metrics import confusion_matrix
from typer.testing import CliRunner

from barometer.audit import (
    AuditResults,
    AuditThresholds,
    audit_markdown,
    audit_passes,
    counterfactual_audit,
    counterfactual_sentences,
    error_rates,
    flag_rate_ratio,
    load_audit_thresholds,
    load_templates,
    rate_ratios,
    score_texts,
)
from barometer.audit.dialect import (
    TwitterAAEModel,
    dialect_audit,
    dialect_groups,
    load_davidson_dialects,
    tokenize_tweet,
)
from barometer.cli import app
from barometer.exceptions import ConfigError, InputError
from barometer.training.groups import load_swedish_nationalities

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared(*parts: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (clone outside the project)")
    return SHARED.joinpath(*parts)


class GroupBiasedScorer:
    """A toy scorer: probability 0.9 when the text names one chosen group, else 0.1."""

    classes_ = np.array(["ok", "hostile"])

    def __init__(self, word: str) -> None:
        self.word = word

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        p = np.array([0.9 if self.word in t.lower() else 0.1 for t in texts])
        return np.column_stack([1 - p, p])


def test_counterfactual_spread_finds_the_biased_group() -> None:
    templates, groups = load_templates()
    sentences = counterfactual_sentences(templates, groups)
    assert sentences.groupby("template_id")["group"].nunique().min() >= 5
    assert "An Iraqi moved into the flat next door." in set(sentences["text"])
    result = counterfactual_audit(GroupBiasedScorer("somali"), sentences)
    table = result["by_template"]
    en_nat = table[(table["lang"] == "en") & (table["group_type"] == "nationality")]
    assert en_nat["spread"].to_numpy() == pytest.approx(0.8)
    assert (en_nat["highest"] == "Somalis").all()
    fair = counterfactual_audit(GroupBiasedScorer("no such group"), sentences)["by_template"]
    assert fair["spread"].max() == pytest.approx(0.0)
    passed, reasons = audit_passes(AuditResults("t", "v", counterfactual=result), AuditThresholds())
    assert not passed and "Somalis" in reasons[0]


def test_swedish_nationalities_from_sprakbanken() -> None:
    groups = load_swedish_nationalities(shared())
    assert len(groups) > 150
    row = groups.set_index("plural").loc["somalier"]
    assert (row["singular"], row["adj"]) == ("somalier", "somaliska")
    assert not groups["plural"].str.contains(r"[()\[\]']").any()


def test_error_rates_match_confusion_matrix() -> None:
    frame = pd.DataFrame(
        {
            "y_true": [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1],
            "y_pred": [0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0],
            "lang": ["sv"] * 8 + ["en"] * 4,
        }
    )
    rates = error_rates(frame, y_true="y_true", y_pred="y_pred", by=["lang"], n_boot=200)
    for lang, part in frame.groupby("lang"):
        tn, fp, fn, tp = confusion_matrix(part["y_true"], part["y_pred"], labels=[0, 1]).ravel()
        got = rates[rates["group"] == lang].set_index("metric")
        assert got.loc["fpr", "value"] == pytest.approx(fp / (fp + tn))
        assert got.loc["fnr", "value"] == pytest.approx(fn / (fn + tp))
        assert got.loc["fpr", "lower"] <= got.loc["fpr", "value"] <= got.loc["fpr", "upper"]
    ratios = rate_ratios(rates, min_n=1).set_index("metric")
    assert ratios.loc["fpr", "ratio"] == pytest.approx(1.0 / 0.25)  # en 2/2 vs sv 1/4
    with pytest.raises(InputError, match="missing columns"):
        error_rates(frame, y_true="y", y_pred="y_pred", by=["lang"])


def test_flag_rate_ratio_and_interval() -> None:
    flags = np.r_[np.ones(60), np.zeros(40), np.ones(30), np.zeros(70)]
    groups = np.r_[["a"] * 100, ["b"] * 100]
    table = flag_rate_ratio(flags, groups, numerator="a", denominator="b", n_boot=500)
    ratio = table[table["quantity"] == "ratio"].iloc[0]
    assert ratio["value"] == pytest.approx(2.0)
    assert ratio["lower"] < 2.0 < ratio["upper"]
    with pytest.raises(InputError, match="no item in group 'c'"):
        flag_rate_ratio(flags, groups, numerator="c", denominator="b")


def test_score_texts_contract() -> None:
    def proba(self: object, x: list[str]) -> np.ndarray:
        return np.full((len(x), 3), 1 / 3)

    three = type("Three", (), {"classes_": np.array(["a", "b", "c"]), "predict_proba": proba})()
    with pytest.raises(InputError, match="pass positive_label"):
        score_texts(three, ["x"], ["en"])
    assert score_texts(three, ["x"], ["en"], positive_label="c") == pytest.approx([1 / 3])
    with pytest.raises(InputError, match="predict_proba or decision_function"):
        score_texts(object(), ["x"], ["en"])


def test_thresholds_from_config(tmp_path: Path) -> None:
    config = tmp_path / "audit.toml"
    config.write_text("[audit]\nmax_fpr_ratio = 1.2\n", encoding="utf-8")
    assert load_audit_thresholds(config).max_fpr_ratio == 1.2
    config.write_text("[audit]\nmax_fpr_ratio = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_fpr_ratio"):
        load_audit_thresholds(config)


def test_twitteraae_reproduces_readme_examples() -> None:
    model = TwitterAAEModel(shared("text", "twitteraae"))
    got = model.predict([["hello", "there"], ["af", "af", "af"], ["qqqzzz"], []])
    np.testing.assert_allclose(got[0], [0.16603718, 0.27450171, 0.22886004, 0.33060107], rtol=1e-6)
    np.testing.assert_allclose(got[1], [8.42944382e-01, 1.32149345e-01, 1.11905398e-04,
                                        2.47943681e-02], rtol=1e-6)  # fmt: skip
    assert np.isnan(got[2:]).all()
    assert tokenize_tweet("I'm done &amp; tired :) http://t.co/x") == [
        "I'm", "done", "&", "tired", ":)", "http://t.co/x"
    ]  # fmt: skip
    with pytest.raises(InputError, match="TwitterAAE model file not found"):
        TwitterAAEModel(shared() / "nowhere")


def test_dialect_audit_on_davidson_labels() -> None:
    """Annotators' own labels flag AAE-aligned tweets more often (Sap et al. 2019)."""
    tweets = load_davidson_dialects(shared())
    assert len(tweets) == 24783
    groups = dialect_groups(tweets)
    assert (groups == "aae").sum() > 10 * (groups == "white").sum()
    flags = (tweets["gold"] != "neither").to_numpy()
    table = dialect_audit(flags, tweets, threshold=None, n_boot=200)
    ratio = table[(table["subset"] == "all") & (table["quantity"] == "ratio")].iloc[0]
    assert ratio["value"] > 1.3 and ratio["lower"] > 1.0
    results = AuditResults("hostility", "gold", dialect=table)
    passed, reasons = audit_passes(results, AuditThresholds(max_dialect_flag_ratio=1.2))
    assert not passed and "aae/white (all)" in reasons[0]
    assert "Dialect" in audit_markdown(results, AuditThresholds())


def test_cli_audit_rumour_writes_card(tmp_path: Path) -> None:
    out = tmp_path / "card.md"
    result = CliRunner().invoke(
        app, ["audit", "rumour", "--shared-data", str(tmp_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("## Bias audit: rumour")
    assert "verdict:" in result.output
    bad = CliRunner().invoke(app, ["audit", "weather", "--shared-data", str(tmp_path)])
    assert bad.exit_code == 1 and "no auditable scorer" in bad.output


# -- auditing registered models ----------------------------------------------------------------


def _copy_model(task: str, root: Path) -> Path:
    """A copy of the active committed version of ``task`` in a temporary models folder (never
    audits in place)."""
    import shutil

    from barometer import registry

    version = registry.active_versions()[task]
    source = MODELS_DIR / task / version
    target = root / task / version
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("audit.json"))
    return target


def test_audit_model_records_verdict_card_and_json(tmp_path: Path) -> None:
    import json

    from barometer import registry
    from barometer.audit import audit_model

    shared()
    folder = _copy_model("hostility", tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["card.md"] = "0" * 64  # a card that is hashed gets its hash updated
    (folder / "manifest.json").write_text(json.dumps(manifest))
    results, limits = audit_model("hostility", folder.name, models_dir=tmp_path, n_boot=200)
    assert limits.dialect and limits.dialect_argmax and limits.n_boot == 200
    rates = results.error_rates
    # group fairness across the groups posts target; languages are compared on the same
    # neutral sentences (counterfactuals in every language the model scores)
    assert rates is not None and set(rates["by"]) == {"target_group"}
    # target groups compared within each language (MLMA's en, fr and ar parts)
    assert set(rates["stratum"]) == {"lang=ar", "lang=en", "lang=fr"}
    assert results.counterfactual is not None
    assert set(results.counterfactual["scores"]["lang"]) == {"sv", "en", "fr", "tr", "ar"}
    assert limits.max_neutral_flag_rate == 0.05
    assert results.dialect is not None and set(results.dialect["subset"]) == {"all", "gold_neither"}
    record = json.loads((folder / "audit.json").read_text())
    passed, reasons = audit_passes(results, limits)
    assert (record["passed"], record["reasons"]) == (passed, reasons)
    assert passed, reasons  # the active hostility model passes its own audit, no --force
    assert record["model_sha256"] == registry.sha256(folder / "model.skops")
    assert {"counterfactual_by_template", "error_rates", "rate_ratios", "dialect"} <= set(record)
    card = (folder / "card.md").read_text()
    section = card.split("## Audit results", 1)[1].split("\n## ", 1)[0]
    assert f"### Bias audit: hostility (hostility-{folder.name})" in section
    assert "Not audited yet" not in card and card.count("## Audit results") == 1
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"]["card.md"] == registry.sha256(folder / "card.md")


def test_cli_audit_registered_model(tmp_path: Path) -> None:
    import json

    from barometer import registry

    shared()
    folder = _copy_model("immigration_attitude", tmp_path)
    _copy_model("hostility_target", tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    base = ["--version", folder.name, "--models-dir", str(tmp_path), "--n-boot", "100"]
    result = runner.invoke(app, ["audit", "immigration_attitude", *base])
    assert result.exit_code == 0, result.output
    assert "verdict:" in result.output and "written to its card and audit.json" in result.output
    record = json.loads((folder / "audit.json").read_text())
    assert record["thresholds"]["parity_by"] == ["lang"]
    assert {r["lang"] for r in record["counterfactual_by_template"]} == {"sv"}  # scores sv only
    missing = runner.invoke(
        app, ["audit", "immigration_attitude", *base, "--shared-data", str(tmp_path / "none")]
    )
    assert missing.exit_code == 1 and "shared data folder" in missing.output
    target = registry.active_versions()["hostility_target"]
    undefined = runner.invoke(app, ["audit", "hostility_target", "--version", target, *base[2:]])
    assert undefined.exit_code == 1 and "no bias audit is defined" in undefined.output
    assert "[audit] table" in undefined.output


def test_davidson_dialects_keep_mask() -> None:
    with pytest.raises(InputError, match="keep has 3 values"):
        load_davidson_dialects(shared(), keep=np.ones(3, bool))
