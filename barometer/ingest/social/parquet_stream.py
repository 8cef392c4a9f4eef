"""A Parquet table of posts read batch by batch (``pyarrow.parquet.ParquetFile.iter_batches``),
with memory bounded by one batch (and the row group being decoded), for
:func:`~barometer.ingest.social.tabular.iter_tabular`.

The table is read twice: a first pass decodes every column of every row group (so that a
corrupt page anywhere raises before any post is handed on, as ``pq.read_table`` does when the
file is read whole) and gathers what is checked on whole columns (the time-zone abbreviations
of ``created_at`` and the number format of ``engagement``, through the reader's column checks);
the second hands on the mapped columns, row by row. Each pass has its own handle: the caller
closes :func:`open_parquet`'s when pass 1 ends, :func:`parquet_rows` its own. Row numbers are
1-based positions in the table, as in the whole read.

Anything pyarrow refuses, when opening or in the first pass, makes :func:`open_parquet` /
:func:`scan_parquet` say so, and the caller reads the file whole: the error (or the result,
should the whole read succeed) is then exactly the whole read's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.exceptions import InputError
from barometer.ingest.files import STREAM_BLOCK, corrupt_error


class RowChecks(Protocol):
    """What gathers the checks on whole columns, one row at a time."""

    def add(self, line: int, row: dict[str, Any]) -> None: ...


def _check_readable(path: Path) -> None:
    """The errors of :func:`~barometer.ingest.files.read_bytes` (missing, unreadable, blank),
    without holding the file."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with path.open("rb") as handle:
            while block := handle.read(STREAM_BLOCK):
                if block.strip():
                    return
    except OSError as exc:
        raise corrupt_error(path, exc) from exc
    raise InputError(f"{path}: the file is empty")


def open_parquet(path: Path) -> pq.ParquetFile | None:
    """The file opened for batches; ``None`` when pyarrow cannot open it (read it whole)."""
    _check_readable(path)
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError):
        return None


def scan_parquet(
    parquet: pq.ParquetFile, checked: list[str], checks: RowChecks, batch_size: int
) -> bool:
    """Pass 1: decode every column, handing the ``checked`` columns' values (those of them the
    table has) to ``checks`` row by row; ``False`` when a batch cannot be decoded."""
    present = [c for c in dict.fromkeys(checked) if c in parquet.schema_arrow.names]
    line = 0
    try:
        for batch in parquet.iter_batches(batch_size=batch_size):
            values = [batch.column(name).to_pylist() for name in present]
            for cells in zip(*values, strict=True) if values else ((),) * batch.num_rows:
                line += 1
                checks.add(line, dict(zip(present, cells, strict=True)))
    except (pa.ArrowException, OSError):
        return False
    return True


def parquet_rows(
    path: Path, columns: list[str], batch_size: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Pass 2: (row number, record of ``columns``) per row, through a handle of its own that
    is closed when the rows end (or the generator is closed)."""
    line = 0
    try:
        with pq.ParquetFile(path) as parquet:
            for batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
                for row in batch.to_pylist():
                    line += 1
                    yield line, row
    except (pa.ArrowException, OSError) as exc:  # read in pass 1: the file changed since
        raise corrupt_error(path, exc) from exc
