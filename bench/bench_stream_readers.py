"""Time and peak memory of the Reddit NDJSON reader: the dump read whole (``read_reddit``, the
whole text in memory, the path before streaming) against the stream (``iter_reddit``, batches
of ``--batch`` records handed on and dropped), side by side in one run. Each way runs in a
fresh process, so its peak RSS is its own. The dump is generated (gzipped, ``--records``
comments by 5,000 authors) into a temporary folder.

Usage::

    python bench/bench_stream_readers.py --records 400000 --batch 100000
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from barometer.ingest.social.reddit import iter_reddit, read_reddit


def _write_dump(path: Path, records: int) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(records):
            text = f"Grannar i Alby trivs bra tillsammans, inlägg {i}. " * 3
            thing = {"id": f"c{i}", "author": f"u{i % 5000}", "body": text}
            handle.write(json.dumps({**thing, "created_utc": 1_711_962_000 + i}) + "\n")


def _measure(path: Path, how: str, batch: int) -> None:
    started = time.perf_counter()
    if how == "whole":
        result = read_reddit(path)
        kept, read = len(result.rows), result.n_read
    else:
        kept = read = 0
        for part in iter_reddit(path, batch_size=batch):
            kept, read = kept + len(part.rows), read + part.n_read
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"{how:7s} {read:>10,} read {kept:>10,} kept {seconds:7.2f} s "
        f"{read / seconds:>10,.0f} records/s  peak RSS {peak:7,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=400_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--measure", choices=["whole", "stream"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.path, args.measure, args.batch)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "RC_bench.ndjson.gz"
        _write_dump(path, args.records)
        for how in ("whole", "stream"):
            command = [sys.executable, __file__, "--measure", how, "--path", str(path)]
            subprocess.run([*command, "--batch", str(args.batch)], check=True)


if __name__ == "__main__":
    main()
