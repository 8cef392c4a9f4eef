"""Model artefacts on disk: versioned skops files, their manifests, hashes and cards.

The storage layer of :mod:`barometer.registry` (which re-exports every public name here):
where a version lives, how it is written (atomically, never overwritten), hashed, verified and
loaded with only :data:`TRUSTED_TYPES`, and how a section of its card is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from barometer.exceptions import ModelError, ModelIntegrityError

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = "model.skops"
AUDIT_FILE = "audit.json"

#: Types (beyond skops' defaults) that a barometer model file may hold.
TRUSTED_TYPES: list[str] = [
    "barometer.nlp.classifiers.TextClassifier",
    "barometer.nlp.nbsvm.NBSVMClassifier",
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


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so readers never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def version_dir(task: str, version: str, models_dir: str | Path | None = None) -> Path:
    """``models/<task>/<version>``; raises :class:`ModelError` when it does not exist."""
    path = models_root(models_dir) / task / version
    if not (path / "manifest.json").is_file():
        known = [v["version"] for v in version_manifests(task, models_root(models_dir))]
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
    write_atomic(folder / "metrics.json", json.dumps(metrics, indent=1, sort_keys=True) + "\n")
    write_atomic(folder / "card.md", card)
    write_atomic(folder / "config.toml", config_text)
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
    write_atomic(folder / "manifest.json", json.dumps(manifest, indent=1) + "\n")
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


def version_manifests(task: str, root: Path) -> list[dict[str, Any]]:
    """The manifests of every version of ``task`` under ``root`` (sorted by version name)."""
    folder = root / task
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if (path / "manifest.json").is_file():
            out.append(json.loads((path / "manifest.json").read_text(encoding="utf-8")))
    return out


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
    write_atomic(path, "\n".join(lines).rstrip() + "\n")
    rehash(path.parent, "card.md")


def rehash(folder: Path, name: str) -> None:
    """Update the manifest's SHA-256 of ``name`` when the manifest records one."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if name in manifest.get("files", {}):
        manifest["files"][name] = sha256(folder / name)
        write_atomic(folder / "manifest.json", json.dumps(manifest, indent=1) + "\n")
