"""CrowdTangle API JSON (``/posts``, ``/posts/search``, ``/post/:id``), read whole
(:func:`read_api_json`) or post by post (:func:`iter_api_json`); the fields used are listed in
:mod:`barometer.ingest.social.crowdtangle`.

A response body ``{"status": 200, "result": {"posts": [...]}}``, or an array of such bodies, or
an array of posts, is streamed with ``ijson`` (:mod:`~barometer.ingest.social.json_document`): a
survey of its layout (and of every body's ``status``: a failed request raises before the first
batch), then its posts. A quarantined post's ``line`` is its position among the document's
posts, as in the whole read. A file of JSON Lines (one body per line), one post alone, or a
document that cannot be streamed is read whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import STREAM_BATCH, IngestResult
from barometer.ingest.datetimes import in_utc, timestamp_or_none
from barometer.ingest.files import json_lines, read_text, stream_json_lines
from barometer.ingest.social._common import (
    PostCollector,
    as_count,
    as_dict,
    as_list,
    in_batches,
    json_lines_file,
)
from barometer.ingest.social.json_document import DEEP_LEVELS, Plan, Records, planned, survey

SOURCE = "crowdtangle"


def post_id_of(url: str, platform: str = "") -> str:
    """``facebook:<last path segment>`` or ``instagram:<shortcode>`` of a post URL; ``""``
    when the URL has no host or path."""
    parsed = urlparse(url.strip())
    segments = [s for s in parsed.path.split("/") if s]
    if not parsed.netloc or not segments:
        return ""
    instagram = "instagram.com" in parsed.netloc.lower() or platform.lower() == "instagram"
    return f"{'instagram' if instagram else 'facebook'}:{segments[-1]}"


def _api_posts(path: Path, collector: PostCollector) -> Iterator[tuple[int, object]]:
    """(line or position, post) for every post of the file's response bodies."""
    text, _ = read_text(path)
    documents: list[tuple[int, object]] = []
    by_line = False
    try:
        documents.append((1, json.loads(text)))
    except json.JSONDecodeError:
        by_line = True
    except RecursionError as exc:
        raise InputError(f"{path}: JSON nested too deeply to read") from exc
    if by_line:  # JSON Lines, some lines possibly broken
        for line_no, value, error in json_lines(text):
            if error:
                collector.reject(line_no, "(json)", error)
            else:
                documents.append((line_no, value))
    position = 0
    for line_no, document in documents:
        for post in _posts_of(path, document):
            position += 1
            yield (line_no if by_line else position), post


def _posts_of(path: Path, document: object) -> list[object]:
    """The posts of one document (a response body, an array of them, or of posts); raises
    when a body answers a failed request or the document is none of these."""
    found: list[object] = []
    for body in document if isinstance(document, list) else [document]:
        body = as_dict(body)
        if "result" in body or "status" in body:
            posts = as_list(as_dict(body.get("result")).get("posts"))
            if body.get("status") not in (None, 200) and not posts:
                message = str(body.get("message") or "")[:120]
                raise InputError(
                    f"{path}: the API answered status {body.get('status')!r} {message}"
                )
        elif "postUrl" in body or "platformId" in body:
            posts = [body]
        else:
            raise InputError(
                f"{path}: expected CrowdTangle API responses "
                '({"status": 200, "result": {"posts": [...]}}) or an array of posts'
            )
        found.extend(posts)
    return found


def parse_utc_or_naive(value: object) -> pd.Timestamp | None:
    """The API's ``date`` (``yyyy-mm-dd hh:mm:ss``, UTC) to a UTC timestamp."""
    ts = timestamp_or_none(value)
    return None if ts is None else in_utc(ts, "UTC")


def _api_record(post: dict[str, Any]) -> tuple[dict[str, object] | None, str, str]:
    platform = str(post.get("platform") or "")
    url = post.get("postUrl")
    post_id = post_id_of(url, platform) if isinstance(url, str) else ""
    if not post_id and isinstance(post.get("platformId"), str | int) and post.get("platformId"):
        kind = "instagram" if platform.lower() == "instagram" else "facebook"
        post_id = f"{kind}:{post['platformId']}"
    if not post_id:
        return None, "postUrl", "no postUrl or platformId to identify the post"
    created = parse_utc_or_naive(post.get("date"))
    if created is None:
        return None, "date", "missing or unreadable date"
    fields = ("description", "message") if post_id.startswith("instagram:") else ("message",)
    text = next(
        (v.strip() for v in (post.get(f) for f in fields) if isinstance(v, str) and v.strip()),
        "",
    )
    if not text:
        return None, fields[0], "post has no text"
    account = as_dict(post.get("account"))
    author = next((str(account[k]) for k in ("platformId", "id", "handle") if account.get(k)), "")
    actual = as_dict(as_dict(post.get("statistics")).get("actual"))
    language = post.get("languageCode")
    record: dict[str, object] = {
        "post_id": post_id,
        "source": post_id.split(":")[0],
        "created_at": created,
        "author_id": author or f"[unknown]:{post_id}",
        "text": text,
        "lang_hint": language.strip() or None if isinstance(language, str) else None,
        "lat": None,
        "lon": None,
        "place_name": None,
        "engagement": sum(as_count(v) for v in actual.values()),
        "is_repost": False,
    }
    return record, "", ""


def read_api_json(path: Path) -> IngestResult:
    """Read one API JSON file whole (a document, or JSON Lines of bodies)."""
    collector = PostCollector(SOURCE, path)
    for line, post in _api_posts(path, collector):
        _take_post(collector, line, post)
    return collector.result()


def _take_post(collector: PostCollector, line: int, post: object) -> None:
    """One post into ``collector``: a post, or quarantined with its reason."""
    if not isinstance(post, dict):
        collector.reject(line, "(post)", "post is not an object")
        return
    record, field, reason = _api_record(post)
    if record is None:
        safe = {"postUrl": post.get("postUrl"), "message": post.get("message")}
        collector.reject(line, field, reason, json.dumps(safe, ensure_ascii=False))
    else:
        collector.add(record)


def iter_api_json(path: Path, *, batch_size: int = STREAM_BATCH) -> Iterator[IngestResult]:
    """:func:`read_api_json` as a stream of results of about ``batch_size`` posts (see the
    module's docstring); rows, quarantine, counts and errors are the whole read's."""
    lines = json_lines_file(path)
    plan = _document_plan(path) if lines is None else None
    if lines is None and plan is None:
        yield read_api_json(path)
        return
    collector = PostCollector(SOURCE, path)
    if lines is None:
        steps = _steps(collector, path, plan or [])
    else:
        bad = _check_lines(path, lines)
        if bad is None:
            yield read_api_json(path)
            return
        for line_no, error in bad:  # broken lines are quarantined first, as when read whole
            collector.reject(line_no, "(json)", error)
        steps = _line_steps(collector, path)
    yield from in_batches(collector, steps, batch_size)


def _check_lines(path: Path, lines: Iterator[tuple[int, Any, str]]) -> list[tuple[int, str]] | None:
    """Pass 1 over JSON Lines: the broken lines (line, error); raises what the whole read
    raises on a body; ``None`` when the file is read whole (a first line nested so deep that
    ``json.loads`` of the whole text gives up)."""
    bad: list[tuple[int, str]] = []
    for index, (line_no, value, error) in enumerate(lines):
        if index == 0 and _depth(value) > DEEP_LEVELS:
            return None
        if error:
            bad.append((line_no, error))
        else:
            _posts_of(path, value)
    return bad


def _depth(value: object) -> int:
    """Nesting depth of a JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend(
                (v, level + 1) for v in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def _line_steps(collector: PostCollector, path: Path) -> Iterator[None]:
    """Pass 2 over JSON Lines: each line's posts, quarantined with its line number."""
    for line_no, value, error in stream_json_lines(path):
        if not error:
            for post in _posts_of(path, value):
                _take_post(collector, line_no, post)
            yield None


def _steps(collector: PostCollector, path: Path, plan: Plan) -> Iterator[None]:
    """One JSON document's posts, in ``plan``'s order, quarantined with their 1-based
    position among the document's posts."""
    for position, post in planned(path, plan):
        _take_post(collector, position, post)
        yield None


#: keys that tell a response body (``result``, ``status``) from a post (``postUrl``, ...)
_BODY, _POST = frozenset({"result", "status"}), frozenset({"postUrl", "platformId"})


def _document_plan(path: Path) -> Plan | None:
    """Where one document's posts are, from its skeleton, as :func:`_api_posts` finds them;
    ``None`` when it is read whole (one post alone, a mixed array, a body that makes the
    file an error, or see :func:`~barometer.ingest.social.json_document.survey`)."""
    shape = survey(path, {"": _BODY | _POST, "result.posts": frozenset()})
    if isinstance(shape, dict):
        return _bodies_plan([shape], "result.posts.item")
    if not isinstance(shape, Records):
        return None
    if all(_POST & marks and not _BODY & marks for marks in shape.marks):
        return [("item", shape.n)]
    if not all(_BODY & marks for marks in shape.marks):
        return None
    bodies = survey(path, {"item.result.posts": frozenset()})
    return _bodies_plan(bodies, "item.result.posts.item") if isinstance(bodies, list) else None


def _bodies_plan(bodies: list[Any], prefix: str) -> Plan | None:
    """The posts of response bodies at ``prefix``; ``None`` when one is not a response body
    (the file is then read whole: a post alone, or an error) or answers a failed request."""
    total = 0
    for body in bodies:
        if not isinstance(body, dict) or not _BODY & body.keys():
            return None
        posts = as_dict(body.get("result")).get("posts")
        if posts is not None and not isinstance(posts, Records):
            return None
        count = posts.n if isinstance(posts, Records) else 0
        if body.get("status") not in (None, 200) and not count:
            return None  # the whole read raises: the API answered an error
        total += count
    return [(prefix, total)]
