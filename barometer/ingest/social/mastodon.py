"""Mastodon API statuses (``GET /api/v1/timelines/...`` or account statuses): a JSON array.

The HTML ``content`` is turned into plain text (paragraphs and line breaks kept as newlines,
links as their visible text). A boost (``reblog`` not null) is marked ``is_repost`` and carries the
boosted status's text. Ids become ``mastodon:<id>``. Mastodon statuses carry no coordinates.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import load_json
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.social._common import as_count, as_dict, parse_utc, to_frame

SOURCE = "mastodon"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of a Mastodon status's HTML ``content``."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _status_record(status: dict[str, Any]) -> tuple[dict[str, object] | None, str, str]:
    status_id = status.get("id")
    if not isinstance(status_id, str | int) or isinstance(status_id, bool) or not str(status_id):
        return None, "id", "status has no id"
    created = parse_utc(status.get("created_at"))
    if created is None:
        return None, "created_at", f"missing or unparseable timestamp {status.get('created_at')!r}"
    reblog = status.get("reblog")
    body = reblog if isinstance(reblog, dict) else status
    text = html_to_text(str(body.get("content") or ""))
    if not text:
        return None, "content", "status has no text"
    account = as_dict(status.get("account"))
    engagement = sum(
        as_count(status.get(k)) for k in ("favourites_count", "reblogs_count", "replies_count")
    )
    record: dict[str, object] = {
        "post_id": f"{SOURCE}:{status_id}",
        "source": SOURCE,
        "created_at": created,
        "author_id": str(account.get("id") or account.get("acct") or ""),
        "text": text,
        "lang_hint": (body.get("language") or None)
        if isinstance(body.get("language"), str)
        else None,
        "lat": None,
        "lon": None,
        "place_name": None,
        "engagement": engagement,
        "is_repost": isinstance(reblog, dict),
    }
    return record, "", ""


def read_mastodon(path: Path) -> IngestResult:
    """Read one Mastodon statuses file (JSON array, optionally gzipped)."""
    quarantine = Quarantine(source=SOURCE)
    statuses = load_json(path)
    if not isinstance(statuses, list):
        raise InputError(
            f"{path}: expected a JSON array of statuses, found {type(statuses).__name__}"
        )
    records: list[dict[str, object]] = []
    seen: set[object] = set()
    duplicates = 0
    for index, status in enumerate(statuses, start=1):
        if not isinstance(status, dict):
            quarantine.reject(path.name, index, "(status)", "status is not an object", "")
            continue
        record, field, reason = _status_record(status)
        if record is None:
            safe = {"id": status.get("id"), "content": status.get("content")}
            quarantine.reject(path.name, index, field, reason, json.dumps(safe, ensure_ascii=False))
            continue
        if record["post_id"] in seen:
            duplicates += 1
            continue
        seen.add(record["post_id"])
        records.append(record)
    return IngestResult(
        to_frame(records), quarantine, n_read=len(statuses), n_duplicates=duplicates
    )
