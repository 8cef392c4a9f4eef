"""NB-SVM (Wang & Manning 2012): log-count ratios, the folded linear model, calibration, skops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from barometer import registry
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.nbsvm import NBSVMClassifier, log_count_ratio


def test_log_count_ratio_known_answer() -> None:
    # class rows sum to p = [4, 1] + 1, others to q = [0, 3] + 1
    X = sp.csr_matrix(np.array([[3.0, 1.0], [1.0, 0.0], [0.0, 3.0]]))
    r = log_count_ratio(X, np.array([True, True, False]), alpha=1.0)
    p, q = np.array([5.0, 2.0]), np.array([1.0, 4.0])
    expected = np.log((p / 7.0) / (q / 5.0))
    np.testing.assert_allclose(r, expected)
    assert r[0] > 0 > r[1]  # the first feature marks the class, the second the others
    np.testing.assert_allclose(log_count_ratio(X.toarray(), np.array([1, 1, 0])), expected)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from([2, 3, 4]),
    st.floats(min_value=0.05, max_value=2.0),
)
def test_folded_coefficients_equal_an_svm_on_scaled_features(
    seed: int, n_classes: int, C: float
) -> None:
    """decision_function(X) = X @ (r * w) + b must equal the SVM fitted on X * r."""
    rng = np.random.default_rng(seed)
    X = sp.random(60, 12, density=0.4, random_state=rng, format="csr") * 3.0
    y = np.arange(60) % n_classes
    clf = NBSVMClassifier(C=C, max_iter=20_000).fit(X, y)
    targets = clf.classes_[1:] if n_classes == 2 else clf.classes_
    expected = []
    for target in targets:
        ratio = log_count_ratio(X, y == target)
        svm = LinearSVC(C=C, max_iter=20_000, random_state=0)
        scaled = X @ sp.diags(ratio)
        expected.append(svm.fit(scaled, y == target).decision_function(scaled))
    scores = clf.decision_function(X)
    np.testing.assert_allclose(scores.reshape(60, -1), np.column_stack(expected), atol=1e-8)
    assert scores.ndim == (1 if n_classes == 2 else 2)
    assert set(clf.predict(X)) <= set(clf.classes_)


def test_binary_and_multiclass_calibration_give_probabilities() -> None:
    rng = np.random.default_rng(0)
    dense = rng.poisson(0.5, size=(120, 8)).astype(float)
    dense[:40, 0] += 3.0  # class "a" uses feature 0, class "b" feature 1
    dense[40:80, 1] += 3.0
    X = sp.csr_matrix(dense)
    for labels in (np.repeat(["a", "b", "c"], 40), np.repeat(["a", "b"], 60)):
        calibrated = CalibratedClassifierCV(NBSVMClassifier(), cv=3, ensemble=False)
        proba = calibrated.fit(X, labels).predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert (calibrated.predict(X[:40]) == "a").mean() > 0.9


def test_bad_inputs_raise_plain_errors() -> None:
    with pytest.raises(ValueError, match="Negative values in data passed to NBSVMClassifier"):
        NBSVMClassifier().fit(np.array([[1.0, -1.0], [0.0, 1.0]]), ["a", "b"])
    with pytest.raises(ValueError, match="at least two classes"):
        NBSVMClassifier().fit(np.array([[1.0, 0.0], [0.0, 1.0]]), ["a", "a"])


def test_text_classifier_with_nbsvm_learns_and_survives_skops(tmp_path: Path) -> None:
    texts = ["you stupid idiot", "shut up moron", "lovely day today", "nice concert"] * 6
    labels = ["hostile", "hostile", "ok", "ok"] * 6
    model = TextClassifier(classifier="nbsvm", n_features=2**10, cv=2).fit(texts, labels)
    assert model.predict(["what an idiot", "a lovely concert"]).tolist() == ["hostile", "ok"]
    registry.save_model(
        model, "toy", "v1", metrics={"test": [], "headline": "toy"}, card="# toy\n",
        config_text="[task]\n", models_dir=tmp_path,
    )  # fmt: skip
    loaded = registry.load_model("toy", "v1", models_dir=tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(texts), model.predict_proba(texts))


def test_unknown_classifier_kind_names_the_choices() -> None:
    with pytest.raises(ValueError, match="'svm', 'logistic' or 'nbsvm'"):
        TextClassifier(classifier="forest").build_linear_model()
