r"""The ``unread_dilution`` option of a text classifier: unread words dilute the read ones.

A :class:`~barometer.nlp.classifiers.TextClassifier` with ``rare_words = "drop_always"`` drops
every word outside its vocabulary before both featurisers, and each TF-IDF block is then
l2-normalised over what is left. A post read on one or two of its words is therefore scored as
if it were only those words: Arabic "مكان جميل في الحي وفيه محبة وتعاون" reads "مكان في" and
gets the weight of a two-word post.

With ``unread_dilution = "sqrt_share"`` each text's word and character rows are multiplied,
after their l2 normalisation, by

    factor = sqrt(read / (read + unread))

where ``read`` is the number of word-block terms the model reads of the text (the
:data:`~barometer.nlp.text_features.TOKEN_PATTERN` tokens left after the vocabulary: words,
placeholders, emoji, punctuation) and ``unread`` the number of *runs* of dropped ``\w+`` words
(dropped words separated by single spaces count once, as
:func:`~barometer.nlp.text_features.mask_unseen` groups them). This is the ratio of the l2 norm
of the text's unit term counts to the norm it would have if each unread run were one more unit
term: the row the model would see if it could tell that something it cannot read is there.
Counting runs, not words, keeps an unseen group name of two words ("Sri Lankans") from moving a
sentence more than a name of one; ``"sqrt_word_share"`` counts every dropped word instead
(stronger on long runs of ordinary unread words, at that cost). A text read whole keeps
factor 1 and scores as before; a text read on nothing has an empty row anyway. A linear
model's decision function is then ``factor * w.x + b``: a barely read text is pulled toward
the intercept (the model's prior) unless the words it reads are strongly weighted.

The factor applies in training and in prediction alike (:meth:`UnreadDilution.diluted`);
versions saved before the option existed dilute nothing (``"none"``, a class default).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from barometer.nlp.text_features import TOKEN_PATTERN

#: The values of ``unread_dilution``.
DILUTIONS = ("none", "sqrt_share", "sqrt_word_share")
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_WORD_RE = re.compile(r"\w+")


def unread_counts(
    normalised: Sequence[str], vocabulary: frozenset[str], *, per_run: bool = True
) -> np.ndarray:
    r"""``(n_texts, 2)`` integers: per text, the word-block terms kept after ``vocabulary``
    (every token of :data:`~barometer.nlp.text_features.TOKEN_PATTERN` but a ``\w+`` word
    outside it) and the runs of ``\w+`` words outside it (words separated by single spaces
    count as one run).

    Examples
    --------
    >>> unread_counts(["many sri lankans live here!", "xq, zz"],
    ...               frozenset({"many", "live", "here"})).tolist()
    [[4, 1], [1, 2]]
    """
    out = np.zeros((len(normalised), 2), dtype=np.int64)
    for i, text in enumerate(normalised):
        read = runs = 0
        end = -2  # end of the last unread word (-2: none)
        for match in _TOKEN_RE.finditer(text):
            token = match.group()
            if token in vocabulary or not _WORD_RE.fullmatch(token):
                read += 1
                continue
            if not (per_run and end >= 0 and text[end : match.start()] == " "):
                runs += 1
            end = match.end()
        out[i] = (read, runs)
    return out


def sqrt_share(counts: np.ndarray) -> np.ndarray:
    """``sqrt(read / (read + unread))`` of :func:`unread_counts` rows (1 for a text with
    neither, 0 for a text of unread words only).

    Examples
    --------
    >>> sqrt_share(np.array([[2, 2], [3, 0], [0, 0], [0, 1]])).round(4).tolist()
    [0.7071, 1.0, 1.0, 0.0]
    """
    read = counts[:, 0].astype(float)
    total = read + counts[:, 1]
    return np.sqrt(np.divide(read, total, out=np.ones_like(read), where=total > 0))


class UnreadDilution:
    """Mixin of the ``unread_dilution`` option; the estimator sets it in ``__init__``."""

    unread_dilution: str = "none"
    if TYPE_CHECKING:
        rare_words: str

        def _vocabulary(self) -> frozenset[str] | None: ...
        def stem_words(self, normalised: list[str], langs: Sequence[str]) -> list[str]: ...

    def check_dilution(self) -> None:
        """Refuse a dilution this model cannot apply (a one-line ``ValueError``)."""
        if self.unread_dilution not in DILUTIONS:
            raise ValueError(
                f"unread_dilution must be one of {', '.join(DILUTIONS)}, "
                f"got {self.unread_dilution!r}"
            )
        if self.unread_dilution != "none" and self.rare_words != "drop_always":
            raise ValueError(
                f'unread_dilution = "{self.unread_dilution}" needs rare_words = "drop_always" '
                f"(it dilutes the words the model drops), got {self.rare_words!r}"
            )

    def dilution_factors(self, normalised: list[str], langs: Sequence[str]) -> np.ndarray | None:
        """Per normalised (HTML-unescaped) text, the factor of its word and character rows
        (:func:`sqrt_share`); None for a model that dilutes nothing."""
        if self.unread_dilution == "none" or self._vocabulary() is None:
            return None
        return self.unread_factors(self.stem_words(normalised, langs))

    def unread_factors(self, stemmed: list[str]) -> np.ndarray | None:
        """:meth:`dilution_factors` of texts already read through :meth:`stem_words`."""
        vocabulary = self._vocabulary()
        if self.unread_dilution == "none" or vocabulary is None:
            return None
        per_run = self.unread_dilution == "sqrt_share"
        return sqrt_share(unread_counts(stemmed, vocabulary, per_run=per_run))

    def diluted(self, blocks: list[sp.csr_matrix], factors: np.ndarray | None) -> list:
        """The l2-normalised TF-IDF ``blocks`` with each row multiplied by its factor."""
        if factors is None:
            return blocks
        scale = sp.diags(np.asarray(factors, dtype=np.float32))
        return [sp.csr_matrix(scale @ block) for block in blocks]

    def require_factors(self, factors: object, n: int) -> np.ndarray | None:
        """``factors`` checked for shared counts of ``n`` texts.

        Raises
        ------
        ValueError
            If the model dilutes and ``factors`` is None or of the wrong length.
        """
        if self.unread_dilution == "none" or self._vocabulary() is None:
            return None
        if factors is None:
            raise ValueError(
                f'this model has unread_dilution = "{self.unread_dilution}": pass '
                "dilution (model.dilution_factors of the texts) with its counts"
            )
        out = np.asarray(factors, dtype=float)
        if out.shape != (n,):
            raise ValueError(f"expected dilution for {n} texts, got shape {out.shape}")
        return out
