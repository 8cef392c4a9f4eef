"""Lexicon sentiment scorer for multilingual posts (sv, en, tr, da, ar, fa).

Lexicons come from pip packages (:mod:`barometer.nlp.lexicon_sources`: VADER-sv, VADER and
AFINN for English, AFINN-da, Chen-Skiena lists for sv/da/tr/ar/fa, AFINN emoticons and the
Emoji Sentiment Ranking for emoji), so a fresh clone scores sentiment without ``../shared``; a
city's own word lists (``lexicon_dir``, optional) come first. Valences are on [-1, 1]. Entries
are normalised and tokenised exactly like posts, so multi-word entries ("can't stand") match as
token n-grams, longest first. Entries naming groups of people are dropped (group words carry no
sentiment by themselves, see :func:`~barometer.nlp.lexicon_sources.group_terms`).

Rules (:mod:`barometer.nlp.lexicon_rules`; token level, after
:func:`barometer.nlp.text.normalise_text` and :func:`barometer.nlp.text.tokenise`):

* Negation: a valenced token within 3 tokens after a negator of its language, with no
  punctuation in between, is multiplied by -0.74 (VADER's
  constant). Turkish "değil"/"yok" and Persian "نیست" follow what they negate, so for them the
  1-2 tokens *before* are flipped. Suffix negation (Turkish "sevmiyorum") is not handled.
  Negators themselves carry no valence (AFINN-en rates "no" as -1), so with negation on, a
  multi-word entry that starts with a negator ("inte bra") is not used: the rule decides.
* Intensifiers multiply the next valenced token by 1.3; Swedish words
  with the prefix "jätte" are looked up without it and intensified ("jättebra" = 1.3 x "bra").
* No guessing of unknown words: a token is its lexicon entry, an emoticon or emoji, or nothing
  (an earlier fallback folded doubled letters and read "finne" as "fine", "att" as "at").

Compound score, in [-1, 1]: ``s / sqrt(s**2 + alpha)`` where ``s`` is the sum of token
valences and ``alpha = 15/16`` (VADER's alpha of 15 rescaled from its -4..4 to our -1..1 scale).
A post whose language has no lexicon (e.g. Somali, "und") scores NaN, never 0; a post of a
scored language without any sentiment word scores 0.0 (neutral).

Labels: ``|compound| < band`` is neutral, where the band is calibrated per language on labelled
posts (``barometer/data/sentiment_calibration.toml``, written by
``bench/calibrate_sentiment.py``; :data:`DEFAULT_NEUTRAL_BAND` for a language without labelled
data) unless the scorer is given one ``neutral_band`` for all languages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from barometer.data import read_data_toml
from barometer.exceptions import InputError
from barometer.nlp.batch import normalise_batch
from barometer.nlp.inputs import TextInput, require_post_columns, split_texts
from barometer.nlp.language import detect_languages
from barometer.nlp.lexicon_rules import (
    BOUNDARIES,
    Lookup,
    compound,
    prefixed_value,
    rule_totals,
    rule_words,
    sum_valences,
)
from barometer.nlp.lexicon_sources import (
    PACKAGED_SOURCES,
    emoji_valences,
    emoticon_valences,
    group_terms,
    read_valences,
    sources_for,
)
from barometer.nlp.text import normalise_texts, tokenise
from barometer.schema import POST_SCORES

Lexicon = dict[tuple[str, ...], float]

MODEL_VERSION = "lexicon-v2"
LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
#: Neutral band of a language without a calibrated one (VADER's +-0.05).
DEFAULT_NEUTRAL_BAND = 0.05
_CACHE_LIMIT = 1_000_000
#: Languages with a packaged lexicon (the scorer's default ``languages``).
LEXICON_LANGUAGES: tuple[str, ...] = tuple(PACKAGED_SOURCES)


def load_lexicon(lang: str, lexicon_dir: str | Path | None = None) -> Lexicon:
    """Return the merged lexicon of ``lang`` keyed by token tuples, valences on [-1, 1].

    Sources in the order of :func:`~barometer.nlp.lexicon_sources.sources_for` (a city's
    ``<lang>.tsv`` in ``lexicon_dir`` first); the first source with an entry wins. Entries that
    are or contain a group term of ``lang`` are dropped. Raises ``ValueError`` if no lexicon is
    known for ``lang`` and :class:`InputError` if a lexicon file is missing or malformed.
    """
    groups = frozenset(normalise_texts(sorted(group_terms(lang)), lang))
    singles = frozenset(g for g in groups if " " not in g)
    phrases = [tuple(g.split(" ")) for g in groups if " " in g]
    merged: Lexicon = {}
    for _name, path, fmt in sources_for(lang, None if lexicon_dir is None else Path(lexicon_dir)):
        source = read_valences(path, fmt)
        entries = list(source)
        token_lists = tokenise(normalise_texts(entries, lang), lang)
        for tokens, entry in zip(token_lists, entries, strict=True):
            key = tuple(tokens)
            if key and key not in merged and not _names_group(key, singles, phrases):
                merged[key] = source[entry]
    return merged


def _names_group(
    key: tuple[str, ...], singles: frozenset[str], phrases: list[tuple[str, ...]]
) -> bool:
    """Whether a lexicon entry (token tuple) is or contains a group term."""
    if not singles.isdisjoint(key):
        return True
    return any(key[i : i + len(p)] == p for p in phrases for i in range(len(key) - len(p) + 1))


def load_emoticons() -> dict[str, float]:
    """Return emoji (Emoji Sentiment Ranking) and emoticon (AFINN-emoticon-8) valences."""
    table = emoji_valences()
    table.update(emoticon_valences())
    return table


def neutral_bands() -> dict[str, float]:
    """Calibrated neutral band per language from ``barometer/data/sentiment_calibration.toml``."""
    table = read_data_toml("sentiment_calibration.toml", "sentiment calibration")
    return {lang: float(entry["neutral_band"]) for lang, entry in table.items()}


class LexiconSentimentScorer(TextInput, BaseEstimator):
    """Rule-based multilingual sentiment from lexicons, as a scikit-learn estimator.

    Parameters
    ----------
    lexicon_dir : str or Path, optional
        A folder of the city's own lexicons (``<lang>.tsv``, word and valence on -1..1) that
        come before the packaged ones; None (default): packaged lexicons only.
    languages : tuple of str
        ISO 639-1 codes to score; each needs a packaged lexicon or a file in ``lexicon_dir``.
    negation : bool, default True
        Apply the negation rule (module docstring).
    intensifiers : bool, default True
        Apply the intensifier rule (module docstring).
    neutral_band : float, optional
        One band for every language: compound scores with absolute value below it are
        "neutral". None (default): the calibrated band of each language.

    Attributes
    ----------
    lexicons_ : dict of str to dict
        Per language, token tuple -> valence on [-1, 1].
    emoticons_ : dict of str to float
        Emoticon and emoji valences on [-1, 1], used for every scored language.
    max_ngram_ : dict of str to int
        Longest entry (in tokens) per language.
    neutral_bands_ : dict of str to float
        The neutral band used per language.
    classes_ : ndarray of str
        ``["negative", "neutral", "positive"]``.

    Examples
    --------
    >>> scorer = LexiconSentimentScorer().fit()  # doctest: +SKIP
    >>> scorer.decision_function(["inte bra", "jättebra!"], langs=["sv", "sv"])  # doctest: +SKIP
    array([-0.43...,  0.63...])
    """

    def __init__(
        self,
        *,
        lexicon_dir: str | Path | None = None,
        languages: tuple[str, ...] = LEXICON_LANGUAGES,
        negation: bool = True,
        intensifiers: bool = True,
        neutral_band: float | None = None,
    ) -> None:
        self.lexicon_dir = lexicon_dir
        self.languages = languages
        self.negation = negation
        self.intensifiers = intensifiers
        self.neutral_band = neutral_band

    def fit(self, X: Any = None, y: Any = None) -> LexiconSentimentScorer:
        """Load the lexicons of ``languages``; ``X`` and ``y`` are ignored.

        Raises :class:`InputError` when ``lexicon_dir`` is given but is not a folder.
        """
        if self.lexicon_dir is not None and not Path(self.lexicon_dir).is_dir():
            raise InputError(
                f"lexicon directory not found: expected '{self.lexicon_dir}' to be a folder of "
                "<lang>.tsv word lists (word<TAB>valence on -1..1); leave nlp.lexicon_dir out "
                "to use the packaged lexicons only"
            )
        self.lexicons_ = {lang: load_lexicon(lang, self.lexicon_dir) for lang in self.languages}
        self.max_ngram_ = {
            lang: max(map(len, lex), default=1) for lang, lex in self.lexicons_.items()
        }
        self.emoticons_ = load_emoticons()
        calibrated = neutral_bands() if self.neutral_band is None else {}
        self.neutral_bands_ = {
            lang: float(self.neutral_band)
            if self.neutral_band is not None
            else calibrated.get(lang, DEFAULT_NEUTRAL_BAND)
            for lang in self.languages
        }
        self.classes_ = np.array(LABELS)
        return self

    def _texts_and_langs(
        self, X: Any, langs: Sequence[str | None] | None
    ) -> tuple[list[str], list[str]]:
        """Texts and language codes of ``X`` (detected where none are given)."""
        texts, codes = split_texts(X, langs)
        return texts, codes if codes is not None else detect_languages(texts)

    def decision_function(self, X: Any, langs: Sequence[str | None] | None = None) -> np.ndarray:
        """Return the compound sentiment of each text, in [-1, 1] (NaN: no lexicon).

        Parameters
        ----------
        X : sequence of str or DataFrame
            Texts, or a frame with a ``text`` column (and ``lang``, used when ``langs`` is None).
        langs : sequence of str, optional
            ISO 639-1 code per text; detected with :func:`detect_languages` when not given.

        Returns
        -------
        ndarray of float, shape (n_texts,)
            -1 = most negative, 0 = neutral or no sentiment word, 1 = most positive; NaN where
            the language has no lexicon (e.g. "so", "und").
        """
        check_is_fitted(self, "lexicons_")
        texts, codes = self._texts_and_langs(X, langs)
        out = np.full(len(texts), np.nan)
        idx = [i for i, lg in enumerate(codes) if lg in self.lexicons_]
        if not idx:
            return out
        sub_langs = [codes[i] for i in idx]
        normalised = normalise_batch([texts[i] for i in idx], sub_langs)
        out[idx] = self.compound_normalised(normalised, sub_langs)
        return out

    def compound_normalised(self, normalised: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        """Return the compound of texts already passed through ``normalise_text`` (NaN where
        the language has no lexicon); the batch path of :meth:`decision_function`.

        Tokens come from :func:`tokenise`, run once per unique space-separated chunk (spaCy's
        tokeniser splits on spaces first, so this is exact) and cached. Posts without any
        multi-word lexicon entry are scored with array operations; the rest by the rule loop.
        """
        check_is_fitted(self, "lexicons_")
        codes = np.asarray(list(langs), dtype=object)
        out = np.full(len(codes), np.nan)
        for lang in self.lexicons_:
            rows = np.flatnonzero(codes == lang)
            if len(rows):
                out[rows] = self._compound_lang([normalised[int(i)] for i in rows], lang)
        return out

    def _tokens(self, texts: list[str], lang: str) -> tuple[list[str], np.ndarray]:
        """Flat tokens of ``texts`` (spaCy tokeniser per unique chunk, cached) and doc ids."""
        cache: dict[str, tuple[str, ...]] = self.__dict__.setdefault("_chunk_cache", {})
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        key = f"{lang}\x00"
        chunk_lists = [t.split(" ") if t else [] for t in texts]
        unseen = list({key + c for cs in chunk_lists for c in cs} - cache.keys())
        if unseen:
            toks = tokenise([c[len(key) :] for c in unseen], lang)
            cache.update(zip(unseen, map(tuple, toks), strict=True))
        per_doc = [[t for c in cs for t in cache[key + c]] for cs in chunk_lists]
        lengths = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
        flat = [t for toks in per_doc for t in toks]
        return flat, np.repeat(np.arange(len(texts), dtype=np.int64), lengths)

    def _token_table(self, tokens: list[str], lang: str) -> np.ndarray:
        """Per token: value (NaN: none or a rule word), negator, postposed, booster, boundary."""
        table: dict[str, tuple[float, bool, bool, bool, bool]] = self.__dict__.setdefault(
            "_token_props", {}
        ).setdefault(lang, {})
        words = rule_words(lang, negation=self.negation, intensifiers=self.intensifiers)
        lookup = self._lookup_in(lang)
        for tok in set(tokens) - table.keys():
            rule = words.is_rule_word(tok)
            value = None if rule else lookup(tok)
            if value is None and not rule:
                value = prefixed_value(tok, words, lookup)
            table[tok] = (
                math.nan if value is None else value, tok in words.negators,
                tok in words.postposed, tok in words.boosters, tok in BOUNDARIES,
            )  # fmt: skip
        return np.array([table[t] for t in tokens], dtype=np.float64).reshape(-1, 5)

    def _multiword_docs(self, tokens: list[str], doc: np.ndarray, lang: str) -> set[int]:
        """Posts where a multi-word lexicon entry may start (scored by the exact rule loop)."""
        pairs = self.__dict__.setdefault("_pairs", {}).get(lang)
        if pairs is None:
            pairs = {k[:2] for k in self.lexicons_[lang] if len(k) > 1}
            self._pairs[lang] = pairs
        if not pairs:
            return set()
        firsts = {p[0] for p in pairs}
        same_next = np.flatnonzero(doc[1:] == doc[:-1])
        return {
            int(doc[i]) for i in same_next.tolist()
            if tokens[i] in firsts and (tokens[i], tokens[i + 1]) in pairs
        }  # fmt: skip

    def _compound_lang(self, texts: list[str], lang: str) -> np.ndarray:
        tokens, doc = self._tokens(texts, lang)
        n_docs = len(texts)
        if not tokens:
            return compound(np.zeros(n_docs))
        totals = rule_totals(self._token_table(tokens, lang), doc, n_docs)
        loop_docs = self._multiword_docs(tokens, doc, lang)
        if loop_docs:
            words = rule_words(lang, negation=self.negation, intensifiers=self.intensifiers)
            lookup = self._lookup_in(lang)
            starts = np.searchsorted(doc, np.arange(n_docs))
            ends = np.searchsorted(doc, np.arange(n_docs), side="right")
            for d in loop_docs:
                totals[d] = sum_valences(tokens[starts[d] : ends[d]], self.lexicons_[lang],
                                         self.max_ngram_[lang], lookup, words)  # fmt: skip
        return compound(totals)

    def predict(self, X: Any, langs: Sequence[str | None] | None = None) -> np.ndarray:
        """Return "negative" / "neutral" / "positive" per text (None where unscored)."""
        texts, codes = self._texts_and_langs(X, langs)
        return self.labels_of(self.decision_function(texts, codes), codes)

    def labels_of(self, compound: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """Return "negative" / "neutral" / "positive" per compound, with the neutral band of
        each post's language (None where the compound is NaN)."""
        check_is_fitted(self, "neutral_bands_")
        compound = np.asarray(compound, dtype=float)
        if len(langs) != len(compound):
            raise ValueError(f"expected one language per score ({len(compound)}), got {len(langs)}")
        band = np.array([self.neutral_bands_.get(lg, DEFAULT_NEUTRAL_BAND) for lg in langs])
        labels = np.full(len(compound), None, dtype=object)
        scored = ~np.isnan(compound)
        labels[scored] = np.where(
            compound[scored] >= band[scored],
            "positive",
            np.where(compound[scored] <= -band[scored], "negative", "neutral"),
        )
        return labels

    def score_posts(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Return post_scores rows (task "sentiment") for the posts whose language is scored.

        ``posts`` needs ``post_id``, ``text`` and ``lang``. One row per scored post with the
        chosen label. ``probability`` is NaN: a lexicon compound is not a probability, and a
        squashing of it would be read as one. Posts in unscored languages get no row.
        """
        require_post_columns(posts)
        labels = self.predict(posts[["text", "lang"]])
        keep = np.array([lab is not None for lab in labels], dtype=bool)
        out = pd.DataFrame(
            {
                "post_id": posts["post_id"].astype(str).to_numpy()[keep],
                "task": "sentiment",
                "model_version": MODEL_VERSION,
                "label": labels[keep].astype(str),
                "probability": np.full(int(keep.sum()), np.nan),
            },
            columns=POST_SCORES.columns,
        )
        return out.reset_index(drop=True)

    def _lookup_in(self, lang: str) -> Lookup:
        """Valence of one token in ``lang``: its lexicon entry, else an emoticon or emoji."""
        lexicon, emoticons = self.lexicons_[lang], self.emoticons_

        def lookup(token: str) -> float | None:
            value = lexicon.get((token,))
            return emoticons.get(token) if value is None else value

        return lookup
