"""Speed of building ``cell_stats`` and the cell languages from a warehouse's partitions: this
code against a git revision's (default: main before the scale2 work), on the same partitions,
with a check that both give the same rows.

Usage (a warehouse built by ``barometer run`` or ``bench/bench_scale.py --keep``)::

    python bench/bench_cell_stats.py WAREHOUSE [--baseline 4d1bfe7] [--partitions 6]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType

import pandas as pd

from barometer.aggregate.cell_stats import cell_stats
from barometer.schema import POST_SCORES, POSTS
from barometer.scoring import current_scores, model_versions
from barometer.validity import cell_language_part
from barometer.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[1]


def _module_at(ref: str, path: str, folder: Path) -> ModuleType:
    """The module at ``path`` as of git revision ``ref`` (its imports from today's package)."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{ref}:{path}"], check=True, capture_output=True
    ).stdout
    file = folder / path.replace("/", "_")
    file.write_bytes(source)
    spec = importlib.util.spec_from_file_location(f"baseline_{file.stem}", file)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path} at {ref}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--baseline", default="4d1bfe7")
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args()
    store = Warehouse(args.warehouse)
    names = [p for p in store.partitions(POSTS) if p][: args.partitions]
    versions = model_versions()
    with tempfile.TemporaryDirectory() as tmp:
        old_stats = _module_at(args.baseline, "barometer/aggregate/cell_stats.py", Path(tmp))
        old_validity = _module_at(args.baseline, "barometer/validity.py", Path(tmp))
    timings = {"cell_stats new": 0.0, "cell_stats baseline": 0.0,
               "cell languages new": 0.0, "cell languages baseline": 0.0}  # fmt: skip
    n_posts = 0
    for name in names:
        posts = store.read(POSTS, partition=name)
        scores = current_scores(store.read(POST_SCORES, partition=name), versions)
        n_posts += len(posts)
        for label, build in (
            ("cell_stats new", cell_stats),
            ("cell_stats baseline", old_stats.cell_stats),
            ("cell languages new", cell_language_part),
            ("cell languages baseline", old_validity.cell_language_part),
        ):
            started = time.perf_counter()
            result = build(posts, scores)
            timings[label] += time.perf_counter() - started
            if label.endswith("new"):
                new = result
            elif label.startswith("cell_stats"):
                pd.testing.assert_frame_equal(new, result, check_dtype=False)
            else:
                for mine, theirs in zip(new[:2], result[:2], strict=True):
                    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
    print(f"{len(names)} partitions, {n_posts:,} posts; same rows as {args.baseline}")
    for label, seconds in timings.items():
        print(f"  {label:26s} {seconds:7.2f} s  {n_posts / seconds:12,.0f} posts/s")


if __name__ == "__main__":
    main()
