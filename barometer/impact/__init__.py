"""Impact evaluation of actions: did trust change where an intercultural action took place?

Estimators take a long panel ``unit, period, value`` built from the published indicators by
:func:`indicator_panel` and return tidy frames (one row per estimate) or plain dicts.
"""

from barometer.impact.aggregation import aggregate_att
from barometer.impact.did import event_study, twfe_did
from barometer.impact.its import poisson_its, segmented_regression
from barometer.impact.panel import indicator_panel, long_panel, validate_action, wide_panel
from barometer.impact.power import did_variance, minimum_detectable_effect, simulate_power
from barometer.impact.report import evaluate_action, write_report
from barometer.impact.staggered import GroupTimeATT, callaway_santanna
from barometer.impact.synth import placebo_inference, synthetic_control

__all__ = [
    "GroupTimeATT",
    "aggregate_att",
    "callaway_santanna",
    "did_variance",
    "evaluate_action",
    "event_study",
    "indicator_panel",
    "long_panel",
    "minimum_detectable_effect",
    "placebo_inference",
    "poisson_its",
    "segmented_regression",
    "simulate_power",
    "synthetic_control",
    "twfe_did",
    "validate_action",
    "wide_panel",
    "write_report",
]
