"""Scale benchmark: N realistic X posts through the whole pipeline, cold, per-step throughput
and peak memory, side by side with a baseline version of the code in the same run.

The posts are generated in the X API v2 export format (JSON lines of response pages, gzipped,
one file per year as the sample's): each is a post of the sample drawn at random with a new id,
its author replaced by one of ``N / n_sample`` copies of that author (so the distribution of
posts per author is the sample's), its time moved by up to an hour, everything else (language
hint, coordinates, place, metrics) kept. The other dimensions (survey, sensing, observation) are
the sample's, so every published table is built.

Texts are not the sample's copied: drawn N times from the sample's 17,908 distinct texts, 98 %
of a million posts would repeat an earlier one, and any step that works once per distinct text
would look far faster than on real posts. A post repeats the text of an earlier generated post
of its language with probability ``--duplicate-share`` (default: the sample's own share of posts
whose text repeats an earlier one, 0.52; retweets and copies make real X collections repeat
texts too, at rates that vary by topic). Otherwise its text is new: the words of the drawn post
up to a random cut, then the words of another sample post of the same language from its cut on.
Such spliced texts keep the sample's vocabulary, scripts, emoji, mentions and lengths, and are
all but never equal (about 10^8 combinations per language).

Each pipeline run goes in its own process; its peak RSS is the larger ``ru_maxrss`` of that
process and of its children (a forked worker's starts at its parent's size). The peak per
step is the driver process's own (its ``VmHWM``, reset through ``/proc/self/clear_refs`` when
each step starts; Linux only), so a step's column shows what that step itself needed. The
baseline is the code of a git revision (``--baseline REF``, default: the commit before the
streaming work), exported with ``git archive`` and run on the same posts (cold, and with
``--week`` again after the same added week), and the published tables of both are compared
each time; ``--no-baseline`` skips it (e.g. when it would not fit in memory).

Usage::

    python bench/bench_scale.py --posts 100000
    python bench/bench_scale.py --posts 750000 --baseline 1c31110
    python bench/bench_scale.py --posts 10000000 --no-baseline --keep /tmp/big
    python bench/bench_scale.py --posts 300000 --no-baseline --ingest-workers 1 2

Each run also prints, sampled twice a second, the peak proportional set size (PSS) of its
largest child process (e.g. an ingest worker of ``--ingest-workers``) and the peak of the
driver's and all its children's PSS summed: the memory the machine needed (``ru_maxrss`` of the
children would count the pages a forked ``git`` call shares with the driver).
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
import contextlib, json, os, resource, sys, threading, time
from pathlib import Path
from barometer.config import load_config
from barometer.pipeline import run_pipeline
started = time.perf_counter()
options = json.loads(sys.argv[3])
try:  # the run's step timer: barometer.pipeline.state.Run, or _Run of the one-module layout
    from barometer.pipeline.state import Run as run_class
except ModuleNotFoundError:  # a baseline from before the pipeline package (e.g. 1c31110)
    from barometer.pipeline import _Run as run_class
step_peak_mib = {}
_timed = run_class.timed
def _hwm_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
def timed(self, label, step):  # this process's peak RSS per step (Linux: VmHWM reset)
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    try:
        return _timed(self, label, step)
    finally:
        step_peak_mib[label] = max(step_peak_mib.get(label, 0.0), _hwm_mib())
run_class.timed = timed
def _pss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
def _children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found + [g for c in found for g in _children(c)]
machine = {"peak_kib": 0, "child_kib": 0}
def sample_machine():  # this process and its workers together (PSS: shared pages counted once)
    while True:
        children = [_pss_kib(p) for p in _children(os.getpid())]
        machine["peak_kib"] = max(machine["peak_kib"], _pss_kib(os.getpid()) + sum(children))
        machine["child_kib"] = max([machine["child_kib"], *children])
        time.sleep(0.5)
threading.Thread(target=sample_machine, daemon=True).start()
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
       "seconds": time.perf_counter() - started, "step_peak_mib": step_peak_mib,
       "child_peak_mib": machine["child_kib"] / 1024,
       "cpu_s": sum(getattr(resource.getrusage(who), f) for f in ("ru_utime", "ru_stime")
                    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)),
       "machine_peak_mib": machine["peak_kib"] / 1024,
       "peak_mib": max([resource.getrusage(who).ru_maxrss / 1024
                        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
                       + list(step_peak_mib.values()))}
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
    duplicate_share: float | None = None,
) -> list[Path]:
    """Write ``n_posts`` generated posts as X export files in ``folder``; returns the files.
    With ``week``, all of them fall in the seven days from ``week`` (file ``x_week_*``);
    ``duplicate_share`` None = the sample's own."""
    tweets, places = sample_tweets()
    if duplicate_share is None:
        duplicate_share = sample_duplicate_share(tweets)
    folder.mkdir(parents=True, exist_ok=True)
    marker = SAMPLE / "SYNTHETIC.txt"  # invented posts: the demo key may be used
    (folder / marker.name).write_bytes(marker.read_bytes())
    with contextlib.ExitStack() as files:
        _write_posts(n_posts, folder, tweets, places, files, seed, week, duplicate_share)
    return sorted(folder.glob("x_*.jsonl.gz"))


def generated_config(work: Path, n_posts: int) -> Path:
    """The scale config (:func:`write_config`) in ``work``, its only social source ``n_posts``
    generated posts in ``work/posts`` (generated once: a kept work folder reuses its posts,
    whatever ``n_posts`` says)."""
    work.mkdir(parents=True, exist_ok=True)
    if not list((work / "posts").glob("x_*.jsonl.gz")):
        generate(n_posts, work / "posts")
    return write_config(work, work / "posts" / "x_*.jsonl.gz")


def sample_duplicate_share(tweets: list[dict[str, Any]]) -> float:
    """Share of the sample's posts whose text repeats an earlier post's."""
    return 1 - len({str(t["text"]) for t in tweets}) / max(len(tweets), 1)


class TextMaker:
    """New post texts in the sample's languages, with a set share of exact repeats."""

    def __init__(self, tweets: list[dict[str, Any]], rng: random.Random, duplicate_share: float):
        self.rng = rng
        self.duplicate_share = duplicate_share
        self.words: dict[str, list[list[str]]] = {}
        for tweet in tweets:
            self.words.setdefault(str(tweet.get("lang")), []).append(str(tweet["text"]).split())
        self.made: dict[str, list[str]] = {}

    def text(self, tweet: dict[str, Any]) -> str:
        """A text for a post drawn from ``tweet``: a repeat or a new splice."""
        lang = str(tweet.get("lang"))
        made = self.made.setdefault(lang, [])
        if made and self.rng.random() < self.duplicate_share:
            return self.rng.choice(made)
        head = str(tweet["text"]).split()
        tail = self.rng.choice(self.words[lang])
        cut_head = self.rng.randint(1, max(len(head) - 1, 1))
        cut_tail = self.rng.randint(min(1, len(tail) - 1), max(len(tail) - 1, 0))
        text = " ".join(head[:cut_head] + tail[cut_tail:])
        if len(made) < 200_000:  # repeats come from a bounded pool of earlier texts
            made.append(text)
        else:
            made[self.rng.randrange(len(made))] = text
        return text


def _write_posts(
    n_posts: int,
    folder: Path,
    tweets: list[dict[str, Any]],
    places: dict[str, dict[str, Any]],
    files: contextlib.ExitStack,
    seed: int,
    week: datetime | None,
    duplicate_share: float,
) -> None:
    rng = random.Random(seed)
    texts = TextMaker(tweets, random.Random(seed + 1), duplicate_share)
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
        tweet["text"] = texts.text(tweet)
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
        f"end to end), peak RSS {result['peak_mib']:,.0f} MiB; load {os.getloadavg()[0]:.2f}"
    )
    if "machine_peak_mib" in result:
        print(
            f"  peak PSS (sampled 2/s): largest child process {result['child_peak_mib']:,.0f} "
            f"MiB, driver and children together {result['machine_peak_mib']:,.0f} MiB; CPU "
            f"{result['cpu_s']:,.0f} s (driver and children, user + system)"
        )
    print(f"  {'step':34s} {'seconds':>9s} {'posts/s':>11s} {'peak MiB':>9s}")
    peaks = result.get("step_peak_mib") or {}
    for step, seconds in result["step_seconds"].items():
        rate = n_posts / seconds if seconds > 0 else float("inf")
        peak = f"{peaks[step]:9,.0f}" if step in peaks else f"{'':9s}"
        print(f"  {step:34s} {seconds:9.2f} {rate:11,.0f} {peak}")
    if result.get("partitions_read"):
        print(f"  partitions read {result['partitions_read']}")


def compare_workers(config: Path, work: Path, engine: str, workers: list[int], n: int) -> None:
    """The current code run cold again with each further ``--ingest-workers`` value, its
    published tables compared with those of the first run."""
    for index, count in enumerate(workers[1:], start=1):
        warehouse = work / f"warehouse_{index}_w{count}"
        result = run_pipeline_process(
            config, warehouse, options={"engine": engine, "ingest_workers": count}
        )
        print_run(f"current code ({engine} engine, ingest workers {count}), cold", result, n)
        differ = compare(work / "warehouse", warehouse)
        print(f"\npublished tables against the first run: {differ or 'identical'}")


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
        "--ingest-workers",
        type=int,
        nargs="+",
        default=[1],
        metavar="N",
        help="processes reading and enriching the social files (current code); several values "
        "run the current code cold once per value, in that order, and compare their tables",
    )
    parser.add_argument(
        "--week", action="store_true", help="then add one week of posts (N/156) and run again"
    )
    parser.add_argument(
        "--duplicate-share",
        type=float,
        default=None,
        help="share of posts repeating an earlier post's text (default: the sample's, 0.52)",
    )
    args = parser.parse_args()
    if args.duplicate_share is not None and not 0 <= args.duplicate_share < 1:
        parser.error(
            f"--duplicate-share must be at least 0 and below 1, not {args.duplicate_share}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        files = generate(args.posts, work / "posts", duplicate_share=args.duplicate_share)
        size = sum(f.stat().st_size for f in files) / 2**20
        print(
            f"generated {args.posts:,} posts in {len(files)} files ({size:,.0f} MiB gzipped) "
            f"in {time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.2f}"
        )
        config = write_config(work, work / "posts" / "x_*.jsonl.gz")
        options = {"engine": args.engine, "ingest_workers": args.ingest_workers[0]}
        current = run_pipeline_process(config, work / "warehouse", options=options)
        n = current["row_counts"]["posts"]
        label = f"current code ({args.engine} engine, ingest workers {options['ingest_workers']})"
        print_run(f"{label}, cold", current, n)
        compare_workers(config, work, args.engine, args.ingest_workers, n)
        code = None if args.no_baseline else export_revision(args.baseline, work / "baseline_code")
        if code is not None:
            base = run_pipeline_process(config, work / "warehouse_baseline", code=code)
            print_run(f"baseline ({args.baseline}), cold", base, n)
            differ = compare(work / "warehouse", work / "warehouse_baseline")
            print("\npublished tables, cold: " + (f"DIFFER: {differ}" if differ else "identical"))
        if args.week:
            n_week = max(1, args.posts // 156)  # the sample spans three years
            generate(
                n_week,
                work / "posts",
                seed=1,
                week=datetime(2026, 1, 5, tzinfo=UTC),
                duplicate_share=args.duplicate_share,
            )
            again = run_pipeline_process(config, work / "warehouse", options=options)
            print_run(f"one added week ({n_week:,} posts) into that warehouse", again, n_week)
            if code is not None:
                grown = run_pipeline_process(config, work / "warehouse_baseline", code=code)
                print_run(f"baseline ({args.baseline}), the same week added", grown, n_week)
                differ = compare(work / "warehouse", work / "warehouse_baseline")
                print(
                    "\npublished tables, grown: " + (f"DIFFER: {differ}" if differ else "identical")
                )
        print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
