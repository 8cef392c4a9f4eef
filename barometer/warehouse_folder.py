"""What may become a warehouse folder: a warehouse (its ``warehouse.json``, or only the
entries a warehouse writes), an empty folder, or a new one; never a file system root, a file
or a folder holding other things. The temporary ingest folders a killed run leaves
(:data:`LEFTOVER_PREFIXES`) are the barometer's own: the next writer removes them."""

from __future__ import annotations

from pathlib import Path

from barometer.exceptions import WarehouseError
from barometer.locking import LOCK_FILE

DUCKDB_FILE = "barometer.duckdb"
METADATA_FILE = "warehouse.json"
FORMAT = "barometer-warehouse"
#: what a warehouse folder may hold (plus hidden temporary files of these)
_KNOWN_ENTRIES = frozenset(
    {"parquet", "manifests", DUCKDB_FILE, METADATA_FILE, LOCK_FILE, "landing", "live"}
)  # landing/ and live/: raw pages and fetch state of the live sources (barometer.live)


#: the temporary folders of a run's social ingest (``.ingest-*`` of the ingest workers,
#: ``.enrich-*`` spills): whole files' enriched posts, removed when the file is stored; a killed
#: run leaves them, and the next writer removes them under the lock
LEFTOVER_PREFIXES = (".ingest-", ".enrich-")


def leftover_folders(root: Path) -> list[Path]:
    """The temporary ingest folders at the top of ``root`` (none when it is no folder)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.name.startswith(LEFTOVER_PREFIXES) and p.is_dir())


def _own(path: Path) -> bool:
    """Whether a top-level entry is one a warehouse or a run writes."""
    return _ours(path.name) or (path.name.startswith(LEFTOVER_PREFIXES) and path.is_dir())


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
    entries = list(root.iterdir())
    names = {p.name for p in entries}
    return bool(names & {"parquet", "manifests"}) and all(_own(p) for p in entries)


def check_warehouse_path(root: Path) -> None:
    """Refuse a folder that must not become a warehouse: a file system root, an existing file,
    or a folder that holds other things (writing there would mix the barometer's files with
    them, and erasure or pruning could not tell which files are its own). An empty folder, a
    warehouse, or a folder holding only what a killed first run left (the lock, its temporary
    ingest folders: :func:`leftover_folders`) is accepted."""
    resolved = root.resolve()
    if resolved == Path(resolved.anchor):
        raise WarehouseError(
            f"{root} is the root of the file system; give the warehouse a folder of its own, "
            "e.g. --warehouse ./warehouse"
        )
    if resolved.exists() and not resolved.is_dir():
        raise WarehouseError(f"{root} is a file, not a warehouse folder")
    if resolved.is_dir() and not is_warehouse(resolved):
        foreign = sorted(p.name for p in resolved.iterdir() if not _own(p))
        if foreign:
            raise WarehouseError(
                f"{root} is not empty and is not a barometer warehouse (it holds "
                f"{', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}); give a new or "
                "empty folder (the warehouse keeps only its own files)"
            )
