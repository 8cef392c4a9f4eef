"""Which kind of bias audit a task gets, declared by the task rather than guessed by the CLI.

A task of the model registry (hostility, immigration_attitude, a team's supervised sentiment,
...) is audited by :func:`barometer.audit.model_audit.audit_model` on its config's held-out
test split. The rule-based scorers declared in :data:`RULE_BASED_SCORERS` (the sentiment
lexicon, the rumour matcher) have no test split; they are audited with
:func:`barometer.audit.scorer_audit.run_audit` on the counterfactual sentences and dialect
data, flagging a text by the rule that their own entry declares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from barometer.exceptions import InputError


@dataclass(frozen=True)
class AuditableScorer:
    """A fitted rule-based scorer, its version string and the rule that flags a text:
    ``flag(scores)`` takes the scorer's scores and returns a boolean array."""

    scorer: Any
    model_version: str
    flag: Callable[[np.ndarray], Any]


def _sentiment() -> AuditableScorer:
    from barometer.nlp.lexicons import MODEL_VERSION, LexiconSentimentScorer

    scorer = LexiconSentimentScorer().fit()
    band = scorer.neutral_bands_["en"]
    return AuditableScorer(scorer, MODEL_VERSION, lambda scores: scores <= -band)


def _rumour() -> AuditableScorer:
    from barometer.nlp.rumours import MODEL_VERSION, RumourMatcher

    matcher = RumourMatcher().fit()
    threshold = matcher.threshold_
    return AuditableScorer(matcher, MODEL_VERSION, lambda scores: scores >= threshold)


#: Rule-based tasks that can be audited without a trained model, and how to build each.
RULE_BASED_SCORERS: dict[str, Callable[[], AuditableScorer]] = {
    "sentiment": _sentiment,
    "rumour": _rumour,
}


def audit_kind(
    task: str, version: str | None = None, models_dir: str | Path | None = None
) -> Literal["model", "rule_based"]:
    """``"model"`` when ``task`` has a trained version to audit (``version`` named, or one
    active, or the task has no rule-based scorer), else ``"rule_based"``.

    A task that is both (sentiment: the lexicon, or a supervised model trained on a team's
    labels) is audited as a model only when a trained version is named or active.

    >>> audit_kind("rumour")
    'rule_based'
    """
    from barometer.registry import active_versions, version_manifests

    trained = bool(version_manifests(task, models_dir))
    if task not in RULE_BASED_SCORERS:
        if not trained:
            raise InputError(
                f"no auditable scorer for task {task!r}: expected one of "
                f"{sorted(RULE_BASED_SCORERS)} or a task of the model registry "
                f"{sorted(active_versions(models_dir))}"
            )
        return "model"
    named_or_active = version is not None or task in active_versions(models_dir)
    return "model" if trained and named_or_active else "rule_based"


def rule_based_scorer(task: str) -> AuditableScorer:
    """The fitted rule-based scorer of ``task`` with its flag rule."""
    if task not in RULE_BASED_SCORERS:
        raise InputError(
            f"task {task!r} has no rule-based scorer; expected one of {sorted(RULE_BASED_SCORERS)}"
        )
    return RULE_BASED_SCORERS[task]()
