"""The time axis of a footfall export: which columns hold the time (configured, or found by
name: a timestamp, or a date plus an hour), and each row's UTC time from them in the export's
time zone. A wide date+hour export may start its day late (``day_start_hour``); daily totals
are placed at their day's start in local time; a local time that does not exist or is
ambiguous (daylight-saving changes) gets no time and a reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barometer.ingest.columns import Header
from barometer.ingest.datetimes import parse_local, to_utc
from barometer.ingest.footfall_layout import TIME_NAMES, FootfallFormat


def _holds_dates(values: pd.Series) -> bool:
    sample = values.dropna().astype(str).head(50)
    return bool(sample.str.contains(r"\d[-/.]\d|\d{4}|[A-Za-z]{3}", regex=True).any())


def _holds_times(values: pd.Series) -> bool:
    sample = values.dropna().astype(str).head(50)
    return bool(sample.str.contains(r"\d{1,2}:\d{2}", regex=True).any())


def _time_columns(header: Header, frame: pd.DataFrame, fmt: FootfallFormat) -> dict[str, str]:
    """{"timestamp": col} or {"date": col[, "hour": col]}, from the config or by name."""
    cols = fmt.columns
    prefix = "columns."
    if cols.timestamp:
        return {"timestamp": header.configured(prefix + "timestamp", cols.timestamp)}
    found: dict[str, str] = {}
    if cols.date:
        found["date"] = header.configured(prefix + "date", cols.date)
    if cols.hour:
        found["hour"] = header.configured(prefix + "hour", cols.hour)
    if not found:
        stamp = header.conventional(TIME_NAMES["timestamp"])
        if stamp is not None:
            return {"timestamp": stamp}
        date = header.conventional(TIME_NAMES["date"])
        if date is not None:
            found["date"] = date
    if "date" in found and "hour" not in found and cols.hour is None:
        hour = header.conventional(TIME_NAMES["hour"])
        if hour is not None and hour != found["date"]:
            found["hour"] = hour
    if "date" not in found:
        lone = header.conventional(("time",))
        if lone is not None and _holds_dates(frame[lone]) and "hour" not in found:
            return {"timestamp": lone}
        raise header.missing(
            "time", 'columns.timestamp = "<column>" (or columns.date and columns.hour)'
        )
    if "hour" not in found and _holds_times(frame[found["date"]]):
        return {"timestamp": found["date"]}
    return found


def _hours(values: pd.Series) -> pd.Series:
    """Hour of day from ``6``, ``06``, ``06:00``, ``6:00-6:59``, ``0600`` (NaN if none)."""
    text = values.fillna("").astype(str).str.strip()
    hour = pd.to_numeric(
        text.str.extract(r"^(\d{1,2})(?::?[0-5]\d)?(?::[0-5]\d)?(?:\s*-.*)?$")[0], errors="coerce"
    )
    return hour.where((hour >= 0) & (hour <= 23))


def time_axis(
    frame: pd.DataFrame, header: Header, fmt: FootfallFormat, path: Path
) -> tuple[pd.Series, pd.Series, list[str], bool]:
    """(UTC time per row, reason where none, the time columns, whether readings are daily)."""
    columns = _time_columns(header, frame, fmt)
    zone = fmt.timezone
    if "timestamp" in columns:
        column = columns["timestamp"]
        naive, aware = parse_local(
            frame[column], date_format=fmt.date_format, path=path, column=column
        )
        known = naive.dropna()
        if aware.isna().all() and known.nunique() > 1 and (known == known.dt.normalize()).all():
            # every time is midnight: daily totals written with a time of day
            ts, reasons = to_utc(naive + pd.Timedelta(hours=fmt.day_start_hour), zone, shift=True)
            return ts, reasons, [column], True
        placed, reasons = to_utc(naive, zone)
        ts = aware.where(aware.notna(), placed)
        reasons = reasons.where(aware.isna(), "")
        return ts, reasons, [column], False
    date_col = columns["date"]
    naive, _ = parse_local(frame[date_col], date_format=fmt.date_format, path=path, column=date_col)
    day = naive.dt.normalize()
    if "hour" in columns:
        hour = _hours(frame[columns["hour"]])
        local = day + pd.to_timedelta(hour, unit="h")
        local = local + pd.to_timedelta((hour < fmt.day_start_hour).astype(int), unit="D")
        ts, reasons = to_utc(local, zone)
        return ts, reasons, [date_col, columns["hour"]], False
    ts, reasons = to_utc(day + pd.Timedelta(hours=fmt.day_start_hour), zone, shift=True)
    return ts, reasons, [date_col], True
