"""Audits of the text scorers: bias, dialect, functional tests and validity per language.

Modules, lowest first (each imports only those above it, and :mod:`barometer.nlp` and
:mod:`barometer.training`; never the pipeline or the app):

- :mod:`.scorers`: how a score is read from any scorer; the two-class view of a model;
- :mod:`.parity`: error-rate parity and flag-rate ratios with bootstrap intervals;
- :mod:`.counterfactual`: counterfactual group-term swaps on the audit's own group list;
- :mod:`.dialect`: the TwitterAAE dialect model and the dialect flag-rate audit;
- :mod:`.report`: thresholds, verdict and the card's audit section;
- :mod:`.functional`: the hand-written functional test suite (HateCheck-style);
- :mod:`.scorer_audit`: the audit of a rule-based scorer (sentiment, rumours);
- :mod:`.tasks`: which kind of audit each task gets (a registry model or a rule-based scorer);
- :mod:`.model_audit`: the audit of a registered model, which gates its activation;
- :mod:`.validity`: the model x language validity table (``model_validity``).
"""

from barometer.audit.counterfactual import (
    audit_groups,
    audit_sentences,
    counterfactual_audit,
    counterfactual_sentences,
    load_templates,
)
from barometer.audit.dialect import dialect_audit, load_davidson_dialects
from barometer.audit.model_audit import audit_card_section, audit_model, audit_record
from barometer.audit.parity import (
    error_rates,
    flag_rate_ratio,
    parity_disparities,
    rate_ratios,
    wilson_interval,
)
from barometer.audit.report import (
    AuditResults,
    AuditThresholds,
    audit_markdown,
    audit_passes,
    load_audit_thresholds,
)
from barometer.audit.scorer_audit import run_audit
from barometer.audit.scorers import FlagView, flag_view, score_texts
from barometer.audit.validity import model_validity_table, validate_model

__all__ = [
    "AuditResults",
    "AuditThresholds",
    "FlagView",
    "audit_card_section",
    "audit_groups",
    "audit_markdown",
    "audit_model",
    "audit_passes",
    "audit_record",
    "audit_sentences",
    "counterfactual_audit",
    "counterfactual_sentences",
    "dialect_audit",
    "error_rates",
    "flag_rate_ratio",
    "flag_view",
    "load_audit_thresholds",
    "load_davidson_dialects",
    "load_templates",
    "model_validity_table",
    "parity_disparities",
    "rate_ratios",
    "run_audit",
    "score_texts",
    "validate_model",
    "wilson_interval",
]
