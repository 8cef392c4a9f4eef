"""Negation and intensifier rules of the lexicon sentiment scorer (:mod:`barometer.nlp.lexicons`).

* Negation: a valenced token within :data:`NEGATION_SCOPE` (3) tokens after a negator of its
  language (:data:`NEGATORS`), with no punctuation in between (:data:`BOUNDARIES`), is
  multiplied by :data:`NEGATION_SCALAR` (-0.74, VADER's constant). Turkish "değil"/"yok" and
  Persian "نیست" follow what they negate (:data:`POSTPOSED_NEGATORS`): the 1-2 tokens *before*
  them are flipped.
* Intensifiers (:data:`INTENSIFIERS`) multiply the next valenced token by
  :data:`INTENSIFIER_SCALAR` (1.3); Swedish words with the prefix "jätte" are looked up without
  it and intensified (:data:`INTENSIFIER_PREFIXES`).

Two implementations of the same rules: :func:`sum_valences` walks one post's tokens (and is the
only one that matches multi-word lexicon entries), :func:`rule_totals` applies the rules to
every token of a batch at once with array operations (single-token entries only). The scorer
uses the second for every post without a multi-word entry and the first for the rest; tests
check that they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: VADER's alpha of 15 rescaled from its -4..4 to our -1..1 scale: compound = s / sqrt(s^2 + a).
ALPHA = 15 / 16
NEGATION_SCALAR = -0.74
INTENSIFIER_SCALAR = 1.3
NEGATION_SCOPE = 3

#: Negators that precede what they negate.
NEGATORS: dict[str, frozenset[str]] = {
    "sv": frozenset({"inte", "ej", "aldrig", "ingen", "inga", "inget", "icke", "knappast"}),
    "en": frozenset({
        "not", "no", "never", "n't", "nobody", "nothing", "none", "neither", "nor", "cannot",
        "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "cant", "wont", "aint", "without",
    }),
    "da": frozenset({"ikke", "aldrig", "ingen", "intet", "ingenting"}),
    "ar": frozenset({"لا", "لم", "لن", "ليس", "ليست", "ما", "غير"}),
    "fa": frozenset({"نه"}),
    "tr": frozenset(),
}  # fmt: skip
#: Negators that follow what they negate (flip the 1-2 tokens before them).
POSTPOSED_NEGATORS: dict[str, frozenset[str]] = {
    "tr": frozenset({"değil", "degil", "yok"}),
    "fa": frozenset({"نیست"}),
}
INTENSIFIERS: dict[str, frozenset[str]] = {
    "sv": frozenset({"mycket", "jätte", "väldigt", "så", "riktigt", "otroligt", "extremt"}),
    "en": frozenset({"very", "so", "really", "extremely", "super", "totally", "incredibly"}),
    "da": frozenset({"meget", "rigtig", "virkelig", "super"}),
    "tr": frozenset({"çok", "gerçekten", "son derece"}),
}
INTENSIFIER_PREFIXES: dict[str, tuple[str, ...]] = {"sv": ("jätte",)}
#: Tokens that end a negation's scope.
BOUNDARIES = frozenset({".", ",", "!", "?", ";", ":", "…", "،", "؟", "—", "-", "men", "but"})

Lookup = Callable[[str], float | None]


@dataclass(frozen=True)
class RuleWords:
    """The rule words of one language (empty sets where a rule is switched off)."""

    negators: frozenset[str]
    postposed: frozenset[str]
    boosters: frozenset[str]
    prefixes: tuple[str, ...]

    def is_rule_word(self, token: str) -> bool:
        """Negators and intensifiers carry no valence of their own."""
        return token in self.negators or token in self.postposed or token in self.boosters


def rule_words(lang: str, *, negation: bool, intensifiers: bool) -> RuleWords:
    """The rule words of ``lang`` with the negation and intensifier rules on or off."""
    empty: frozenset[str] = frozenset()
    return RuleWords(
        negators=NEGATORS.get(lang, empty) if negation else empty,
        postposed=POSTPOSED_NEGATORS.get(lang, empty) if negation else empty,
        boosters=INTENSIFIERS.get(lang, empty) if intensifiers else empty,
        prefixes=INTENSIFIER_PREFIXES.get(lang, ()) if intensifiers else (),
    )


def compound(totals: np.ndarray) -> np.ndarray:
    """The compound score in [-1, 1] of summed valences: ``s / sqrt(s**2 + ALPHA)``."""
    return totals / np.sqrt(totals * totals + ALPHA)


def prefixed_value(token: str, words: RuleWords, lookup: Lookup) -> float | None:
    """The intensified valence of a word with an intensifying prefix ("jättebra"), or None."""
    for prefix in words.prefixes:
        if token.startswith(prefix) and len(token) > len(prefix) + 1:
            rest = lookup(token[len(prefix) :])
            return None if rest is None else rest * INTENSIFIER_SCALAR
    return None


def _negated_before(tokens: list[str], i: int, negators: frozenset[str]) -> bool:
    for j in range(i - 1, max(i - NEGATION_SCOPE, 0) - 1, -1):
        if tokens[j] in BOUNDARIES:
            return False
        if tokens[j] in negators:
            return True
    return False


def _negated_after(tokens: list[str], end: int, postposed: frozenset[str]) -> bool:
    return any(tokens[j] in postposed for j in range(end, min(end + 2, len(tokens))))


def _entry_at(
    tokens: list[str], i: int, lexicon: dict[tuple[str, ...], float], max_n: int, lookup: Lookup
) -> tuple[float | None, int]:
    """(valence, width) of the longest lexicon entry starting at token ``i``."""
    for size in range(min(max_n, len(tokens) - i), 1, -1):
        value = lexicon.get(tuple(tokens[i : i + size]))
        if value is not None:
            return value, size
    return lookup(tokens[i]), 1


def sum_valences(
    tokens: list[str],
    lexicon: dict[tuple[str, ...], float],
    max_n: int,
    lookup: Lookup,
    words: RuleWords,
) -> float:
    """Sum of the valences of one post's tokens after the rules, longest entries first."""
    total, i, n = 0.0, 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if words.is_rule_word(tok):
            i += 1
            continue
        value, width = _entry_at(tokens, i, lexicon, max_n, lookup)
        if value is None:
            value = prefixed_value(tok, words, lookup)
        if value is not None:
            if i > 0 and tokens[i - 1] in words.boosters:
                value *= INTENSIFIER_SCALAR
            if _negated_before(tokens, i, words.negators) or _negated_after(
                tokens, i + width, words.postposed
            ):
                value *= NEGATION_SCALAR
            total += value
        i += width
    return total


def rule_totals(props: np.ndarray, doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Summed valences per post of a flat token batch, the rules applied with array operations.

    ``props`` has one row per token: valence (NaN: none), negator, postposed negator, booster,
    boundary (as 0/1); ``doc`` the post of each token (sorted). Single-token entries only.
    """
    n = len(doc)
    value, neg, post, boost, bound = (props[:, k] for k in range(5))
    neg, post, boost, bound = neg > 0, post > 0, boost > 0, bound > 0
    has_value = ~np.isnan(value)
    v = np.where(has_value, value, 0.0)
    idx = np.arange(n)
    prev_same = np.zeros(n, dtype=bool)
    prev_same[1:] = doc[1:] == doc[:-1]
    v = np.where(prev_same & np.roll(boost, 1), v * INTENSIFIER_SCALAR, v)
    negated = np.zeros(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    for k in range(1, NEGATION_SCOPE + 1):
        j = idx - k
        valid = (j >= 0) & (doc[np.maximum(j, 0)] == doc)
        jj = np.maximum(j, 0)
        hit = ~decided & valid & (bound[jj] | neg[jj])
        negated |= hit & ~bound[jj] & neg[jj]
        decided |= hit | ~valid
    for k in (1, 2):
        j = np.minimum(idx + k, n - 1)
        negated |= (idx + k < n) & (doc[j] == doc) & post[j]
    v = np.where(negated, v * NEGATION_SCALAR, v)
    v[~has_value] = 0.0
    return np.bincount(doc, weights=v, minlength=n_docs).astype(np.float64)
