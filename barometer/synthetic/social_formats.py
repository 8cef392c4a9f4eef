"""Write simulated posts in the raw formats of the X API v2 and the Mastodon API.

X: gzipped JSON Lines, one search-response page (up to 100 tweets, newest first) per line,
``social/x_<year>.jsonl.gz``. Mastodon: one gzipped JSON array of statuses per year,
``social/mastodon_<year>.json.gz``. Planted defects: tweets without or with an unparseable
``created_at``, tweets with empty text, ~1 % exact duplicates (a tweet repeated in another page)
and one truncated (invalid JSON) line at the end of ``x_2024.jsonl.gz``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.synthetic._common import dumps, write_bytes

X_EPOCH_MS = 1288834974657
INSTANCE = "https://mastodon.example.org"
BOTKYRKA_PLACE = {
    "id": "5c1e7a0d2f9b8a31",
    "full_name": "Botkyrka, Sverige",
    "name": "Botkyrka",
    "country_code": "SE",
    "place_type": "city",
    "geo": {
        "type": "Feature",
        "bbox": [17.662979, 59.044295, 17.984829, 59.267265],
        "properties": {},
    },
}
BAD_CREATED_AT = ("2024-02-30T25:61:00.000Z", "yesterday", "", "N/A")


def source_post_ids(posts: pd.DataFrame) -> pd.Series:
    """The ``post_id`` the ingest adapters give each simulated post: ``x:<id>``, and for
    Mastodon ``mastodon:<server>:<id>`` (statuses are keyed by their origin server)."""
    host = INSTANCE.split("://", 1)[1]
    prefix = (
        posts["platform"].map({"mastodon": f"mastodon:{host}:"}).fillna(posts["platform"] + ":")
    )
    return prefix + posts["post_id"]


def assign_ids(rng: np.random.Generator, posts: pd.DataFrame) -> pd.Series:
    """Snowflake-style numeric ids (as strings) derived from the creation time, unique."""
    epoch = pd.Timestamp("1970-01-01", tz="UTC")
    ms = ((posts["created"] - epoch) // pd.Timedelta(milliseconds=1)).to_numpy(dtype=np.int64)
    is_x = (posts["platform"] == "x").to_numpy()
    x_ids = ((ms - X_EPOCH_MS) << 22) + rng.integers(0, 2**22, len(posts))
    m_ids = (ms << 16) + rng.integers(0, 2**16, len(posts))
    ids = np.where(is_x, x_ids, m_ids).astype(np.int64)
    while len(np.unique(ids)) < len(ids):  # pragma: no cover - astronomically rare
        ids = ids + np.where(pd.Series(ids).duplicated().to_numpy(), 1, 0)
    return pd.Series([str(v) for v in ids], index=posts.index)


@dataclass(frozen=True)
class _Lookup:
    """Plain-Python views of the author and post tables, indexed by row number."""

    accounts: list[tuple[str, str, str]]  # (author_id, username, display_name)
    author: list[int]
    text: list[str]
    post_id: list[str]

    @classmethod
    def of(cls, authors: pd.DataFrame, posts: pd.DataFrame) -> _Lookup:
        accounts = list(
            zip(
                authors["author_id"].astype(str),
                authors["username"].astype(str),
                authors["display_name"].astype(str),
                strict=True,
            )
        )
        return cls(
            accounts,
            [int(a) for a in posts["author"]],
            [str(t) for t in posts["text"]],
            [str(i) for i in posts["post_id"]],
        )


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _tweet(row: Any, look: _Lookup, rng: np.random.Generator) -> dict[str, Any]:
    likes = int(rng.negative_binomial(0.6, 0.12))
    tweet: dict[str, Any] = {
        "id": row.post_id,
        "text": row.text,
        "author_id": look.accounts[row.author][0],
        "created_at": _iso(row.created),
        "lang": row.lang,
        "public_metrics": {
            "retweet_count": int(rng.poisson(0.15 * likes)),
            "reply_count": int(rng.poisson(0.1 * likes)),
            "like_count": likes,
            "quote_count": int(rng.poisson(0.02 * likes)),
        },
    }
    if row.repost_of >= 0:
        j = int(row.repost_of)
        tweet["text"] = f"RT @{look.accounts[look.author[j]][1]}: {look.text[j]}"
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": look.post_id[j]}]
    if row.geo_channel == "coords":
        tweet["geo"] = {
            "coordinates": {"type": "Point", "coordinates": [row.lon, row.lat]},
            "place_id": BOTKYRKA_PLACE["id"],
        }
    elif row.geo_channel == "none" and rng.random() < 0.05:
        tweet["geo"] = {"place_id": BOTKYRKA_PLACE["id"]}
    return tweet


def _insert_duplicates(
    rng: np.random.Generator, tweets: list[tuple[dict[str, Any], int, int]], intact: np.ndarray
) -> int:
    """Repeat ~1 % of the ``intact`` tweets 150-600 places later (a paging API's overlap);
    return how many were repeated."""
    dup_at = np.flatnonzero((rng.random(len(tweets)) < 0.01) & intact)
    for k in sorted(dup_at.tolist(), reverse=True):
        target = min(len(tweets), k + int(rng.integers(150, 600)))
        tweets.insert(target, tweets[k])
    return len(dup_at)


def write_x(
    out_dir: Path, rng: np.random.Generator, posts: pd.DataFrame, authors: pd.DataFrame
) -> dict[str, Any]:
    """Write ``social/x_<year>.jsonl.gz`` and plant the X defects; return their record.

    ``posts`` must carry ``post_id`` and a ``defect`` column, which this function fills in for
    the tweets it damages.
    """
    x = posts[posts["platform"] == "x"].sort_values("created", ascending=False, kind="stable")
    plain = x.index[(x["repost_of"] < 0) & ~x["is_bot"]].to_numpy()
    damaged = rng.choice(plain, 30, replace=False)
    missing, bad, empty = damaged[:12], damaged[12:20], damaged[20:30]
    posts.loc[missing, "defect"] = "missing_created_at"
    posts.loc[bad, "defect"] = "bad_created_at"
    posts.loc[empty, "defect"] = "empty_text"
    bad_values = {int(i): BAD_CREATED_AT[k % len(BAD_CREATED_AT)] for k, i in enumerate(bad)}
    missing_set, empty_set = set(missing.tolist()), set(empty.tolist())
    look = _Lookup.of(authors, posts)
    record: dict[str, Any] = {"files": {}, "duplicates": 0}
    years = x["created"].dt.year.to_numpy()
    for year in sorted(set(years.tolist())):
        rows = x[years == year]
        tweets = []
        for row in rows.itertuples():
            t = _tweet(row, look, rng)
            if row.Index in bad_values:
                t["created_at"] = bad_values[row.Index]
            elif row.Index in missing_set:
                del t["created_at"]
            if row.Index in empty_set:
                t["text"] = ""
            tweets.append((t, int(row.author), int(row.repost_of)))
        intact = ~np.isin(rows.index.to_numpy(), damaged)  # never duplicate a damaged tweet
        record["duplicates"] += _insert_duplicates(rng, tweets, intact)
        lines = [
            _page(tweets[s : s + 100], look, k, len(tweets))
            for k, s in enumerate(range(0, len(tweets), 100))
        ]
        truncated = None
        if year == 2024:
            copy = lines[len(lines) // 2]
            lines.append(copy[: len(copy) // 2])
            truncated = {
                "line": len(lines),
                "tweets_in_line": copy.count('"author_id"'),
                "tweets_lost": 0,
                "note": "truncated repeat of an earlier, complete page",
            }
        name = f"social/x_{year}.jsonl.gz"
        write_bytes(out_dir / name, ("\n".join(lines) + "\n").encode("utf-8"), compress=True)
        record["files"][name] = {
            "lines": len(lines),
            "tweet_objects": len(tweets),
            "truncated_line": truncated,
        }
    return record


def _page(
    items: list[tuple[dict[str, Any], int, int]],
    look: _Lookup,
    k: int,
    total: int,
) -> str:
    users: dict[str, dict[str, str]] = {}
    has_place = False
    for t, author, repost_of in items:
        ids = [author] + ([look.author[repost_of]] if repost_of >= 0 else [])
        for a in ids:
            aid, username, name = look.accounts[a]
            users.setdefault(aid, {"id": aid, "username": username, "name": name})
        has_place = has_place or "geo" in t
    ids_sorted = sorted((int(t["id"]) for t, _, _ in items))
    page: dict[str, Any] = {
        "data": [t for t, _, _ in items],
        "includes": {"users": list(users.values())},
        "meta": {
            "result_count": len(items),
            "newest_id": str(ids_sorted[-1]),
            "oldest_id": str(ids_sorted[0]),
        },
    }
    if has_place:
        page["includes"]["places"] = [BOTKYRKA_PLACE]
    if (k + 1) * 100 < total:
        page["meta"]["next_token"] = f"b26v89c19zqg8o3f{k + 1:06d}"
    return dumps(page)


def _html(text: str) -> tuple[str, list[dict[str, str]]]:
    """Mastodon-style HTML for ``text`` and its tags."""
    out, tags = [], []
    for word in text.split(" "):
        if word.startswith("https://"):
            out.append(
                f'<a href="{html.escape(word)}" rel="nofollow noopener noreferrer" '
                f'target="_blank">{html.escape(word)}</a>'
            )
        elif word.startswith("@") and len(word) > 1:
            u = html.escape(word[1:])
            out.append(
                f'<span class="h-card"><a href="{INSTANCE}/@{u}" class="u-url mention">'
                f"@<span>{u}</span></a></span>"
            )
        elif re.fullmatch(r"#\w+", word):
            t = word[1:]
            tags.append({"name": t.lower(), "url": f"{INSTANCE}/tags/{t.lower()}"})
            out.append(
                f'<a href="{INSTANCE}/tags/{html.escape(t.lower())}" '
                f'class="mention hashtag" rel="tag">#<span>{html.escape(t)}</span></a>'
            )
        else:
            out.append(html.escape(word))
    return "<p>" + " ".join(out) + "</p>", tags


def _status(row: Any, look: _Lookup, rng: np.random.Generator) -> dict[str, Any]:
    aid, user, display_name = look.accounts[int(row.author)]
    content, tags = _html(row.text)
    favs = int(rng.negative_binomial(0.5, 0.15))
    return {
        "id": row.post_id,
        "created_at": _iso(row.created),
        "in_reply_to_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": None if row.lang == "und" else row.lang,
        "uri": f"{INSTANCE}/users/{user}/statuses/{row.post_id}",
        "url": f"{INSTANCE}/@{user}/{row.post_id}",
        "replies_count": int(rng.poisson(0.2 * favs)),
        "reblogs_count": int(rng.poisson(0.3 * favs)),
        "favourites_count": favs,
        "content": content,
        "reblog": None,
        "account": {
            "id": aid,
            "username": user,
            "acct": user,
            "url": f"{INSTANCE}/@{user}",
            "display_name": display_name,
        },
        "media_attachments": [],
        "tags": tags,
    }


def write_mastodon(
    out_dir: Path, rng: np.random.Generator, posts: pd.DataFrame, authors: pd.DataFrame
) -> dict[str, int]:
    """Write ``social/mastodon_<year>.json.gz`` (statuses newest first); return counts per file."""
    m = posts[posts["platform"] == "mastodon"].sort_values(
        "created", ascending=False, kind="stable"
    )
    counts = {}
    look = _Lookup.of(authors, posts)
    years = m["created"].dt.year.to_numpy()
    for year in sorted(set(years.tolist())):
        statuses = []
        for row in m[years == year].itertuples():
            s = _status(row, look, rng)
            if row.repost_of >= 0:
                orig = next(posts.loc[[int(row.repost_of)]].itertuples())
                s["reblog"] = _status(orig, look, rng)
                s.update(content="", tags=[], language=None)
            statuses.append(s)
        name = f"social/mastodon_{year}.json.gz"
        write_bytes(out_dir / name, dumps(statuses).encode("utf-8"), compress=True)
        counts[name] = len(statuses)
    return counts
