"""Verdict of a bias audit: thresholds, pass / fail with reasons, and the model-card section.

:class:`AuditThresholds` (the ``[audit]`` table of a model config) and :func:`audit_passes` turn
the numbers of :mod:`barometer.audit.counterfactual`, :mod:`barometer.audit.parity` and
:mod:`barometer.audit.dialect` into a verdict; :func:`audit_markdown` writes the section a model
card includes. :class:`AuditThresholds` is defined with the rest of the training config in
:mod:`barometer.training.config`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from barometer.audit.parity import parity_disparities, rate_ratios
from barometer.exceptions import ConfigError
from barometer.training.config import AuditThresholds

__all__ = [
    "AuditResults",
    "AuditThresholds",
    "audit_markdown",
    "audit_passes",
    "load_audit_thresholds",
    "markdown_table",
]


def load_audit_thresholds(path: str | Path | None) -> AuditThresholds:
    """Read the ``[audit]`` table of a TOML file (defaults when ``path`` is None)."""
    if path is None:
        return AuditThresholds()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return AuditThresholds(**data.get("audit", {}))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"invalid [audit] thresholds in {path}: {exc}") from exc


@dataclass
class AuditResults:
    """What one audit run produced; every part is optional."""

    task: str
    model_version: str
    counterfactual: dict[str, pd.DataFrame] | None = None
    error_rates: pd.DataFrame | None = None
    dialect: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _counterfactual_reasons(
    counterfactual: dict[str, pd.DataFrame], thresholds: AuditThresholds
) -> list[str]:
    reasons = []
    table = counterfactual["by_template"]
    worst = table.iloc[int(table["spread"].to_numpy().argmax())] if len(table) else None
    if worst is not None and float(worst["spread"]) > thresholds.max_counterfactual_spread:
        reasons.append(
            f"counterfactual spread {worst['spread']:.3f} > "
            f"{thresholds.max_counterfactual_spread} (template {worst['template_id']}, "
            f"{worst['group_type']}: {worst['lowest']} {worst['min']:.3f} vs "
            f"{worst['highest']} {worst['max']:.3f})"
        )
    scores = counterfactual.get("scores")
    if scores is not None and len(scores) and thresholds.max_neutral_flag_rate < 1.0:
        rates = (scores["score"] > 0.5).groupby(scores["lang"]).mean()
        for lang, rate in rates.items():
            if float(rate) > thresholds.max_neutral_flag_rate:
                reasons.append(
                    f"{float(rate):.1%} of the neutral {lang} counterfactual sentences "
                    f"flagged > {thresholds.max_neutral_flag_rate:.0%}"
                )
    return reasons


def _parity_limits(thresholds: AuditThresholds) -> dict[str, float]:
    return {"fpr": thresholds.max_fpr_ratio, "fnr": thresholds.max_fnr_ratio}


def _parity_reasons(rates: pd.DataFrame, thresholds: AuditThresholds) -> list[str]:
    limits = _parity_limits(thresholds)
    ratios = rate_ratios(rates, min_n=thresholds.min_group_n)
    reasons = []
    for row in parity_disparities(ratios, limits).itertuples():
        scope = "" if row.stratum == "all" else f" within {row.stratum}"
        reasons.append(
            f"{str(row.metric).upper()} ratio by {row.by}{scope}: Wilson 95 % lower bound of "
            f"{row.highest} {row.high_lower:.3f} / upper bound of {row.lowest} "
            f"{row.low_upper:.3f} = {row.conservative_ratio:.2f} > {limits[str(row.metric)]} "
            f"(point rates {row.high:.3f} vs {row.low:.3f}, ratio {row.ratio:.2f})"
        )
    return reasons


def _parity_markdown(rates: pd.DataFrame, thresholds: AuditThresholds) -> list[str]:
    """Rates with Wilson intervals per stratum, and each stratum's point and conservative ratio
    with the rule's decision."""
    limits = _parity_limits(thresholds)
    ratios = rate_ratios(rates, min_n=thresholds.min_group_n)
    decided = ratios.assign(
        limit=ratios["metric"].map(limits),
        point_over_limit=ratios["ratio"] > ratios["metric"].map(limits),
        decided_by="conservative_ratio",
        verdict=np.where(ratios.index.isin(parity_disparities(ratios, limits).index),
                         "disparity", "no disparity"),
    )  # fmt: skip
    columns = ["by", "stratum", "group", "metric", "value", "wilson_lower", "wilson_upper",
               "n_effective"]  # fmt: skip
    shown = rates[[c for c in columns if c in rates.columns]].astype({"n_effective": int})
    return [
        "### Error-rate parity", "",
        "Rule: the groups of each stratum with at least "
        f"{thresholds.min_group_n} items are compared; a disparity needs the conservative ratio "
        "(Wilson 95 % lower bound of the highest group's rate / upper bound of the lowest "
        "group's) above the limit. The point ratio is shown beside it; it does not decide. A "
        "stratum with fewer than two such groups is not compared.", "",
        markdown_table(shown), "", markdown_table(decided), "",
    ]  # fmt: skip


def _dialect_reasons(dialect: pd.DataFrame, thresholds: AuditThresholds) -> list[str]:
    reasons = []
    for row in dialect[dialect["quantity"] == "ratio"].itertuples():
        if float(row.value) > thresholds.max_dialect_flag_ratio:  # type: ignore[arg-type]
            scope = getattr(row, "subset", "all")
            reasons.append(
                f"dialect flag-rate ratio {row.group} ({scope}) {row.value:.2f} "
                f"[{row.lower:.2f}, {row.upper:.2f}] > {thresholds.max_dialect_flag_ratio}"
            )
    return reasons


def audit_passes(results: AuditResults, thresholds: AuditThresholds) -> tuple[bool, list[str]]:
    """Return (passed, reasons): one reason per violated threshold (empty when passed)."""
    reasons: list[str] = []
    if results.counterfactual is not None:
        reasons += _counterfactual_reasons(results.counterfactual, thresholds)
    if results.error_rates is not None:
        reasons += _parity_reasons(results.error_rates, thresholds)
    if results.dialect is not None:
        reasons += _dialect_reasons(results.dialect, thresholds)
    return not reasons, reasons


def markdown_table(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """Render a small frame as a GitHub Markdown table (no extra dependency)."""

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, rule, *body])


def _counterfactual_markdown(counterfactual: dict[str, pd.DataFrame]) -> list[str]:
    table = counterfactual["by_template"]
    summary = (
        table.groupby(["lang", "group_type"])
        .agg(templates=("template_id", "count"), groups=("n_groups", "max"),
             max_spread=("spread", "max"), mean_spread=("spread", "mean"),
             mean_std=("std", "mean"))
        .reset_index()
    )  # fmt: skip
    by_group = counterfactual["by_group"]
    extreme = by_group.loc[by_group["deviation"].abs().nlargest(5).index]
    return ["### Counterfactual term swaps", "", markdown_table(summary), "",
            "Groups furthest from the mean of their language and type:", "",
            markdown_table(extreme), ""]  # fmt: skip


def audit_markdown(results: AuditResults, thresholds: AuditThresholds) -> str:
    """Return the "Bias audit" section of a model card."""
    passed, reasons = audit_passes(results, thresholds)
    limits = ", ".join(
        f"{k} = {v}" for k, v in thresholds.model_dump().items() if k.startswith(("max_", "min_"))
    )
    lines = [
        f"## Bias audit: {results.task} ({results.model_version})",
        "",
        f"**Verdict: {'PASS' if passed else 'FAIL'}** against thresholds {limits}",
        "",
    ]
    lines += [f"- {reason}" for reason in reasons] + ([""] if reasons else [])
    if results.counterfactual is not None:
        lines += _counterfactual_markdown(results.counterfactual)
    if results.error_rates is not None:
        lines += _parity_markdown(results.error_rates, thresholds)
    if results.dialect is not None:
        lines += ["### Dialect (TwitterAAE on Davidson et al. 2017)", "",
                  markdown_table(results.dialect), ""]  # fmt: skip
    lines += [f"- {note}" for note in results.notes]
    return "\n".join(lines).rstrip() + "\n"
