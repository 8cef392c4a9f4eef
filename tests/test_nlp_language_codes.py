"""The rule scorers (themes, rumours, trust expressions) on posts whose language code is
missing, empty, undetermined or outside the scorer's lists: pinned labels, and the same labels
whichever way the scorer is called (``score_posts``, ``predict``/``match`` or a frame)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import LanguageMismatchError
from barometer.nlp.rumours import RumourMatcher
from barometer.nlp.themes import ThemeTagger
from barometer.nlp.trust import TrustExpressionMatcher

THEME_TEXT = "Bussen var sen och grundskolan stängd"
RUMOUR_TEXT = "Invandrarna tar våra jobb!!"
TRUST_TEXT = "Jag kan inte lita på polisen"
#: one row per kind of language code: a normal one, then the ones no list covers
CODES = ["sv", "", "und", "de", None, np.nan]


def _posts(text: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"post_id": [f"p{i}" for i in range(len(CODES))], "text": text, "lang": CODES}
    )


@pytest.fixture(scope="module")
def themes() -> ThemeTagger:
    return ThemeTagger().fit()


@pytest.fixture(scope="module")
def rumours() -> RumourMatcher:
    return RumourMatcher().fit()


@pytest.fixture(scope="module")
def trust() -> TrustExpressionMatcher:
    return TrustExpressionMatcher().fit()


def test_themes_only_for_a_covered_language(themes: ThemeTagger) -> None:
    rows = themes.score_posts(_posts(THEME_TEXT))
    # only the Swedish row is tagged; the others get no row at all (not even "none")
    assert set(rows["post_id"]) == {"p0"}
    assert sorted(rows["label"]) == ["schools", "transport"]
    assert themes.predict([THEME_TEXT] * len(CODES), CODES) == [["schools", "transport"]] + [[]] * (
        len(CODES) - 1
    )


def test_a_covered_language_without_a_theme_gets_none(themes: ThemeTagger) -> None:
    rows = themes.score_posts(_posts("Fin dag i parken"))
    assert rows[["post_id", "label"]].values.tolist() == [["p0", "none"]]


def test_rumours_of_an_unknown_language_are_matched_against_every_language(
    rumours: RumourMatcher,
) -> None:
    rows = rumours.score_posts(_posts(RUMOUR_TEXT))
    labels = rows["label"].tolist()
    assert labels[0] != "none"
    # an uncovered code compares the post with the statements of every language, so the
    # Swedish text still finds its rumour, with the same or a higher similarity
    assert labels == [labels[0]] * len(CODES)
    assert (rows["probability"].to_numpy()[1:] >= rows["probability"].iloc[0] - 1e-12).all()
    assert rumours.predict([RUMOUR_TEXT] * len(CODES), CODES).tolist() == labels


def test_trust_expressions_only_for_a_covered_language(trust: TrustExpressionMatcher) -> None:
    rows = trust.score_posts(_posts(TRUST_TEXT))
    assert rows["label"].tolist() == ["distrust_institutional"] + ["none"] * (len(CODES) - 1)
    matched = trust.match([TRUST_TEXT] * len(CODES), CODES)
    assert matched["label"].tolist() == ["distrust"] + ["none"] * (len(CODES) - 1)
    assert matched["pattern"].iloc[0] == "sv_cannot_trust"
    assert matched["pattern"].iloc[1:].isna().all()


@pytest.mark.parametrize(
    "call",
    [
        lambda: ThemeTagger().fit().predict(["a", "b"], ["sv"]),
        lambda: RumourMatcher().fit().predict(["a", "b"], ["sv"]),
        lambda: TrustExpressionMatcher().fit().match(["a", "b"], ["sv"]),
    ],
)
def test_one_language_per_text(call) -> None:
    with pytest.raises(LanguageMismatchError):
        call()


def test_a_frame_of_posts_reads_its_lang_column(themes, rumours, trust) -> None:
    posts = pd.DataFrame(
        {"text": [THEME_TEXT, RUMOUR_TEXT, TRUST_TEXT, TRUST_TEXT], "lang": ["sv", "sv", "sv", ""]}
    )
    texts, codes = posts["text"].tolist(), ["sv", "sv", "sv", "und"]
    assert themes.predict(posts, None) == themes.predict(texts, codes)
    assert rumours.predict(posts, None).tolist() == rumours.predict(texts, codes).tolist()
    assert trust.match(posts, None).equals(trust.match(texts, codes))
    assert trust.match(posts, None)["label"].tolist() == ["none", "none", "distrust", "none"]
