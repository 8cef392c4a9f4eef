"""Data files shipped with the package (rumour catalogue, theme taxonomy, audit templates)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from barometer.exceptions import InputError


def read_data_toml(name: str, what: str, path: str | Path | None = None) -> dict[str, Any]:
    """Parse ``path``, or the packaged ``barometer/data/<name>`` when ``path`` is None.

    Raises :class:`InputError` naming ``what`` and the file when it cannot be read or parsed.
    """
    try:
        if path is None:
            raw = resources.files("barometer").joinpath(f"data/{name}").read_text("utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        return tomllib.loads(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read {what} {path or name}: {exc}") from exc
