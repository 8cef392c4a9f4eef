"""Supervised text classifiers on raw post text, as scikit-learn estimators.

:class:`TextClassifier` turns texts into one sparse matrix and fits a linear model on it:

1. HTML entities unescaped (``&amp;``, ``&#128514;`` in scraped tweets), then
   :func:`~barometer.nlp.text.normalise_texts` (regex-only social-media normalisation; no spaCy
   ``Doc`` is built, so the hot path stays fast);
2. word n-grams (``token_pattern`` keeps ``<url>``, ``<user>``, words, emoji and punctuation)
   and ``char_wb``-style n-grams, both hashed (no vocabulary to store: word n-grams by
   :class:`~sklearn.feature_extraction.text.HashingVectorizer`, character n-grams by the
   vectorised :func:`~barometer.nlp.hashing.hash_char_ngrams`) and re-weighted by a fitted
   :class:`TfidfTransformer`;
3. a one-hot block of the post language (languages seen in training; others get none), so one
   multilingual model can learn a base rate per language;
4. ``LinearSVC``, ``LogisticRegression`` or the NB-SVM of
   :class:`~barometer.nlp.nbsvm.NBSVMClassifier`, wrapped in :class:`CalibratedClassifierCV`
   (stratified folds, one final model fitted on all rows, ``ensemble=False``) so that
   :meth:`TextClassifier.predict_proba` returns calibrated probabilities (then the version's
   ``min_read_words`` rule, :mod:`barometer.nlp.read_rule`), in batches of ``batch_size``.

Steps 1-3 (and the counts that models of one hashing key share) are the mixin
:class:`~barometer.nlp.text_classifier_features.TextFeatures`.

Examples
--------
>>> clf = TextClassifier(cv=2, n_features=2**12, random_state=0)
>>> texts = ["you are an idiot", "what a lovely day", "idiot idiot", "lovely people"] * 5
>>> clf.fit(texts, ["hostile", "ok", "hostile", "ok"] * 5).predict(["such an idiot"])
array(['hostile'], dtype=object)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import unescape
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from barometer.nlp.inputs import TextInput, require_post_columns, texts_and_codes
from barometer.nlp.linear_models import LinearModel, linear_model, strict_convergence
from barometer.nlp.stems import check_languages
from barometer.nlp.text import normalise_texts
from barometer.nlp.text_classifier_features import TextFeatures
from barometer.schema import POST_SCORES


class TextClassifier(TextFeatures, TextInput, ClassifierMixin, BaseEstimator):
    r"""Calibrated linear text classifier over hashed word and character n-grams.

    Parameters
    ----------
    task : str, default "text"
        Task name written to ``post_scores`` by :meth:`score_posts`.
    model_version : str, default "unversioned"
        Version written to ``post_scores``; the registry sets it when saving.
    word_ngram_range : tuple of int, default (1, 2)
        Word n-gram lengths; ``(0, 0)`` switches word features off.
    char_ngram_range : tuple of int, default (2, 5)
        ``char_wb`` n-gram lengths; ``(0, 0)`` switches character features off.
    n_features : int, default 2**18
        Hash buckets of each of the word and character blocks.
    sublinear_tf : bool, default True
        Use ``1 + log(tf)`` term frequencies.
    lang_feature : bool, default True
        Add a one-hot block of the post language.
    min_word_df, unseen_words, rare_words, fold_article, word_stems
        The vocabulary options of :class:`~barometer.nlp.vocabulary.VocabularyMasking` (its
        docstring says what each does): with ``min_word_df > 0`` the words of fewer training
        texts (and ``unseen_words``) are masked or dropped, so unseen words such as group names
        the model never saw all give the same features, or none; ``word_stems`` languages are
        read as Snowball stems (:mod:`barometer.nlp.stems`). Defaults keep every word as is.
    min_read_words : int, default 0
        Decision rule (0: none): a text read on fewer words scores at most the prior.
    unread_dilution : {"none", "sqrt_share", "sqrt_word_share"}, default "none"
        Needs ``rare_words="drop_always"``: each text's word and character rows scaled by the
        share of it the model reads, a run of dropped words counted once (``"sqrt_share"``)
        or every dropped word (``"sqrt_word_share"``; :mod:`barometer.nlp.unread_dilution`).
    classifier : {"svm", "logistic", "nbsvm"}, default "svm"
        ``LinearSVC``, ``LogisticRegression`` (L2, lbfgs) or
        :class:`~barometer.nlp.nbsvm.NBSVMClassifier` (one-vs-rest ``LinearSVC`` over features
        scaled by naive-Bayes log-count ratios).
    C : float, default 0.5
        Inverse regularisation strength.
    class_weight : {"balanced"} or None, default None
        Passed to the linear model.
    max_iter : int, default 2000
        Iterations of the linear model; a run that does not converge raises a
        ``ConvergenceWarning`` (never silenced).
    calibration : {"sigmoid", "isotonic"}, default "sigmoid"
        Method of :class:`CalibratedClassifierCV`.
    cv : int, default 5
        Stratified folds of the calibration.
    class_values : dict of str to float, optional
        A number per class (e.g. ``{"1": 1.0, ..., "5": 5.0}``) for :meth:`predict_value`.
    value_center, value_scale : float, optional
        :meth:`predict_value` returns ``center + scale * (expected - center)``; the training
        function fits both on the dev split so that predictions keep the spread of the gold
        scores (which maximises Krippendorff's alpha). None / 1.0: the plain expected value.
    languages : tuple of str, optional
        Languages that :meth:`score_posts` scores; None scores every post.
    batch_size : int, default 20000
        Texts per sparse batch in prediction.
    random_state : int, default 0
        Seed of the calibration folds.

    Attributes
    ----------
    classes_ : ndarray of str
        The class labels, sorted.
    langs_ : ndarray of str
        Languages of the one-hot block (seen in training).
    vocabulary_ : list of str
        The kept words (``min_word_df > 0``; empty otherwise).
    tfidf_ : dict of str to TfidfTransformer
        Fitted inverse document frequencies of the ``"word"`` and ``"char"`` blocks.
    calibrated_ : CalibratedClassifierCV
        The fitted calibrated model.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "task": [str],
        "model_version": [str],
        "word_ngram_range": [tuple],
        "char_ngram_range": [tuple],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "sublinear_tf": ["boolean"],
        "lang_feature": ["boolean"],
        "min_word_df": [Interval(Integral, 0, None, closed="left")],
        "unseen_words": [tuple],
        "rare_words": [StrOptions({"unseen", "token", "drop", "drop_always"})],
        "fold_article": ["boolean"],
        "word_stems": [tuple],
        "min_read_words": [Interval(Integral, 0, None, closed="left")],
        "unread_dilution": [StrOptions({"none", "sqrt_share", "sqrt_word_share"})],
        "classifier": [StrOptions({"svm", "logistic", "nbsvm"})],
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "calibration": [StrOptions({"sigmoid", "isotonic"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "class_values": [dict, None],
        "value_center": [Real, None],
        "value_scale": [Real],
        "languages": [tuple, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        task: str = "text",
        model_version: str = "unversioned",
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        n_features: int = 2**18,
        sublinear_tf: bool = True,
        lang_feature: bool = True,
        min_word_df: int = 0,
        unseen_words: tuple[str, ...] = (),
        rare_words: str = "unseen",
        fold_article: bool = False,
        word_stems: tuple[str, ...] = (),
        min_read_words: int = 0,
        unread_dilution: str = "none",
        classifier: str = "svm",
        C: float = 0.5,
        class_weight: str | None = None,
        max_iter: int = 2000,
        calibration: str = "sigmoid",
        cv: int = 5,
        class_values: dict[str, float] | None = None,
        value_center: float | None = None,
        value_scale: float = 1.0,
        languages: tuple[str, ...] | None = None,
        batch_size: int = 20_000,
        random_state: int = 0,
    ) -> None:
        self.task = task
        self.model_version = model_version
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.n_features = n_features
        self.sublinear_tf = sublinear_tf
        self.lang_feature = lang_feature
        self.min_word_df = min_word_df
        self.unseen_words = unseen_words
        self.rare_words = rare_words
        self.fold_article = fold_article
        self.word_stems = word_stems
        self.min_read_words = min_read_words
        self.unread_dilution = unread_dilution
        self.classifier = classifier
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.calibration = calibration
        self.cv = cv
        self.class_values = class_values
        self.value_center = value_center
        self.value_scale = value_scale
        self.languages = languages
        self.batch_size = batch_size
        self.random_state = random_state

    # -- estimator API --------------------------------------------------------------------
    def build_linear_model(self) -> LinearModel:
        """The unfitted linear model that ``classifier``, ``C`` and ``class_weight`` describe."""
        return linear_model(self.classifier, C=self.C, class_weight=self.class_weight,
                            max_iter=self.max_iter, random_state=self.random_state)  # fmt: skip

    def fit(
        self,
        X: Any,
        y: Any,
        langs: Sequence[str | None] | None = None,
        sample_weight: Any = None,
    ) -> TextClassifier:
        """Fit the feature weights, the linear model and its calibration on texts ``X``.

        Parameters
        ----------
        X : sequence of str or DataFrame
            Raw texts, or a frame with ``text`` (and ``lang``) columns.
        y : sequence of str
            One label per text.
        langs : sequence of str, optional
            ISO 639-1 code per text; overrides a ``lang`` column; "und" when absent.
        sample_weight : sequence of float, optional
            Weight of each text in the linear model and in its calibration (e.g.
            :func:`barometer.training.balance.prior_weights`, which gives every language the same
            class shares so that no feature can learn a language's base rate).

        Returns
        -------
        TextClassifier
            ``self``, fitted.
        """
        self._validate_params()
        check_languages(self.word_stems)
        self.check_dilution()
        texts, codes = texts_and_codes(X, langs)
        labels = np.asarray([str(v) for v in y], dtype=object)
        if len(labels) != len(texts):
            raise ValueError(f"expected one label per text ({len(texts)}), got {len(labels)}")
        self.langs_ = np.array(sorted(set(codes)), dtype=object)
        features = self._features(texts, codes, fit=True)
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        self.calibrated_ = CalibratedClassifierCV(
            self.build_linear_model(), method=self.calibration, cv=folds, ensemble=False
        )
        weights = None
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=np.float64)
            if weights.shape != labels.shape:
                raise ValueError(
                    f"expected one weight per text ({len(labels)}), got {weights.shape}"
                )
        with strict_convergence():
            self.calibrated_.fit(features, labels, sample_weight=weights)
        self.classes_ = self.calibrated_.classes_
        return self

    def _batches(self, X: Any, langs: Any) -> Iterator[tuple[Any, list[str], np.ndarray]]:
        """``(features, language codes, barely_read)`` of each batch of ``batch_size`` texts."""
        check_is_fitted(self, "calibrated_")
        texts, codes = texts_and_codes(X, langs)
        step = max(int(self.batch_size), 1)
        for start in range(0, len(texts), step):
            part = codes[start : start + step]
            features, short = self._read_features(texts[start : start + step], part)
            yield features, part, short

    def predict_proba(self, X: Any, langs: Sequence[str | None] | None = None) -> np.ndarray:
        """Calibrated class probabilities, ``(n_texts, n_classes)``, after ``min_read_words``."""
        parts = [self._read_rule(self.calibrated_.predict_proba(f), short, codes)
                 for f, codes, short in self._batches(X, langs)]  # fmt: skip
        if not parts:
            return np.empty((0, len(self.classes_)))
        return np.vstack(parts)

    def predict(self, X: Any, langs: Sequence[str | None] | None = None) -> np.ndarray:
        """Return the most probable class of each text."""
        proba = self.predict_proba(X, langs)
        return np.asarray(self.classes_[np.argmax(proba, axis=1)], dtype=object)

    def predict_value(self, X: Any, langs: Sequence[str | None] | None = None) -> np.ndarray:
        """Return the expected class value ``sum_k p_k * class_values[k]`` of each text.

        Raises
        ------
        ValueError
            If the classifier was built without ``class_values``.
        """
        if not self.class_values:
            raise ValueError(
                "predict_value needs class_values (a number per class), e.g. "
                "TextClassifier(class_values={'1': 1.0, '2': 2.0})"
            )
        values = np.array([float(self.class_values[str(c)]) for c in self.classes_])
        expected = self.predict_proba(X, langs) @ values
        if self.value_center is None:
            return expected
        return self.value_center + self.value_scale * (expected - self.value_center)

    def dropped_word_share(self, X: Any, langs: Sequence[str | None] | None = None) -> np.ndarray:
        """Share (0-1) of each text's words outside the vocabulary after normalisation
        (:meth:`dropped_share`; 0 for a model without one, NaN for a text with no word)."""
        texts, codes = texts_and_codes(X, langs)
        normalised = normalise_texts([unescape(t) if "&" in t else t for t in texts], codes)
        return self.dropped_share(normalised, codes)

    def featurise(self, X: Any, langs: Sequence[str | None] | None = None) -> sp.csr_matrix:
        """Return the sparse feature matrix of texts (fitted weights; for cross-validation)."""
        return sp.vstack([f for f, _, _ in self._batches(X, langs)], format="csr")

    def score_posts(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Return ``post_scores`` rows: the most probable label of each post and its probability.

        ``posts`` needs ``post_id``, ``text`` and ``lang``. Only posts in ``languages`` are
        scored when it is set; the others get no row.
        """
        require_post_columns(posts)
        if self.languages is not None:
            posts = posts[posts["lang"].isin(list(self.languages))]
        proba = self.predict_proba(posts[["text", "lang"]])
        best = np.argmax(proba, axis=1) if len(proba) else np.empty(0, dtype=int)
        return pd.DataFrame(
            {
                "post_id": posts["post_id"].astype(str).to_numpy(),
                "task": self.task,
                "model_version": self.model_version,
                "label": np.asarray(self.classes_, dtype=object)[best].astype(str),
                "probability": proba[np.arange(len(best)), best].astype(float),
            },
            columns=POST_SCORES.columns,
        )
