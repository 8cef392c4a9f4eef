"""Memory and time of a reader's per-file id set: a Python set of id strings (before) against
:class:`barometer.ingest.social.id_set.SeenIds` (two 64-bit hashes per id), filled batch by
batch as a streamed file fills it, side by side in one run.

Usage::

    python bench/bench_id_set.py --ids 1000000 --batch 100000
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from barometer.ingest.social.id_set import SeenIds


def _measure(label: str, n_ids: int, batch: int, use_hashes: bool, *, traced: bool) -> None:
    if traced:  # tracemalloc slows every allocation: memory and time are measured apart
        tracemalloc.start()
    started = time.perf_counter()
    seen_set: set[object] = set()
    hashed = SeenIds()
    for start in range(0, n_ids, batch):
        ids = [
            f"x:{1_600_000_000_000_000_000 + i}" for i in range(start, min(start + batch, n_ids))
        ]
        if use_hashes:
            hashed.add_new(ids)
        else:
            _ = [i in seen_set for i in ids]
            seen_set.update(ids)
        del ids
    seconds = time.perf_counter() - started
    if not traced:
        print(f"{label:28s} {seconds:7.2f} s  {n_ids / seconds:12,.0f} ids/s (ids made included)")
        return
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:28s} {current / 2**20:8.1f} MiB held  {current / n_ids:6.1f} B/id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ids", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args()
    for traced in (False, True):
        _measure("python set of id strings", args.ids, args.batch, False, traced=traced)
        _measure("SeenIds (2 x 64-bit hashes)", args.ids, args.batch, True, traced=traced)


if __name__ == "__main__":
    main()
