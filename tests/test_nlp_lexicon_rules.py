"""The two implementations of the lexicon scorer's rules (per post, and vectorised) agree."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.nlp.lexicon_rules import (
    BOUNDARIES,
    INTENSIFIER_SCALAR,
    NEGATION_SCALAR,
    compound,
    rule_totals,
    rule_words,
    sum_valences,
)

LEXICON = {("bra",): 0.5, ("dålig",): -0.6, ("fin",): 0.3, ("iyi",): 0.4}
VOCAB = ["bra", "dålig", "fin", "iyi", "inte", "mycket", "değil", ".", ",", "och", "hus"]


def _lookup(token: str) -> float | None:
    return LEXICON.get((token,))


def _props(tokens: list[str], lang: str) -> np.ndarray:
    words = rule_words(lang, negation=True, intensifiers=True)
    rows = []
    for tok in tokens:
        value = None if words.is_rule_word(tok) else _lookup(tok)
        rows.append((math.nan if value is None else value, tok in words.negators,
                     tok in words.postposed, tok in words.boosters, tok in BOUNDARIES))  # fmt: skip
    return np.array(rows, dtype=np.float64).reshape(-1, 5)


def test_known_values_of_the_rules() -> None:
    words = rule_words("sv", negation=True, intensifiers=True)
    assert sum_valences(["inte", "bra"], LEXICON, 1, _lookup, words) == pytest.approx(
        0.5 * NEGATION_SCALAR
    )
    assert sum_valences(["mycket", "bra"], LEXICON, 1, _lookup, words) == pytest.approx(
        0.5 * INTENSIFIER_SCALAR
    )
    assert sum_valences(["inte", ",", "bra"], LEXICON, 1, _lookup, words) == pytest.approx(0.5)
    off = rule_words("sv", negation=False, intensifiers=False)
    assert sum_valences(["inte", "bra"], LEXICON, 1, _lookup, off) == pytest.approx(0.5)
    assert compound(np.array([0.0]))[0] == 0.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(VOCAB), max_size=9), min_size=1, max_size=6),
    st.sampled_from(["sv", "tr"]),
)
def test_vectorised_rules_equal_the_per_post_loop(posts: list[list[str]], lang: str) -> None:
    words = rule_words(lang, negation=True, intensifiers=True)
    tokens = [t for post in posts for t in post]
    doc = np.repeat(np.arange(len(posts)), [len(p) for p in posts])
    if not tokens:
        return
    vector = rule_totals(_props(tokens, lang), doc, len(posts))
    loop = [sum_valences(post, LEXICON, 1, _lookup, words) for post in posts]
    np.testing.assert_allclose(vector, loop, atol=1e-12)
