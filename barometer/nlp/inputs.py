"""What the text scorers accept: texts (or a frame of posts) and one language code per text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sklearn.utils import Tags

from barometer.exceptions import LanguageMismatchError, SchemaError

#: Columns every scorer's ``score_posts`` needs.
POST_COLUMNS: tuple[str, ...] = ("post_id", "text", "lang")
#: Language code of a text whose language is not known.
UNDETERMINED = "und"


def require_post_columns(posts: pd.DataFrame) -> None:
    """Raise :class:`SchemaError` naming the columns of :data:`POST_COLUMNS` that are missing."""
    missing = [c for c in POST_COLUMNS if c not in posts.columns]
    if missing:
        raise SchemaError(
            f"score_posts expects posts with columns post_id, text, lang; missing {missing}"
        )


def split_texts(X: Any, langs: Sequence[str | None] | None) -> tuple[list[str], list[str] | None]:
    """Texts and language codes of ``X``: texts, or a frame with ``text`` (and ``lang``).

    ``langs`` (one per text) overrides a ``lang`` column. A text that is not a string is the
    empty text; a language that is missing or empty is :data:`UNDETERMINED`. Returns None for
    the languages when neither ``langs`` nor a ``lang`` column gives them.

    Examples
    --------
    >>> split_texts(["hej", None], ["sv", ""])
    (['hej', ''], ['sv', 'und'])
    """
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise SchemaError(f"expected a 'text' column, got columns {list(X.columns)}")
        if langs is None and "lang" in X.columns:
            langs = X["lang"].tolist()
        X = X["text"]
    elif isinstance(X, str):
        raise TypeError("expected a sequence of texts, got a single str; wrap it in a list")
    texts = [t if isinstance(t, str) else "" for t in X]
    if langs is None:
        return texts, None
    if len(langs) != len(texts):
        raise LanguageMismatchError(len(texts), len(langs))
    return texts, [lg if isinstance(lg, str) and lg else UNDETERMINED for lg in langs]


def texts_and_codes(X: Any, langs: Sequence[str | None] | None) -> tuple[list[str], list[str]]:
    """:func:`split_texts`, with every text :data:`UNDETERMINED` when no language is given.

    Examples
    --------
    >>> texts_and_codes(pd.DataFrame({"text": ["hej", "hi"], "lang": ["sv", None]}), None)
    (['hej', 'hi'], ['sv', 'und'])
    >>> texts_and_codes(["hej"], None)
    (['hej'], ['und'])
    """
    texts, codes = split_texts(X, langs)
    return texts, codes if codes is not None else [UNDETERMINED] * len(texts)


class TextInput:
    """Mixin of the text scorers: scikit-learn tags that say they read raw texts, not a
    feature matrix (so scikit-learn's estimator checks feed them no numeric arrays)."""

    def __sklearn_tags__(self) -> Tags:
        tags: Tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
