"""Benchmark of the whole sample pipeline: throughput per step and peak memory.

Runs the sample municipality twice into a fresh temporary warehouse, each run in its own
process so that peak memory (max RSS) is measured per run:

1. a cold run (everything ingested, scored and published), and
2. a re-run on the same inputs: the incremental baseline (inputs skipped by content hash).

Then compares, side by side on the sample's posts with coordinates, the vectorised
point-in-polygon assignment (one STRtree query) with a naive baseline (a shapely
``contains`` test per point and polygon).

Usage: ``python bench/bench_pipeline.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from barometer.geo import assign_points, load_boundaries
from barometer.locations import sample_config, sample_dir

CONFIG = sample_config()

RUN_ONE = """
import json, resource, sys
from pathlib import Path
from barometer.config import load_config
from barometer.pipeline import run_pipeline
report = run_pipeline(load_config(sys.argv[1]), warehouse=Path(sys.argv[2]), show_progress=False)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"manifest": report.manifest, "peak_mib": peak_mib}, default=str))
"""


def run_once(warehouse: Path) -> dict:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", RUN_ONE, str(CONFIG), str(warehouse)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def print_run(label: str, result: dict, n_posts: int) -> None:
    manifest = result["manifest"]
    print(f"\n{label}: {result['wall_s']:.1f} s wall, peak memory {result['peak_mib']:.0f} MiB")
    print(f"  {'step':34s} {'seconds':>9s} {'posts/s':>11s}")
    for step, seconds in manifest["step_seconds"].items():
        rate = n_posts / seconds if seconds > 0 else float("inf")
        print(f"  {step:34s} {seconds:9.2f} {rate:11,.0f}")


def bench_geo() -> None:
    boundaries = load_boundaries(sample_dir() / "neighbourhoods.geojson")
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = shapely.total_bounds(boundaries.frame["geometry"].to_numpy())
    n = 20_000
    lon = rng.uniform(minx, maxx, n)
    lat = rng.uniform(miny, maxy, n)
    started = time.perf_counter()
    fast = assign_points(boundaries, lon, lat)
    fast_s = time.perf_counter() - started
    started = time.perf_counter()
    polygons = list(zip(boundaries.ids, boundaries.frame["geometry"], strict=True))
    naive = []
    for x, y in zip(lon, lat, strict=True):
        point = shapely.Point(x, y)
        naive.append(next((i for i, poly in polygons if poly.intersects(point)), None))
    naive_s = time.perf_counter() - started
    assert list(fast) == naive, "vectorised and naive assignments disagree"
    print(f"\npoint-in-polygon, {n:,} points, {len(polygons)} neighbourhoods")
    print(f"  {'method':34s} {'seconds':>9s} {'points/s':>11s}")
    print(f"  {'STRtree, one query (ours)':34s} {fast_s:9.3f} {n / fast_s:11,.0f}")
    print(f"  {'naive loop (baseline)':34s} {naive_s:9.3f} {n / naive_s:11,.0f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse"
        cold = run_once(warehouse)
        rerun = run_once(warehouse)
    n_posts = cold["manifest"]["row_counts"]["posts"]
    print(f"sample pipeline: {n_posts:,} posts stored")
    print_run("cold run", cold, n_posts)
    print_run("re-run on the same inputs (incremental baseline)", rerun, n_posts)
    bench_geo()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbench process peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
