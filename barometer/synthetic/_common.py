"""Shared helpers of the sample generator: the period, seeded streams, deterministic writers."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: First and last month of the sample period (inclusive), as ``YYYY-MM``.
PERIOD_START = "2023-01"
PERIOD_END = "2025-12"
TIMEZONE = "Europe/Stockholm"

#: Progress callback: receives one short human-readable message per step.
Progress = Callable[[str], None]

#: Stream numbers for :func:`stream`, one per part of the generator, so that each part draws
#: from its own random stream and changing one part never shifts the numbers of another.
STREAMS: dict[str, int] = {
    "municipality": 1,
    "social": 2,
    "survey": 3,
    "sensing": 4,
    "observation": 5,
}


def months() -> list[str]:
    """Return the 36 months of the period as ``YYYY-MM`` strings, oldest first."""
    return [str(p) for p in pd.period_range(PERIOD_START, PERIOD_END, freq="M")]


def stream(seed: int, part: str) -> np.random.Generator:
    """Return the random generator of one part of the sample (``default_rng([seed, k])``)."""
    return np.random.default_rng([seed, STREAMS[part]])


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, elementwise."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))))


def write_bytes(path: Path, data: bytes, *, compress: bool = False) -> int:
    """Write ``data`` to ``path`` (gzip with mtime 0 and no file name when ``compress``).

    Returns the number of bytes written. The output is byte-identical for identical input.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = gzip.compress(data, compresslevel=9, mtime=0) if compress else data
    path.write_bytes(payload)
    return len(payload)


def write_csv(path: Path, df: pd.DataFrame, *, compress: bool = False) -> int:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line endings and no index; see :func:`write_bytes`."""
    buffer = io.StringIO()
    df.to_csv(buffer, index=False, lineterminator="\n")
    return write_bytes(path, buffer.getvalue().encode("utf-8"), compress=compress)


def dumps(obj: Any) -> str:
    """Serialise ``obj`` as compact JSON, keeping non-ASCII characters."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def local_iso(utc: pd.DatetimeIndex | pd.Series) -> list[str]:
    """Format UTC instants as local Europe/Stockholm ISO 8601 strings with a ``+HH:MM`` offset.

    ``2024-03-31T01:00Z`` becomes ``2024-03-31T03:00:00+02:00`` (the first summer-time hour).
    """
    idx = pd.DatetimeIndex(utc)
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    local = idx.tz_convert(TIMEZONE)
    offset_h = (local.tz_localize(None) - idx.tz_convert("UTC").tz_localize(None)) / pd.Timedelta(
        hours=1
    )
    stamps = local.strftime("%Y-%m-%dT%H:%M:%S")
    return [
        f"{s}+{int(o):02d}:00" if o >= 0 else f"{s}-{int(-o):02d}:00"
        for s, o in zip(stamps, np.asarray(offset_h), strict=True)
    ]


def luhn_digit(digits: str) -> int:
    """Return the Luhn check digit of a Swedish personnummer's first nine digits (YYMMDDNNN)."""
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def as_float(value: Any) -> float:
    """``float(value)`` for a pandas scalar (typed ``Any`` so cell lookups type-check)."""
    return float(value)


def as_int(value: Any) -> int:
    """``int(value)`` for a pandas scalar (typed ``Any`` so cell lookups type-check)."""
    return int(value)
