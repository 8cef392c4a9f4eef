"""How ``barometer app`` starts the Streamlit app shipped in ``barometer/app``.

Streamlit reads ``.streamlit/config.toml`` from the folder it starts in, which for an installed
package is the user's folder, not the app's; so the app's settings (viewer mode, theme) travel as
command-line options read from ``streamlit_config.toml`` beside the app. The user's own
``.streamlit/secrets.toml`` (an ``[auth]`` provider) is still read from their folder.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from barometer.locations import app_entry, package_path
from barometer.read import WAREHOUSE_ENV


def streamlit_options() -> list[str]:
    """``--section.key value`` pairs of the packaged ``streamlit_config.toml``."""
    config = tomllib.loads(package_path("app", "streamlit_config.toml").read_text("utf-8"))
    options: list[str] = []
    for section, values in config.items():
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            options += [f"--{section}.{key}", text]
    return options


def streamlit_command(*, port: int, headless: bool = False) -> list[str]:
    """The command that serves the app on ``127.0.0.1:port`` with the packaged settings."""
    command = [sys.executable, "-m", "streamlit", "run", str(app_entry()), *streamlit_options()]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    return command + (["--server.headless", "true"] if headless else [])


def streamlit_environment(warehouse: Path) -> dict[str, str]:
    """The process environment with the warehouse the app shows (``$BAROMETER_WAREHOUSE``)."""
    return {**os.environ, WAREHOUSE_ENV: str(Path(warehouse).resolve())}
