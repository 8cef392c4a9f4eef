"""Shared test helpers: fixture paths and the project's shared data folder.

In CI (``CI=true``) nothing may be skipped: a missing ``../shared`` stops the run at once, and any
test that would skip (shared data, Chromium, an optional package) fails instead, so a green CI
always means every test ran.
"""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """With ``CI=true`` a skipped test is reported as failed, naming the skip's reason."""
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"


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
    config = load_config(REPO_ROOT / "pipelines" / "botkyrka_sample.toml")
    report = run_pipeline(config, warehouse=root, show_progress=False)
    return root, report.manifest
