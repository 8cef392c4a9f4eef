"""What grows while social posts are ingested: ``barometer ingest`` of N generated posts with
the driver's memory recorded after each stored batch.

Each row: posts stored so far, the process's resident memory (``VmRSS``), what Python's
allocator traces (:mod:`tracemalloc`, with ``--trace``), what Arrow's memory pool holds
(:func:`pyarrow.total_allocated_bytes`), and the resident memory after glibc hands back its
freed-but-held pages (``malloc_trim(0)``, Linux; with ``--trim-probe``: the probe itself then
changes what later rows see). With ``--trace`` the largest growths between the first file's
end and the last batch are listed by source line. Posts are generated as :mod:`bench_scale`
generates them (one X file per year).

Usage: ``python bench/ingest_memory.py --posts 600000 [--keep DIR] [--trace] [--trim-probe]
[--no-release]``; an older revision on the same posts: ``PYTHONPATH=<its package> python
bench/ingest_memory.py --keep DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import generated_config


def rss_mib() -> float:
    """This process's resident memory now (``VmRSS``), MiB; 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def trimmed_rss_mib() -> float:
    """Resident memory after :func:`~barometer.memory_release.release_memory` (Arrow's pool
    and ``malloc_trim(0)``, glibc only)."""
    from barometer.memory_release import release_memory

    release_memory()
    return rss_mib()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=600_000)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: temporary)")
    parser.add_argument("--trace", action="store_true", help="tracemalloc (slow), top lines")
    parser.add_argument("--trim-probe", action="store_true", help="RSS after malloc_trim too")
    parser.add_argument("--no-release", action="store_true", help="no release_memory calls")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    import pyarrow as pa

    import barometer.pipeline.files as files
    from barometer.config import load_config
    from barometer.pipeline import run_ingest

    rows: list[dict[str, Any]] = []
    snapshots: list[tuple[int, tracemalloc.Snapshot]] = []
    stored = 0
    store = files._store

    def recording_store(run: Any, table: Any, frame: Any) -> int:
        nonlocal stored
        added = store(run, table, frame)
        if table.name == "posts":
            stored += len(frame)
            row = {"posts": stored, "rss": rss_mib(), "arrow": pa.total_allocated_bytes() / 2**20}
            if args.trace:
                row["traced"] = tracemalloc.get_traced_memory()[0] / 2**20
                snapshots.append((stored, tracemalloc.take_snapshot()))
            if args.trim_probe:
                row["trimmed"] = trimmed_rss_mib()
            rows.append(row)
            print(" ".join(f"{k}={v:,.1f}" for k, v in row.items()), flush=True)
        return added

    files._store = recording_store  # type: ignore[assignment]
    if args.no_release:  # this code without the release between batches and steps
        import barometer.pipeline.state as state

        files.release_memory = state.release_memory = lambda: None  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        config = generated_config(work, args.posts)
        if args.trace:
            tracemalloc.start(1)
        load, started = os.getloadavg()[0], time.perf_counter()
        run_ingest(load_config(config), warehouse=work / f"warehouse-{os.getpid()}")
        wall = time.perf_counter() - started
        end = f"end RSS {rss_mib():,.0f} MiB, after release {trimmed_rss_mib():,.0f} MiB"
        loads = f"load {load:.2f} -> {os.getloadavg()[0]:.2f}"
        print(f"{stored:,} posts in {wall:.0f} s; {loads}; {end}")
    if len(snapshots) >= 2:
        files_end = len(snapshots) // 3 - 1 if len(snapshots) >= 3 else 0
        (n0, first), (n1, last) = snapshots[max(files_end, 0)], snapshots[-1]
        print(f"\ntop growth by line, {n0:,} -> {n1:,} posts (MiB)")
        for stat in last.compare_to(first, "lineno")[: args.top]:
            frame = stat.traceback[0]
            print(f"{stat.size_diff / 2**20:8.1f} {stat.size / 2**20:8.1f}  "
                  f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}")  # fmt: skip


if __name__ == "__main__":
    main()
