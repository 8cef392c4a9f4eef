"""Helpers shared by the social-media adapters."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import IO

import pandas as pd

from barometer.exceptions import InputError

SOCIAL_RAW_COLUMNS: list[str] = [
    "post_id",
    "source",
    "created_at",
    "author_id",
    "text",
    "lang_hint",
    "lat",
    "lon",
    "place_name",
    "engagement",
    "is_repost",
]


def open_text(path: Path) -> IO[str]:
    """Open a text file, transparently decompressing ``.gz``; clear error if unreadable."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc}") from exc


def parse_utc(value: object) -> pd.Timestamp | None:
    """Parse an ISO-8601 timestamp to UTC; ``None`` when missing or unparseable.

    A timestamp without an offset is rejected rather than guessed.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if ts is pd.NaT or ts.tzinfo is None:
        return None
    return ts.tz_convert("UTC")


def to_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Rows in the social raw layout, with stable dtypes even when empty."""
    frame = pd.DataFrame(records, columns=SOCIAL_RAW_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["lat"] = frame["lat"].astype("float64")
    frame["lon"] = frame["lon"].astype("float64")
    frame["engagement"] = frame["engagement"].fillna(0).astype("int64")
    frame["is_repost"] = frame["is_repost"].astype(bool)
    return frame
