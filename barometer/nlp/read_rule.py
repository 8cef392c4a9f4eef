r"""The ``min_read_words`` decision rule of a text-classifier version: a few read words are not
evidence of a flag.

A :class:`~barometer.nlp.classifiers.TextClassifier` with ``min_word_df > 0`` reads only the
words of its vocabulary (:mod:`barometer.nlp.vocabulary`); of a post written in words its
training corpora barely hold it may read one or two, and their corpus weight alone then decides
the post (Arabic "كل", all: P(hostile) 0.94). With ``min_read_words = k`` a text of which the
model reads fewer than k ``\w+`` words (placeholders such as ``<url>`` left out) cannot score
above the model's prior, its score of an empty text (:func:`capped_at_prior`). The post keeps
its row and counts as scored: no post leaves an indicator's denominator, only its flag goes
where its words do not carry one. The rule decides predictions, never a fit; versions saved
before it apply none (``min_read_words = 0``, a class default).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

_WORD_RE = re.compile(r"\w+")
_PLACEHOLDER_RE = re.compile(r"<\w+>")


class ReadRule:
    """Mixin of the ``min_read_words`` rule; the estimator sets it in ``__init__``."""

    min_read_words: int = 0
    if TYPE_CHECKING:
        calibrated_: Any

        def _features(self, texts: list[str], langs: list[str]) -> Any: ...

    @staticmethod
    def read_word_counts(read: Sequence[str]) -> np.ndarray:
        r"""Number of ``\w+`` words in each text the model reads (:meth:`read_words` output),
        placeholders such as ``<url>`` and ``<user>`` left out."""
        return np.fromiter(
            (len(_WORD_RE.findall(_PLACEHOLDER_RE.sub(" ", t))) for t in read),
            dtype=np.int64,
            count=len(read),
        )

    def barely_read(self, read: Sequence[str]) -> np.ndarray:
        """Booleans: True where a read text has fewer than ``min_read_words`` words (all False
        for a model without the rule)."""
        if int(self.min_read_words) <= 0:
            return np.zeros(len(read), dtype=bool)
        return self.read_word_counts(read) < int(self.min_read_words)

    def rule_rows(self, barely_read: Any, n: int) -> np.ndarray | None:
        """The rows (booleans, ``n`` of them) the ``min_read_words`` rule applies to, from
        :meth:`barely_read` of the read texts; None when it applies to none.

        Raises
        ------
        ValueError
            If the model has the rule and ``barely_read`` is None (shared counts scored
            without the read texts' word counts).
        """
        if int(self.min_read_words) <= 0:
            return None
        if barely_read is None:
            raise ValueError(
                f"this model has min_read_words = {self.min_read_words}: pass barely_read "
                "(model.barely_read of the read texts) with its counts"
            )
        short = np.asarray(barely_read, dtype=bool)
        if short.shape != (n,):
            raise ValueError(f"expected barely_read for {n} texts, got shape {short.shape}")
        return short if short.any() else None

    def _read_rule(self, proba: np.ndarray, barely_read: Any, langs: Sequence[str]) -> np.ndarray:
        """``proba`` after the ``min_read_words`` rule (:func:`capped_at_prior`; the prior of a
        language is the score of an empty text in it)."""
        short = self.rule_rows(barely_read, len(proba))
        if short is None:
            return proba
        codes = [langs[i] for i in np.flatnonzero(short).tolist()]
        prior = self.calibrated_.predict_proba(self._features([""] * len(codes), codes))
        return capped_at_prior(proba, prior, short)


def capped_at_prior(proba: np.ndarray, prior: np.ndarray, short: np.ndarray) -> np.ndarray:
    """Class probabilities after the ``min_read_words`` rule: a barely read text (``short``)
    keeps its own probabilities where they give the prior's most probable class at least the
    prior's probability (its few words point away from the classes a flag is made of), and
    gets the prior's (``prior``, one row per short text: the score of an empty text) where
    they give it less. So a few kept words can lower a post's score, never raise it above
    the model's prior, and a model whose prior is not flagged flags no barely read text.
    """
    out = np.array(proba, dtype=float, copy=True)
    rows = np.flatnonzero(short)
    base = np.argmax(prior, axis=1)
    own = out[rows, base]
    replaced = own < prior[np.arange(len(rows)), base]
    out[rows[replaced]] = prior[replaced]
    return out
