"""Timestamps written as local time plus a time-zone abbreviation (``2021-07-05 18:02:45 BRT``).

CrowdTangle-style exports print each post's time in the exporting dashboard's zone, followed by
that zone's abbreviation. An abbreviation stands for a UTC offset, and several stand for more
than one: ``IST`` is India (+05:30), Ireland (+01:00) and Israel (+02:00). So they are resolved
through an explicit table, :data:`ZONE_ABBREVIATIONS`, and a per-source override
(``timezone_abbreviations = { IST = "+05:30" }`` in ``[[sources.social]]``), which wins over the
table. The override's values are UTC offsets (``"+05:30"``, ``"-03"``, ``"UTC+1"``) or IANA zone
names (``"Asia/Kolkata"``: that zone's rules then give the offset at each time).

The table holds the abbreviations in current civil use (checked for 2019 on) whose offset is
unambiguous. Those that name
different offsets in different countries are in :data:`AMBIGUOUS_ABBREVIATIONS` and need the
override; so does an abbreviation in neither table. Both problems concern every row of a file
written in that zone, so :meth:`ZoneResolver.check` raises one :class:`InputError` for the file
(naming the abbreviation, the first line and the config key to set) instead of quarantining the
rows: the file is read again once the config says which zone is meant.

Numeric offsets after the time (``-03``, ``+0530``, ``UTC+02:00``, ``GMT-3``) need no table.
The table's offsets were checked against the IANA tz database (tests/test_ingest_crowdtangle.py).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd

from barometer.exceptions import InputError

#: Unambiguous abbreviations -> UTC offset (``+HH:MM``) or, where the offset changed over the
#: years under one abbreviation, the IANA zone whose rules give it (MSK was +04:00 in 2011-2014).
ZONE_ABBREVIATIONS: dict[str, str] = {
    # Europe and Africa
    "UTC": "+00:00", "UT": "+00:00", "GMT": "+00:00", "WET": "+00:00", "WEST": "+01:00",
    "CET": "+01:00", "CEST": "+02:00", "MET": "+01:00", "MEST": "+02:00", "EET": "+02:00",
    "EEST": "+03:00", "MSK": "Europe/Moscow", "TRT": "+03:00", "WAT": "+01:00", "CAT": "+02:00",
    "SAST": "+02:00", "EAT": "+03:00",
    # Asia and Oceania
    "IDT": "+03:00", "IRST": "+03:30", "AZT": "+04:00", "PKT": "+05:00", "NPT": "+05:45",
    "ICT": "+07:00", "WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00", "HKT": "+08:00",
    "SGT": "+08:00", "MYT": "+08:00", "PHT": "+08:00", "AWST": "+08:00", "JST": "+09:00",
    "KST": "+09:00", "ACST": "+09:30", "ACDT": "+10:30", "AEST": "+10:00", "AEDT": "+11:00",
    "NZST": "+12:00", "NZDT": "+13:00",
    # the Americas
    "HST": "-10:00", "HDT": "-09:00", "AKST": "-09:00", "AKDT": "-08:00", "PDT": "-07:00",
    "MST": "-07:00", "MDT": "-06:00", "EST": "-05:00", "EDT": "-04:00", "ADT": "-03:00",
    "NST": "-03:30", "NDT": "-02:30", "BRT": "-03:00", "BRST": "-02:00", "ART": "-03:00",
    "UYT": "-03:00", "CLT": "-04:00", "CLST": "-03:00", "BOT": "-04:00", "VET": "-04:00",
    "COT": "-05:00", "PET": "-05:00",
}  # fmt: skip

#: Abbreviations that name different offsets in different places: the override must say which.
AMBIGUOUS_ABBREVIATIONS: dict[str, str] = {
    "IST": "India +05:30, Ireland +01:00, Israel +02:00",
    "CST": "US Central -06:00, China +08:00, Cuba -05:00",
    "CDT": "US Central daylight -05:00, Cuba daylight -04:00",
    "BST": "British Summer Time +01:00, Bangladesh +06:00",
    "AST": "Atlantic -04:00, Arabia +03:00",
    "PST": "US Pacific -08:00, Philippines +08:00",
    "SST": "Samoa -11:00, Singapore +08:00",
    "GST": "Gulf +04:00, South Georgia -02:00",
    "ECT": "Ecuador -05:00, Eastern Caribbean -04:00",
    "AMT": "Amazon -04:00, Armenia +04:00",
}

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")
#: a local time of day (``18:02``, ``18:02:45.123``, ``07:10:00 PM``) then a zone
_TRAILING_ZONE = re.compile(
    r"^(?P<local>.*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?)\s*"
    r"(?P<zone>(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5})$",
    re.IGNORECASE,
)


def parse_offset(text: str) -> timedelta | None:
    """``+05:30``, ``-03``, ``+0530``, ``UTC+1``, ``GMT-03:00`` -> offset; ``None`` otherwise."""
    match = _OFFSET.match(text.strip().upper())
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14) or int(minutes or 0) >= 60:
        return None
    return -delta if sign == "-" else delta


def zone_setting_problem(value: str) -> str | None:
    """Why ``value`` cannot be an override (neither an offset nor an IANA zone), or ``None``."""
    if parse_offset(value) is not None:
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"{value!r} is neither a UTC offset such as '+05:30' nor an IANA zone name"
    return None


@dataclass
class ZoneResolver:
    """Resolves the abbreviations of one source: its overrides first, then the table."""

    overrides: dict[str, str] = field(default_factory=dict)
    config_key: str = "[[sources.social]] timezone_abbreviations"

    def __post_init__(self) -> None:
        self.overrides = {k.strip().upper(): v for k, v in self.overrides.items()}

    def setting(self, zone: str) -> str | None:
        """The offset or IANA zone ``zone`` stands for, or ``None`` when it needs an override."""
        return self.overrides.get(zone) or ZONE_ABBREVIATIONS.get(zone)

    @staticmethod
    def trailing_zone(value: str) -> str | None:
        """The abbreviation (letters, not a numeric offset) after a local time, if any."""
        match = _TRAILING_ZONE.match(value.strip())
        if not match or parse_offset(match["zone"]) is not None:
            return None
        return match["zone"].upper()

    def problem(self, zone: str) -> str | None:
        """Why ``zone`` cannot be resolved (ambiguous or unknown, with the fix), or ``None``."""
        if self.setting(zone) is not None:
            return None
        setting = f'{self.config_key} = {{ {zone} = "+HH:MM" }}'
        if zone in AMBIGUOUS_ABBREVIATIONS:
            readings = AMBIGUOUS_ABBREVIATIONS[zone]
            return (
                f"time-zone abbreviation '{zone}' is ambiguous ({readings}); say which in the "
                f"pipeline config: {setting}"
            )
        return (
            f"time-zone abbreviation '{zone}' is not in barometer's table of abbreviations; give "
            f"its UTC offset in the pipeline config: {setting}"
        )

    def check(self, path: Path, column: str, values: Iterable[str], lines: Iterable[int]) -> None:
        """Raise one :class:`InputError` for the first abbreviation in ``values`` that is
        ambiguous or unknown (and not overridden), naming its line and the config key."""
        for value, line in zip(values, lines, strict=False):
            problem = self.value_problem(value)
            if problem is not None:
                raise self.error(path, line, column, problem)

    def value_problem(self, value: object) -> str | None:
        """Why the abbreviation after ``value`` cannot be resolved (:meth:`problem`), if it
        has one."""
        zone = self.trailing_zone(value) if isinstance(value, str) else None
        return self.problem(zone) if zone is not None else None

    @staticmethod
    def error(path: Path, line: int, column: str, problem: str) -> InputError:
        """The :class:`InputError` of :meth:`check` for ``problem`` at ``line``."""
        return InputError(f"{path}: line {line}, column '{column}': {problem}")

    def parse(self, value: str) -> pd.Timestamp | None:
        """A local time with a trailing abbreviation or offset, or ISO 8601 with an offset, to
        UTC; ``None`` when unreadable, without a zone, or with a zone :meth:`check` refuses."""
        value = value.strip()
        match = _TRAILING_ZONE.match(value)
        zone = None
        if match:
            value, zone = match["local"].strip(), match["zone"].upper()
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            return None
        if ts is pd.NaT:
            return None
        if zone is None:
            return ts.tz_convert("UTC") if ts.tzinfo is not None else None
        if ts.tzinfo is not None:
            return None  # an offset and an abbreviation: contradictory or redundant
        offset = parse_offset(zone)
        setting = None if offset is not None else self.setting(zone)
        if offset is None and setting is not None:
            offset = parse_offset(setting)
        if offset is not None:
            return (ts - pd.Timedelta(offset)).tz_localize("UTC")
        if setting is None:
            return None
        try:
            local = ts.tz_localize(setting, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError, OverflowError):
            return None
        return local.tz_convert("UTC")
