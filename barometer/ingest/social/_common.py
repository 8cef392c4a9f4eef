"""Helpers shared by the social-media adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from barometer.ingest.base import IngestResult
from barometer.ingest.quarantine import Quarantine

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


def parse_utc(value: object) -> pd.Timestamp | None:
    """Parse an ISO-8601 timestamp to UTC; ``None`` when missing or unparseable.

    A timestamp without an offset is rejected rather than guessed.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
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


def parse_epoch(value: object) -> pd.Timestamp | None:
    """Unix time in seconds (int, float or numeric string, as Reddit's ``created_utc`` and
    Telegram's ``date_unixtime``) to UTC; ``None`` when missing, not a number or out of range."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    # 1990-01-01 .. 2100-01-01: anything else is a corrupt field, not a post
    if not 631_152_000 <= seconds < 4_102_444_800:
        return None
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def as_dict(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (exports are not always well formed)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_count(value: object) -> int:
    """A non-negative whole count from a JSON number or numeric string ("1,234" too); else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str):
        value = value.replace(",", "").replace("\u00a0", "").strip()
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    return int(number) if 0 <= number < 1e15 else 0


class PostCollector:
    """Counts, deduplicates and quarantines the records of one file, so that
    ``n_read == kept + quarantined + duplicates`` holds by construction."""

    def __init__(self, source: str, path: Path) -> None:
        self.file = path.name
        self.quarantine = Quarantine(source=source)
        self.records: list[dict[str, object]] = []
        self.seen: set[object] = set()
        self.n_read = 0
        self.duplicates = 0
        self.notes: list[str] = []
        self.skipped: dict[str, int] = {}

    def skip(self, what: str) -> None:
        """Something in the file that is not a record (a stub, a service message)."""
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def reject(self, line: int, field_name: str, reason: str, raw: object = "") -> None:
        self.n_read += 1
        self.quarantine.reject(self.file, line, field_name, reason, raw)

    def add(self, record: dict[str, object]) -> None:
        self.n_read += 1
        if record["post_id"] in self.seen:
            self.duplicates += 1
            return
        self.seen.add(record["post_id"])
        self.records.append(record)

    def result(self) -> IngestResult:
        return IngestResult(
            to_frame(self.records),
            self.quarantine,
            n_read=self.n_read,
            n_duplicates=self.duplicates,
            notes=self.notes + [f"skipped {n} {what}" for what, n in self.skipped.items()],
        )
