"""A CSV file read as a stream, with memory bounded by a block and the longest record: the same
encodings, checks, errors and line numbers as :func:`~barometer.ingest.files.read_csv_text`,
which reads the whole file.

:func:`open_csv` reads the bytes once to choose the encoding exactly as the whole-file path
does (:func:`~barometer.ingest.files.decode`: a UTF-16 byte-order mark, then NUL bytes, then
UTF-8, then Windows-1252), raising the same :class:`~barometer.exceptions.InputError` for a
missing, corrupt, empty, binary or undecodable file, and sniffs the delimiter from the first
line. :meth:`CsvStream.scan` is then one pass over the records that raises whatever the
whole-file read raises (an unreadable record, a repeated or a missing required column: in
that order, whatever their place in the file), so that a reader can check a whole column
(time zones, number format) before it hands on any batch; :meth:`CsvStream.records` is the
second pass, the well-formed records as dicts. Each pass decodes the file again as it goes.
"""

from __future__ import annotations

import codecs
import csv
import io
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from barometer.exceptions import InputError
from barometer.ingest.files import (
    LEGACY_ENCODINGS,
    STREAM_BLOCK,
    corrupt_error,
    one_line,
    open_binary,
)

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class _Bytes:
    """What one pass over the bytes saw."""

    utf16: bool = False
    nul: bool = False
    blank: bool = True  # only ASCII white space (bytes.strip)
    utf8_error: int | None = None  # offset of the first byte that is not UTF-8
    bom: bool = False


def _survey(path: Path) -> _Bytes:
    head = read_head(path, len(_UTF8_BOM))
    seen = _Bytes(utf16=head.startswith(_UTF16_BOMS), bom=head.startswith(_UTF8_BOM))
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with open_binary(path) as handle:
        try:
            while block := handle.read(STREAM_BLOCK):
                seen.nul = seen.nul or b"\x00" in block
                seen.blank = seen.blank and not block.strip()
                if seen.utf8_error is None:
                    pending = len(decoder.getstate()[0])
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError as exc:
                        seen.utf8_error = offset - pending + exc.start
                offset += len(block)
            if seen.utf8_error is None:
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError as exc:
                    seen.utf8_error = offset - pending + exc.start
        except (OSError, EOFError, zlib.error) as exc:
            raise corrupt_error(path, exc) from exc
    return seen


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes in ``encoding`` (one streaming pass)."""
    with _text(path, encoding) as handle:
        try:
            while handle.read(STREAM_BLOCK):
                pass
        except UnicodeDecodeError:
            return False
    return True


def _byte_at(path: Path, offset: int) -> int:
    with open_binary(path) as handle:
        handle.read(offset)
        return handle.read(1)[0]


def _not_blank(path: Path, codec: str) -> None:
    with _text(path, codec) as handle:
        while block := handle.read(STREAM_BLOCK):
            if block.strip():
                return
    raise InputError(f"{path}: the file is empty")


def read_head(path: Path, size: int) -> bytes:
    """The file's first ``size`` bytes (``.gz`` decompressed); :class:`InputError` when it is
    missing or cannot be read."""
    with open_binary(path) as handle:
        try:
            return handle.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise corrupt_error(path, exc) from exc


def _encoding(path: Path) -> tuple[str, str]:
    """(codec to read with, encoding as :func:`~barometer.ingest.files.decode` names it),
    raising the errors of :func:`~barometer.ingest.files.read_text` with ``legacy=True``."""
    seen = _survey(path)
    if seen.blank:
        raise InputError(f"{path}: the file is empty")
    if seen.utf16:
        if not _decodes(path, "utf-16"):
            raise InputError(f"{path}: has a UTF-16 byte-order mark but is not UTF-16")
        chosen = ("utf-16", "utf-16")
    elif seen.nul:
        raise InputError(
            f"{path}: binary data (NUL bytes), not a text file; is the file extension right?"
        )
    elif seen.utf8_error is None:
        chosen = ("utf-8-sig", "utf-8")
    else:
        legacy = next((e for e in LEGACY_ENCODINGS if _decodes(path, e)), None)
        if legacy is None:  # the whole-file message, offset as utf-8-sig reports it
            at = seen.utf8_error - (3 if seen.bom else 0)
            raise InputError(
                f"{path}: not valid UTF-8 (byte 0x{_byte_at(path, at):02x} at offset {at}), "
                f"nor {', '.join(LEGACY_ENCODINGS)}; re-save the file as UTF-8"
            )
        chosen = (legacy, legacy)
    _not_blank(path, chosen[0])
    return chosen


def _text(path: Path, codec: str) -> IO[str]:
    return io.TextIOWrapper(open_binary(path), encoding=codec, newline="")


def _delimiter(path: Path, codec: str) -> str:
    """Comma, semicolon or tab: the most frequent in the text before the first ``\\n``."""
    counts = dict.fromkeys([",", ";", "\t"], 0)
    with _text(path, codec) as handle:
        while block := handle.read(STREAM_BLOCK):
            head = block.split("\n", 1)[0]
            for sep in counts:
                counts[sep] += head.count(sep)
            if len(head) < len(block):
                break
    return max(counts, key=lambda sep: counts[sep])


@dataclass
class CsvStream:
    """An opened CSV file: its codec, ``encoding`` (as :class:`~barometer.ingest.files.CsvTable`
    names it), delimiter, ``header`` (after :meth:`scan`) and ``bad_rows`` ((line, reason) of
    the records with the wrong number of fields, found by :meth:`scan`)."""

    path: Path
    codec: str
    encoding: str
    delimiter: str
    header: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)

    def _pass(self) -> Generator[tuple[int, list[str] | None], None, None]:
        """(line, record) per non-blank record; first (0, ``None``) once the header is read
        (into :attr:`header`)."""
        with _text(self.path, self.codec) as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                self.header = [h.strip() for h in next(reader, [])]
                yield 0, None
                start = reader.line_num + 1
                for record in reader:
                    if record and any(cell.strip() for cell in record):
                        yield start, record
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise InputError(
                    f"{self.path}: not a readable CSV table (line {reader.line_num}): "
                    f"{one_line(exc)}"
                ) from exc
            except (OSError, EOFError, zlib.error) as exc:  # changed since it was checked
                raise corrupt_error(self.path, exc) from exc

    def scan(self, required: list[str] | None = None) -> Iterator[tuple[int, list[str]]]:
        """First pass: (line, cells) of each well-formed record; records with the wrong
        number of fields go to :attr:`bad_rows`. When the pass ends, a repeated column name
        or a missing ``required`` column raises, as in the whole-file read."""
        self.bad_rows = []
        for line, record in self._pass():
            if record is None:
                continue
            if len(record) == len(self.header):
                yield line, record
            else:
                reason = f"{len(record)} fields, the header has {len(self.header)}"
                self.bad_rows.append((line, reason))
        header = self.header
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            raise InputError(
                f"{self.path}: column names {repeated} appear more than once in the header"
            )
        missing = [c for c in required or [] if c not in header]
        if missing:
            raise InputError(f"{self.path}: missing required columns {missing}; found {header[:8]}")

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Second pass (after :meth:`scan`): (line, column -> cell) per well-formed record."""
        width = len(self.header)
        for line, record in self._pass():
            if record is not None and len(record) == width:
                yield line, dict(zip(self.header, record, strict=True))


def open_csv(path: Path) -> CsvStream:
    """Open ``path`` as a CSV stream (its encoding and delimiter chosen, errors raised as
    :func:`~barometer.ingest.files.read_csv_text` raises them before it parses)."""
    codec, encoding = _encoding(path)
    stream = CsvStream(path, codec, encoding, _delimiter(path, codec))
    header = stream._pass()
    next(header)  # reads the header line
    header.close()
    return stream


def column_index(stream: CsvStream, name: str) -> int | None:
    """The index of column ``name`` in the header, ``None`` when it has none."""
    return stream.header.index(name) if name in stream.header else None
