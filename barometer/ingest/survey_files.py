"""Reading survey microdata files (SPSS ``.sav``/``.zsav``, Stata ``.dta``, Excel, CSV) as codes,
and reading the interview dates they hold, whichever way the agency wrote them.

SPSS and Stata store dates as numbers with a display format (SPSS: seconds since 1582-10-14;
Stata ``%td``: days since 1960-01-01, ``%tc``: milliseconds). pyreadstat converts them, and one
value beyond what Python's dates can hold (a corrupt cell, a missing-value code stored in a
DATETIME variable) makes that conversion fail for the whole file. Such a file is read again
without the conversion and its date columns are converted here, the impossible values becoming
missing (so the row is quarantined when the interview date is one of them, never the file).
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.files import one_line, read_text

_READSTAT_FORMATS = {".sav": "SPSS .sav", ".zsav": "SPSS .zsav", ".dta": "Stata .dta"}

#: display formats of date variables -> (origin, unit of the stored number)
_SPSS_DATE = re.compile(r"^(DATETIME|YMDHMS|DATE|ADATE|EDATE|JDATE|SDATE)\d*", re.IGNORECASE)
_STATA_DATE = re.compile(r"^%-?t([dcC])")
SPSS_ORIGIN = pd.Timestamp("1582-10-14")
STATA_ORIGIN = pd.Timestamp("1960-01-01")

#: interview dates outside these years are not interviews (a misread number or a code)
PLAUSIBLE_YEARS = (1990, 2100)


def _readstat_dates(frame: pd.DataFrame, formats: dict[str, str], stata: bool) -> pd.DataFrame:
    """Convert the date columns of a frame read with ``disable_datetime_conversion``."""
    for column, fmt in formats.items():
        if column not in frame.columns or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].astype("float64")
        if stata:
            match = _STATA_DATE.match(str(fmt))
            if not match:
                continue
            unit = "D" if match.group(1) == "d" else "ms"
            origin = STATA_ORIGIN
        elif _SPSS_DATE.match(str(fmt)):
            unit, origin = "s", SPSS_ORIGIN
        else:
            continue
        seconds = values * {"D": 86_400.0, "ms": 0.001, "s": 1.0}[unit]
        offset = seconds - (pd.Timestamp("1970-01-01") - origin).total_seconds()
        # datetime64[ns] holds 1677-2262; anything beyond is not a date anyone was interviewed on
        ok = offset.abs() < 9.2e9
        frame[column] = pd.to_datetime(offset.where(ok), unit="s", errors="coerce")
    return frame


def _read_readstat(path: Path, suffix: str) -> pd.DataFrame:
    import pyreadstat

    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    try:
        frame, meta = reader(str(path), apply_value_formats=False)
    except Exception as first:  # pyreadstat raises its own untyped errors
        try:
            frame, meta = reader(
                str(path), apply_value_formats=False, disable_datetime_conversion=True
            )
        except Exception as exc:
            raise InputError(
                f"{path}: not a readable {_READSTAT_FORMATS[suffix]} file ({one_line(exc)}); "
                "is the file extension right?"
            ) from exc
        if not isinstance(first, OverflowError | ValueError):
            raise InputError(
                f"{path}: not a readable {_READSTAT_FORMATS[suffix]} file ({one_line(first)})"
            ) from first
        formats = {k: str(v or "") for k, v in meta.original_variable_types.items()}
        frame = _readstat_dates(frame, formats, suffix == ".dta")
    frame.attrs["value_labels"] = dict(meta.variable_value_labels)
    frame.attrs["variable_labels"] = dict(meta.column_names_to_labels)
    return frame


def read_survey_file(path: Path) -> pd.DataFrame:
    """Read the raw survey table (codes, not labels) from .sav, .zsav, .dta, .xlsx or .csv.

    SPSS and Stata value labels (``{variable: {code: label}}``) and variable labels are kept in
    ``frame.attrs["value_labels"]`` and ``frame.attrs["variable_labels"]``, so that a
    quarantine reason can say what a code means. An Excel workbook is read from its first
    sheet. A CSV may be UTF-8 (with or without BOM) or Windows-1252, comma or semicolon
    separated.
    """
    if not path.is_file():
        raise InputError(f"{path}: survey file not found")
    suffix = path.suffix.lower()
    if suffix not in (*_READSTAT_FORMATS, ".xlsx", ".csv"):
        raise InputError(
            f"{path}: unsupported survey format '{suffix}'; use .sav, .dta, .xlsx or .csv"
        )
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    if suffix == ".csv":
        text, _encoding = read_text(path, legacy=True)
        delimiter = max([",", ";", "\t"], key=text.split("\n", 1)[0].count)
        try:
            return pd.read_csv(io.StringIO(text), sep=delimiter)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise InputError(f"{path}: not a readable CSV table: {one_line(exc)}") from exc
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, sheet_name=0, engine="openpyxl")
        except ImportError as exc:
            raise InputError(f"{path}: reading .xlsx needs the 'openpyxl' package") from exc
        except Exception as exc:  # openpyxl / zipfile raise many untyped errors
            problem = one_line(exc)
            raise InputError(f"{path}: not a readable Excel .xlsx workbook: {problem}") from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame
    return _read_readstat(path, suffix)


def _yyyymmdd(numbers: pd.Series) -> pd.Series | None:
    """Dates when every number is a valid ``yyyymmdd`` (8 digits), else ``None``."""
    known = numbers.dropna()
    if known.empty or not ((known >= 1e7) & (known < 1e8) & (known == known.round())).all():
        return None
    text = numbers.map(lambda v: "" if pd.isna(v) else str(int(v)))
    dates = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    return dates if dates[numbers.notna()].notna().all() else None


def interview_dates(
    path: Path,
    column: str,
    values: pd.Series,
    *,
    date_format: str | None = None,
    origin: date | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Interview dates (UTC) and, per row, why none could be read (``""`` when one could).

    ``values`` may hold dates (SPSS/Stata/Excel date cells), text (ISO 8601, or
    ``date_format``, a ``strptime`` pattern such as ``"%d.%m.%Y"``) or numbers: ``yyyymmdd``
    (``20240305``, detected when every number is one), or days since ``origin`` (the codebook's
    ``interview_date_origin``). Numbers that are neither raise :class:`InputError` naming the
    codebook key, as the same misreading would hit every row. Dates outside
    :data:`PLAUSIBLE_YEARS` are unreadable rows.
    """
    reasons = pd.Series("", index=values.index, dtype=object)
    text_digits = values.map(lambda v: isinstance(v, str) and v.strip().isdigit())
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = pd.to_datetime(values)
    elif pd.api.types.is_numeric_dtype(values) or (
        values.notna().any() and bool(text_digits[values.notna()].all())
    ):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        if origin is not None:
            days = pd.to_timedelta(numbers.where(numbers.abs() < 1e6), unit="D")
            dates = pd.Timestamp(origin) + days
        elif date_format is not None:
            text = numbers.map(lambda v: "" if pd.isna(v) else str(int(v)))
            dates = pd.to_datetime(text, format=date_format, errors="coerce")
        else:
            found = _yyyymmdd(numbers)
            if found is None:
                example = numbers.dropna().iloc[0] if numbers.notna().any() else "?"
                raise InputError(
                    f"{path}: interview dates in '{column}' are numbers that are not yyyymmdd "
                    f"dates (e.g. {example:g}); if they count days, set interview_date_origin "
                    'in the codebook\'s [design] (e.g. "1960-01-01" for Stata or SAS, '
                    '"1899-12-30" for Excel, "1970-01-01" for R or Unix days), or give '
                    "interview_date_format"
                )
            dates = found
    else:
        text = values.map(lambda v: v.strip() if isinstance(v, str) else v)
        if date_format is not None:
            dates = pd.to_datetime(text, format=date_format, errors="coerce")
        else:
            dates = pd.to_datetime(text, format="ISO8601", errors="coerce")
    dates = pd.Series(dates, index=values.index)
    if dates.dt.tz is None:
        dates = dates.dt.tz_localize("UTC")
    low, high = PLAUSIBLE_YEARS
    implausible = dates.notna() & ~dates.dt.year.between(low, high - 1)
    reasons[dates.isna()] = "missing or unreadable interview date"
    reasons[implausible] = f"interview date outside {low}-{high - 1}"
    return dates.where(~implausible.to_numpy()), reasons
