"""Benchmark of PII scrubbing on adversarial input, and of a 20 MB single-token post end to end.

1. Every pattern of ``barometer.privacy`` and ``scrub_pii`` on long tokens without spaces
   (letters, digits, ``a.`` and ``a@`` repeated), in characters per second, side by side with
   the e-mail pattern the barometer used before (``[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+``), which
   rescans the token from every position: its time grows with the square of the length.
2. A 20 MB post without spaces (``--mb``), in an X API v2 page and in a tabular CSV, through
   ``barometer run`` (ingest, enrich, score, aggregate, publish), against the same files with
   an ordinary post, in the same process: seconds and peak memory (max RSS).

Usage: ``python bench/bench_scrub.py [--mb 20] [--sizes 10000,100000,1000000]``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from barometer.config import load_config
from barometer.pipeline import run_pipeline
from barometer.privacy import PATTERNS, scrub_pii

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
OLD_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TOKENS: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "digits": lambda n: "0" * n,
    "a.": lambda n: "a." * (n // 2),
    "a@": lambda n: "a@" * (n // 2),
}


def peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def patterns(sizes: list[int]) -> None:
    print(f"{'token':>8} {'chars':>10} {'worst pattern':>14} {'Mchar/s':>8} {'scrub_pii s':>12}")
    for name, make in TOKENS.items():
        for n in sizes:
            text = make(n)
            timed = {p: seconds(lambda p=p, t=text: PATTERNS[p].sub("", t)) for p in PATTERNS}
            worst = max(timed, key=timed.__getitem__)
            scrub = seconds(lambda text=text: scrub_pii(text))
            print(f"{name:>8} {n:>10,} {worst:>14} {n / scrub / 1e6:>8.1f} {scrub:>12.3f}")
    print("\nbaseline: the old e-mail pattern on letters (quadratic)")
    for n in (5_000, 10_000, 20_000, 40_000):
        text = "a" * n
        took = seconds(lambda t=text: OLD_EMAIL.sub("", t))
        print(f"{'letters':>8} {n:>10,} {'old email':>14} {'':>8} {took:>12.3f}")


X_CONFIG = """
name = "bench_long_post"
municipality = "Testby"
[boundaries]
path = "neighbourhoods.geojson"
[privacy]
demo_key = true
[[sources.social]]
format = "x_v2"
path = "x_long.jsonl"
[[sources.social]]
format = "tabular"
path = "long.csv"
[sources.social.column_mapping]
source = "forum"
id = "id"
created_at = "created_at"
text = "text"
author = "author"
[indicators]
bootstrap_reps = 19
"""


def long_post(folder: Path, text: str) -> Path:
    """A config folder with one X page and one CSV, each holding ``text`` and a short post."""
    shutil.copytree(FIXTURES, folder)
    tweets = [
        {"id": "1", "text": text, "author_id": "42", "created_at": "2024-03-05T10:00:00Z"},
        {"id": "2", "text": "Fin kväll i Westby", "author_id": "43",
         "created_at": "2024-03-05T11:00:00Z"},
    ]  # fmt: skip
    (folder / "x_long.jsonl").write_text(json.dumps({"data": tweets}) + "\n", encoding="utf-8")
    (folder / "long.csv").write_text(
        "id,created_at,text,author\n"
        f"c1,2024-03-05T10:00:00Z,{text},a1\nc2,2024-03-05T11:00:00Z,Hej Westby,a2\n",
        encoding="utf-8",
    )
    (folder / "bench.toml").write_text(X_CONFIG)
    return folder / "bench.toml"


def end_to_end(megabytes: int) -> None:
    print(f"\n{'post':>22} {'run s':>8} {'peak MiB':>9}  files")
    with tempfile.TemporaryDirectory() as tmp:
        for label, text in (
            ("ordinary (40 chars)", "Grannarna i Westby hjälps åt varje helg"),
            (f"{megabytes} MB, no spaces", "x" * (megabytes * 1_000_000)),
        ):
            folder = Path(tmp) / label.split()[0]
            config = load_config(long_post(folder, text))
            quiet = Console(file=io.StringIO())
            started = time.perf_counter()
            report = run_pipeline(
                config, warehouse=folder / "wh", console=quiet, show_progress=False
            )
            took = time.perf_counter() - started
            files = ", ".join(
                f"{Path(e['path']).name}: {e.get('n_kept', 'error')} kept"
                + (f" ({'; '.join(e['notes'])})" if e.get("notes") else "")
                for e in report.manifest["inputs"]
            )
            print(f"{label:>22} {took:>8.1f} {peak_mib():>9}  {files}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    patterns([int(s) for s in args.sizes.split(",")])
    end_to_end(args.mb)


if __name__ == "__main__":
    main()
