"""Telegram Desktop exports read as a stream (:func:`iter_telegram`), with memory bounded by
one message, whatever the size of the chat: the same rows, quarantine, counts and notes as
:func:`~barometer.ingest.social.telegram.read_telegram`, which parses the whole document.

The export is one JSON document, read with ``ijson`` (an incremental parser) in two passes:

1. a survey of the document's events: its layout (one chat, or a whole account), each chat's
   ``id``, ``name`` and ``type`` (wherever they stand among the chat's keys) and how many
   messages it holds. Whatever makes the whole file unreadable (not a Telegram export, a chat
   to read with neither id nor name) raises before the first batch, as when it is read whole;
2. the messages of the chats to read, one at a time (``messages.item``, and
   ``chats.list.item.messages.item`` / ``left_chats.list.item.messages.item`` for an account),
   handed on in batches. A message's quarantine ``line`` is its position among the file's
   messages, as in the whole read.

**A file cut short, or broken, after some messages** (an export interrupted, a copy that did
not finish) keeps the messages before the cut: the cut itself is quarantined as ``(json)`` at
the position the next message would have had, and a note says where the file stops. The whole
read refuses such a file (one :class:`~barometer.exceptions.InputError`), losing every message
in it. A file that breaks before its first message, or that ``ijson`` refuses but Python's
parser takes (``NaN``), or that is not UTF-8 (a UTF-16 export), is read whole, so the error
(naming line and column) or the result is exactly :func:`read_telegram`'s. With keys repeated
in one object, the survey takes the last value (as ``json.loads`` does) but the message pass
reads every ``messages`` array of a chat: exports never repeat keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

from barometer.exceptions import InputError
from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.files import check_text_stream, one_line
from barometer.ingest.social._common import PostCollector, in_batches
from barometer.ingest.social.json_document import document_bytes
from barometer.ingest.social.telegram import (
    PUBLIC_CHAT_TYPES,
    SOURCE,
    chat_id,
    finish,
    read_telegram,
    skipped_note,
    take_message,
)

SECTIONS = ("chats", "left_chats")
#: the quarantine reason of a file that ends inside its JSON document
CUT_SHORT = "the file ends before its JSON document does (cut short?)"
_STARTS = ("start_map", "start_array")
#: events that do not end a value: an object or array begins, or a key of an object
_OPEN = ("start_map", "start_array", "map_key")


@dataclass
class _Chat:
    """One chat as the survey saw it."""

    section: str  # "" for a one-chat export, else "chats" or "left_chats"
    is_object: bool = True
    fields: dict[str, Any] = field(default_factory=dict)  # id, name, type (scalars)
    has_messages: bool = False  # its 'messages' is an array
    n_messages: int = 0  # complete messages in it


@dataclass
class _Survey:
    top_object: bool = False
    top: _Chat = field(default_factory=lambda: _Chat(""))
    chats: list[_Chat] = field(default_factory=list)
    lists: set[str] = field(default_factory=set)  # sections whose 'list' is an array
    error: str = ""  # why the parser stopped before the end ("" when it did not)

    @property
    def n_messages(self) -> int:
        return self.top.n_messages + sum(c.n_messages for c in self.chats)


def _prefixes() -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, str]]:
    """(message prefix -> section, chat field prefix -> (section, field), chat prefix ->
    section) of the events the survey follows."""
    messages = {"messages.item": ""}
    fields = {name: ("", name) for name in ("id", "name", "type", "messages")}
    chats = {}
    for section in SECTIONS:
        base = f"{section}.list.item"
        messages[f"{base}.messages.item"] = section
        fields.update({f"{base}.{n}": (section, n) for n in ("id", "name", "type", "messages")})
        chats[base] = section
    return messages, fields, chats


MESSAGES, FIELDS, CHATS = _prefixes()


def _survey(handle: IO[bytes]) -> _Survey:
    seen = _Survey()
    current = {"": seen.top}
    try:
        for prefix, event, value in ijson.parse(handle, use_float=True):
            if prefix in MESSAGES:
                if event not in _OPEN and MESSAGES[prefix] in current:  # a message ends
                    current[MESSAGES[prefix]].n_messages += 1
                continue
            if prefix in FIELDS:
                section, name = FIELDS[prefix]
                chat = current.get(section)
                if chat is None:
                    continue
                if name == "messages":
                    chat.has_messages = chat.has_messages or event == "start_array"
                elif event in _STARTS:
                    chat.fields[name] = {}  # not a scalar: an object or array
                elif event not in _OPEN and not event.startswith("end_"):
                    chat.fields[name] = value
            elif prefix in CHATS and event not in ("end_map", "end_array", "map_key"):
                chat = _Chat(CHATS[prefix], is_object=event == "start_map")
                seen.chats.append(chat)
                current[chat.section] = chat
            elif prefix == "" and event == "start_map":
                seen.top_object = True
            elif prefix in ("chats.list", "left_chats.list") and event == "start_array":
                seen.lists.add(prefix.split(".")[0])
    except ijson.JSONError as exc:
        # the first line only: the next ones quote the file around the error (posts' text)
        seen.error = one_line(Exception(str(exc).strip().split("\n", 1)[0]))
    return seen


def _chats_to_read(
    path: Path, seen: _Survey, chat_types: tuple[str, ...], collector: PostCollector
) -> list[_Chat]:
    """The chats whose messages are read, as :func:`~barometer.ingest.social.telegram._chats`
    picks them (the others counted in a note); raises as it does."""
    if seen.top.has_messages:
        return [seen.top]
    if "chats" not in seen.lists:
        raise InputError(
            f"{path}: expected a Telegram Desktop JSON export: one chat (an object with a "
            "'messages' array) or a whole account (an object with 'chats': {'list': [...]})"
        )
    read: list[_Chat] = []
    skipped: Counter[str] = Counter()
    for chat in seen.chats:
        if chat.section not in seen.lists:
            continue
        kind = str(chat.fields.get("type") or "unknown") if chat.is_object else "unknown"
        if kind in chat_types and chat.has_messages:
            read.append(chat)
        else:
            skipped[kind] += 1
    if skipped:
        collector.notes.append(skipped_note(skipped))
    return read


def _messages(path: Path, section: str, chats: list[_Chat]) -> Iterator[tuple[_Chat, Any]]:
    """(chat, message) for the messages of ``chats`` (all of ``section``, in file order) that
    the survey saw complete; one more parsing pass over the file."""
    prefix = f"{section}.list.item.messages.item" if section else "messages.item"
    with document_bytes(path) as handle:
        items = ijson.items(handle, prefix, use_float=True)
        for chat in chats:
            for _ in range(chat.n_messages):
                message = next(items, _END)
                if message is _END:
                    raise InputError(f"{path}: the file changed while it was read; run again")
                yield chat, message


_END = object()


def iter_telegram(
    path: Path,
    *,
    timezone: str = "Europe/Stockholm",
    chat_types: tuple[str, ...] | list[str] = PUBLIC_CHAT_TYPES,
    batch_size: int = STREAM_BATCH,
) -> Iterator[IngestResult]:
    """:func:`~barometer.ingest.social.telegram.read_telegram` as a stream of results of
    about ``batch_size`` records (see the module's docstring for the two passes and for a
    file cut short)."""
    utf16 = check_text_stream(path)  # the errors of read_text, before anything else
    if not utf16:
        with document_bytes(path) as handle:
            seen = _survey(handle)
    if utf16 or not seen.top_object or (seen.error and not seen.n_messages):
        yield read_telegram(path, timezone=timezone, chat_types=chat_types)
        return
    collector = PostCollector(SOURCE, path)
    chats = _chats_to_read(path, seen, tuple(chat_types), collector)
    ids = {id(chat): chat_id(path, chat.fields) for chat in chats}
    yield from in_batches(
        collector, _steps(path, seen, chats, ids, collector, timezone), batch_size
    )


def _steps(
    path: Path,
    seen: _Survey,
    chats: list[_Chat],
    ids: dict[int, str],
    collector: PostCollector,
    timezone: str,
) -> Iterator[None]:
    position = timed_locally = 0
    sections = [""] if seen.top.has_messages else list(SECTIONS)
    for section in sections:
        in_section = [
            c for c in ([seen.top] if not section else seen.chats) if c.section == section
        ]
        if not any(c.n_messages for c in in_section if id(c) in ids):
            continue  # no pass over the file for chats that are not read
        for chat, message in _messages(path, section, in_section):
            if id(chat) in ids:
                position += 1
                timed_locally += take_message(collector, position, message, ids[id(chat)], timezone)
                yield None
    if seen.error:
        reason = CUT_SHORT if "premature EOF" in seen.error else f"not valid JSON ({seen.error})"
        collector.reject(position + 1, "(json)", reason)
        collector.notes.append(
            f"the file is cut short or broken after message {position} ({reason}); "
            f"the {position} message(s) before it were read"
        )
    finish(collector, timed_locally, timezone)
