"""Evaluate one action with every method; the result carries codes and numbers, never prose.

:func:`evaluate_action` is pure (frames in, a JSON-serialisable dict out);
:func:`write_report` is the only function here that touches disk. The result's ``summary``
(:func:`summarise`) says what a reader should be told, as codes and numbers: the words, in
English and Swedish, are written outside the library (the CLI's Markdown report in
:mod:`barometer.commands.impact_report`, the app from the published ``impact_verdict``).
The headline is the TWFE estimate with the collapsed (unit-level) t interval, because with a
handful of neighbourhoods it is the one whose size is right; the other methods are checks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.impact.calibration import run_methods, shipped_calibration
from barometer.impact.did import event_study, twfe_did
from barometer.impact.its import segmented_regression
from barometer.impact.panel import (
    PERIOD,
    POOLED,
    UNIT,
    VALUE,
    comparison_units,
    error_scale,
    indicator_panel,
    pool_treated,
    validate_action,
)
from barometer.impact.power import minimum_detectable_effect, simulate_power
from barometer.impact.synth import placebo_inference
from barometer.impact.verdict import decide, qualified_methods

#: the summary's ``finding`` codes
FINDINGS = ("rose", "fell", "no_clear_change", "methods_disagree")
#: a pre-trend test p-value under this warns that the areas already diverged before the start
PRETREND_WARNING_P = 0.10


def evaluate_action(
    indicators: pd.DataFrame,
    action: Any,
    outcome: str,
    *,
    seed: int,
    level: float = 0.95,
    n_boot: int = 999,
    n_sims: int = 500,
) -> dict[str, Any]:
    """Run DiD (TWFE + event study), synthetic control, ITS and power for one action.

    Parameters
    ----------
    indicators
        The published ``indicators`` table.
    action
        An :class:`~barometer.config.ActionConfig`; ``comparison`` (if given) is the donor
        pool, otherwise every untreated neighbourhood.
    outcome
        Indicator name.
    seed
        Seed of the wild bootstrap and the power simulation.

    Returns
    -------
    dict
        ``action, outcome, level, periods, did, event_study, pretrend, synthetic_control, its,
        power, methods, calibration, verdict, summary`` (see :func:`summarise`); numbers in
        the indicator's unit, JSON-serialisable.
    """
    panel = indicator_panel(indicators, outcome)
    first, last = panel[PERIOD].min(), panel[PERIOD].max()
    validate_action(action, set(panel[UNIT]), (first, last))
    treated = list(action.neighbourhoods)
    panel, comparison, gappy = comparison_units(panel, action, treated)
    start = pd.Timestamp(action.start)
    n_pre = int(panel.loc[panel[PERIOD] < start, PERIOD].nunique())
    n_post = int(panel.loc[panel[PERIOD] >= start, PERIOD].nunique())
    result: dict[str, Any] = {
        "action": {
            "id": action.id,
            "title": action.title,
            "neighbourhoods": treated,
            "comparison": comparison,
            "comparison_with_gaps": gappy,
            "start": str(start.date()),
        },
        "outcome": outcome,
        "level": level,
        "periods": {
            "first": str(first.date()),
            "last": str(last.date()),
            "n_pre": n_pre,
            "n_post": n_post,
        },
    }
    design = _Design(panel, treated, comparison, start, n_pre, n_post)
    result |= _estimates(design, level, n_boot, seed)
    result["power"] = _power(design, level, n_sims, seed)
    methods, calibration, shipped = _calibrated_methods(panel, treated, start, outcome, level)
    verdict = decide(methods, shipped["table"], outcome)
    verdict["minimum_detectable_effect"] = result["power"]["mde"]["mde"]
    result["methods"] = [_clean(m) for m in methods]
    result["calibration"] = {
        "setting": shipped["setting"],
        "n_cities": shipped["n_cities"],
        "scorer": shipped["scorer"],
        "command": shipped["command"],
        "rows": calibration,
    }
    result["verdict"] = _clean(verdict)
    result["summary"] = summarise(result)
    return result


@dataclass(frozen=True)
class _Design:
    """The outcome's panel, the treated and comparison units, the start and the number of
    periods before and from it."""

    panel: pd.DataFrame
    treated: list[str]
    comparison: list[str]
    start: pd.Timestamp
    n_pre: int
    n_post: int


def _estimates(design: _Design, level: float, n_boot: int, seed: int) -> dict[str, Any]:
    """TWFE DiD, the event study and its pre-trend test, the synthetic control with placebo
    inference and the segmented regression."""
    panel, treated, comparison, start = (
        design.panel, design.treated, design.comparison, design.start
    )  # fmt: skip
    n_pre, n_post = design.n_pre, design.n_post
    did = twfe_did(panel, treated, start, level=level, n_boot=n_boot, seed=seed)
    es, pretrend = event_study(
        panel, treated, start, leads=min(6, n_pre), lags=min(12, n_post - 1), level=level
    )
    pooled = pool_treated(panel, treated, POOLED)
    sc = placebo_inference(pooled, POOLED, start, comparison)
    series = pooled[pooled[UNIT] == POOLED].set_index(PERIOD)[VALUE]
    its = segmented_regression(
        series, start, seasonality="dummies" if len(series) >= 36 else "fourier", level=level
    )
    return {
        "did": _records(did),
        "event_study": _records(es),
        "pretrend": _clean(pretrend),
        "synthetic_control": _synthetic_control(sc),
        "its": _records(its),
    }


def _power(design: _Design, level: float, n_sims: int, seed: int) -> dict[str, Any]:
    """The minimum detectable effect (80% power) and the simulated power at 0 and at that
    effect."""
    sigma, rho = error_scale(design.panel, design.start)
    alpha = round(1 - level, 10)
    mde = minimum_detectable_effect(
        sigma, design.n_pre, design.n_post, len(design.treated), len(design.comparison),
        alpha=alpha, rho=rho,
    )  # fmt: skip
    effects = [0.0, float(mde["mde"].iloc[0])]
    sim = simulate_power(
        design.panel, design.treated, design.start, effects, n_sims, seed, alpha=alpha
    )
    return {"mde": _records(mde)[0], "simulation": _records(sim)}


def _calibrated_methods(
    panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """(every method's estimate with its calibration row and whether it qualified, the
    outcome's calibration rows, the shipped calibration study)."""
    methods = run_methods(panel, treated, start, outcome, level)
    shipped = shipped_calibration()
    table = shipped["table"]
    calibration = [_clean(r) for r in table[table["outcome"] == outcome].to_dict("records")]
    qualified = set(qualified_methods(table, outcome))
    for row in methods:
        row["calibration"] = next((c for c in calibration if c["method"] == row["method"]), None)
        row["qualified"] = row["method"] in qualified
    return methods, calibration, shipped


def _synthetic_control(sc: dict[str, Any]) -> dict[str, Any]:
    """The synthetic control's fit and placebo inference, JSON-serialisable."""
    fit = sc["fit"]
    return {
        "effect": fit["effect"],
        "lower": sc["lower"],
        "upper": sc["upper"],
        "interval_level": sc["interval_level"],
        "p_value": sc["p_value"],
        "effect_p_value": sc["effect_p_value"],
        "pre_rmspe": fit["pre_rmspe"],
        "post_rmspe": fit["post_rmspe"],
        "n_placebos": sc["n_placebos"],
        "weights": _clean(fit["weights"].round(6).to_dict()),
        "gap": _series(fit["gap"]),
        "placebo_gaps": {u: _series(sc["placebo_gaps"][u]) for u in sc["placebo_gaps"]},
    }


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """What the plain-language summary must say, as codes and numbers (no words).

    ``finding``: one of :data:`FINDINGS` (``methods_disagree`` when well-calibrated methods
    point in opposite directions; ``no_clear_change`` when the lead interval covers 0);
    ``outcome``; the lead method (``lead_method`` code and its ``lead_label``) with its
    ``estimate, lower, upper`` at ``level`` (0-1), in the outcome's unit; ``calibration``: how
    the lead method did on the simulated municipalities (``n_cities``, ``coverage`` and
    ``placebo_false_positive_rate``, shares 0-1), or None when the study does not cover it;
    ``reason_code`` of the verdict; ``minimum_detectable_effect`` (80% power, outcome's
    unit); ``pretrend_warning`` (pre-trend p-value under :data:`PRETREND_WARNING_P`); and
    ``synthetic_control``: ``effect``, placebo ``p_value``, ``n_placebos`` and
    ``p_value_floor`` (the lowest p-value that many placebos allow, ``1 / (n + 1)``).
    """
    verdict = result["verdict"]
    lead = next(m for m in result["methods"] if m["method"] == verdict["lead_method"])
    est, lo, hi = verdict["estimate"], verdict["lower"], verdict["upper"]
    if verdict["verdict"] == "methods_disagree":
        finding = "methods_disagree"
    elif lo <= 0 <= hi:
        finding = "no_clear_change"
    else:
        finding = "rose" if est > 0 else "fell"
    cal = lead.get("calibration")
    calibration = None
    if cal is not None and verdict["reason_code"] not in ("not_calibrated", "no_estimate"):
        calibration = {k: cal[k] for k in ("n_cities", "coverage", "placebo_false_positive_rate")}
    sc = result["synthetic_control"]
    p_pre = result["pretrend"].get("p_value")
    return {
        "finding": finding,
        "outcome": result["outcome"],
        "lead_method": lead["method"],
        "lead_label": lead["label"],
        "estimate": est,
        "lower": lo,
        "upper": hi,
        "level": result["level"],
        "calibration": calibration,
        "reason_code": verdict["reason_code"],
        "minimum_detectable_effect": result["power"]["mde"]["mde"],
        "pretrend_warning": p_pre is not None and p_pre < PRETREND_WARNING_P,
        "synthetic_control": {
            "effect": sc["effect"],
            "p_value": sc["p_value"],
            "n_placebos": sc["n_placebos"],
            "p_value_floor": 1 / (sc["n_placebos"] + 1),
        },
    }


def _clean(value: Any) -> Any:
    """NaN/inf -> None, numpy scalars -> Python, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.to_dict(orient="records")]


def _series(series: pd.Series) -> dict[str, float | None]:
    return {str(pd.Timestamp(str(k)).date()): _clean(float(v)) for k, v in series.items()}


def write_report(result: dict[str, Any], out_dir: Path | str) -> dict[str, Path]:
    """Write ``impact.json`` and the PNG plots into ``out_dir``; return the paths by kind
    (``json``, ``event_study``, ``synth_gap``). The worded Markdown report is the CLI's
    (:func:`barometer.commands.impact_report.write_markdown`)."""
    from barometer.impact.plots import plot_event_study, plot_synth_gap

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out / "impact.json",
        "event_study": out / "event_study.png",
        "synth_gap": out / "synth_gap.png",
    }
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_event_study(result, paths["event_study"])
    plot_synth_gap(result, paths["synth_gap"])
    return paths
