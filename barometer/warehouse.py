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
  repairs interrupted swaps and deletes the temporary files a killed writer left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
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
from barometer.locking import LOCK_FILE, WarehouseLock
from barometer.schema import Table, empty_frame, to_arrow

DUCKDB_FILE = "barometer.duckdb"
METADATA_FILE = "warehouse.json"
FORMAT = "barometer-warehouse"
#: what a warehouse folder may hold (plus hidden temporary files of these)
_KNOWN_ENTRIES = frozenset(
    {"parquet", "manifests", DUCKDB_FILE, METADATA_FILE, LOCK_FILE, "landing", "live"}
)  # landing/ and live/: raw pages and fetch state of the live sources (barometer.live)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


atomic_write_bytes = _atomic_write_bytes  # public name for the landing folder and fetch state


def _table_bytes(arrow: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(arrow, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def content_hash(arrow: pa.Table) -> str:
    """SHA-256 of a table's rows in a canonical form (IPC stream), independent of file metadata."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _ours(name: str) -> bool:
    """Whether a top-level entry name is one a warehouse writes (or a temporary file of one)."""
    return name in _KNOWN_ENTRIES or name.startswith((f".{DUCKDB_FILE}.", f".{METADATA_FILE}."))


def is_warehouse(root: Path) -> bool:
    """Whether ``root`` is a warehouse folder: it has a ``warehouse.json``, or (a warehouse
    built before those existed) only warehouse entries, among them ``parquet`` or
    ``manifests``."""
    if (root / METADATA_FILE).is_file():
        return True
    if not root.is_dir():
        return False
    names = {p.name for p in root.iterdir()}
    return bool(names & {"parquet", "manifests"}) and all(_ours(n) for n in names)


def check_warehouse_path(root: Path) -> None:
    """Refuse a folder that must not become a warehouse: a file system root, an existing file,
    or a folder that holds other things (writing there would mix the barometer's files with
    them, and erasure or pruning could not tell which files are its own). An empty folder, a
    warehouse, or a folder holding only what a writer killed at its start left (the lock) is
    accepted."""
    resolved = root.resolve()
    if resolved == Path(resolved.anchor):
        raise WarehouseError(
            f"{root} is the root of the file system; give the warehouse a folder of its own, "
            "e.g. --warehouse ./warehouse"
        )
    if resolved.exists() and not resolved.is_dir():
        raise WarehouseError(f"{root} is a file, not a warehouse folder")
    if resolved.is_dir() and not is_warehouse(resolved):
        foreign = sorted(p.name for p in resolved.iterdir() if not _ours(p.name))
        if foreign:
            raise WarehouseError(
                f"{root} is not empty and is not a barometer warehouse (it holds "
                f"{', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}); give a new or "
                "empty folder (the warehouse keeps only its own files)"
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
            fresh = fresh[~_isin_keys(fresh, existing, key)]
        else:
            fresh = self._unseen(table, partition, fresh, key)
        if fresh.empty:
            return 0
        arrow = to_arrow(fresh.reset_index(drop=True), table)
        digest = content_hash(arrow)
        folder = self.table_dir(table) / (partition or "")
        _atomic_write_bytes(folder / f"part-{digest[:24]}.parquet", _table_bytes(arrow))
        if partition is not None:
            index = self._key_index[(table.name, partition)]
            self._key_index[(table.name, partition)] = np.union1d(index, _key_hashes(fresh, key))
        return len(fresh)

    def release_keys(self, table: Table, partition: str) -> None:
        """Forget the key index of one partition (memory; it is rebuilt when needed)."""
        self._key_index.pop((table.name, partition), None)

    def _unseen(
        self, table: Table, partition: str, fresh: pd.DataFrame, key: list[str]
    ) -> pd.DataFrame:
        """The rows of ``fresh`` whose key is neither in ``partition`` nor at the top level."""
        hashes = _key_hashes(fresh, key)
        maybe = np.zeros(len(fresh), dtype=bool)
        for where in dict.fromkeys([partition, ""]):
            cached = self._key_index.get((table.name, where))
            if cached is None:
                stored = self.read(table, columns=key, partition=where)
                cached = np.unique(_key_hashes(stored, key))
                self._key_index[(table.name, where)] = cached
            maybe |= np.isin(hashes, cached)
        if not maybe.any():
            return fresh
        stored = pd.concat(
            [self.read(table, columns=key, partition=w) for w in dict.fromkeys([partition, ""])]
        )
        clash = np.zeros(len(fresh), dtype=bool)
        clash[maybe] = _isin_keys(fresh[maybe], stored, key)
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
            _atomic_write_bytes(staging / name / f"part-{digest[:24]}.parquet", _table_bytes(arrow))
        retired = self.parquet_dir / f".{table.name}.old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
        self._key_index = {k: v for k, v in self._key_index.items() if k[0] != table.name}
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
        parts, manifests, the DuckDB file being built); they may hold posts' text."""
        for leftover in self.root.rglob(".*.tmp*"):
            if leftover.is_file():
                leftover.unlink(missing_ok=True)

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
        _atomic_write_bytes(self.root / METADATA_FILE, data)
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
        _atomic_write_bytes(path, data)
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


def _key_hashes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's key (keys compared as text, as :meth:`Warehouse.append`
    always has)."""
    if frame.empty:
        return np.empty(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame[key].astype(str), index=False).to_numpy()


def _isin_keys(frame: pd.DataFrame, stored: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Whether each row's key (as text) is among ``stored``'s."""
    if stored.empty or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    known = pd.MultiIndex.from_frame(stored[key].astype(str))
    return np.asarray(pd.MultiIndex.from_frame(frame[key].astype(str)).isin(known), dtype=bool)


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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
