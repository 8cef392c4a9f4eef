"""Scale benchmark: N realistic X posts through the whole pipeline, cold, per-step throughput
and peak memory, side by side with a baseline version of the code in the same run.

The posts are generated in the X API v2 export format (JSON lines of response pages, gzipped,
one file per year as the sample's): each is a post of the sample drawn at random with a new id,
its author replaced by one of ``N / n_sample`` copies of that author (so the distribution of
posts per author is the sample's), its time moved by up to an hour, everything else (text,
language hint, coordinates, place, metrics) kept. The other dimensions (survey, sensing,
observation) are the sample's, so every published table is built.

Each pipeline run goes in its own process; its peak RSS is the larger ``ru_maxrss`` of that
process and of its children (a forked worker's starts at its parent's size). The
baseline is the code of a git revision (``--baseline REF``, default: the commit before the
streaming work), exported with ``git archive`` and run on the same posts; ``--no-baseline``
skips it (e.g. when it would not fit in memory).

Usage::

    python bench/bench_scale.py --posts 100000
    python bench/bench_scale.py --posts 750000 --baseline 1c31110
    python bench/bench_scale.py --posts 10000000 --no-baseline --keep /tmp/big
    python bench/bench_scale.py --posts 200000 --distinct-texts   # no text repeats
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from barometer.locations import sample_config, sample_dir

REPO = Path(__file__).resolve().parents[1]
CONFIG = sample_config()
SAMPLE = sample_dir()
#: config keys holding a file path (resolved against the sample config's folder)
PATH_KEYS = ("path", "margins", "codebook", "readings", "sensors", "sessions", "sites")
BASELINE_REF = "1c31110"  # main before issue 13: whole files read, whole tables aggregated
PAGE = 100  # tweets per response page (the API's maximum per page is 100)

RUN_ONE = """
import contextlib, json, resource, sys, time
from pathlib import Path
from barometer.config import load_config
from barometer.pipeline import run_pipeline
started = time.perf_counter()
options = json.loads(sys.argv[3])
with contextlib.ExitStack() as stack:
    if options.get("engine", "local") != "local":
        from barometer.engine import make_engine
        options["engine"] = stack.enter_context(make_engine(options["engine"], workers=2))
    else:
        options.pop("engine", None)
    report = run_pipeline(load_config(sys.argv[1]), warehouse=Path(sys.argv[2]),
                          show_progress=False, **options)
out = {"partitions_read": report.manifest.get("partitions_read"),
       "step_seconds": report.manifest["step_seconds"], "row_counts": report.manifest["row_counts"],
       "seconds": time.perf_counter() - started,
       "peak_mib": max(resource.getrusage(who).ru_maxrss / 1024
                       for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))}
print(json.dumps(out))
"""


def _valid(tweet: object) -> bool:
    """A tweet the reader accepts (the sample also holds planted bad records)."""
    from datetime import datetime

    if not isinstance(tweet, dict) or not isinstance(tweet.get("text"), str):
        return False
    try:
        datetime.fromisoformat(str(tweet.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return False
    return bool(tweet["text"].strip())


def sample_tweets() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The sample's valid X tweets and places (bad lines and records left out)."""
    tweets: list[dict[str, Any]] = []
    places: dict[str, dict[str, Any]] = {}
    for path in sorted((SAMPLE / "social").glob("x_*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                try:
                    page = json.loads(line)
                except ValueError:
                    continue
                tweets.extend(t for t in page.get("data") or [] if _valid(t))
                for place in (page.get("includes") or {}).get("places") or []:
                    places[str(place.get("id"))] = place
    return tweets, places


def generate(
    n_posts: int,
    folder: Path,
    seed: int = 0,
    week: datetime | None = None,
    distinct_texts: bool = False,
) -> list[Path]:
    """Write ``n_posts`` generated posts as X export files in ``folder``; returns the files.
    With ``week``, all of them fall in the seven days from ``week`` (file ``x_week_*``).
    With ``distinct_texts``, each text gets a word of its own at the end (:func:`tag_word`),
    so no two posts share a text (the sample has about 11,000 distinct texts, so without it
    a text recurs about N / 11,000 times, which work done once per distinct text gains from)."""
    tweets, places = sample_tweets()
    folder.mkdir(parents=True, exist_ok=True)
    marker = SAMPLE / "SYNTHETIC.txt"  # invented posts: the demo key may be used
    (folder / marker.name).write_bytes(marker.read_bytes())
    with contextlib.ExitStack() as files:
        _write_posts(n_posts, folder, tweets, places, files, seed, week, distinct_texts)
    return sorted(folder.glob("x_*.jsonl.gz"))


def _write_posts(
    n_posts: int,
    folder: Path,
    tweets: list[dict[str, Any]],
    places: dict[str, dict[str, Any]],
    files: contextlib.ExitStack,
    seed: int,
    week: datetime | None,
    distinct_texts: bool = False,
) -> None:
    rng = random.Random(seed)
    copies = max(1, round(n_posts / len(tweets)))
    handles: dict[str, Any] = {}
    pages: dict[str, list[dict[str, Any]]] = {}

    def flush(year: str) -> None:
        data = pages.pop(year, [])
        if not data:
            return
        used = {str((t.get("geo") or {}).get("place_id")) for t in data}
        page = {
            "data": data,
            "includes": {"places": [places[p] for p in used if p in places]},
            "meta": {"result_count": len(data)},
        }
        handles[year].write(json.dumps(page, ensure_ascii=False, separators=(",", ":")) + "\n")

    for i in range(n_posts):
        tweet = dict(rng.choice(tweets))
        created = datetime.fromisoformat(str(tweet["created_at"]).replace("Z", "+00:00"))
        created += timedelta(seconds=rng.randrange(3600))
        if week is not None:
            created = week + timedelta(seconds=rng.randrange(7 * 86400))
        tweet["id"] = str((3 if week else 2) * 1_000_000_000_000_000_000 + i)
        if distinct_texts:
            tweet["text"] = f"{tweet['text']} {tag_word(i)}"
        tweet["author_id"] = f"{tweet.get('author_id')}{rng.randrange(copies):05d}"
        tweet["created_at"] = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        year = created.strftime("week_%Y%m%d" if week else "%Y")
        if year not in handles:
            handles[year] = files.enter_context(
                gzip.open(folder / f"x_{year}.jsonl.gz", "wt", encoding="utf-8", compresslevel=3)  # noqa: SIM115
            )
        pages.setdefault(year, []).append(tweet)
        if len(pages[year]) == PAGE:
            flush(year)
    for year in list(pages):
        flush(year)


def tag_word(i: int) -> str:
    """A made-up lower-case word of its own for post ``i`` (base 26, starting with "zq")."""
    letters = ""
    while True:
        i, rest = divmod(i, 26)
        letters = chr(ord("a") + rest) + letters
        if not i:
            return "zq" + letters


def write_config(folder: Path, posts_glob: Path) -> Path:
    """The sample config with absolute paths and the generated posts as its only social
    source."""
    lines = CONFIG.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    skip = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[[sources.social]]"):
            skip = True
            continue
        if skip and stripped.startswith("["):
            skip = False
        if skip:
            continue
        key, _, value = stripped.partition(" = ")
        if key in PATH_KEYS and value.startswith('"') and not Path(json.loads(value)).is_absolute():
            resolved = (CONFIG.parent / json.loads(value)).resolve()
            line = f"{key} = {json.dumps(str(resolved))}"
        out.append(line)
    out += ["", "[[sources.social]]", 'format = "x_v2"', f"path = {json.dumps(str(posts_glob))}"]
    path = folder / "scale.toml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def export_revision(ref: str, folder: Path) -> Path:
    """The package of git revision ``ref`` exported to ``folder`` (for ``PYTHONPATH``)."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-tree", "--name-only", ref],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    paths = [p for p in ("barometer", "models") if p in listed]  # later: models in the package
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, *paths],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_pipeline_process(
    config: Path,
    warehouse: Path,
    *,
    code: Path | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
        if (code / "models").is_dir():  # a revision before the packaged layout
            env["BAROMETER_MODELS_DIR"] = str(code / "models")
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", RUN_ONE, str(config), str(warehouse), json.dumps(options or {})],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(warehouse.parent),
    )
    if out.returncode != 0:
        raise SystemExit(f"pipeline run failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def published_tables(warehouse: Path) -> dict[str, Any]:
    """Every published table of a warehouse, as sorted frames (to compare two runs)."""
    import duckdb

    con = duckdb.connect(str(warehouse / "barometer.duckdb"), read_only=True)
    names = [
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    ]
    tables = {}
    for name in names:
        frame = con.execute(f'SELECT * FROM "{name}"').df()
        drop = [
            c
            for c in frame.columns
            if c
            in ("run_id", "started_at", "finished_at", "code_version", "step_seconds", "manifest")
        ]
        frame = frame.drop(columns=drop)
        tables[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    con.close()
    return tables


def compare(a: Path, b: Path) -> list[str]:
    """Names of the published tables that differ between two warehouses."""
    left, right = published_tables(a), published_tables(b)
    differ = sorted(set(left) ^ set(right))
    for name in sorted(set(left) & set(right)):
        if name == "runs":
            continue  # one row per run: timings and code version differ by construction
        if not left[name].equals(right[name]):
            differ.append(name)
    return differ


def print_run(label: str, result: dict[str, Any], n_posts: int) -> None:
    print(
        f"\n{label}: {result['wall_s']:.1f} s wall ({n_posts / result['wall_s']:,.0f} posts/s "
        f"end to end), peak RSS {result['peak_mib']:,.0f} MiB"
    )
    print(f"  {'step':34s} {'seconds':>9s} {'posts/s':>11s}")
    for step, seconds in result["step_seconds"].items():
        rate = n_posts / seconds if seconds > 0 else float("inf")
        print(f"  {step:34s} {seconds:9.2f} {rate:11,.0f}")
    if result.get("partitions_read"):
        print(f"  partitions read {result['partitions_read']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts to generate")
    parser.add_argument("--baseline", default=BASELINE_REF, help="git revision of the baseline")
    parser.add_argument("--no-baseline", action="store_true", help="run the current code only")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    parser.add_argument(
        "--engine", default="local", choices=["local", "dask"], help="engine of the current code"
    )
    parser.add_argument(
        "--week", action="store_true", help="then add one week of posts (N/156) and run again"
    )
    parser.add_argument(
        "--distinct-texts",
        action="store_true",
        help="give every generated post a text of its own (no repeated texts)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        files = generate(args.posts, work / "posts", distinct_texts=args.distinct_texts)
        size = sum(f.stat().st_size for f in files) / 2**20
        print(
            f"generated {args.posts:,} posts in {len(files)} files ({size:,.0f} MiB gzipped) "
            f"in {time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.2f}"
        )
        config = write_config(work, work / "posts" / "x_*.jsonl.gz")
        current = run_pipeline_process(config, work / "warehouse", options={"engine": args.engine})
        n = current["row_counts"]["posts"]
        print_run(f"current code ({args.engine} engine), cold", current, n)
        if args.week:
            n_week = max(1, args.posts // 156)  # the sample spans three years
            generate(n_week, work / "posts", seed=1, week=datetime(2026, 1, 5, tzinfo=UTC))
            again = run_pipeline_process(
                config, work / "warehouse", options={"engine": args.engine}
            )
            print_run(f"one added week ({n_week:,} posts) into that warehouse", again, n_week)
            print(f"  partitions read: {again['partitions_read']}")
        if not args.no_baseline:
            code = export_revision(args.baseline, work / "baseline_code")
            base = run_pipeline_process(config, work / "warehouse_baseline", code=code)
            print_run(f"baseline ({args.baseline}), cold", base, n)
            differ = compare(work / "warehouse", work / "warehouse_baseline")
            print("\npublished tables: " + (f"DIFFER: {differ}" if differ else "identical"))
        print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
