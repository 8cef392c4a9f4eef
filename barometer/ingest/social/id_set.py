"""The post ids a reader has handed on, 16 bytes each, to count a repeat in a later batch.

A file streamed in batches must recognise a post that comes again after its first copy's
batch was handed on. Keeping those ids as Python strings costs about 100 bytes per post (a
10-million-post file: a gigabyte); :class:`SeenIds` keeps two independent 64-bit hashes per
id (pandas' keyed SipHash, :func:`pandas.util.hash_array`) in sorted numpy arrays. Two
different ids are taken for one only if both hashes collide: with ``n`` ids about
``n**2 / 2**129`` (1e-25 for ten million), far below any other error in the pipeline. The
current batch's ids are compared exactly (a Python set) before its hashes are added.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

_KEYS = ("barometer-ids-01", "barometer-ids-02")  # 16 characters each, as hash_array asks


def _hashes(ids: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array([str(v) for v in ids], dtype=object)
    first, second = (pd.util.hash_array(values, hash_key=key, categorize=False) for key in _KEYS)
    return np.asarray(first, dtype=np.uint64), np.asarray(second, dtype=np.uint64)


class SeenIds:
    """Ids handed on so far, as sorted pairs of 64-bit hashes (see the module docstring)."""

    def __init__(self) -> None:
        self._first = np.zeros(0, dtype=np.uint64)
        self._second = np.zeros(0, dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._first)

    @property
    def nbytes(self) -> int:
        """Bytes the hashes take."""
        return int(self._first.nbytes + self._second.nbytes)

    def seen(self, ids: Sequence[object]) -> np.ndarray:
        """Boolean per id: whether it was :meth:`add`-ed before."""
        return self._found(*_hashes(ids))

    def add_new(self, ids: Sequence[object]) -> np.ndarray:
        """Boolean per id: whether it was added before; adds the others (each id hashed once;
        ``ids`` distinct among themselves)."""
        first, second = _hashes(ids)
        found = self._found(first, second)
        self._insert(first[~found], second[~found])
        return found

    def _found(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        left = np.searchsorted(self._first, first, side="left")
        right = np.searchsorted(self._first, first, side="right")
        found = np.zeros(len(first), dtype=bool)
        for i in np.flatnonzero(right > left).tolist():  # a first hash seen: check the second
            found[i] = bool(np.any(self._second[left[i] : right[i]] == second[i]))
        return found

    def add(self, ids: Sequence[object]) -> None:
        """Remember ``ids`` (distinct among themselves and from those added before)."""
        if len(ids):
            self._insert(*_hashes(ids))

    def _insert(self, first: np.ndarray, second: np.ndarray) -> None:
        order = np.argsort(first, kind="stable")
        at = np.searchsorted(self._first, first[order])  # a merge: O(ids) per batch, no re-sort
        self._first = np.insert(self._first, at, first[order])
        self._second = np.insert(self._second, at, second[order])
