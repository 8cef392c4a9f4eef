"""scikit-learn's estimator checks on the project's estimators.

NB-SVM takes a feature matrix, so it gets the whole suite of
:func:`sklearn.utils.estimator_checks.parametrize_with_checks`. The text scorers (the
calibrated text classifier, the lexicon sentiment scorer, the rumour, theme and trust matchers)
take raw texts: their tags say so (``input_tags.string``, no 2-d arrays), and scikit-learn then
generates no check that feeds them numbers. They get every check of the suite that needs no
numeric data, run by scikit-learn's own functions, and the same conventions checked on texts
here (fit returns self, fit leaves the parameters alone, a clone predicts the same).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks as sk
from sklearn.utils.estimator_checks import parametrize_with_checks

from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.lexicons import LexiconSentimentScorer
from barometer.nlp.nbsvm import NBSVMClassifier
from barometer.nlp.rumours import RumourMatcher
from barometer.nlp.themes import ThemeTagger
from barometer.nlp.trust import TrustExpressionMatcher

#: Checks NB-SVM fails by design, each with the reason (run as strict xfails: if one starts to
#: pass, the test fails and the entry must go).
NBSVM_EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "each binary SVM is LinearSVC's dual coordinate descent, for which scikit-learn itself "
        "marks this check as failing (weights are not exactly repeated rows)"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "each binary SVM is LinearSVC's dual coordinate descent, for which scikit-learn itself "
        "marks this check as failing (weights are not exactly repeated rows)"
    ),
    "check_class_weight_classifiers": (
        "the check's make_blobs data has negative features, although the positive_only tag "
        "says NB-SVM needs counts or TF-IDF weights; test_nbsvm_class_weight_dict_tilts_"
        "predictions checks class weights on non-negative blobs"
    ),
}


@parametrize_with_checks(
    [NBSVMClassifier()],
    expected_failed_checks=lambda estimator: NBSVM_EXPECTED_FAILURES,
    xfail_strict=True,
)
def test_nbsvm_passes_sklearn_checks(
    estimator: Any, check: Callable[[Any], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the array-API check runs with array-API dispatch on NumPy inputs; scikit-learn asks for
    # SCIPY_ARRAY_API to be set before it does
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


def test_nbsvm_class_weight_dict_tilts_predictions() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[4.0, 1.0], [1.0, 4.0], [2.5, 2.5]])
    y = np.repeat([0, 1, 2], 60)
    X = np.abs(centres[y] + rng.normal(0, 2.0, size=(180, 2)))
    plain = NBSVMClassifier().fit(X, y).predict(X)
    heavy = NBSVMClassifier(class_weight={0: 1000, 1: 1e-4, 2: 1e-4}).fit(X, y).predict(X)
    assert (heavy == 0).mean() > 0.87 > (plain == 0).mean()


TEXTS = ["you stupid idiot", "shut up moron", "lovely day today", "nice concert"] * 6
LANGS = ["en"] * len(TEXTS)
LABELS = ["hostile", "hostile", "ok", "ok"] * 6
TEXT_ESTIMATORS = [
    TextClassifier(cv=2, n_features=2**10),
    LexiconSentimentScorer(languages=("en",)),
    RumourMatcher(),
    ThemeTagger(),
    TrustExpressionMatcher(),
]
#: scikit-learn's checks that need no numeric data (API conventions of any estimator).
DATA_FREE_CHECKS = [
    sk.check_estimator_cloneable,
    sk.check_estimator_tags_renamed,
    sk.check_valid_tag_types,
    sk.check_estimator_repr,
    sk.check_no_attributes_set_in_init,
    sk.check_do_not_raise_errors_in_init_or_set_params,
    sk.check_mixin_order,
    sk.check_parameters_default_constructible,
    sk.check_get_params_invariance,
    sk.check_set_params,
]


def _name(estimator: Any) -> str:
    return type(estimator).__name__


@pytest.mark.parametrize("estimator", TEXT_ESTIMATORS, ids=_name)
@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda c: c.__name__)
def test_text_scorers_pass_sklearn_api_checks(estimator: Any, check: Callable[..., None]) -> None:
    check(_name(estimator), estimator)


@pytest.mark.parametrize("estimator", TEXT_ESTIMATORS, ids=_name)
def test_text_scorers_declare_text_input(estimator: Any) -> None:
    tags = estimator.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def _outputs(estimator: Any) -> np.ndarray:
    if isinstance(estimator, TextClassifier):
        return estimator.predict_proba(TEXTS, LANGS)
    if isinstance(estimator, LexiconSentimentScorer):
        return estimator.decision_function(TEXTS, LANGS)
    if isinstance(estimator, ThemeTagger):
        return estimator.predict_indicator(TEXTS, LANGS)
    if isinstance(estimator, TrustExpressionMatcher):
        return estimator.match(TEXTS, LANGS).to_numpy()
    return estimator.predict(TEXTS, LANGS)


@pytest.mark.parametrize("estimator", TEXT_ESTIMATORS, ids=_name)
def test_text_scorers_follow_fit_conventions_on_texts(estimator: Any) -> None:
    unfitted = clone(estimator)
    before = unfitted.get_params()
    fitted = unfitted.fit(TEXTS, LABELS)
    assert fitted is unfitted  # fit returns self
    assert unfitted.get_params() == before  # fit leaves the parameters alone
    assert [k for k in vars(unfitted) if k.endswith("_") and not k.startswith("_")]
    again = clone(estimator).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(_outputs(again), _outputs(fitted))  # a clone scores the same
