"""Configuration of the live sources: ``[[sources.live]]`` tables and the ``[fetch]`` table.

```toml
[fetch]
contact = "mailto:trust@botkyrka.se"   # goes into the User-Agent, so operators can reach you

[[sources.live]]
kind = "mastodon"
instance = "https://mastodon.nu"
hashtags = ["botkyrka", "fittja", "tumba"]
local = false                           # also read the server's whole local timeline

[[sources.live]]
kind = "reddit"
subreddits = ["botkyrka", "stockholm"]
search = "Fittja OR Tumba"              # optional: search the subreddits (newest first)

[[sources.live]]
kind = "x"
query = "(botkyrka OR fittja) -is:retweet"
```

Credentials never live in the config: only the names of the environment variables that hold them.
Base URLs are configurable (a proxy, a mirror, a local test server) but must be ``https``, except
on the loopback interface.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
_HASHTAG = re.compile(r"^\w+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash; ``https`` required except on the loopback interface
    (tokens must never cross a network in clear text)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL such as https://mastodon.nu")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"{url!r}: use https (plain http only for a server on 127.0.0.1)")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r}: give the server's address without ?query or #fragment")
    return url.strip().rstrip("/")


class FetchSettings(_Strict):
    """How politely every live source is fetched (``[fetch]``)."""

    contact: str | None = Field(
        default=None,
        description="an e-mail or web address for the User-Agent, so a server's operators "
        "can reach whoever runs this barometer",
    )
    timeout_seconds: float = Field(default=30.0, gt=0, description="per request")
    retries: int = Field(
        default=4,
        ge=0,
        le=10,
        description="retries after a 5xx answer, a time-out or a "
        "malformed page, with exponential backoff",
    )
    backoff_seconds: float = Field(default=2.0, ge=0, description="first backoff, then doubled")
    max_wait_seconds: float = Field(
        default=900.0,
        ge=0,
        description="longest wait for a rate limit to reset; a longer one stops the source "
        "for this run (the next run resumes from the stored cursor)",
    )
    request_interval_seconds: float | None = Field(
        default=None,
        ge=0,
        description="pause between two requests to one source (default: per platform, "
        "from its published limits)",
    )


class _LiveSource(_Strict):
    name: str | None = Field(
        default=None,
        description="folder name of the source in the landing area and key of its cursors "
        "(default: derived from kind and server)",
    )
    max_pages: int = Field(default=50, ge=1, le=10_000, description="page cap per run")
    start: date | None = Field(
        default=None,
        description="how far back the first fetch (no cursor yet) reaches; default 7 days",
    )

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError(
                f"{value!r}: a source name is lower-case letters, digits, '.', '_' or '-'"
            )
        return value


class MastodonLive(_LiveSource):
    """Public hashtag timelines and, optionally, the local timeline of one Mastodon server
    (no account needed where the server shows them publicly)."""

    kind: Literal["mastodon"]
    instance: str = Field(description="the server, e.g. https://mastodon.nu")
    hashtags: list[str] = Field(default=[], description="hashtags or place names, without '#'")
    local: bool = Field(default=False, description="also read the server's local timeline")

    @field_validator("instance")
    @classmethod
    def _check_instance(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("hashtags")
    @classmethod
    def _check_hashtags(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip().lstrip("#").lower() for v in values]  # tags ignore case
        bad = [v for v in cleaned if not _HASHTAG.match(v)]
        if bad:
            raise ValueError(f"{bad}: a hashtag is letters, digits and '_' (no spaces or '-')")
        return list(dict.fromkeys(cleaned))

    @model_validator(mode="after")
    def _something_to_read(self) -> MastodonLive:
        if not self.hashtags and not self.local:
            raise ValueError("give hashtags = [...] or local = true (or both)")
        return self

    def source_name(self) -> str:
        host = urlsplit(self.instance).hostname or "server"
        port = urlsplit(self.instance).port
        return self.name or f"mastodon-{host}" + (f"-{port}" if port else "")


class RedditLive(_LiveSource):
    """Newest submissions (and optionally comments) of named subreddits, or a search inside
    them. Anonymous JSON by default; an OAuth app's credentials from the environment when set."""

    kind: Literal["reddit"]
    subreddits: list[str] = Field(min_length=1)
    search: str | None = Field(default=None, description="search the subreddits for this")
    comments: bool = Field(default=False, description="also read the newest comments")
    client_id_env: str = "REDDIT_CLIENT_ID"
    client_secret_env: str = "REDDIT_CLIENT_SECRET"
    api_base: str = "https://www.reddit.com"
    oauth_base: str = "https://oauth.reddit.com"

    @field_validator("subreddits")
    @classmethod
    def _check_subreddits(cls, values: list[str]) -> list[str]:
        cleaned = [re.sub(r"^/?r/", "", v.strip()) for v in values]
        bad = [v for v in cleaned if not _SUBREDDIT.match(v)]
        if bad:
            raise ValueError(f"{bad}: a subreddit name is 2-21 letters, digits or '_'")
        return list(dict.fromkeys(cleaned))

    @field_validator("api_base", "oauth_base")
    @classmethod
    def _check_base(cls, value: str) -> str:
        return check_base_url(value)

    def source_name(self) -> str:
        return self.name or "reddit"


class XLive(_LiveSource):
    """X API v2 recent search (the last 7 days) with an app's bearer token."""

    kind: Literal["x"]
    query: str = Field(min_length=1, max_length=4096, description="an X search query")
    bearer_token_env: str = "X_BEARER_TOKEN"
    api_base: str = "https://api.x.com"

    @field_validator("api_base")
    @classmethod
    def _check_base(cls, value: str) -> str:
        return check_base_url(value)

    def source_name(self) -> str:
        return self.name or "x"


LiveSource = Annotated[MastodonLive | RedditLive | XLive, Field(discriminator="kind")]


def check_unique_names(sources: list[MastodonLive | RedditLive | XLive]) -> None:
    """Each live source needs its own landing folder and cursors: names must differ."""
    names = [s.source_name() for s in sources]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"live sources {repeated} share a name: give each [[sources.live]] a distinct name"
        )
