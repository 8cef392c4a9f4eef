"""Social files read and enriched in worker processes, stored by the driver in file order.

A social file is independent of the others until it is stored: its languages take their
context from the file alone (:mod:`barometer.nlp.file_languages`). So with
``[run] ingest_workers = N`` (or ``barometer run --ingest-workers N``), N worker processes each
read and enrich whole files (:func:`barometer.pipeline.social.read_social_file`: reader,
caps, places, pseudonyms, PII scrub, language ID) while the driver stores the files already
done. A worker writes a file's enriched batches as Parquet into a temporary folder inside the
warehouse (``.ingest-*``, whose posts are already pseudonymised and scrubbed, as the enrich
spill is) and hands back the counts, notes and quarantine rows. The driver alone holds the
writer lock and stores, in the same file order as a serial run, through the same
:func:`~barometer.pipeline.files.load_batches` (erasures dropped, posts deduplicated across
files by the warehouse's key index, quarantine appended, manifest counts recorded), so a
warehouse built with any number of workers equals the serial one.

A file that fails in a worker fails as it does in the driver: one line naming the file, the
other files go on; a worker that dies (killed, out of memory) breaks the pool: the files then
in flight fail, each in its own line, and the files still waiting go on in a fresh pool. Should
that one break too, its files in flight and every later file fail in their own lines; the run
goes on to its other steps either way, and the next run tries the failed files again. Workers are
*spawned*, not forked: lingua's thread pool deadlocks in a child forked from a process that
has used it (measured), and Dask's LocalCluster, where the score step's parallel tasks run,
spawns too. Each worker loads the detectors once and keeps its own evidence cache. At most
``workers + 1`` files are in flight, so the temporary folders hold at most that many enriched
files. Ctrl-C (or any error in the driver) stops the workers and removes the folders.
"""

from __future__ import annotations

import multiprocessing
import signal
import tempfile
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.config import SocialSource
from barometer.exceptions import InputError
from barometer.geo import Boundaries, Gazetteer
from barometer.ingest.base import IngestResult
from barometer.pipeline.files import load_batches, todo, unexpected_error
from barometer.pipeline.state import Run
from barometer.privacy import Pseudonymiser
from barometer.schema import POSTS

#: the multiprocessing start method of the workers (see the module docstring)
START_METHOD = "spawn"


@dataclass(frozen=True)
class EnrichContext:
    """What a worker needs of the run to enrich a file as the driver would."""

    boundaries: Boundaries
    pseudonymiser: Pseudonymiser
    language_prior: Mapping[str, float] | None
    timezone: str


_CONTEXT: EnrichContext | None = None
_GAZETTEER: Gazetteer | None = None


def _start_worker(context: EnrichContext) -> None:
    """Keep the run's context in this worker; Ctrl-C is the driver's to handle."""
    global _CONTEXT, _GAZETTEER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CONTEXT = context
    _GAZETTEER = Gazetteer(context.boundaries)


def enrich_in_worker(source: SocialSource, path: str, folder: str) -> list[IngestResult]:
    """Read and enrich the file at ``path`` in this worker: each batch's posts written to
    ``folder/batch-NNNNNN.parquet``, its result (counts, notes, quarantine; no rows) returned.
    Any error becomes the :class:`InputError` the driver would have reported for the file."""
    from barometer.pipeline.social import read_social_file

    if _CONTEXT is None or _GAZETTEER is None:
        raise RuntimeError("an ingest worker was started without the run's context")
    results: list[IngestResult] = []
    try:
        batches = read_social_file(
            source,
            Path(path),
            timezone=_CONTEXT.timezone,
            boundaries=_CONTEXT.boundaries,
            pseudonymiser=_CONTEXT.pseudonymiser,
            gazetteer=_GAZETTEER,
            language_prior=_CONTEXT.language_prior,
            spill_dir=Path(folder),
        )
        for result, posts in batches:
            table = pa.Table.from_pandas(posts, schema=POSTS.schema, preserve_index=False)
            pq.write_table(table, _batch_path(folder, len(results)))
            results.append(result)
    except InputError as exc:  # as a plain InputError: a subclass's own __init__ may not unpickle
        raise InputError(str(exc)) from None
    except Exception as exc:
        raise InputError(unexpected_error(path, exc)) from None
    return results


def _batch_path(folder: str | Path, index: int) -> Path:
    return Path(folder) / f"batch-{index:06d}.parquet"


def _stored_batches(
    future: Future[list[IngestResult]], folder: Path
) -> Iterator[tuple[IngestResult, pd.DataFrame]]:
    """The batches a worker left in ``folder`` (its error, if it failed)."""
    for index, result in enumerate(future.result()):
        yield result, pq.read_table(_batch_path(folder, index)).to_pandas()


@dataclass
class _Pending:
    """A file in flight: its manifest entry, the worker's answer and the folder of its batches
    (all None for a file not to read: it could not be read, or an earlier run ingested it)."""

    entry: dict[str, Any] | None = None
    future: Future[list[IngestResult]] | None = None
    folder: tempfile.TemporaryDirectory[str] | None = None

    def store(self, run: Run) -> None:
        """Store the file's batches (or report its error) here, then remove its folder."""
        if self.entry is None or self.future is None or self.folder is None:
            return
        try:
            batches = partial(_stored_batches, self.future, Path(self.folder.name))
            load_batches(run, self.entry, POSTS, batches)
        finally:
            self.folder.cleanup()


class _Workers:
    """The pool of workers, started afresh once when a worker dies (killed, out of memory):
    the files in flight in the broken pool fail (their futures hold the error), the files
    submitted after it go to the fresh pool; a second broken pool fails every later file."""

    def __init__(self, context: EnrichContext, workers: int) -> None:
        self._start = partial(
            ProcessPoolExecutor,
            workers,
            mp_context=multiprocessing.get_context(START_METHOD),
            initializer=_start_worker,
            initargs=(context,),
        )
        self.pool = self._start()
        self._restarts = 1

    def submit(self, source: SocialSource, path: Path, folder: str) -> Future[list[IngestResult]]:
        try:
            return self.pool.submit(enrich_in_worker, source, str(path), folder)
        except BrokenProcessPool as exc:
            if self._restarts == 0:  # each later file fails in its own line, for the next run
                future: Future[list[IngestResult]] = Future()
                future.set_exception(exc)
                return future
        self._restarts -= 1
        _stop(self.pool)  # its futures all hold their error by now
        self.pool = self._start()
        return self.submit(source, path, folder)


def _submit(run: Run, workers: _Workers, source: SocialSource, path: Path) -> _Pending:
    entry = todo(run, path, f"social:{source.format}")
    if entry is None:
        return _Pending()
    run.store.root.mkdir(parents=True, exist_ok=True)
    folder = tempfile.TemporaryDirectory(prefix=".ingest-", dir=run.store.root)
    return _Pending(entry, workers.submit(source, path, folder.name), folder)


def ingest_social_in_pool(run: Run, files: list[tuple[SocialSource, Path]], workers: int) -> None:
    """Every social file not ingested before, read and enriched by ``workers`` spawned
    processes and stored here in file order, at most ``workers + 1`` files in flight (see the
    module docstring); the bar advances as each file is stored."""
    bar = run.bar("ingest social media", total=len(files))
    context = EnrichContext(
        run.boundaries, run.pseudonymiser, run.config.nlp.language_prior, run.config.timezone
    )
    pool = _Workers(context, workers)
    waiting = deque(files)
    in_flight: deque[_Pending] = deque()
    try:
        while waiting or in_flight:
            while waiting and sum(p.future is not None for p in in_flight) <= workers:
                in_flight.append(_submit(run, pool, *waiting.popleft()))
            in_flight.popleft().store(run)
            run.progress.advance(bar)
    except BaseException:  # Ctrl-C included: no worker goes on, no folder is left
        _stop(pool.pool)
        for pending in in_flight:
            if pending.folder is not None:
                pending.folder.cleanup()
        raise
    pool.pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (a worker's file may be half read: it is read again next run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
    pool.shutdown(wait=True, cancel_futures=True)
