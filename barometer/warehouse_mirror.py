"""Mirror a warehouse's Parquet parts to the fsspec URL the workers of a cluster read
(``barometer run --engine dask --workers-read s3://bucket/warehouse``).

The driver writes its warehouse on its own disk and holds the lock; before each step whose
tasks run on the workers it makes the parts of the tables they read at the URL what they are
in its warehouse: a part missing there, or of another size (an upload cut short), is uploaded;
a part the driver no longer holds (replaced by a rewrite, or erased) is deleted, so erased posts
do not stay in the bucket. Parts are named by the hash of their content
(:mod:`barometer.parquet_parts`), so a part of the same name and size is the same part and
a run that changed nothing uploads nothing. Only ``parquet/<table>/**/part-*.parquet`` files
at the URL are touched: the URL belongs to this warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from barometer.exceptions import WarehouseError
from barometer.schema import Table
from barometer.warehouse import Warehouse
from barometer.warehouse_view import url_filesystem


@dataclass
class MirrorCounts:
    """What one mirroring did: parts uploaded (and their bytes), parts deleted."""

    uploaded: int = 0
    uploaded_bytes: int = 0
    deleted: int = 0


def mirror_parts(store: Warehouse, url: str, tables: Sequence[Table]) -> MirrorCounts:
    """Make the parts of ``tables`` at ``url`` those of ``store`` (see the module's doc)."""
    fs, base = url_filesystem(url)
    counts = MirrorCounts()
    for table in tables:
        here = {p.relative_to(store.root).as_posix(): p for p in store.parts(table)}
        try:
            there = _remote_parts(fs, base, table)
            for name, path in here.items():
                size = path.stat().st_size
                if there.get(name) != size:
                    target = f"{base}/{name}"
                    fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
                    fs.put_file(str(path), target)
                    counts.uploaded += 1
                    counts.uploaded_bytes += size
            stale = [f"{base}/{name}" for name in there if name not in here]
            if stale:
                fs.rm(stale)
                counts.deleted += len(stale)
        except OSError as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise WarehouseError(
                f"cannot mirror table '{table.name}' of {store.root} to {url}: {reason}"
            ) from exc
    return counts


def _remote_parts(fs: Any, base: str, table: Table) -> dict[str, int]:
    """The part files of ``table`` under ``base`` on ``fs``: relative name -> size in bytes."""
    folder = f"{base}/parquet/{table.name}"
    if not fs.exists(folder):
        return {}
    found = fs.find(folder, detail=True)
    prefix = len(base) + 1
    return {
        str(path)[prefix:]: int(info["size"])
        for path, info in found.items()
        if Path(str(path)).name.startswith("part-") and str(path).endswith(".parquet")
    }


__all__ = ["MirrorCounts", "mirror_parts"]
