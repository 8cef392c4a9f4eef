"""Theme keyword tagging: compounds, languages, multi-label rows, error paths."""

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.exceptions import InputError, LanguageMismatchError, SchemaError
from barometer.nlp.themes import THEMES, ThemeTagger, load_taxonomy, term_to_regex
from barometer.schema import POST_SCORES, validate


@pytest.fixture(scope="module")
def tagger() -> ThemeTagger:
    return ThemeTagger().fit()


def test_taxonomy_covers_all_themes_and_languages() -> None:
    taxonomy = load_taxonomy()
    assert set(taxonomy) == set(THEMES)
    for theme in THEMES:
        assert {"sv", "en", "ar", "tr", "so"} <= set(taxonomy[theme]), theme


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("*skola", "grundskola", True),
        ("*skola", "skolan", False),
        ("polis*", "polisen", True),
        ("polis*", "närpolisen", False),
        ("*trygg*", "otryggheten", True),
        ("fest", "festival", False),
        ("öppet hus", "öppet   hus", True),
    ],
)
def test_term_syntax(term: str, text: str, hit: bool) -> None:
    assert bool(re.search(term_to_regex(term), text)) is hit


def test_known_posts(tagger: ThemeTagger) -> None:
    texts = [
        "Bussen var sen och grundskolan stängd",
        "Otryggheten i Alby ökar, polisen måste göra mer",
        "hyresvärden vägrar fixa mögel i lägenheten",
        "the bus was late and the neighbours threw a party",
        "أشعر بالأمان في الحي مع الجيران",
        "komşularımız çok iyi, otobüs geç kaldı",
        "Booliiska iyo dugsiga",
        "värden är höga",
    ]
    langs = ["sv", "sv", "sv", "en", "ar", "tr", "so", "sv"]
    assert tagger.predict(texts, langs) == [
        ["schools", "transport"],
        ["police", "safety"],
        ["housing"],
        ["events", "neighbours", "transport"],
        ["neighbours", "safety"],
        ["neighbours", "transport"],
        ["police", "schools"],
        [],
    ]


def test_score_posts_multilabel_rows(tagger: ThemeTagger) -> None:
    posts = pd.DataFrame(
        {"post_id": ["a", "b", "c"], "text": ["Bussen och polisen", "hej", "bussi"],
         "lang": ["sv", "sv", "fi"]}
    )  # fmt: skip
    rows = validate(tagger.score_posts(posts), POST_SCORES)
    assert list(zip(rows["post_id"], rows["label"], strict=True)) == [
        ("a", "police"),
        ("a", "transport"),
        ("b", "none"),
    ]
    assert (rows["probability"] == 1.0).all()


def test_error_paths(tagger: ThemeTagger) -> None:
    with pytest.raises(InputError, match="unknown themes"):
        ThemeTagger(themes=("weather",)).fit()
    with pytest.raises(InputError, match="empty after normalisation"):
        term_to_regex("**")
    with pytest.raises(SchemaError, match="missing"):
        tagger.score_posts(pd.DataFrame({"post_id": ["a"]}))
    with pytest.raises(LanguageMismatchError, match="one language per text"):
        tagger.predict(["a"], ["sv", "en"])


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=60))
def test_indicator_is_stable_under_case(text: str) -> None:
    tagger = TAGGER
    lower = tagger.predict_indicator([text.lower()], ["sv"])
    assert tagger.predict_indicator([text], ["sv"]).shape == (1, len(THEMES))
    assert (tagger.predict_indicator([text.upper().lower()], ["sv"]) == lower).all()


TAGGER = ThemeTagger().fit()
