"""Model registry: versioned skops artefacts with hashes, cards and one active version per task.

Layout (``models/`` at the repository root unless ``models_dir`` or ``$BAROMETER_MODELS_DIR``
says otherwise)::

    models/registry.toml                  [active] task = "version"
    models/configs/<task>.toml            default training configs
    models/<task>/<version>/model.skops   the estimator (skops, never pickle)
    models/<task>/<version>/manifest.json SHA-256 of model.skops, versions, scoring gate
    models/<task>/<version>/metrics.json  tidy evaluation rows (reproduced by `evaluate`)
    models/<task>/<version>/card.md       the model card
    models/<task>/<version>/config.toml    the resolved training config
    models/<task>/<version>/audit.json    the bias audit (barometer.audit.audit_model)

Loading verifies the SHA-256 of ``model.skops`` against the manifest, then checks that the file
holds no type outside :data:`TRUSTED_TYPES` before ``skops.io.load`` is called with that list.
:func:`activate` refuses a version whose bias audit is missing or failed unless forced.
The files of a version are written, hashed and loaded by :mod:`barometer.model_store`, whose
public names are re-exported here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.exceptions import ActivationRefused, ModelError
from barometer.model_store import (
    AUDIT_FILE,
    MODEL_FILE,
    REPO_ROOT,
    TRUSTED_TYPES,
    active_versions,
    load_model,
    models_root,
    read_manifest,
    rehash,
    save_model,
    sha256,
    update_card_section,
    verify_model,
    version_dir,
    version_manifests,
    write_atomic,
)
from barometer.schema import POST_SCORES

__all__ = [
    "AUDIT_FILE",
    "MODEL_FILE",
    "REPO_ROOT",
    "TRUSTED_TYPES",
    "ActivationRefused",
    "activate",
    "active_model_versions",
    "active_versions",
    "audit_problems",
    "gate_posts",
    "list_models",
    "load_model",
    "models_root",
    "read_audit",
    "read_manifest",
    "record_audit",
    "save_model",
    "score_with_active_models",
    "sha256",
    "update_card_section",
    "verify_model",
    "version_dir",
]


def read_audit(task: str, version: str, models_dir: str | Path | None = None) -> dict[str, Any]:
    """The ``audit.json`` of a model version (an empty dict when it was never audited)."""
    path = version_dir(task, version, models_dir) / AUDIT_FILE
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def record_audit(
    task: str,
    version: str,
    record: dict[str, Any],
    card_section: str,
    *,
    models_dir: str | Path | None = None,
) -> Path:
    """Write an audit (``barometer.audit.audit_record``) beside the model, tied to the
    SHA-256 of ``model.skops``, and put ``card_section`` in the card's "Audit results"."""
    folder = version_dir(task, version, models_dir)
    stamped = {
        **record, "version": version,
        "model_sha256": read_manifest(task, version, models_dir)["files"][MODEL_FILE],
        "audited_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }  # fmt: skip
    write_atomic(folder / AUDIT_FILE, json.dumps(stamped, indent=1) + "\n")
    rehash(folder, AUDIT_FILE)
    update_card_section(task, version, "Audit results", card_section, models_dir=models_dir)
    return folder / AUDIT_FILE


def audit_problems(task: str, version: str, models_dir: str | Path | None = None) -> list[str]:
    """Why a version may not be activated without force (empty: its audit passed)."""
    audit = read_audit(task, version, models_dir)
    if not audit:
        return [f"no bias audit ({AUDIT_FILE} missing; run `barometer audit {task} --version "
                f"{version}`)"]  # fmt: skip
    expected = read_manifest(task, version, models_dir)["files"][MODEL_FILE]
    if audit.get("model_sha256") != expected:
        return [f"{AUDIT_FILE} audits another model file (SHA-256 differs); audit it again"]
    if not audit.get("passed"):
        return [f"audit failed: {reason}" for reason in audit.get("reasons", [])] or [
            "audit failed"
        ]
    return []


def activate(
    task: str,
    version: str,
    *,
    force: bool = False,
    reason: str = "",
    models_dir: str | Path | None = None,
) -> None:
    """Make ``version`` the active model of ``task``: its hash is verified, and its bias audit
    (``audit.json``) must have passed.

    With ``force=True`` a version without a passing audit is activated anyway, and its card's
    "Activation" section records the failed checks and ``reason``.

    Raises
    ------
    ActivationRefused
        If the audit is missing, is of another model file, or failed, and ``force`` is False.
    """
    verify_model(task, version, models_dir)
    problems = audit_problems(task, version, models_dir)
    if problems and not force:
        raise ActivationRefused(
            f"{task} {version} not activated: " + "; ".join(problems) + ". Fix the model, or "
            f"activate it anyway with `barometer activate {task} {version} --force --reason "
            "'...'` (the card records why)"
        )
    if problems:
        when = datetime.now(UTC).strftime("%Y-%m-%d")
        body = "\n".join(
            [f"Activated with `--force` on {when} although:", "",
             *[f"- {p}" for p in problems], "",
             f"Reason given: {reason.strip() or 'none given'}"]
        )  # fmt: skip
        update_card_section(task, version, "Activation", body, models_dir=models_dir)
    active = active_versions(models_dir) | {task: version}
    lines = [
        "# Active model version per task (written by barometer.registry.activate).",
        "[active]",
    ]
    lines += [f'{name} = "{active[name]}"' for name in sorted(active)]
    root = models_root(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(root / "registry.toml", "\n".join(lines) + "\n")


def list_models(models_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per model version: task, version, active, created_at, size_mb, headline metric."""
    root = models_root(models_dir)
    active = active_versions(root)
    rows = []
    tasks = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for task in tasks:
        for manifest in version_manifests(task, root):
            folder = root / task / manifest["version"]
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
            rows.append(
                {
                    "task": task,
                    "version": manifest["version"],
                    "active": active.get(task) == manifest["version"],
                    "created_at": manifest.get("created_at", ""),
                    "size_mb": round((folder / MODEL_FILE).stat().st_size / 1e6, 2),
                    "headline": metrics.get("headline", ""),
                }
            )
    columns = ["task", "version", "active", "created_at", "size_mb", "headline"]
    return pd.DataFrame(rows, columns=columns)


_LOADED: dict[tuple[str, str, str, int, int], Any] = {}


def _cached_model(task: str, version: str, models_dir: str | Path | None) -> Any:
    """A loaded model, kept per process while its file is unchanged (path, mtime, size)."""
    path = models_root(models_dir).resolve() / task / version / MODEL_FILE
    stat = path.stat() if path.is_file() else None
    key = (str(path), task, version, stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
    if key not in _LOADED:
        _LOADED[key] = load_model(task, version, models_dir=models_dir)
    return _LOADED[key]


def score_with_active_models(
    posts: pd.DataFrame, *, models_dir: str | Path | None = None
) -> pd.DataFrame:
    """Score posts (``post_id``, ``text``, ``lang``) with every active model of the registry.

    A model whose manifest names a gate (``{"task": "hostility", "exclude": ["not_hostile"]}``)
    scores only the posts that the gate task labelled otherwise (e.g. ``hostility_target``
    only for posts labelled hostile). Loaded models are kept in memory while their files are
    unchanged, so calling this once per batch is cheap. Returns ``post_scores`` rows.
    """
    active = active_versions(models_dir)
    frames: dict[str, pd.DataFrame] = {}
    gated: list[tuple[str, str, dict[str, Any]]] = []
    for task, version in sorted(active.items()):
        gate = read_manifest(task, version, models_dir).get("gate") or {}
        if gate.get("task"):
            gated.append((task, version, gate))
        else:
            frames[task] = _cached_model(task, version, models_dir).score_posts(posts)
    for task, version, gate in gated:
        parent = frames.get(gate["task"])
        if parent is None:
            continue  # the gate task is not active: nothing to condition on
        keep = parent.loc[~parent["label"].isin(gate.get("exclude", [])), "post_id"]
        subset = posts[posts["post_id"].astype(str).isin(set(keep))]
        frames[task] = _cached_model(task, version, models_dir).score_posts(subset)
    if not frames:
        return pd.DataFrame(columns=POST_SCORES.columns)
    return pd.concat(frames.values(), ignore_index=True)[POST_SCORES.columns]


def active_model_versions(models_dir: str | Path | None = None) -> dict[str, str]:
    """Task -> the ``model_version`` string its active model writes to ``post_scores``."""
    return {task: f"{task}-{version}" for task, version in active_versions(models_dir).items()}


def model_languages(task: str, models_dir: str | Path | None = None) -> frozenset[str] | None:
    """Languages the active model of ``task`` scores (``scoring.languages`` of its stored
    config), or None for every language; read without loading the model."""
    import tomllib

    version = active_versions(models_dir).get(task)
    if version is None:
        raise ModelError(f"no active version of '{task}'; activate one first")
    path = version_dir(task, version, models_dir) / "config.toml"
    if not path.is_file():
        return None
    languages = tomllib.loads(path.read_text(encoding="utf-8")).get("scoring", {}).get("languages")
    return frozenset(languages) if languages else None


def gate_posts(
    task: str,
    posts: pd.DataFrame,
    post_scores: pd.DataFrame,
    *,
    models_dir: str | Path | None = None,
) -> pd.DataFrame:
    """The posts that the active model of ``task`` should score, given earlier scores.

    For a gated model (e.g. ``hostility_target``, gate ``hostility`` minus ``not_hostile``),
    only posts with a ``post_scores`` row of the gate task's active version and a label outside
    the excluded ones; for other models, all ``posts``.
    """
    version = active_versions(models_dir).get(task)
    if version is None:
        raise ModelError(f"no active version of '{task}'; activate one first")
    gate = read_manifest(task, version, models_dir).get("gate") or {}
    if not gate.get("task"):
        return posts
    parent = active_model_versions(models_dir).get(gate["task"])
    rows = post_scores[
        (post_scores["task"] == gate["task"])
        & (post_scores["model_version"] == parent)
        & ~post_scores["label"].isin(gate.get("exclude", []))
    ]
    return posts[posts["post_id"].astype(str).isin(set(rows["post_id"].astype(str)))]
