"""Hand memory the process has freed back to the operating system, between batches and steps.

A streamed ingest frees each batch's Python objects and Arrow buffers once the batch is
stored, but the allocators keep the freed pages for reuse: glibc's ``malloc`` holds them in its
heaps and per-thread arenas (lingua's worker threads have their own), and Arrow's memory pool
holds its own. The resident memory then stays near the largest batch's high-water mark and
creeps up as fragments of long-lived objects pin pages. :func:`release_memory` asks Arrow's
pool to release unused memory and, on Linux with glibc, calls ``malloc_trim(0)``, which returns
the free pages of every arena (elsewhere it does only the first). It changes no value, only
what the process keeps resident; it takes milliseconds per call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache

import pyarrow as pa


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None (not Linux, or a C library without it, as musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_memory() -> None:
    """Give freed memory back: Arrow's unused pool memory, and glibc's free heap pages."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
