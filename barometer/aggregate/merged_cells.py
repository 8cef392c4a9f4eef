"""The digital cells merged by earlier runs, kept with the partitions they were built from.

The digital aggregate (:func:`barometer.aggregate.digital.digital_from_stats`) merges every
partition's ``cell_stats`` into one row per cell (indicator x neighbourhood x city month). A
run that adds one week changes the rows of the cells of that week's months only, so the merged
cells are kept between runs, in ``parquet/_summaries/_merged/cells.parquet``, with a record
(in the file's metadata, written with it in one atomic write) of the partitions they were
built from: each partition's summary fingerprint (:class:`barometer.summary_cache.SummaryCache`,
which changes with new posts, new scores, an erasure or pruning that rewrites the partition,
another model or the city's time zone) and the city months its ``cell_stats`` hold.

A later run compares its partitions with the record. The months of every partition that is
new, changed or gone (its months as recorded and as it is now) are *stale*: their cells are
merged again from the ``cell_stats`` of the partitions that hold rows of those months (a city
month may lie in two UTC-month partitions, and in one partition per source), every other cell
is taken as stored. A month is the unit because a partition's rows of a month can reach any of
its neighbourhoods. The merged cells of a stale month are exactly those of a full merge (the
same rows, the same per-cell streams, :mod:`barometer.aggregate.interval_cache`), and the
record's settings (seed, replicates, level, the indicators and this scheme) must match, or
every cell is merged again.

The file holds what the digital cells hold before disclosure control (values, intervals,
counts and, for the hostility shares, the flagged authors' pseudonyms, as the summaries do); an
erasure rewrites the partitions it touches, so the next run (the republish an erasure runs)
merges their months again and rewrites the file without the erased pseudonyms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from barometer.parquet_parts import atomic_write_bytes

#: the cache's folder, inside the summary cache's (``parquet/_summaries``); it holds no
#: ``*.json``, so :meth:`~barometer.summary_cache.SummaryCache.keep_only` leaves it alone
MERGED_DIR = "_merged"
#: the layout of the kept cells: a file written under another is not reused
SCHEME = "merged-cells-1"
_FILE = "cells.parquet"
#: the kept cells' columns (``flagged_authors``: null outside the hostility shares)
MERGED_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("neighbourhood_id", pa.string()),
        ("period_start", pa.date32()),
        ("value", pa.float64()),
        ("lower", pa.float64()),
        ("upper", pa.float64()),
        ("n_effective", pa.float64()),
        ("n_numerator", pa.float64()),
        ("n_complement", pa.float64()),
        ("flagged_authors", pa.list_(pa.string())),
        ("origin", pa.uint64()),
        ("fingerprint", pa.uint64()),
    ]
)


@dataclass
class MergePlan:
    """What a run merges: ``stale`` city months (``None``: all) from ``files``, and the kept
    cells of every other month (``kept``, in :data:`MERGED_SCHEMA`'s columns)."""

    stale: set[date] | None
    files: list[Path]
    kept: pd.DataFrame


@dataclass
class MergedCells:
    """The kept merged cells of one warehouse, and this run's partitions: each partition's
    ``cell_stats`` file and its summary's fingerprint. Counts the cells merged and reused by
    this run (for the run manifest)."""

    folder: Path
    partitions: dict[Path, str]
    merged: int = 0
    reused: int = 0
    _months: dict[str, list[str]] = field(default_factory=dict)

    def _name(self, path: Path) -> str:
        """A partition's name in the record: its file's path inside ``_summaries`` (so a
        copied or moved warehouse keeps its cache)."""
        try:
            return path.relative_to(self.folder.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def plan(self, settings: dict[str, Any]) -> MergePlan:
        """Compare this run's partitions with the record kept under ``settings``."""
        record, kept = self._read(settings)
        recorded: dict[str, dict[str, Any]] = record.get("partitions", {}) if record else {}
        names = {self._name(path): (path, fp) for path, fp in self.partitions.items()}
        stale: set[str] = set()
        for name, (path, fp) in names.items():
            old = recorded.get(name)
            if old is not None and old.get("fingerprint") == fp:
                self._months[name] = list(old.get("months", []))
                continue
            self._months[name] = _months_of(path)
            stale.update(self._months[name], (old or {}).get("months", []))
        for name, old in recorded.items():
            if name not in names:  # a partition gone (pruned, or erased to nothing)
                stale.update(old.get("months", []))
        if record is None or kept is None:
            return MergePlan(None, list(self.partitions), _empty())
        files = [path for name, (path, _) in names.items() if stale & set(self._months[name])]
        months = {date.fromisoformat(m) for m in stale}
        return MergePlan(months, files, kept[~kept["period_start"].isin(months)])

    def save(self, cells: pd.DataFrame, settings: dict[str, Any]) -> None:
        """Keep ``cells`` (every digital cell of this run, :data:`MERGED_SCHEMA`'s columns)
        with the record of this run's partitions."""
        record = {
            "settings": settings,
            "partitions": {
                name: {"fingerprint": fp, "months": self._months[name]}
                for name, fp in ((self._name(p), fp) for p, fp in self.partitions.items())
            },
        }
        frame = cells[MERGED_SCHEMA.names].assign(
            flagged_authors=cells["flagged_authors"].map(
                lambda found: sorted(found) if isinstance(found, frozenset) else None
            )
        )
        table = pa.Table.from_pandas(frame, MERGED_SCHEMA, preserve_index=False)
        table = table.replace_schema_metadata({b"record": json.dumps(record).encode()})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(self.folder / _FILE, sink.getvalue().to_pybytes())

    def _read(self, settings: dict[str, Any]) -> tuple[dict[str, Any] | None, pd.DataFrame | None]:
        """The record and the kept cells, when they were kept under ``settings``."""
        try:
            table = pq.read_table(self.folder / _FILE)
            record = json.loads((table.schema.metadata or {}).get(b"record", b"{}"))
        except (OSError, ValueError, pa.ArrowException):
            return None, None
        if not isinstance(record, dict) or record.get("settings") != settings:
            return None, None
        if not table.schema.remove_metadata().equals(MERGED_SCHEMA):
            return None, None
        kept = table.to_pandas()
        kept["flagged_authors"] = kept["flagged_authors"].map(
            lambda found: frozenset(found) if found is not None else None
        )
        return record, kept


def merge_settings(n_boot: int, level: float, seed: int, indicators: list[str]) -> dict[str, Any]:
    """What the kept cells depend on besides the partitions' rows (the bootstrap's
    replicates, level and seed, the indicators in their stream order, and the scheme)."""
    return {
        "scheme": SCHEME,
        "n_boot": int(n_boot),
        "level": float(level),
        "seed": int(seed),
        "indicators": list(indicators),
    }


def _months_of(path: Path) -> list[str]:
    """The city months (``YYYY-MM-DD``) a partition's ``cell_stats`` file has rows of."""
    try:
        column = pq.read_table(path, columns=["period_start"]).column("period_start")
    except (OSError, pa.ArrowException):
        return []
    return sorted(str(m) for m in pc.unique(column).to_pylist() if m is not None)


def _empty() -> pd.DataFrame:
    return MERGED_SCHEMA.empty_table().to_pandas()


def combine(kept: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    """One indicator's kept and newly merged cells, in the order a full merge gives them
    (neighbourhood, then month)."""
    if kept.empty or merged.empty:
        return (merged if kept.empty else kept[merged.columns]).reset_index(drop=True)
    both = pd.concat([kept[merged.columns], merged], ignore_index=True)
    return both.sort_values(["neighbourhood_id", "period_start"], kind="stable").reset_index(
        drop=True
    )
