"""Lexicon sentiment scorer: known answers on hand-written sentences."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from barometer.exceptions import InputError, SchemaError
from barometer.nlp.lexicons import LexiconSentimentScorer

LEXICON_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lexicons"


@pytest.fixture(scope="module")
def scorer() -> LexiconSentimentScorer:
    if not LEXICON_DIR.is_dir():
        pytest.skip(f"shared lexicons not found at {LEXICON_DIR} (needs the shared data folder)")
    return LexiconSentimentScorer(lexicon_dir=LEXICON_DIR).fit()


@pytest.mark.parametrize(
    ("lang", "text", "sign"),
    [
        ("sv", "Det var en bra dag i Fittja", 1),
        ("sv", "Jag hatar det här, värdelöst", -1),
        ("sv", "Det var inte bra", -1),
        ("sv", "jättebraaaa fest 😍", 1),
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
    p_fint, p_ej = plain.decision_function(["trevligt", "ej trevligt"], ["sv"] * 2)
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
    assert (out["task"] == "sentiment").all() and (out["model_version"] == "lexicon-v1").all()
    assert all(math.isnan(p) for p in out["probability"])
    with pytest.raises(SchemaError, match="missing"):
        scorer.score_posts(posts.drop(columns="lang"))


def test_missing_lexicon_dir_raises_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError, match=r"lexicon directory not found: expected .*nope"):
        LexiconSentimentScorer(lexicon_dir=missing).fit()


def test_missing_lexicon_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"lexicon file not found: expected .*AFINN-en-165"):
        LexiconSentimentScorer(lexicon_dir=tmp_path, languages=("en",)).fit()


def test_unknown_language_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no sentiment lexicon is known for language 'so'"):
        LexiconSentimentScorer(lexicon_dir=tmp_path, languages=("so",)).fit()


def test_sklearn_contract() -> None:
    scorer = LexiconSentimentScorer(lexicon_dir="somewhere", neutral_band=0.1)
    params = clone(scorer).get_params()
    assert params["lexicon_dir"] == "somewhere" and params["neutral_band"] == 0.1
    assert not hasattr(scorer, "lexicons_")
    with pytest.raises(Exception, match="not fitted"):
        scorer.decision_function(["bra"], ["sv"])
