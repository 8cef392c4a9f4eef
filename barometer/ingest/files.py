"""Reading raw input files: one clear :class:`InputError` per file that cannot be read at all.

Every adapter reads its files through these helpers, so that an empty file, a binary file given
as text, a truncated gzip, a byte-order mark or a file in a legacy encoding is handled the same
way everywhere:

- a UTF-8 byte-order mark is dropped; a UTF-16 file (with its BOM) is decoded as UTF-16;
- JSON must be UTF-8 (RFC 8259): anything else is an error naming the byte offset;
- a CSV that is not valid UTF-8 is decoded as Windows-1252 (a superset of Latin-1 for the
  printable range, and what Excel on Swedish Windows writes), and a note says so; when even
  Windows-1252 cannot decode it (undefined bytes), it is an error naming the encoding problem;
- a file holding NUL bytes is binary, not text (an .xlsx or .parquet named .csv, say).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import msgspec
import pandas as pd

from barometer.exceptions import InputError


def one_line(exc: BaseException) -> str:
    """A library's error message on one line (some span several)."""
    return " ".join(str(exc).split())


#: Encodings tried, in order, for CSV files that are not UTF-8.
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1252",)
#: Largest CSV cell read (the csv module's default, 128 KiB, would refuse a whole file for one
#: long cell; a long post's text is cut later, see barometer.ingest.limits).
CSV_FIELD_LIMIT = 256 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))


def read_bytes(path: Path) -> bytes:
    """The file's bytes (``.gz`` decompressed); :class:`InputError` if missing, empty or broken."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"{path}: cannot read the file (truncated or corrupt?): {one_line(exc)}"
        ) from exc
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    return data


def decode(path: Path, data: bytes, *, legacy: bool) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding). ``legacy`` allows a Windows-1252 fallback."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: has a UTF-16 byte-order mark but is not UTF-16") from exc
    if b"\x00" in data:
        raise InputError(
            f"{path}: binary data (NUL bytes), not a text file; is the file extension right?"
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        problem = f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        if not legacy:
            raise InputError(f"{problem}; re-save the file as UTF-8") from exc
        for encoding in LEGACY_ENCODINGS:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
        raise InputError(
            f"{problem}, nor {', '.join(LEGACY_ENCODINGS)}; re-save the file as UTF-8"
        ) from exc


def read_text(path: Path, *, legacy: bool = False) -> tuple[str, str]:
    """Read and decode a whole text file; returns (text, encoding)."""
    text, encoding = decode(path, read_bytes(path), legacy=legacy)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    return text, encoding


def load_json(path: Path) -> Any:
    """Parse a whole JSON document; a truncated or invalid file names line and column."""
    text, _ = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        hint = " (truncated?)" if exc.pos >= len(text.rstrip()) else ""
        raise InputError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{hint}"
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{path}: JSON nested too deeply to read") from exc


#: bytes read at a time when a file is streamed
STREAM_BLOCK = 1 << 20


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes as a stream (``.gz`` decompressed as it is read)."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        return cast(IO[bytes], gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {one_line(exc)}") from exc


def corrupt_error(path: Path, exc: BaseException) -> InputError:
    return InputError(f"{path}: cannot read the file (truncated or corrupt?): {one_line(exc)}")


def check_text_stream(path: Path) -> bool:
    """Check, in one streaming pass with memory bounded by :data:`STREAM_BLOCK`, what
    :func:`read_text` checks on a whole file (missing, truncated or corrupt gzip, empty,
    binary, not UTF-8), raising the same :class:`InputError`; returns whether the file is
    UTF-16 (which :func:`text_lines` then reads whole, as :func:`read_text` does)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    blank = True
    with open_binary(path) as handle:
        try:
            while block := handle.read(STREAM_BLOCK):
                if offset == 0 and block.startswith((b"\xff\xfe", b"\xfe\xff")):
                    return True
                if b"\x00" in block:
                    raise InputError(
                        f"{path}: binary data (NUL bytes), not a text file; is the file "
                        "extension right?"
                    )
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    at = offset + exc.start
                    raise InputError(
                        f"{path}: not valid UTF-8 (byte 0x{block[exc.start]:02x} at offset "
                        f"{at}); re-save the file as UTF-8"
                    ) from exc
                blank = blank and not block.lstrip(b"\xef\xbb\xbf").strip()
                offset += len(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not valid UTF-8 (the file ends inside a character); re-save the file "
                "as UTF-8"
            ) from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise corrupt_error(path, exc) from exc
    if blank:
        raise InputError(f"{path}: the file is empty")
    return False


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a text file, streamed (``.gz`` included) with memory bounded by
    the longest line; the file is checked first (:func:`check_text_stream`), so a file that
    :func:`read_text` would refuse raises the same :class:`InputError` before any line is
    yielded. Lines end at ``\\n`` only (as :func:`json_lines` splits)."""
    if check_text_stream(path):
        text, _ = read_text(path)
        yield from enumerate(text.split("\n"), start=1)
        return
    with open_binary(path) as handle:
        try:
            for line_no, raw in enumerate(handle, start=1):
                if line_no == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                yield line_no, raw.decode("utf-8").removesuffix("\n")
        except (OSError, EOFError, zlib.error) as exc:  # changed since it was checked
            raise corrupt_error(path, exc) from exc


def stream_json_lines(path: Path) -> Generator[tuple[int, Any | None, str], None, None]:
    """:func:`json_lines` of a file, streamed line by line (see :func:`text_lines`)."""
    for line_no, line in text_lines(path):
        yield from json_lines(line, start=line_no)


_DECODER = msgspec.json.Decoder()


def parse_json(text: str) -> Any:
    """The JSON value of ``text``, as :func:`json.loads` returns it, parsed by msgspec (about
    1.7 times as fast on an X response page of 100 tweets). What msgspec refuses (invalid
    JSON, and what only Python's parser takes: ``NaN``, ``Infinity``, numbers beyond float
    range, lone surrogate escapes) goes to :func:`json.loads`, so the values and the error
    messages are the standard library's; integers stay exact at any size."""
    try:
        return _DECODER.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def json_lines(text: str, start: int = 1) -> Iterator[tuple[int, Any | None, str]]:
    """(line number, parsed value or None, error message) per non-empty line of JSON Lines.

    Lines end at ``\n`` only: U+2028 and friends may appear unescaped inside JSON strings."""
    for line_no, line in enumerate(text.split("\n"), start=start):
        if not line.strip():
            continue
        try:
            yield line_no, parse_json(line), ""
        except json.JSONDecodeError as exc:
            yield line_no, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
        except RecursionError:
            yield line_no, None, "JSON nested too deeply"


@dataclass
class CsvTable:
    """A CSV read as strings: ``frame`` (one row per well-formed record, empty cells ``""``),
    ``lines`` (the 1-based file line where each frame row starts), ``bad_rows`` ((line, reason)
    of records with the wrong number of fields) and the ``encoding`` used."""

    frame: pd.DataFrame
    lines: list[int]
    bad_rows: list[tuple[int, str]]
    encoding: str

    def records(self) -> list[dict[str, str]]:
        """The well-formed records as dicts of column -> cell text."""
        return [{str(k): str(v) for k, v in r.items()} for r in self.frame.to_dict("records")]

    @property
    def n_records(self) -> int:
        return len(self.frame) + len(self.bad_rows)


def read_csv_text(path: Path, *, required: list[str] | None = None) -> CsvTable:
    """Read a CSV file as strings.

    The delimiter (comma, semicolon as Swedish Excel writes it, or tab) is sniffed from the
    header line. ``required`` columns missing from the header raise one :class:`InputError`;
    a record with more or fewer fields than the header is reported in ``bad_rows`` (for the
    adapter to quarantine), not dropped.
    """
    text, encoding = read_text(path, legacy=True)
    header_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        records: list[list[str]] = []
        lines: list[int] = []
        bad: list[tuple[int, str]] = []
        start = reader.line_num + 1
        for record in reader:
            if record and any(cell.strip() for cell in record):
                if len(record) == len(header):
                    records.append(record)
                    lines.append(start)
                else:
                    bad.append((start, f"{len(record)} fields, the header has {len(header)}"))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"{path}: not a readable CSV table (line {reader.line_num}): {one_line(exc)}"
        ) from exc
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(f"{path}: column names {repeated} appear more than once in the header")
    missing = [c for c in required or [] if c not in header]
    if missing:
        raise InputError(f"{path}: missing required columns {missing}; found {header[:8]}")
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return CsvTable(frame, lines, bad, encoding)


def encoding_notes(encoding: str) -> list[str]:
    """A note for the run report when a file was not UTF-8."""
    return [] if encoding == "utf-8" else [f"decoded as {encoding} (the file is not UTF-8)"]
