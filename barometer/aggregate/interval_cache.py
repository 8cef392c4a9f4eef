"""The digital cells' bootstrap intervals, kept between runs and reused while a cell is unchanged.

Each digital cell draws its bootstrap from its own random stream, named by the seed, the
indicator and the cell's key (:mod:`barometer.stats.streams`), so its interval is a function of
its own author rows alone. A run that adds a week of posts therefore redraws only the cells
whose rows changed and takes every other cell's interval from here: the result is exactly what
a cold run draws. A cell is recognised by its stream origin (seed, indicator and key) and a
64-bit fingerprint of its author rows' counts in the order the bootstrap draws them
(:func:`cell_fingerprints`); anything that changes a cell's rows (new posts, an erasure, other
models) changes the fingerprint, and the cell is drawn again.

The cache lives in ``parquet/_summaries/_intervals/<indicator>.parquet``: stream origin,
fingerprint, lower and upper bound per cell, with the replicates and level it was drawn with.
It holds no pseudonym and no count, only hashes and intervals that are published anyway; each
run rewrites it with the current cells only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.aggregate.merged_cells import MergedCells
from barometer.parquet_parts import atomic_write_bytes
from barometer.stats.streams import mix

#: the cache's folder, inside the summary cache's (``parquet/_summaries``)
INTERVAL_DIR = "_intervals"
#: the random streams' scheme: a cache drawn under another is not reused
SCHEME = "splitmix64-per-cell-1"


def cell_fingerprints(
    cell: np.ndarray, n_posts: np.ndarray, n_flagged: np.ndarray, n_cells: int
) -> np.ndarray:
    """A uint64 fingerprint per cell of its author rows (``cell`` codes sorted, rows in the
    order the bootstrap draws them): a wrapping sum over the rows of a hash of (position in
    the cell, ``n_posts``, ``n_flagged``), mixed with the cell's row count."""
    cell = np.asarray(cell, dtype=np.int64)
    sizes = np.bincount(cell, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.arange(len(cell), dtype=np.int64) - starts[cell]
    row = mix(position.astype(np.uint64) + np.uint64(1))
    row = mix(row ^ np.asarray(n_posts, dtype=np.uint64))
    row = mix(row ^ np.asarray(n_flagged, dtype=np.uint64))
    # every cell has a row: the cells' sums are consecutive runs of the sorted rows
    total = np.add.reduceat(row, starts) if len(row) else np.zeros(0, dtype=np.uint64)
    return mix(total ^ mix(sizes.astype(np.uint64)))


@dataclass
class IntervalCache:
    """The cached intervals of one warehouse, for one number of replicates and level; counts
    the cells drawn and reused by this run (for the run manifest)."""

    folder: Path
    n_boot: int
    level: float
    drawn: int = 0
    reused: int = 0
    #: the merged cells kept between runs, with this run's partitions (none: every cell is
    #: merged from all the rows; see :mod:`barometer.aggregate.merged_cells`)
    merged: MergedCells | None = None
    _written: set[str] = field(default_factory=set)

    def _path(self, indicator: str) -> Path:
        return self.folder / f"{indicator}.parquet"

    def _meta(self) -> dict[bytes, bytes]:
        return {
            b"scheme": SCHEME.encode(),
            b"n_boot": str(self.n_boot).encode(),
            b"level": repr(float(self.level)).encode(),
        }

    def lookup(
        self, indicator: str, origins: np.ndarray, fingerprints: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lower, upper, found)`` per cell: the cached bounds (NaN where none) and whether
        the cell, with these rows, was drawn before under the same scheme, replicates and
        level."""
        lower = np.full(len(origins), np.nan)
        upper = lower.copy()
        try:
            table = pq.read_table(self._path(indicator))
        except (OSError, pa.ArrowException):
            return lower, upper, np.zeros(len(origins), dtype=bool)
        if (table.schema.metadata or {}) != self._meta():
            return lower, upper, np.zeros(len(origins), dtype=bool)
        cached = table.to_pandas()
        index = pd.MultiIndex.from_arrays([cached["origin"], cached["fingerprint"]])
        where = index.get_indexer(pd.MultiIndex.from_arrays([origins, fingerprints]))
        found = where >= 0
        lower[found] = cached["lower"].to_numpy()[where[found]]
        upper[found] = cached["upper"].to_numpy()[where[found]]
        return lower, upper, found

    def store(
        self,
        indicator: str,
        origins: np.ndarray,
        fingerprints: np.ndarray,
        bounds: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Keep this run's cells of ``indicator`` (replacing the indicator's cache)."""
        table = pa.table(
            {
                "origin": pa.array(origins, pa.uint64()),
                "fingerprint": pa.array(fingerprints, pa.uint64()),
                "lower": pa.array(bounds[0], pa.float64()),
                "upper": pa.array(bounds[1], pa.float64()),
            }
        ).replace_schema_metadata(self._meta())
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(self._path(indicator), sink.getvalue().to_pybytes())
        self._written.add(indicator)

    def keep_only_written(self) -> None:
        """Delete the caches of indicators this run did not write (they have no cells now)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*.parquet"):
            if path.stem not in self._written:
                path.unlink(missing_ok=True)
