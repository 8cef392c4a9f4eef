"""Input-file bookkeeping of a run: each file described in the manifest (hash, size), skipped
when an earlier run ingested it, read batch by batch into its table, and counted; any error
while doing so is that file's error, and the other files go on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.erasure import drop_erased
from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import one_line
from barometer.ingest.quarantine import Quarantine
from barometer.memory_release import release_memory
from barometer.partitions import post_partitions
from barometer.pipeline.state import Run
from barometer.run_plan import input_entry
from barometer.schema import POSTS, QUARANTINE, Table

#: stored rows whose key hashes are kept from one file to the next (8 MB); beyond, the next file
#: re-reads the keys of the partitions it touches (small files, as live pages, reuse the index)
KEPT_KEY_ROWS = 1_000_000

#: a file's batches: (counts and quarantine, enriched rows to store)
Batches = Callable[[], Iterator[tuple[IngestResult, pd.DataFrame]]]


def load_file(
    run: Run, entry: dict[str, Any], table: Table, read: Callable[[], tuple[IngestResult, Any]]
) -> None:
    """Read, enrich and store one input file read whole (see :func:`load_batches`)."""
    load_batches(run, entry, table, lambda: iter([read()]))


def load_batches(run: Run, entry: dict[str, Any], table: Table, batches: Batches) -> None:
    """Read, enrich and store one input file, batch by batch (posts go to their
    partitions, :mod:`barometer.partitions`). Any error while doing so is this file's
    error: recorded in the manifest entry as ``error`` and reported in one line (values
    from the file redacted); the run goes on with the other files, and a later run tries
    the file again (it is not marked ingested; batches stored before the error are not
    stored twice)."""
    total: IngestResult | None = None
    added = 0
    try:
        for result, rows in batches():
            rows, dropped = drop_erased(table, rows, run.erased)
            if dropped:
                result.notes.append(f"{dropped} row(s) of erased people not stored")
            added += _store(run, table, rows)
            total = _add_counts(total, result)
            run.new_rows["quarantine"] += run.store.append(
                QUARANTINE, result.quarantine.to_frame(run.run_id)
            )
            del rows
            release_memory()  # the batch's pages, before the next batch is read
        if total is None:
            raise InputError(f"{entry['path']}: the reader gave no batch; please report this")
        if not total.reconciles():
            raise InputError(
                f"{entry['path']}: counts do not reconcile: read {total.n_read}, kept "
                f"{total.n_kept}, quarantined {total.quarantined}, duplicates "
                f"{total.n_duplicates}; please report this as a bug"
            )
        _record(run, entry, total, table.name, added)
    except InputError as exc:
        _file_error(run, entry, str(exc))
    except Exception as exc:
        _file_error(run, entry, unexpected_error(entry["path"], exc))
    finally:  # a large file's key index (8 bytes per row) is not kept for the next files
        if run.store.key_index_rows(table) > KEPT_KEY_ROWS:
            run.store.release_keys(table)


def unexpected_error(path: str, exc: Exception) -> str:
    """The one line for a file that failed other than by an :class:`InputError`."""
    return (
        f"{path}: could not be read or stored ({type(exc).__name__}: {one_line(exc)}); "
        "the other files went on, and the next run tries it again"
    )


def _store(run: Run, table: Table, rows: pd.DataFrame) -> int:
    """Append ``rows`` (posts into their partitions); how many were new."""
    if table.name != POSTS.name:
        return run.store.append(table, rows)
    if rows.empty:
        return 0
    where = post_partitions(rows)
    return sum(
        run.store.append(POSTS, rows.iloc[index], partition=str(name))
        for name, index in pd.Series(range(len(rows))).groupby(where, sort=True)
    )


def _file_error(run: Run, entry: dict[str, Any], message: str) -> None:
    entry.pop("ingested", None)
    entry["error"] = run.redact(message)
    run.error(entry["error"])


def _record(run: Run, entry: dict[str, Any], result: IngestResult, table: str, added: int) -> None:
    entry.update(
        ingested=True,
        n_read=result.n_read,
        n_kept=result.n_kept,
        n_quarantined=result.quarantined,
        n_duplicates=result.n_duplicates,
        n_new=added,
    )
    if result.notes:
        entry["notes"] = [run.redact(n) for n in result.notes]
    run.new_rows[table] += added
    run.say(
        f"{Path(entry['path']).name}: read {result.n_read:,} = {result.n_kept:,} accepted"
        f" + {result.n_duplicates:,} duplicates + {result.quarantined:,} quarantined"
    )


def todo(run: Run, path: Path, source: str) -> dict[str, Any] | None:
    """The manifest entry of an input file to read now, or None: it cannot be read (its
    error recorded) or an earlier run ingested it."""
    entry = describe(run, path, source)
    if "error" in entry:
        return None
    if entry["sha256"] in run.seen:
        entry.update(ingested=True, skipped="already ingested by an earlier run")
        run.say(f"{path.name}: already ingested by an earlier run")
        return None
    return entry


def describe(run: Run, path: Path, source: str) -> dict[str, Any]:
    """The manifest entry of an input file (hash and size, or why it cannot be read)."""
    entry = input_entry(path, source)
    run.inputs.append(entry)
    if "error" in entry:
        run.error(entry["error"])
    return entry


def _add_counts(total: IngestResult | None, batch: IngestResult) -> IngestResult:
    """The counts and notes of a file's batches so far (rows and quarantine not kept)."""
    if total is None:
        total = IngestResult(batch.rows.iloc[0:0], Quarantine(batch.quarantine.source), 0)
        total.n_kept = total.n_quarantined = 0
    total.n_read += batch.n_read
    total.n_duplicates += batch.n_duplicates
    total.n_kept += batch.n_kept
    total.n_quarantined = (total.n_quarantined or 0) + batch.quarantined
    total.notes.extend(batch.notes)
    return total
