"""One JSON document (an API response, a listing) streamed record by record with ``ijson``, for
the readers that also read it whole with ``json.loads``: a first pass (:func:`survey`) sees the
document's layout, a second (:func:`items`) hands on the records of each record array.

The survey builds the document's *skeleton*: the document itself, except that each array at
one of the given record prefixes is a :class:`Records` (how many items, and which of some
keys each item has) and containers deeper than :data:`SKELETON_LEVELS` are :data:`DEEP`. A
reader decides on the skeleton what its whole-document code decides on the document (which
arrays hold the records, whether the file is an error), so only the records themselves are
never held together.

:func:`survey` returns ``None`` when the document is to be read whole, which then gives
exactly the whole read's result or one-line error: a file that is not valid JSON to ``ijson``
(broken, cut short, several values, or what only Python's parser takes: ``NaN``, integers
beyond 64 bits), a UTF-16 file, a lone surrogate escape (``"\\ud800"``, which ``ijson`` turns
into ``?``), nesting deeper than :data:`DEEP_LEVELS` (where ``json.loads`` may give up), a key
repeated in an object of the skeleton (``json.loads`` keeps the last value, a prefix would
match both) or holding a dot (``a.b`` has the prefix of ``b`` in ``a``), or a skeleton of
more than :data:`MAX_NODES` values (a layout that holds its records elsewhere).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

from barometer.exceptions import InputError
from barometer.ingest.files import STREAM_BLOCK, check_text_stream, corrupt_error, open_binary

#: containers below this level (the document itself is level 1) are :data:`DEEP` in a skeleton
SKELETON_LEVELS = 4
#: a document nested deeper than this is read whole (``json.loads`` stops near 1,000 levels)
DEEP_LEVELS = 400
#: values in a skeleton beyond which the document is read whole
MAX_NODES = 50_000
#: the mark of an item that is not an object, in :attr:`Records.marks`
NOT_OBJECT = "(not an object)"

DEEP = object()  # a container below SKELETON_LEVELS
_NOT_OBJECT = frozenset({NOT_OBJECT})
_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")
#: a surrogate escape of JSON text (``\\ud800``-``\\udfff``: a high one if its third digit is 8-b),
#: in group 1; only after an even number of backslashes (``\\\\ud800`` is a backslash, then text)
_SURROGATE = re.compile(rb"(?<!\\)(?:\\\\)*(\\u[dD][89a-fA-F][0-9a-fA-F]{2})")


@dataclass
class Records:
    """An array of records, as the survey saw it."""

    n: int = 0  # complete items
    #: for each item, which of the asked-for keys it has (:data:`NOT_OBJECT` if not an object)
    marks: Counter[frozenset[str]] = field(default_factory=Counter)


@contextmanager
def document_bytes(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes (``.gz`` decompressed) after a UTF-8 byte-order mark, if it has one,
    closed on leaving; a file that cannot be read from its first bytes raises
    :func:`~barometer.ingest.files.corrupt_error`'s one-line error."""
    with open_binary(path) as handle:
        try:
            if handle.read(3) != b"\xef\xbb\xbf":
                handle.seek(0)
        except (OSError, EOFError, zlib.error) as exc:
            raise corrupt_error(path, exc) from exc
        yield handle


def lone_surrogate_escape(path: Path) -> bool:
    """Whether the file's text holds a ``\\uD800``-``\\uDFFF`` escape that is not half of a
    pair (a pair ends no later than 12 bytes after it starts: the last 24 bytes of a block are
    looked at again with the next, after one backslash when an odd number of them comes
    right before, so that an escaped backslash is told from an escape across blocks)."""
    tail, unchecked = b"", 0  # the last bytes seen, and how many of them no escape began at
    with open_binary(path) as handle:
        while block := handle.read(STREAM_BLOCK):
            buffer = tail + block
            first, last = len(tail) - unchecked, len(buffer) - 12
            if _lone_in(buffer, first, last):
                return True
            unchecked = len(buffer) - max(first, last)
            cut = max(len(buffer) - 24, 0)
            backslashes = cut - len(buffer[:cut].rstrip(b"\\"))
            tail = b"\\" * (backslashes % 2) + buffer[cut:]
    return _lone_in(tail, len(tail) - unchecked, len(tail))


def _lone_in(buffer: bytes, first: int, last: int) -> bool:
    """Whether a surrogate escape that starts in ``buffer[first:last]`` is not half of a
    pair (a high escape right before a low one)."""
    high = -1  # the start of a high escape not paired yet
    for match in _SURROGATE.finditer(buffer):
        start, is_high = match.start(1), match.group(1)[3] in b"89abAB"
        if high >= 0 and not is_high and start == high + 6:
            high = -1  # a pair
            continue
        if high >= 0 and first <= high < last:
            return True
        high = start if is_high else -1
        if not is_high and first <= start < last:
            return True
    return first <= high < last


class _TooLarge(Exception):
    pass


class _Builder:
    """The skeleton, built from ``ijson`` events outside record arrays."""

    def __init__(self) -> None:
        self.stack: list[Any] = []
        self.key: str = ""
        self.value: Any = None
        self.nodes = 0
        self.ambiguous = False

    def key_of(self, key: str) -> None:
        """A key of the object being built: repeated, or with a dot (its prefix could be
        another path's), the document is read whole."""
        if key in self.stack[-1] or "." in key:
            self.ambiguous = True
        self.key = key

    def attach(self, value: Any) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge
        if not self.stack:
            self.value = value
            return
        top = self.stack[-1]
        if isinstance(top, dict):
            top[self.key] = value
        elif isinstance(top, list):
            top.append(value)

    def building(self) -> bool:
        return not self.stack or self.stack[-1] is not DEEP


def survey(path: Path, records: dict[str, frozenset[str]]) -> Any | None:
    """The document's skeleton, with a :class:`Records` for each array at a prefix of
    ``records`` (an ``ijson`` prefix: ``""`` for the document, ``"result.posts"``, ...), whose
    items' keys among ``records[prefix]`` are counted; ``None`` when the file is to be read
    whole (see the module's docstring). The file is checked first, so an empty, binary or
    corrupt file raises :func:`~barometer.ingest.files.read_text`'s error."""
    if check_text_stream(path) or lone_surrogate_escape(path):
        return None
    built = _Builder()
    try:
        with document_bytes(path) as handle:
            deepest = _walk(ijson.basic_parse(handle, use_float=True), records, built)
    except (ijson.JSONError, _TooLarge):
        return None
    except (OSError, EOFError, zlib.error) as exc:
        raise corrupt_error(path, exc) from exc
    return None if built.ambiguous or deepest > DEEP_LEVELS else built.value


def _walk(
    events: Iterator[tuple[str, Any]], records: dict[str, frozenset[str]], built: _Builder
) -> int:
    """Feed ``built`` from ``ijson.basic_parse`` events (the prefixes kept here, as ``ijson``
    writes them); returns the deepest level seen."""
    level = deepest = 0
    keys: list[str] = []  # per open container: the key it is at ("item" in an array)
    for event, value in events:
        if event == "map_key":
            keys[-1] = value
            if built.building():
                built.key_of(value)
        elif event in _STARTS:
            prefix = ".".join(keys)
            level += 1
            deepest = max(deepest, level)
            if event == "start_array" and prefix in records and built.building():
                found = Records()
                built.attach(found)
                deepest = max(deepest, _count(events, found, level, records[prefix]))
                level -= 1
                continue
            deep = level > SKELETON_LEVELS or not built.building()
            node = DEEP if deep else {} if event == "start_map" else []
            if built.building():
                built.attach(node)
            built.stack.append(node)
            keys.append("" if event == "start_map" else "item")
        elif event in _ENDS:
            level -= 1
            built.stack.pop()
            keys.pop()
        elif built.building():
            built.attach(value)
    return deepest


def _count(
    events: Iterator[tuple[str, Any]], found: Records, at: int, wanted: frozenset[str]
) -> int:
    """Count the items of the record array just opened at level ``at``, up to its end;
    returns the deepest level inside it."""
    level = deepest = at
    marks: set[str] = set()
    for event, value in events:
        if event in _STARTS:
            level += 1
            deepest = max(deepest, level)
            continue
        if event == "map_key":
            if wanted and level == at + 1 and value in wanted:
                marks.add(value)
            continue
        if event in _ENDS:
            level -= 1
            if level < at:
                return deepest
        if level == at:  # an item ends: an object, an array or a scalar
            found.n += 1
            if wanted:
                found.marks[frozenset(marks) if event == "end_map" else _NOT_OBJECT] += 1
                marks = set()
    return deepest


_END = object()


def items(path: Path, prefix: str, count: int) -> Iterator[Any]:
    """The first ``count`` items at ``prefix`` (``"item"``, ``"result.posts.item"``, ...), in
    file order, in one more pass over the file (``json.loads``'s values: floats for numbers
    with a fraction or exponent, integers otherwise)."""
    with document_bytes(path) as handle:
        values = ijson.items(handle, prefix, use_float=True)
        try:
            for _ in range(count):
                value = next(values, _END)
                if value is _END:
                    raise InputError(f"{path}: the file changed while it was read; run again")
                yield value
        except ijson.JSONError as exc:
            raise InputError(f"{path}: the file changed while it was read; run again") from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise corrupt_error(path, exc) from exc


#: where a document's records are: (ijson prefix of the items, how many), read in this order
Plan = list[tuple[str, int]]


def planned(path: Path, plan: Plan) -> Iterator[tuple[int, Any]]:
    """(1-based position among the document's records, record) for the records of ``plan``,
    one pass over the file per entry."""
    position = 0
    for prefix, count in plan:
        for value in items(path, prefix, count):
            position += 1
            yield position, value
