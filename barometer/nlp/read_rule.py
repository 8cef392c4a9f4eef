r"""The ``min_read_words`` decision rule of a text-classifier version: a few read words are not
evidence of a flag.

A :class:`~barometer.nlp.classifiers.TextClassifier` with ``min_word_df > 0`` reads only the
words of its vocabulary (:mod:`barometer.nlp.vocabulary`); of a post written in words its
training corpora barely hold it may read one or two, and their corpus weight alone then decides
the post (Arabic "كل", all: P(hostile) 0.94). With ``min_read_words = k`` a text of which the
model reads fewer than k ``\w+`` words (placeholders such as ``<url>`` left out) cannot score
above the model's prior, its score of an empty text, on any flag class, whatever the prior
(:func:`capped_at_prior`; the class that is no flag takes what the cap frees). The post keeps
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
#: Labels that are no flag (``not_hostile`` of hostility, ``none``, ``neutral``): of a model
#: with one of them, every other class is a flag class; of a model with none, every class but
#: its prior's most probable one.
NO_FLAG_LABELS = ("not_hostile", "none", "neutral")


class ReadRule:
    """Mixin of the ``min_read_words`` rule; the estimator sets it in ``__init__``."""

    min_read_words: int = 0
    if TYPE_CHECKING:
        calibrated_: Any
        classes_: Any

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
        labels = [str(c) for c in self.classes_]
        no_flag = next((labels.index(n) for n in NO_FLAG_LABELS if n in labels), None)
        return capped_at_prior(proba, prior, short, no_flag)


def capped_at_prior(
    proba: np.ndarray, prior: np.ndarray, short: Any, no_flag: int | None = None
) -> np.ndarray:
    """Class probabilities after the ``min_read_words`` rule.

    A barely read text (``short``) gets, on each flag class, the lower of its own probability
    and the prior's (``prior``, one row per short text: the score of an empty text); the class
    that is no flag (column ``no_flag``; None: each row's prior's most probable class) gets the
    rest, so every row still sums to 1. So a few kept words can lower a post's flag
    probabilities, never raise one above the model's prior, whatever the prior: a flagged
    prior caps a flag at the prior's, an unflagged one flags no barely read text.
    """
    out = np.array(proba, dtype=float, copy=True)
    rows = np.flatnonzero(short)
    n_classes = out.shape[1]
    base = np.argmax(prior, axis=1) if no_flag is None else np.full(len(rows), int(no_flag))
    capped = np.minimum(out[rows], prior)
    flags = np.arange(n_classes)[None, :] != base[:, None]
    kept = np.where(flags, capped, 0.0)
    kept[np.arange(len(rows)), base] = 1.0 - kept.sum(axis=1)
    out[rows] = kept
    return out
