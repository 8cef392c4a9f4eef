"""The features of a :class:`~barometer.nlp.classifiers.TextClassifier`, as a mixin.

A text becomes one sparse row: HTML entities unescaped,
:func:`~barometer.nlp.text.normalise_texts`, the vocabulary options (stems, masked or dropped
words: :mod:`barometer.nlp.vocabulary`), hashed word and character n-gram counts
(:func:`~barometer.nlp.text_features.raw_counts`) re-weighted by the fitted TF-IDF of each
block, and the one-hot block of the post language. Models of one hashing key
(:meth:`TextFeatures.hashing_key`) can share the counts (:mod:`barometer.batch_scoring`), which
:meth:`TextFeatures.predict_proba_counts` scores.
Only functions live here: the persisted class stays :class:`TextClassifier` in its own module.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import unescape
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from barometer.nlp.read_rule import ReadRule
from barometer.nlp.stems import stem_word
from barometer.nlp.text import normalise_texts
from barometer.nlp.text_features import lang_block, learn_vocabulary, raw_counts
from barometer.nlp.unread_dilution import UnreadDilution
from barometer.nlp.vocabulary import VocabularyMasking


class TextFeatures(UnreadDilution, ReadRule, VocabularyMasking):
    """Mixin of the feature and hashing code; the estimator sets the parameters in ``__init__``."""

    if TYPE_CHECKING:
        word_ngram_range: tuple[int, int]
        char_ngram_range: tuple[int, int]
        n_features: int
        sublinear_tf: bool
        lang_feature: bool
        langs_: np.ndarray
        tfidf_: dict[str, TfidfTransformer]

    def _read_features(
        self, texts: list[str], langs: list[str], *, fit: bool = False
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """The feature rows of ``texts`` and which of them the ``min_read_words`` rule marks
        as barely read (:meth:`barely_read` of the texts as the model reads them); ``fit``
        learns the vocabulary and the TF-IDF weights first."""
        normalised = normalise_texts([unescape(t) if "&" in t else t for t in texts], langs)
        normalised = self.stem_words(normalised, langs)
        if fit:
            min_df = int(self.min_word_df)
            unseen = set(self.unseen_words) | {stem_word(w, s) for w in self.unseen_words
                                               for s in self.word_stems}  # fmt: skip
            learnt = learn_vocabulary(normalised, min_df) if min_df > 0 else []
            self.vocabulary_ = [w for w in learnt if w not in unseen]
            self._vocabulary_set = None
        factors = self.unread_factors(normalised)
        normalised = self.mask_unseen(normalised, training=fit)
        short = self.barely_read(normalised)
        counts = raw_counts(normalised, self.word_ngram_range, self.char_ngram_range,
                            self.n_features)  # fmt: skip
        if fit:
            self.tfidf_ = {
                name: TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(block)
                for name, block in counts
            }
        blocks = self.diluted([self.tfidf_[name].transform(b) for name, b in counts], factors)
        if self.lang_feature:
            blocks.append(lang_block(self.langs_, langs))
        return sp.hstack(blocks, format="csr", dtype=np.float32), short

    def _features(self, texts: list[str], langs: list[str], *, fit: bool = False) -> Any:
        """The feature rows of ``texts`` (:meth:`_read_features` without the read rule's rows)."""
        return self._read_features(texts, langs, fit=fit)[0]

    def hashing_key(self) -> tuple[object, ...]:
        """Hashing parameters: the first three are those of
        :class:`barometer.nlp.batch.HashedCounts`; a model with a vocabulary adds its words (and
        marks for ``fold_article`` and ``rare_words="drop_always"``), and a model that stems
        adds its ``word_stems``, as its counts are those of :meth:`read_words` texts."""
        key: tuple[object, ...] = (
            tuple(self.word_ngram_range) if min(self.word_ngram_range) > 0 else (0, 0),
            tuple(self.char_ngram_range) if min(self.char_ngram_range) > 0 else (0, 0),
            int(self.n_features),
        )
        if self.word_stems:
            key = (*key, ("stems", *self.word_stems))
        vocabulary = self._vocabulary()
        if vocabulary is None:
            return key
        marks = ("fold_article",) * bool(self.fold_article)
        marks += ("drop_unseen",) * (self.rare_words == "drop_always")
        return (*key, vocabulary, *marks)

    def predict_proba_counts(
        self,
        counts: dict[str, sp.csr_matrix],
        langs: Sequence[str],
        barely_read: Any = None,
        dilution: Any = None,
    ) -> np.ndarray:
        """:meth:`predict_proba` from shared raw counts (``HashedCounts.transform`` of the
        normalised, HTML-unescaped texts after :meth:`read_words`): only this model's TF-IDF
        and linear model run; ``barely_read`` (:meth:`barely_read` of those texts) is needed
        by a model with a ``min_read_words`` rule, ``dilution`` (:meth:`dilution_factors` of
        the texts before :meth:`read_words`) by a model with an ``unread_dilution``."""
        check_is_fitted(self, "calibrated_")
        names = [n for n in ("word", "char") if n in self.tfidf_]
        factors = self.require_factors(dilution, len(langs))
        blocks = self.diluted([self.tfidf_[name].transform(counts[name]) for name in names],
                              factors)  # fmt: skip
        if self.lang_feature:
            blocks.append(lang_block(self.langs_, list(langs)))
        features = sp.hstack(blocks, format="csr", dtype=np.float32)
        if features.shape[0] == 0:
            return np.empty((0, len(self.classes_)))
        return self._read_rule(self.calibrated_.predict_proba(features), barely_read, langs)
