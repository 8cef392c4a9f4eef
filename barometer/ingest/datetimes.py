"""Dates and times as counter vendors, observation forms and open-data portals write them.

:func:`parse_local` reads a column of date or date-time text: ISO 8601 (with or without a UTC
offset), or the first of :data:`DATE_FORMATS` (each optionally followed by a time of day from
:data:`TIME_FORMATS`) that reads every value, e.g. ``01-Apr-17`` (Leeds), ``05.03.2024``,
``2022 Sep 01 07:10:00 PM`` (Seattle). A format named in the config (``date_format``, a
``strptime`` pattern) wins. When two formats read every value but disagree (``03/04/2024`` is
3 April or 4 March), the column is ambiguous and :class:`InputError` asks for ``date_format``;
so does a column no format reads at all.

:func:`to_utc` places naive local times in a time zone: a local time that does not exist (the
hour skipped when daylight-saving time starts) or is ambiguous (the hour repeated when it ends)
cannot be placed and is reported, per value, for the caller to quarantine.

:func:`timestamp_or_none` and :func:`in_utc` do the same for one value, as the JSON readers
(CrowdTangle, Telegram, observation forms) meet them: a non-empty string to a timestamp, else
``None``; naive times placed in a zone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from barometer.exceptions import InputError

#: day formats tried on a column that is not ISO 8601, in this order
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y",
    "%Y %b %d", "%b %d %Y", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%y",
    "%m/%d/%y", "%d-%m-%Y", "%m-%d-%Y",
)  # fmt: skip
#: times of day that may follow the date (after a space or a ``T``)
TIME_FORMATS: tuple[str, ...] = (
    "", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %H.%M",
    ":%H%M",  # PLDP 1.0: yyyymmdd:hhmm
)  # fmt: skip
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
UNREADABLE = "unreadable date or time"


def dst_reason(timezone: str) -> str:
    return f"local time does not exist or is ambiguous in {timezone} (daylight-saving change)"


def _try(values: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(values, format=fmt, errors="coerce")


def detect_format(
    values: pd.Series, *, path: Path, column: str, others_readable: bool = False
) -> str | None:
    """The strptime format reading the most values (``None`` when every value is ISO 8601,
    or when none is readable but ``others_readable``: the column's other values, with an
    offset, were; these few are then unreadable rows, not a format to ask for)."""
    present = values[values.str.len() > 0]
    if present.empty or present.str.match(_ISO).all():
        return None
    sample = present.drop_duplicates().head(2000)
    best: list[tuple[str, pd.Series]] = []
    best_count = 0
    for day in DATE_FORMATS:
        for time in TIME_FORMATS:
            parsed = _try(sample, day + time)
            count = int(parsed.notna().sum())
            if count and count == best_count:
                best.append((day + time, parsed))
            elif count > best_count:
                best, best_count = [(day + time, parsed)], count
    if not best and others_readable:
        return None
    if not best:
        example = str(sample.iloc[0])[:40]
        raise InputError(
            f"{path}: column '{column}': dates such as {example!r} are in no known format; "
            "set date_format (a strptime pattern such as '%d.%m.%Y %H:%M') for this source"
        )
    first_format, first = best[0]
    for other_format, other in best[1:]:
        if not first.equals(other):
            raise InputError(
                f"{path}: column '{column}' reads both as {first_format!r} and as "
                f"{other_format!r} (e.g. {sample[first.ne(other)].iloc[0]!r}); set "
                "date_format for this source to say which"
            )
    return first_format


def parse_local(
    values: pd.Series, *, date_format: str | None, path: Path, column: str
) -> tuple[pd.Series, pd.Series]:
    """(naive local times, UTC times of values that carry an offset), both NaT elsewhere."""
    text = values.fillna("").astype(str).str.strip()
    aware_mask = text.str.contains(_OFFSET) & text.str.contains(r"\d:\d", regex=True)
    aware = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if aware_mask.any():
        aware[aware_mask] = _in_range(
            pd.to_datetime(text[aware_mask], format="ISO8601", utc=True, errors="coerce")
        ).astype("datetime64[ns, UTC]")
    naive_text = text.where(~aware_mask, "")
    readable = bool(aware[aware_mask].notna().any())
    fmt = date_format or detect_format(
        naive_text, path=path, column=column, others_readable=readable
    )
    naive = pd.to_datetime(naive_text, format=fmt or "ISO8601", errors="coerce")
    return _in_range(naive).astype("datetime64[ns]"), aware


def _in_range(times: pd.Series) -> pd.Series:
    """``times`` with NaT where a value lies outside pandas' nanosecond range (about the years
    1677-2262): pandas parses ``0000-01-01`` at a coarser resolution, and such a cell is as
    unreadable as any other."""
    low, high = pd.Timestamp.min, pd.Timestamp.max
    if times.dt.tz is not None:
        low, high = low.tz_localize("UTC"), high.tz_localize("UTC")
    return times.where(times.isna() | ((times >= low) & (times <= high)))


def to_utc(naive: pd.Series, timezone: str, *, shift: bool = False) -> tuple[pd.Series, pd.Series]:
    """Naive local times in ``timezone`` -> (UTC times, per value the reason when NaT).

    ``shift``: move a non-existent local time forward and read an ambiguous one as the first
    (summer-time) reading instead of refusing them (for day starts, where an hour is no error).
    """
    if shift:
        placed = naive.dt.tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")
    else:
        placed = naive.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    reasons = pd.Series("", index=naive.index, dtype=object)
    reasons[naive.isna()] = UNREADABLE
    reasons[naive.notna() & placed.isna()] = dst_reason(timezone)
    return placed.dt.tz_convert("UTC"), reasons


def timestamp_or_none(value: object) -> pd.Timestamp | None:
    """A non-empty date or date-time string -> its timestamp (naive, or aware when the text
    carries an offset); ``None`` for anything else: not a string, blank, unreadable, ``NaT``.

    Surrounding white space is ignored; the text is read as :class:`pandas.Timestamp` reads it
    (ISO 8601 and the common spellings of dates)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        ts = pd.Timestamp(value.strip())
    except (ValueError, TypeError, OverflowError):
        return None
    return None if ts is pd.NaT else ts


def in_utc(ts: pd.Timestamp, naive_zone: str, *, shift: bool = False) -> pd.Timestamp | None:
    """``ts`` in UTC, a naive ``ts`` read as local time in ``naive_zone``.

    ``shift`` as in :func:`to_utc`: move a non-existent local time forward and read an
    ambiguous one as the first (summer-time) reading; without it such a time gives ``None``.
    """
    if ts.tzinfo is None:
        try:
            if shift:
                ts = ts.tz_localize(naive_zone, ambiguous=True, nonexistent="shift_forward")
            else:
                ts = ts.tz_localize(naive_zone, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError, OverflowError):
            return None
    return ts.tz_convert("UTC")
