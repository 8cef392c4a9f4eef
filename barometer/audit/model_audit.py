"""Bias audit of a registered model version, and the record that gates its activation.

:func:`audit_model` audits a version of the model registry on the held-out test split its own
config names, with the ``[audit]`` table of that config (else of
``models/configs/<task>.toml``); the verdict goes to ``audit.json`` beside the artefact
(:func:`audit_record`) and to the card's "Audit results" section (:func:`audit_card_section`),
and gates :func:`barometer.registry.activate`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.audit.counterfactual import audit_sentences, counterfactual_audit
from barometer.audit.dialect import dialect_audit, load_davidson_dialects
from barometer.audit.parity import error_rates, rate_ratios
from barometer.audit.report import (
    AuditResults,
    AuditThresholds,
    audit_markdown,
    audit_passes,
    load_audit_thresholds,
)
from barometer.audit.scorers import FlagView, flag_view
from barometer.exceptions import ConfigError, InputError, ModelError
from barometer.locations import shared_data_dir, training_config
from barometer.training.config import TrainingConfig, version_config
from barometer.training.corpora import read_davidson2017
from barometer.training.data import load_training_rows


def model_audit_thresholds(task: str, config: TrainingConfig) -> AuditThresholds:
    """The ``[audit]`` table of a version's config, else of the packaged ``configs/<task>.toml``."""
    if config.audit is not None:
        return config.audit
    default = training_config(task)
    if default.is_file() and "audit" in tomllib.loads(default.read_text(encoding="utf-8")):
        return load_audit_thresholds(default)
    raise ConfigError(
        f"no bias audit is defined for task {task!r}: neither its config.toml nor {default} has "
        "an [audit] table; add one (see the packaged configs/hostility.toml), or activate the "
        "model with force=True (`barometer activate TASK VERSION --force --reason ...`)"
    )


def _data_root(task: str, config: TrainingConfig, shared_data: str | Path | None) -> Path:
    """The shared data folder the audit reads (its test data, group terms, dialect model)."""
    root = shared_data_dir(shared_data or config.data.root or None)
    if not root.is_dir():
        raise InputError(
            f"shared data folder {root} not found: the audit of {task} needs the held-out test "
            f"data of {config.data.sources}; pass --data PATH (the folder holding text/ and "
            "lexicons/)"
        )
    return root


def _parity_frame(view: FlagView, config: TrainingConfig, root: Path) -> pd.DataFrame:
    """Truth and flag of every held-out test row, with the groups parity is measured over."""
    data, _ = load_training_rows(config, root)
    test = data[data["split"] == "test"].reset_index(drop=True)
    if "target" not in test.columns:  # annotation rows carry no target group
        test["target"] = None
    return pd.DataFrame(
        {"y_true": view.is_flag(test["label"]), "y_pred": view.flag(test[["text", "lang"]]),
         "lang": test["lang"], "target_group": test["target"], "source": test["source"]}
    )  # fmt: skip


def _dialect_audit(
    view: FlagView, config: TrainingConfig, root: Path, limits: AuditThresholds, seed: int
) -> tuple[pd.DataFrame, str]:
    """The dialect audit on Davidson's held-out tweets, and a note on the annotators' own
    aae/white flag ratio on the same tweets."""
    heldout = read_davidson2017(root, config.data.heldout_fraction, config.data.seed)
    tweets = load_davidson_dialects(root, keep=heldout["split"].to_numpy() == "test")
    cut = None if limits.dialect_argmax else 0.8
    try:
        flags = view.flag(tweets["text"].tolist(), ["en"] * len(tweets))
        dialect = dialect_audit(flags, tweets, threshold=cut, n_boot=limits.n_boot, seed=seed)
        gold = dialect_audit(
            (tweets["gold"] != "neither").to_numpy(), tweets, threshold=cut,
            n_boot=limits.n_boot, seed=seed,
        )  # fmt: skip
    except InputError as exc:
        raise InputError(
            f"dialect audit of {config.task.name}: {exc}; with few dialect-aligned tweets set "
            "dialect_argmax = true in the [audit] table"
        ) from exc
    ratio = gold[(gold["subset"] == "all") & (gold["quantity"] == "ratio")].iloc[0]
    note = (
        f"dialect audit on Davidson's held-out tweets ({len(tweets)}); the annotators' own "
        f"labels flag them at an aae/white ratio of {ratio['value']:.2f} "
        f"[{ratio['lower']:.2f}, {ratio['upper']:.2f}]"
    )
    return dialect, note


def audit_model(
    task: str,
    version: str | None = None,
    *,
    models_dir: str | Path | None = None,
    shared_data: str | Path | None = None,
    thresholds: AuditThresholds | None = None,
    n_boot: int | None = None,
    dialect_argmax: bool | None = None,
    seed: int = 0,
    record: bool = True,
) -> tuple[AuditResults, AuditThresholds]:
    """Audit a registered model version (the active one by default) and record the verdict.

    Counterfactual swaps over the sv and en templates (only the languages the model scores,
    ``scoring.languages``); false-positive and false-negative rates of the flag per
    ``parity_by`` group (within each ``parity_within`` stratum) on the held-out test split of
    the model's config; with ``dialect``, the TwitterAAE flag rates on Davidson's held-out
    tweets. Thresholds: ``thresholds``, else
    :func:`model_audit_thresholds`; ``n_boot`` and ``dialect_argmax`` override theirs. With
    ``record``, :func:`barometer.registry.record_audit` writes ``audit.json`` and the card's
    "Audit results" section.

    Raises
    ------
    InputError
        If the shared data folder (``shared_data``, else ``$BAROMETER_DATA_DIR``) is absent.
    ConfigError
        If no ``[audit]`` table is defined for the task.
    """
    from barometer import registry

    version = version or registry.active_versions(models_dir).get(task)
    if version is None:
        raise ModelError(f"no active version of '{task}'; name one with --version")
    config = version_config(task, version, models_dir)
    limits = thresholds or model_audit_thresholds(task, config)
    changes = {"n_boot": n_boot, "dialect_argmax": dialect_argmax}
    limits = limits.model_copy(update={k: v for k, v in changes.items() if v is not None})
    root = _data_root(task, config, shared_data)
    view = flag_view(registry.load_model(task, version, models_dir=models_dir), config)
    flagged = f"any class but {view.negative}" if view.negative else view.positive
    results = AuditResults(task=task, model_version=f"{task}-{version}")
    results.notes.append(
        f"flagged = {flagged}; counterfactual score = probability of being flagged; error "
        "rates of the most probable class"
    )
    sentences = audit_sentences(root, config.scoring.languages, results.notes)
    results.counterfactual = counterfactual_audit(view, sentences, positive_label="flagged")
    frame = _parity_frame(view, config, root)
    by = [c for c in limits.parity_by if c in frame.columns]
    within = [c for c in limits.parity_within if c in frame.columns]
    results.error_rates = error_rates(
        frame, y_true="y_true", y_pred="y_pred", by=by, within=within, n_boot=limits.n_boot,
        seed=seed,
    )  # fmt: skip
    if limits.dialect:
        results.dialect, note = _dialect_audit(view, config, root, limits, seed)
        results.notes.append(note)
    if record:
        command = f"barometer audit {task} --version {version}"
        registry.record_audit(
            task, version, audit_record(results, limits),
            audit_card_section(results, limits, command=command), models_dir=models_dir,
        )  # fmt: skip
    return results, limits


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows (NaN and infinities as None, numpy scalars as Python ones)."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not np.isfinite(value):
                value = None
            clean[str(key)] = value
        out.append(clean)
    return out


def audit_record(results: AuditResults, thresholds: AuditThresholds) -> dict[str, Any]:
    """The verdict and every table of an audit as a JSON-ready dict (``audit.json``)."""
    passed, reasons = audit_passes(results, thresholds)
    record: dict[str, Any] = {
        "task": results.task, "model_version": results.model_version, "passed": passed,
        "reasons": reasons, "thresholds": thresholds.model_dump(), "notes": results.notes,
    }  # fmt: skip
    if results.counterfactual is not None:
        by_group = results.counterfactual["by_group"]
        extreme = by_group.loc[by_group["deviation"].abs().nlargest(10).index]
        record["counterfactual_by_template"] = _records(results.counterfactual["by_template"])
        record["counterfactual_extreme_groups"] = _records(extreme)
    if results.error_rates is not None:
        record["error_rates"] = _records(results.error_rates)
        ratios = rate_ratios(results.error_rates, min_n=thresholds.min_group_n)
        record["rate_ratios"] = _records(ratios)
    if results.dialect is not None:
        record["dialect"] = _records(results.dialect)
    return record


def audit_card_section(results: AuditResults, thresholds: AuditThresholds, *, command: str) -> str:
    """The body of a card's "Audit results" section (audit headings one level down)."""
    body = audit_markdown(results, thresholds).splitlines()
    body = ["#" + line if line.startswith("#") else line for line in body]
    intro = f"Run `{command}` to reproduce; every number is in `audit.json` beside the model."
    return "\n".join([intro, "", *body])
