"""Issue 14, footfall: column mappings for the layouts counter exports come in (the Leeds City
Council feed and layouts derived from it), header casing, daily files, thresholds in the config,
config errors that name the key and show the columns."""

import pandas as pd
import pytest
from conftest import FIXTURES, shared_data

from barometer.exceptions import InputError
from barometer.ingest.footfall_layout import FootfallColumns, FootfallFormat, FootfallThresholds
from barometer.ingest.sensing import read_footfall_long, read_footfall_wide, read_sensor_metadata

UTC = "UTC"
LEEDS = ("formats", "footfall", "leeds_Monthly Data Feed-April 2017 - 20170510.csv")


@pytest.fixture
def leeds():
    """The raw Leeds feed (pandas' reading, the reference) and a sensor file for its sites."""
    raw = pd.read_csv(shared_data(*LEEDS))
    raw["LocationName"] = raw["LocationName"].str.strip()
    names = sorted(raw["LocationName"].unique())
    sensors = pd.DataFrame({"sensor_id": names, "name": names, "site_type": "street",
                            "lat": 53.8, "lon": -1.55, "neighbourhood": None})  # fmt: skip
    return raw, sensors


def _expected(raw: pd.DataFrame, value: pd.Series) -> pd.Series:
    """Reference: per sensor and UTC hour, from pandas (dd-Mon-yy dates, London time)."""
    local = pd.to_datetime(raw["Date"], format="%d-%b-%y") + pd.to_timedelta(
        raw["Hour"].str.slice(0, 2).astype(int), unit="h"
    )
    ts = local.dt.tz_localize("Europe/London").dt.tz_convert(UTC)
    return pd.Series(value.to_numpy(), index=pd.MultiIndex.from_arrays([raw["LocationName"], ts]))


def _ours(result) -> pd.Series:
    return result.rows.set_index(["sensor_id", "ts"])["value"]


def test_leeds_long_feed_needs_its_count_named(leeds) -> None:
    _, sensors = leeds
    with pytest.raises(InputError) as error:
        read_footfall_long(shared_data(*LEEDS), sensors, FootfallFormat(layout="long"))
    message = str(error.value)
    assert "no count column found" in message and "[sources.sensing] columns.count" in message
    assert "found columns ['Site', 'LocationName'" in message and "'InCount'" in message


def test_leeds_long_feed_in_plus_out(leeds) -> None:
    raw, sensors = leeds
    fmt = FootfallFormat(layout="long", timezone="Europe/London",
                         columns=FootfallColumns(count=["InCount", "OutCount"]))  # fmt: skip
    result = read_footfall_long(shared_data(*LEEDS), sensors, fmt)
    assert result.reconciles() and result.n_read == len(raw) == len(result.rows)
    expected = _expected(raw, raw["InCount"] + raw["OutCount"])
    assert _ours(result).to_dict() == expected.astype(float).to_dict()
    # 01-Apr-17 00:00 in Leeds is 23:00 UTC the day before (British Summer Time)
    assert result.rows["ts"].min() == pd.Timestamp("2017-03-31 23:00", tz=UTC)
    total = read_footfall_long(
        shared_data(*LEEDS),
        sensors,
        fmt.model_copy(update={"columns": FootfallColumns(count="reportcount")}),
    )
    assert _ours(total).sum() == raw["ReportCount"].sum()


def test_header_casing_and_a_date_time_pair(tmp_path) -> None:
    """`Date`/`Time` (any case) are a date and an hour column without any mapping."""
    path = tmp_path / "wide.csv"
    path.write_text("DATE,Time,Weekday,lib_w,sq_e\n2024-03-05,06:00,Tue,10,20\n"
                    "2024-03-05,07:00,Tue,11,21\n")  # fmt: skip
    sensors = read_sensor_metadata(FIXTURES / "sensors.csv")
    result = read_footfall_wide(path, sensors)
    assert result.reconciles() and len(result.rows) == 4
    assert set(result.rows["ts"]) == {pd.Timestamp("2024-03-05 05:00", tz=UTC),
                                      pd.Timestamp("2024-03-05 06:00", tz=UTC)}  # fmt: skip
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("Dag,Timme,lib_w\n05.03.2024,6,10\n06.03.2024,6,11\n")
    fmt = FootfallFormat(columns=FootfallColumns(date="dag", hour="TIMME"))
    rows = read_footfall_wide(mapped, sensors, fmt).rows
    assert rows["ts"].tolist() == [pd.Timestamp("2024-03-05 05:00", tz=UTC),
                                   pd.Timestamp("2024-03-06 05:00", tz=UTC)]  # fmt: skip
    with pytest.raises(InputError, match=r"columns.hour = 'Stund' names no column of the file; "
                       r"found columns \['Dag', 'Timme', 'lib_w'\]"):  # fmt: skip
        read_footfall_wide(
            mapped, sensors, FootfallFormat(columns=FootfallColumns(date="Dag", hour="Stund"))
        )


def test_daily_files(leeds, tmp_path) -> None:
    raw, sensors = leeds
    daily = raw.groupby(["Date", "LocationName"], as_index=False, sort=False)["InCount"].sum()
    path = tmp_path / "daily.csv"
    daily.rename(columns={"LocationName": "Location", "InCount": "Footfall"}).to_csv(
        path, index=False
    )
    result = read_footfall_long(
        path, sensors, FootfallFormat(layout="long", timezone="Europe/London")
    )
    assert result.reconciles() and len(result.rows) == len(daily) == 30 * 8
    assert result.notes == ["daily.csv: daily totals (one reading per sensor and day)"]
    first = result.rows[result.rows["sensor_id"] == "Albion Street North"].iloc[0]
    assert first["ts"] == pd.Timestamp("2017-03-31 23:00", tz=UTC)  # local midnight, BST
    assert first["value"] == raw[(raw["LocationName"] == "Albion Street North")
                                 & (raw["Date"] == "01-Apr-17")]["InCount"].sum()  # fmt: skip
    assert (result.rows["flag"] == "ok").all()


def test_daily_totals_written_with_midnight_times(tmp_path) -> None:
    sensors = read_sensor_metadata(FIXTURES / "sensors.csv")
    path = tmp_path / "daily.csv"
    path.write_text("Timestamp,lib_w\n2024-03-04 00:00:00,900\n2024-03-05 00:00:00,900\n"
                    "2024-03-06 00:00:00,950\n")  # fmt: skip
    result = read_footfall_wide(path, sensors)
    assert result.notes == ["daily.csv: daily totals (one reading per sensor and day)"]
    # daily thresholds: two equal days are no frozen counter (stuck_days = 3), and 900 a day
    # is far below max_per_day
    assert (result.rows["flag"] == "ok").all()
    assert result.rows["ts"].iloc[0] == pd.Timestamp("2024-03-03 23:00", tz=UTC)


def test_one_file_per_sensor(leeds, tmp_path) -> None:
    raw, sensors = leeds
    one = raw[raw["LocationName"] == "Briggate"][["Date", "Hour", "InCount"]]
    path = tmp_path / "Briggate.csv"
    one.to_csv(path, index=False)
    fmt = FootfallFormat(layout="long", timezone="Europe/London", sensor_from_file_name=True,
                         columns=FootfallColumns(count="InCount"))  # fmt: skip
    result = read_footfall_long(path, sensors, fmt)
    assert set(result.rows["sensor_id"]) == {"Briggate"} and len(result.rows) == len(one) == 720
    assert result.rows["value"].sum() == one["InCount"].sum()


def test_wide_in_and_out_columns_per_sensor(leeds, tmp_path) -> None:
    raw, sensors = leeds
    raw = raw[raw["LocationName"].isin(["Briggate", "Albion Street North"])]
    wide = raw.pivot_table(index=["Date", "Hour"], columns="LocationName",
                           values=["InCount", "OutCount"], sort=False).reset_index()  # fmt: skip
    wide.columns = [f"{b} {a[:-5]}".strip() if b else a for a, b in wide.columns]
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    albion = "Albion Street North"
    mapping = {
        "Briggate": ["Briggate In", "Briggate Out"],
        albion: [f"{albion} In", f"{albion} Out"],
    }
    fmt = FootfallFormat(timezone="Europe/London", columns=FootfallColumns(sensor_columns=mapping))
    result = read_footfall_wide(path, sensors, fmt)
    assert result.reconciles() and len(result.rows) == len(raw)
    expected = _expected(raw, raw["InCount"] + raw["OutCount"]).astype(float)
    assert _ours(result).to_dict() == expected.to_dict()
    with pytest.raises(
        InputError, match=r"sensor columns \['Albion Street North In', .*sensor_col"
    ):
        read_footfall_wide(path, sensors, FootfallFormat(timezone="Europe/London"))


def _stuck_file(tmp_path, hours: int):
    values = [5, 9, 14, 30] + [187] * hours + [40, 12, 3]
    stamps = pd.date_range("2024-03-04 00:00", periods=len(values), freq="h")
    path = tmp_path / "stuck.csv"
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M"), "lib_w": values}).to_csv(
        path, index=False
    )
    return path


def test_thresholds_come_from_the_config(tmp_path) -> None:
    """A 21-hour frozen run is 'ok' at the default 24 hours, 'stuck' when the city says 12;
    the impossible limit is the config's too."""
    sensors = read_sensor_metadata(FIXTURES / "sensors.csv")
    path = _stuck_file(tmp_path, 21)
    assert (read_footfall_wide(path, sensors).rows["flag"] == "ok").all()
    fmt = FootfallFormat(thresholds=FootfallThresholds(stuck_hours=12, max_per_hour=100))
    flags = read_footfall_wide(path, sensors, fmt).rows["flag"].tolist()
    assert flags == ["ok"] * 4 + ["impossible"] * 21 + ["ok"] * 3
    fmt = FootfallFormat(thresholds=FootfallThresholds(stuck_hours=12))
    flags = read_footfall_wide(path, sensors, fmt).rows["flag"].tolist()
    assert flags == ["ok"] * 4 + ["stuck"] * 21 + ["ok"] * 3


def test_locale_counts_and_ambiguous_dates(tmp_path) -> None:
    sensors = read_sensor_metadata(FIXTURES / "sensors.csv")
    path = tmp_path / "se.csv"
    path.write_text('datum;lib_w\n2024-03-05 10:00;"1.234"\n2024-03-05 11:00;"2 345"\n'
                    "2024-03-05 12:00;12\n")  # fmt: skip
    fmt = FootfallFormat(columns=FootfallColumns(timestamp="Datum"))
    assert read_footfall_wide(path, sensors, fmt).rows["value"].tolist() == [1234, 2345, 12]
    path.write_text("date,hour,lib_w\n01/02/2024,6,1\n02/03/2024,6,2\n")
    with pytest.raises(
        InputError, match=r"reads both as '%d/%m/%Y' and as '%m/%d/%Y'.*date_format"
    ):
        read_footfall_wide(path, sensors)
    rows = read_footfall_wide(path, sensors, FootfallFormat(date_format="%d/%m/%Y")).rows
    assert rows["ts"].tolist() == [pd.Timestamp("2024-02-01 05:00", tz=UTC),
                                   pd.Timestamp("2024-03-02 05:00", tz=UTC)]  # fmt: skip


@pytest.mark.parametrize(
    "cell", ["0000-01-01", "0000-01-01T10:00+01:00", "9999-12-31 10:00", "1500-06-01 12:00"]
)
def test_a_time_outside_pandas_range_is_a_quarantined_line_not_a_crash(tmp_path, cell) -> None:
    """pandas 3 parses year 0 or 9999 at a coarser resolution; such a line is unreadable like
    any other (found by the fuzz test: a wide file whose time cell read as year 0)."""
    sensors = read_sensor_metadata(FIXTURES / "sensors.csv")
    ids = list(sensors["sensor_id"][:2])
    path = tmp_path / "wide.csv"
    path.write_text(f"timestamp,{ids[0]},{ids[1]}\n{cell},5,6\n2024-03-05 10:00,7,8\n")
    result = read_footfall_wide(path, sensors, FootfallFormat(timezone=UTC))
    assert (result.n_read, len(result.rows), result.quarantined) == (4, 2, 2)
    assert result.reconciles()
    assert result.rows["value"].tolist() == [7.0, 8.0]
