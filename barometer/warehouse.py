"""The embedded store: a folder of Parquet parts plus one DuckDB file.

Layout of a warehouse folder::

    warehouse/
      warehouse.json                                what built it: format, key fingerprint
      .lock                                         the writers' lock (barometer.locking)
      parquet/<table>/part-<content hash>.parquet   canonical tables (append-only parts)
      barometer.duckdb                              published tables the app reads
      manifests/<run_id>.json                       one manifest per pipeline run

- **Idempotent**: :meth:`Warehouse.append` keeps only rows whose key is not stored yet, and names
  each part by the hash of its content, so re-running on the same inputs writes nothing.
- **Atomic**: every file is written to a temporary name in the same folder and renamed into place
  (``os.replace``), so a crash never leaves a half-written part. :meth:`Warehouse.replace` swaps
  a whole table folder with two renames and repairs an interrupted swap when the store is opened.
- The DuckDB file holds only *published* tables (aggregates, never raw text), so the app can open
  it read-only without any access to posts.
- **One writer**: ``Warehouse(root)`` only reads and creates nothing; every write goes through
  :meth:`Warehouse.open_for_writing`, which validates the folder, takes the lock, and only then
  repairs interrupted swaps and deletes the temporary files and folders a killed writer left
  behind.

How parts are written and keys compared is :mod:`barometer.parquet_parts`; which folders may
become a warehouse, :mod:`barometer.warehouse_folder`.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.exceptions import WarehouseError
from barometer.locking import WarehouseLock
from barometer.parquet_parts import (
    atomic_write_bytes,
    content_hash,
    isin_keys,
    key_hashes,
    table_bytes,
)
from barometer.schema import Table, empty_frame, to_arrow
from barometer.warehouse_folder import (
    DUCKDB_FILE,
    FORMAT,
    METADATA_FILE,
    check_warehouse_path,
    leftover_folders,
)


class Warehouse:
    """A warehouse folder. ``Warehouse(root)`` reads and creates nothing; writing needs
    :meth:`open_for_writing` (the lock)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.parquet_dir = self.root / "parquet"
        self.manifest_dir = self.root / "manifests"
        self.duckdb_path = self.root / DUCKDB_FILE
        self._lock: WarehouseLock | None = None
        #: (table, partition) -> sorted 64-bit hashes of the stored keys (see :meth:`append`)
        self._key_index: dict[tuple[str, str], np.ndarray] = {}
        #: the temporary ingest folders of a killed run removed on opening for writing
        self.removed_leftovers: list[str] = []

    @classmethod
    @contextmanager
    def open_for_writing(cls, root: Path | str) -> Iterator[Warehouse]:
        """Validate ``root`` (:func:`check_warehouse_path`), create it if needed, take the
        writers' lock, repair interrupted swaps and remove a killed writer's temporary files;
        the lock is released when the block ends."""
        root = Path(root)
        check_warehouse_path(root)
        root.mkdir(parents=True, exist_ok=True)
        store = cls(root)
        with WarehouseLock(root) as lock:
            store._lock = lock
            try:
                store.parquet_dir.mkdir(exist_ok=True)
                store.manifest_dir.mkdir(exist_ok=True)
                store._repair_swaps()
                store._remove_leftovers()
                yield store
            finally:
                store._lock = None

    def _writing(self) -> None:
        if self._lock is None or not self._lock.held:
            raise WarehouseError(
                f"{self.root} is open read-only; writing needs Warehouse.open_for_writing "
                "(the writers' lock)"
            )

    # -- canonical tables -------------------------------------------------------------------
    def table_dir(self, table: Table) -> Path:
        return self.parquet_dir / table.name

    def parts(self, table: Table, partition: str | None = None) -> list[Path]:
        """The table's part files: all of them (``partition=None``), or those of one partition
        folder (``""``: the table's top level, where unpartitioned tables keep theirs)."""
        folder = self.table_dir(table)
        if not folder.is_dir():
            return []
        if partition is None:
            return sorted(folder.rglob("part-*.parquet"))
        return sorted((folder / partition).glob("part-*.parquet"))

    def partitions(self, table: Table) -> list[str]:
        """The partition folders holding parts of ``table`` (relative, ``""`` = top level)."""
        folder = self.table_dir(table)
        found = {p.parent.relative_to(folder).as_posix() for p in self.parts(table)}
        return sorted("" if name == "." else name for name in found)

    def read(
        self,
        table: Table,
        columns: Iterable[str] | None = None,
        partition: str | None = None,
    ) -> pd.DataFrame:
        """Read a canonical table (all parts, or one partition's); an empty frame of the right
        shape if none."""
        wanted = list(columns) if columns is not None else table.columns
        parts = self.parts(table, partition)
        if not parts:
            return empty_frame(table)[wanted]
        try:
            arrow = pq.ParquetDataset(
                [str(p) for p in parts], schema=table.schema, partitioning=None
            ).read(columns=wanted)
        except (pa.ArrowInvalid, OSError) as exc:
            raise WarehouseError(
                f"cannot read table '{table.name}' in {self.table_dir(table)}: {exc}"
            ) from exc
        return arrow.to_pandas()

    def count(self, table: Table) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.parts(table))

    def append(self, table: Table, frame: pd.DataFrame, partition: str | None = None) -> int:
        """Store the rows of ``frame`` whose key is not in the table yet; return how many.

        Rows repeating a key inside ``frame`` are stored once (the first occurrence wins).
        With ``partition`` (a folder such as ``source=x/month=2024-05``, see
        :mod:`barometer.partitions`) the rows go there, and keys are checked against that
        partition and the table's top level only (its rows cannot be elsewhere), through an
        index of 64-bit key hashes kept for the writer's session (8 bytes per stored row of
        the partitions it touched; a hash match is confirmed on the stored keys, so the
        result is exact).
        """
        self._writing()
        if frame.empty:
            return 0
        key = list(table.key)
        fresh = frame.drop_duplicates(subset=key, keep="first")
        if partition is None:
            existing = self.read(table, columns=key)
            fresh = fresh[~isin_keys(fresh, existing, key)]
        else:
            fresh = self._unseen(table, partition, fresh, key)
        if fresh.empty:
            return 0
        arrow = to_arrow(fresh.reset_index(drop=True), table)
        digest = content_hash(arrow)
        folder = self.table_dir(table) / (partition or "")
        atomic_write_bytes(folder / f"part-{digest[:24]}.parquet", table_bytes(arrow))
        if partition is not None:
            index = self._key_index[(table.name, partition)]
            self._key_index[(table.name, partition)] = np.union1d(index, key_hashes(fresh, key))
        return len(fresh)

    def release_keys(self, table: Table, partition: str | None = None) -> None:
        """Forget the key index of one partition, or of all the table's partitions (``None``):
        memory, rebuilt from the stored keys when needed."""
        if partition is not None:
            self._key_index.pop((table.name, partition), None)
            return
        self._key_index = {k: v for k, v in self._key_index.items() if k[0] != table.name}

    def key_index_rows(self, table: Table) -> int:
        """Stored rows of ``table`` whose key hashes the index holds now (8 bytes each)."""
        return sum(len(v) for k, v in self._key_index.items() if k[0] == table.name)

    def _unseen(
        self, table: Table, partition: str, fresh: pd.DataFrame, key: list[str]
    ) -> pd.DataFrame:
        """The rows of ``fresh`` whose key is neither in ``partition`` nor at the top level."""
        hashes = key_hashes(fresh, key)
        maybe = np.zeros(len(fresh), dtype=bool)
        for where in dict.fromkeys([partition, ""]):
            cached = self._key_index.get((table.name, where))
            if cached is None:
                stored = self.read(table, columns=key, partition=where)
                cached = np.unique(key_hashes(stored, key))
                self._key_index[(table.name, where)] = cached
            maybe |= np.isin(hashes, cached)
        if not maybe.any():
            return fresh
        stored = pd.concat(
            [self.read(table, columns=key, partition=w) for w in dict.fromkeys([partition, ""])]
        )
        clash = np.zeros(len(fresh), dtype=bool)
        clash[maybe] = isin_keys(fresh[maybe], stored, key)
        return fresh[~clash]

    def replace(
        self, table: Table, frame: pd.DataFrame, partitions: np.ndarray | None = None
    ) -> int:
        """Replace a whole (derived) table with ``frame``, atomically; return the row count.
        ``partitions``: the partition folder of each row (:mod:`barometer.partitions`)."""
        self._writing()
        frame = frame.reset_index(drop=True)
        target = self.table_dir(table)
        staging = self.parquet_dir / f".{table.name}.new-{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        groups = (
            [("", frame)]
            if partitions is None
            else [
                (str(name), frame.iloc[rows])
                for name, rows in pd.Series(np.arange(len(frame))).groupby(
                    np.asarray(partitions, dtype=object), sort=True
                )
            ]
        )
        for name, rows in groups or [("", frame)]:
            arrow = to_arrow(rows.reset_index(drop=True), table)
            digest = content_hash(arrow)
            atomic_write_bytes(staging / name / f"part-{digest[:24]}.parquet", table_bytes(arrow))
        retired = self.parquet_dir / f".{table.name}.old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
        self.release_keys(table)
        return len(frame)

    def _repair_swaps(self) -> None:
        """Finish or roll back a :meth:`replace` interrupted between its two renames."""
        for leftover in self.parquet_dir.glob(".*.old-*"):
            name = leftover.name[1:].split(".old-")[0]
            target = self.parquet_dir / name
            if target.exists():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                os.replace(leftover, target)
        for leftover in self.parquet_dir.glob(".*.new-*"):
            shutil.rmtree(leftover, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Delete the temporary files of writes a killed writer never finished (``.*.tmp``:
        parts, manifests, the DuckDB file being built) and its ingest folders (``.ingest-*``
        of the ingest workers, ``.enrich-*`` spills: whole files' enriched posts); they may
        hold posts' text. Their names are kept in :attr:`removed_leftovers` for the run to say."""
        for leftover in self.root.rglob(".*.tmp*"):
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        self.removed_leftovers = [folder.name for folder in leftover_folders(self.root)]
        for name in self.removed_leftovers:
            shutil.rmtree(self.root / name, ignore_errors=True)

    # -- what built the warehouse -------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        """``warehouse.json``: format, version, key fingerprint; empty before the first run."""
        path = self.root / METADATA_FILE
        if not path.is_file():
            return {}
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WarehouseError(f"{path} is unreadable: {exc}") from exc
        return found if isinstance(found, dict) else {}

    def update_metadata(self, **fields: Any) -> dict[str, Any]:
        """Set ``fields`` in ``warehouse.json`` (atomically); returns the new metadata."""
        self._writing()
        meta = {**self.metadata(), **fields}
        data = json.dumps(meta, indent=2, sort_keys=True, default=str).encode()
        atomic_write_bytes(self.root / METADATA_FILE, data)
        return meta

    def claim_key(self, fingerprint: str) -> str:
        """Check that the warehouse was built with the key of ``fingerprint``, recording it on
        the first write; returns a warning for a warehouse built before fingerprints (its key
        cannot be checked), else ``""``.

        Raises :class:`WarehouseError` when the warehouse was built with another key: its
        pseudonyms would not match this key's, so every author and respondent would be
        counted twice.
        """
        self._writing()
        meta = self.metadata()
        recorded = meta.get("key_fingerprint")
        if recorded == fingerprint:
            return ""
        if recorded:
            raise WarehouseError(
                f"{self.root} was built with another pseudonymisation key (fingerprint "
                f"{recorded}; this key's: {fingerprint}): its pseudonyms would not match, and "
                "every author and respondent would be counted twice. Run with the key it was "
                "built with, or build into a new, empty warehouse folder to start over with "
                "this key (docs/SECURITY.md, 'Key rotation')"
            )
        legacy = bool(self.manifests())
        self.update_metadata(
            format=FORMAT,
            version=1,
            key_fingerprint=fingerprint,
            created_at=meta.get("created_at") or datetime.now(UTC).isoformat(timespec="seconds"),
        )
        if legacy:
            return (
                f"{self.root} was built before warehouses recorded their key, so this key "
                "cannot be checked against the one that built it; it is recorded now"
            )
        return ""

    # -- published tables (DuckDB) ------------------------------------------------------------
    def publish(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write published tables into the DuckDB file, all in one transaction.

        The file is rebuilt next to the old one and renamed into place, so readers never see a
        half-published state.
        """
        self._writing()
        staging = self.root / f".{DUCKDB_FILE}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            with duckdb.connect(str(staging)) as con:
                for name, frame in tables.items():
                    con.register("incoming", frame)
                    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
                    con.unregister("incoming")
            os.replace(staging, self.duckdb_path)
        finally:
            staging.unlink(missing_ok=True)

    # -- manifests ----------------------------------------------------------------------------
    def write_manifest(self, manifest: dict[str, Any]) -> Path:
        self._writing()
        path = self.manifest_dir / f"{manifest['run_id']}.json"
        data = json.dumps(manifest, indent=2, sort_keys=True, default=str).encode()
        atomic_write_bytes(path, data)
        return path

    def manifests(self) -> list[dict[str, Any]]:
        """All run manifests, oldest first."""
        if not self.manifest_dir.is_dir():
            return []
        found = [json.loads(p.read_text()) for p in self.manifest_dir.glob("*.json")]
        return sorted(found, key=lambda m: str(m.get("started_at", "")))

    def seen_input_hashes(self) -> set[str]:
        """Hashes of input files fully ingested by earlier runs."""
        return {
            entry["sha256"]
            for manifest in self.manifests()
            for entry in manifest.get("inputs", [])
            if entry.get("ingested")
        }


def open_published(root: Path | str) -> duckdb.DuckDBPyConnection:
    """Open a warehouse's DuckDB file read-only (for the app and reports)."""
    path = Path(root) / DUCKDB_FILE
    if not path.is_file():
        raise WarehouseError(
            f"no published barometer at {path}: build it first with 'barometer run CONFIG' "
            "(the sample's: 'barometer sample --out sample', then 'barometer run "
            "sample/pipeline.toml')"
        )
    return duckdb.connect(str(path), read_only=True)
