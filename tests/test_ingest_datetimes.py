"""One value's date-time text to a UTC timestamp (``ingest/datetimes.py``), as the CrowdTangle,
Telegram and observation-form readers use it: property tests and the daylight-saving answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometer.ingest.datetimes import in_utc, timestamp_or_none

# inside pandas' nanosecond range (1677-2262), with a day's margin for any offset
moments = st.datetimes(min_value=datetime(1700, 1, 2), max_value=datetime(2200, 12, 30))
padding = st.sampled_from(["", " ", "\t", "  \n"])
zones = st.sampled_from(["UTC", "Europe/Stockholm", "America/New_York", "Australia/Lord_Howe"])


@given(st.one_of(st.none(), st.integers(), st.floats(), st.lists(st.text(), max_size=2)))
def test_anything_but_a_string_is_none(value: object) -> None:
    assert timestamp_or_none(value) is None


@given(st.text(alphabet=" \t\r\n", max_size=5))
def test_a_blank_string_is_none(value: str) -> None:
    assert timestamp_or_none(value) is None


@given(st.text(alphabet="qxzjkvw!?#", min_size=1, max_size=12), padding)
def test_text_that_is_no_date_is_none(value: str, pad: str) -> None:
    assert timestamp_or_none(pad + value + pad) is None


@pytest.mark.parametrize("value", ["NaT", "nan", "2024-13-01", "2024-02-30 10:00", "10000-01-01"])
def test_not_a_time_and_impossible_dates_are_none(value: str) -> None:
    assert timestamp_or_none(value) is None


@given(moments, st.sampled_from(["T", " "]), padding)
def test_iso_text_round_trips_naive(moment: datetime, sep: str, pad: str) -> None:
    ts = timestamp_or_none(pad + moment.isoformat(sep=sep) + pad)
    assert ts is not None and ts.tzinfo is None
    assert ts == pd.Timestamp(moment)


@given(moments, st.integers(min_value=-12 * 60, max_value=14 * 60), zones)
def test_an_offset_wins_over_the_zone(moment: datetime, minutes: int, zone: str) -> None:
    sign, whole = ("+" if minutes >= 0 else "-"), abs(minutes)
    text = f"{moment.isoformat()}{sign}{whole // 60:02d}:{whole % 60:02d}"
    ts = timestamp_or_none(text)
    assert ts is not None and ts.tzinfo is not None
    utc = in_utc(ts, zone)
    assert utc is not None and str(utc.tz) == "UTC"
    assert utc.tz_localize(None) == pd.Timestamp(moment - timedelta(minutes=minutes))


@given(moments)
def test_naive_in_utc_keeps_the_wall_clock(moment: datetime) -> None:
    utc = in_utc(pd.Timestamp(moment), "UTC")
    assert utc is not None and utc.tz_localize(None) == pd.Timestamp(moment)


@given(moments, zones)
def test_shift_places_every_local_time_and_agrees_where_there_is_no_change(
    moment: datetime, zone: str
) -> None:
    naive = pd.Timestamp(moment)
    shifted = in_utc(naive, zone, shift=True)
    assert shifted is not None
    wall = shifted.tz_convert(zone).tz_localize(None)
    assert naive <= wall < naive + pd.Timedelta(hours=1)  # moved forward only across a gap
    strict = in_utc(naive, zone)
    assert strict is None or strict == shifted


@pytest.mark.parametrize(
    ("local", "shifted"),
    [
        ("2024-03-31 02:30", "2024-03-31 01:00"),  # skipped hour: moved forward to 03:00 CEST
        ("2024-10-27 02:30", "2024-10-27 00:30"),  # repeated hour: the summer-time reading
        ("2024-06-01 12:00", "2024-06-01 10:00"),
    ],
)
def test_daylight_saving_changes_in_stockholm(local: str, shifted: str) -> None:
    naive = timestamp_or_none(local)
    assert naive is not None
    assert in_utc(naive, "Europe/Stockholm", shift=True) == pd.Timestamp(shifted, tz="UTC")
    strict = in_utc(naive, "Europe/Stockholm")
    assert strict == (pd.Timestamp(shifted, tz="UTC") if local.startswith("2024-06") else None)
