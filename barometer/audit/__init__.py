"""Audits of the text scorers: bias, dialect, functional tests and validity per language.

Counterfactual group-term swaps and error-rate parity (:mod:`.counterfactual`), the TwitterAAE
dialect audit (:mod:`.dialect`), thresholds and verdicts (:mod:`.report`), the audit of a
registered model that gates its activation (:mod:`.model_audit`), the hand-written functional
suite (:mod:`.functional`) and the model x language validity table (:mod:`.validity`). This
package may import :mod:`barometer.nlp` and :mod:`barometer.training`, never the other way round.
"""

from barometer.audit.counterfactual import (
    counterfactual_audit,
    counterfactual_sentences,
    error_rates,
    flag_rate_ratio,
    load_templates,
    run_audit,
    score_texts,
)
from barometer.audit.model_audit import FlagView, audit_model, audit_record
from barometer.audit.report import (
    AuditResults,
    AuditThresholds,
    audit_markdown,
    audit_passes,
    load_audit_thresholds,
)
from barometer.audit.validity import model_validity_table, validate_model

__all__ = [
    "AuditResults",
    "AuditThresholds",
    "FlagView",
    "audit_markdown",
    "audit_model",
    "audit_passes",
    "audit_record",
    "counterfactual_audit",
    "counterfactual_sentences",
    "error_rates",
    "flag_rate_ratio",
    "load_audit_thresholds",
    "load_templates",
    "model_validity_table",
    "run_audit",
    "score_texts",
    "validate_model",
]
