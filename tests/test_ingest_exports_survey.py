"""Issue 14, surveys: numeric interview dates, out-of-range SPSS dates, respondents without an
age, and an SPSS file with UTF-8 value labels."""

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from conftest import FIXTURES, shared_data

from barometer.aggregate.survey import MISSING_CATEGORY, wave_design
from barometer.exceptions import InputError
from barometer.ingest.survey import load_codebook, read_survey, read_survey_file

UTC = "UTC"


def _codebook(tmp_path, extra: str = ""):
    text = (FIXTURES / "codebook.toml").read_text()
    path = tmp_path / "codebook.toml"
    path.write_text(text.replace('psu = "PSU"\n', f'psu = "PSU"\n{extra}'))
    return load_codebook(path)


def _survey(tmp_path, dates) -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "survey.csv")
    frame["IDATE"] = dates
    return frame


def test_yyyymmdd_numbers_are_dates(tmp_path) -> None:
    frame = _survey(tmp_path, [20240302, 20240303, 20240304, 20240305, 20240305, 20240302,
                               20240306, 20240306])  # fmt: skip
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(frame, str(path))
    result = read_survey(path, _codebook(tmp_path))
    assert result.reconciles()
    rows = result.rows.set_index("respondent_id")
    assert rows.loc["A1", "interview_date"] == pd.Timestamp("2024-03-02", tz=UTC)
    assert rows.loc["A7", "interview_date"] == pd.Timestamp("2024-03-06", tz=UTC)


def test_day_counts_need_an_origin(tmp_path) -> None:
    stata_days = (pd.Timestamp("2024-03-02") - pd.Timestamp("1960-01-01")).days  # 23437
    frame = _survey(tmp_path, [stata_days + i for i in (0, 1, 2, 3, 3, 0, 4, 4)])
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as error:
        read_survey(path, _codebook(tmp_path))
    message = str(error.value)
    assert "interview dates in 'IDATE' are numbers that are not yyyymmdd dates" in message
    assert "interview_date_origin" in message and str(path) in message
    codebook = _codebook(tmp_path, "interview_date_origin = 1960-01-01\n")
    rows = read_survey(path, codebook).rows.set_index("respondent_id")
    assert rows.loc["A1", "interview_date"] == pd.Timestamp("2024-03-02", tz=UTC)
    assert rows.loc["A6", "interview_date"] == pd.Timestamp("2024-03-06", tz=UTC)


def test_text_dates_in_a_given_format_and_implausible_years(tmp_path) -> None:
    dates = ["02.03.2024", "03.03.2024", "04.03.2024", "05.03.2024", "05.03.2024",
             "02.03.2024", "06.03.1970", "bogus"]  # fmt: skip
    path = tmp_path / "s.csv"
    _survey(tmp_path, dates).to_csv(path, index=False)
    codebook = _codebook(tmp_path, 'interview_date_format = "%d.%m.%Y"\n')
    result = read_survey(path, codebook)
    assert result.reconciles()
    problems = {(r["line"], r["field"], r["reason"]) for r in result.quarantine.rows}
    assert (7, "IDATE", "interview date outside 1990-2099") in problems
    assert (8, "IDATE", "missing or unreadable interview date") in problems
    assert result.rows.set_index("respondent_id").loc["A2", "interview_date"] == pd.Timestamp(
        "2024-03-03", tz=UTC
    )


def test_an_out_of_range_spss_datetime_is_a_quarantined_value(tmp_path) -> None:
    frame = pd.read_csv(FIXTURES / "survey.csv")
    good = pd.Timestamp("2024-03-02 10:30")
    seconds = (good - pd.Timestamp("1582-10-14")).total_seconds()
    frame["IDATE"] = [seconds + 86_400 * i for i in range(len(frame))]
    frame.loc[1, "IDATE"] = 1e15  # about 31 million years: beyond every date type
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(frame, str(path), variable_format={"IDATE": "DATETIME20"})
    with pytest.raises(OverflowError):
        pyreadstat.read_sav(str(path))  # what used to reject the file
    raw = read_survey_file(path)
    assert raw["IDATE"].iloc[0] == good and pd.isna(raw["IDATE"].iloc[1])
    result = read_survey(path, _codebook(tmp_path))
    assert result.reconciles()
    assert (2, "IDATE") in {(r["line"], r["field"]) for r in result.quarantine.rows}  # A2
    assert "A2" not in set(result.rows["respondent_id"]) and "A1" in set(
        result.rows["respondent_id"]
    )


def test_our_spss_date_conversion_agrees_with_pyreadstat(tmp_path) -> None:
    """Where pyreadstat can convert, the fallback conversion gives the same dates."""
    from barometer.ingest.survey_files import _readstat_dates

    stamps = pd.to_datetime(["1999-12-31 23:59:59", "2024-02-29 12:00:00", "1970-01-01 00:00:00"])
    seconds = (stamps - pd.Timestamp("1582-10-14")).total_seconds()
    frame = pd.DataFrame({"when": seconds, "day": seconds})
    path = tmp_path / "d.sav"
    pyreadstat.write_sav(frame, str(path), variable_format={"when": "DATETIME20", "day": "ADATE10"})
    converted, _ = pyreadstat.read_sav(str(path))
    numbers, meta = pyreadstat.read_sav(str(path), disable_datetime_conversion=True)
    ours = _readstat_dates(numbers, dict(meta.original_variable_types), stata=False)
    assert (ours["when"] == pd.to_datetime(converted["when"])).all()
    assert (ours["day"].dt.date == pd.to_datetime(converted["day"]).dt.date).all()


def test_a_respondent_without_age_is_kept_and_weighted(tmp_path) -> None:
    frame = pd.read_csv(FIXTURES / "survey.csv")
    frame["AGE"] = frame["AGE"].astype(float)
    frame.loc[frame["RID"] == "A6", "AGE"] = np.nan
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    result = read_survey(path, _codebook(tmp_path))
    rows = result.rows.set_index("respondent_id")
    assert "A6" in rows.index and pd.isna(rows.loc["A6", "age_group"])
    assert result.quarantined == 3  # as before: A3 (Q1 55), A4 (district), A5 (aged 15)


def test_raking_keeps_a_missing_answer_as_its_own_category() -> None:
    """A respondent without an age group keeps their design-weighted share of the population;
    every answered category still meets its (shrunk) target."""
    rng = np.random.default_rng(7)
    n = 120
    wave = pd.DataFrame(
        {
            "neighbourhood_id": rng.choice(["west", "east"], n),
            "age_group": rng.choice(["16-29", "30-44", "45-64", "65+"], n).astype(object),
            "sex": rng.choice(["female", "male"], n),
            "born_abroad": rng.choice([True, False], n),
            "weight": rng.uniform(0.5, 2.0, n),
            "stratum": "1",
            "psu": [str(i // 4) for i in range(n)],
        }
    )
    wave.loc[[3, 50], "age_group"] = None
    margins = pd.DataFrame(
        [(nb, a, s, b, int(rng.integers(50, 150))) for nb in ("west", "east")
         for a in ("16-29", "30-44", "45-64", "65+") for s in ("female", "male")
         for b in (True, False)],
        columns=["neighbourhood_id", "age_group", "sex", "born_abroad", "population"],
    )  # fmt: skip
    raked = wave.assign(weight=wave_design(wave, margins).weights)
    total = margins["population"].sum()
    share = wave.loc[[3, 50], "weight"].sum() / wave["weight"].sum()
    assert raked["weight"].sum() == pytest.approx(total)
    assert raked.loc[[3, 50], "weight"].sum() == pytest.approx(share * total, rel=1e-6)
    by_age = raked.groupby("age_group")["weight"].sum()
    targets = margins.groupby("age_group")["population"].sum() * (1 - share)
    pd.testing.assert_series_equal(by_age, targets.astype(float), check_names=False, rtol=1e-6)
    by_sex = raked.groupby("sex")["weight"].sum()
    pd.testing.assert_series_equal(
        by_sex, margins.groupby("sex")["population"].sum().astype(float), check_names=False,
        rtol=1e-6,
    )  # fmt: skip
    assert MISSING_CATEGORY == "(missing)"


def test_spss_value_labels_in_utf8() -> None:
    raw = read_survey_file(shared_data("formats", "spss", "haven_umlauts.sav"))
    assert raw["var1"].tolist() == [1, 2, 1, 3]
    assert raw.attrs["value_labels"]["var1"] == {
        1.0: "the ä umlaut",
        2.0: "the ü umlaut",
        3.0: "the ö umlaut",
    }
