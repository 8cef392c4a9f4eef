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
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from barometer.exceptions import InputError, SchemaError
from barometer.nlp.text import normalise_text, normalise_texts
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


def load_taxonomy(path: str | Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Read a theme taxonomy TOML: theme -> language -> terms (default: packaged file)."""
    try:
        if path is None:
            raw = resources.files("barometer").joinpath("data/themes.toml").read_text("utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read theme taxonomy {path or 'themes.toml'}: {exc}") from exc
    themes = data.get("themes")
    if not isinstance(themes, dict) or not themes:
        raise InputError("the theme taxonomy has no [themes.<name>] tables")
    return {
        name: {lg: list(terms) for lg, terms in langs.items()} for name, langs in themes.items()
    }


class ThemeTagger(BaseEstimator):
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
        for theme in self.themes_:
            for lang, terms in taxonomy[theme].items():
                if terms:
                    alternation = "|".join(term_to_regex(t, lang) for t in terms)
                    self.patterns_.setdefault(lang, {})[theme] = re.compile(alternation)
        return self

    @property
    def languages_(self) -> list[str]:
        """Languages that have at least one theme list."""
        check_is_fitted(self, "patterns_")
        return sorted(self.patterns_)

    def predict_indicator(self, X: Any, langs: Any) -> np.ndarray:
        """Return a boolean matrix (n_texts, n_themes): does text i mention theme j."""
        check_is_fitted(self, "patterns_")
        texts = [t if isinstance(t, str) else "" for t in X]
        if len(langs) != len(texts):
            raise ValueError(f"expected one language per text ({len(texts)}), got {len(langs)}")
        codes = pd.Series([lg if isinstance(lg, str) else "und" for lg in langs], dtype=object)
        normalised = pd.Series(normalise_texts(texts, codes.tolist()), dtype=object)
        out = np.zeros((len(texts), len(self.themes_)), dtype=bool)
        for lang, patterns in self.patterns_.items():
            rows = np.flatnonzero((codes == lang).to_numpy())
            if not len(rows):
                continue
            subset = normalised.iloc[rows]
            for j, theme in enumerate(self.themes_):
                if theme in patterns:
                    out[rows, j] = subset.str.contains(patterns[theme], regex=True).to_numpy()
        return out

    def predict(self, X: Any, langs: Any) -> list[list[str]]:
        """Return the sorted list of themes of each text (empty when none)."""
        indicator = self.predict_indicator(X, langs)
        names = np.array(self.themes_, dtype=object)
        return [names[row].tolist() for row in indicator]

    def score_posts(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Return post_scores rows, task "theme": one per (post, theme), or "none" (see module)."""
        missing = [c for c in ("post_id", "text", "lang") if c not in posts.columns]
        if missing:
            raise SchemaError(
                f"score_posts expects posts with columns post_id, text, lang; missing {missing}"
            )
        if not hasattr(self, "patterns_"):
            self.fit()
        indicator = self.predict_indicator(posts["text"].tolist(), posts["lang"].tolist())
        ids = posts["post_id"].astype(str).to_numpy()
        covered = posts["lang"].isin(self.patterns_).to_numpy()
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
