"""Validity of each model x language pair: measured error, functional tests, neutral-text flags,
audit; and the ``model_validity`` table the barometer publishes.

A text model *covers* a language when it scores its posts (``scoring.languages``); it is
*validated* in that language when everything below holds, with the limits of the ``[validity]``
table of its config (:class:`ValidityCriteria`):

1. a labelled test set in the language with both classes, of at least ``min_n_test`` items,
   whose ``metric`` (from the version's ``metrics.json``, which ``barometer evaluate``
   reproduces) has a lower interval bound of at least ``min_metric_lower`` (in every corpus
   that tests the language);
2. the functional suite's pass rate in the language (:mod:`barometer.audit.functional`) is at
   least ``min_functional_pass_rate`` (tasks with a suite; a language without cases fails
   when ``require_functional``);
3. the share of neutral text flagged (the bias audit's counterfactual sentences and the suite's
   neutral and positive group mentions, in that language) is at most
   ``max_neutral_flag_rate``;
4. the version's bias audit passed (``audit.json`` of this very model file).

:func:`validate_model` computes the rows of a registered version and writes them to
``validity.json`` beside it (and the card's "Validity" section); :func:`model_validity_table`
assembles the published table from those records for the active versions, with one row per
language that a rule-based scorer covers: not validated (``no_test_set``) unless the city
validated that scorer version on its own labelled posts (:mod:`barometer.audit.labelled`).
Reason codes (``reason``, comma-separated; NULL when validated): ``no_test_set``,
``test_set_too_small``, ``metric_below_threshold``, ``no_functional_cases``,
``functional_tests_failed``, ``too_many_neutral_flags``, ``audit_failed``,
``audit_not_run``, ``not_evaluated`` (no ``validity.json`` for this model file).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.audit.counterfactual import audit_sentences
from barometer.audit.functional import (
    NEUTRAL_FUNCTIONALITIES,
    functional_markdown,
    load_suite,
    run_suite,
    summarise,
)
from barometer.audit.labelled import stored_labelled
from barometer.audit.report import markdown_table
from barometer.audit.scorers import flag_view
from barometer.exceptions import InputError, ModelError
from barometer.training.config import TrainingConfig, ValidityCriteria, version_config

VALIDITY_FILE = "validity.json"
#: Columns of the published ``model_validity`` table (cross-team contract).
COLUMNS: tuple[str, ...] = (
    "task", "model_version", "language", "test_set", "n_test", "metric", "value", "lower",
    "upper", "functional_pass_rate", "neutral_flag_rate", "audit_verdict", "validated", "reason",
)  # fmt: skip
#: Language code of a row that stands for every language (scorers that score every post).
ANY_LANGUAGE = "*"


def criteria_of(config: TrainingConfig) -> ValidityCriteria:
    """The ``[validity]`` table of a config (defaults when absent)."""
    return config.validity if config.validity is not None else ValidityCriteria()


def _metric_row(
    metrics: list[dict[str, Any]], lang: str, metric: str
) -> tuple[dict[str, Any] | None, list[str]]:
    """The test metric row of a language and the corpora with test rows in that language.

    Where several corpora test the language, the row of the corpus with the lowest lower
    interval bound is taken (each corpus is a measurement, and the language is only as valid
    as its worst one); the pooled ``all`` row is not used, because pooling corpora with
    different label shares and styles rewards telling the corpora apart.
    """
    mine = [r for r in metrics if r["lang"] == lang and r["source"] != "all"]
    sources = sorted({r["source"] for r in mine})
    chosen = [r for r in mine if r["metric"] == metric]
    if not chosen:
        return None, sources
    return min(chosen, key=lambda r: (r["lower"], r["source"])), sources


def _audit_verdict(task: str, version: str, models_dir: str | Path | None) -> str:
    from barometer import registry

    audit = registry.read_audit(task, version, models_dir)
    if not audit:
        return "not_run"
    expected = registry.read_manifest(task, version, models_dir)["files"][registry.MODEL_FILE]
    if audit.get("model_sha256") != expected:
        return "not_run"
    return "pass" if audit.get("passed") else "fail"


def _neutral_texts(
    languages: list[str], shared_data: Path, suite: pd.DataFrame | None
) -> pd.DataFrame:
    """Neutral text per language: the audit's counterfactual sentences and the suite's neutral
    and positive mentions (``text, lang``)."""
    parts = [audit_sentences(shared_data, languages, [])[["text", "lang"]]]
    if suite is not None:
        neutral = suite[suite["functionality"].isin(NEUTRAL_FUNCTIONALITIES)]
        parts.append(neutral.loc[neutral["lang"].isin(languages), ["text", "lang"]])
    return pd.concat(parts, ignore_index=True)


def _shared_root(task: str, config: TrainingConfig, shared_data: str | Path | None) -> Path:
    from barometer.locations import shared_data_dir

    root = shared_data_dir(shared_data or config.data.root or None)
    if not root.is_dir():
        raise InputError(
            f"shared data folder {root} not found: validating {task} needs the audit's group "
            "terms; pass --data PATH (the folder holding text/ and lexicons/)"
        )
    return root


def _functional_summary(
    model: Any, criteria: ValidityCriteria, negative: str, suite_path: str | Path | None
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(the suite, its summary per language x functionality), or (None, None) without one."""
    if not criteria.functional_suite:
        return None, None
    path = None if criteria.functional_suite == "default" else criteria.functional_suite
    suite = load_suite(suite_path or path)
    flagged = next(str(c) for c in model.classes_ if str(c) != negative)
    return suite, summarise(run_suite(model, suite, positive=flagged))


def _metric_reasons(
    metrics: list[dict[str, Any]], lang: str, criteria: ValidityCriteria
) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """(the metric row shown, the corpora testing ``lang``, reasons from the test data)."""
    row, sources = _metric_row(metrics, lang, criteria.metric)
    if row is None:
        fallback = [
            r for r in metrics if r["lang"] == lang and r["metric"] == "false_positive_rate"
        ]
        return (fallback[0] if len(fallback) == 1 else None), sources, ["no_test_set"]
    reasons = []
    if row["n"] < criteria.min_n_test:
        reasons.append("test_set_too_small")
    if not (row["lower"] >= criteria.metric_limit(lang)):
        reasons.append("metric_below_threshold")
    return row, sources, reasons


def _functional_rate(
    summary: pd.DataFrame | None, lang: str, criteria: ValidityCriteria
) -> tuple[float, list[str]]:
    if summary is None:
        return np.nan, []
    part = summary[(summary["lang"] == lang) & (summary["functionality"] == "all")]
    rate = float(part["pass_rate"].iloc[0]) if len(part) else np.nan
    if np.isnan(rate) and criteria.require_functional:
        return rate, ["no_functional_cases"]
    return rate, ["functional_tests_failed"] if rate < criteria.min_functional_pass_rate else []


def _neutral_rate(
    neutral: pd.DataFrame | None, lang: str, criteria: ValidityCriteria
) -> tuple[float, list[str]]:
    if neutral is None:
        return np.nan, []
    mine = neutral[neutral["lang"] == lang]
    rate = float(mine["flag"].mean()) if len(mine) else np.nan
    return rate, [] if rate <= criteria.max_neutral_flag_rate else ["too_many_neutral_flags"]


def validity_rows(
    task: str,
    version: str,
    *,
    models_dir: str | Path | None = None,
    shared_data: str | Path | None = None,
    suite_path: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(one row per covered language in :data:`COLUMNS`, the functional summary or None)."""
    from barometer import registry

    folder = registry.version_dir(task, version, models_dir)
    config = version_config(task, version, models_dir)
    criteria = criteria_of(config)
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["test"]
    model = registry.load_model(task, version, models_dir=models_dir)
    languages = list(config.scoring.languages or sorted({r["lang"] for r in metrics}))
    root = _shared_root(task, config, shared_data)
    view = flag_view(model, config)
    suite, summary = _functional_summary(model, criteria, view.negative, suite_path)
    neutral = _neutral_texts(languages, root, suite) if criteria.measure_neutral else None
    if neutral is not None:
        neutral = neutral.assign(flag=view.flag(neutral["text"].tolist(), neutral["lang"].tolist()))
    verdict = _audit_verdict(task, version, models_dir)
    rows = []
    for lang in languages:
        row, sources, reasons = _metric_reasons(metrics, lang, criteria)
        functional, failed = _functional_rate(summary, lang, criteria)
        flag_rate, flagged = _neutral_rate(neutral, lang, criteria)
        reasons += failed + flagged
        if verdict != "pass":
            reasons.append("audit_failed" if verdict == "fail" else "audit_not_run")
        rows.append(
            {"task": task, "model_version": version, "language": lang,
             "test_set": "+".join(sources) or None, "n_test": row["n"] if row else None,
             "metric": row["metric"] if row else None, "value": row["value"] if row else None,
             "lower": row["lower"] if row else None, "upper": row["upper"] if row else None,
             "functional_pass_rate": functional, "neutral_flag_rate": flag_rate,
             "audit_verdict": verdict, "validated": not reasons,
             "reason": ",".join(reasons) or None}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(COLUMNS)), summary


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {str(k): (None if isinstance(v, float) and not np.isfinite(v) else
                      v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        )  # fmt: skip
    return out


def validity_markdown(rows: pd.DataFrame, summary: pd.DataFrame | None, command: str) -> str:
    """The card's "Validity" section."""

    shown = rows.drop(columns=["task", "model_version"]).rename(
        columns={"functional_pass_rate": "functional", "neutral_flag_rate": "neutral_flagged"}
    )
    parts = [
        f"Run `{command}` to reproduce; every number is in `{VALIDITY_FILE}` beside the model. "
        "A language not listed is not scored (the model abstains: no row, the indicator says "
        "the language is not measured).",
        "",
        markdown_table(shown),
    ]
    if summary is not None:
        parts += [
            "",
            "Functional tests (`data/functional/hostility_cases.csv`, hand-written; pass rate "
            "and cases passed):",
            "",
            functional_markdown(summary),
        ]
    return "\n".join(parts)


def validate_model(
    task: str,
    version: str | None = None,
    *,
    models_dir: str | Path | None = None,
    shared_data: str | Path | None = None,
    suite_path: str | Path | None = None,
    record: bool = True,
) -> pd.DataFrame:
    """Validity rows of a registered version (the active one by default); with ``record``,
    written to ``validity.json`` (tied to the SHA-256 of ``model.skops``) and to the card's
    "Validity" section."""
    from barometer import registry

    version = version or registry.active_versions(models_dir).get(task)
    if version is None:
        raise ModelError(f"no active version of '{task}'; name one with --version")
    rows, summary = validity_rows(task, version, models_dir=models_dir, shared_data=shared_data,
                                  suite_path=suite_path)  # fmt: skip
    if record:  # in the city's models folder: a packaged version is copied there first
        folder = registry.writable_version_dir(task, version, models_dir)
        config = version_config(task, version, models_dir)
        payload = {
            "task": task, "version": version,
            "model_sha256": registry.read_manifest(task, version, models_dir)["files"][
                registry.MODEL_FILE],
            "criteria": criteria_of(config).model_dump(),
            "validated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "rows": _records(rows),
            "functional": _records(summary) if summary is not None else [],
        }  # fmt: skip
        registry.write_atomic(folder / VALIDITY_FILE, json.dumps(payload, indent=1) + "\n")
        registry.rehash(folder, VALIDITY_FILE)
        command = f"barometer validate {task} --version {version}"
        registry.update_card_section(task, version, "Validity",
                                     validity_markdown(rows, summary, command),
                                     models_dir=models_dir)  # fmt: skip
    return rows


def stored_validity(
    task: str, version: str, models_dir: str | Path | None = None
) -> pd.DataFrame | None:
    """The rows of ``validity.json`` of a version, or None when it was never validated or the
    record is of another model file."""
    from barometer import registry

    path = registry.version_dir(task, version, models_dir) / VALIDITY_FILE
    if not path.is_file():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    expected = registry.read_manifest(task, version, models_dir)["files"][registry.MODEL_FILE]
    if payload.get("model_sha256") != expected:
        return None
    return pd.DataFrame(payload["rows"], columns=list(COLUMNS))


def _unvalidated(task: str, version: str, languages: list[str], reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"task": task, "model_version": version, "language": lang, "test_set": None,
          "n_test": None, "metric": None, "value": None, "lower": None, "upper": None,
          "functional_pass_rate": None, "neutral_flag_rate": None, "audit_verdict": "not_run",
          "validated": False, "reason": reason} for lang in languages],
        columns=list(COLUMNS),
    )  # fmt: skip


def current_versions(models_dir: str | Path | None = None) -> dict[str, str]:
    """Task -> ``post_scores`` model version of every scorer the pipeline runs: the rule-based
    ones, replaced by the active registry models of ``models_dir`` under the same name."""
    from barometer import registry
    from barometer.scoring import RULE_BASED

    versions = {task: version for task, (version, _) in RULE_BASED.items()}
    versions.update(registry.active_model_versions(models_dir))
    return versions


def with_labelled(rows: pd.DataFrame, labelled: pd.DataFrame) -> pd.DataFrame:
    """A rule-based scorer's ``no_test_set`` rows, with the languages of its city-labelled
    validation (:mod:`barometer.audit.labelled`) replaced by their measured rows."""
    if labelled.empty:
        return rows
    kept = rows[~rows["language"].isin(labelled["language"])]
    return pd.concat([kept, labelled], ignore_index=True).sort_values("language", ignore_index=True)


def model_validity_table(
    versions: dict[str, str], *, models_dir: str | Path | None = None
) -> pd.DataFrame:
    """The published ``model_validity`` table for the scorers in ``versions`` (task -> the
    ``model_version`` it writes to ``post_scores``, as :func:`barometer.scoring.model_versions`
    returns): the stored validity of each active registry model (``not_evaluated`` rows
    when there is none), and for rule-based scorers one row per language they cover
    (``*`` for every language): measured on the city's labelled posts where
    ``barometer validate TASK --labelled FILE`` recorded it for this scorer version
    (:func:`with_labelled`), else reason ``no_test_set``."""
    from barometer import registry
    from barometer.scoring import covered_languages

    active = registry.active_versions(models_dir)
    frames = []
    for task in sorted(versions):
        if task in active:
            version = active[task]
            stored = stored_validity(task, version, models_dir)
            if stored is None:
                languages = registry.model_languages(task, models_dir)
                stored = _unvalidated(task, version, sorted(languages or [ANY_LANGUAGE]),
                                      "not_evaluated")  # fmt: skip
            frames.append(stored)
        else:
            languages = covered_languages(task)
            rows = _unvalidated(task, versions[task], sorted(languages or [ANY_LANGUAGE]),
                                "no_test_set")  # fmt: skip
            frames.append(with_labelled(rows, stored_labelled(task, versions[task], models_dir)))
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["validated"] = out["validated"].astype(bool)
    for column in ("n_test",):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    for column in ("value", "lower", "upper", "functional_pass_rate", "neutral_flag_rate"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out[list(COLUMNS)]
