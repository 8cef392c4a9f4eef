"""Benchmark of the app: seconds to render each page on the sample municipality.

Builds the sample municipality once into a temporary warehouse (or uses ``--warehouse``), then
renders every page with Streamlit's AppTest twice in the same session and prints them side by
side:

1. the baseline: the first, uncached render (every query goes to DuckDB), and
2. the cached re-render (the ``st.cache_data`` wrappers in ``app/data.py`` answer).

The issue's target is under one second per page on the sample (cached). AppTest adds its own
overhead (script compile, element tree), so a real browser session is a little faster.

Usage: ``python bench/bench_app.py [--warehouse PATH]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = ["overview", "trends", "drivers", "impact", "models", "quality"]


def build_sample(root: Path) -> None:
    from barometer.config import load_config
    from barometer.pipeline import run_pipeline

    started = time.perf_counter()
    config = load_config(REPO / "pipelines" / "botkyrka_sample.toml")
    run_pipeline(config, warehouse=root, show_progress=False)
    print(f"sample municipality built in {time.perf_counter() - started:.0f} s: {root}")


def render_times(warehouse: Path) -> dict[str, tuple[float, float]]:
    """Per page: (first uncached render, cached re-render) in seconds."""
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest outside a server logs a warning per cache clear

    os.environ["BAROMETER_WAREHOUSE"] = str(warehouse)
    sys.path.insert(0, str(REPO / "app"))
    at = AppTest.from_file(str(REPO / "app" / "main.py"), default_timeout=120).run()
    times = {}
    for page in PAGES:
        at.switch_page(f"views/{page}.py")
        st.cache_data.clear()  # the baseline: nothing cached yet
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"page {page} failed: {at.exception[0].value}")
        times[page] = (runs[0], runs[1])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (default: build one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse
        if warehouse is None:
            warehouse = Path(tmp) / "warehouse"
            build_sample(warehouse)
        times = render_times(warehouse)
    print(f"\n{'page':<10} {'uncached (baseline) s':>22} {'cached s':>10} {'speed-up':>9}")
    for page, (first, cached) in times.items():
        flag = "" if cached < 1 else "  (over 1 s)"
        print(f"{page:<10} {first:>22.3f} {cached:>10.3f} {first / cached:>8.1f}x{flag}")
    total_first = sum(f for f, _ in times.values())
    total_cached = sum(c for _, c in times.values())
    print(f"{'all pages':<10} {total_first:>22.3f} {total_cached:>10.3f}")


if __name__ == "__main__":
    main()
