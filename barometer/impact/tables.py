"""Impact results as flat tables for the published barometer (the app's Impact page).

Runs :func:`~barometer.impact.report.evaluate_action` for every configured action and outcome
and flattens each result into tidy tables: estimates (one row per method and inference),
summaries (one row per action x outcome; ``error`` says why an outcome could not be evaluated),
series (event-study coefficients, the synthetic-control gap
and each placebo's gap), ``impact_verdict`` (one row per action x outcome: the
calibration-weighted verdict, machine codes only) and ``impact_calibration`` (the Monte Carlo
study shipped with the package, one row per method x outcome), so the app can draw every chart
and write every sentence from published aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from barometer.config import ActionConfig
from barometer.exceptions import BarometerError
from barometer.impact.calibration import CALIBRATION_COLUMNS, shipped_calibration
from barometer.impact.report import evaluate_action
from barometer.impact.verdict import VERDICT_COLUMNS

ESTIMATE_COLUMNS = [
    "action_id", "outcome", "method", "inference", "estimand", "estimate", "lower", "upper",
    "p_value", "note",
]  # fmt: skip
SUMMARY_COLUMNS = ["action_id", "outcome", "error"]
SERIES_COLUMNS = ["action_id", "outcome", "series", "x", "value", "lower", "upper"]


def _estimates(action_id: str, outcome: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for record in result["did"]:
        rows.append({**record, "inference": record.get("inference", "")})
    for record in result["its"]:
        rows.append({**record, "inference": "Newey-West"})
    known = {"did_cluster", "did_wild_webb", "did_collapsed", "synthetic_control", "its_level"}
    for record in result["methods"]:
        if record["method"] in known or record["estimate"] is None:
            continue  # already a row above, or could not run here
        rows.append(
            {
                "method": record["label"],
                "inference": record["method"],
                "estimand": "ATT, average over post-start periods",
                "estimate": record["estimate"],
                "lower": record["lower"],
                "upper": record["upper"],
                "p_value": None,
                "note": "calibrated" if record["qualified"] else "not calibrated to 90%/7%",
            }
        )
    sc = result["synthetic_control"]
    rows.append(
        {
            "method": "synthetic control",
            "inference": f"placebo range ({sc['n_placebos']} placebos)",
            "estimand": "mean post-start gap",
            "estimate": sc["effect"],
            "lower": sc["lower"],
            "upper": sc["upper"],
            "p_value": sc["p_value"],
            "note": f"pre-period RMSPE {sc['pre_rmspe']:.3g}",
        }
    )
    return [
        {"action_id": action_id, "outcome": outcome, **{k: r.get(k) for k in ESTIMATE_COLUMNS[2:]}}
        for r in rows
    ]


def _series(action_id: str, outcome: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    key = {"action_id": action_id, "outcome": outcome}
    for record in result["event_study"]:
        rows.append(
            {**key, "series": "event_study", "x": str(record["event_time"]),
             "value": record["estimate"], "lower": record["lower"], "upper": record["upper"]}
        )  # fmt: skip
    sc = result["synthetic_control"]
    for period, value in sc["gap"].items():
        rows.append({**key, "series": "synth_gap", "x": period, "value": value})
    for unit, gaps in sc["placebo_gaps"].items():
        for period, value in gaps.items():
            rows.append({**key, "series": f"placebo:{unit}", "x": period, "value": value})
    return rows


def impact_tables(
    indicators: pd.DataFrame,
    actions: Sequence[ActionConfig],
    *,
    seed: int,
    level: float = 0.95,
    n_boot: int = 199,
    n_sims: int = 100,
) -> dict[str, pd.DataFrame]:
    """``impact_estimates``, ``impact_summaries``, ``impact_series`` and ``impact_verdict`` for
    every action and outcome, and the shipped ``impact_calibration``. An outcome that cannot be
    evaluated (e.g. too few periods) gets a summary row with the reason in ``error`` instead of
    estimates."""
    estimates: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    for action in actions:
        for outcome in action.outcomes:
            try:
                result = evaluate_action(
                    indicators, action, outcome, seed=seed, level=level, n_boot=n_boot,
                    n_sims=n_sims,
                )  # fmt: skip
            except BarometerError as exc:
                summaries.append({"action_id": action.id, "outcome": outcome, "error": str(exc)})
                continue
            estimates += _estimates(action.id, outcome, result)
            series += _series(action.id, outcome, result)
            verdicts.append({"action_id": action.id, "outcome": outcome, **result["verdict"]})
            summaries.append({"action_id": action.id, "outcome": outcome, "error": ""})
    return {
        "impact_estimates": pd.DataFrame(estimates, columns=ESTIMATE_COLUMNS),
        "impact_summaries": pd.DataFrame(summaries, columns=SUMMARY_COLUMNS),
        "impact_series": pd.DataFrame(series, columns=SERIES_COLUMNS),
        "impact_verdict": pd.DataFrame(verdicts, columns=VERDICT_COLUMNS),
        "impact_calibration": shipped_calibration()["table"][CALIBRATION_COLUMNS],
    }
