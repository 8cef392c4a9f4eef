"""X / Twitter API v2 search responses (``data`` + ``includes.users`` + ``includes.places``).

Accepts JSONL (one response page per line, optionally gzipped) as written by most collection
tools, or a single JSON response. Fields used, from the v2 tweet object: ``id``, ``text``,
``author_id``, ``created_at``, ``lang``, ``public_metrics``, ``geo.coordinates`` (GeoJSON point,
``[lon, lat]``), ``geo.place_id`` (resolved through ``includes.places``), and
``referenced_tweets`` (``type == "retweeted"`` marks a retweet). Ids become ``x:<id>``.

The API escapes ``&``, ``<`` and ``>`` in ``text`` as HTML entities; they are decoded. A tweet
whose text is X's placeholder for withheld content ("This Tweet from @user has been withheld in
response to a report from the copyright holder", "... withheld in Germany based on local
law(s)", "This Post is unavailable") is not a post: it is quarantined, with the ``withheld``
object's scope when there is one. A point outside WGS84 ranges, beyond +-85.05 degrees latitude
or at 0, 0 is dropped (the tweet is kept) and flagged in the file's notes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.files import stream_json_lines
from barometer.ingest.social._common import (
    PostCollector,
    as_count,
    as_dict,
    as_list,
    in_batches,
    parse_utc,
    unescape_text,
)

SOURCE = "x"

#: X's placeholder texts for content it does not show (withheld by law or copyright, suspended
#: media, deleted); matched on the whole, stripped text.
WITHHELD_PLACEHOLDER = re.compile(
    r"^(?:This (?:Tweet|Post) from @\w{1,15} has been withheld\b.*"
    r"|@\w{1,15}'s account (?:has been withheld|is temporarily unavailable)\b.*"
    r"|This (?:Tweet|Post) (?:is unavailable|has been withheld|was deleted)\b.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _pages(path: Path, collector: PostCollector) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, response page) of the file, streamed line by line."""
    for line_no, page, error in stream_json_lines(path):
        if error:
            collector.reject(line_no, "(json)", error)
        elif isinstance(page, list):
            yield from ((line_no, p) for p in page if isinstance(p, dict))
        elif isinstance(page, dict):
            yield line_no, page
        else:
            collector.reject(line_no, "(json)", "not a response object")


def _withheld_reason(tweet: dict[str, Any], text: str) -> str | None:
    if not WITHHELD_PLACEHOLDER.match(text.strip()):
        return None
    withheld = as_dict(tweet.get("withheld"))
    if withheld.get("copyright") is True:
        return "withheld: the text is X's placeholder for content withheld on copyright grounds"
    scope = withheld.get("scope")
    what = f" (withheld scope: {scope})" if isinstance(scope, str) else ""
    return f"withheld: the text is X's placeholder, not the post{what}"


def _tweet_record(
    tweet: dict[str, Any], places: dict[str, str], collector: PostCollector, line: int
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
    text = unescape_text(text)
    withheld = _withheld_reason(tweet, text)
    if withheld is not None:
        return None, "text", withheld
    geo = as_dict(tweet.get("geo"))
    point = as_dict(geo.get("coordinates")).get("coordinates")
    lon, lat = (point[0], point[1]) if isinstance(point, list) and len(point) == 2 else (None, None)
    if lat is not None or lon is not None:  # most tweets have no point
        lat, lon = collector.point(line, lat, lon)
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
        "engagement": sum(map(as_count, metrics.values())),
        "is_repost": bool(refs)
        and any(r.get("type") == "retweeted" for r in refs if isinstance(r, dict)),
    }
    return record, "", ""


def _safe_raw(tweet: dict[str, Any]) -> str:
    """What of a rejected tweet may be kept: its id and text (scrubbed later), no author."""
    return json.dumps({"id": tweet.get("id"), "text": tweet.get("text")}, ensure_ascii=False)


def read_x_v2(path: Path) -> IngestResult:
    """Read one X API v2 export file into social raw rows plus quarantine."""
    return IngestResult.merge(list(iter_x_v2(path)))


def iter_x_v2(path: Path, batch_size: int = STREAM_BATCH) -> Iterator[IngestResult]:
    """Read one X API v2 export file as a stream of results of about ``batch_size`` records
    each (rows plus quarantine; the file's notes come with the last one), holding one batch
    and the file's post ids (to count repeats) in memory. A file that cannot be read at all
    raises its :class:`~barometer.exceptions.InputError` before the first batch."""
    collector = PostCollector(SOURCE, path)
    yield from in_batches(collector, _read_pages(path, collector), batch_size)


def _read_pages(path: Path, collector: PostCollector) -> Iterator[None]:
    """Read the file's pages into ``collector``, one page per step."""
    for line_no, page in _pages(path, collector):
        includes = as_dict(page.get("includes"))
        places = {
            str(p.get("id")): str(p.get("full_name") or p.get("name") or "")
            for p in as_list(includes.get("places"))
            if isinstance(p, dict)
        }
        data = page.get("data")
        for tweet in data if isinstance(data, list) else [data] if data is not None else []:
            if not isinstance(tweet, dict):
                collector.reject(line_no, "data", "tweet is not an object")
                continue
            record, field, reason = _tweet_record(tweet, places, collector, line_no)
            if record is None:
                collector.reject(line_no, field, reason, _safe_raw(tweet))
            else:
                collector.add(record)
        yield None
