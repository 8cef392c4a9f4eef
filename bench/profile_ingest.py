"""Where the ingest of an X export spends its time: ``barometer ingest`` of N generated posts
under cProfile, one row per part of the work (JSON parsing, per-record Python work,
normalisation, fastText, lingua, author context, Parquet writing, ...).

The posts are generated as :mod:`bench_scale` generates them (the sample's posts, new ids and
authors, X API v2 export format, gzipped), with the sample's other inputs; only the ingest
steps run (:func:`barometer.pipeline.run_ingest`). Each part's time is the cumulative time of
the functions listed for it in :data:`PARTS`, so parts may nest (``language ID`` holds
``fastText`` and ``lingua``); the profiler itself slows pure-Python code more than C code.

Usage: ``python bench/profile_ingest.py --posts 200000 [--keep DIR] [--top 25]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import generate, write_config

#: part of the work -> (file suffix, function name) whose cumulative time it is
PARTS: dict[str, list[tuple[str, str]]] = {
    "whole ingest (run_ingest)": [("pipeline/runs.py", "run_ingest")],
    "social file: read + enrich + store": [("pipeline/files.py", "load_batches")],
    "  check pass (gzip + UTF-8, whole file)": [("ingest/files.py", "check_text_stream")],
    "  JSON parsing (json_lines)": [("ingest/files.py", "json_lines")],
    "  per-record Python work (_tweet_record)": [("social/x.py", "_tweet_record")],
    "    timestamps (parse_utc)": [("social/_common.py", "parse_utc")],
    "  batch frames (to_frame) + ids (SeenIds)": [
        ("social/_common.py", "to_frame"),
        ("social/id_set.py", "add_new"),
    ],
    "  enrich_posts (places, pseudonyms, scrub, hash)": [("barometer/enrich.py", "enrich_posts")],
    "    places (assign_neighbourhoods)": [("barometer/geo.py", "assign_neighbourhoods")],
    "    PII scrub (scrub_texts)": [("barometer/privacy.py", "scrub_texts")],
    "    pseudonyms": [("barometer/privacy.py", "pseudonym")],
    "  language ID, evidence (observe)": [("nlp/file_languages.py", "observe")],
    "    clean_for_detection": [("nlp/language.py", "clean_for_detection")],
    "    dominant_scripts": [("nlp/scripts.py", "dominant_scripts")],
    "    fastText (fasttext_predictions)": [("nlp/detectors.py", "fasttext_predictions")],
    "    lingua (confidence values)": [
        (
            "~",
            "<method 'compute_language_confidence_values_in_parallel' of 'lingua.Language"
            "Detector' objects>",
        ),
    ],
    "  language ID, resolve (author context)": [("nlp/file_languages.py", "resolve")],
    "  spill to disk and back": [
        ("barometer/enrich_stream.py", "_spill"),
        ("barometer/enrich_stream.py", "__iter__"),
    ],
    "  Parquet writing (store append)": [("barometer/pipeline/files.py", "_store")],
    "loading models (lingua + fastText)": [
        ("nlp/detectors.py", "build_detector"),
        ("nlp/detectors.py", "build_fast_detector"),
    ],
}


def part_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds per :data:`PARTS` entry (first matching function of each pair)."""
    table = stats.stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for part, keys in PARTS.items():
        total = 0.0
        for suffix, name in keys:
            for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in table.items():
                if func == name and file.endswith(suffix):
                    total += ct
                    break
        out[part] = total
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: temporary)")
    parser.add_argument("--top", type=int, default=0, help="also print the top N functions")
    args = parser.parse_args()
    from barometer.config import load_config
    from barometer.pipeline import run_ingest

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if not list((work / "posts").glob("x_*.jsonl.gz")):
            generate(args.posts, work / "posts")
        config = write_config(work, work / "posts" / "x_*.jsonl.gz")
        warehouse = work / f"warehouse-{os.getpid()}"
        load = os.getloadavg()[0]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = run_ingest(load_config(config), warehouse=warehouse)
        profiler.disable()
        wall = time.perf_counter() - started
        n = sum(int(e.get("n_kept") or 0) for e in report.manifest["inputs"] if "x_" in e["path"])
        stats = pstats.Stats(profiler)
        print(f"\n{n:,} posts ingested in {wall:.1f} s under cProfile ({n / wall:,.0f} posts/s); "
              f"load {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")  # fmt: skip
        print(f"{'part':52s} {'seconds':>9s} {'share':>7s}")
        for part, seconds in part_seconds(stats).items():
            print(f"{part:52s} {seconds:9.1f} {seconds / wall:7.1%}")
        if args.top:
            stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
