"""Telegram Desktop chat / channel export (``result.json``, "Export chat history" as JSON).

The file is one object: ``name``, ``type`` (``public_channel``, ``private_group``, ...), ``id``
and ``messages``. Each message has ``id``, ``type`` (``message``, or ``service`` for joins,
pins and the like, which are not posts and are only counted in a note), ``date_unixtime``
(epoch seconds as a string, UTC; the plain ``date`` is the exporting computer's local time
without an offset and is not used), ``from`` / ``from_id`` (``channel<id>`` or ``user<id>``),
``forwarded_from`` (a forward is a repost), ``reactions`` (``count`` per emoji) and ``text``:
either a string or a list mixing strings and entity objects (``{"type": "link", "text": ...}``,
bold, mentions, ...), which are joined into plain text.

Ids become ``telegram:<chat id>:<message id>`` (message ids are only unique within a chat).
Telegram gives no language and no coordinates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import load_json
from barometer.ingest.social._common import PostCollector, as_count, as_dict, as_list, parse_epoch

SOURCE = "telegram"


def plain_text(text: object) -> str:
    """The plain text of a message's ``text`` (a string, or a list of strings and entities)."""
    if isinstance(text, str):
        return text.strip()
    parts: list[str] = []
    for part in as_list(text):
        if isinstance(part, str):
            parts.append(part)
        else:
            inner = as_dict(part).get("text")
            parts.append(inner if isinstance(inner, str) else "")
    return "".join(parts).strip()


def _chat_id(export: dict[str, Any]) -> str:
    for key in ("id", "name"):
        value = export.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return ""


def _record(message: dict[str, Any], chat: str) -> tuple[dict[str, object] | None, str, str]:
    message_id = message.get("id")
    if not isinstance(message_id, int | str) or isinstance(message_id, bool) or not message_id:
        return None, "id", "message has no id"
    created = parse_epoch(message.get("date_unixtime"))
    if created is None:
        reason = f"missing or unreadable date_unixtime {message.get('date_unixtime')!r}"
        return None, "date_unixtime", reason
    text = plain_text(message.get("text"))
    if not text:
        return None, "text", "message has no text (media only or empty)"
    author = message.get("from_id") or message.get("actor_id") or chat
    reactions = sum(as_count(as_dict(r).get("count")) for r in as_list(message.get("reactions")))
    record: dict[str, object] = {
        "post_id": f"{SOURCE}:{chat}:{message_id}",
        "source": SOURCE,
        "created_at": created,
        "author_id": str(author),
        "text": text,
        "lang_hint": None,
        "lat": None,
        "lon": None,
        "place_name": None,
        "engagement": reactions,
        "is_repost": bool(message.get("forwarded_from") or message.get("forwarded_from_id")),
    }
    return record, "", ""


def read_telegram(path: Path) -> IngestResult:
    """Read one Telegram Desktop ``result.json`` export of a channel or group."""
    export = load_json(path)
    if not isinstance(export, dict) or not isinstance(export.get("messages"), list):
        raise InputError(
            f"{path}: expected a Telegram Desktop export (an object with a 'messages' array); "
            "export the chat as 'Machine-readable JSON'"
        )
    chat = _chat_id(export)
    if not chat:
        raise InputError(f"{path}: the export has neither a chat 'id' nor a 'name'")
    collector = PostCollector(SOURCE, path)
    for index, message in enumerate(export["messages"], start=1):
        if not isinstance(message, dict):
            collector.reject(index, "(message)", "message is not an object")
            continue
        if message.get("type", "message") != "message":
            collector.skip("service message(s) (joins, pins, ...), not posts")
            continue
        record, field, reason = _record(message, chat)
        if record is None:
            text = plain_text(message.get("text"))
            collector.reject(
                index,
                field,
                reason,
                json.dumps(
                    {"id": message.get("id"), "text": text}, ensure_ascii=False, default=str
                ),
            )
        else:
            collector.add(record)
    return collector.result()
