"""The bias audit of any scorer that is not a registry model (CLI ``barometer audit TASK``).

:func:`run_audit` runs every part the inputs allow: counterfactual swaps
(:mod:`barometer.audit.counterfactual`), error-rate parity on a file of predictions
(:mod:`barometer.audit.parity`) and the TwitterAAE dialect audit (:mod:`barometer.audit.dialect`).
Registry models are audited by :func:`barometer.audit.model_audit.audit_model` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.audit.counterfactual import audit_sentences, counterfactual_audit
from barometer.audit.dialect import DAVIDSON_FILE, dialect_audit, load_davidson_dialects
from barometer.audit.parity import error_rates
from barometer.audit.report import AuditResults
from barometer.audit.scorers import score_texts


def run_audit(
    scorer: Any,
    *,
    task: str,
    model_version: str,
    shared_data: str | Path | None = None,
    flag: Any = None,
    positive_label: str | None = None,
    predictions: pd.DataFrame | None = None,
    parity_by: Sequence[str] = ("lang", "target_group"),
    dialect_threshold: float | None = 0.8,
    n_boot: int = 1000,
    seed: int = 0,
) -> AuditResults:
    """Run every audit part that the inputs allow and collect the results.

    Counterfactual swaps always run (Swedish nationalities are added when ``shared_data`` has
    them). The dialect audit runs when ``shared_data`` has Davidson + TwitterAAE and ``flag``
    (scores -> bool array) is given. Error-rate parity runs on ``predictions`` (columns
    ``y_true``, ``y_pred`` and any of ``parity_by``).
    """
    results = AuditResults(task=task, model_version=model_version)
    sentences = audit_sentences(shared_data, (), results.notes)
    results.counterfactual = counterfactual_audit(scorer, sentences, positive_label=positive_label)
    if predictions is not None:
        by = [c for c in parity_by if c in predictions.columns]
        results.error_rates = error_rates(
            predictions, y_true="y_true", y_pred="y_pred", by=by, n_boot=n_boot, seed=seed
        )
    if (
        flag is not None
        and shared_data is not None
        and (Path(shared_data) / DAVIDSON_FILE).is_file()
    ):
        tweets = load_davidson_dialects(shared_data)
        scores = score_texts(scorer, tweets["text"], ["en"] * len(tweets),
                             positive_label=positive_label)  # fmt: skip
        results.dialect = dialect_audit(
            flag(scores), tweets, threshold=dialect_threshold, n_boot=n_boot, seed=seed
        )
    else:
        results.notes.append("dialect audit not run (needs shared data and a flag rule)")
    return results
