"""The feature blocks of :class:`~barometer.nlp.classifiers.TextClassifier`, before TF-IDF.

Raw hashed counts of word n-grams (``HashingVectorizer`` with :data:`TOKEN_PATTERN`) and of
``char_wb``-style character n-grams (:func:`~barometer.nlp.hashing.hash_char_ngrams`) of
normalised texts, and the one-hot block of the post language. No vocabulary is stored: the
hashing is fixed by ``(word_ngram_range, char_ngram_range, n_features)``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from barometer.nlp.hashing import hash_char_ngrams

#: Word tokens: the normalisation placeholders, words, and any other non-space character
#: (emoji, "!", "?") as a token of its own.
TOKEN_PATTERN = r"<url>|<user>|\w+|[^\w\s]"

#: The one word that stands for every word outside a model's vocabulary (a single ``\w+``
#: token, so that the word and character featurisers read it like any other word).
UNSEEN_WORD = "_unk_"
_WORD_RE = re.compile(r"\w+")
#: The word that stands, in training only, for the rare words of the training texts
#: (``TextClassifier(rare_words="token")``): never produced in prediction, so the rare words'
#: class shares stay away from :data:`UNSEEN_WORD`. No character n-gram of it but the padded
#: underscores is shared with :data:`UNSEEN_WORD`.
RARE_WORD = "_rare_"
_SPACES_RE = re.compile(r"  +")
_DROPPED = "\x00"  # marks a dropped word until the article before it is folded


def learn_vocabulary(normalised: Iterable[str], min_df: int) -> list[str]:
    r"""The sorted ``\w+`` words of normalised texts that occur in at least ``min_df`` of them.

    Examples
    --------
    >>> learn_vocabulary(["a b", "a c", "a b!"], min_df=2)
    ['a', 'b']
    """
    df: Counter[str] = Counter()
    for text in normalised:
        df.update(set(_WORD_RE.findall(text)))
    return sorted(w for w, n in df.items() if n >= min_df)


def mask_unseen(
    normalised: Sequence[str],
    vocabulary: frozenset[str],
    *,
    replacement: str = UNSEEN_WORD,
    fold_article: bool = False,
) -> list[str]:
    r"""Replace every ``\w+`` word outside ``vocabulary`` by :data:`UNSEEN_WORD`, and a run of
    them (words separated by single spaces) by one.

    Every word the model never saw in training (a group name, a place, a typo) then gives the
    same word and character n-grams, so none gets a weight of its own from the n-grams it happens
    to share with trained words (hash buckets, character n-grams, the TF-IDF norm); a name of two
    unseen words ("Sri Lankans") reads like a name of one.

    ``replacement`` is the word put in their place: :data:`RARE_WORD` gives the rare words of the
    training corpora a token of their own, so that the placeholder learns only from the rows that
    carry it literally (balanced templates and swaps); ``""`` drops them. ``fold_article``
    writes the English article "an" before the placeholder (or before a dropped word) as "a",
    so that "an Armenian" and "a Jordanian" differ in nothing.

    Examples
    --------
    >>> mask_unseen(["many sri lankans live here!"], frozenset({"many", "live", "here"}))
    ['many _unk_ live here!']
    >>> mask_unseen(["an eritrean moved in"], frozenset({"an", "moved", "in"}), fold_article=True)
    ['a _unk_ moved in']
    >>> mask_unseen(["so xq zz here"], frozenset({"so", "here"}), replacement="")
    ['so here']
    >>> mask_unseen(["an eritrean moved in"], frozenset({"an", "moved", "in"}), replacement="",
    ...             fold_article=True)
    ['a moved in']
    """

    token = replacement or _DROPPED

    def keep(match: re.Match[str]) -> str:
        word = match.group()
        return word if word in vocabulary else token

    run = re.compile(rf"(?<!\w){re.escape(token)}(?: {re.escape(token)})+(?!\w)")
    masked = [run.sub(token, _WORD_RE.sub(keep, text)) for text in normalised]
    if fold_article:
        article = re.compile(rf"(^|\s)[Aa]n (?={re.escape(token)}(?!\w))")
        masked = [article.sub(r"\1a ", text) for text in masked]
    if not replacement:
        masked = [_SPACES_RE.sub(" ", text.replace(_DROPPED, "")).strip() for text in masked]
    return masked


def word_hasher(ngram_range: Sequence[int], n_features: int) -> HashingVectorizer | None:
    """The hasher of word n-grams (None when ``ngram_range`` switches them off)."""
    if min(ngram_range) <= 0:
        return None
    return HashingVectorizer(
        analyzer="word",
        token_pattern=TOKEN_PATTERN,
        ngram_range=(int(ngram_range[0]), int(ngram_range[1])),
        n_features=n_features,
        lowercase=False,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def raw_counts(
    normalised: list[str],
    word_ngram_range: Sequence[int],
    char_ngram_range: Sequence[int],
    n_features: int,
) -> list[tuple[str, sp.csr_matrix]]:
    """``[("word", counts), ("char", counts)]`` of normalised texts (blocks switched on)."""
    blocks = []
    word = word_hasher(word_ngram_range, n_features)
    if word is not None:
        blocks.append(("word", word.transform(normalised)))
    if min(char_ngram_range) > 0:
        low, high = char_ngram_range
        blocks.append(("char", hash_char_ngrams(normalised, (low, high), n_features)))
    if not blocks:
        raise ValueError(
            "word_ngram_range and char_ngram_range are both (0, 0); switch one of them on"
        )
    return blocks


def lang_block(known: np.ndarray, langs: list[str]) -> sp.csr_matrix:
    """One-hot block of each text's language over the sorted ``known`` languages (a language
    outside them gets an empty row)."""
    n, k = len(langs), len(known)
    codes = np.searchsorted(known, np.asarray(langs, dtype=object))
    codes = np.minimum(codes, max(k - 1, 0))
    hit = (known[codes] == np.asarray(langs, dtype=object)) if k else np.zeros(n, bool)
    rows = np.flatnonzero(hit)
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, codes[rows])), shape=(n, k))
