"""Helpers shared by the social-media adapters."""

from __future__ import annotations

import codecs
import html
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.files import STREAM_BLOCK, open_binary, stream_json_lines
from barometer.ingest.numbers import MAX_COUNT, parse_count
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.social.id_set import SeenIds

SOCIAL_RAW_COLUMNS: list[str] = [
    "post_id",
    "source",
    "created_at",
    "author_id",
    "text",
    "lang_hint",
    "lat",
    "lon",
    "place_name",
    "engagement",
    "is_repost",
]


#: the common shape of platform timestamps (X, Mastodon): ``2024-03-01T12:34:56.000Z``, with
#: at most microseconds and an offset; read by :meth:`datetime.fromisoformat`
_PLAIN_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


def parse_utc(value: object) -> datetime | None:
    """Parse an ISO-8601 timestamp to UTC; ``None`` when missing or unparseable.

    A timestamp without an offset is rejected rather than guessed. The common shape
    (:data:`_PLAIN_ISO`, years 1678-2261) is read by the standard library (a ``datetime`` in
    UTC, 15 times as fast); any other by ``pd.Timestamp`` (a ``pd.Timestamp`` in UTC). Both
    give the same instant, and the same column in :func:`to_frame`.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    if _PLAIN_ISO.fullmatch(value):
        try:
            parsed: datetime | None = datetime.fromisoformat(value)
        except ValueError:  # a field out of range: pd.Timestamp below has the last word
            parsed = None
        if parsed is not None and 1678 <= parsed.year <= 2261:  # pd.Timestamp's range
            return parsed.astimezone(UTC)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT or ts.tzinfo is None:
        return None
    return ts.tz_convert("UTC")


def to_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Rows in the social raw layout, with stable dtypes even when empty."""
    frame = pd.DataFrame(records, columns=SOCIAL_RAW_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["lat"] = frame["lat"].astype("float64")
    frame["lon"] = frame["lon"].astype("float64")
    frame["engagement"] = frame["engagement"].fillna(0).astype("int64")
    frame["is_repost"] = frame["is_repost"].astype(bool)
    return frame


def parse_epoch(value: object) -> pd.Timestamp | None:
    """Unix time in seconds (int, float or numeric string, as Reddit's ``created_utc`` and
    Telegram's ``date_unixtime``) to UTC; ``None`` when missing, not a number or out of range."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    # 1990-01-01 .. 2100-01-01: anything else is a corrupt field, not a post
    if not 631_152_000 <= seconds < 4_102_444_800:
        return None
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def as_dict(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (exports are not always well formed)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_count(value: object, decimal: str | None = None) -> int:
    """A non-negative whole count from a JSON number or a numeric string written with
    ``decimal`` as decimal separator ("1,234" and "407.137" group thousands when ``decimal`` is
    ``None``, see :mod:`barometer.ingest.numbers`); 0 when missing, negative or not a count."""
    if type(value) is int:  # the common case, a JSON integer: what parse_count would give
        return value if 0 <= value < MAX_COUNT else 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    count = parse_count(value, decimal)
    return 0 if count is None else count


def unescape_text(text: str) -> str:
    """Platform text with HTML character references decoded once (``&amp;`` -> ``&``).

    The X API v2 and Reddit's API and dumps escape ``&``, ``<`` and ``>`` in post text; left
    as they are, lexicons and models would see ``&gt;`` instead of ``>``."""
    return html.unescape(text) if "&" in text else text


#: WGS84 latitudes beyond the Web-Mercator limit: no settlement lies there, so such a point is
#: a corrupt or placeholder value (as is 0, 0, "Null Island" in the Gulf of Guinea)
MAX_PLAUSIBLE_LATITUDE = 85.05


def point_problem(lat: object, lon: object) -> str | None:
    """Why a (lat, lon) pair is not a plausible place to post from, or ``None`` when it is.

    Numbers outside WGS84 ranges, latitudes beyond +-85.05 degrees and exactly (0, 0) are
    implausible; the adapters then keep the post without its coordinates and flag it in the
    file's notes."""
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return "coordinates are not numbers"
    lat_f, lon_f = float(lat), float(lon)  # type: ignore[arg-type]
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        return "coordinates outside the WGS84 range"
    if abs(lat_f) > MAX_PLAUSIBLE_LATITUDE:
        return f"latitude beyond +-{MAX_PLAUSIBLE_LATITUDE:g} degrees"
    if lat_f == 0 and lon_f == 0:
        return "coordinates 0, 0 (a placeholder)"
    return None


class PostCollector:
    """Counts, deduplicates and quarantines the records of one file, so that
    ``n_read == kept + quarantined + duplicates`` holds by construction. A record whose id
    came in an earlier, drained batch (:class:`~barometer.ingest.social.id_set.SeenIds`)
    is counted as a duplicate when its own batch is drained."""

    def __init__(self, source: str, path: Path) -> None:
        self.file = path.name
        self.quarantine = Quarantine(source=source)
        self.records: list[dict[str, object]] = []
        self.seen: set[object] = set()  # ids of the batch not yet drained (exact)
        self.handed_on = SeenIds()  # ids of the drained batches (16 bytes each)
        self.n_read = 0
        self.duplicates = 0
        self.notes: list[str] = []
        self.skipped: dict[str, int] = {}
        self.implausible_points: list[tuple[int, str]] = []
        self._drained = 0  # records (and duplicates among them) handed on by drain()
        self._drained_duplicates = 0

    def skip(self, what: str) -> None:
        """Something in the file that is not a record (a stub, a service message)."""
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def point(self, line: int, lat: object, lon: object) -> tuple[float | None, float | None]:
        """(lat, lon) when plausible; else (None, None), flagged in the notes with its line."""
        if lat is None and lon is None:
            return None, None
        problem = point_problem(lat, lon)
        if problem is not None:
            self.implausible_points.append((line, problem))
            return None, None
        return float(lat), float(lon)  # type: ignore[arg-type]

    def reject(self, line: int, field_name: str, reason: str, raw: object = "") -> None:
        self.n_read += 1
        self.quarantine.reject(self.file, line, field_name, reason, raw)

    def add(self, record: dict[str, object]) -> None:
        self.n_read += 1
        if record["post_id"] in self.seen:
            self.duplicates += 1
            return
        self.seen.add(record["post_id"])
        self.records.append(record)

    @property
    def pending(self) -> int:
        """Records read since the last :meth:`drain`."""
        return self.n_read - self._drained

    def drain(self) -> IngestResult:
        """The records read since the last drain, as a result of their own (no notes: they
        come with :meth:`result`); the file's post ids stay known, so a repeat in a later
        batch still counts as a duplicate."""
        repeats = self.handed_on.add_new([r["post_id"] for r in self.records])
        if repeats.any():
            self.duplicates += int(repeats.sum())
            self.records = [r for r, again in zip(self.records, repeats, strict=True) if not again]
        self.seen = set()
        batch = IngestResult(
            to_frame(self.records),
            self.quarantine.drain(),
            n_read=self.n_read - self._drained,
            n_duplicates=self.duplicates - self._drained_duplicates,
        )
        self.records = []
        self._drained, self._drained_duplicates = self.n_read, self.duplicates
        return batch

    def result(self) -> IngestResult:
        """The records not drained yet and the file's notes (the whole file when nothing was
        drained)."""
        if self._drained:
            last = self.drain()
            last.notes = self._notes()
            return last
        return IngestResult(
            to_frame(self.records),
            self.quarantine,
            n_read=self.n_read,
            n_duplicates=self.duplicates,
            notes=self._notes(),
        )

    def _notes(self) -> list[str]:
        notes = self.notes + [f"skipped {n} {what}" for what, n in self.skipped.items()]
        if self.implausible_points:
            shown = "; ".join(f"line {line}: {why}" for line, why in self.implausible_points[:5])
            more = len(self.implausible_points) - 5
            notes.append(
                f"{len(self.implausible_points)} post(s) with implausible coordinates kept "
                f"without them ({shown}{f'; and {more} more' if more > 0 else ''})"
            )
        return notes


def json_lines_file(path: Path) -> Iterator[tuple[int, Any | None, str]] | None:
    """The file's :func:`~barometer.ingest.files.json_lines`, streamed, when it is JSON Lines;
    ``None`` when it is one JSON document (or broken), left to the caller (which streams it
    or reads it whole).

    A file is JSON Lines when its first non-empty line is a JSON value of its own and another
    non-empty line follows: exactly the files on which ``json.loads`` of the whole text stops
    with "Extra data" after the first line. The file is checked first (a file that cannot be
    read raises the same :class:`~barometer.exceptions.InputError` as when read whole). A file
    of one non-blank line is one document without parsing that line here (an API response on
    one line may be large: it is then streamed or read whole by the caller)."""
    if _one_line(path):
        return None
    lines = stream_json_lines(path)
    first = next(lines, None)
    second = next(lines, None) if first is not None and not first[2] else None
    if first is None or second is None:
        lines.close()
        return None
    return chain([first, second], lines)


def _one_line(path: Path) -> bool:
    """Whether the file has at most one line that is not blank (lines end at ``\n``; blank as
    ``str.strip`` sees it), looking no further than the start of its second line; a file
    that cannot be read says ``True`` (its reader raises the error)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    ended = current = False  # a non-blank line has ended / the current line is not blank
    try:
        with open_binary(path) as handle:
            start = True
            while block := handle.read(STREAM_BLOCK):
                text = decoder.decode(block.removeprefix(b"\xef\xbb\xbf") if start else block)
                start = False
                for index, part in enumerate(text.split("\n")):
                    if index:
                        ended, current = ended or current, False
                    if part.strip():
                        if ended:
                            return False
                        current = True
    except (InputError, OSError, EOFError, zlib.error):
        return True
    return True


def in_batches(
    collector: PostCollector, steps: Iterable[object], batch_size: int
) -> Iterator[IngestResult]:
    """Run ``steps`` (each reads some records into ``collector``), handing on a batch whenever
    ``batch_size`` records are pending; the last result carries the file's notes."""
    for _ in steps:
        if collector.pending >= batch_size:
            yield collector.drain()
    yield collector.result()
