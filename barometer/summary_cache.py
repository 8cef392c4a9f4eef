"""Incremental runs: what a run computed from a partition of posts, kept until it changes.

For each partition of posts (:mod:`barometer.partitions`) the warehouse keeps, in
``parquet/_summaries/<partition>/``:

- ``scored.json``: the fingerprint of the partition when the score step last left every one
  of its posts scored by the active models; a run finding the same fingerprint does not read
  the partition to look for unscored posts;
- the partition's :class:`~barometer.aggregate.post_summaries.PartitionSummary` (four
  Parquet files and ``summary.json``), with the fingerprint it was built from; a run finding
  the same fingerprint reuses it instead of reading the partition's posts and scores;
- ``terms.parquet`` and ``terms.json``: the partition's term summary
  (:func:`barometer.aggregate.terms.author_terms`), built when the term shifts first read the
  partition (their last 15 months), so a later run re-reads no texts of an unchanged month.

The fingerprint is a hash of the names of the partition's post and score parts (each named
by the hash of its content, :mod:`barometer.warehouse`) and of the active model versions and
gates and the city's time zone, so any change to the partition (new posts, new scores, an
erasure or a pruning that rewrites it, another model) makes it stale. A run that adds one week
of posts therefore re-reads and re-summarises only the partitions of that week's months; the
merge then runs over the compact summaries of every partition, and only the digital cells whose
rows changed are bootstrapped again (each cell has its own random stream, so the others' cached
intervals, in ``_summaries/_intervals``, are exactly what a cold run draws:
:mod:`barometer.aggregate.interval_cache`).

The summaries hold author pseudonyms (as the posts do): they live inside the warehouse, and
the summaries of a partition that an erasure rewrote are replaced by the next publish (which
:func:`barometer.pipeline.republish` runs at once), those of a vanished partition deleted.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.aggregate.cell_stats import CELL_STATS_SCHEMA, empty_cell_stats
from barometer.aggregate.post_summaries import PartitionSummary
from barometer.aggregate.terms import AUTHOR_TERM_SCHEMA
from barometer.parquet_parts import atomic_write_bytes
from barometer.schema import POST_SCORES, POSTS
from barometer.warehouse import Warehouse

SUMMARY_DIR = "_summaries"
_FRAMES = ("cell_stats", "combos", "measured", "coverage")


class SummaryCache:
    """The per-partition records of one warehouse (see the module docstring)."""

    def __init__(
        self, store: Warehouse, versions: dict[str, str], gates: dict[str, Any], timezone: str
    ) -> None:
        self.store = store
        self.root = store.parquet_dir / SUMMARY_DIR
        #: what else the records depend on: the models, and the city's clock (its months)
        self.models = json.dumps(
            {"versions": versions, "gates": gates, "timezone": timezone}, sort_keys=True
        )

    def fingerprint(self, partition: str) -> str:
        """Hash of the partition's part names and the active models."""
        names = [
            f"{table.name}/{p.relative_to(self.store.table_dir(table)).as_posix()}"
            for table in (POSTS, POST_SCORES)
            for where in dict.fromkeys([partition, ""])
            for p in self.store.parts(table, where)
        ]
        return hashlib.sha256("\n".join([self.models, *names]).encode()).hexdigest()[:32]

    def _folder(self, partition: str) -> Path:
        return self.root / (partition or "_top")

    def _meta(self, partition: str, name: str) -> dict[str, Any]:
        path = self._folder(partition) / name
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    # -- the score step -------------------------------------------------------------------
    def is_scored(self, partition: str) -> bool:
        """Whether the score step left this partition, as it is now, fully scored."""
        recorded = self._meta(partition, "scored.json").get("fingerprint")
        return recorded == self.fingerprint(partition)

    def mark_scored(self, partition: str) -> None:
        data = json.dumps({"fingerprint": self.fingerprint(partition)}).encode()
        atomic_write_bytes(self._folder(partition) / "scored.json", data)

    # -- the aggregate step ---------------------------------------------------------------
    def load(self, partition: str, *, cell_stats: bool = True) -> PartitionSummary | None:
        """The stored summary of the partition when it is current, else ``None``; without
        ``cell_stats``, its ``cell_stats`` are left on disk (an empty frame in their place:
        :meth:`cell_stats_path` is their file)."""
        meta = self._meta(partition, "summary.json")
        if meta.get("fingerprint") != self.fingerprint(partition):
            return None
        folder = self._folder(partition)
        names = _FRAMES if cell_stats else _FRAMES[1:]
        try:
            frames = {n: pq.read_table(folder / f"{n}.parquet").to_pandas() for n in names}
        except (OSError, pa.ArrowException):
            return None
        frames.setdefault("cell_stats", empty_cell_stats())
        tasks = [str(t) for t in meta.get("tasks", [])]
        return PartitionSummary(
            frames["cell_stats"],
            (frames["combos"], frames["measured"], tasks),
            frames["coverage"],
        )

    def cell_stats_path(self, partition: str) -> Path:
        """The file of the partition's stored ``cell_stats`` (see :meth:`load`)."""
        return self._folder(partition) / "cell_stats.parquet"

    def save(self, partition: str, summary: PartitionSummary) -> None:
        """Store the summary of the partition as it is now (``summary.json`` written last,
        so a half-written record is never taken for a current one)."""
        folder = self._folder(partition)
        (folder / "summary.json").unlink(missing_ok=True)
        if self._meta(partition, "terms.json").get("fingerprint") != self.fingerprint(partition):
            # a changed partition (new posts, an erasure): its old term summary goes too
            for name in ("terms.json", "terms.parquet"):
                (folder / name).unlink(missing_ok=True)
        combos, measured, tasks = summary.languages
        frames = {
            "cell_stats": summary.cell_stats,
            "combos": combos,
            "measured": measured,
            "coverage": summary.coverage,
        }
        for name, frame in frames.items():
            sink = pa.BufferOutputStream()
            schema = CELL_STATS_SCHEMA if name == "cell_stats" else None
            pq.write_table(pa.Table.from_pandas(frame, schema, preserve_index=False), sink)
            atomic_write_bytes(folder / f"{name}.parquet", sink.getvalue().to_pybytes())
        meta = {"fingerprint": self.fingerprint(partition), "tasks": list(tasks)}
        atomic_write_bytes(folder / "summary.json", json.dumps(meta).encode())

    # -- the term shifts ----------------------------------------------------------------
    def terms_path(self, partition: str, lemmas: bool) -> Path | None:
        """The stored term summary of the partition (Parquet, in
        :data:`~barometer.aggregate.terms.AUTHOR_TERM_SCHEMA`) when it is current, else
        ``None``. Built only for the partitions the term shifts read (their last 15 months)."""
        meta = self._meta(partition, "terms.json")
        path = self._folder(partition) / "terms.parquet"
        current = meta.get("fingerprint") == self.fingerprint(partition)
        return path if current and meta.get("lemmas") is lemmas and path.is_file() else None

    def save_terms(self, partition: str, terms: pd.DataFrame, lemmas: bool) -> Path:
        """Store the term summary of the partition as it is now; returns its file."""
        folder = self._folder(partition)
        (folder / "terms.json").unlink(missing_ok=True)
        table = pa.Table.from_pandas(terms, schema=AUTHOR_TERM_SCHEMA, preserve_index=False)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(folder / "terms.parquet", sink.getvalue().to_pybytes())
        meta = {"fingerprint": self.fingerprint(partition), "lemmas": lemmas}
        atomic_write_bytes(folder / "terms.json", json.dumps(meta).encode())
        return folder / "terms.parquet"

    def keep_only(self, partitions: list[str]) -> None:
        """Delete the records of partitions that no longer exist."""
        if not self.root.is_dir():
            return
        wanted = {self._folder(p).resolve() for p in partitions}
        for meta in list(self.root.rglob("*.json")):
            folder = meta.parent
            if folder.resolve() not in wanted and folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
