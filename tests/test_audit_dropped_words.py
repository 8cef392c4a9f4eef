"""The dropped-word instrument: the share of a text's words a vocabulary model drops, and the
benign flag rate binned by it (barometer.audit.dropped_words)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import load_bench

from barometer import registry
from barometer.audit.dropped_words import (
    HIGH_DROPPED_SHARE,
    benign_flags_by_dropped_share,
    dropped_share_bins,
    high_dropped_flag_rates,
    sentences_as_cases,
    with_dropped_share,
)
from barometer.audit.functional import load_suite, run_suite
from barometer.nlp.vocabulary import VocabularyMasking
from barometer.training import version_config


def _masking(words: list[str], rare_words: str = "drop_always") -> VocabularyMasking:
    masking = VocabularyMasking()
    masking.vocabulary_ = words
    masking.rare_words = rare_words
    return masking


def test_dropped_share_counts_words_outside_the_vocabulary() -> None:
    masking = _masking(["the", "bus", "is"])
    shares = masking.dropped_share(["the bus is late", "xq zz", "the bus", "!!", ""], ["en"] * 5)
    np.testing.assert_array_equal(shares[:3], [0.25, 1.0, 0.0])
    assert np.isnan(shares[3]) and np.isnan(shares[4])  # no \w+ word at all
    # the placeholder the non-dropping modes use is itself read, not dropped
    assert _masking(["the"], "unseen").dropped_share(["the _unk_ x"], ["en"]).tolist() == [1 / 3]
    # a model without a vocabulary keeps every word
    assert VocabularyMasking().dropped_share(["any words at all"], ["en"]).tolist() == [0.0]


def _results() -> pd.DataFrame:
    """Ten benign cases and two hostile ones, shares and flags chosen by hand."""
    shares = [0.0, 0.1, 0.3, 0.5, 0.6, 0.8, 0.8, 0.9, 1.0, 1.0, 0.9, 0.0]
    flagged = [True, False, False, False, True, True, False, False, False, True, True, True]
    label = ["not_hostile"] * 10 + ["hostile"] * 2
    return pd.DataFrame(
        {"lang": "ar", "label": label, "scored": True,
         "predicted": np.where(flagged, "hostile", "not_hostile"),
         "dropped_share": shares, "dropped_bin": dropped_share_bins(np.array(shares))}
    )  # fmt: skip


def test_benign_flag_rates_per_bin_known_answer() -> None:
    table = benign_flags_by_dropped_share(_results()).set_index("dropped_bin")
    assert table["n"].to_dict() == {
        "[0.00, 0.25)": 2, "[0.25, 0.50)": 1, "[0.50, 0.75)": 2, "[0.75, 1.00]": 5
    }  # fmt: skip
    assert table["flagged"].tolist() == [1, 0, 1, 2]  # hostile cases are not benign
    top = table.loc["[0.75, 1.00]"]
    assert top["flag_rate"] == pytest.approx(0.4)
    assert top["lower"] == pytest.approx(0.1176, abs=1e-4)  # Wilson 95 % of 2/5
    assert top["upper"] == pytest.approx(0.7693, abs=1e-4)
    high = high_dropped_flag_rates(_results()).iloc[0]
    assert (high["n"], high["flagged"]) == (7, 3)  # shares >= 0.5: 0.5 counts as high


def test_audit_sentences_become_benign_cases() -> None:
    sentences = pd.DataFrame(
        {"lang": ["en"], "group_type": ["religion"], "group": ["Jains"],
         "template_id": ["en_t1"], "text": ["Jains live here"]}
    )  # fmt: skip
    cases = sentences_as_cases(sentences)
    assert cases.iloc[0].to_dict() == {
        "case_id": "en_t1:Jains", "lang": "en", "functionality": "neutral_mention",
        "label": "not_hostile", "target": "religion", "text": "Jains live here",
    }  # fmt: skip


@pytest.fixture(scope="module")
def active_results() -> tuple[str, pd.DataFrame]:
    version = registry.active_versions()["hostility"]
    model = registry.load_model("hostility", version)
    return version, with_dropped_share(model, load_suite())


def test_suite_has_benign_cases_the_active_model_barely_reads(
    active_results: tuple[str, pd.DataFrame],
) -> None:
    """The instrument has something to measure: at least 20 benign Arabic cases of which the
    active model drops at least half the words, and the added cases (ar-075 on) are short
    everyday posts, most of them in that range."""
    _, results = active_results
    benign = results[(results["label"] == "not_hostile") & (results["lang"] == "ar")]
    assert (benign["dropped_share"] >= HIGH_DROPPED_SHARE).sum() >= 20
    added = benign[benign["case_id"].str[3:].astype(int) >= 75]
    assert len(added) >= 20
    assert (added["dropped_share"] >= HIGH_DROPPED_SHARE).mean() >= 0.8
    assert (added["text"].str.split().str.len() <= 8).all()


KNOWN_FAILURE = (
    "hostility 2026.4 drops every word seen in fewer than 10 training texts (rare_words = "
    "drop_always): of the benign cases it reads at most half of, it flags 4/74 Arabic (0.054) "
    "and 2/18 Swedish (0.111), where a lone surviving word such as 'كل' (all) carries hostile "
    "weight; the variants tried are listed in configs/hostility.toml"
)


@pytest.mark.parametrize(
    "lang",
    [pytest.param("ar", marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURE)),
     pytest.param("sv", marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURE))],
)  # fmt: skip
def test_active_model_rarely_flags_benign_text_it_barely_reads(
    active_results: tuple[str, pd.DataFrame], lang: str
) -> None:
    """Benign cases of which the active model drops at least half the words are flagged no more
    often than the validity rule allows for neutral text in any language ([validity]
    max_neutral_flag_rate, 0.05): a model that reads almost nothing of a post must not call it
    hostile more often than one that reads it all."""
    version, results = active_results
    criteria = version_config("hostility", version).validity
    assert criteria is not None
    limit = criteria.max_neutral_flag_rate
    high = high_dropped_flag_rates(results).set_index("lang")
    assert high.loc[lang, "n"] >= 10
    assert high.loc[lang, "flag_rate"] <= limit, high.loc[lang].to_dict()


def test_bench_prints_the_bins_for_the_suite_and_the_audit(
    active_results: tuple[str, pd.DataFrame], capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load_bench("hostility_dropped_words")
    tables = bench.main(["--text", "ar:الحافلة تأخرت اليوم"])
    _, results = active_results
    benign_scored = results[(results["label"] == "not_hostile") & results["scored"].astype(bool)]
    assert tables["suite"]["n"].sum() == len(benign_scored)  # every benign case in one bin
    assert set(tables["audit"]["lang"]) <= {"sv", "en", "fr", "tr", "ar"}
    out = capsys.readouterr().out
    assert "audit sentences" in out and "dropped share" in out and "P(hostile)" in out


def test_run_suite_is_unchanged_by_the_instrument(active_results: tuple[str, pd.DataFrame]) -> None:
    version, results = active_results
    plain = run_suite(registry.load_model("hostility", version), load_suite())
    pd.testing.assert_frame_equal(results[plain.columns], plain)
