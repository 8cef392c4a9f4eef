"""The linear models a :class:`~barometer.nlp.classifiers.TextClassifier` can wrap, and the rule
that a model which did not converge fails loudly."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from barometer.nlp.nbsvm import NBSVMClassifier

LinearModel: TypeAlias = LinearSVC | LogisticRegression | NBSVMClassifier


def linear_model(
    kind: str,
    *,
    C: float,
    class_weight: str | dict[object, float] | None,
    max_iter: int,
    random_state: int,
) -> LinearModel:
    """The unfitted linear model of ``kind`` (``svm``: ``LinearSVC``; ``logistic``:
    ``LogisticRegression``; ``nbsvm``: :class:`~barometer.nlp.nbsvm.NBSVMClassifier`) with the
    inverse regularisation strength ``C``."""
    if kind == "svm":
        return LinearSVC(C=C, class_weight=class_weight, max_iter=max_iter,
                         random_state=random_state)  # fmt: skip
    if kind == "logistic":
        return LogisticRegression(C=C, class_weight=class_weight, max_iter=max_iter)
    if kind == "nbsvm":
        return NBSVMClassifier(C=C, class_weight=class_weight, max_iter=max_iter,
                               random_state=random_state)  # fmt: skip
    raise ValueError(f"classifier must be 'svm', 'logistic' or 'nbsvm', got {kind!r}")


@contextmanager
def strict_convergence() -> Iterator[None]:
    """Turn scikit-learn's ``ConvergenceWarning`` into an error: a model that did not converge
    must fail loudly (raise ``max_iter`` or lower ``C``), also outside pytest."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        yield
