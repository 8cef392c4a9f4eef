"""How a footfall counter export is laid out: the ``[sources.sensing]`` settings.

Vendors and portals write counts in many layouts (Leeds City Council alone used three header
schemas in three years), so every part is configurable and, where left out, found by name:

- **time**: a ``timestamp`` column (date and time), or a ``date`` column plus an ``hour``
  column (``6``, ``06:00``, ``6:00-6:59``: its start), or a ``date`` column alone (daily
  totals: ``resolution = "day"``). Dates may be ISO 8601 or any format of
  :mod:`barometer.ingest.datetimes` (``01-Apr-17``), or ``date_format``.
- **sensor**: ``layout = "wide"`` has one column per sensor (every column that is not a time,
  calendar or ``ignore`` column; ``sensor_columns`` maps a sensor id to its column or columns
  when the headers are not the ids, or when a sensor has an in and an out column);
  ``layout = "long"`` has a ``sensor`` column, or one file per sensor
  (``sensor_from_file_name = true``: the file name without extensions is the sensor id).
- **count**: long layout: the ``count`` column, or several summed (``count = ["InCount",
  "OutCount"]``: people in both directions); in a locale's number format (``decimal_separator``).

Column names in the config and in the file are matched ignoring case, spaces, ``_`` and ``-``
(``Date``, ``DATE``, ``date``). Without a setting, :data:`TIME_NAMES`, :data:`SENSOR_NAMES` and
:data:`COUNT_NAMES` are looked for. A setting that names no column of the file is an
:class:`InputError` naming the key and listing the columns found.

``thresholds``: ``impossible`` readings are negative or above ``max_per_hour`` (hourly) /
``max_per_day`` (daily); ``stuck`` readings are runs of identical non-zero values lasting at
least ``stuck_hours`` hourly readings / ``stuck_days`` daily ones (a frozen counter).
"""

from __future__ import annotations

import zoneinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from barometer.ingest.numbers import DecimalSeparator

#: names looked for when the config does not say (normalised: lower case, no spaces, _ or -)
TIME_NAMES = {
    "timestamp": ("timestamp", "datetime", "datetimeutc", "time_stamp", "datetimelocal"),
    "date": ("date", "day_date", "countdate"),
    "hour": ("hour", "time", "hourofday", "hourstart", "starttime"),
}
SENSOR_NAMES = ("sensorid", "sensor", "sensorname", "counterid", "counter", "locationid",
                "locationname", "location", "siteid", "sitename", "site")  # fmt: skip
COUNT_NAMES = ("count", "value", "footfall", "total", "counts", "totalcount", "pedestriancount")
#: calendar helper columns of wide exports, never sensors
CALENDAR_NAMES = ("year", "month", "day", "weekday", "dayname", "dayofweek", "week", "weeknum",
                  "weeknumber", "monthname", "quarter", "hournumber")  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FootfallColumns(_Strict):
    """Which column holds what; every field is optional (found by name when left out)."""

    timestamp: str | None = None
    date: str | None = None
    hour: str | None = None
    sensor: str | None = Field(default=None, description="long layout: the sensor id column")
    count: str | list[str] | None = Field(
        default=None, description="long layout: the count column, or columns to add up"
    )
    sensor_columns: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="wide layout: sensor id -> its column(s), added up (in + out)",
    )
    ignore: list[str] = Field(
        default_factory=list, description="wide: columns that are not sensors"
    )


class FootfallThresholds(_Strict):
    """Where a reading stops being believable (see the module docstring)."""

    max_per_hour: float = Field(default=20_000, gt=0)
    max_per_day: float = Field(default=200_000, gt=0)
    stuck_hours: int = Field(default=24, ge=2)
    stuck_days: int = Field(default=3, ge=2)


class FootfallFormat(_Strict):
    """Everything needed to read one counter export (see the module docstring)."""

    layout: Literal["wide", "long"] = "wide"
    timezone: str = "Europe/Stockholm"
    day_start_hour: int = Field(
        default=0, ge=0, le=23, description="date+hour exports whose day starts later"
    )
    date_format: str | None = None
    decimal_separator: DecimalSeparator = "auto"
    sensor_from_file_name: bool = False
    columns: FootfallColumns = FootfallColumns()
    thresholds: FootfallThresholds = FootfallThresholds()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value
