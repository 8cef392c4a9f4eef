"""Reddit: the newest submissions (and optionally comments) of named subreddits, or a search
inside them, as listing JSON.

Requests (Reddit's JSON API, ``www.reddit.com/dev/api``):

- ``GET /r/<sub>/new.json?limit=100&raw_json=1`` (submissions), ``/r/<sub>/comments.json``
  (comments), ``/r/<sub>/search.json?q=...&restrict_sr=1&sort=new&t=all`` (a search);
- older pages with ``after=<fullname>`` (the listing's ``data.after``). Listings have no lower
  bound, so paging stops at the first post at or below the stored cursor;
- ``raw_json=1`` asks for text without HTML entities (``&amp;``).

Anonymous by default. With an OAuth app's id and secret in the environment
(``REDDIT_CLIENT_ID`` / ``REDDIT_CLIENT_SECRET`` unless the config names other variables), an
application-only token (``grant_type=client_credentials``) is fetched from
``/api/v1/access_token`` and the same listings are read from ``oauth.reddit.com`` (100 requests
a minute instead of about 10). Rate limits: ``X-Ratelimit-Remaining`` / ``X-Ratelimit-Reset``
(seconds until the reset). Pages are read by :func:`barometer.ingest.social.read_reddit`.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import httpx

from barometer.exceptions import FetchError
from barometer.live.client import MalformedPage, PoliteClient, api_message
from barometer.live.config import RedditLive
from barometer.live.cursors import Mark
from barometer.live.paging import Connector, Item, Page, Request
from barometer.live.streams import epoch_time, stream_name

PAGE_LIMIT = "100"  # the API's maximum per listing page
ANONYMOUS_INTERVAL = 6.0  # about 10 requests a minute without OAuth
OAUTH_INTERVAL = 0.6  # 100 requests a minute with OAuth


class RedditConnector(Connector):
    kind = "reddit"
    adapter = "reddit"
    default_interval = ANONYMOUS_INTERVAL

    def __init__(self, config: RedditLive, client: PoliteClient) -> None:
        super().__init__(config.source_name(), client)
        self.config = config
        self._token: str | None = None
        self._streams: dict[str, tuple[str, dict[str, str]]] = {}
        for sub in config.subreddits:
            if config.search:
                key = stream_name(f"r-{sub.lower()}", f"search {config.search}")
                params = {"q": config.search, "restrict_sr": "1", "sort": "new", "t": "all"}
                self._streams[key] = (f"/r/{sub}/search", params)
            else:
                self._streams[f"r-{sub.lower()}-new"] = (f"/r/{sub}/new", {})
            if config.comments:
                self._streams[f"r-{sub.lower()}-comments"] = (f"/r/{sub}/comments", {})

    def streams(self) -> list[str]:
        return list(self._streams)

    def prepare(self) -> None:
        client_id = os.environ.get(self.config.client_id_env, "")
        secret = os.environ.get(self.config.client_secret_env, "")
        if not client_id and not secret:
            return
        if not client_id or not secret:
            missing = self.config.client_secret_env if client_id else self.config.client_id_env
            raise FetchError(
                f"{self.name}: {missing} is not set; set both {self.config.client_id_env} and "
                f"{self.config.client_secret_env} (a Reddit app's id and secret) or neither "
                "(anonymous, slower)"
            )
        self.client.add_secret(secret)
        _, token = self.client.send(
            self.config.api_base + "/api/v1/access_token",
            form={"grant_type": "client_credentials"},
            auth=(client_id, secret),
            explain=self._explain_token,
            validate=_access_token,
        )
        self.client.add_secret(token)
        self._token = token
        if self.client.settings.request_interval_seconds is None:
            self.client.interval = OAUTH_INTERVAL

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"bearer {self._token}"} if self._token else {}

    def request(
        self,
        stream: str,
        *,
        newest: Mark | None,
        bottom: Mark | None,
        token: str | None,
        start: datetime,
    ) -> Request:
        path, extra = self._streams[stream]
        if self._token:
            url = self.config.oauth_base + path
        else:
            url = self.config.api_base + path + ".json"
        params = {"limit": PAGE_LIMIT, "raw_json": "1", **extra}
        if bottom is not None:
            params["after"] = token or bottom.id
        return Request(url, params)

    def parse(self, response: httpx.Response) -> Page:
        try:
            body = response.json()
        except ValueError as exc:
            raise MalformedPage(f"not JSON: {exc}") from exc
        if not isinstance(body, dict) or body.get("kind") != "Listing":
            raise MalformedPage('expected a Reddit listing ({"kind": "Listing", ...})')
        data = body.get("data")
        children = data.get("children") if isinstance(data, dict) else None
        if not isinstance(children, list):
            raise MalformedPage("the listing has no data.children array")
        items = [item for item in (_item(child) for child in children) if item is not None]
        after = data.get("after") if isinstance(data, dict) else None
        token = after if isinstance(after, str) and after else None
        return Page(items, more=token is not None, token=token)

    def order(self, mark: Mark) -> tuple[int, str]:
        return _order(mark.id)

    def explain(self, status: int, response: httpx.Response) -> str:
        said = api_message(response)
        said = f" (Reddit says: {said})" if said else ""
        credentials = f"{self.config.client_id_env} and {self.config.client_secret_env}"
        if status == 401:
            if self._token:
                return f"Reddit refused the app's token{said}; check {credentials}"
            return f"Reddit asks for an app{said}: set {credentials}"
        if status == 403:
            return (
                f"the subreddit is private or quarantined, or Reddit blocks anonymous requests "
                f"from this address{said}; check subreddits in [[sources.live]] '{self.name}' "
                f"or set {credentials}"
            )
        if status == 404:
            return (
                f"no such subreddit (or it is banned){said}; check subreddits in "
                f"[[sources.live]] '{self.name}'"
            )
        return f"Reddit refused the request{said}"

    def _explain_token(self, status: int, response: httpx.Response) -> str:
        said = api_message(response)
        return (
            f"Reddit refused the app credentials{f' ({said})' if said else ''}; check "
            f"{self.config.client_id_env} and {self.config.client_secret_env} (an app of type "
            "'script' or 'web' at reddit.com/prefs/apps)"
        )


def _access_token(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError as exc:
        raise MalformedPage(f"token answer is not JSON: {exc}") from exc
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise MalformedPage("token answer has no access_token")
    return token


def _order(fullname: str) -> tuple[int, str]:
    """Reddit ids are base-36 counters (``t3_1abc2``): newer posts have larger numbers."""
    _, _, base36 = fullname.rpartition("_")
    try:
        return (int(base36, 36), fullname)
    except ValueError:
        return (-1, fullname)


def _item(child: Any) -> Item | None:
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        return None
    data = child["data"]
    name = data.get("name")
    if not isinstance(name, str) or "_" not in name:
        kind, thing_id = child.get("kind"), data.get("id")
        if not isinstance(kind, str) or not isinstance(thing_id, str) or not thing_id:
            return None
        name = f"{kind}_{thing_id}"
    created = epoch_time(data.get("created_utc"))
    mark = Mark(name, created.isoformat() if created is not None else "")
    return Item(mark, _order(name), created)
