"""A post's prior from its author's other posts (step 3 of :mod:`barometer.nlp.language`).

Each confident post counts once for its author's language (its most probable code); a post's
prior is its author's counts without the post itself, smoothed toward the city prior. The
counts of a file streamed in batches add up batch by batch
(:class:`barometer.nlp.file_languages.FileLanguages`); they are whole numbers, so the priors do
not depend on the order posts were counted in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Pseudo-posts of the city prior mixed into an author's language counts.
AUTHOR_PSEUDOCOUNT = 2.0
#: Posterior at which a post counts as evidence of its author's language.
AUTHOR_EVIDENCE = 0.8


def author_evidence(posterior: np.ndarray, has_evidence: np.ndarray) -> np.ndarray:
    """Per post, the column (of :data:`~barometer.nlp.language.LANGUAGE_CODES`) it counts for
    in its author's language mix (its most probable language when detected with posterior >=
    :data:`AUTHOR_EVIDENCE` from enough letters), else -1 (step 3)."""
    if not len(posterior):
        return np.zeros(0, dtype=np.int64)
    sure = has_evidence & (posterior.max(axis=1) >= AUTHOR_EVIDENCE)
    return np.where(sure, posterior.argmax(axis=1), -1).astype(np.int64)


def add_author_evidence(totals: np.ndarray, codes: np.ndarray, own: np.ndarray) -> None:
    """Count, in place, each post's :func:`author_evidence` ``own`` in its author's row of
    ``totals`` (authors x language codes); ``codes``: the author's row, -1 for none."""
    keep = (codes >= 0) & (own >= 0)
    np.add.at(totals, (codes[keep], own[keep]), 1)


def author_priors(
    codes: np.ndarray, own: np.ndarray, totals: np.ndarray, city: np.ndarray
) -> np.ndarray:
    """Per post: its author's language mix from the author's *other* confident posts (the
    author's row of ``totals`` less the post's own :func:`author_evidence`), smoothed toward
    the ``city`` prior with :data:`AUTHOR_PSEUDOCOUNT` pseudo-posts (step 3). The counts are
    whole numbers, so the result does not depend on the order posts were counted in."""
    mine = np.zeros((len(codes), len(city)))
    keep = (codes >= 0) & (own >= 0)
    mine[np.flatnonzero(keep), own[keep]] = 1.0
    if not len(totals):
        totals = np.zeros((1, len(city)))
    counts = np.where((codes >= 0)[:, None], totals[np.maximum(codes, 0)] - mine, 0.0)
    return (counts + AUTHOR_PSEUDOCOUNT * city) / (
        counts.sum(axis=1, keepdims=True) + AUTHOR_PSEUDOCOUNT
    )


def author_codes(authors: Sequence[object]) -> tuple[np.ndarray, pd.Index]:
    """(row per post, distinct authors) of ``authors``; -1 for a post without an author."""
    codes, uniques = pd.factorize(pd.Series(list(authors), dtype=object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


class AuthorRows:
    """Stable row numbers for the distinct authors of a file, given in order of first
    appearance, kept compact: each author's UTF-8 text in one sorted fixed-width ``numpy``
    array, with its row (31 bytes per pseudonym, against about 200 for a dict of Python
    strings and ints). Authors are told apart by their text (``str``), as pseudonyms are."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype="S1")
        self._rows = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        """Bytes the table takes."""
        return int(self._keys.nbytes + self._rows.nbytes)

    def rows(self, authors: Sequence[object]) -> np.ndarray:
        """The row of each of ``authors`` (-1 for a missing one); an author not seen before
        gets the next free row."""
        local, uniques = author_codes(authors)
        if not len(uniques):
            return np.full(len(local), -1, dtype=np.int64)
        # a closing 0xFF (never in UTF-8): numpy would drop trailing NUL bytes otherwise
        keys = np.array([str(a).encode("utf-8") + b"\xff" for a in uniques])
        width = max(self._keys.dtype.itemsize, keys.dtype.itemsize)
        self._keys, keys = self._keys.astype(f"S{width}"), keys.astype(f"S{width}")
        at = np.searchsorted(self._keys, keys)
        found = at < len(self._keys)
        found[found] = self._keys[at[found]] == keys[found]
        mapping = np.empty(len(keys), dtype=np.int64)
        mapping[found] = self._rows[at[found]]
        new = np.flatnonzero(~found)
        mapping[new] = len(self._keys) + np.arange(len(new))
        order = new[np.argsort(keys[new], kind="stable")]
        where = np.searchsorted(self._keys, keys[order])
        self._keys = np.insert(self._keys, where, keys[order])
        self._rows = np.insert(self._rows, where, mapping[order])
        return np.where(local >= 0, mapping[np.maximum(local, 0)], -1)
