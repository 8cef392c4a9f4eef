"""Paging one stream (a hashtag, a subreddit listing, a search) into its window cursor.

Every platform lists posts newest first and pages towards older posts (Mastodon ``max_id`` /
``Link: rel="next"``, Reddit ``after``, X ``next_token`` or ``until_id``), and most can bound a
listing from below (Mastodon ``since_id``, X ``since_id`` / ``start_time``; Reddit cannot, so the
bound is applied here). :func:`fetch_stream` walks one stream with the window cursor of
:mod:`barometer.live.cursors`, handing each page with new posts to ``deliver``, which lands,
ingests and then stores the cursor: the cursor never runs ahead of what is in the warehouse.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import httpx

from barometer.live.client import PoliteClient
from barometer.live.cursors import Cursor, Mark, Window


@dataclass(frozen=True)
class Item:
    """A post on a page, as far as paging needs it."""

    mark: Mark
    order: tuple[int, str]  # sorts like the platform's ids: newer is larger
    created: datetime | None


@dataclass(frozen=True)
class Page:
    """What paging needs from a response: its posts, whether older pages exist, and the
    platform's token for the next (older) page within this run."""

    items: list[Item]
    more: bool
    token: str | None = None


@dataclass(frozen=True)
class Request:
    url: str
    params: dict[str, str]


@dataclass
class StreamResult:
    """How one stream's fetch went (for the run manifest and the summary table)."""

    stream: str
    pages: int = 0
    pages_landed: int = 0
    posts_new: int = 0
    status: str = "not fetched"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "stream": self.stream,
            "pages": self.pages,
            "pages_landed": self.pages_landed,
            "posts_new": self.posts_new,
            "status": self.status,
            "notes": list(self.notes),
        }


def length_order(item_id: str) -> tuple[int, str]:
    """Sort key of ids that grow with time as decimal strings (Mastodon, X): by length, then
    lexically, as Mastodon's API guidelines advise (never as floats: they lose digits)."""
    return (len(item_id), item_id)


class Connector(ABC):
    """One live source: its streams, how to ask for a page, how to read one."""

    kind: ClassVar[str]  # the [[sources.live]] kind
    adapter: ClassVar[str]  # the ingest format its pages are read with
    default_interval: ClassVar[float]  # seconds between two requests, from published limits

    def __init__(self, name: str, client: PoliteClient) -> None:
        self.name = name
        self.client = client

    @property
    def server(self) -> str | None:
        """The server whose ids the pages carry (Mastodon account ids are per server)."""
        return None

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Anything needed before the first page (credentials, a token)."""

    def headers(self) -> dict[str, str]:
        return {}

    @abstractmethod
    def streams(self) -> list[str]:
        """Stream names (folder-safe): one per hashtag, listing or search."""

    @abstractmethod
    def request(
        self, stream: str, *, newest: Mark | None, bottom: Mark | None, token: str | None,
        start: datetime,
    ) -> Request:  # fmt: skip
        """The request for the page below ``bottom`` (the top page when ``None``), newer than
        ``newest`` where the platform can bound it; ``start`` bounds the very first window."""

    @abstractmethod
    def parse(self, response: httpx.Response) -> Page:
        """Read a 2xx response; raise :class:`~barometer.live.client.MalformedPage` if it is
        not a page of this platform."""

    @abstractmethod
    def order(self, mark: Mark) -> tuple[int, str]:
        """Sort key of a cursor mark (as :attr:`Item.order`)."""

    @abstractmethod
    def explain(self, status: int, response: httpx.Response) -> str:
        """What to fix when the server refuses (401, 403, 404, ...), in one short clause."""

    def fetch_page(self, request: Request) -> tuple[httpx.Response, Page]:
        return self.client.send(
            request.url,
            params=request.params,
            headers=self.headers(),
            explain=self.explain,
            validate=self.parse,
        )


Deliver = Callable[[httpx.Response | None, Cursor], int]


def fetch_stream(
    connector: Connector,
    stream: str,
    cursor: Cursor,
    *,
    max_pages: int,
    start: datetime,
    deliver: Deliver,
    result: StreamResult,
) -> Cursor:
    """Fetch ``stream`` from ``cursor`` for at most ``max_pages`` pages; return the new cursor.

    ``deliver(response, cursor)`` is called once per page: with the response when the page has
    new posts (it lands, ingests and stores the cursor, and returns how many posts were new),
    with ``None`` when only the cursor moves. A page that repeats posts already fetched without
    reaching older ones is asked for once more; a second repeat closes the window early, with a
    note in ``result``. Exceptions (refusals, rate limits) propagate with the cursor stored so far.
    """
    opened_here = False
    repeated = False
    token: str | None = None
    while result.pages < max_pages:
        window = cursor.window
        request = connector.request(
            stream,
            newest=cursor.newest,
            bottom=window.bottom if window else None,
            token=token if window else None,
            start=start,
        )
        response, page = connector.fetch_page(request)
        result.pages += 1
        fresh, floor = _sort_page(connector, cursor, page, start)
        if window is None:
            if not fresh:
                result.status = "up to date"
                return cursor
            window = Window(max(fresh, key=_key).mark, min(fresh, key=_key).mark)
            opened_here = True
        elif fresh:
            window = Window(window.top, min(fresh, key=_key).mark)
            repeated = False
        elif page.items and not floor:
            if not repeated:
                repeated = True
                token = None
                result.notes.append("the server repeated a page; asked again")
                continue
            result.notes.append(
                "the server repeated a page twice: this window was closed early and posts "
                f"older than {window.bottom.created_at or window.bottom.id} may be missing"
            )
        closed = not fresh or not page.more or floor
        cursor = Cursor(newest=window.top) if closed else Cursor(cursor.newest, window)
        added = deliver(response if fresh else None, cursor)
        if fresh:
            result.pages_landed += 1
            result.posts_new += added
        token = page.token
        if closed:
            if opened_here:
                result.status = "up to date"
                return cursor
            token = None  # an earlier run's window is complete: open a new one at the top
    result.status = f"page cap reached ({max_pages} pages): the next run goes on from here"
    return cursor


def _sort_page(
    connector: Connector, cursor: Cursor, page: Page, start: datetime
) -> tuple[list[Item], bool]:
    """The page's posts not fetched yet (newer than the cursor's newest and older than its open
    window's bottom), and whether the page reaches the floor: posts already fetched, or, on a
    first run, posts from before ``start``."""
    window = cursor.window
    newest_key = connector.order(cursor.newest) if cursor.newest else None
    bottom_key = connector.order(window.bottom) if window else None
    fresh = [
        item
        for item in page.items
        if (newest_key is None or item.order > newest_key)
        and (bottom_key is None or item.order < bottom_key)
    ]
    floor = any(newest_key is not None and item.order <= newest_key for item in page.items)
    if cursor.newest is None:
        floor = any(item.created is not None and item.created < start for item in page.items)
    return fresh, floor


def _key(item: Item) -> tuple[int, str]:
    return item.order
