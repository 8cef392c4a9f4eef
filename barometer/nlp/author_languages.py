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
    np.add.at(totals, (codes[keep], own[keep]), 1.0)


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
