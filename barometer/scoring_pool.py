"""Scoring a stream of batches over forked worker processes (the scoring benchmark's parallel
mode): the workers share one :class:`~barometer.batch_scoring.BatchScorer`'s loaded models
copy-on-write, and each reports its proportional memory so that their sum is the memory used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from barometer.batch_scoring import BatchScorer

_WORKER_SCORER: BatchScorer | None = None


def proportional_memory_kib() -> int:
    """This process's proportional set size (PSS, KiB): its private memory plus its share of
    pages shared with other processes, so the PSS of forked workers adds up to the memory
    really used. 0 where ``/proc/self/smaps_rollup`` is not available."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _score_in_worker(posts: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """(rows, worker pid, worker PSS in KiB just after scoring) for one batch."""
    import os

    if _WORKER_SCORER is None:  # stream_scores starts every worker with a scorer
        raise RuntimeError("a scoring worker was started without a scorer")
    rows = _WORKER_SCORER.score(posts)
    return rows, os.getpid(), proportional_memory_kib()


def stream_scores(
    batches: Iterable[pd.DataFrame], *, scorer: BatchScorer, workers: int = 2
) -> Iterator[tuple[pd.DataFrame, int, int]]:
    """Score a stream of batches with ``workers`` forked processes sharing ``scorer``'s loaded
    models copy-on-write; yields ``(rows, worker pid, worker PSS KiB)`` in input order.

    With ``workers <= 1`` it scores in this process. Memory stays bounded: at most
    ``2 * workers`` batches are in flight.
    """
    global _WORKER_SCORER
    if workers <= 1:
        for batch in batches:
            yield _score_here(scorer, batch)
        return
    import multiprocessing as mp
    from itertools import islice

    _WORKER_SCORER = scorer
    iterator = iter(batches)
    with mp.get_context("fork").Pool(workers) as pool:
        pending = [pool.apply_async(_score_in_worker, (b,)) for b in islice(iterator, 2 * workers)]
        while pending:
            yield pending.pop(0).get()
            following = next(iterator, None)
            if following is not None:
                pending.append(pool.apply_async(_score_in_worker, (following,)))


def _score_here(scorer: BatchScorer, posts: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    import os

    rows = scorer.score(posts)
    return rows, os.getpid(), proportional_memory_kib()
