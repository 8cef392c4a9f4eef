"""Fetch every live source of a pipeline: new pages since the stored cursors, landed, ingested.

For each page with new posts, in this order:

1. the raw body is written to the landing folder (:mod:`barometer.live.landing`);
2. the page is read by the platform's adapter, enriched and stored, through ``ingest`` (the
   pipeline's own file ingest, so pseudonyms, scrubbing and quarantine are the same as for an
   exported file);
3. the page joins the ledger and the stream's cursor moves, in one atomic write
   (:mod:`barometer.live.cursors`).

A kill between 1 and 3 leaves a landed page that is not in the ledger: the next fetch ingests it
first (posts are keyed, so whatever part of it was stored is not stored twice), then asks again
from the cursor, which had not moved. Nothing is lost and nothing is stored twice.

``--from-landing`` re-ingests every landed page, in the order fetched, without the network:
into an empty warehouse that holds only a copy of ``landing/``, it rebuilds the same posts,
quarantine and cursors.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from barometer.exceptions import ConfigError, FetchError, RateLimited
from barometer.live.client import PoliteClient
from barometer.live.config import FetchSettings, MastodonLive, RedditLive, XLive
from barometer.live.cursors import Cursor, LiveState
from barometer.live.landing import LandedPage, Landing
from barometer.live.mastodon import MastodonConnector, server_of
from barometer.live.paging import Connector, StreamResult, fetch_stream
from barometer.live.reddit import RedditConnector
from barometer.live.x import XConnector

LiveConfig = MastodonLive | RedditLive | XLive
#: ingest(page, adapter format, server) -> the page's manifest entry ("error" when unreadable)
IngestPage = Callable[[LandedPage, str, str | None], dict[str, Any]]

CONNECTORS: dict[str, type[Connector]] = {
    "mastodon": MastodonConnector,
    "reddit": RedditConnector,
    "x": XConnector,
}
DEFAULT_LOOKBACK = timedelta(days=7)
KEPT_HEADERS = (
    "content-type",
    "date",
    "link",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
)


@dataclass
class FetchOptions:
    """What to fetch and how (the command line's choices; clocks injectable for tests)."""

    max_pages: int | None = None  # overrides every source's max_pages
    only: list[str] | None = None  # source names; None: all
    from_landing: bool = False
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time


@dataclass
class SourceReport:
    source: str
    kind: str
    streams: list[StreamResult] = field(default_factory=list)
    error: str | None = None
    client: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "error": self.error,
            "streams": [s.to_dict() for s in self.streams],
            **self.client,
        }


@dataclass
class FetchReport:
    """What a fetch did: per source and stream, plus pages recovered from an earlier kill."""

    sources: list[SourceReport] = field(default_factory=list)
    recovered_pages: int = 0
    replayed_pages: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def posts_new(self) -> int:
        return sum(s.posts_new for source in self.sources for s in source.streams)

    def to_dict(self) -> dict[str, object]:
        return {
            "recovered_pages": self.recovered_pages,
            "replayed_pages": self.replayed_pages,
            "posts_new": self.posts_new,
            "errors": list(self.errors),
            "sources": [s.to_dict() for s in self.sources],
        }


def _adapter_and_server(source: LiveConfig) -> tuple[str, str | None]:
    server = server_of(source) if isinstance(source, MastodonLive) else None
    return CONNECTORS[source.kind].adapter, server


def _start(source: LiveConfig, now: float) -> datetime:
    if source.start is not None:
        return datetime.combine(source.start, day_time(0), tzinfo=UTC)
    return datetime.fromtimestamp(now, UTC) - DEFAULT_LOOKBACK


class _Fetch:
    """One fetch over the live sources of a config (kept out of the public API)."""

    def __init__(
        self,
        sources: list[LiveConfig],
        settings: FetchSettings,
        warehouse: Path,
        ingest: IngestPage,
        options: FetchOptions,
        say: Callable[[str], None],
    ) -> None:
        self.sources = sources
        self.settings = settings
        self.state = LiveState(warehouse)
        self.landing = Landing(warehouse)
        self.ingest = ingest
        self.options = options
        self.say = say
        self.report = FetchReport()
        self.by_name = {s.source_name(): s for s in sources}

    def _ingest(self, page: LandedPage) -> int:
        """Ingest one landed page and record it in the ledger; return the posts it added."""
        adapter, server = _adapter_and_server(self.by_name[page.source])
        entry = self.ingest(page, adapter, server)
        if "error" in entry:
            raise FetchError(f"{page.source}: landed page {page.path.name}: {entry['error']}")
        self.state.mark_ingested(self.landing.relative(page), page.sha256)
        return int(entry.get("n_new", 0))

    def ingest_pending(self) -> None:
        """Pages landed by an earlier fetch that was stopped before it ingested them."""
        for page in self.landing.pages(sorted(self.by_name)):
            if self.state.is_ingested(self.landing.relative(page)):
                continue
            try:
                self._ingest(page)
            except FetchError as exc:
                self.report.errors.append(str(exc))
                self.say(f"error: {exc}")
                continue
            self.state.save()
            self.report.recovered_pages += 1

    def replay(self) -> None:
        """Re-ingest every landed page in fetch order and restore missing cursors."""
        last_cursor: dict[tuple[str, str], dict[str, Any]] = {}
        for page in self.landing.pages(sorted(self.by_name)):
            try:
                self._ingest(page)
            except FetchError as exc:
                self.report.errors.append(str(exc))
                self.say(f"error: {exc}")
                continue
            self.report.replayed_pages += 1
            after = page.meta().get("cursor_after")
            if isinstance(after, dict):
                last_cursor[(page.source, page.stream)] = after
        for (source, stream), after in last_cursor.items():
            if not self.state.has_cursor(source, stream):
                self.state.set_cursor(source, stream, Cursor.from_dict(after))
        self.state.save()
        ignored = sorted(set(self.landing.sources()) - set(self.by_name))
        if ignored:
            self.say(f"landing folders with no [[sources.live]] of that name, not read: {ignored}")

    def fetch_source(self, source: LiveConfig) -> None:
        name = source.source_name()
        kind = CONNECTORS[source.kind]
        client = PoliteClient(
            name,
            self.settings,
            request_interval=kind.default_interval,
            sleep=self.options.sleep,
            clock=self.options.clock,
            say=self.say,
        )
        connector = kind(source, client)  # type: ignore[arg-type]
        report = SourceReport(name, source.kind)
        self.report.sources.append(report)
        start = _start(source, self.options.clock())
        max_pages = self.options.max_pages or source.max_pages
        try:
            connector.prepare()
            for stream in connector.streams():
                result = StreamResult(stream)
                report.streams.append(result)
                try:
                    fetch_stream(
                        connector,
                        stream,
                        self.state.cursor(name, stream),
                        max_pages=max_pages,
                        start=start,
                        deliver=partial(self._deliver, connector, stream),
                        result=result,
                    )
                except RateLimited as exc:
                    result.status = "rate limited"
                    result.notes.append(str(exc))
                    self.say(f"warning: {exc}")
                    break  # the same server's limit holds for its other streams
                except FetchError as exc:
                    result.status = "error"
                    self._fail(report, str(exc))
                self.say(
                    f"{name} {stream}: {result.pages} page(s), {result.posts_new:,} new "
                    f"post(s); {result.status}"
                )
        except FetchError as exc:
            self._fail(report, str(exc))
        finally:
            report.client = client.stats.to_dict()
            client.close()

    def _fail(self, report: SourceReport, message: str) -> None:
        report.error = message if report.error is None else f"{report.error}; {message}"
        self.report.errors.append(message)
        self.say(f"error: {message}")

    def _deliver(
        self, connector: Connector, stream: str, response: httpx.Response | None, cursor: Cursor
    ) -> int:
        name = connector.name
        added = 0
        if response is not None:
            request = response.request
            meta = {
                "source": name,
                "kind": connector.kind,
                "stream": stream,
                "server": connector.server,
                "request": {
                    "host": request.url.host,
                    "path": request.url.path,
                    "params": dict(request.url.params),
                },
                "status": response.status_code,
                "headers": {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers},
                "fetched_at": datetime.now(UTC).isoformat(),
                "cursor_after": cursor.to_dict(),
            }
            meta = json.loads(connector.client.redact(json.dumps(meta)))
            page, _ = self.landing.write(name, stream, response.content, meta)
            if not self.state.is_ingested(self.landing.relative(page)):
                added = self._ingest(page)
        self.state.set_cursor(name, stream, cursor)
        self.state.save()
        return added


def select_sources(sources: list[LiveConfig], only: list[str] | None) -> list[LiveConfig]:
    """The live sources named in ``only`` (all when ``None``); unknown names are an error."""
    if not only:
        return list(sources)
    names = [s.source_name() for s in sources]
    unknown = sorted(set(only) - set(names))
    if unknown:
        raise ConfigError(
            f"no live source named {unknown}; the config has {names or 'no [[sources.live]]'}"
        )
    return [s for s in sources if s.source_name() in only]


def fetch_sources(
    sources: list[LiveConfig],
    settings: FetchSettings,
    warehouse: Path,
    *,
    ingest: IngestPage,
    options: FetchOptions | None = None,
    say: Callable[[str], None] = print,
) -> FetchReport:
    """Fetch ``sources`` into ``warehouse`` (or re-ingest their landing folders with
    ``options.from_landing``); errors of one source are reported and the others still run."""
    options = options or FetchOptions()
    selected = select_sources(sources, options.only)
    run = _Fetch(selected, settings, warehouse, ingest, options, say)
    if options.from_landing:
        run.replay()
        return run.report
    run.ingest_pending()
    for source in selected:
        run.fetch_source(source)
    return run.report
