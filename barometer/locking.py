"""One writer at a time: an exclusive ``fcntl.flock`` on ``<warehouse>/.lock``.

Every command that writes to a warehouse (``run``, ``ingest``, ``erase``, ``prune``) holds the
lock for its whole duration; a second writer is refused at once with a message naming the
holder. The kernel releases the lock when the holder's process ends, however it ends (even by
``SIGKILL``), so a crashed run never leaves a stale lock behind; the lock file itself is never
deleted (deleting it would let two writers lock two different files). Readers (the app,
``status``, reports) take no lock: they read the published DuckDB file, which is replaced
atomically, and parts that are only ever added or renamed into place.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from barometer.exceptions import WarehouseError

LOCK_FILE = ".lock"


class WarehouseLock:
    """Context manager holding the exclusive write lock of the warehouse folder ``root``."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`WarehouseError` naming who holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(os.pread(fd, 4096, 0))
            os.close(fd)
            raise WarehouseError(
                f"another barometer command is writing to {self.path.parent} ({holder}); "
                "wait for it to finish, then run this one again"
            ) from None
        stamp = {
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(os.path.basename(a) for a in sys.argv[:2]),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(stamp).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> WarehouseLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _describe(raw: bytes) -> str:
    try:
        stamp = json.loads(raw.decode())
        return f"process {stamp['pid']}, '{stamp['command']}', since {stamp['since']}"
    except (ValueError, KeyError, TypeError):
        return "a process that is starting"
