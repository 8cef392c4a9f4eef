"""Language ID with the author context of a whole file, however the file is batched.

:func:`~barometer.nlp.language.detect_languages` takes a post's prior from its author's
*other* posts in the texts it is given. A file streamed in batches would then decide a post's
language from the author's posts in the same batch only, so the languages would depend on the
batch size. :class:`FileLanguages` splits the rule in two passes: :meth:`~FileLanguages.observe`
computes each batch's detector evidence and counts every confident post in its author's
language mix (a table of authors x languages, its size grows with the authors, not the posts);
once the file's last batch is observed, :meth:`~FileLanguages.resolve` decides each batch's
languages with the whole file's author mixes. The result equals :func:`detect_languages` on
the whole file at once, for any batch size (the mixes are whole-number counts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from barometer.nlp.author_languages import (
    AuthorRows,
    add_author_evidence,
    author_evidence,
    author_priors,
)
from barometer.nlp.language import (
    LANGUAGE_CODES,
    decide,
    hint_boost,
    language_evidence,
    normalise_hint,
    normalise_rows,
)


@dataclass
class PendingLanguages:
    """What one observed batch needs to be resolved: the evidence of its posts (``likelihood``,
    n x :data:`LANGUAGE_CODES`), the hint column each boosts (-1: none), each post's author row
    in the file's table (-1: none) and its own :func:`author_evidence` (-1: none)."""

    likelihood: np.ndarray
    hinted: np.ndarray
    authors: np.ndarray
    own: np.ndarray


class FileLanguages:
    """The languages of one file's posts, observed batch by batch and resolved with the
    whole file's author context (see the module docstring; same rule and parameters as
    :func:`~barometer.nlp.language.detect_languages` without ``trust_hints``)."""

    def __init__(
        self,
        prior: Mapping[str, float] | None = None,
        *,
        min_chars: int = 3,
        min_confidence: float = 0.5,
    ) -> None:
        self.prior = prior
        self.min_chars = min_chars
        self.min_confidence = min_confidence
        self._authors = AuthorRows()
        # whole-number counts (uint32: 44 bytes per author, not 88 as float64)
        self._totals = np.zeros((0, len(LANGUAGE_CODES)), dtype=np.uint32)
        self._city = np.zeros(len(LANGUAGE_CODES))

    @property
    def n_authors(self) -> int:
        """Authors seen so far (rows of the author x language table)."""
        return len(self._authors)

    def observe(
        self, texts: Sequence[str], hints: Sequence[str | None], authors: Sequence[object]
    ) -> PendingLanguages:
        """Detector evidence of one batch, its confident posts counted for their authors."""
        if not (len(texts) == len(hints) == len(authors)):
            raise ValueError(
                f"expected one hint and author per text ({len(texts)}), got {len(hints)} hints "
                f"and {len(authors)} authors"
            )
        likelihood, hinted, city, has_evidence = language_evidence(
            texts,
            [normalise_hint(h) for h in hints],
            prior=self.prior,
            min_chars=self.min_chars,
        )
        self._city = city
        own = author_evidence(normalise_rows(likelihood * city * hint_boost(hinted)), has_evidence)
        rows = self._authors.rows(authors)
        if len(self._authors) > len(self._totals):
            grown = np.zeros((len(self._authors), len(LANGUAGE_CODES)), dtype=np.uint32)
            grown[: len(self._totals)] = self._totals
            self._totals = grown
        add_author_evidence(self._totals, rows, own)
        return PendingLanguages(likelihood, hinted, rows.astype(np.int64), own)

    def resolve(self, pending: PendingLanguages) -> list[str]:
        """The languages of an observed batch, with every batch observed so far as context
        (call it after the file's last batch)."""
        prior = author_priors(pending.authors, pending.own, self._totals, self._city)
        posterior = normalise_rows(pending.likelihood * prior * hint_boost(pending.hinted))
        return decide(posterior, self.min_confidence)
