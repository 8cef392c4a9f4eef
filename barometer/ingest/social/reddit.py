"""Reddit: API listings (JSON) and Pushshift-style dumps (NDJSON), submissions and comments.

Two layouts, told apart by their content:

- **Listing JSON**, as returned by ``/r/<sub>/new.json``, ``/search.json`` or
  ``/comments/<id>.json`` (an array of two listings): ``{"kind": "Listing", "data":
  {"children": [{"kind": "t3", "data": {...}}, ...]}}``. Comment ``replies`` (themselves
  listings) are walked recursively; ``kind == "more"`` stubs (comments not loaded) are not
  records and are only counted in a note.
- **NDJSON dumps** (Pushshift / Arctic Shift ``RS_*`` submissions and ``RC_*`` comments), one
  object per line, optionally gzipped; a line may also be a ``{"kind", "data"}`` thing.

Fields used, from Reddit's thing objects: ``name`` (fullname, ``t3_<id>`` / ``t1_<id>``; built
from ``id`` when absent: a ``title`` means a submission, a ``body`` a comment),
``created_utc`` (epoch seconds, UTC), ``author``, ``title`` + ``selftext`` (submissions) or
``body`` (comments), ``score``, ``num_comments``, ``crosspost_parent`` (a crosspost is a
repost). Ids become ``reddit:t3_abc``. Reddit gives no language and no coordinates. Reddit escapes
``&``, ``<`` and ``>`` in titles and bodies as HTML entities (``&amp;``, ``&gt;``, also in the
dumps); they are decoded once.

Deleted content: a comment whose ``body`` is ``[deleted]`` or ``[removed]`` has no text and is
quarantined; a submission whose ``selftext`` is deleted or removed keeps its title. A
``[deleted]`` author has no account any more: each such post gets its own stand-in author
(``[deleted]:<fullname>``), so deleted posts are never pooled into one "author".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from barometer.exceptions import InputError
from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.files import json_lines, load_json, read_text
from barometer.ingest.social._common import (
    PostCollector,
    as_count,
    as_dict,
    as_list,
    in_batches,
    json_lines_file,
    parse_epoch,
    unescape_text,
)
from barometer.ingest.social.json_document import Plan, Records, planned, survey

SOURCE = "reddit"
GONE = ("[deleted]", "[removed]")
MAX_DEPTH = 200  # comment trees deeper than this are not walked further


def _fullname(thing: dict[str, Any], kind: str) -> str:
    name = thing.get("name")
    if isinstance(name, str) and name.startswith(("t1_", "t3_")):
        return name
    thing_id = thing.get("id")
    if not isinstance(thing_id, str | int) or isinstance(thing_id, bool) or not str(thing_id):
        return ""
    if kind not in ("t1", "t3"):
        kind = "t3" if "title" in thing else "t1" if "body" in thing else ""
    return f"{kind}_{thing_id}" if kind else ""


def _text(thing: dict[str, Any], kind: str) -> str:
    if kind == "t1":
        body = thing.get("body")
        return body.strip() if isinstance(body, str) and body.strip() not in GONE else ""
    title = thing.get("title")
    parts = [title.strip()] if isinstance(title, str) else []
    selftext = thing.get("selftext")
    if isinstance(selftext, str) and selftext.strip() not in GONE:
        parts.append(selftext.strip())
    return "\n\n".join(p for p in parts if p)


def _record(thing: dict[str, Any], kind: str) -> tuple[dict[str, object] | None, str, str]:
    """Return (record, field, reason); record is None when the thing is rejected."""
    fullname = _fullname(thing, kind)
    if not fullname:
        return None, "name", "thing has no id (neither 'name' nor 'id')"
    kind = fullname[:2]
    created = parse_epoch(thing.get("created_utc"))
    if created is None:
        reason = f"missing or unreadable created_utc {thing.get('created_utc')!r}"
        return None, "created_utc", reason
    text = unescape_text(_text(thing, kind))
    if not text.strip():
        field = "body" if kind == "t1" else "title"
        return None, field, "no text (deleted, removed or empty)"
    author = thing.get("author")
    if not isinstance(author, str) or not author or author in GONE:
        author = f"[deleted]:{fullname}"
    engagement = max(as_count(thing.get("score")), 0) + as_count(thing.get("num_comments"))
    record: dict[str, object] = {
        "post_id": f"{SOURCE}:{fullname}",
        "source": SOURCE,
        "created_at": created,
        "author_id": author,
        "text": text,
        "lang_hint": None,
        "lat": None,
        "lon": None,
        "place_name": None,
        "engagement": engagement,
        "is_repost": bool(thing.get("crosspost_parent")),
    }
    return record, "", ""


def _safe_raw(thing: dict[str, Any]) -> str:
    """What of a rejected thing may be kept: id and text, never the author."""
    keep = {k: thing.get(k) for k in ("name", "id", "title", "body") if k in thing}
    return json.dumps(keep, ensure_ascii=False, default=str)


def _walk(listing: object, depth: int = 0) -> Iterator[tuple[str, object]]:
    """(kind, data) for every child of a listing, comment replies included."""
    if depth > MAX_DEPTH:
        return
    for child in as_list(as_dict(as_dict(listing).get("data")).get("children")):
        yield from _walk_child(child, depth)


def _walk_child(child: object, depth: int) -> Iterator[tuple[str, object]]:
    """(kind, data) of one child of a listing at ``depth``, then of its replies."""
    child = as_dict(child)
    kind = child.get("kind")
    data = child.get("data")
    yield (kind if isinstance(kind, str) else ""), data
    replies = as_dict(data).get("replies")
    if kind == "t1" and isinstance(replies, dict):
        yield from _walk(replies, depth + 1)


def _take(collector: PostCollector, line: int, kind: str, data: object) -> None:
    if kind == "more":
        collector.skip("'more comments' stub(s) (comments not in the export)")
        return
    if kind not in ("t1", "t3", "") or not isinstance(data, dict):
        collector.reject(line, "kind", f"not a submission or comment (kind {kind!r})")
        return
    record, field, reason = _record(data, kind)
    if record is None:
        collector.reject(line, field, reason, _safe_raw(data))
    else:
        collector.add(record)


def _is_listing(value: object) -> bool:
    return isinstance(value, dict) and value.get("kind") == "Listing"


def _take_line(collector: PostCollector, line_no: int, value: object, error: str) -> None:
    """One line of an NDJSON dump: a listing, a ``{"kind", "data"}`` thing or a bare thing."""
    if error:
        collector.reject(line_no, "(json)", error)
    elif _is_listing(value):
        for kind, data in _walk(value):
            _take(collector, line_no, kind, data)
    elif isinstance(value, dict) and isinstance(value.get("data"), dict):
        _take(collector, line_no, str(value.get("kind") or ""), value["data"])
    else:
        _take(collector, line_no, "", value)


def _read_ndjson(collector: PostCollector, text: str) -> None:
    for line_no, value, error in json_lines(text):
        _take_line(collector, line_no, value, error)


def iter_reddit(path: Path, batch_size: int = STREAM_BATCH) -> Iterator[IngestResult]:
    """Read one Reddit file as a stream of results of about ``batch_size`` records each, as
    :func:`~barometer.ingest.social.x.iter_x_v2` does: an NDJSON dump (optionally gzipped) is
    streamed line by line, a listing JSON document (or an array of listings) child by child
    (:mod:`~barometer.ingest.social.json_document`); a one-line dump, or a document that
    cannot be streamed, is read whole (:func:`read_reddit`). Rows, quarantine and counts are
    those of :func:`read_reddit`; a file that cannot be read raises before the first batch."""
    lines = json_lines_file(path)
    plan = _document_plan(path) if lines is None else None
    if lines is None and plan is None:
        yield read_reddit(path)
        return
    collector = PostCollector(SOURCE, path)
    steps = (
        _read_lines(collector, lines)
        if lines is not None
        else _read_document(collector, path, plan or [])
    )
    yield from in_batches(collector, steps, batch_size)


#: the children arrays of a listing, or of an array of listings, as ijson prefixes
_CHILDREN = {"data.children": frozenset[str](), "item.data.children": frozenset[str]()}


def _document_plan(path: Path) -> Plan | None:
    """Where the children of a listing document (or an array of listings) are, from its
    skeleton; ``None`` when it is read whole (not listings, a dump on one line, or see
    :func:`~barometer.ingest.social.json_document.survey`)."""
    shape = survey(path, _CHILDREN)
    if not isinstance(shape, list | dict):
        return None
    listings = shape if isinstance(shape, list) else [shape]
    if not all(_is_listing(listing) for listing in listings):
        return None
    children = [as_dict(listing.get("data")).get("children") for listing in listings]
    if not all(found is None or isinstance(found, Records) for found in children):
        return None
    total = sum(found.n for found in children if isinstance(found, Records))
    return [("item.data.children.item" if isinstance(shape, list) else "data.children.item", total)]


def _read_document(collector: PostCollector, path: Path, plan: Plan) -> Iterator[None]:
    """The things of a listing document, child by child (each with its replies), numbered
    as :func:`read_reddit` numbers them."""
    position = 0
    for _, child in planned(path, plan):
        for kind, data in _walk_child(child, 0):
            position += 1
            _take(collector, position, kind, data)
        yield None


def _read_lines(
    collector: PostCollector, lines: Iterator[tuple[int, Any | None, str]]
) -> Iterator[None]:
    for line_no, value, error in lines:
        _take_line(collector, line_no, value, error)
        yield None


def read_reddit(path: Path) -> IngestResult:
    """Read one Reddit listing JSON file or Pushshift-style NDJSON dump (optionally gzipped)."""
    collector = PostCollector(SOURCE, path)
    text, _ = read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        first = next(json_lines(text))
        if exc.msg != "Extra data" and first[1] is None:
            load_json(path)  # raises the InputError naming line, column and problem
        _read_ndjson(collector, text)  # JSON Lines, some lines possibly broken
        return collector.result()
    except RecursionError as exc:
        raise InputError(f"{path}: JSON nested too deeply to read") from exc
    if isinstance(document, dict) and not _is_listing(document):
        _read_ndjson(collector, text)  # a one-line dump
        return collector.result()
    listings = document if isinstance(document, list) else [document]
    if not all(_is_listing(item) for item in listings):
        raise InputError(
            f'{path}: expected a Reddit listing ({{"kind": "Listing", ...}}), an array '
            "of listings, or NDJSON with one submission or comment per line"
        )
    position = 0
    for listing in listings:
        for kind, data in _walk(listing):
            position += 1
            _take(collector, position, kind, data)
    return collector.result()
