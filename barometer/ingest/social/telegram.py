"""Telegram Desktop exports ("Export chat history" or "Export Telegram data", as JSON).

Two layouts, told apart by their content:

- **one chat** (``result.json`` of "Export chat history"): an object with ``name``, ``type``
  (``public_channel``, ``private_group``, ...), ``id`` and ``messages``;
- **a whole account** ("Export Telegram data"): ``{"chats": {"list": [chat, ...]},
  "left_chats": {"list": [...]}, "personal_information": ..., ...}``, each chat as above. Such an
  export holds the account's private conversations too, so only the chats whose ``type`` is in
  ``chat_types`` are read (by default public channels and public supergroups, see
  :data:`PUBLIC_CHAT_TYPES`); the others are counted in a note, and ``personal_information``
  and contacts are never read.

Each message has ``id``, ``type`` (``message``, or ``service`` for joins, pins and the like,
which are not posts and are only counted in a note), ``date_unixtime`` (epoch seconds as a
string, UTC), ``date`` (the exporting computer's local time, without an offset), ``from`` /
``from_id`` (``channel<id>`` or ``user<id>``), ``forwarded_from`` (a forward is a repost),
``reactions`` (``count`` per emoji) and ``text``: either a string or a list mixing strings and
entity objects (``{"type": "link", "text": ...}``, bold, mentions, ...), joined into plain text.

Exports written before 2021 have ``date`` but no ``date_unixtime``: the time is then read as
local time in ``timezone`` (the zone of the computer that exported; the pipeline's time zone
unless the source sets one) and a note says how many messages were timed that way. A local
time repeated or skipped by a daylight-saving change is placed at the first (summer-time)
reading or moved past the gap: one hour at most, on one night a year.

Ids become ``telegram:<chat id>:<message id>`` (message ids are only unique within a chat). The
quarantine ``line`` of a message is its position among the file's messages (1-based, chats in
file order). Telegram gives no language and no coordinates.

This module reads the whole document at once (:func:`read_telegram`); the pipeline streams it
message by message (:mod:`barometer.ingest.social.telegram_stream`, the same result, except
that a file cut short keeps the messages before the cut).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.datetimes import in_utc, timestamp_or_none
from barometer.ingest.files import load_json
from barometer.ingest.social._common import PostCollector, as_count, as_dict, as_list, parse_epoch

SOURCE = "telegram"
#: chat types read from a whole-account export unless the source's ``chat_types`` says otherwise
PUBLIC_CHAT_TYPES: tuple[str, ...] = ("public_channel", "public_supergroup")
#: every chat type Telegram Desktop writes
CHAT_TYPES: tuple[str, ...] = (
    "public_channel", "public_supergroup", "private_channel", "private_supergroup",
    "private_group", "personal_chat", "bot_chat", "saved_messages",
)  # fmt: skip


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


def local_date(value: object, timezone: str) -> pd.Timestamp | None:
    """Telegram's ``date`` (local time without an offset) in ``timezone`` -> UTC."""
    ts = timestamp_or_none(value)
    if ts is None or not 1990 <= ts.year < 2100:
        return None
    return in_utc(ts, timezone, shift=True)


def _created(message: dict[str, Any], timezone: str) -> tuple[pd.Timestamp | None, bool]:
    """(UTC time, whether it came from the local ``date``)."""
    if "date_unixtime" in message:
        return parse_epoch(message.get("date_unixtime")), False
    return local_date(message.get("date"), timezone), True


def _record(
    message: dict[str, Any], chat: str, timezone: str
) -> tuple[dict[str, object] | None, str, str, bool]:
    message_id = message.get("id")
    if not isinstance(message_id, int | str) or isinstance(message_id, bool) or not message_id:
        return None, "id", "message has no id", False
    created, from_local = _created(message, timezone)
    if created is None:
        field = "date" if from_local else "date_unixtime"
        return None, field, f"missing or unreadable {field} {message.get(field)!r}", from_local
    text = plain_text(message.get("text"))
    if not text:
        return None, "text", "message has no text (media only or empty)", from_local
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
    return record, "", "", from_local


def _chats(
    path: Path, export: object, chat_types: tuple[str, ...], collector: PostCollector
) -> Iterator[dict[str, Any]]:
    """The chats to read: the one chat of a chat export, or a whole-account export's chats of
    the wanted types (the others counted in a note)."""
    if isinstance(export, dict) and isinstance(export.get("messages"), list):
        yield export
        return
    if not isinstance(export, dict) or not isinstance(
        as_dict(export.get("chats")).get("list"), list
    ):
        raise InputError(
            f"{path}: expected a Telegram Desktop JSON export: one chat (an object with a "
            "'messages' array) or a whole account (an object with 'chats': {'list': [...]})"
        )
    skipped: Counter[str] = Counter()
    for section in ("chats", "left_chats"):
        for chat in as_list(as_dict(export.get(section)).get("list")):
            chat = as_dict(chat)
            kind = str(chat.get("type") or "unknown")
            if kind in chat_types and isinstance(chat.get("messages"), list):
                yield chat
            else:
                skipped[kind] += 1
    if skipped:
        collector.notes.append(skipped_note(skipped))


def skipped_note(skipped: Counter[str]) -> str:
    """The note on the chats of an account export not read (chat type -> how many)."""
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(skipped.items()))
    return (
        f"skipped {sum(skipped.values())} chat(s) of the account export that are not of the "
        f"types read ({kinds}); set chat_types for this source to read them"
    )


def read_telegram(
    path: Path,
    *,
    timezone: str = "Europe/Stockholm",
    chat_types: tuple[str, ...] | list[str] = PUBLIC_CHAT_TYPES,
) -> IngestResult:
    """Read one Telegram Desktop JSON export: one chat, or the chosen chats of an account."""
    export = load_json(path)
    collector = PostCollector(SOURCE, path)
    position = 0
    timed_locally = 0
    for chat_export in list(_chats(path, export, tuple(chat_types), collector)):
        chat = chat_id(path, chat_export)
        for message in chat_export["messages"]:
            position += 1
            timed_locally += take_message(collector, position, message, chat, timezone)
    finish(collector, timed_locally, timezone)
    return collector.result()


def chat_id(path: Path, chat: dict[str, Any]) -> str:
    """The chat's id (else its name) for post ids; :class:`InputError` when it has neither."""
    found = _chat_id(chat)
    if not found:
        raise InputError(f"{path}: a chat of the export has neither an 'id' nor a 'name'")
    return found


def take_message(
    collector: PostCollector, position: int, message: object, chat: str, timezone: str
) -> bool:
    """One message into ``collector`` (a post, a skipped service message, or quarantined);
    whether it is a post timed from its local ``date``."""
    if not isinstance(message, dict):
        collector.reject(position, "(message)", "message is not an object")
        return False
    if message.get("type", "message") != "message":
        collector.skip("service message(s) (joins, pins, ...), not posts")
        return False
    record, field, reason, from_local = _record(message, chat, timezone)
    if record is None:
        text = plain_text(message.get("text"))
        safe = {"id": message.get("id"), "text": text}
        collector.reject(position, field, reason, json.dumps(safe, ensure_ascii=False, default=str))
        return False
    collector.add(record)
    return from_local


def finish(collector: PostCollector, timed_locally: int, timezone: str) -> None:
    """The file's last note: how many message times were read as local time."""
    if timed_locally:
        collector.notes.append(
            f"{timed_locally} message time(s) read from 'date' as {timezone} local time "
            "(the export has no date_unixtime)"
        )
