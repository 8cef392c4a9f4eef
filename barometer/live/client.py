"""A polite HTTP client for the live sources (httpx underneath).

Politeness rules, for every platform alike:

- a ``User-Agent`` naming the project, its version and (when configured) a contact;
- a pause between two requests to one source (``request_interval``);
- rate limits honoured *before* they bite: when a response says no request is left
  (``x-rate-limit-remaining`` on X, ``X-RateLimit-Remaining`` on Mastodon and Reddit), the next
  request waits for the reset the same response names (``x-rate-limit-reset``: Unix time on X;
  ``X-RateLimit-Reset``: an ISO 8601 time on Mastodon, seconds from now on Reddit);
- HTTP 429: waits for ``Retry-After`` (seconds or an HTTP date), else for the reset header, else
  backs off; 5xx answers, time-outs, dropped connections and malformed pages are retried with
  exponential backoff (``backoff_seconds``, doubled each time, ``retries`` times);
- a wait longer than ``max_wait_seconds`` is not waited: :class:`RateLimited` stops the source
  for this run, and the next run resumes from the stored cursor;
- 401/403/404 (and any other refusal) raise :class:`FetchError` in one line naming the source
  and what to fix; redirects are not followed (a moved server is reported, not guessed);
- secrets (tokens) are never in a message: every message passes through :meth:`redact`.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import httpx

import barometer
from barometer.exceptions import FetchError, RateLimited
from barometer.live.config import FetchSettings

_T = TypeVar("_T")


class MalformedPage(Exception):
    """A 2xx answer whose body is not the page the platform documents (retried, then reported)."""


def user_agent(contact: str | None) -> str:
    """``barometer/<version> (Social Trust Barometer; <contact>)``."""
    extra = f"; {contact}" if contact else ""
    return f"barometer/{barometer.__version__} (Social Trust Barometer{extra})"


def parse_reset(value: str | None, now: float) -> float | None:
    """Unix time named by a rate-limit reset header, or ``None`` when absent or unreadable.

    A number from 10^8 up is Unix time (X); a smaller one is seconds from now (Reddit); otherwise
    an ISO 8601 time (Mastodon) or an HTTP date.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number if number >= 1e8 else now + max(number, 0.0)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value or not value.strip():
        return None
    try:
        return max(float(value.strip()), 0.0)
    except ValueError:
        pass
    try:
        return max(email.utils.parsedate_to_datetime(value.strip()).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


def _remaining(headers: httpx.Headers) -> float | None:
    for name in ("x-rate-limit-remaining", "x-ratelimit-remaining"):
        if name in headers:
            try:
                return float(headers[name])
            except ValueError:
                return None
    return None


def _reset(headers: httpx.Headers, now: float) -> float | None:
    for name in ("x-rate-limit-reset", "x-ratelimit-reset"):
        if name in headers:
            return parse_reset(headers[name], now)
    return None


@dataclass
class ClientStats:
    """What the client did, for the run manifest (no URLs with secrets, no headers)."""

    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    waits: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "waited_seconds": round(self.waited_seconds, 1),
            "waits": list(self.waits),
        }


class PoliteClient:
    """GET requests for one live source, with the rules in the module docstring.

    ``sleep`` and ``clock`` are injectable so tests do not wait (the tests talk to a real local
    server, so the real transport is exercised).
    """

    def __init__(
        self,
        source: str,
        settings: FetchSettings,
        *,
        request_interval: float,
        secrets: tuple[str, ...] = (),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        say: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.source = source
        self.settings = settings
        self.interval = (
            settings.request_interval_seconds
            if settings.request_interval_seconds is not None
            else request_interval
        )
        self.secrets = tuple(s for s in secrets if s)
        self.sleep = sleep
        self.clock = clock
        self.say = say
        self.stats = ClientStats()
        self._pause_until = 0.0
        self._reset_at = 0.0
        self._http = httpx.Client(
            headers={"User-Agent": user_agent(settings.contact), "Accept": "application/json"},
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def redact(self, text: str) -> str:
        """``text`` with every secret this client holds replaced by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def add_secret(self, secret: str) -> None:
        if secret:
            self.secrets = (*self.secrets, secret)

    def _wait(self, seconds: float, why: str) -> None:
        if seconds <= 0:
            return
        if seconds > self.settings.max_wait_seconds:
            resume = self.clock() + seconds
            when = datetime.fromtimestamp(resume).astimezone().strftime("%Y-%m-%d %H:%M %Z")
            raise RateLimited(
                f"{self.source}: {why}: the server asks to wait {seconds:,.0f} s (more than "
                f"[fetch] max_wait_seconds = {self.settings.max_wait_seconds:,.0f}); stopped "
                f"until {when}, the next run resumes from the stored cursor",
                resume,
            )
        self.stats.waited_seconds += seconds
        self.stats.waits.append(f"{why}: {seconds:.1f} s")
        self.say(f"{self.source}: {why}: waiting {seconds:.1f} s")
        self.sleep(seconds)

    def _before_request(self) -> None:
        now = self.clock()
        if self._reset_at > now:
            self._wait(self._reset_at - now, "rate limit used up (no request left until reset)")
            now = self.clock()
        self._reset_at = 0.0
        if self._pause_until > now:
            self.sleep(self._pause_until - now)

    def _after_response(self, response: httpx.Response) -> None:
        now = self.clock()
        self._pause_until = now + self.interval
        remaining = _remaining(response.headers)
        reset = _reset(response.headers, now)
        if remaining is not None and remaining < 1 and reset is not None:
            self._reset_at = reset

    def send(
        self,
        url: str,
        *,
        explain: Callable[[int, httpx.Response], str],
        validate: Callable[[httpx.Response], _T],
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> tuple[httpx.Response, _T]:
        """GET ``url`` (POST ``form`` when given) and return the response with
        ``validate(response)``.

        ``explain(status, response)`` turns a refusal into the fix to suggest; ``validate``
        parses the body and raises :class:`MalformedPage` when it is not a page (retried).
        """
        attempt = 0
        while True:
            self._before_request()
            self.stats.requests += 1
            wait: float | None = None
            try:
                response = self._http.request(
                    "POST" if form is not None else "GET",
                    url,
                    params=params,
                    headers=headers,
                    data=form,
                    auth=auth,
                )
            except httpx.TimeoutException:
                problem = f"no answer within {self.settings.timeout_seconds:g} s"
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__})"
            else:
                self._after_response(response)
                status = response.status_code
                if 200 <= status < 300:
                    try:
                        return response, validate(response)
                    except MalformedPage as exc:
                        problem = f"malformed page ({exc})"
                elif status == 429 or status >= 500:
                    problem = "HTTP 429 (too many requests)" if status == 429 else f"HTTP {status}"
                    wait = self._server_wait(response)
                else:
                    raise FetchError(self._refusal(url, status, response, explain))
            if attempt >= self.settings.retries:
                raise FetchError(
                    self.redact(
                        f"{self.source}: {problem} from {_where(url)}, {attempt + 1} tries; "
                        "check the network or the server's status page and run fetch again "
                        "(it resumes from the stored cursor)"
                    )
                )
            self.stats.retries += 1
            if wait is None:
                wait = self.settings.backoff_seconds * 2**attempt
            self._wait(wait, f"{problem}, retrying")
            self._reset_at = 0.0
            attempt += 1

    def _server_wait(self, response: httpx.Response) -> float | None:
        """Seconds the server asks for: ``Retry-After``, else its rate-limit reset (429 only)."""
        now = self.clock()
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        if wait is None and response.status_code == 429:
            reset = _reset(response.headers, now)
            wait = max(reset - now, 0.0) if reset is not None else None
        return wait

    def _refusal(
        self, url: str, status: int, response: httpx.Response, explain: Callable[..., str]
    ) -> str:
        if 300 <= status < 400:
            target = httpx.URL(response.headers.get("location", ""))
            fix = (
                f"the server redirects to {target.host or '?'}{target.path}; "
                "update the address in [[sources.live]]"
            )
        else:
            fix = explain(status, response)
        return self.redact(f"{self.source}: HTTP {status} from {_where(url)}: {fix}")


def _where(url: str) -> str:
    """Host and path of ``url`` (never the query: it can hold search terms worth keeping out of
    logs, and it is the same for every page)."""
    parsed = httpx.URL(url)
    return f"{parsed.host}{parsed.path}"


def api_message(response: httpx.Response) -> str:
    """A short error message from a JSON error body (Mastodon ``error``, X ``detail`` /
    ``errors[].message``, Reddit ``message`` / ``reason``), at most 200 characters."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for key in ("error", "detail", "message", "reason", "title"):
        value = body.get(key)
        if isinstance(value, str) and value and value not in parts:
            parts.append(value)
            break
    errors = body.get("errors")
    if isinstance(errors, list):
        for error in errors[:2]:
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                parts.append(error["message"])
    text = "; ".join(parts)
    return " ".join(text.split())[:200]
