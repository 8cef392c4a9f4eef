"""What the driver keeps across a run's steps: a cold ``barometer run`` with the resident memory
printed at every step boundary, once as the pipeline runs it (each step's ``releases`` drops
the models no later step needs: the language detectors after ``ingest social``, the batch
scorers after ``score posts``, in runs of at least ``steps.RELEASE_MODELS_FROM_POSTS`` posts)
and once with those releases turned off, each in a fresh
process, one after the other, into fresh warehouses; then the published tables are compared.

Each row: the step, the resident memory (``VmRSS``) after it and after the step's memory has
been handed back (:func:`barometer.memory_release.release_memory`), and the process's peak
so far (``VmHWM``), MiB. Then what the remaining holders would still free, one at a time.

Usage, on a config written by ``bench/bench_scale.py --keep DIR`` (or the sample's)::

    python bench/bench_step_release.py DIR/scale.toml WORK
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
from pathlib import Path


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _holders() -> list[tuple[str, object]]:
    from barometer.engine import tasks
    from barometer.nlp import detectors

    return [
        ("evidence cache", detectors.evidence_cache.cache_clear),
        ("lingua (models unloaded)", detectors.release_detectors),
        ("batch scorers", tasks.release_scorers),
    ]


def _child(config: Path, warehouse: Path, keep: bool) -> None:
    from barometer.config import load_config
    from barometer.memory_release import release_memory
    from barometer.pipeline import state, steps
    from barometer.pipeline.runs import run_pipeline

    if keep:
        for step in steps.STEPS:
            object.__setattr__(step, "releases", None)
    timed = state.Run.timed

    def printing(self: state.Run, label: str, step: object) -> object:
        result = timed(self, label, step)  # type: ignore[arg-type]
        print(f"  {label:28} {_status('VmRSS'):7,.0f} {_status('VmHWM'):7,.0f}", flush=True)
        return result

    state.Run.timed = printing  # type: ignore[method-assign]
    print(f"  {'step':28} {'RSS':>7} {'peak':>7}   (MiB, load {os.getloadavg()[0]:.2f})")
    started = time.perf_counter()
    run_pipeline(load_config(config), warehouse=warehouse, show_progress=False)
    print(f"  run: {time.perf_counter() - started:.1f} s, load {os.getloadavg()[0]:.2f}")
    for name, clear in _holders():
        before = _status("VmRSS")
        clear()  # type: ignore[operator]
        gc.collect()
        release_memory()
        print(f"  then clearing {name}: {before:,.0f} -> {_status('VmRSS'):,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("work", type=Path, help="folder for the two warehouses")
    parser.add_argument("--child", choices=["release", "keep"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.config, args.work, keep=args.child == "keep")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scale import compare

    for mode, label in (("keep", "releases off (before)"), ("release", "releases on (now)")):
        print(f"{label}:", flush=True)
        warehouse = args.work / f"warehouse_{mode}"
        cmd = [sys.executable, __file__, str(args.config), str(warehouse), "--child", mode]
        subprocess.run(cmd, check=True, stdout=sys.stdout, stderr=subprocess.DEVNULL)
    differ = compare(args.work / "warehouse_keep", args.work / "warehouse_release")
    print("published tables: " + (f"DIFFER: {differ}" if differ else "identical"))


if __name__ == "__main__":
    main()
