"""The polite client against a local server: rate limits, backoff, refusals, User-Agent."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from live_server import FakeClock, Replay

import barometer
from barometer.exceptions import FetchError, RateLimited
from barometer.live.client import (
    MalformedPage,
    PoliteClient,
    api_message,
    parse_reset,
    parse_retry_after,
)
from barometer.live.config import FetchSettings

NOW = 1_715_000_000.0  # 2024-05-06T12:53:20Z


@pytest.fixture
def server():
    replay = Replay()
    yield replay
    replay.stop()
    replay.check()


def _client(clock: FakeClock, **settings) -> PoliteClient:
    fetch = FetchSettings(contact="mailto:ops@testby.example", **settings)
    return PoliteClient(
        "src", fetch, request_interval=0.0, sleep=clock.sleep, clock=clock.time,
        secrets=("s3cret-token",),
    )  # fmt: skip


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError as exc:
        raise MalformedPage("not JSON") from exc


def _get(client: PoliteClient, server: Replay, path: str = "/p") -> object:
    _, body = client.send(
        server.url + path, explain=lambda status, _r: f"fix {status}", validate=_json
    )
    return body


def test_429_waits_for_retry_after_then_gets_the_page(server) -> None:
    clock = FakeClock(NOW)
    server.add("/p", b"{}", status=429, headers={"Retry-After": "7"})
    server.add("/p", b'{"ok": 1}')
    client = _client(clock)
    assert _get(client, server) == {"ok": 1}
    assert clock.slept == [7.0]
    assert client.stats.retries == 1 and client.stats.requests == 2


def test_429_with_an_http_date_and_with_only_a_reset_header(server) -> None:
    clock = FakeClock(NOW)
    when = email.utils.formatdate(NOW + 30, usegmt=True)
    server.add("/p", b"{}", status=429, headers={"Retry-After": when})
    server.add("/p", b"{}", status=429, headers={"x-rate-limit-reset": str(int(NOW + 30 + 45))})
    server.add("/p", b"[]")
    assert _get(_client(clock), server) == []
    assert clock.slept == [30.0, 45.0]


def test_500_then_200_backs_off_and_503_retry_after_is_honoured(server) -> None:
    clock = FakeClock(NOW)
    server.add("/p", b"oops", status=500)
    server.add("/p", b"oops", status=502)
    server.add("/p", b"busy", status=503, headers={"Retry-After": "11"})
    server.add("/p", b"[1]")
    assert _get(_client(clock, backoff_seconds=3), server) == [1]
    assert clock.slept == [3.0, 6.0, 11.0]  # doubled, then the server's own number


def test_5xx_after_every_retry_is_one_line_naming_the_source(server) -> None:
    clock = FakeClock(NOW)
    for _ in range(3):
        server.add("/p", b"down", status=500)
    with pytest.raises(FetchError, match=r"^src: HTTP 500 from 127\.0\.0\.1/p, 3 tries; ") as exc:
        _get(_client(clock, retries=2), server)
    assert "\n" not in str(exc.value)
    assert clock.slept == [2.0, 4.0]


def test_a_time_out_is_retried(server) -> None:
    clock = FakeClock(NOW)
    server.add("/p", b"[]", delay=1.0)
    server.add("/p", b"[2]")
    assert _get(_client(clock, timeout_seconds=0.2), server) == [2]
    assert clock.slept == [2.0]


def test_remaining_zero_makes_the_next_request_wait_for_the_reset(server) -> None:
    clock = FakeClock(NOW)
    mastodon_reset = datetime.fromtimestamp(NOW + 120, UTC).isoformat().replace("+00:00", "Z")
    server.add(
        "/p", b"[]", headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": mastodon_reset}
    )
    server.add(
        "/p",
        b"[]",
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 200))},
    )
    server.add("/p", b"[]", headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "33"})
    server.add("/p", b"[]", headers={"X-RateLimit-Remaining": "250", "X-RateLimit-Reset": "99"})
    server.add("/p", b"[]")
    client = _client(clock)
    for _ in range(5):
        _get(client, server)
    # Mastodon (ISO time), X (Unix time, 200 s after NOW = 80 s after the first wait), Reddit
    # (seconds from now); 250 left: no wait
    assert clock.slept == [120.0, 80.0, 33.0]
    assert len(client.stats.waits) == 3


def test_a_wait_longer_than_max_wait_stops_the_source(server) -> None:
    clock = FakeClock(NOW)
    server.add("/p", b"{}", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(
        RateLimited, match=r"^src: HTTP 429 .*wait 3,600 s .*max_wait_seconds = 60"
    ) as exc:
        _get(_client(clock, max_wait_seconds=60), server)
    assert exc.value.resume_at == NOW + 3600
    assert clock.slept == []


@pytest.mark.parametrize("status", [401, 403, 404, 410, 422])
def test_refusals_are_one_line_with_the_fix_and_no_secret(server, status) -> None:
    server.add("/p", b'{"error": "nope s3cret-token"}', status=status)
    client = _client(FakeClock(NOW))
    with pytest.raises(FetchError) as exc:
        client.send(
            server.url + "/p",
            explain=lambda code, r: f"check the token ({api_message(r)})",
            validate=_json,
        )
    message = str(exc.value)
    assert message == f"src: HTTP {status} from 127.0.0.1/p: check the token (nope ***)"
    assert len(server.seen) == 1  # a refusal is not retried


def test_a_redirect_is_reported_not_followed(server) -> None:
    server.add("/p", b"", status=301, headers={"Location": "https://other.example/new/place?x=1"})
    with pytest.raises(FetchError, match=r"redirects to other\.example/new/place; update"):
        _get(_client(FakeClock(NOW)), server)


def test_the_user_agent_names_the_project_and_the_contact(server) -> None:
    server.add("/p", b"[]")
    _get(_client(FakeClock(NOW)), server)
    agent = server.seen[0].headers["User-Agent"]
    assert agent == (
        f"barometer/{barometer.__version__} (Social Trust Barometer; mailto:ops@testby.example)"
    )


def test_reset_header_forms() -> None:
    assert parse_reset("1715000300", NOW) == 1715000300.0  # X: Unix time
    assert parse_reset("42.5", NOW) == NOW + 42.5  # Reddit: seconds from now
    assert parse_reset("2024-05-06T13:00:00.000Z", NOW) == 1715000400.0  # Mastodon: ISO 8601
    assert parse_reset("Mon, 06 May 2024 13:00:00 GMT", NOW) == 1715000400.0
    assert parse_reset("soon", NOW) is None and parse_reset(None, NOW) is None
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after("Mon, 06 May 2024 13:00:00 GMT", NOW) == 400.0
    assert parse_retry_after("-5", NOW) == 0.0


@given(st.integers(min_value=0, max_value=10**7), st.floats(min_value=1e9, max_value=4e9))
def test_reset_seconds_and_unix_times_are_told_apart(delta: int, now: float) -> None:
    assert parse_reset(str(delta), now) == now + delta
    assert parse_reset(str(int(now) + delta), now) == int(now) + delta
    iso = datetime.fromtimestamp(int(now) + delta, UTC).isoformat()
    assert parse_reset(iso, now) == int(now) + delta
