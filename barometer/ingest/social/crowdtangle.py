"""Facebook / Instagram public-content CSV exports with CrowdTangle's columns.

CrowdTangle (and tools that copy its layout, e.g. exports from Meta Content Library
re-shaped for CrowdTangle users) writes one row per post. Columns used:

============================  =========================================================
column                        becomes
============================  =========================================================
``URL``                       the post id: its last path segment, ``facebook:<segment>``
                              or ``instagram:<shortcode>`` (required)
``Post Created``              ``created_at``: ``2024-03-05 14:22:01 CET`` (time-zone
                              abbreviation, see :data:`TZ_ABBREVIATIONS`) or with a
                              numeric offset; converted to UTC (required)
``Message`` (Facebook) /      ``text`` (Facebook's ``Description`` is the description of
``Description`` (Instagram)   a shared link, not the post, and is not used)
``Facebook Id`` / ``User      ``author_id`` (the page or account; pseudonymised later);
Name`` / ``Page Name`` /      ``Page Name`` / ``Account`` are display names and are only
``Account``                   used when no id is present
``Total Interactions``        ``engagement`` ("1,234" accepted)
``Language`` (if present)     ``lang_hint``
============================  =========================================================

The platform is Instagram when the ``URL`` is an instagram.com address, Facebook otherwise.
``Type``, ``Likes``, ``Comments``, ``Shares``, the reactions and the ``Link`` columns are not
used. CrowdTangle does not mark a share of another page's post, so ``is_repost`` stays false;
exact re-exports of a post are recognised by its id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import encoding_notes, read_csv_text
from barometer.ingest.social._common import PostCollector, as_count

SOURCE = "crowdtangle"

#: Abbreviations CrowdTangle prints after ``Post Created``, as UTC offsets in hours.
TZ_ABBREVIATIONS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_ABBREVIATED = re.compile(r"^(.*\d)\s+([A-Z]{2,5})$")


def parse_post_created(value: str) -> pd.Timestamp | None:
    """``Post Created`` to UTC: ``2024-03-05 14:22:01 CET`` or ISO 8601 with an offset."""
    value = value.strip()
    match = _ABBREVIATED.match(value)
    offset = None
    if match:
        value, zone = match.groups()
        if zone not in TZ_ABBREVIATIONS:
            return None
        offset = TZ_ABBREVIATIONS[zone]
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT:
        return None
    if offset is not None:
        if ts.tzinfo is not None:
            return None
        return (ts - pd.Timedelta(hours=offset)).tz_localize("UTC")
    return ts.tz_convert("UTC") if ts.tzinfo is not None else None


def _post_id(url: str) -> str:
    parsed = urlparse(url.strip())
    segments = [s for s in parsed.path.split("/") if s]
    if not parsed.netloc or not segments:
        return ""
    platform = "instagram" if "instagram.com" in parsed.netloc.lower() else "facebook"
    return f"{platform}:{segments[-1]}"


def _first(row: dict[str, str], columns: tuple[str, ...]) -> str:
    for column in columns:
        value = row.get(column, "").strip()
        if value:
            return value
    return ""


def read_crowdtangle(path: Path) -> IngestResult:
    """Read one CrowdTangle-style CSV export of Facebook or Instagram posts."""
    table = read_csv_text(path, required=["URL", "Post Created"])
    columns = set(table.frame.columns)
    if not columns & {"Message", "Description"}:
        raise InputError(f"{path}: neither a 'Message' nor a 'Description' column: no post text")
    collector = PostCollector(SOURCE, path)
    collector.notes.extend(encoding_notes(table.encoding))
    for line, reason in table.bad_rows:
        collector.reject(line, "(row)", reason)
    for line, row in zip(table.lines, table.records(), strict=True):
        safe = json.dumps(
            {"Post Created": row.get("Post Created"), "Message": row.get("Message")},
            ensure_ascii=False,
        )
        post_id = _post_id(row["URL"])
        if not post_id:
            collector.reject(line, "URL", f"no post URL to identify the post: {row['URL']!r}")
            continue
        created = parse_post_created(row["Post Created"])
        if created is None:
            reason = f"unreadable time or unknown time zone in {row['Post Created']!r}"
            collector.reject(line, "Post Created", reason, safe)
            continue
        instagram = post_id.startswith("instagram:")
        text_columns = ("Description",) if instagram else ("Message",)
        text = _first(row, text_columns)
        if not text:
            collector.reject(line, text_columns[0], "post has no text", safe)
            continue
        author = _first(row, ("Facebook Id", "User Name", "Page Name", "Account"))
        collector.add(
            {
                "post_id": post_id,
                "source": post_id.split(":")[0],
                "created_at": created,
                "author_id": author or f"[unknown]:{post_id}",
                "text": text,
                "lang_hint": row.get("Language", "").strip() or None,
                "lat": None,
                "lon": None,
                "place_name": None,
                "engagement": as_count(row.get("Total Interactions")),
                "is_repost": False,
            }
        )
    return collector.result()
