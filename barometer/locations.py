"""Where barometer finds files: the package's own, and a city's.

The package ships its defaults as package data, found with :mod:`importlib.resources` (never by
walking up from a source file to a checkout):

- ``barometer/data/models/``: the default text models, their cards and training configs;
- ``barometer/data/sample/``: the sample municipality and its ready ``pipeline.toml``;
- ``barometer/data/pipelines/``: the other pilot configs (ESS Norway regional estimates);
- ``barometer/app/``: the Streamlit app.

A city's own files come from its configuration: the pipeline config's paths, ``[models] dir``
(or ``$BAROMETER_MODELS_DIR``) for its models, and for the public corpora that training, audits
and the reference configs read, an explicit ``--data`` option or ``$BAROMETER_DATA_DIR``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from barometer.exceptions import ConfigError

#: Environment variable naming the shared corpora folder (holding ``text/``, ``survey/``, ...).
DATA_ENV = "BAROMETER_DATA_DIR"


def package_path(*parts: str) -> Path:
    """A file or folder shipped inside the installed package, as a filesystem path.

    >>> package_path("data", "sample", "pipeline.toml").name
    'pipeline.toml'
    """
    path = Path(str(resources.files("barometer").joinpath(*parts)))
    if not path.exists():
        raise ConfigError(
            f"{path} is missing from the installed barometer package; reinstall it "
            "(pip install --force-reinstall barometer)"
        )
    return path


def packaged_models_dir() -> Path:
    """The default models shipped with the package (read-only once installed)."""
    return package_path("data", "models")


def training_config(task: str) -> Path:
    """The packaged default training config of ``task`` (``data/models/configs/TASK.toml``)."""
    return packaged_models_dir() / "configs" / f"{task}.toml"


def sample_dir() -> Path:
    """The packaged sample municipality (its files, ``GROUND_TRUTH.json`` and ``pipeline.toml``)."""
    return package_path("data", "sample")


def sample_config() -> Path:
    """The sample municipality's pipeline config (paths relative to :func:`sample_dir`)."""
    return sample_dir() / "pipeline.toml"


def pipeline_config(name: str) -> Path:
    """A packaged pilot config by file name, e.g. ``"ess_norway_regions.toml"``."""
    return package_path("data", "pipelines", name)


def app_entry() -> Path:
    """The Streamlit app's router script (``barometer/app/main.py``)."""
    return package_path("app", "main.py")


def shared_data_dir(explicit: str | Path | None = None) -> Path:
    """The folder of shared public corpora: ``explicit``, else ``$BAROMETER_DATA_DIR``.

    Raises
    ------
    ConfigError
        If neither names a folder, or the folder named does not exist.
    """
    chosen = explicit or os.environ.get(DATA_ENV, "").strip()
    if not chosen:
        raise ConfigError(
            "no shared data folder given: pass --data DIR (the folder holding text/, survey/, "
            f"geo/, ...) or set {DATA_ENV}"
        )
    path = Path(chosen).expanduser()
    if not path.is_dir():
        origin = "--data" if explicit else DATA_ENV
        raise ConfigError(f"shared data folder {path} (from {origin}) does not exist")
    return path
