r"""How a :class:`~barometer.nlp.classifiers.TextClassifier` reads words outside its vocabulary.

With ``min_word_df > 0`` the classifier learns a vocabulary of the ``\w+`` words found in at
least ``min_word_df`` training texts (leaving out ``unseen_words``, e.g. the training group
names, however frequent), and every other word, in training and in prediction, is handled
before both featurisers (:func:`~barometer.nlp.text_features.mask_unseen`):

- ``rare_words = "unseen"`` (default): it becomes the placeholder
  :data:`~barometer.nlp.text_features.UNSEEN_WORD`, so unseen words, such as group names the
  model never saw, all give the same features;
- ``"token"`` / ``"drop"``: in *training* only, a rare word becomes a token of its own
  (:data:`~barometer.nlp.text_features.RARE_WORD`) or nothing, so the placeholder learns its
  weight only from texts that carry it literally (augmentation templates and swaps, balanced
  across classes), not from the class shares of the corpora's rare words; prediction still
  reads an unseen word as the placeholder;
- ``"drop_always"``: words outside the vocabulary are dropped in training and in prediction,
  so an unseen name adds no feature at all (the placeholder is then a word like any other).

``fold_article`` writes "an" before such a word as "a", so a name's first letter carries
nothing. ``word_stems`` (ISO 639-1 codes) reads every word of a text in one of those languages
as its Snowball stem (:func:`~barometer.nlp.stems.stem_texts`) before the vocabulary is learnt
and before both featurisers, so that inflected forms share one feature and count together
towards ``min_word_df``. Versions saved before these options
existed keep every word and stem none (class defaults); the ``min_read_words`` decision rule
on what the model reads is :mod:`barometer.nlp.read_rule`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from barometer.nlp.stems import stem_texts
from barometer.nlp.text_features import RARE_WORD, UNSEEN_WORD, mask_unseen

_WORD_RE = re.compile(r"\w+")


class VocabularyMasking:
    """Mixin of the vocabulary options; the estimator sets them in ``__init__``."""

    min_word_df: int = 0
    unseen_words: tuple[str, ...] = ()
    rare_words: str = "unseen"
    fold_article: bool = False
    word_stems: tuple[str, ...] = ()
    vocabulary_: list[str]
    _vocabulary_set: frozenset[str] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(cast("dict[str, Any]", super().__getstate__()))
        state.pop("_vocabulary_set", None)  # a cache, rebuilt from vocabulary_
        return state

    def _vocabulary(self) -> frozenset[str] | None:
        words = getattr(self, "vocabulary_", None)
        if not words:
            return None
        cached = getattr(self, "_vocabulary_set", None)
        if cached is None:
            cached = frozenset(words)
            if self.rare_words != "drop_always":
                cached |= {UNSEEN_WORD}
            self._vocabulary_set = cached
        return cached

    def stem_words(self, normalised: list[str], langs: Sequence[str]) -> list[str]:
        """Normalised texts with the words of the ``word_stems`` languages read as their stems
        (unchanged for a model that stems none)."""
        return stem_texts(normalised, langs, self.word_stems) if self.word_stems else normalised

    def read_words(self, normalised: list[str], langs: Sequence[str]) -> list[str]:
        """The words a fitted model reads of normalised texts in prediction: stemmed
        (:meth:`stem_words`), then masked (:meth:`mask_unseen`)."""
        return self.mask_unseen(self.stem_words(normalised, langs))

    def mask_unseen(self, normalised: list[str], *, training: bool = False) -> list[str]:
        """Normalised texts with every word outside the vocabulary replaced by the placeholder
        (unchanged when the model keeps every word); ``training``: by what ``rare_words``
        says."""
        vocabulary = self._vocabulary()
        if vocabulary is None:
            return normalised
        replacement = UNSEEN_WORD
        if self.rare_words == "drop_always":
            replacement = ""
        elif training and self.rare_words != "unseen":
            replacement = RARE_WORD if self.rare_words == "token" else ""
        return mask_unseen(normalised, vocabulary, replacement=replacement,
                           fold_article=bool(self.fold_article))  # fmt: skip

    def dropped_share(self, normalised: list[str], langs: Sequence[str]) -> np.ndarray:
        r"""Share (0-1) of each normalised text's ``\w+`` words that are outside the vocabulary
        (after :meth:`stem_words`), i.e. that :meth:`mask_unseen` replaces or drops: 0 where the
        model keeps every word, NaN for a text with no word. Near 1 the model reads almost
        nothing of the text."""
        normalised = self.stem_words(normalised, langs)
        vocabulary = self._vocabulary()
        shares = np.full(len(normalised), np.nan)
        for i, text in enumerate(normalised):
            words = _WORD_RE.findall(text)
            if words:
                outside = 0 if vocabulary is None else sum(w not in vocabulary for w in words)
                shares[i] = outside / len(words)
        return shares
