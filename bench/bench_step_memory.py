"""Where the aggregate step's memory goes: recompute and publish an existing warehouse (the
``aggregate and indicators`` and ``publish`` steps, as ``barometer erase`` does after its
change) while a thread samples this process's RSS every 20 ms, and print, per function of the
package on the stack, the largest RSS seen while it ran, plus the stack at the overall peak.

Usage (on a warehouse built by ``bench/bench_scale.py --keep DIR``; it is rewritten, so pass a
copy)::

    python bench/bench_step_memory.py DIR/scale.toml DIR/warehouse
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

PAGE_MIB = 4096 / 2**20


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE_MIB


def _ours(frame: Any) -> list[str]:
    """The package's functions on a stack, outermost first."""
    return [
        f"{Path(f.filename).stem}.{f.name}"
        for f in traceback.extract_stack(frame)
        if "/barometer/" in f.filename and "/bench/" not in f.filename
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("warehouse", type=Path)
    args = parser.parse_args()
    from barometer.config import load_config
    from barometer.pipeline.runs import republish

    main_thread = threading.main_thread().ident
    peak: dict[str, float] = {}
    at_peak: list[str] = []
    top = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            frame = sys._current_frames().get(main_thread or 0)
            if frame is None:
                continue
            rss = rss_mib()
            stack = _ours(frame)
            for name in dict.fromkeys(stack):
                peak[name] = max(peak.get(name, 0.0), rss)
            if rss > top[0]:
                top[0] = rss
                at_peak[:] = stack

    started = time.perf_counter()
    print(f"RSS before: {rss_mib():,.0f} MiB")
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    republish(
        load_config(args.config),
        lambda store, pseudonymiser: {},
        step="memory profile",
        warehouse=args.warehouse,
        allow_demo_key=True,
    )
    done.set()
    thread.join()
    print(f"{time.perf_counter() - started:.1f} s; peak RSS {top[0]:,.0f} MiB, stack at the peak:")
    for name in at_peak:
        print(f"  {name}")
    print("largest RSS while each function ran (MiB):")
    for name, mib in sorted(peak.items(), key=lambda kv: -kv[1])[:80]:
        print(f"  {mib:8,.0f}  {name}")


if __name__ == "__main__":
    main()
