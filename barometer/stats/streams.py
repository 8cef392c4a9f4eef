"""One random stream per group, drawn for every group at once (counter-based SplitMix64).

A cluster bootstrap over many cells (neighbourhood x month) should give each cell replicates
that depend only on that cell's own rows, the seed and the cell's key: then adding posts to one
cell, or adding or reordering other cells, leaves every other cell's interval as it was, and a
run that adds a week can redraw only the cells the week touched. A ``numpy`` generator per cell
would do that, but creating 100,000 of them costs more than the draws. SplitMix64 (Steele, Lea
and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014) is counter based:
draw ``k`` of a stream is ``mix(origin + (k + 1) * gamma)``, a pure function of the stream's
origin and ``k``, so every group's ``k``-th draw is computed in one array operation.

- A group's stream origin is ``mix(key ^ mix(seed))``, where ``key`` is the first 8 bytes of the
  BLAKE2b hash of the group's canonical key string (:func:`key_hashes`): stable across runs,
  machines and Python's hash randomisation, and independent of row order.
- Draw ``k = r * size + j`` of a group of ``size`` clusters is slot ``j`` of replicate ``r``;
  it picks cluster ``(x >> 32) * size >> 32`` (Lemire's multiply-shift; its bias, under
  ``size / 2**32``, is far below Monte Carlo error).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import pandas as pd

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of each uint64 in ``x`` (a new array; wraps modulo 2**64)."""
    z = x ^ (x >> np.uint64(30))
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def key_hashes(keys: Iterable[str]) -> np.ndarray:
    """uint64 hash of each canonical key string (BLAKE2b, first 8 bytes, little endian)."""
    digests = b"".join(hashlib.blake2b(k.encode("utf-8"), digest_size=8).digest() for k in keys)
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def canonical_key(values: Iterable[object]) -> str:
    """The canonical string of one group's key values: a date (or a timestamp at midnight
    without a time zone) as ``YYYY-MM-DD``, other timestamps in ISO 8601, numbers as Python
    writes them, joined by the unit separator (U+001F)."""
    parts = []
    for value in values:
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, datetime):
            value = pd.Timestamp(value)
        if isinstance(value, pd.Timestamp) and value.tz is None and value == value.normalize():
            value = value.date()
        parts.append(value.isoformat() if isinstance(value, date) else str(value))
    return "\x1f".join(parts)


def group_keys(labels: pd.DataFrame) -> list[str]:
    """The :func:`canonical_key` of each row of ``labels`` (one row per group)."""
    return [canonical_key(row) for row in labels.itertuples(index=False, name=None)]


def stream_origins(seed: int, keys: np.ndarray) -> np.ndarray:
    """Each group's stream origin from the ``seed`` (any integer, taken modulo 2**64) and the
    groups' :func:`key_hashes`."""
    seeded = mix(np.array([int(seed) & _MASK], dtype=np.uint64))
    return mix(np.asarray(keys, dtype=np.uint64) ^ seeded)


class SlotStreams:
    """The draws of many groups' streams laid end to end: slot ``j`` of group ``g`` (``sizes[g]``
    consecutive slots, one per cluster) draws, in replicate ``r``, draw ``r * sizes[g] + j`` of
    the group's stream."""

    def __init__(self, origins: np.ndarray, sizes: np.ndarray) -> None:
        sizes = np.asarray(sizes, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        group = np.repeat(np.arange(len(sizes)), sizes)
        self.start = starts[group]
        self.size = sizes[group].astype(np.uint64)
        position = (np.arange(len(group), dtype=np.int64) - self.start).astype(np.uint64)
        # draw k of a stream is mix(origin + (k + 1) * gamma), k = r * size + j
        self.base = np.asarray(origins, dtype=np.uint64)[group] + (position + np.uint64(1)) * _GAMMA
        self.step = self.size * _GAMMA

    def picks(self, first: int, rows: int) -> np.ndarray:
        """Index (into the slots) of the cluster each slot draws in replicates ``first`` to
        ``first + rows - 1``: an int64 array (rows, slots), each within the slot's group."""
        z = np.arange(first, first + rows, dtype=np.uint64)[:, None] * self.step
        z += self.base
        # mix(z) in place (two temporaries of the block's size at most)
        shifted = z >> np.uint64(30)
        z ^= shifted
        z *= _M1
        np.right_shift(z, np.uint64(27), out=shifted)
        z ^= shifted
        z *= _M2
        np.right_shift(z, np.uint64(31), out=shifted)
        z ^= shifted
        # multiply-shift onto [0, size), then offset by the group's first slot
        z >>= np.uint64(32)
        z *= self.size
        z >>= np.uint64(32)
        out = z.view(np.int64)
        out += self.start
        return out
