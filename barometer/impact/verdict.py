"""One verdict per action x outcome, with the methods weighted by their calibration.

A method *qualifies* for an outcome when, on the simulated municipalities of the shipped
calibration study (:func:`~barometer.impact.calibration.shipped_calibration`), its nominal 95%
interval covered the planted effect in at least :data:`MIN_COVERAGE` of the cities, excluded
zero in at most :data:`MAX_FALSE_POSITIVE` of the placebo cities, and its mean error was at
most :data:`MAX_RELATIVE_BIAS` of the planted effect (a wide interval around a biased estimate
covers without telling the size: the synthetic control of a neighbourhood at the edge of the
donors' range does that). Only qualified
methods vote; the *lead* method is the qualified one with the highest power (then the smallest
RMSE). The verdict:

- ``methods_disagree``: two qualified methods have intervals wholly on opposite sides of 0;
- ``effect_up`` / ``effect_down``: the lead's interval lies wholly above / below 0;
- ``no_clear_effect``: otherwise.

``reason_code`` says why, as a machine code the app turns into words: ``lead_excludes_zero``,
``lead_includes_zero``, ``opposite_signs``, ``no_method_qualified`` (no method passed the
calibration for this outcome: the lead is the collapsed DiD, the verdict is at most
``no_clear_effect``), ``not_calibrated`` (the outcome is not in the study; same fallback).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

MIN_COVERAGE = 0.90
MAX_FALSE_POSITIVE = 0.07
MAX_RELATIVE_BIAS = 0.25
FALLBACK_LEAD = "did_collapsed"
VERDICT_COLUMNS = [
    "action_id", "outcome", "verdict", "lead_method", "estimate", "lower", "upper",
    "agreeing_methods", "disagreeing_methods", "reason_code", "minimum_detectable_effect",
]  # fmt: skip


def qualified_methods(calibration: pd.DataFrame, outcome: str) -> list[str]:
    """Methods that pass the calibration for ``outcome``, best first (power, then RMSE)."""
    rows = calibration[calibration["outcome"] == outcome]
    ok = rows[
        (rows["coverage"] >= MIN_COVERAGE)
        & (rows["placebo_false_positive_rate"] <= MAX_FALSE_POSITIVE)
        & (rows["bias"].abs() <= MAX_RELATIVE_BIAS * rows["planted_effect"].abs())
    ]
    ranked = ok.sort_values(["power", "rmse"], ascending=[False, True])
    return ranked["method"].tolist()


def _side(lower: float, upper: float) -> int:
    if lower > 0:
        return 1
    if upper < 0:
        return -1
    return 0


def decide(
    estimates: Sequence[dict[str, Any]],
    calibration: pd.DataFrame,
    outcome: str,
) -> dict[str, Any]:
    """The verdict for one outcome from ``estimates`` (dicts with ``method, estimate, lower,
    upper``; method names as in :data:`~barometer.impact.calibration.METHODS`)."""
    by_name = {
        e["method"]: e
        for e in estimates
        if e.get("estimate") is not None
        and e.get("lower") is not None
        and e.get("upper") is not None
    }
    calibrated = outcome in set(calibration["outcome"])
    voters = [m for m in qualified_methods(calibration, outcome) if m in by_name]
    if voters:
        lead = voters[0]
    else:
        lead = FALLBACK_LEAD if FALLBACK_LEAD in by_name else next(iter(by_name), "")
    if not lead:
        return {"verdict": "no_clear_effect", "lead_method": "", "estimate": None,
                "lower": None, "upper": None, "agreeing_methods": "[]",
                "disagreeing_methods": "[]", "reason_code": "no_estimate"}  # fmt: skip
    head = by_name[lead]
    lead_side = _side(head["lower"], head["upper"])
    sides = {m: _side(by_name[m]["lower"], by_name[m]["upper"]) for m in voters}
    agree = [m for m in voters if sides[m] == lead_side]
    disagree = [m for m in voters if sides[m] != lead_side]
    if not calibrated or not voters:
        verdict = "no_clear_effect"
        reason = "not_calibrated" if not calibrated else "no_method_qualified"
        agree, disagree = [lead], []
    elif {1, -1} <= set(sides.values()):
        verdict, reason = "methods_disagree", "opposite_signs"
    elif lead_side > 0:
        verdict, reason = "effect_up", "lead_excludes_zero"
    elif lead_side < 0:
        verdict, reason = "effect_down", "lead_excludes_zero"
    else:
        verdict, reason = "no_clear_effect", "lead_includes_zero"
    return {
        "verdict": verdict,
        "lead_method": lead,
        "estimate": float(head["estimate"]),
        "lower": float(head["lower"]),
        "upper": float(head["upper"]),
        "agreeing_methods": json.dumps(agree),
        "disagreeing_methods": json.dumps(disagree),
        "reason_code": reason,
    }
