"""Reading one sheet of an Excel workbook as a table of strings, like a CSV.

Data-sheet templates (the Gehl Institute's PLDP 1.0 template, say) put a row of instructions
under the header ("Unique Identifier.", "Fill in. (Optional)", "yyyymmdd:hhmm") and pick-lists
to the right of the data, after an empty column. So the header ends at its first empty cell, a
second row made only of such instructions is skipped, and empty rows are ignored. Cells become
text: dates and times as ISO 8601, whole numbers without ``.0``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from barometer.exceptions import InputError
from barometer.ingest.files import CsvTable, one_line, read_bytes

_HELP = re.compile(
    r"^(unique identifier|fill in|pick from list|yyyymmdd|name surname|#|\[|\(optional\))",
    re.IGNORECASE,
)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook; :class:`InputError` when it is not one."""
    read_bytes(path)  # missing / empty file errors
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl / zipfile raise many untyped errors
        raise InputError(f"{path}: not a readable Excel .xlsx workbook: {one_line(exc)}") from exc
    names = list(workbook.sheetnames)
    workbook.close()
    return names


def find_sheet(names: list[str], wanted: str) -> str | None:
    """The sheet whose name starts with ``wanted``, ignoring case (``SURVEY_MOVING (example)``)."""
    return next((n for n in names if n.strip().upper().startswith(wanted.upper())), None)


def read_sheet(path: Path, sheet: str) -> CsvTable:
    """One sheet as strings: ``frame`` (columns up to the first empty header cell), ``lines``
    (the spreadsheet row of each record), no ``bad_rows``, ``encoding`` ``"xlsx"``."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(workbook[sheet].iter_rows(values_only=True))
        workbook.close()
    except Exception as exc:  # openpyxl / zipfile raise many untyped errors
        raise InputError(f"{path}: sheet {sheet!r} is not readable: {one_line(exc)}") from exc
    if not rows:
        return CsvTable(pd.DataFrame(), [], [], "xlsx")
    header: list[str] = []
    for cell in rows[0]:
        name = _text(cell)
        if not name:
            break
        header.append(name)
    records: list[list[str]] = []
    lines: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_text(c) for c in list(row)[: len(header)]]
        cells += [""] * (len(header) - len(cells))
        if not any(cells):
            continue
        if number == 2 and all(not c or _HELP.match(c) for c in cells):
            continue  # the template's instructions row
        records.append(cells)
        lines.append(number)
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(f"{path}: sheet {sheet!r}: column names {repeated} appear twice")
    return CsvTable(pd.DataFrame(records, columns=header, dtype=object), lines, [], "xlsx")
