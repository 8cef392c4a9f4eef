"""Model artefacts on disk: versioned skops files, their manifests, hashes and cards.

The storage layer of :mod:`barometer.registry` (which re-exports every public name here):
where a version lives, how it is written (atomically, never overwritten), hashed, verified and
loaded with only :data:`TRUSTED_TYPES`, and how a section of its card is replaced.

Two stores are searched, first match wins:

1. the city's models folder, writable: ``models_dir`` when a function is given one, else the
   pipeline config's ``[models] dir`` while a run uses it (:func:`use_models_dir`), else
   ``$BAROMETER_MODELS_DIR``;
2. the default models shipped with the package (``barometer/data/models``), read-only.

Active versions are the packaged ``registry.toml`` overlaid by the city's. Training, audits and
activation write to the city's folder only: a packaged version that is audited or force-activated
is first copied there, and without a city folder they refuse (never writing into the installed
package).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from barometer.exceptions import ModelError, ModelIntegrityError
from barometer.locations import packaged_models_dir

#: Environment variable naming the city's models folder.
MODELS_ENV = "BAROMETER_MODELS_DIR"
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


_CONFIGURED: ContextVar[Path | None] = ContextVar("barometer_models_dir", default=None)


@contextmanager
def use_models_dir(path: str | Path | None) -> Iterator[None]:
    """Within the block, ``path`` (a pipeline config's ``[models] dir``) is the city's models
    folder for every call that is not given one; None leaves the default in place."""
    token = _CONFIGURED.set(Path(path) if path else None)
    try:
        yield
    finally:
        _CONFIGURED.reset(token)


def city_models_dir(models_dir: str | Path | None = None) -> Path | None:
    """The city's (writable) models folder: ``models_dir``, else the config's ``[models] dir``
    in use, else ``$BAROMETER_MODELS_DIR``; None when none is set."""
    if models_dir is not None:
        return Path(models_dir)
    configured = _CONFIGURED.get()
    if configured is not None:
        return configured
    env = os.environ.get(MODELS_ENV, "").strip()
    return Path(env) if env else None


def model_stores(models_dir: str | Path | None = None) -> list[Path]:
    """The folders searched for a model version, first match wins: the city's, the package's."""
    stores: list[Path] = []
    for path in (city_models_dir(models_dir), packaged_models_dir()):
        if path is not None and all(path.resolve() != s.resolve() for s in stores):
            stores.append(path)
    return stores


def models_root(models_dir: str | Path | None = None) -> Path:
    """The folder that training, audits and activation write to (the city's).

    Raises
    ------
    ModelError
        If no city models folder is set: the package's default models are read-only.
    """
    city = city_models_dir(models_dir)
    if city is None:
        raise ModelError(
            "no models folder to write to (the default models inside the package are "
            f"read-only): pass --models-dir DIR, set {MODELS_ENV}, or set the pipeline "
            "config's [models] dir"
        )
    return city


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
    """``<store>/<task>/<version>`` of the first store holding it; raises :class:`ModelError`
    when none does."""
    for store in model_stores(models_dir):
        path = store / task / version
        if (path / "manifest.json").is_file():
            return path
    known = [v["version"] for v in version_manifests(task, models_dir)]
    where = " or ".join(str(s) for s in model_stores(models_dir))
    raise ModelError(
        f"no model '{task}' version '{version}' in {where}; known versions: "
        f"{known or 'none'} (train one with `barometer train {task}`)"
    )


def writable_version_dir(task: str, version: str, models_dir: str | Path | None = None) -> Path:
    """The version's folder in the city's models folder, copied there from the package first
    when it is a packaged default (so an audit or a card note never edits the package)."""
    found = version_dir(task, version, models_dir)
    root = models_root(models_dir)
    target = root / task / version
    if found.resolve() != target.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(found, target)
    return target


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
    taken = [s / task / version for s in model_stores(models_dir) if (s / task / version).exists()]
    if folder.exists() or taken:
        raise ModelError(
            f"model folder {(taken or [folder])[0]} exists already; pass another version name "
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
                f"no active version of '{task}' in the registry.toml of "
                f"{' or '.join(str(s) for s in model_stores(models_dir))}; activate one with "
                f"`barometer activate {task} VERSION`"
            )
    path = verify_model(task, version, models_dir)
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise ModelError(
            f"{path} holds types that are not trusted: {untrusted}; expected only "
            f"barometer.registry.TRUSTED_TYPES and skops defaults. Do not load this file"
        )
    return sio.load(path, trusted=TRUSTED_TYPES)


def read_registry(root: Path) -> dict[str, str]:
    """Task -> active version from ``root/registry.toml`` (empty when there is none)."""
    path = root / "registry.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path} is not valid TOML ({exc}); fix or delete the file") from exc
    return {str(k): str(v) for k, v in data.get("active", {}).items()}


def active_versions(models_dir: str | Path | None = None) -> dict[str, str]:
    """Task -> active version: the packaged ``registry.toml`` overlaid by the city's."""
    active: dict[str, str] = {}
    for store in reversed(model_stores(models_dir)):
        active |= read_registry(store)
    return active


def version_manifests(task: str, models_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """The manifests of every version of ``task`` in every store (sorted by version name; a
    city's copy of a packaged version stands for it)."""
    found: dict[str, dict[str, Any]] = {}
    for store in reversed(model_stores(models_dir)):
        folder = store / task
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if (path / "manifest.json").is_file():
                found[path.name] = json.loads((path / "manifest.json").read_text("utf-8"))
    return [found[name] for name in sorted(found)]


def update_card_section(
    task: str, version: str, heading: str, body: str, *, models_dir: str | Path | None = None
) -> None:
    """Replace (or append) the ``## heading`` section of a model card, e.g. "Audit results"
    (in the city's models folder: see :func:`writable_version_dir`)."""
    path = writable_version_dir(task, version, models_dir) / "card.md"
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
