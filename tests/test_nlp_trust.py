"""Trust / distrust statements: each pattern with a positive and a near-miss example."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sklearn.base import clone

from barometer.exceptions import SchemaError
from barometer.nlp.trust import PATTERNS, TrustExpressionMatcher

# (lang, text, label, target, pattern)
POSITIVE = [
    ("sv", "man kan inte lita på någon här", "distrust", "interpersonal", "sv_cannot_trust"),
    ("sv", "det går inte att lita på polisen", "distrust", "institutional", "sv_cannot_trust"),
    ("sv", "jag litar ju inte på grannarna", "distrust", "interpersonal", "sv_trusts_not"),
    ("sv", "ingen litar på politikerna", "distrust", "institutional", "sv_nobody_trusts"),
    ("sv", "många misstror kommunen", "distrust", "institutional", "sv_mistrust"),
    ("sv", "noll förtroende för socialtjänsten", "distrust", "institutional", "sv_no_confidence"),
    ("sv", "Jag litar på mina grannar", "trust", "interpersonal", "sv_trust"),
    ("sv", "vi har stort förtroende för skolan", "trust", "institutional", "sv_confidence"),
    ("en", "I don't trust anyone here", "distrust", "interpersonal", "en_cannot_trust"),
    ("en", "the distrust of the police is huge", "distrust", "institutional", "en_distrust"),
    ("en", "lost all faith in the council", "distrust", "institutional", "en_no_trust"),
    ("en", "I trust the police", "trust", "institutional", "en_trust"),
    ("en", "we trust our neighbours", "trust", "interpersonal", "en_trust"),
    ("ar", "لا أثق بالشرطة", "distrust", "institutional", "ar_distrust"),
    ("ar", "أثق بجيراني", "trust", "interpersonal", "ar_trust"),
    ("tr", "Polise güvenmiyorum", "distrust", "institutional", "tr_distrust"),
    ("tr", "Komşularıma güveniyorum", "trust", "interpersonal", "tr_trust"),
    ("so", "Kuma kalsooni booliiska", "distrust", "institutional", "so_distrust"),
    ("so", "Waxaan ku kalsoonahay deriskayga", "trust", "interpersonal", "so_trust"),
]
NEAR_MISSES = [
    ("sv", "jag litar på att bussen kommer i tid"),
    ("sv", "han litar inte på att det håller"),
    ("sv", "förtroendevalda i kommunen möts idag"),
    ("en", "trust me, the food is great"),
    ("en", "I don't trust that the bus will come"),
    ("en", "the national trust owns the park"),
    ("ar", "الثقافة مهمة"),
    ("tr", "burası güvenli"),
    ("so", "aqoon waa iftiin"),
]


@pytest.mark.parametrize(("lang", "text", "label", "target", "pattern"), POSITIVE)
def test_pattern_matches(lang: str, text: str, label: str, target: str, pattern: str) -> None:
    row = TrustExpressionMatcher().fit().match([text], [lang]).iloc[0]
    assert (row["label"], row["target"], row["pattern"]) == (label, target, pattern)


@pytest.mark.parametrize(("lang", "text"), NEAR_MISSES)
def test_near_miss_is_none(lang: str, text: str) -> None:
    row = TrustExpressionMatcher().fit().match([text], [lang]).iloc[0]
    assert row["label"] == "none" and pd.isna(row["target"]), row["pattern"]


def test_every_pattern_has_a_positive_example() -> None:
    assert {p.name for p in PATTERNS} == {example[-1] for example in POSITIVE}


def test_languages_restrict_patterns_and_clone_works() -> None:
    matcher = TrustExpressionMatcher(languages=("en",))
    assert clone(matcher).get_params() == {"languages": ("en",)}
    found = matcher.fit().match(
        ["jag litar på mina grannar", "I trust my neighbours"], ["sv", "en"]
    )
    assert found["label"].tolist() == ["none", "trust"]


def test_score_posts_rows() -> None:
    posts = pd.DataFrame(
        {
            "post_id": ["x:1", "x:2"],
            "text": ["I trust the police", "nice day"],
            "lang": ["en", "en"],
        }
    )
    out = TrustExpressionMatcher().fit().score_posts(posts)
    assert out.columns.tolist() == ["post_id", "task", "model_version", "label", "probability"]
    assert out["label"].tolist() == ["trust_institutional", "none"]
    assert all(math.isnan(p) for p in out["probability"])
    with pytest.raises(SchemaError, match="missing"):
        TrustExpressionMatcher().fit().score_posts(posts.drop(columns="lang"))
