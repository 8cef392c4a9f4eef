"""A scripted HTTP server on 127.0.0.1 replaying recorded pages (pytest-httpserver underneath).

Each test states the requests it expects, in order, with the response to each; a request that
does not match the next step (path, or a query parameter the step names) gets HTTP 599 and is
recorded as a mismatch, which the fixture reports at teardown. Nothing leaves the loopback.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PAGES = Path(__file__).resolve().parent / "fixtures" / "live"


def page(name: str) -> bytes:
    """A recorded page from ``tests/fixtures/live``."""
    return (PAGES / f"{name}.json").read_bytes()


@dataclass
class Step:
    path: str
    query: dict[str, str | None] = field(default_factory=dict)  # None: must be absent
    status: int = 200
    body: bytes = b"[]"
    headers: dict[str, str] = field(default_factory=dict)
    before: threading.Event | None = None  # set when the request arrives
    hold: threading.Event | None = None  # the answer waits for this (at most 60 s)
    delay: float = 0.0  # seconds before answering (a slow server)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]


class Replay:
    """The server. ``add`` steps, point a config at :attr:`url`, run, then check :attr:`seen`."""

    def __init__(self) -> None:
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._answer)
        self.server.start()
        self.steps: list[Step] = []
        self.seen: list[Seen] = []
        self.mismatches: list[str] = []
        self.timelines: dict[str, Timeline] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def add(
        self,
        path: str,
        body: bytes | Any = b"[]",
        *,
        status: int = 200,
        query: dict[str, str | None] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Step:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        step = Step(path, query or {}, status, body, headers or {}, **extra)
        self.steps.append(step)
        return step

    def _answer(self, request: Request) -> Response:
        with self._lock:
            self.seen.append(
                Seen(
                    request.method,
                    request.path,
                    dict(request.args.items()),
                    dict(request.headers.items()),
                    dict(request.form.items()),
                )
            )
            timeline = self.timelines.get(request.path)
            step = self.steps.pop(0) if self.steps and timeline is None else None
        if timeline is not None:
            return timeline.answer(request, self.url)
        if step is None:
            self.mismatches.append(f"unexpected request {request.method} {request.full_path}")
            return Response("no step left", status=599)
        problems = [f"path {request.path} != {step.path}"] if request.path != step.path else []
        for key, want in step.query.items():
            got = request.args.get(key)
            if got != want:
                problems.append(f"{key}={got!r}, expected {want!r}")
        if problems:
            self.mismatches.append(f"{request.full_path}: {'; '.join(problems)}")
            return Response("mismatch", status=599)
        if step.before is not None:
            step.before.set()
        if step.hold is not None:
            step.hold.wait(60)
        if step.delay:
            threading.Event().wait(step.delay)
        headers = {"Content-Type": "application/json; charset=utf-8", **step.headers}
        return Response(step.body, status=step.status, headers=headers)

    def timeline(self, path: str, statuses: list[dict[str, Any]], page_size: int = 40) -> Timeline:
        """Serve ``path`` as a live Mastodon timeline from now on (instead of steps)."""
        self.timelines[path] = Timeline(statuses, page_size)
        return self.timelines[path]

    def check(self) -> None:
        assert not self.mismatches, self.mismatches

    def stop(self) -> None:
        for step in self.steps:
            if step.hold is not None:
                step.hold.set()
        self.server.clear()
        self.server.stop()


@dataclass
class Timeline:
    """A Mastodon timeline served by its paging rules: newest first, ``limit`` (at most
    ``page_size``), ``max_id`` / ``since_id`` / ``min_id``, and a ``Link`` header."""

    statuses: list[dict[str, Any]]  # newest first
    page_size: int = 40

    def answer(self, request: Request, base: str) -> Response:
        def key(status_id: str) -> tuple[int, str]:
            return (len(status_id), status_id)

        args = request.args
        chosen = list(self.statuses)
        if "max_id" in args:
            chosen = [s for s in chosen if key(s["id"]) < key(args["max_id"])]
        if "since_id" in args:
            chosen = [s for s in chosen if key(s["id"]) > key(args["since_id"])]
        limit = min(int(args.get("limit", 20)), self.page_size)
        if "min_id" in args:
            chosen = [s for s in chosen if key(s["id"]) > key(args["min_id"])][-limit:]
        chosen = chosen[:limit]
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if chosen:
            url = f"{base}{request.path}"
            headers["Link"] = (
                f'<{url}?max_id={chosen[-1]["id"]}>; rel="next", '
                f'<{url}?min_id={chosen[0]["id"]}>; rel="prev"'
            )
        return Response(json.dumps(chosen), status=200, headers=headers)


class FakeClock:
    """A clock whose ``sleep`` only moves the time: rate-limit waits are recorded, not waited."""

    def __init__(self, start: float = 1_715_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def write_config(folder: Path, live: str, *, fetch: str = "") -> Path:
    """A pipeline config over the fixture neighbourhoods (Westby, Östby) with ``live`` as its
    ``[[sources.live]]`` tables; fetch settings make waits instant (with a fake clock)."""
    fixtures = Path(__file__).resolve().parent / "fixtures"
    key = folder / "pseudonym.key"  # a real pilot's key: outside the warehouse, owner-only
    if not key.exists():
        key.write_bytes(b"live-test-key-0123456789abcdef")
        key.chmod(0o600)
    text = f"""
name = "live-test"
municipality = "Testby"

[store]
path = "warehouse"

[boundaries]
path = "{(fixtures / "neighbourhoods.geojson").as_posix()}"

[privacy]
key_file = "{key.as_posix()}"

[fetch]
contact = "mailto:trust@testby.example"
request_interval_seconds = 0
timeout_seconds = 5
{fetch}

{live}
"""
    path = folder / "live.toml"
    path.write_text(text, encoding="utf-8")
    return path


def mastodon_link(base: str, tag: str, oldest: str, newest: str) -> dict[str, str]:
    """The ``Link`` header Mastodon sends with a timeline page."""
    url = f"{base}/api/v1/timelines/tag/{tag}"
    return {"Link": f'<{url}?max_id={oldest}>; rel="next", <{url}?min_id={newest}>; rel="prev"'}
