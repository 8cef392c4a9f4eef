"""A read-only view of a warehouse's Parquet parts, as the per-partition tasks of an engine see
it: a plain folder path, read exactly as :class:`~barometer.warehouse.Warehouse` reads it, or
an fsspec URL (``s3://bucket/warehouse``, ``gs://...``, ``abfs://...``, ``file:///...``,
``memory://...``), read through that file system (the protocol's package, such as ``s3fs`` or
``gcsfs``, installed where the tasks run; credentials from fsspec's usual environment variables
and config files). The view writes nothing and takes no lock: the driver holds the writers'
lock and stores what the tasks return.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from barometer.exceptions import WarehouseError
from barometer.schema import Table, empty_frame
from barometer.warehouse import Warehouse


def is_url(root: str) -> bool:
    """Whether ``root`` is an fsspec URL (``protocol://...``) rather than a folder path."""
    return "://" in root


def url_filesystem(url: str) -> tuple[Any, str]:
    """The fsspec file system of ``url`` and the warehouse's path on it (no trailing ``/``);
    one clear error when the protocol is unknown or its package is not installed."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise WarehouseError(f"cannot open the warehouse URL {url}: {exc}") from exc
    return fs, path.rstrip("/")


class WarehouseView:
    """The parts of a warehouse at ``root`` (a folder path or an fsspec URL), read only."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._store = None if is_url(root) else Warehouse(root)
        self._fs: Any = None
        self._path = ""
        if self._store is None:
            self._fs, self._path = url_filesystem(root)

    def parts(self, table: Table, partition: str) -> list[str]:
        """The part files of one partition folder of ``table`` (``""``: its top level)."""
        if self._store is not None:
            return [str(p) for p in self._store.parts(table, partition)]
        folder = "/".join(x for x in (self._path, "parquet", table.name, partition) if x)
        try:
            found = self._fs.glob(f"{folder}/part-*.parquet")
        except Exception as exc:  # any file system's error, said in one line
            raise self._error(table, partition, exc) from exc
        return sorted(str(p) for p in found)

    def read(
        self,
        table: Table,
        partition: str,
        columns: Iterable[str] | None = None,
        required: bool = False,
    ) -> pd.DataFrame:
        """One partition of ``table`` (an empty frame of the right shape if it has no parts;
        ``required``: an error instead, for a partition the driver holds, so that a URL the
        driver's warehouse was not synced to is never read as "no posts")."""
        wanted = list(columns) if columns is not None else table.columns
        parts = self.parts(table, partition)
        if not parts and required:
            raise self._error(table, partition, "it has no Parquet parts there")
        if self._store is not None:
            return self._store.read(table, columns=wanted, partition=partition)
        if not parts:
            return empty_frame(table)[wanted]
        try:
            arrow = pq.ParquetDataset(
                parts, schema=table.schema, partitioning=None, filesystem=self._fs
            ).read(columns=wanted)
        except Exception as exc:  # any file system's error, said in one line
            raise self._error(table, partition, exc) from exc
        return arrow.to_pandas()

    def _error(self, table: Table, partition: str, cause: object) -> WarehouseError:
        where = f"partition '{partition}'" if partition else "the top level"
        reason = " ".join(str(cause).split()) or type(cause).__name__
        return WarehouseError(
            f"cannot read {where} of table '{table.name}' at {self.root}: {reason} (the "
            "workers must see the driver's warehouse there; docs/SCALE.md, 'The Dask engine')"
        )
