"""Where each live stream stands: its cursor, and which landed pages are safely ingested.

One JSON file, ``<warehouse>/live/state.json``, rewritten atomically (temporary file + rename)
after each page is ingested: the page's hash joins the ledger and the stream's cursor moves in
the same write, so a kill at any point leaves either the old state or the new one, never half.

A stream's cursor is a *window* model that works alike for every platform:

- ``newest``: every post at or below this one is in the warehouse (``None`` before the first
  complete window);
- ``window``: a window being filled from the top down: ``top`` is the newest post seen in it,
  ``bottom`` the oldest ingested so far; the posts between ``bottom`` and ``newest`` are still
  to fetch (older than ``bottom``, newer than ``newest``).

A window closes when the server has nothing older (or the floor is reached): ``newest`` becomes
its ``top``. A run stopped by its page cap, a rate limit or a kill leaves the window open, and the
next run goes on below ``bottom`` before opening a new window at the top.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from barometer.exceptions import WarehouseError
from barometer.parquet_parts import atomic_write_bytes

STATE_VERSION = 1


@dataclass(frozen=True)
class Mark:
    """One post a cursor points at: its platform id and its time (ISO 8601, UTC, or "")."""

    id: str
    created_at: str = ""


@dataclass(frozen=True)
class Window:
    top: Mark
    bottom: Mark


@dataclass(frozen=True)
class Cursor:
    newest: Mark | None = None
    window: Window | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any] | None) -> Cursor:
        if not data:
            return Cursor()
        newest = data.get("newest")
        window = data.get("window")
        return Cursor(
            newest=Mark(**newest) if newest else None,
            window=Window(Mark(**window["top"]), Mark(**window["bottom"])) if window else None,
        )


class LiveState:
    """The cursors of every stream and the ledger of ingested landing pages of a warehouse."""

    def __init__(self, warehouse: Path | str) -> None:
        self.path = Path(warehouse) / "live" / "state.json"
        self._cursors: dict[str, dict[str, Any]] = {}
        self._ingested: dict[str, str] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._cursors = dict(data.get("cursors", {}))
                self._ingested = dict(data.get("ingested", {}))
            except (ValueError, AttributeError, TypeError) as exc:
                raise WarehouseError(
                    f"{self.path}: unreadable fetch state ({exc}); restore it from a backup, "
                    "or move it away and run 'barometer fetch CONFIG --from-landing' to rebuild "
                    "it from the landing folder"
                ) from exc

    def cursor(self, source: str, stream: str) -> Cursor:
        return Cursor.from_dict(self._cursors.get(f"{source}/{stream}"))

    def set_cursor(self, source: str, stream: str, cursor: Cursor) -> None:
        self._cursors[f"{source}/{stream}"] = cursor.to_dict()

    def has_cursor(self, source: str, stream: str) -> bool:
        return f"{source}/{stream}" in self._cursors

    def is_ingested(self, relative_path: str) -> bool:
        """Whether the landed page at this path (relative to the warehouse) is ingested."""
        return relative_path in self._ingested

    def mark_ingested(self, relative_path: str, sha256: str) -> None:
        self._ingested[relative_path] = sha256

    def cursors(self) -> dict[str, dict[str, Any]]:
        return {key: dict(value) for key, value in sorted(self._cursors.items())}

    def save(self) -> None:
        """Write the state atomically (call after each ingested page)."""
        data = {
            "version": STATE_VERSION,
            "cursors": dict(sorted(self._cursors.items())),
            "ingested": dict(sorted(self._ingested.items())),
        }
        atomic_write_bytes(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
