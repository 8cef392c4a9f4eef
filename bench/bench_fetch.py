"""Benchmark of ``barometer fetch`` against a local Mastodon (127.0.0.1 only).

A threaded server on the loopback interface serves a hashtag timeline of synthetic statuses with
Mastodon's paging rules (``limit`` <= 40, ``max_id``, ``since_id``, ``Link`` headers). Measured,
each fetch in its own process so peak memory (max RSS) is per fetch:

1. a cold fetch of the whole timeline (every page landed, ingested, cursor stored);
2. a second fetch with nothing new (one request);
3. side by side, the baseline: the same pages fetched with a bare httpx loop (no politeness
   bookkeeping, no landing, no ingest), i.e. what the network and JSON parsing cost alone.

Usage: ``python bench/bench_fetch.py [--statuses 4000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
TAG_PATH = "/api/v1/timelines/tag/botkyrka"
PLACES = ["Westby", "Östby"]

FETCH_ONE = """
import json, resource, sys, time
from pathlib import Path
from barometer.config import load_config
from barometer.live.fetch import FetchOptions
from barometer.pipeline import run_fetch
started = time.perf_counter()
report = run_fetch(load_config(sys.argv[1]), warehouse=Path(sys.argv[2]), options=FetchOptions())
wall = time.perf_counter() - started
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"fetch": report.manifest["fetch"], "wall_s": wall, "peak_mib": peak_mib,
                  "step_seconds": report.manifest["step_seconds"]}))
"""


def make_statuses(n: int) -> list[dict[str, object]]:
    """``n`` statuses, newest first, one a minute, 50 authors, texts naming a place."""
    start = datetime(2024, 5, 1, tzinfo=UTC)
    statuses = []
    for i in range(n, 0, -1):
        created = (start + timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
        place = PLACES[i % 2]
        statuses.append(
            {
                "id": str(113_000_000_000_000_000 + i),
                "created_at": created,
                "content": f"<p>Inlägg {i} om grannarna i {place} &amp; parken.</p>",
                "language": "sv",
                "account": {"id": str(1000 + i % 50), "acct": f"user{i % 50}"},
                "reblog": None,
                "favourites_count": i % 7,
                "reblogs_count": i % 3,
                "replies_count": i % 2,
            }
        )
    return statuses


def serve(statuses: list[dict[str, object]]) -> ThreadingHTTPServer:
    def key(status_id: str) -> tuple[int, str]:
        return (len(status_id), status_id)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            args = {k: v[0] for k, v in parse_qs(url.query).items()}
            chosen = statuses
            if "max_id" in args:
                chosen = [s for s in chosen if key(str(s["id"])) < key(args["max_id"])]
            if "since_id" in args:
                chosen = [s for s in chosen if key(str(s["id"])) > key(args["since_id"])]
            chosen = chosen[: min(int(args.get("limit", 20)), 40)]
            body = json.dumps(chosen).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if chosen:
                base = f"http://127.0.0.1:{self.server.server_address[1]}{url.path}"
                self.send_header("Link", f'<{base}?max_id={chosen[-1]["id"]}>; rel="next"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_config(folder: Path, url: str) -> Path:
    path = folder / "bench_fetch.toml"
    key = folder / "bench.key"  # outside the warehouse, owner-only
    key.write_bytes(b"bench-fetch-key-0123456789abcdef")
    key.chmod(0o600)
    path.write_text(
        f"""
name = "bench-fetch"
municipality = "Testby"
[boundaries]
path = "{(REPO / "tests" / "fixtures" / "neighbourhoods.geojson").as_posix()}"
[privacy]
key_file = "{key.as_posix()}"
[fetch]
request_interval_seconds = 0
[[sources.live]]
kind = "mastodon"
name = "bench"
instance = "{url}"
hashtags = ["botkyrka"]
start = 2024-01-01
max_pages = 10000
""",
        encoding="utf-8",
    )
    return path


def fetch_in_process(config: Path, warehouse: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", FETCH_ONE, str(config), str(warehouse)],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"the fetch failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline(url: str) -> tuple[float, int, int]:
    """A bare httpx loop over the same pages: (seconds, pages, statuses)."""
    started = time.perf_counter()
    pages = statuses = 0
    params: dict[str, str] = {"limit": "40"}
    with httpx.Client() as client:
        while True:
            body = client.get(url + TAG_PATH, params=params).json()
            pages += 1
            if not body:
                break
            statuses += len(body)
            params = {"limit": "40", "max_id": body[-1]["id"]}
    return time.perf_counter() - started, pages, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statuses", type=int, default=4000)
    n = parser.parse_args().statuses
    server = serve(make_statuses(n))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), url)
        warehouse = Path(tmp) / "warehouse"
        cold = fetch_in_process(config, warehouse)
        warm = fetch_in_process(config, warehouse)
        landed = sum(1 for _ in (warehouse / "landing").rglob("*.page.json"))
        parts = sum(1 for _ in (warehouse / "parquet" / "posts").glob("part-*.parquet"))
    base_s, base_pages, base_statuses = baseline(url)
    server.shutdown()

    stream = cold["fetch"]["sources"][0]["streams"][0]
    fetch_s = cold["step_seconds"]["fetch live sources"]
    print(f"timeline: {n:,} statuses, 40 a page")
    print(
        f"cold fetch:  {stream['pages']} requests, {landed} pages landed, "
        f"{stream['posts_new']:,} posts stored in {fetch_s:.1f} s "
        f"({stream['posts_new'] / fetch_s:,.0f} posts/s, {stream['pages'] / fetch_s:.1f} pages/s); "
        f"process {cold['wall_s']:.1f} s, peak memory {cold['peak_mib']:.0f} MiB; "
        f"{parts} posts parts"
    )
    print(
        f"second fetch (nothing new): {warm['fetch']['sources'][0]['streams'][0]['pages']} "
        f"request(s), {warm['step_seconds']['fetch live sources']:.2f} s, "
        f"peak memory {warm['peak_mib']:.0f} MiB"
    )
    print(
        f"baseline (bare httpx loop, no landing or ingest): {base_pages} requests, "
        f"{base_statuses:,} statuses in {base_s:.2f} s ({base_statuses / base_s:,.0f} statuses/s)"
    )


if __name__ == "__main__":
    main()
