"""The embedded store: a folder of Parquet parts plus one DuckDB file.

Layout of a warehouse folder::

    warehouse/
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
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.exceptions import WarehouseError
from barometer.schema import Table, empty_frame, to_arrow

DUCKDB_FILE = "barometer.duckdb"


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


class Warehouse:
    """A warehouse folder. Opening it creates the folder if needed and repairs interrupted swaps."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.parquet_dir = self.root / "parquet"
        self.manifest_dir = self.root / "manifests"
        self.duckdb_path = self.root / DUCKDB_FILE
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        self.manifest_dir.mkdir(parents=True, exist_ok=True)
        self._repair_swaps()

    # -- canonical tables -------------------------------------------------------------------
    def table_dir(self, table: Table) -> Path:
        return self.parquet_dir / table.name

    def parts(self, table: Table) -> list[Path]:
        folder = self.table_dir(table)
        return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []

    def read(self, table: Table, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Read a canonical table (all parts); an empty frame of the right shape if none."""
        wanted = list(columns) if columns is not None else table.columns
        parts = self.parts(table)
        if not parts:
            return empty_frame(table)[wanted]
        try:
            arrow = pq.ParquetDataset([str(p) for p in parts], schema=table.schema).read(
                columns=wanted
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise WarehouseError(
                f"cannot read table '{table.name}' in {self.table_dir(table)}: {exc}"
            ) from exc
        return arrow.to_pandas()

    def count(self, table: Table) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.parts(table))

    def append(self, table: Table, frame: pd.DataFrame) -> int:
        """Store the rows of ``frame`` whose key is not in the table yet; return how many.

        Rows repeating a key inside ``frame`` are stored once (the first occurrence wins).
        """
        if frame.empty:
            return 0
        key = list(table.key)
        fresh = frame.drop_duplicates(subset=key, keep="first")
        existing = self.read(table, columns=key)
        if not existing.empty:
            stored = pd.MultiIndex.from_frame(existing.astype(str))
            candidate = pd.MultiIndex.from_frame(fresh[key].astype(str))
            fresh = fresh[~candidate.isin(stored)]
        if fresh.empty:
            return 0
        arrow = to_arrow(fresh.reset_index(drop=True), table)
        digest = content_hash(arrow)
        _atomic_write_bytes(
            self.table_dir(table) / f"part-{digest[:24]}.parquet", _table_bytes(arrow)
        )
        return len(fresh)

    def replace(self, table: Table, frame: pd.DataFrame) -> int:
        """Replace a whole (derived) table with ``frame``, atomically; return the row count."""
        arrow = to_arrow(frame.reset_index(drop=True), table)
        target = self.table_dir(table)
        staging = self.parquet_dir / f".{table.name}.new-{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        digest = content_hash(arrow)
        _atomic_write_bytes(staging / f"part-{digest[:24]}.parquet", _table_bytes(arrow))
        retired = self.parquet_dir / f".{table.name}.old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
        return arrow.num_rows

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

    # -- published tables (DuckDB) ------------------------------------------------------------
    def publish(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write published tables into the DuckDB file, all in one transaction.

        The file is rebuilt next to the old one and renamed into place, so readers never see a
        half-published state.
        """
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
        path = self.manifest_dir / f"{manifest['run_id']}.json"
        data = json.dumps(manifest, indent=2, sort_keys=True, default=str).encode()
        _atomic_write_bytes(path, data)
        return path

    def manifests(self) -> list[dict[str, Any]]:
        """All run manifests, oldest first."""
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
            f"no published barometer at {path}: build it first with "
            "'barometer run pipelines/botkyrka_sample.toml'"
        )
    return duckdb.connect(str(path), read_only=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
