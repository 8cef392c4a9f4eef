""":func:`barometer.memory_release.release_memory` hands freed heap pages back to the
operating system (glibc's ``malloc_trim``), which the allocator would otherwise keep."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from barometer.memory_release import _malloc_trim, release_memory


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    assert _malloc_trim() is not None
    release_memory()
    # 1,000-byte strings come from malloc's heap (not pymalloc, not mmap); every 50th one is
    # kept, so the freed ones are holes the heap cannot shrink past on its own
    held = [bytes(1000) + bytes([i % 256]) for i in range(200_000)]
    pins = held[::50]
    del held
    before = _rss_mib()
    release_memory()
    after = _rss_mib()
    assert before - after > 100, (before, after)
    assert len(pins) == 4_000
