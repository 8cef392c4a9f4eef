import pandas as pd
import pytest

from barometer.exceptions import ConfigError, InputError
from barometer.ingest.observation import read_kobo_sessions, read_sites
from barometer.ingest.sensing import flag_readings, read_footfall_wide, read_sensor_metadata
from barometer.ingest.survey import load_codebook, read_survey, rescale


def test_footfall_wide_flags_and_reconciles(fixtures) -> None:
    sensors = read_sensor_metadata(fixtures / "sensors.csv")
    result = read_footfall_wide(fixtures / "footfall_wide.csv", sensors)
    assert result.reconciles()
    assert result.n_read == 71 * 2 and result.quarantined == 2
    assert [(r["line"], r["field"]) for r in result.quarantine.rows] == [(12, "timestamp")]
    rows = result.rows
    assert len(rows) == 70 * 2
    assert rows["ts"].dt.tz is not None
    # 2024-03-30T03:00+01:00 is 02:00 UTC
    gap = rows[(rows["sensor_id"] == "lib_w") & (rows["flag"] == "gap")]
    assert gap["ts"].tolist() == [pd.Timestamp("2024-03-30 02:00", tz="UTC")]
    assert rows.loc[rows["flag"] == "impossible", "sensor_id"].tolist() == ["sq_e"]
    assert rows.loc[rows["flag"] == "unreadable", "sensor_id"].tolist() == ["sq_e"]
    assert set(rows["site_type"]) == {"library", "square"}


def test_stuck_counter_flagged() -> None:
    frame = pd.DataFrame({"sensor_id": ["a"] * 30, "value": [5.0] * 26 + [1.0, 2.0, 0.0, 0.0]})
    flags = flag_readings(frame, max_value=20_000, stuck_run=24)
    assert (flags[:26] == "stuck").all() and (flags[26:] == "ok").all()


def test_footfall_unknown_sensor_column(fixtures) -> None:
    sensors = read_sensor_metadata(fixtures / "sensors.csv").iloc[:1]
    with pytest.raises(InputError, match=r"sensor columns \['sq_e'\] have no entry"):
        read_footfall_wide(fixtures / "footfall_wide.csv", sensors)


def test_sensor_metadata_errors(tmp_path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("sensor_id,name,site_type,lat,lon\na,A,library,north,17\n")
    with pytest.raises(InputError, match="row 2, field 'lat': not a number"):
        read_sensor_metadata(path)


def test_kobo_sessions(fixtures) -> None:
    sites = read_sites(fixtures / "sites.csv")
    result = read_kobo_sessions(fixtures / "kobo.csv", sites)
    assert result.reconciles() and result.n_duplicates == 1
    assert result.rows["observation_id"].tolist() == ["kobo:u-1", "kobo:u-2"]
    assert result.rows["n_people"].tolist() == [40, 30]
    problems = {(r["line"], r["field"]) for r in result.quarantine.rows}
    assert problems == {
        (4, "interactions/mixed"),
        (5, "end"),
        (6, "site_id"),
        (7, "people/total"),
    }
    assert all("Olle" not in r["raw"] for r in result.quarantine.rows)


def test_survey_codebook_rescales_and_quarantines(fixtures) -> None:
    codebook = load_codebook(fixtures / "codebook.toml")
    result = read_survey(fixtures / "survey.csv", codebook)
    assert result.reconciles() and result.n_duplicates == 1
    rows = result.rows.set_index("respondent_id")
    assert list(rows.index) == ["A1", "A2", "A6", "A7"]
    assert rows.loc["A1", "ppltrst"] == 7 and pd.isna(rows.loc["A2", "ppltrst"])  # 88 = DK
    assert rows.loc["A1", "trust_neighbours"] == 10 and rows.loc["A2", "trust_neighbours"] == 5
    assert rows.loc["A1", "belonging"] == 10 and rows.loc["A2", "belonging"] == 0  # reversed
    assert rows.loc["A1", "age_group"] == "30-44" and rows.loc["A2", "age_group"] == "65+"
    assert rows.loc["A2", "sex"] == "female" and bool(rows.loc["A2", "born_abroad"])
    assert rows.loc["A1", "neighbourhood_id"] == "west"
    problems = {(r["line"], r["field"], r["reason"][:9]) for r in result.quarantine.rows}
    assert problems == {
        (3, "Q1", "value 55 "),
        (4, "DISTRICT", "district "),
        (5, "AGE", "age under"),  # 15: outside the surveyed population
    }
    assert all("A3" not in r["raw"] for r in result.quarantine.rows)


def test_rescale_one_to_five() -> None:
    from barometer.ingest.survey import ItemMapping

    item = ItemMapping(source="q", scale_min=1, scale_max=5, missing_codes=[9])
    values, out = rescale(pd.Series([1, 3, 5, 9, 6]), item)
    assert values.tolist()[:3] == [0.0, 5.0, 10.0]
    assert pd.isna(values[3]) and pd.isna(values[4])
    assert out.tolist() == [False, False, False, False, True]


def test_codebook_errors(tmp_path, fixtures) -> None:
    text = (fixtures / "codebook.toml").read_text()
    bad = tmp_path / "c.toml"
    bad.write_text(text.replace("[items.belonging]", "[items.happiness]"))
    with pytest.raises(ConfigError, match="unknown canonical items"):
        load_codebook(bad)
    bad.write_text(text.replace("scale_max = 10", "scale_max = 0"))
    with pytest.raises(ConfigError, match="scale_max must exceed scale_min"):
        load_codebook(bad)


def test_survey_missing_variable(tmp_path, fixtures) -> None:
    codebook = load_codebook(fixtures / "codebook.toml")
    path = tmp_path / "s.csv"
    path.write_text((fixtures / "survey.csv").read_text().replace("Q8", "QX"))
    with pytest.raises(InputError, match=r"variables \['Q8'\] named in the codebook"):
        read_survey(path, codebook)
