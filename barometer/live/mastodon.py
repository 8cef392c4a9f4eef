"""Mastodon: public hashtag timelines and a server's local timeline, without an account.

Requests (Mastodon REST API, ``docs.joinmastodon.org/methods/timelines``):

- ``GET /api/v1/timelines/tag/:hashtag?limit=40`` per hashtag;
- ``GET /api/v1/timelines/public?local=true&limit=40`` for the local timeline;
- older pages with ``max_id`` (taken from the ``Link: <...>; rel="next"`` header the server
  sends, as its API guidelines ask, else the page's oldest id), bounded below with ``since_id``
  (the newest status already stored). ``min_id`` (oldest-first paging) is not needed: the
  window cursor resumes an interrupted window with ``max_id`` + ``since_id``.

A page is a JSON array of Status entities; they are read by the Mastodon adapter
(:func:`barometer.ingest.social.read_mastodon`). Status and account ids are local to the server
that answered, so the server is part of every author key. Rate limits: 300 requests per
5 minutes per IP by default, announced in ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``
(an ISO 8601 time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from barometer.live.client import MalformedPage, PoliteClient, api_message
from barometer.live.config import MastodonLive
from barometer.live.cursors import Mark
from barometer.live.paging import Connector, Item, Page, Request, length_order
from barometer.live.streams import parse_time, stream_name

PAGE_LIMIT = "40"  # the API's maximum for timelines


class MastodonConnector(Connector):
    kind = "mastodon"
    adapter = "mastodon"
    default_interval = 1.0  # 300 requests / 5 minutes

    def __init__(self, config: MastodonLive, client: PoliteClient) -> None:
        super().__init__(config.source_name(), client)
        self.config = config
        self._paths: dict[str, str] = {}
        for tag in config.hashtags:
            self._paths[stream_name("tag", tag)] = f"/api/v1/timelines/tag/{quote(tag, safe='')}"
        if config.local:
            self._paths["local"] = "/api/v1/timelines/public"

    @property
    def server(self) -> str:
        return server_of(self.config)

    def streams(self) -> list[str]:
        return list(self._paths)

    def request(
        self,
        stream: str,
        *,
        newest: Mark | None,
        bottom: Mark | None,
        token: str | None,
        start: datetime,
    ) -> Request:
        params = {"limit": PAGE_LIMIT}
        if stream == "local":
            params["local"] = "true"
        if newest is not None:
            params["since_id"] = newest.id
        if bottom is not None:  # the Link header's max_id, unless it would not move down
            useful = token is not None and length_order(token) <= length_order(bottom.id)
            params["max_id"] = token if token is not None and useful else bottom.id
        return Request(self.config.instance + self._paths[stream], params)

    def parse(self, response: httpx.Response) -> Page:
        try:
            body = response.json()
        except ValueError as exc:
            raise MalformedPage(f"not JSON: {exc}") from exc
        if not isinstance(body, list):
            raise MalformedPage(f"expected a JSON array of statuses, found {type(body).__name__}")
        items = [item for item in (_item(s) for s in body) if item is not None]
        if body and not items:
            raise MalformedPage(f"none of its {len(body)} entries is a status with an id")
        return Page(items, more="next" in response.links, token=self._next_max_id(response))

    def _next_max_id(self, response: httpx.Response) -> str | None:
        """``max_id`` of the ``rel="next"`` link, when it points back at this server."""
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        url = httpx.URL(link)
        if url.host != httpx.URL(self.config.instance).host:
            return None
        return url.params.get("max_id") or None

    def order(self, mark: Mark) -> tuple[int, str]:
        return length_order(mark.id)

    def explain(self, status: int, response: httpx.Response) -> str:
        said = api_message(response)
        said = f" (the server says: {said})" if said else ""
        if status in (401, 403, 422):
            return (
                f"this server shows this timeline only to signed-in accounts{said}; choose "
                f"another server or remove it from [[sources.live]] '{self.name}'"
            )
        if status == 404:
            return (
                f"no Mastodon API at this address{said}; check instance = "
                f"'{self.config.instance}' in [[sources.live]] '{self.name}'"
            )
        return f"the server refused the request{said}"


def server_of(config: MastodonLive) -> str:
    """The server a Mastodon source reads (``mastodon.nu``; with its port when one is given)."""
    return urlsplit(config.instance).netloc


def _item(status: Any) -> Item | None:
    if not isinstance(status, dict):
        return None
    status_id = status.get("id")
    if not isinstance(status_id, str | int) or isinstance(status_id, bool) or not str(status_id):
        return None
    created = parse_time(status.get("created_at"))
    mark = Mark(str(status_id), created.isoformat() if created is not None else "")
    return Item(mark, length_order(mark.id), created)
