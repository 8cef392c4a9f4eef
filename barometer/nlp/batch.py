"""Batch primitives shared by every scorer: one normalisation and one hashing per batch.

:func:`normalise_batch` returns exactly :func:`barometer.nlp.text.normalise_texts`, but runs each
regular expression once over the whole batch (texts joined with a NUL separator that no pattern
can match or cross) instead of once per post.

:class:`HashedCounts` computes the raw hashed word and character n-gram counts of
:class:`~barometer.nlp.classifiers.TextClassifier` once per batch, so that every trained model
with the same hashing parameters applies only its own TF-IDF weights and linear model. The
counts are identical to ``HashingVectorizer(analyzer="word", token_pattern=TOKEN_PATTERN)`` and
:func:`~barometer.nlp.hashing.hash_char_ngrams` on the same texts; they are built per *unique
word* of the batch (character n-grams never cross a space, word tokens never contain one):
unique words are hashed once and a sparse (post x unique word) incidence matrix sums them.
Word-token and bigram buckets (murmurhash3, as scikit-learn) are cached across batches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from barometer.exceptions import LanguageMismatchError
from barometer.nlp import text as _t
from barometer.nlp.hashing import hash_char_ngrams

SEP = "\x00"
_JOIN = f" {SEP} "
#: Word tokens of the trained classifiers (same as ``classifiers.TOKEN_PATTERN``).
TOKEN_RE = re.compile(r"<url>|<user>|\w+|[^\w\s]")
_CACHE_LIMIT = 2_000_000


#: Equivalent rewrites of the ``text`` module's patterns that start with a literal, so that the
#: regex engine can skip ahead over a long joined batch (same matches, same spans).
_URL_RE = re.compile(r"[hHwW](?:(?<=[hH])(?i:ttps?://)|(?<=[wW])(?i:ww\.))\S+")
_MENTION_RE = re.compile(r"@(?<![\w@]@)\w+(?:@[\w.-]+\w)?")
_HASHTAG_RE = re.compile(r"#(?<![\w#]#)(\w+)")


def _normalise_joined(texts: list[str], lang: str | None) -> list[str]:
    """:func:`normalise_text` of texts that share the language-specific steps (``lang``)."""
    text = _JOIN.join(texts)
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    text = _t._EMOJI_MODIFIERS_RE.sub("", text)
    text = _URL_RE.sub(f" {_t.URL_TOKEN} ", text)
    text = _MENTION_RE.sub(f" {_t.USER_TOKEN} ", text)
    text = _HASHTAG_RE.sub(_t._split_hashtag, text)
    text = _t.EMOJI_RE.sub(r" \g<0> ", text)
    text = _t._ARABIC_MARKS_RE.sub("", text)
    if lang == "ar":
        text = text.translate(_t._ARABIC_LETTERS)
    text = _t._lower(text, lang)
    text = " ".join(text.split())  # = _SPACES_RE.sub(" ", ...): re's \s is str.isspace
    parts = [part.strip() for part in text.split(SEP)]
    # Elongation folding only where some character occurs three times in a row.
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    triple = np.flatnonzero((codes[2:] == codes[1:-1]) & (codes[1:-1] == codes[:-2]))
    if len(triple):
        seps = np.flatnonzero(codes == 0)
        for d in np.unique(np.searchsorted(seps, triple)).tolist():
            parts[d] = _t._ELONGATION_RE.sub(r"\1\1", parts[d])
    return parts


def normalise_batch(texts: Sequence[object], langs: Sequence[str | None]) -> list[str]:
    """Return ``normalise_texts(texts, langs)`` computed with one regex pass per batch.

    Texts are grouped by the only language-dependent steps (``"tr"`` lower-casing, ``"ar"``
    letter folding, everything else); a text that itself holds the NUL separator falls back to
    :func:`normalise_text`.
    """
    if len(langs) != len(texts):
        raise LanguageMismatchError(len(texts), len(langs))
    out = [""] * len(texts)
    groups: dict[str | None, list[int]] = {}
    for i, (raw, lang) in enumerate(zip(texts, langs, strict=True)):
        if not isinstance(raw, str) or not raw:
            continue
        if SEP in raw:
            out[i] = _t.normalise_text(raw, lang=lang)
            continue
        key = lang if lang in ("tr", "ar") else None
        groups.setdefault(key, []).append(i)
    for key, idx in groups.items():
        parts = _normalise_joined([texts[i] for i in idx], key)  # type: ignore[misc]
        for i, part in zip(idx, parts, strict=True):
            out[i] = part
    return out


def _bucket(feature: str, n_features: int) -> int:
    """scikit-learn's ``FeatureHasher`` column of one string feature (murmurhash3, seed 0)."""
    h = murmurhash3_32(feature, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


class HashedCounts:
    """Raw hashed counts of ``TextClassifier`` features, computed once and shared.

    Parameters
    ----------
    word_ngram_range : tuple of int
        Word n-gram lengths: (1, 1), (1, 2) or (2, 2); ``(0, 0)`` switches the block off.
    char_ngram_range : tuple of int
        ``char_wb``-style n-gram lengths for :func:`hash_char_ngrams`; ``(0, 0)``: off.
    n_features : int
        Hash buckets per block.
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        n_features: int = 2**18,
    ) -> None:
        lo, hi = word_ngram_range
        if min(word_ngram_range) > 0 and not (1 <= lo <= hi <= 2):
            raise ValueError(f"word_ngram_range must lie within (1, 2), got {word_ngram_range}")
        self.word_ngram_range: tuple[int, int] = (int(lo), int(hi))
        self.char_ngram_range: tuple[int, int] = (
            int(char_ngram_range[0]),
            int(char_ngram_range[1]),
        )
        self.n_features = int(n_features)
        self._token_ids: dict[str, int] = {}
        self._token_buckets: list[int] = []
        self._pair_buckets: dict[int, int] = {}

    def key(self) -> tuple[object, ...]:
        """The hashing parameters; models with the same key can share the counts."""
        return (self.word_ngram_range, self.char_ngram_range, self.n_features)

    def _token_id(self, token: str) -> int:
        tid = self._token_ids.get(token)
        if tid is None:
            tid = len(self._token_buckets)
            self._token_ids[token] = tid
            self._token_buckets.append(_bucket(token, self.n_features))
        return tid

    def transform(self, normalised: Sequence[str]) -> dict[str, sp.csr_matrix]:
        """Return ``{"word": counts, "char": counts}`` (blocks that are switched on)."""
        if len(self._token_buckets) > _CACHE_LIMIT or len(self._pair_buckets) > _CACHE_LIMIT:
            self._token_ids, self._token_buckets, self._pair_buckets = {}, [], {}
        n_docs = len(normalised)
        word_index: dict[str, int] = {}
        occ: list[int] = []
        per_doc = np.zeros(n_docs, dtype=np.int64)
        for d, text in enumerate(normalised):
            if text:
                words = text.split(" ")
                per_doc[d] = len(words)
                occ.extend([word_index.setdefault(w, len(word_index)) for w in words])
        words_u = list(word_index)
        occ_ids = np.asarray(occ, dtype=np.int64)
        occ_doc = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)
        blocks: dict[str, sp.csr_matrix] = {}
        if min(self.word_ngram_range) > 0:
            blocks["word"] = self._word_counts(words_u, occ_ids, occ_doc, n_docs)
        if min(self.char_ngram_range) > 0:
            per_word = hash_char_ngrams(
                words_u, self.char_ngram_range, self.n_features, dtype=np.float32
            )
            incidence = sp.csr_matrix(
                (np.ones(len(occ_ids), dtype=np.float32), (occ_doc, occ_ids)),
                shape=(n_docs, len(words_u)),
            )
            chars = (incidence @ per_word).tocsr()
            chars.sum_duplicates()
            chars.sort_indices()
            blocks["char"] = chars
        return blocks

    def _word_counts(
        self, words_u: list[str], occ_ids: np.ndarray, occ_doc: np.ndarray, n_docs: int
    ) -> sp.csr_matrix:
        tok_lists = [[self._token_id(t) for t in TOKEN_RE.findall(w)] for w in words_u]
        n_tok = np.fromiter((len(t) for t in tok_lists), dtype=np.int64, count=len(tok_lists))
        flat_u = np.fromiter(
            (t for ts in tok_lists for t in ts), dtype=np.int64, count=int(n_tok.sum())
        )
        start_u = np.concatenate(([0], np.cumsum(n_tok)[:-1])) if len(n_tok) else n_tok
        counts = n_tok[occ_ids]
        total = int(counts.sum())
        offsets = np.cumsum(counts) - counts
        within = np.arange(total, dtype=np.int64) - np.repeat(offsets, counts)
        tokens = flat_u[np.repeat(start_u[occ_ids], counts) + within]
        tok_doc = np.repeat(occ_doc, counts)
        buckets = np.asarray(self._token_buckets, dtype=np.int64)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        lo, hi = self.word_ngram_range
        if lo == 1:
            rows.append(tok_doc)
            cols.append(buckets[tokens])
        if hi == 2 and total > 1:
            same = np.flatnonzero(tok_doc[1:] == tok_doc[:-1])
            keys = (tokens[same] << 32) | tokens[same + 1]
            uniq, inverse = np.unique(keys, return_inverse=True)
            cache = self._pair_buckets
            strings = self._token_strings() if any(int(k) not in cache for k in uniq) else []
            pair_cols = np.empty(len(uniq), dtype=np.int64)
            for j, k in enumerate(uniq.tolist()):
                b = cache.get(k)
                if b is None:
                    a, c = k >> 32, k & 0xFFFFFFFF
                    b = _bucket(f"{strings[a]} {strings[c]}", self.n_features)
                    cache[k] = b
                pair_cols[j] = b
            rows.append(tok_doc[same])
            cols.append(pair_cols[inverse])
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        matrix = sp.csr_matrix(
            (np.ones(len(row), dtype=np.float32), (row, col)),
            shape=(n_docs, self.n_features),
            dtype=np.float32,
        )
        matrix.sum_duplicates()
        return matrix

    def _token_strings(self) -> list[str]:
        strings = [""] * len(self._token_buckets)
        for token, tid in self._token_ids.items():
            strings[tid] = token
        return strings
