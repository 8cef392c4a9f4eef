"""Shared test helpers: fixture paths and the project's shared data folder."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


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
