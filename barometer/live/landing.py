"""The landing folder: every raw response page, exactly as the server sent it, never changed.

Layout inside a warehouse::

    landing/<source>/<stream>/<UTC time>-<sha256[:16]>.page.json   the response body, byte for byte
    landing/<source>/<stream>/<UTC time>-<sha256[:16]>.meta.json   where and when it came from

The time (``20261130T060102123456Z``, microseconds) orders the pages as they were fetched, so a
re-ingest in name order replays the fetches in their order; the content hash makes a page the
server sends twice land once. A meta file holds the request (host, path, parameters; never a
credential), the HTTP status, the rate-limit and ``Link`` headers, and the stream's cursor after
the page, from which ``fetch --from-landing`` restores the cursors.

Pages hold raw public posts with account names and ids: the folders are created owner-only
(0700) and the files owner-readable (0600). See ``docs/OPERATIONS.md`` for retention.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from barometer.parquet_parts import atomic_write_bytes

PAGE_SUFFIX = ".page.json"
META_SUFFIX = ".meta.json"


@dataclass
class LandedPage:
    """One page in the landing folder."""

    source: str
    stream: str
    path: Path

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the page's bytes (read once)."""
        return _sha256(self.path.read_bytes())

    @property
    def stem(self) -> str:
        return self.path.name.removesuffix(PAGE_SUFFIX)

    @property
    def meta_path(self) -> Path:
        return self.path.with_name(self.stem + META_SUFFIX)

    def meta(self) -> dict[str, Any]:
        """The page's meta record; empty when it is missing or unreadable (a kill between the
        page and its meta file): the page itself is all a re-ingest needs."""
        try:
            data = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


def _private_dirs(root: Path, *parts: str) -> Path:
    """``root/parts...``, each level created owner-only (0700) when missing."""
    path = root
    for part in ("", *parts):
        path = path / part if part else path
        path.mkdir(mode=0o700, parents=not part, exist_ok=True)
    return path


class Landing:
    """The landing folder of one warehouse."""

    def __init__(self, warehouse: Path | str) -> None:
        self.warehouse = Path(warehouse)
        self.root = self.warehouse / "landing"

    def relative(self, page: LandedPage) -> str:
        return page.path.relative_to(self.warehouse).as_posix()

    def find(self, source: str, stream: str, sha256: str) -> LandedPage | None:
        """The page of ``source``/``stream`` with this content, if it has landed already."""
        folder = self.root / source / stream
        for path in sorted(folder.glob(f"*-{sha256[:16]}{PAGE_SUFFIX}")):
            page = LandedPage(source, stream, path)
            if page.sha256 == sha256:
                return page
        return None

    def write(
        self, source: str, stream: str, body: bytes, meta: dict[str, Any]
    ) -> tuple[LandedPage, bool]:
        """Land ``body``; return the page and whether it is new (``False``: the same bytes had
        landed before, and nothing was written)."""
        digest = _sha256(body)
        found = self.find(source, stream, digest)
        if found is not None:
            return found, False
        folder = _private_dirs(self.root, source, stream)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = folder / f"{stamp}-{digest[:16]}{PAGE_SUFFIX}"
        page = LandedPage(source, stream, path)
        atomic_write_bytes(path, body)
        record = {**meta, "sha256": digest, "bytes": len(body), "landed_at": stamp}
        atomic_write_bytes(
            page.meta_path, json.dumps(record, indent=1, sort_keys=True, default=str).encode()
        )
        return page, True

    def pages(self, sources: list[str] | None = None) -> list[LandedPage]:
        """Every landed page (of ``sources`` when given), in the order they were fetched."""
        if not self.root.is_dir():
            return []
        found: list[LandedPage] = []
        for source_dir in sorted(p for p in self.root.iterdir() if p.is_dir()):
            if sources is not None and source_dir.name not in sources:
                continue
            for stream_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
                for path in stream_dir.glob(f"*{PAGE_SUFFIX}"):
                    found.append(LandedPage(source_dir.name, stream_dir.name, path))
        return sorted(found, key=lambda p: (p.path.name, p.source, p.stream))

    def sources(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
