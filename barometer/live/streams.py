"""Small helpers shared by the connectors: folder-safe stream names and platform timestamps."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime

_UNSAFE = re.compile(r"[^a-z0-9_]+")


def stream_name(prefix: str, value: str) -> str:
    """A folder-safe, stable stream name: ``tag-botkyrka``, ``r-stockholm-search-1a2b3c4d``.

    Letters are folded to ASCII (``Fittjaträff`` -> ``fittjatraff``); when folding changed
    anything but the case, or the value is long, a short hash of the exact value keeps two
    values apart.
    """
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    slug = _UNSAFE.sub("-", folded).strip("-")[:40]
    if slug != value.lower() or not slug:
        slug = f"{slug}-{hashlib.sha256(value.encode()).hexdigest()[:8]}".strip("-")
    return f"{prefix}-{slug}"


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time with an offset (``2024-05-02T10:00:00.000Z``) as UTC; else ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def epoch_time(value: object) -> datetime | None:
    """Unix seconds (Reddit's ``created_utc``) as UTC; else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        return None
