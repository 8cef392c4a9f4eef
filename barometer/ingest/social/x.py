"""X / Twitter API v2 search responses (``data`` + ``includes.users`` + ``includes.places``).

Accepts JSONL (one response page per line, optionally gzipped) as written by most collection
tools, or a single JSON response. Fields used, from the v2 tweet object: ``id``, ``text``,
``author_id``, ``created_at``, ``lang``, ``public_metrics``, ``geo.coordinates`` (GeoJSON point,
``[lon, lat]``), ``geo.place_id`` (resolved through ``includes.places``), and
``referenced_tweets`` (``type == "retweeted"`` marks a retweet). Ids become ``x:<id>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from barometer.ingest.base import IngestResult
from barometer.ingest.files import json_lines, read_text
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.social._common import as_count, as_dict, as_list, parse_utc, to_frame

SOURCE = "x"


def _pages(path: Path, quarantine: Quarantine) -> list[tuple[int, dict[str, Any]]]:
    pages: list[tuple[int, dict[str, Any]]] = []
    text, _ = read_text(path)
    for line_no, page, error in json_lines(text):
        if error:
            quarantine.reject(path.name, line_no, "(json)", error, "")
        elif isinstance(page, list):
            pages.extend((line_no, p) for p in page if isinstance(p, dict))
        elif isinstance(page, dict):
            pages.append((line_no, page))
        else:
            quarantine.reject(path.name, line_no, "(json)", "not a response object", "")
    return pages


def _tweet_record(
    tweet: dict[str, Any], places: dict[str, str]
) -> tuple[dict[str, object] | None, str, str]:
    """Return (record, field, reason); record is None when the tweet is rejected."""
    tweet_id = tweet.get("id")
    if not isinstance(tweet_id, str | int) or isinstance(tweet_id, bool) or not str(tweet_id):
        return None, "id", "tweet has no id"
    created = parse_utc(tweet.get("created_at"))
    if created is None:
        return None, "created_at", f"missing or unparseable timestamp {tweet.get('created_at')!r}"
    text = tweet.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, "text", "tweet has no text"
    geo = as_dict(tweet.get("geo"))
    point = as_dict(geo.get("coordinates")).get("coordinates")
    lon, lat = (point[0], point[1]) if isinstance(point, list) and len(point) == 2 else (None, None)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        lon = lat = None
    metrics = as_dict(tweet.get("public_metrics"))
    refs = as_list(tweet.get("referenced_tweets"))
    record: dict[str, object] = {
        "post_id": f"{SOURCE}:{tweet_id}",
        "source": SOURCE,
        "created_at": created,
        "author_id": str(tweet.get("author_id") or ""),
        "text": text,
        "lang_hint": (tweet.get("lang") or None) if isinstance(tweet.get("lang"), str) else None,
        "lat": lat,
        "lon": lon,
        "place_name": places.get(str(geo.get("place_id") or "")),
        "engagement": sum(as_count(v) for v in metrics.values()),
        "is_repost": any(r.get("type") == "retweeted" for r in refs if isinstance(r, dict)),
    }
    return record, "", ""


def _safe_raw(tweet: dict[str, Any]) -> str:
    """What of a rejected tweet may be kept: its id and text (scrubbed later), no author."""
    return json.dumps({"id": tweet.get("id"), "text": tweet.get("text")}, ensure_ascii=False)


def read_x_v2(path: Path) -> IngestResult:
    """Read one X API v2 export file into social raw rows plus quarantine."""
    quarantine = Quarantine(source=SOURCE)
    records: list[dict[str, object]] = []
    seen: set[object] = set()
    n_read = 0
    duplicates = 0
    for line_no, page in _pages(path, quarantine):
        includes = as_dict(page.get("includes"))
        places = {
            str(p.get("id")): str(p.get("full_name") or p.get("name") or "")
            for p in as_list(includes.get("places"))
            if isinstance(p, dict)
        }
        data = page.get("data")
        for tweet in data if isinstance(data, list) else [data] if data is not None else []:
            n_read += 1
            if not isinstance(tweet, dict):
                quarantine.reject(path.name, line_no, "data", "tweet is not an object", "")
                continue
            record, field, reason = _tweet_record(tweet, places)
            if record is None:
                quarantine.reject(path.name, line_no, field, reason, _safe_raw(tweet))
                continue
            if record["post_id"] in seen:
                duplicates += 1
                continue
            seen.add(record["post_id"])
            records.append(record)
    # malformed lines are records too: count them as read
    n_read += sum(1 for row in quarantine.rows if row["field"] == "(json)")
    return IngestResult(to_frame(records), quarantine, n_read=n_read, n_duplicates=duplicates)
