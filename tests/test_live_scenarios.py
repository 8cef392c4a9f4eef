"""Each connector (Mastodon, Reddit, X) through the same odd server behaviours, on its own
recorded pages: 429 then 200, 500 then 200, a malformed page, an empty page, a repeated page."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from live_server import FakeClock, Replay, mastodon_link, page, write_config

from barometer.config import load_config
from barometer.live.cursors import LiveState
from barometer.live.fetch import FetchOptions
from barometer.live.landing import Landing
from barometer.pipeline import run_fetch
from barometer.schema import POSTS
from barometer.warehouse import Warehouse


@dataclass(frozen=True)
class Platform:
    kind: str
    path: str
    first: str  # recorded page with an older page after it
    last: str  # recorded page with nothing older
    empty: bytes
    malformed: bytes  # valid JSON, but not this platform's page
    n_first: int  # posts stored from ``first``
    n_last: int
    stream: str

    def table(self, url: str) -> str:
        tables = {
            "mastodon": f'kind = "mastodon"\ninstance = "{url}"\nhashtags = ["botkyrka"]',
            "reddit": f'kind = "reddit"\nsubreddits = ["botkyrka"]\napi_base = "{url}"',
            "x": f'kind = "x"\nquery = "westby"\napi_base = "{url}"',
        }
        return f"[[sources.live]]\n{tables[self.kind]}\nname = 'src'\nstart = 2024-01-01\n"

    def headers(self, url: str, name: str) -> dict[str, str]:
        """Mastodon pages say in ``Link`` that an older page exists."""
        if self.kind != "mastodon" or name != self.first:
            return {}
        return mastodon_link(url, "botkyrka", "113500000000000103", "113500000000000105")


PLATFORMS = [
    Platform(
        "mastodon", "/api/v1/timelines/tag/botkyrka", "mastodon_tag_1", "mastodon_tag_2",
        b"[]", b'{"error": "not a timeline"}', 3, 1, "tag-botkyrka",
    ),
    Platform(
        "reddit", "/r/botkyrka/new.json", "reddit_new_1", "reddit_new_2",
        json.dumps({"kind": "Listing", "data": {"after": None, "children": []}}).encode(),
        b'{"kind": "t3", "data": {}}', 3, 2, "r-botkyrka-new",
    ),
    Platform(
        "x", "/2/tweets/search/recent", "x_recent_1", "x_recent_2",
        b'{"meta": {"result_count": 0}}', b'{"data": "no list here"}', 3, 1,
        "search-westby",
    ),
]  # fmt: skip


@pytest.fixture(params=PLATFORMS, ids=lambda p: p.kind)
def platform(request, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "planted-x-bearer-1234")
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    return request.param


@pytest.fixture
def server():
    replay = Replay()
    yield replay
    replay.stop()
    replay.check()


def _fetch(tmp_path, server, platform, fetch: str = ""):
    config = load_config(write_config(tmp_path, platform.table(server.url), fetch=fetch))
    clock = FakeClock()
    options = FetchOptions(sleep=clock.sleep, clock=clock.time)
    report = run_fetch(config, warehouse=tmp_path / "wh", options=options)
    stream = report.manifest["fetch"]["sources"][0]["streams"][0]
    return report.manifest["fetch"], stream, clock


def _stored(tmp_path) -> int:
    return len(Warehouse(tmp_path / "wh").read(POSTS))


def test_429_then_200(tmp_path, server, platform) -> None:
    server.add(platform.path, b'{"title": "Too Many Requests"}', status=429,
               headers={"Retry-After": "3"})  # fmt: skip
    server.add(platform.path, page(platform.last))
    summary, stream, clock = _fetch(tmp_path, server, platform)
    assert summary["errors"] == [] and stream["status"] == "up to date"
    assert clock.slept == [3.0] and _stored(tmp_path) == platform.n_last
    assert summary["sources"][0]["retries"] == 1


def test_500_then_200(tmp_path, server, platform) -> None:
    server.add(platform.path, b"Internal Server Error", status=500)
    server.add(platform.path, page(platform.last))
    summary, stream, clock = _fetch(tmp_path, server, platform)
    assert summary["errors"] == [] and stream["status"] == "up to date"
    assert clock.slept == [2.0]
    assert _stored(tmp_path) == platform.n_last


def test_a_malformed_page_stores_nothing_and_keeps_the_cursor(tmp_path, server, platform) -> None:
    for _ in range(2):
        server.add(platform.path, platform.malformed)
    summary, stream, _ = _fetch(tmp_path, server, platform, fetch="retries = 1")
    (error,) = summary["errors"]
    assert error.startswith("src: malformed page (") and "2 tries" in error
    assert stream["status"] == "error" and _stored(tmp_path) == 0
    assert Landing(tmp_path / "wh").pages() == []
    assert not LiveState(tmp_path / "wh").has_cursor("src", platform.stream)


def test_an_empty_page_is_up_to_date(tmp_path, server, platform) -> None:
    server.add(platform.path, platform.empty)
    summary, stream, _ = _fetch(tmp_path, server, platform)
    assert summary["errors"] == [] and stream["status"] == "up to date"
    assert stream["pages"] == 1 and _stored(tmp_path) == 0
    assert Landing(tmp_path / "wh").pages() == []


def test_a_repeated_page_is_stored_once(tmp_path, server, platform) -> None:
    for name in (platform.first, platform.first, platform.last):
        server.add(platform.path, page(name), headers=platform.headers(server.url, name))
    summary, stream, _ = _fetch(tmp_path, server, platform)
    assert summary["errors"] == [] and stream["notes"] == [
        "the server repeated a page; asked again"
    ]
    assert stream["pages"] == 3 and stream["pages_landed"] == 2
    assert _stored(tmp_path) == platform.n_first + platform.n_last
    assert len(Landing(tmp_path / "wh").pages()) == 2
