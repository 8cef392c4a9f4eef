"""The hand-written functional suite of the hostility model (tests/functional/hostility_cases.csv)
and the committed model's results on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barometer import registry
from barometer.audit import audit_sentences
from barometer.audit.functional import (
    FUNCTIONALITIES,
    SUITE_FILE,
    functional_markdown,
    load_suite,
    neutral_flag_rate,
    run_suite,
    summarise,
)
from barometer.exceptions import InputError
from barometer.nlp.classifiers import TextClassifier
from barometer.training import version_config
from barometer.training.templates import template_rows
from tests.conftest import REPO_ROOT

KINDS = {"hostile": "hostile", "benign": "not_hostile", "positive": "not_hostile",
         "negated": "not_hostile",
         "counter": "not_hostile", "untargeted": "not_hostile"}  # fmt: skip


def _normal(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").replace(".", " ").split())


def test_suite_covers_every_functionality_in_sv_and_en_and_some_in_ar_tr_so() -> None:
    suite = load_suite()
    counts = suite.groupby(["lang", "functionality"]).size().unstack(fill_value=0)
    assert (suite["lang"].isin(["sv", "en"])).sum() >= 300
    for lang in ("sv", "en"):
        assert (counts.loc[lang] >= 8).all(), counts.loc[lang]
        assert set(counts.columns) == set(FUNCTIONALITIES)
    for lang in ("ar", "tr", "so"):
        assert counts.loc[lang].sum() >= 15
        assert (suite[suite["lang"] == lang]["label"] == "hostile").any()
    assert not suite["text"].map(_normal).duplicated().any()


def test_no_case_is_a_training_or_audit_sentence() -> None:
    """The cases were written apart from the training templates: none of them is one of the
    augmentation or audit sentences (compared case- and punctuation-insensitively)."""
    suite = load_suite()
    generated = template_rows(KINDS, ["sv", "en", "fr", "tr", "ar"])
    audit = audit_sentences(None, (), [])
    known = set(generated["text"].map(_normal)) | set(audit["text"].map(_normal))
    leaked = suite[suite["text"].map(_normal).isin(known)]
    assert leaked.empty, leaked["text"].tolist()


def test_bad_suite_rows_name_the_line_and_field(tmp_path: Path) -> None:
    good = pd.read_csv(SUITE_FILE, dtype=str, keep_default_na=False).head(3)
    bad = good.copy()
    bad.loc[1, "label"] = "not_hostile" if bad.loc[1, "label"] == "hostile" else "hostile"
    path = tmp_path / "suite.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"line 3, field label"):
        load_suite(path)
    bad = good.copy()
    bad.loc[0, "functionality"] = "sarcasm"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"line 2, field functionality: unknown 'sarcasm'"):
        load_suite(path)


def test_a_model_abstains_on_languages_it_does_not_score() -> None:
    texts = ["they are vermin", "lovely neighbours"] * 10
    clf = TextClassifier(cv=2, n_features=2**10, languages=("en",), lang_feature=False)
    clf.fit(texts, ["hostile", "not_hostile"] * 10, ["en"] * 20)
    suite = pd.DataFrame(
        {"case_id": ["a", "b", "c"], "lang": ["en", "en", "so"],
         "functionality": ["dehumanisation", "positive_mention", "threat"],
         "label": ["hostile", "not_hostile", "hostile"], "target": "origin",
         "text": ["they are vermin", "lovely neighbours", "waa in la dilaa"]}
    )  # fmt: skip
    results = run_suite(clf, suite)
    assert results["scored"].tolist() == [True, True, False]
    assert results["passed"].tolist()[:2] == [True, True] and results["passed"].iloc[2] is None
    summary = summarise(results)
    so = summary[(summary["lang"] == "so") & (summary["functionality"] == "all")].iloc[0]
    assert so["n"] == 1 and so["n_scored"] == 0 and np.isnan(so["pass_rate"])
    assert "abstains (1)" in functional_markdown(summary)
    en = summary[(summary["lang"] == "en") & (summary["functionality"] == "all")].iloc[0]
    assert en["pass_rate"] == 1.0 and en["lower"] < 1.0  # Wilson interval of 2/2
    assert neutral_flag_rate(results, "en") == (0.0, 1)


@pytest.fixture(scope="module")
def committed_results() -> pd.DataFrame:
    version = registry.active_versions()["hostility"]
    model = registry.load_model("hostility", version)
    return run_suite(model, load_suite())


def test_committed_hostility_model_on_its_functional_suite(committed_results: pd.DataFrame) -> None:
    """What the barometer needs from the model, checked on the hand-written cases: neutral and
    positive mentions of groups are (almost) never flagged, profanity without a target is not
    hostility, hostile cases score above the others (ROC AUC of at least 0.7, "acceptable
    discrimination"), and Somali (no labelled data) is abstained on. How many hostile cases
    are caught is reported, not asserted: it is the validity table's functional pass rate."""
    from sklearn.metrics import roc_auc_score

    summary = summarise(committed_results).set_index(["lang", "functionality"])
    for lang in ("sv", "en", "ar", "tr"):
        assert neutral_flag_rate(committed_results, lang)[0] <= 0.10, lang
        cases = committed_results[committed_results["lang"] == lang]
        auc = roc_auc_score(cases["label"] == "hostile", cases["p_positive"].astype(float))
        assert auc >= 0.7, (lang, auc)
    for lang in ("sv", "en"):
        assert summary.loc[(lang, "profanity_untargeted"), "pass_rate"] >= 0.8
        assert summary.loc[(lang, "insult_non_protected"), "pass_rate"] >= 0.8
    assert summary.loc[("so", "all"), "n_scored"] == 0


def test_committed_card_reports_the_functional_suite(committed_results: pd.DataFrame) -> None:
    version = registry.active_versions()["hostility"]
    card = (registry.version_dir("hostility", version) / "card.md").read_text(encoding="utf-8")
    assert functional_markdown(summarise(committed_results)) in card


def test_committed_config_scores_only_languages_with_labelled_data() -> None:
    version = registry.active_versions()["hostility"]
    config = version_config("hostility", version)
    assert config.features.lang_feature is False
    languages = set(config.scoring.languages)
    assert "so" not in languages and "und" not in languages and "da" not in languages
    assert (REPO_ROOT / "tests" / "functional" / "hostility_cases.csv") == SUITE_FILE
