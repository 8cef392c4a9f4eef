"""One verdict per action and outcome that reconciles the impact methods, in words.

Read from the published ``impact_verdict`` table when there is one; until then reconciled here
from ``impact_estimates``: one row per method family (difference-in-differences with its most
conservative inference: collapsed, else wild bootstrap, else cluster; interrupted time series'
level change; synthetic control; synthetic DiD; the structural time series; any other method
as published), slope changes left out. A
method finds a *clear* effect when its 95% interval excludes zero and its p-value (where
published) is below 0.10, the smallest placebo p-value synthetic control can reach with nine
comparison areas. The verdict is ``effect_up`` / ``effect_down`` when every method finds a
clear effect the same way, ``no_clear_effect`` when none does, else ``methods_disagree``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd
from i18n import pick, t
from units import Unit

CLEAR_P = 0.10
#: published reason codes of a ``no_clear_effect`` that says nothing about chance: the methods
#: were not (or not successfully) tested on simulated cities for this outcome
UNTESTED = ("not_calibrated", "no_method_qualified")
DID_PREFERENCE = ("collapsed", "wild bootstrap", "cluster")
FAMILIES = (  # (prefix of the published method name, lower case) -> family key
    ("twfe did", "did"), ("did", "did"), ("difference", "did"),
    ("interrupted", "its"), ("its", "its"),
    ("synthetic did", "sdid"), ("synthetic_did", "sdid"), ("sdid", "sdid"),
    ("structural", "sts"), ("sts", "sts"),
    ("synthetic", "synth"), ("synth", "synth"),
    ("callaway", "cs"), ("cs", "cs"), ("event", "event"),
)  # fmt: skip


def family(method: str) -> str:
    name = method.lower().strip()
    return next((key for prefix, key in FAMILIES if name.startswith(prefix)), "other")


def method_name(method: str) -> str:
    """A published method name in plain words (``TWFE DiD ...`` -> difference-in-differences)."""
    return t(f"method_{family(method)}")


@dataclass
class Verdict:
    verdict: str  # effect_up | effect_down | no_clear_effect | methods_disagree
    lead_method: str
    estimate: float
    lower: float
    upper: float
    agreeing: list[str] = field(default_factory=list)
    disagreeing: list[str] = field(default_factory=list)
    reason_code: str = ""
    minimum_detectable_effect: float = math.nan


def is_clear(row: pd.Series) -> bool:
    lower, upper, p = (float(row.get(k, math.nan)) for k in ("lower", "upper", "p_value"))
    excludes_zero = lower > 0 or upper < 0
    return bool(excludes_zero and (math.isnan(p) or p < CLEAR_P))


def one_per_method(estimates: pd.DataFrame) -> pd.DataFrame:
    """The row that speaks for each method family (see the module docstring)."""
    rows = estimates[~estimates["estimand"].fillna("").str.contains("slope")].copy()
    rows["family"] = rows["method"].map(family)
    rank = (
        rows["inference"]
        .fillna("")
        .str.lower()
        .map(lambda s: next((i for i, p in enumerate(DID_PREFERENCE) if s.startswith(p)), 9))
    )
    rows = rows.assign(_rank=rank).sort_values(["family", "_rank"])
    return rows.drop_duplicates("family").drop(columns="_rank").reset_index(drop=True)


def reconcile(estimates: pd.DataFrame) -> Verdict | None:
    """The verdict reconciled from one action and outcome's ``impact_estimates`` rows."""
    rows = one_per_method(estimates)
    if rows.empty:
        return None
    rows["clear"] = rows.apply(is_clear, axis=1)
    lead = (
        rows[rows["family"] == "did"].iloc[0] if (rows["family"] == "did").any() else rows.iloc[0]
    )
    clear = rows[rows["clear"]]
    ups, downs = clear[clear["estimate"] > 0], clear[clear["estimate"] < 0]
    if len(clear) == len(rows) and (ups.empty or downs.empty):
        code = "effect_up" if downs.empty else "effect_down"
        reason = "all_clear"
    elif clear.empty:
        code, reason = "no_clear_effect", "none_clear"
    else:
        code = "methods_disagree"
        reason = "opposite_signs" if not ups.empty and not downs.empty else "some_not_clear"
    agreeing = list(clear["method"]) if reason != "opposite_signs" else list(ups["method"])
    disagreeing = [m for m in rows["method"] if m not in agreeing]
    return Verdict(code, str(lead["method"]), float(lead["estimate"]), float(lead["lower"]),
                   float(lead["upper"]), agreeing, disagreeing, reason)  # fmt: skip


def from_table(row: pd.Series) -> Verdict:
    """A published ``impact_verdict`` row."""

    def methods(value: object) -> list[str]:
        try:
            parsed = json.loads(str(value))
        except ValueError:
            return []
        return [str(m) for m in parsed] if isinstance(parsed, list) else []

    mde = row.get("minimum_detectable_effect")
    return Verdict(
        str(row["verdict"]), str(row.get("lead_method") or ""), float(row["estimate"]),
        float(row["lower"]), float(row["upper"]), methods(row.get("agreeing_methods")),
        methods(row.get("disagreeing_methods")), str(row.get("reason_code") or ""),
        float(mde) if mde is not None and not pd.isna(mde) else math.nan,
    )  # fmt: skip


def words(v: Verdict, outcome_label: str, unit: Unit) -> str:
    """The verdict as a coordinator reads it, with the lead estimate and the MDE in words."""
    from ui import join

    agree = join(list(dict.fromkeys(method_name(m) for m in v.agreeing)))
    disagree = join(list(dict.fromkeys(method_name(m) for m in v.disagreeing)))
    numbers = t("verdict_numbers", estimate=unit.change(v.estimate),
                lower=unit.change(v.lower), upper=unit.change(v.upper),
                method=method_name(v.lead_method))  # fmt: skip
    direction = t("a_rise") if v.estimate > 0 else t("a_fall")
    if v.verdict in ("effect_up", "effect_down"):
        text = t("verdict_agree", outcome=outcome_label, n=len(v.agreeing) or "",
                 moved=t("moved_up") if v.verdict == "effect_up" else t("moved_down"),
                 numbers=numbers)  # fmt: skip
    elif (
        v.verdict == "no_clear_effect"
        and v.reason_code in UNTESTED
        and (v.lower > 0 or v.upper < 0)
    ):  # a clear interval that the calibration study cannot vouch for
        text = t("verdict_untested", outcome=outcome_label, numbers=numbers,
                 direction=direction, why=t(f"why_{v.reason_code}"))  # fmt: skip
    elif v.verdict == "no_clear_effect":
        text = t("verdict_none", outcome=outcome_label, numbers=numbers)
    elif v.reason_code == "opposite_signs" or not agree:
        text = t("verdict_opposite", outcome=outcome_label, agree=agree or "–",
                 disagree=disagree or "–")  # fmt: skip
    else:
        text = t("verdict_partial", outcome=outcome_label, agree=agree, disagree=disagree,
                 direction=direction, numbers=numbers)  # fmt: skip
    if not math.isnan(v.minimum_detectable_effect):
        text += " " + t("verdict_mde", mde=unit.change(abs(v.minimum_detectable_effect), False))
    return text


def calibration_sentence(row: pd.Series) -> str:
    """``On N simulated cities like this one this interval covered the true effect X% of the
    time`` for one ``impact_calibration`` row."""
    from i18n import num, pct

    return t("calibration", method=method_name(str(row["method"])),
             n=num(row["n_cities"], 0), coverage=pct(row["coverage"], 0))  # fmt: skip


__all__ = ["Verdict", "calibration_sentence", "from_table", "pick", "reconcile", "words"]
