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
    models/<task>/<version>/audit.json    the bias audit (barometer.nlp.audit.audit_model)

Loading verifies the SHA-256 of ``model.skops`` against the manifest, then checks that the file
holds no type outside :data:`TRUSTED_TYPES` before ``skops.io.load`` is called with that list.
:func:`activate` refuses a version whose bias audit is missing or failed unless forced.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.exceptions import ModelError, ModelIntegrityError
from barometer.schema import POST_SCORES

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = "model.skops"
AUDIT_FILE = "audit.json"

#: Types (beyond skops' defaults) that a barometer model file may hold.
TRUSTED_TYPES: list[str] = [
    "barometer.nlp.classifiers.TextClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.model_selection._split.StratifiedKFold",
]


def models_root(models_dir: str | Path | None = None) -> Path:
    """The models folder: ``models_dir``, else ``$BAROMETER_MODELS_DIR``, else ``<repo>/models``."""
    if models_dir is not None:
        return Path(models_dir)
    env = os.environ.get("BAROMETER_MODELS_DIR")
    return Path(env) if env else REPO_ROOT / "models"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def version_dir(task: str, version: str, models_dir: str | Path | None = None) -> Path:
    """``models/<task>/<version>``; raises :class:`ModelError` when it does not exist."""
    path = models_root(models_dir) / task / version
    if not (path / "manifest.json").is_file():
        known = [v["version"] for v in _versions(task, models_root(models_dir))]
        raise ModelError(
            f"no model '{task}' version '{version}' in {models_root(models_dir)}; "
            f"known versions: {known or 'none'} (train one with `barometer train {task}`)"
        )
    return path


def save_model(
    estimator: Any,
    task: str,
    version: str,
    *,
    metrics: dict[str, Any],
    card: str,
    config_text: str,
    gate: dict[str, Any] | None = None,
    models_dir: str | Path | None = None,
) -> Path:
    """Write a trained estimator and its documents to ``models/<task>/<version>/``.

    Returns the version folder. An existing version is never overwritten.
    """
    import skops.io as sio

    folder = models_root(models_dir) / task / version
    if folder.exists():
        raise ModelError(
            f"model folder {folder} exists already; pass another version name "
            f"(`--version NAME`) or delete the folder"
        )
    folder.mkdir(parents=True)
    sio.dump(estimator, folder / MODEL_FILE, compression=8, compresslevel=6)  # ZIP_DEFLATED
    _write_atomic(folder / "metrics.json", json.dumps(metrics, indent=1, sort_keys=True) + "\n")
    _write_atomic(folder / "card.md", card)
    _write_atomic(folder / "config.toml", config_text)
    import numpy
    import sklearn
    import skops

    manifest = {
        "task": task,
        "version": version,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": {MODEL_FILE: sha256(folder / MODEL_FILE)},
        "trusted_types": TRUSTED_TYPES,
        "gate": gate or {},
        "libraries": {
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": numpy.__version__,
        },
    }
    _write_atomic(folder / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    return folder


def read_manifest(task: str, version: str, models_dir: str | Path | None = None) -> dict[str, Any]:
    """The manifest of a model version (a dict)."""
    path = version_dir(task, version, models_dir) / "manifest.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def verify_model(task: str, version: str, models_dir: str | Path | None = None) -> Path:
    """Check the SHA-256 of ``model.skops`` against the manifest; return the file's path.

    Raises
    ------
    ModelIntegrityError
        If the file is missing or its hash differs from the recorded one.
    """
    manifest = read_manifest(task, version, models_dir)
    path = version_dir(task, version, models_dir) / MODEL_FILE
    expected = manifest.get("files", {}).get(MODEL_FILE)
    if not path.is_file() or expected is None:
        raise ModelIntegrityError(
            f"{path}: model file or its hash in manifest.json is missing; retrain with "
            f"`barometer train {task}` or restore the folder from git"
        )
    actual = sha256(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{path}: SHA-256 {actual[:12]}... does not match {expected[:12]}... recorded in "
            f"manifest.json; the file was changed or corrupted. Restore it "
            f"(`git checkout -- {path}`) or retrain with `barometer train {task}`"
        )
    return path


def load_model(
    task: str, version: str | None = None, *, models_dir: str | Path | None = None
) -> Any:
    """Load a model version (the active one by default) after verifying its hash and types.

    Raises
    ------
    ModelError
        If no version is active or given, or the file holds types outside
        :data:`TRUSTED_TYPES`.
    ModelIntegrityError
        If ``model.skops`` does not match its recorded SHA-256.
    """
    import skops.io as sio

    if version is None:
        version = active_versions(models_dir).get(task)
        if version is None:
            raise ModelError(
                f"no active version of '{task}' in {models_root(models_dir) / 'registry.toml'}; "
                f"activate one with barometer.registry.activate('{task}', VERSION)"
            )
    path = verify_model(task, version, models_dir)
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise ModelError(
            f"{path} holds types that are not trusted: {untrusted}; expected only "
            f"barometer.registry.TRUSTED_TYPES and skops defaults. Do not load this file"
        )
    return sio.load(path, trusted=TRUSTED_TYPES)


def active_versions(models_dir: str | Path | None = None) -> dict[str, str]:
    """Task -> active version, from ``registry.toml`` (empty when there is none)."""
    path = models_root(models_dir) / "registry.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path} is not valid TOML ({exc}); fix or delete the file") from exc
    return {str(k): str(v) for k, v in data.get("active", {}).items()}


class ActivationRefused(ModelError):
    """A model version has no passing bias audit, so it is not activated without ``force``."""


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
    """Write an audit (``barometer.nlp.audit.audit_record``) beside the model, tied to the
    SHA-256 of ``model.skops``, and put ``card_section`` in the card's "Audit results"."""
    folder = version_dir(task, version, models_dir)
    stamped = {
        **record, "version": version,
        "model_sha256": read_manifest(task, version, models_dir)["files"][MODEL_FILE],
        "audited_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }  # fmt: skip
    _write_atomic(folder / AUDIT_FILE, json.dumps(stamped, indent=1) + "\n")
    _rehash(folder, AUDIT_FILE)
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
    _write_atomic(root / "registry.toml", "\n".join(lines) + "\n")


def _versions(task: str, root: Path) -> list[dict[str, Any]]:
    folder = root / task
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if (path / "manifest.json").is_file():
            out.append(json.loads((path / "manifest.json").read_text(encoding="utf-8")))
    return out


def list_models(models_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per model version: task, version, active, created_at, size_mb, headline metric."""
    root = models_root(models_dir)
    active = active_versions(root)
    rows = []
    tasks = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for task in tasks:
        for manifest in _versions(task, root):
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


def update_card_section(
    task: str, version: str, heading: str, body: str, *, models_dir: str | Path | None = None
) -> None:
    """Replace (or append) the ``## heading`` section of a model card, e.g. "Audit results"."""
    path = version_dir(task, version, models_dir) / "card.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    marker = f"## {heading}"
    if marker in lines:
        start = lines.index(marker)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines = [*lines[:start], marker, "", body.strip(), "", *lines[end:]]
    else:
        lines += ["", marker, "", body.strip(), ""]
    _write_atomic(path, "\n".join(lines).rstrip() + "\n")
    _rehash(path.parent, "card.md")


def _rehash(folder: Path, name: str) -> None:
    """Update the manifest's SHA-256 of ``name`` when the manifest records one."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if name in manifest.get("files", {}):
        manifest["files"][name] = sha256(folder / name)
        _write_atomic(folder / "manifest.json", json.dumps(manifest, indent=1) + "\n")


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
