"""X: API v2 recent search (the last 7 days) with an app's bearer token.

Request (``docs.x.com``, "Search Posts"): ``GET /2/tweets/search/recent`` with ``query``,
``max_results=100``, the tweet fields the X adapter reads (``created_at``, ``author_id``,
``lang``, ``geo``, ``public_metrics``, ``referenced_tweets``) and the ``author_id`` and
``geo.place_id`` expansions, so each page carries its ``includes.users`` and
``includes.places`` (place names locate posts). Older pages: ``meta.next_token`` within a run;
``until_id`` (the oldest post stored) when an earlier run's window is resumed, since tokens
expire. Lower bound: ``since_id`` (the newest post stored), or ``start_time`` on the first fetch
and whenever the newest post stored is older than 7 days (X refuses such a ``since_id``; the
cursor's own bound then stops the paging).

The bearer token comes from the environment (``X_BEARER_TOKEN`` unless the config names
another variable) and is never written anywhere. Rate limits: ``x-rate-limit-remaining`` /
``x-rate-limit-reset`` (Unix time). Pages are read by :func:`barometer.ingest.social.read_x_v2`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from barometer.exceptions import FetchError
from barometer.live.client import MalformedPage, PoliteClient, api_message
from barometer.live.config import XLive
from barometer.live.cursors import Mark
from barometer.live.paging import Connector, Item, Page, Request, length_order
from barometer.live.streams import parse_time, stream_name

SEARCH_PATH = "/2/tweets/search/recent"
RECENT_WINDOW = timedelta(days=7)  # recent search reaches this far back
FIELDS = {
    "max_results": "100",
    "tweet.fields": "id,text,created_at,author_id,lang,geo,public_metrics,referenced_tweets",
    "expansions": "author_id,geo.place_id",
    "user.fields": "id",
    "place.fields": "id,full_name,name,country_code,place_type,geo",
}


class XConnector(Connector):
    kind = "x"
    adapter = "x_v2"
    default_interval = 1.0  # the reset headers pace the rest

    def __init__(self, config: XLive, client: PoliteClient) -> None:
        super().__init__(config.source_name(), client)
        self.config = config
        self._token = ""
        self._stream = stream_name("search", config.query)

    def streams(self) -> list[str]:
        return [self._stream]

    def prepare(self) -> None:
        self._token = os.environ.get(self.config.bearer_token_env, "").strip()
        if not self._token:
            raise FetchError(
                f"{self.name}: no bearer token: set the environment variable "
                f"{self.config.bearer_token_env} to an X app's bearer token (developer console, "
                "Keys and tokens)"
            )
        self.client.add_secret(self._token)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def request(
        self,
        stream: str,
        *,
        newest: Mark | None,
        bottom: Mark | None,
        token: str | None,
        start: datetime,
    ) -> Request:
        params = {"query": self.config.query, **FIELDS}
        earliest = datetime.now(UTC) - RECENT_WINDOW + timedelta(minutes=1)
        newest_at = parse_time(newest.created_at) if newest is not None else None
        if newest is not None and newest_at is not None and newest_at > earliest:
            params["since_id"] = newest.id
        else:  # first fetch, or the newest post is older than recent search reaches
            params["start_time"] = max(start, earliest).strftime("%Y-%m-%dT%H:%M:%SZ")
        if bottom is not None:
            if token:
                params["next_token"] = token
            else:
                params["until_id"] = bottom.id
        return Request(self.config.api_base + SEARCH_PATH, params)

    def parse(self, response: httpx.Response) -> Page:
        try:
            body = response.json()
        except ValueError as exc:
            raise MalformedPage(f"not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise MalformedPage(f"expected a JSON object, found {type(body).__name__}")
        meta = body.get("meta")
        data = body.get("data", [])
        if not isinstance(meta, dict) or not isinstance(data, list):
            said = api_message(response)
            raise MalformedPage(
                "expected 'data' and 'meta' of a search response" + (f": {said}" if said else "")
            )
        items = [item for item in (_item(tweet) for tweet in data) if item is not None]
        if data and not items:
            raise MalformedPage(f"none of its {len(data)} entries is a post with an id")
        token = meta.get("next_token")
        token = token if isinstance(token, str) and token else None
        return Page(items, more=token is not None, token=token)

    def order(self, mark: Mark) -> tuple[int, str]:
        return length_order(mark.id)

    def explain(self, status: int, response: httpx.Response) -> str:
        said = api_message(response)
        said = f" (X says: {said})" if said else ""
        where = f"[[sources.live]] '{self.name}'"
        if status == 401:
            return f"X refused the bearer token{said}; check {self.config.bearer_token_env}"
        if status == 403:
            return (
                f"this X app may not use recent search{said}; its project needs an access "
                "level that includes search (developer console)"
            )
        if status == 400:
            return f"X rejected the request{said}; check query in {where}"
        if status == 404:
            return f"no X API here{said}; check api_base in {where}"
        return f"X refused the request{said}"


def _item(tweet: Any) -> Item | None:
    if not isinstance(tweet, dict):
        return None
    tweet_id = tweet.get("id")
    if not isinstance(tweet_id, str) or not tweet_id.isdigit():
        return None
    created = parse_time(tweet.get("created_at"))
    mark = Mark(tweet_id, created.isoformat() if created is not None else "")
    return Item(mark, length_order(tweet_id), created)
