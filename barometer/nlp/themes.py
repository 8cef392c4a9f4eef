"""Tag posts with neighbourhood themes from keyword lists (multi-label).

Taxonomy (``barometer/data/themes.toml``, our own lists): ``safety``, ``schools``, ``housing``,
``police``, ``public_services``, ``events``, ``transport``, ``neighbours``, each with terms per
language (sv, en, ar, tr, so).

Terms are written in a small syntax, compiled to one regular expression (an alternation) per
theme and language:

==============  ==========================  =============================================
term            regex                       use
==============  ==========================  =============================================
``fest``        ``(?<!\\w)fest(?!\\w)``       the whole word only
``polis*``      ``(?<!\\w)polis\\w*``          prefix: inflected forms (polisen, poliser)
``*skola``      ``\\w*skola(?!\\w)``           suffix: Swedish compound heads (grundskola)
``*trygg*``     ``\\w*trygg\\w*``               infix: prefix and suffix (otryggheten)
``öppet hus``   ``(?<!\\w)öppet\\s+hus(?!\\w)`` a phrase
==============  ==========================  =============================================

Swedish compounds put the head last, so a theme's head nouns are suffixes or infixes
(``*skol*`` finds skolgården, grundskolan, förskoleplats). Arabic attaches articles and
prepositions in front of a word, so Arabic stems are infixes. Terms are normalised exactly like
posts (:func:`barometer.nlp.text.normalise_text`: lower case, Arabic letter folding), so
``"أمان"`` in the list matches ``"الامان"`` in a post.

Matching is vectorised: per language, each theme's regex runs once over all posts of that
language with ``pandas.Series.str.contains``; there is no per-post Python loop.

``score_posts`` writes one row per (post, matched theme), ``probability`` 1.0: a keyword rule
either fires or not, and 1.0 states that the rule fired, not a calibrated probability. A post of
a covered language with no theme gets one row ``label = "none"`` (so shares of themes can be
computed from post_scores alone); posts in languages without lists get no row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from barometer.data import read_data_toml
from barometer.exceptions import InputError
from barometer.nlp.batch import normalise_batch
from barometer.nlp.inputs import TextInput, require_post_columns, texts_and_codes
from barometer.nlp.text import normalise_text
from barometer.schema import POST_SCORES

MODEL_VERSION = "themes-v1"
TASK = "theme"
NONE_LABEL = "none"
THEMES: tuple[str, ...] = (
    "safety", "schools", "housing", "police", "public_services", "events", "transport",
    "neighbours",
)  # fmt: skip


def term_to_regex(term: str, lang: str | None = None) -> str:
    """Return the regex of one list term (see the module docstring for the syntax).

    Examples
    --------
    >>> term_to_regex("*skola")
    '\\\\w*skola(?!\\\\w)'
    >>> bool(re.search(term_to_regex("polis*"), "polisen kom"))
    True
    """
    starred_start, starred_end = term.startswith("*"), term.endswith("*")
    core = normalise_text(term.strip("*"), lang=lang)
    if not core:
        raise InputError(f"theme term {term!r} is empty after normalisation")
    body = r"\s+".join(re.escape(word) for word in core.split())
    head = r"\w*" if starred_start else r"(?<!\w)"
    tail = r"\w*" if starred_end else r"(?!\w)"
    return f"{head}{body}{tail}"


def _search_regex(term: str, lang: str | None = None) -> str:
    """A regex that finds a match exactly where :func:`term_to_regex` does somewhere in a text:
    a leading or trailing ``\\w*`` can match the empty string, so it is dropped (the engine
    can then skip ahead on the literal instead of trying ``\\w*`` at every position)."""
    regex = term_to_regex(term, lang)
    if term.startswith("*"):
        regex = regex.removeprefix(r"\w*")
    if term.endswith("*"):
        regex = regex.removesuffix(r"\w*")
    return regex


def _is_phrase(term: str, lang: str | None) -> bool:
    """Whether a term spans several words (its regex can match across a space)."""
    return len(normalise_text(term.strip("*"), lang=lang).split()) > 1


def _mark(
    pattern: re.Pattern[str], joined: str, ends: np.ndarray, hit: np.ndarray, column: int
) -> None:
    """Set ``hit[k, column]`` for every NUL-separated part ``k`` of ``joined`` that matches."""
    starts = [m.start() for m in pattern.finditer(joined)]
    if starts:
        hit[np.searchsorted(ends, np.asarray(starts), side="right"), column] = True


def load_taxonomy(path: str | Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Read a theme taxonomy TOML: theme -> language -> terms (default: packaged file)."""
    data = read_data_toml("themes.toml", "theme taxonomy", path)
    themes = data.get("themes")
    if not isinstance(themes, dict) or not themes:
        raise InputError("the theme taxonomy has no [themes.<name>] tables")
    return {
        name: {lg: list(terms) for lg, terms in langs.items()} for name, langs in themes.items()
    }


class ThemeTagger(TextInput, BaseEstimator):
    """Multi-label theme tagger from keyword lists.

    Parameters
    ----------
    taxonomy_path : str or Path, optional
        Taxonomy TOML; default the packaged ``themes.toml``.
    themes : tuple of str, optional
        Themes to use; default all themes of the taxonomy.

    Attributes
    ----------
    themes_ : list of str
        Theme names, the columns of :meth:`predict_indicator`.
    patterns_ : dict of str to dict of str to re.Pattern
        Language -> theme -> compiled alternation.

    Examples
    --------
    >>> tagger = ThemeTagger().fit()
    >>> tagger.predict(["Bussen var sen och grundskolan stängd"], langs=["sv"])
    [['schools', 'transport']]
    """

    def __init__(
        self, *, taxonomy_path: str | Path | None = None, themes: tuple[str, ...] | None = None
    ) -> None:
        self.taxonomy_path = taxonomy_path
        self.themes = themes

    def fit(self, X: Any = None, y: Any = None) -> ThemeTagger:
        """Compile the taxonomy; ``X`` and ``y`` are ignored."""
        taxonomy = load_taxonomy(self.taxonomy_path)
        wanted = list(taxonomy) if self.themes is None else list(self.themes)
        unknown = [t for t in wanted if t not in taxonomy]
        if unknown:
            raise InputError(f"unknown themes {unknown}; the taxonomy has {sorted(taxonomy)}")
        self.themes_ = sorted(wanted)
        self.patterns_: dict[str, dict[str, re.Pattern[str]]] = {}
        self.search_patterns_: dict[str, dict[str, dict[str, re.Pattern[str]]]] = {}
        for theme in self.themes_:
            for lang, terms in taxonomy[theme].items():
                if terms:
                    alternation = "|".join(term_to_regex(t, lang) for t in terms)
                    self.patterns_.setdefault(lang, {})[theme] = re.compile(alternation)
                    phrase = [_is_phrase(t, lang) for t in terms]
                    for key, want in (("word", False), ("phrase", True)):
                        chosen = [t for t, p in zip(terms, phrase, strict=True) if p == want]
                        if chosen:
                            fast = "|".join(_search_regex(t, lang) for t in chosen)
                            self.search_patterns_.setdefault(lang, {}).setdefault(theme, {})[
                                key
                            ] = re.compile(fast)
        return self

    def predict_indicator(self, X: Any, langs: Any) -> np.ndarray:
        """Return a boolean matrix (n_texts, n_themes): does text i mention theme j."""
        check_is_fitted(self, "patterns_")
        texts, codes = texts_and_codes(X, langs)
        return self.indicator_normalised(normalise_batch(texts, codes), codes)

    def indicator_normalised(self, normalised: Any, langs: Any) -> np.ndarray:
        """:meth:`predict_indicator` of texts already passed through ``normalise_text``.

        One-word terms never match across a space, so they are searched once per *unique*
        space-separated chunk of the batch (chunks joined by NUL, which no pattern matches or
        crosses; the same lookaround context as inside the post) and mapped back to posts with
        a sparse (post x chunk) product; phrase terms are searched in the joined posts.
        """
        check_is_fitted(self, "patterns_")
        codes = np.asarray(list(langs), dtype=object)
        n_themes = len(self.themes_)
        out = np.zeros((len(codes), n_themes), dtype=bool)
        for lang, patterns in self.search_patterns_.items():
            rows = np.flatnonzero(codes == lang)
            if not len(rows):
                continue
            texts = [normalised[i].replace("\x00", "\x01") for i in rows]
            index: dict[str, int] = {}
            per_doc = np.zeros(len(texts), dtype=np.int64)
            occ: list[int] = []
            for d, text in enumerate(texts):
                if text:
                    chunks = text.split(" ")
                    per_doc[d] = len(chunks)
                    occ.extend([index.setdefault(c, len(index)) for c in chunks])
            chunk_hit = np.zeros((len(index), n_themes), dtype=np.float32)
            joined_chunks = "\x00".join(index)
            chunk_ends = np.cumsum([len(c) + 1 for c in index])
            phrase_hit = np.zeros((len(texts), n_themes), dtype=bool)
            joined_texts: str | None = None
            for j, theme in enumerate(self.themes_):
                found = patterns.get(theme, {})
                if "word" in found:
                    _mark(found["word"], joined_chunks, chunk_ends, chunk_hit, j)
                if "phrase" in found:
                    if joined_texts is None:
                        joined_texts = "\x00".join(texts)
                        text_ends = np.cumsum([len(t) + 1 for t in texts])
                    _mark(found["phrase"], joined_texts, text_ends, phrase_hit, j)
            incidence = sp.csr_matrix(
                (np.ones(len(occ), dtype=np.float32),
                 (np.repeat(np.arange(len(texts)), per_doc), np.asarray(occ, dtype=np.int64))),
                shape=(len(texts), len(index)),
            )  # fmt: skip
            out[rows] = (np.asarray(incidence @ chunk_hit) > 0) | phrase_hit
        return out

    def predict(self, X: Any, langs: Any) -> list[list[str]]:
        """Return the sorted list of themes of each text (empty when none)."""
        indicator = self.predict_indicator(X, langs)
        names = np.array(self.themes_, dtype=object)
        return [names[row].tolist() for row in indicator]

    def score_posts(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Return post_scores rows, task "theme": one per (post, theme), or "none" (see module)."""
        require_post_columns(posts)
        if not hasattr(self, "patterns_"):
            self.fit()
        texts, codes = texts_and_codes(posts, None)
        indicator = self.indicator_normalised(normalise_batch(texts, codes), codes)
        ids = posts["post_id"].astype(str).to_numpy()
        covered = np.isin(np.asarray(codes, dtype=object), list(self.patterns_))
        rows, cols = np.nonzero(indicator)
        none_rows = np.flatnonzero(covered & ~indicator.any(axis=1))
        post_ids = np.concatenate([ids[rows], ids[none_rows]])
        labels = np.concatenate(
            [np.array(self.themes_, dtype=object)[cols], np.full(len(none_rows), NONE_LABEL)]
        )
        order = np.argsort(np.concatenate([rows, none_rows]), kind="stable")
        return pd.DataFrame(
            {
                "post_id": post_ids[order],
                "task": TASK,
                "model_version": MODEL_VERSION,
                "label": labels[order].astype(str),
                "probability": 1.0,
            },
            columns=POST_SCORES.columns,
        )
