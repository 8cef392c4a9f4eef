"""Mastodon API statuses: a JSON array (``GET /api/v1/timelines/...``, account statuses), a single
Status object (``GET /api/v1/statuses/:id``), a search result (``{"statuses": [...]}``) or a
thread context (``{"ancestors": [...], "descendants": [...]}``).

The HTML ``content`` is turned into plain text (paragraphs and line breaks kept as newlines,
links as their visible text). A boost (``reblog`` not null) is marked ``is_repost`` and carries the
boosted status's text. Mastodon statuses carry no coordinates.

Ids are local to the server that answered: the same status has a different ``id`` on every
server that knows it, and account ``1`` on one server is not account ``1`` on another. So
statuses and authors are keyed by where they come from:

- a status by its origin, from its ``uri`` (``https://mastodon.social/users/x/statuses/1032``
  -> ``mastodon:mastodon.social:1032``; a boost's ``.../activity`` suffix is dropped), so the
  same status read from two servers' timelines is one post; without a ``uri`` by the answering
  ``server`` and its ``id``, ``mastodon:<server>:<id>`` (``mastodon:<id>`` when the server is not
  known either);
- an author by the account's address ``username@domain``: ``acct`` when it already names a
  domain (a remote account), else the account's ``username`` at the host of its profile ``url``
  (its home server); without either, ``<id>@<server>``.

``server`` (a host such as ``mastodon.social``) is the server the file was fetched from; the
live connectors pass it, and a file's statuses that carry ``uri`` and ``account.url`` need none.

A file may also be JSON Lines (optionally gzipped), one response body per line (a page of
statuses as a harvester appends them, or one Status per line): it is streamed in batches
(:func:`iter_mastodon`), a line that is not JSON or not statuses is quarantined with its line
number, and the quarantine ``line`` of a status is its file line. In a single JSON document the
``line`` of a status is its 1-based position among the document's statuses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from barometer.exceptions import InputError
from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.files import load_json
from barometer.ingest.social._common import (
    PostCollector,
    as_count,
    as_dict,
    as_list,
    in_batches,
    json_lines_file,
    parse_utc,
)
from barometer.ingest.social.json_document import Plan, Records, planned, survey

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


def _host(url: object) -> str:
    if not isinstance(url, str) or "://" not in url:
        return ""
    return (urlparse(url).hostname or "").lower()


def _text_id(value: object) -> str:
    ok = isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip()
    return str(value).strip() if ok else ""


def status_key(status: dict[str, Any], server: str | None) -> str:
    """``<origin host>:<origin id>`` from the status's ``uri``, else ``<server>:<id>``."""
    uri = status.get("uri")
    host = _host(uri)
    if host:
        path = urlparse(str(uri)).path.rstrip("/").removesuffix("/activity")
        last = path.rsplit("/", 1)[-1]
        if last:
            return f"{host}:{last}"
        return f"{host}:{hashlib.sha256(str(uri).encode()).hexdigest()[:16]}"
    local = _text_id(status.get("id"))
    return f"{server}:{local}" if server else local


def author_key(account: dict[str, Any], server: str | None) -> str:
    """The account's address ``username@domain`` (the same whichever server answered)."""
    acct = _text_id(account.get("acct"))
    if "@" in acct.strip("@"):
        return acct.strip("@").lower()
    username = _text_id(account.get("username")) or acct
    home = _host(account.get("url")) or (server or "")
    if username and home:
        return f"{username}@{home}".lower()
    local = _text_id(account.get("id"))
    if local:
        return f"{local}@{server}" if server else local
    return username


def _status_record(
    status: dict[str, Any], server: str | None
) -> tuple[dict[str, object] | None, str, str]:
    if not _text_id(status.get("id")) and not _host(status.get("uri")):
        return None, "id", "status has no id"
    created = parse_utc(status.get("created_at"))
    if created is None:
        return None, "created_at", f"missing or unparseable timestamp {status.get('created_at')!r}"
    reblog = status.get("reblog")
    body = reblog if isinstance(reblog, dict) else status
    text = html_to_text(str(body.get("content") or ""))
    if not text:
        return None, "content", "status has no text"
    engagement = sum(
        as_count(status.get(k)) for k in ("favourites_count", "reblogs_count", "replies_count")
    )
    language = body.get("language")
    record: dict[str, object] = {
        "post_id": f"{SOURCE}:{status_key(status, server)}",
        "source": SOURCE,
        "created_at": created,
        "author_id": author_key(as_dict(status.get("account")), server),
        "text": text,
        "lang_hint": (language or None) if isinstance(language, str) else None,
        "lat": None,
        "lon": None,
        "place_name": None,
        "engagement": engagement,
        "is_repost": isinstance(reblog, dict),
    }
    return record, "", ""


def _statuses_of(document: object) -> list[Any] | None:
    """The statuses of a response body, whichever endpoint wrote it; ``None`` if it is none."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "statuses" in document:
            return as_list(document["statuses"])
        if "ancestors" in document or "descendants" in document:
            return as_list(document.get("ancestors")) + as_list(document.get("descendants"))
        if "id" in document or "uri" in document:
            return [document]
    return None


def _statuses(path: Path, document: object) -> list[Any]:
    statuses = _statuses_of(document)
    if statuses is not None:
        return statuses
    raise InputError(
        f"{path}: expected Mastodon statuses (a JSON array, one Status object, or a search "
        f"result with 'statuses'), found {type(document).__name__}"
        + (" without 'id' or 'statuses'" if isinstance(document, dict) else "")
    )


def _take(collector: PostCollector, line: int, status: object, server: str | None) -> None:
    if not isinstance(status, dict):
        collector.reject(line, "(status)", "status is not an object")
        return
    record, field, reason = _status_record(status, server)
    if record is None:
        safe = {"id": status.get("id"), "content": status.get("content")}
        collector.reject(line, field, reason, json.dumps(safe, ensure_ascii=False))
    else:
        collector.add(record)


def _take_line(
    collector: PostCollector, line_no: int, value: object, error: str, server: str | None
) -> None:
    """One line of a JSON Lines file: one response body (a page of statuses, one status...)."""
    statuses = None if error else _statuses_of(value)
    if statuses is None:
        collector.reject(line_no, "(json)", error or "not Mastodon statuses")
    for status in statuses or []:
        _take(collector, line_no, status, server)


def read_mastodon(path: Path, *, server: str | None = None) -> IngestResult:
    """Read one Mastodon statuses file (see the module docstring; optionally gzipped).

    ``server`` is the host the statuses were fetched from (``mastodon.social``): it keys the
    statuses and accounts that do not say where they come from. One JSON document is parsed
    whole (``json.loads``); JSON Lines are read as :func:`iter_mastodon` streams them."""
    if json_lines_file(path) is not None:
        return IngestResult.merge(list(iter_mastodon(path, server=server)))
    return _read_whole(path, _server(server))


def _server(server: str | None) -> str | None:
    """The host that keys statuses that do not say theirs: the host of ``server`` when it is
    a URL (``https://mastodon.social/``), else ``server`` without spaces or slashes around it,
    lowercased; ``None`` when not given or blank."""
    if server is None:
        return None
    return _host(server) or server.strip().strip("/").lower() or None


def _read_whole(path: Path, server: str | None) -> IngestResult:
    collector = PostCollector(SOURCE, path)
    for index, status in enumerate(_statuses(path, load_json(path)), start=1):
        _take(collector, index, status, server)
    return collector.result()


def iter_mastodon(
    path: Path, *, server: str | None = None, batch_size: int = STREAM_BATCH
) -> Iterator[IngestResult]:
    """:func:`read_mastodon` as a stream of results of about ``batch_size`` records each, as
    :func:`~barometer.ingest.social.x.iter_x_v2` does: a JSON Lines file is streamed line by
    line; one JSON document's array of statuses status by status
    (:mod:`~barometer.ingest.social.json_document`), and one Status, or a document that
    cannot be streamed, is read whole (one result)."""
    server = _server(server)
    lines = json_lines_file(path)
    plan = _document_plan(path) if lines is None else None
    if lines is None and plan is None:
        yield _read_whole(path, server)
        return
    collector = PostCollector(SOURCE, path)
    steps = (
        _read_lines(collector, lines, server)
        if lines is not None
        else _read_document(collector, path, plan or [], server)
    )
    yield from in_batches(collector, steps, batch_size)


#: the arrays of statuses of a Mastodon document, as ijson prefixes
_ARRAYS = {name: frozenset[str]() for name in ("", "statuses", "ancestors", "descendants")}


def _document_plan(path: Path) -> Plan | None:
    """Where one JSON document's statuses are (as :func:`_statuses_of` finds them), from its
    skeleton; ``None`` when it is read whole (one Status, not statuses, see
    :func:`~barometer.ingest.social.json_document.survey`)."""
    shape = survey(path, _ARRAYS)
    if isinstance(shape, Records):
        return [("item", shape.n)]
    if not isinstance(shape, dict):
        return None
    if "statuses" in shape:
        found = shape["statuses"]
        return [("statuses.item", found.n)] if isinstance(found, Records) else None
    if "ancestors" in shape or "descendants" in shape:
        parts = {key: shape.get(key) for key in ("ancestors", "descendants")}
        if all(part is None or isinstance(part, Records) for part in parts.values()):
            return [(f"{k}.item", p.n) for k, p in parts.items() if isinstance(p, Records)]
    return None


def _read_document(
    collector: PostCollector, path: Path, plan: Plan, server: str | None
) -> Iterator[None]:
    for position, status in planned(path, plan):
        _take(collector, position, status, server)
        yield None


def _read_lines(
    collector: PostCollector, lines: Iterator[tuple[int, Any | None, str]], server: str | None
) -> Iterator[None]:
    for line_no, value, error in lines:
        _take_line(collector, line_no, value, error, server)
        yield None
