"""Shared test helpers: fixture paths and the project's shared data folder.

The packaged files (sample, models, app) are found as the package finds them
(:mod:`barometer.locations`); the shared corpora at ``../shared/data``, which the session hands to
the package through ``$BAROMETER_DATA_DIR`` (the package itself never looks there).

In CI (``CI=true``) nothing may be skipped: a missing ``../shared`` stops the run at once, and any
test that would skip (shared data, Chromium, an optional package) fails instead, so a green CI
always means every test ran.
"""

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from barometer import locations

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SAMPLE_DIR = locations.sample_dir()
SAMPLE_CONFIG = locations.sample_config()
MODELS_DIR = locations.packaged_models_dir()
APP_DIR = locations.app_entry().parent
PIPELINES_DIR = locations.pipeline_config("ess_norway_regions.toml").parent

if SHARED_DATA.is_dir():
    os.environ.setdefault(locations.DATA_ENV, str(SHARED_DATA))


def in_ci() -> bool:
    """True where the ``CI`` environment variable says so (``.ci/run`` runs with ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_sessionstart(session: pytest.Session) -> None:
    if in_ci() and not SHARED_DATA.is_dir():
        pytest.exit(
            f"CI=true but the shared data folder {SHARED_DATA} is missing: the reference, corpus "
            "and format tests need it, and CI must not skip them",
            returncode=1,
        )


@pytest.fixture(autouse=True)
def _keep_the_real_main_module() -> Iterator[None]:
    """Streamlit's ``AppTest`` leaves the app script in ``sys.modules["__main__"]`` after its
    test; processes started with ``spawn`` (the ingest workers, Dask's workers) re-run the
    parent's ``__main__`` from its path, and that script cannot be imported outside Streamlit,
    so every child would die at start. Each test gets back the interpreter's own module."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """With ``CI=true`` a skipped test is reported as failed, naming the skip's reason."""
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"


def observation_rows(ids: list[str]) -> pd.DataFrame:
    """Canonical observation rows with the given ids (one session each, same site and hour)."""
    n = len(ids)
    return pd.DataFrame(
        {
            "observation_id": ids,
            "site_id": ["s1"] * n,
            "neighbourhood_id": ["west"] * n,
            "start": pd.to_datetime(["2024-05-01T10:00Z"] * n),
            "end": pd.to_datetime(["2024-05-01T11:00Z"] * n),
            "n_people": [10] * n,
            "n_interactions": [3] * n,
            "n_mixed_interactions": [1] * n,
            "n_conflicts": [0] * n,
            "observer_pseudonym": ["observer-1"] * n,
        }
    )


def load_bench(name: str) -> ModuleType:
    """The script ``bench/<name>.py`` imported as a module (the bench folder is no package)."""
    path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test when the folder is absent (a clone
    outside this project); in CI it is always present."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent (clone outside the project)")
    return SHARED_DATA.joinpath(*parts)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def mini_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pipeline run once over the hand-written fixtures."""
    from barometer.config import load_config
    from barometer.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("mini") / "warehouse"
    run_pipeline(load_config(FIXTURES / "mini.toml"), warehouse=root, show_progress=False)
    return root


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The sample municipality built once per session: (warehouse, run manifest). Tests that
    change a warehouse work on a copy (``shutil.copytree``)."""
    from barometer.config import load_config
    from barometer.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("sample") / "warehouse"
    config = load_config(SAMPLE_CONFIG)
    report = run_pipeline(config, warehouse=root, show_progress=False)
    return root, report.manifest
