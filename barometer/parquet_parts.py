"""How a Parquet part of the warehouse is written and its rows' keys compared: every file
written to a temporary name in its folder and renamed into place (a crash never leaves half a
file), parts named by the hash of their content (the same rows make the same file), and the
64-bit key hashes :meth:`barometer.warehouse.Warehouse.append` checks new rows against."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, fsync,
    rename); the temporary file is removed when anything fails."""
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


def table_bytes(arrow: pa.Table) -> bytes:
    """The Parquet bytes (zstd) of a part."""
    sink = pa.BufferOutputStream()
    pq.write_table(arrow, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def content_hash(arrow: pa.Table) -> str:
    """SHA-256 of a table's rows in a canonical form (IPC stream), independent of file metadata."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def key_hashes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's key (keys compared as text, as
    :meth:`~barometer.warehouse.Warehouse.append` always has)."""
    if frame.empty:
        return np.empty(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame[key].astype(str), index=False).to_numpy()


def isin_keys(frame: pd.DataFrame, stored: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Whether each row's key (as text) is among ``stored``'s."""
    if stored.empty or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    known = pd.MultiIndex.from_frame(stored[key].astype(str))
    return np.asarray(pd.MultiIndex.from_frame(frame[key].astype(str)).isin(known), dtype=bool)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
