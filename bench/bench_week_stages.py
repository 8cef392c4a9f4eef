"""Where an added week's seconds go: copy a work folder kept by ``bench_scale.py --keep DIR``,
add one more week of generated posts to the copy, run the pipeline on it in this process, and
print each step's seconds and the wall seconds of the aggregate and publish steps' stages
(functions wrapped in timers; no profiler, so the numbers are those of a plain run).

Usage (the copy is made once; a second call on the same COPY reruns on it as it is)::

    python bench/bench_week_stages.py DIR COPY [--week 2026-02-02] [--posts 6410] [--prime]

``--prime`` runs the pipeline once on the fresh copy before the week is added (untimed stages,
its wall printed), so that caches the kept folder was built without (say, by older code) are
filled as a warehouse kept by this code would have them.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scale

#: (module, function) pairs timed; the modules' own names, so that their callers see the timer
STAGES = {
    "barometer.derive": [
        "digital_from_stats", "shifts_of_terms", "aggregate_sensing", "aggregate_survey",
        "aggregate_observation", "suppress_cells", "indicator_validity", "composite_validity",
        "composite_cells", "nowcast_outputs", "sensitivity_tables", "trust_scale_invariance",
        "coverage_table",
    ],
    "barometer.pipeline.indicators": ["_summaries", "_term_parts"],
    "barometer.pipeline.manifest": ["impact_tables", "build_published"],
}  # fmt: skip


def _timed(seconds: dict[str, float], label: str, function: Callable[..., Any]) -> Any:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - started

    return timed


def _prime(config: Path, warehouse: Path) -> None:
    from barometer.config import load_config
    from barometer.pipeline import run_pipeline

    started = time.perf_counter()
    report = run_pipeline(load_config(config), warehouse=warehouse, show_progress=False)
    cells = report.manifest.get("merged_cells")
    print(f"primed: {time.perf_counter() - started:.1f} s; merged_cells {json.dumps(cells)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work", type=Path, help="work folder kept by bench_scale.py --keep")
    parser.add_argument("copy", type=Path, help="where to copy it (made once)")
    parser.add_argument("--week", default="2026-02-02", help="first day of the added week")
    parser.add_argument("--posts", type=int, default=6410, help="posts of the added week")
    parser.add_argument("--prime", action="store_true", help="run once before adding the week")
    args = parser.parse_args()
    if not args.copy.exists():
        args.copy.mkdir(parents=True)
        for name in ("warehouse", "posts"):
            shutil.copytree(args.work / name, args.copy / name)
        if args.prime:
            posts = args.copy / "posts" / "x_*.jsonl.gz"
            _prime(bench_scale.write_config(args.copy, posts), args.copy / "warehouse")
        week = datetime.fromisoformat(args.week).replace(tzinfo=UTC)
        bench_scale.generate(args.posts, args.copy / "posts", seed=2, week=week)
    config = bench_scale.write_config(args.copy, args.copy / "posts" / "x_*.jsonl.gz")
    import importlib

    seconds: dict[str, float] = {}
    for module_name, names in STAGES.items():
        module = importlib.import_module(module_name)
        for name in names:
            setattr(module, name, _timed(seconds, name, getattr(module, name)))
    from barometer.config import load_config
    from barometer.pipeline import run_pipeline

    started = time.perf_counter()
    report = run_pipeline(
        load_config(config), warehouse=args.copy / "warehouse", show_progress=False
    )
    manifest = report.manifest
    print(f"wall {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.2f}")
    for key in ("step_seconds", "partitions_read", "bootstrap_cells", "merged_cells"):
        print(f"{key}: {json.dumps(manifest.get(key))}")
    for name, value in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"  {name:28s} {value:7.2f} s")


if __name__ == "__main__":
    main()
