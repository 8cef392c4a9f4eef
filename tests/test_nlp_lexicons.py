"""Lexicon sentiment scorer: known answers on hand-written sentences, packaged lexicons only."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data
from sklearn.base import clone

from barometer.exceptions import InputError, SchemaError
from barometer.nlp.lexicon_sources import group_terms, read_valences, sources_for
from barometer.nlp.lexicons import DEFAULT_NEUTRAL_BAND, LexiconSentimentScorer, neutral_bands
from barometer.nlp.text import normalise_texts


@pytest.fixture(scope="module")
def scorer() -> LexiconSentimentScorer:
    return LexiconSentimentScorer().fit()


@pytest.mark.parametrize(
    ("lang", "text", "sign"),
    [
        ("sv", "Det var en bra dag i Fittja", 1),
        ("sv", "Jag hatar det här, värdelöst", -1),
        ("sv", "Det var inte bra", -1),
        ("sv", "jättekul fest 😍", 1),
        ("sv", "🤬🤬", -1),
        ("en", "This is a great neighbourhood", 1),
        ("en", "terrible service :(", -1),
        ("en", "This is not good", -1),
        ("en", "I can't stand this place", -1),
        ("tr", "Bu mahalle çok güzel", 1),
        ("tr", "Berbat bir gün", -1),
        ("tr", "Bu iyi değil", -1),
        ("ar", "هذا جميل", 1),
        ("ar", "هذا سيئ", -1),
        ("ar", "ليس جميل", -1),
        ("da", "Jeg elsker det", 1),
        ("fa", "این خیلی خوب است", 1),
    ],
)
def test_known_sign(scorer: LexiconSentimentScorer, lang: str, text: str, sign: int) -> None:
    score = scorer.decision_function([text], [lang])[0]
    assert np.sign(score) == sign and -1 <= score <= 1


def test_negation_and_intensifier_effects(scorer: LexiconSentimentScorer) -> None:
    bra, inte_bra, mycket_bra = scorer.decision_function(
        ["bra", "inte bra", "mycket bra"], ["sv"] * 3
    )
    assert inte_bra < 0 < bra < mycket_bra
    # "jättetråkigt" is in no lexicon: looked up as "tråkigt" and intensified
    assert ("jättetråkigt",) not in scorer.lexicons_["sv"]
    jatte, mycket = scorer.decision_function(["jättetråkigt", "mycket tråkigt"], ["sv"] * 2)
    assert jatte == pytest.approx(mycket)
    assert jatte < scorer.decision_function(["tråkigt"], ["sv"])[0]
    plain = clone(scorer).set_params(negation=False, intensifiers=False).fit()
    p_fint, p_ej = plain.decision_function(["trevlig", "ej trevlig"], ["sv"] * 2)
    assert p_fint == p_ej > 0


def test_negation_scope_stops_at_punctuation(scorer: LexiconSentimentScorer) -> None:
    assert scorer.decision_function(["inte jag. bra"], ["sv"])[0] > 0


def test_language_without_lexicon_is_nan_not_zero(scorer: LexiconSentimentScorer) -> None:
    scores = scorer.decision_function(["Xaafaddu waa wanaagsan 😀", "bra"], ["so", "und"])
    assert np.isnan(scores).all()
    assert scorer.predict(["Xaafaddu waa wanaagsan"], ["so"]).tolist() == [None]


def test_no_sentiment_word_is_neutral_zero(scorer: LexiconSentimentScorer) -> None:
    assert scorer.decision_function(["Bussen går klockan tolv"], ["sv"])[0] == 0.0
    assert scorer.predict(["Bussen går klockan tolv"], ["sv"]).tolist() == ["neutral"]


def test_predict_labels_and_dataframe_input(scorer: LexiconSentimentScorer) -> None:
    frame = pd.DataFrame({"text": ["bra", "dålig", "och"], "lang": ["sv", "sv", "sv"]})
    assert scorer.predict(frame).tolist() == ["positive", "negative", "neutral"]
    assert scorer.classes_.tolist() == ["negative", "neutral", "positive"]


def test_languages_detected_when_not_given(scorer: LexiconSentimentScorer) -> None:
    assert scorer.predict(["Det här är en riktigt bra och trevlig dag"]).tolist() == ["positive"]


def test_score_posts_returns_post_scores_rows(scorer: LexiconSentimentScorer) -> None:
    posts = pd.DataFrame(
        {"post_id": ["x:1", "x:2", "x:3"], "text": ["bra", "hate it", "waa fiican"],
         "lang": ["sv", "en", "so"]}
    )  # fmt: skip
    out = scorer.score_posts(posts)
    assert out.columns.tolist() == ["post_id", "task", "model_version", "label", "probability"]
    assert out["post_id"].tolist() == ["x:1", "x:2"]
    assert out["label"].tolist() == ["positive", "negative"]
    assert (out["task"] == "sentiment").all() and (out["model_version"] == "lexicon-v2").all()
    assert all(math.isnan(p) for p in out["probability"])
    with pytest.raises(SchemaError, match="missing"):
        scorer.score_posts(posts.drop(columns="lang"))


def test_missing_lexicon_dir_raises_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError, match=r"lexicon directory not found: expected .*nope"):
        LexiconSentimentScorer(lexicon_dir=missing).fit()


def test_city_lexicon_comes_before_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "sv.tsv").write_text(
        "# Botkyrka's own words\nschysst\t0.8\nbra\t-0.5\n", encoding="utf-8"
    )
    city = LexiconSentimentScorer(lexicon_dir=tmp_path, languages=("sv", "en")).fit()
    packaged = LexiconSentimentScorer(languages=("sv",)).fit()
    assert ("schysst",) not in packaged.lexicons_["sv"]
    assert city.lexicons_["sv"][("schysst",)] == 0.8
    assert city.lexicons_["sv"][("bra",)] == -0.5 < 0 < packaged.lexicons_["sv"][("bra",)]
    assert city.lexicons_["en"] == LexiconSentimentScorer(languages=("en",)).fit().lexicons_["en"]


def test_city_lexicon_out_of_range_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "sv.tsv").write_text("schysst\t0.8\nbra\t3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"sv\.tsv, line 2: valence '3' of 'bra'"):
        LexiconSentimentScorer(lexicon_dir=tmp_path, languages=("sv",)).fit()


def test_unknown_language_raises() -> None:
    with pytest.raises(ValueError, match="no sentiment lexicon is known for language 'so'"):
        LexiconSentimentScorer(languages=("so",)).fit()


def test_city_file_adds_a_language(tmp_path: Path) -> None:
    (tmp_path / "so.tsv").write_text("fiican\t0.6\nxun\t-0.6\n", encoding="utf-8")
    scorer = LexiconSentimentScorer(lexicon_dir=tmp_path, languages=("so",)).fit()
    assert scorer.predict(["Xaafaddu waa fiican", "waa xun"], ["so", "so"]).tolist() == [
        "positive",
        "negative",
    ]


def test_doubled_letters_are_not_folded(scorer: LexiconSentimentScorer) -> None:
    """Issue 12: "finne" was read as "fine" (+0.4) and "att" as "at"; unknown words are not
    guessed any more."""
    assert ("fine",) in scorer.lexicons_["en"]
    sv = scorer.decision_function(["finne", "att", "ville", "Hon är finne"], ["sv"] * 4)
    assert sv.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_neutral_band_is_calibrated_per_language(scorer: LexiconSentimentScorer) -> None:
    bands = neutral_bands()
    assert scorer.neutral_bands_["sv"] == bands["sv"] != DEFAULT_NEUTRAL_BAND
    assert scorer.neutral_bands_["tr"] == DEFAULT_NEUTRAL_BAND  # no labelled Turkish data
    # the same compound is positive in a language with the default band, neutral in Swedish
    compound = np.array([(bands["sv"] + DEFAULT_NEUTRAL_BAND) / 2] * 2)
    assert scorer.labels_of(compound, ["tr", "sv"]).tolist() == ["positive", "neutral"]
    one = LexiconSentimentScorer(neutral_band=0.2, languages=("sv", "tr")).fit()
    assert one.neutral_bands_ == {"sv": 0.2, "tr": 0.2}


def test_emoji_rated_from_the_emoji_sentiment_ranking(scorer: LexiconSentimentScorer) -> None:
    # emoji the old hand-made table of 34 did not rate
    for emoji, sign in (("😎", 1), ("💯", 1), ("😩", -1), ("✨", 1)):
        assert np.sign(scorer.emoticons_[emoji]) == sign, emoji
    assert len(scorer.emoticons_) > 700
    assert all(-1 <= v <= 1 for v in scorer.emoticons_.values())
    # variation selectors and skin tones do not hide an emoji
    plain, dressed = scorer.decision_function(["👍", "👍🏽 ❤️"], ["en", "en"])
    assert 0 < plain < dressed


def test_sklearn_contract() -> None:
    scorer = LexiconSentimentScorer(lexicon_dir="somewhere", neutral_band=0.1)
    params = clone(scorer).get_params()
    assert params["lexicon_dir"] == "somewhere" and params["neutral_band"] == 0.1
    assert not hasattr(scorer, "lexicons_")
    with pytest.raises(Exception, match="not fitted"):
        scorer.decision_function(["bra"], ["sv"])


# -- group words carry no sentiment (issue 12) ---------------------------------------------------

GROUP_SENTENCES: dict[str, tuple[str, list[str]]] = {
    "sv": ("Min granne är {} och vi fikade idag", [
        "flykting", "finne", "muslim", "invandrare", "somalier", "jude", "kurd", "syrier",
        "homosexuell", "rom", "same", "afghan", "asylsökande", "blind", "från Ryssland",
    ]),
    "en": ("My neighbour is {} and we had coffee today", [
        "a refugee", "a Muslim", "an immigrant", "gay", "blind", "Jewish", "a foreigner",
        "straight", "deaf", "a Somali",
    ]),
    "tr": ("Komşum {} ve bugün kahve içtik", [
        "yabancı", "eşcinsel", "engelli", "sağır", "göçmen", "mülteci", "kör", "Kürt",
    ]),
    "ar": ("جاري {} وشربنا القهوة اليوم", ["أجنبي", "لاجئ", "مسلم", "يهودي", "مهاجر"]),
    "fa": ("همسایه من {} است", ["خارجی", "ترک", "پناهنده", "مهاجر", "افغان"]),
    "da": ("Min nabo er {}", ["flygtning", "muslim", "blind", "indvandrer", "jøde"]),
}  # fmt: skip


@pytest.mark.parametrize("lang", sorted(GROUP_SENTENCES))
def test_sentences_naming_a_group_score_like_the_template(
    scorer: LexiconSentimentScorer, lang: str
) -> None:
    """Counterfactual swaps: a neutral sentence scores the same whatever group it names; several
    of these words are rated negative in the source lexicons (Chen-Skiena "flykting", "yabancı",
    "eşcinsel", "أجنبي"; VADER-sv "ryssland"; AFINN "blind")."""
    template, groups = GROUP_SENTENCES[lang]
    texts = [template.format(g) for g in groups]
    scores = scorer.decision_function(texts, [lang] * len(texts))
    baseline = scorer.decision_function([template.format("här")], [lang])[0]
    assert dict(zip(groups, scores, strict=True)) == dict.fromkeys(groups, baseline)


@pytest.mark.parametrize("lang", ["sv", "en", "da", "tr", "ar", "fa"])
def test_no_lexicon_entry_contains_a_group_term(scorer: LexiconSentimentScorer, lang: str) -> None:
    groups = set(normalise_texts(sorted(group_terms(lang)), lang))
    assert len(groups) > 30
    hits = [key for key in scorer.lexicons_[lang] if not groups.isdisjoint(key)]
    assert hits == []
    raw = {
        w
        for _, path, fmt in sources_for(lang, None)
        for w in normalise_texts(list(read_valences(path, fmt)), lang)
    }
    assert groups & raw, "the source lexicons name groups: the filter has something to remove"


def test_swedish_nationality_words_from_sprakbanken_carry_no_sentiment(
    scorer: LexiconSentimentScorer,
) -> None:
    """An independent list (Språkbanken's TT nationality forms, not used to build ours)."""
    path = shared_data("lexicons", "sprakbanken", "nationaliteter.csv")
    table = pd.read_csv(path, encoding="utf-8-sig", dtype=str).fillna("")
    forms: set[str] = set()
    for column in ("country", "resident_singular", "resident_plural", "adjective"):
        for cell in table[column]:
            forms |= {w for w in re.split(r"[\[\]',/ ]+", cell.lower()) if len(w) > 2}
    assert len(forms) > 500
    texts = [f"Min granne är {form}" for form in sorted(forms)]
    scores = scorer.decision_function(texts, ["sv"] * len(texts))
    rated = {f: s for f, s in zip(sorted(forms), scores, strict=True) if s != 0}
    assert rated == {}


def test_lexicons_come_from_installed_packages_not_the_shared_folder() -> None:
    """A fresh clone scores sentiment with no ../shared: every lexicon file is package data."""
    from barometer.nlp.lexicon_sources import EMOJI_SOURCE, EMOTICON_SOURCE, package_file

    files = [path for lang in ("sv", "en", "da", "tr", "ar", "fa") for _, path, _ in
             sources_for(lang, None)]  # fmt: skip
    files += [package_file(EMOJI_SOURCE), package_file(EMOTICON_SOURCE)]
    installed = {"site-packages", "dist-packages"}
    assert all(installed & set(p.parts) and "shared" not in p.parts for p in files), files
