"""How an audit reads a score from a scorer, and the two-class view of a trained model.

:func:`score_texts` reads one score per text from any scorer with ``predict_proba`` or
``decision_function`` (the lexicon sentiment scorer, the rumour matcher, a registry model, a
researcher's own pipeline). :class:`FlagView` turns a multi-class model into "flagged or not",
the way a task's config defines it (:func:`flag_view`).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from barometer.exceptions import InputError
from barometer.training.config import TrainingConfig


def score_texts(
    scorer: Any,
    texts: Any,
    langs: Any,
    *,
    positive_label: str | None = None,
) -> np.ndarray:
    """Return one score per text from any scorer.

    ``predict_proba`` is preferred: the column of ``positive_label`` in ``scorer.classes_``,
    or the second column of a binary model. Otherwise ``decision_function`` (1-d). The texts
    are passed as a list of str, with ``langs=`` when the method accepts that argument.
    """
    method = getattr(scorer, "predict_proba", None) or getattr(scorer, "decision_function", None)
    if method is None:
        raise InputError(
            f"cannot audit {type(scorer).__name__}: expected a scorer with predict_proba or "
            "decision_function"
        )
    kwargs = {"langs": list(langs)} if "langs" in inspect.signature(method).parameters else {}
    out = np.asarray(method(list(texts), **kwargs), dtype=float)
    if out.ndim == 2:
        classes = list(getattr(scorer, "classes_", []))
        if positive_label is not None:
            if positive_label not in classes:
                raise InputError(f"positive_label {positive_label!r} not in classes {classes}")
            out = out[:, classes.index(positive_label)]
        elif out.shape[1] == 2:
            out = out[:, 1]
        else:
            raise InputError(
                f"the scorer has {out.shape[1]} classes {classes}: pass positive_label"
            )
    return out


class FlagView:
    """A two-class view of a multi-class model: the probability that a text is *flagged*.

    Flagged means "any class but ``negative``" (hostility: hateful or offensive) or, without
    ``negative``, "class ``positive``" (immigration_attitude: negative). :meth:`flag` applies the
    model's own decision rule (most probable class), as scoring does.
    """

    classes_ = np.array(["not_flagged", "flagged"], dtype=object)

    def __init__(self, model: Any, *, negative: str = "", positive: str = "") -> None:
        classes = [str(c) for c in model.classes_]
        if (negative or positive) not in classes:
            raise InputError(
                f"flag class {negative or positive!r} is not a class of the model {classes}; "
                "check task.negative_label / task.report_classes in its config"
            )
        self.model, self.negative, self.positive = model, negative, positive
        self.column = classes.index(negative or positive)

    def predict_proba(self, texts: Any, langs: Any = None) -> np.ndarray:
        """``[1 - p, p]`` per text, ``p`` the probability of being flagged."""
        p = self.model.predict_proba(texts, langs)[:, self.column]
        p = 1.0 - p if self.negative else p
        return np.column_stack([1.0 - p, p])

    def is_flag(self, labels: Any) -> np.ndarray:
        """Whether each label counts as flagged."""
        labels = np.asarray(labels, dtype=object).astype(str)
        return labels != self.negative if self.negative else labels == self.positive

    def flag(self, texts: Any, langs: Any = None) -> np.ndarray:
        """Whether the model flags each text (its most probable class)."""
        return self.is_flag(self.model.predict(texts, langs))


def flag_view(model: Any, config: TrainingConfig) -> FlagView:
    """The :class:`FlagView` of a registry model: flagged is any class but
    ``task.negative_label``, or without one the first of ``task.report_classes``."""
    negative = config.task.negative_label
    positive = "" if negative else (config.task.report_classes or [""])[0]
    return FlagView(model, negative=negative, positive=positive)
