"""The window cursor under random arrivals, page caps and kills (hypothesis): the cursor never
claims a post the warehouse lacks, and once a run finishes, every post is in the warehouse."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.live.cursors import Cursor, Mark
from barometer.live.paging import (
    Connector,
    Item,
    Page,
    Request,
    StreamResult,
    fetch_stream,
    length_order,
)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


class Killed(Exception):
    """Stands for SIGKILL: the fetch stops wherever it is."""


class FakeTimeline(Connector):
    """A server with Mastodon's paging rules over integer ids (``since_id``, ``max_id``)."""

    kind = "fake"
    adapter = "fake"
    default_interval = 0.0

    def __init__(self, page_size: int) -> None:
        super().__init__("fake", client=None)  # type: ignore[arg-type]
        self.posts: list[int] = []  # ids, oldest first
        self.page_size = page_size

    def streams(self) -> list[str]:
        return ["s"]

    def request(self, stream, *, newest, bottom, token, start) -> Request:
        params = {}
        if newest is not None:
            params["since_id"] = newest.id
        if bottom is not None:
            params["max_id"] = bottom.id
        return Request("fake://timeline", params)

    def fetch_page(self, request: Request) -> tuple[httpx.Response, Page]:
        chosen = sorted(self.posts, reverse=True)
        if "since_id" in request.params:
            chosen = [p for p in chosen if p > int(request.params["since_id"])]
        if "max_id" in request.params:
            chosen = [p for p in chosen if p < int(request.params["max_id"])]
        chosen = chosen[: self.page_size]
        items = [self.item(p) for p in chosen]
        response = httpx.Response(200, json=chosen)
        return response, Page(items, more=bool(chosen))

    @staticmethod
    def item(post: int) -> Item:
        created = EPOCH + timedelta(minutes=post)
        mark = Mark(str(post), created.isoformat())
        return Item(mark, length_order(mark.id), created)

    def parse(self, response: httpx.Response) -> Page:
        raise NotImplementedError

    def order(self, mark: Mark) -> tuple[int, str]:
        return length_order(mark.id)

    def explain(self, status: int, response: httpx.Response) -> str:
        return ""


class Store:
    """The warehouse (a set of post ids) and the committed cursor."""

    def __init__(
        self, server: FakeTimeline, kill_at: int | None, kill_before_store: bool, floor: int = 0
    ) -> None:
        self.server = server
        self.floor = floor  # posts older than the first fetch's start date are not vouched for
        self.posts: set[int] = set()
        self.cursor = Cursor()
        self.calls = 0
        self.kill_at = kill_at
        self.kill_before_store = kill_before_store

    def deliver(self, response: httpx.Response | None, cursor: Cursor) -> int:
        self.calls += 1
        if self.calls == self.kill_at and self.kill_before_store:
            raise Killed
        added = 0
        if response is not None:
            fresh = set(response.json()) - self.posts
            self.posts |= fresh
            added = len(fresh)
        if self.calls == self.kill_at:
            raise Killed  # stored, cursor not committed
        self.cursor = cursor
        self.check_invariant()
        return added

    def check_invariant(self) -> None:
        """Every post the committed cursor vouches for is stored."""
        newest = int(self.cursor.newest.id) if self.cursor.newest else None
        for post in self.server.posts:
            if post < self.floor:
                continue
            if newest is not None and post <= newest:
                assert post in self.posts, (post, self.cursor)
            window = self.cursor.window
            if window is not None and int(window.bottom.id) <= post <= int(window.top.id):
                assert post in self.posts, (post, self.cursor)


def _run(server: FakeTimeline, store: Store, max_pages: int) -> None:
    with contextlib.suppress(Killed):
        fetch_stream(
            server,
            "s",
            store.cursor,
            max_pages=max_pages,
            start=EPOCH,
            deliver=store.deliver,
            result=StreamResult("s"),
        )


runs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=25),  # posts arriving before this run
        st.integers(min_value=1, max_value=4),  # page cap
        st.none() | st.integers(min_value=1, max_value=5),  # killed at this deliver call
        st.booleans(),  # killed before (True) or after storing the page's posts
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(runs=runs, page_size=st.integers(min_value=1, max_value=5))
def test_window_cursor_loses_nothing_under_caps_and_kills(runs, page_size) -> None:
    server = FakeTimeline(page_size)
    store = Store(server, None, False)
    next_id = 1
    for arriving, cap, kill_at, before in runs:
        server.posts.extend(range(next_id, next_id + arriving))
        next_id += arriving
        store.calls, store.kill_at, store.kill_before_store = 0, kill_at, before
        _run(server, store, cap)
    # runs without a cap or a kill: enough of them finish every window
    store.kill_at = None
    for _ in range(3):
        _run(server, store, max_pages=10_000)
    assert store.posts == set(server.posts)
    if server.posts:
        assert store.cursor == Cursor(newest=server.item(max(server.posts)).mark)


def test_the_first_window_stops_at_the_start_date() -> None:
    server = FakeTimeline(page_size=2)
    server.posts.extend(range(1, 11))  # minutes 1..10 after EPOCH
    store = Store(server, None, False, floor=7)
    fetch_stream(
        server,
        "s",
        Cursor(),
        max_pages=100,
        start=EPOCH + timedelta(minutes=6, seconds=30),
        deliver=store.deliver,
        result=StreamResult("s"),
    )
    # pages [10, 9], [8, 7], [6, 5]: the third reaches before the start and closes the window
    assert store.posts == {5, 6, 7, 8, 9, 10}
    assert store.cursor == Cursor(newest=server.item(10).mark)
