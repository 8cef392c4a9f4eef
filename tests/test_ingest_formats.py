"""The adapters of issue 3 on hand-written fixtures: Reddit, CrowdTangle, Telegram, tabular,
XLSX / Stata surveys, long counter exports, PLDP observation, and the real Auckland export."""

import re

import pandas as pd
import pyreadstat
import pytest
from conftest import FIXTURES, shared_data

from barometer.exceptions import InputError
from barometer.ingest.footfall_layout import FootfallFormat
from barometer.ingest.observation import read_sites
from barometer.ingest.pldp import PldpFields, read_pldp_sessions
from barometer.ingest.sensing import read_footfall_long, read_footfall_wide, read_sensor_metadata
from barometer.ingest.social import (
    ColumnMapping,
    read_crowdtangle,
    read_reddit,
    read_tabular,
    read_telegram,
)
from barometer.ingest.social.telegram import plain_text
from barometer.ingest.survey import load_codebook, read_survey, read_survey_file

UTC = "UTC"


def _problems(result) -> set[tuple[int, str]]:
    return {(r["line"], r["field"]) for r in result.quarantine.rows}


def test_reddit_listing_walks_replies_and_skips_more() -> None:
    result = read_reddit(FIXTURES / "reddit_listing.json")
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["reddit:t3_1abc", "reddit:t1_c1", "reddit:t1_c3"]
    assert result.reconciles() and result.n_duplicates == 1
    assert rows.loc["reddit:t3_1abc", "created_at"] == pd.Timestamp("2024-03-05 14:22:01", tz=UTC)
    assert rows.loc["reddit:t3_1abc", "text"].startswith("Nya parken i Westby\n\nGrannarna")
    assert rows.loc["reddit:t3_1abc", "engagement"] == 14  # score 12 + 2 comments
    assert rows.loc["reddit:t1_c3", "author_id"] == "[deleted]:t1_c3"  # not pooled
    assert rows.loc["reddit:t1_c3", "engagement"] == 0  # negative score counts as 0
    assert _problems(result) == {(3, "body")}  # the [removed] reply
    assert any("'more comments'" in note for note in result.notes)
    assert all("bo_b" not in r["raw"] for r in result.quarantine.rows)


def test_reddit_pushshift_ndjson() -> None:
    result = read_reddit(FIXTURES / "reddit_dump.ndjson")
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["reddit:t3_s1", "reddit:t3_s2", "reddit:t1_k1", "reddit:t1_k4"]
    assert result.reconciles() and result.n_read == 8 and result.n_duplicates == 1
    assert rows.loc["reddit:t3_s1", "text"] == "Trygghetsvandring i Westby ikväll"  # [deleted]
    assert bool(rows.loc["reddit:t3_s2", "is_repost"])  # crosspost
    assert _problems(result) == {(4, "body"), (5, "created_utc"), (7, "(json)")}
    assert rows["lang_hint"].isna().all()


def test_telegram_export() -> None:
    result = read_telegram(FIXTURES / "telegram_result.json")
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == [
        "telegram:1733440011:2",
        "telegram:1733440011:3",
        "telegram:1733440011:5",
    ]
    assert result.reconciles() and result.n_read == 5 and result.n_duplicates == 1
    assert rows.loc["telegram:1733440011:2", "engagement"] == 7  # reactions
    assert rows.loc["telegram:1733440011:2", "created_at"] == pd.Timestamp(
        "2024-03-05 14:22:01", tz=UTC
    )
    assert bool(rows.loc["telegram:1733440011:3", "is_repost"])  # forwarded_from
    assert rows.loc["telegram:1733440011:3", "text"] == (
        "Läs mer: https://example.org/ostby och dela gärna!"
    )
    assert _problems(result) == {(4, "text")}
    # message 5 has no date_unixtime (as exports before 2021): its local 'date' 10:00 in
    # Stockholm (CET) is 09:00 UTC
    assert rows.loc["telegram:1733440011:5", "created_at"] == pd.Timestamp(
        "2024-03-06 09:00", tz=UTC
    )
    assert result.notes == [
        "1 message time(s) read from 'date' as Europe/Stockholm local time (the export has no "
        "date_unixtime)",
        "skipped 1 service message(s) (joins, pins, ...), not posts",
    ]


def test_telegram_plain_text_entities() -> None:
    assert plain_text(["a ", {"type": "bold", "text": "b"}, {"type": "x"}, 3]) == "a b"
    assert plain_text("  x ") == "x"
    assert plain_text(None) == ""


def test_crowdtangle_facebook_export() -> None:
    result = read_crowdtangle(FIXTURES / "crowdtangle.csv")
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["facebook:pfbid0abc", "facebook:pfbid0def"]
    assert result.reconciles() and result.n_read == 6 and result.n_duplicates == 1
    # CET is UTC+1 in March, CEST UTC+2 in July
    assert rows.loc["facebook:pfbid0abc", "created_at"] == pd.Timestamp(
        "2024-03-05 13:22:01", tz=UTC
    )
    assert rows.loc["facebook:pfbid0def", "created_at"] == pd.Timestamp("2024-07-01 07:00", tz=UTC)
    assert rows.loc["facebook:pfbid0abc", "engagement"] == 1204  # "1,204"
    assert rows.loc["facebook:pfbid0abc", "author_id"] == "100064123456789"
    assert set(rows["source"]) == {"facebook"}
    assert _problems(result) == {(4, "Post Created"), (5, "Message"), (7, "(row)")}
    assert all("westbyforeningen" not in r["raw"] for r in result.quarantine.rows)


def test_crowdtangle_instagram_export() -> None:
    result = read_crowdtangle(FIXTURES / "instagram_crowdtangle.csv")
    row = result.rows.iloc[0]
    assert row["post_id"] == "instagram:C6abcDEF" and row["source"] == "instagram"
    assert row["text"].startswith("Picknick i Östby park")
    assert row["created_at"] == pd.Timestamp("2024-05-02 16:30", tz=UTC)


MAPPING = ColumnMapping(
    source="forum",
    id="msg_id",
    created_at="posted",
    timezone="Europe/Stockholm",
    text="body",
    author="user",
    lang="language",
    lat="latitude",
    lon="longitude",
    engagement="likes",
    repost="share",
)


def test_tabular_csv_with_mapping() -> None:
    result = read_tabular(FIXTURES / "posts_tabular.csv", MAPPING)
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["forum:f-1", "forum:f-2", "forum:f-6"]
    assert result.reconciles() and result.n_duplicates == 1
    # naive local time in Stockholm (CET) -> UTC
    assert rows.loc["forum:f-1", "created_at"] == pd.Timestamp("2024-03-05 14:22:01", tz=UTC)
    assert rows.loc["forum:f-1", "lat"] == 59.05 and rows.loc["forum:f-1", "lang_hint"] == "sv"
    assert bool(rows.loc["forum:f-2", "is_repost"])
    assert pd.isna(rows.loc["forum:f-6", "lat"])  # latitude 123 dropped, post kept
    problems = {(r["line"], r["field"], r["reason"][:14]) for r in result.quarantine.rows}
    assert problems == {
        (4, "posted", "local time 202"),  # 02:30 on the night clocks jump: does not exist
        (5, "posted", "missing timest"),
        (6, "body", "post has no te"),
    }


def test_tabular_jsonl_and_parquet(tmp_path) -> None:
    mapping = MAPPING.model_copy(update={"timezone": None, "lat": None, "lon": None,
                                         "engagement": None, "repost": None})  # fmt: skip
    result = read_tabular(FIXTURES / "posts_tabular.jsonl", mapping)
    assert result.reconciles() and result.rows["post_id"].tolist() == [
        "forum:j-1",
        "forum:j-2",
        "forum:j-3",
    ]
    assert result.rows["created_at"].nunique() == 2  # seconds and milliseconds agree
    assert _problems(result) == {(3, "(json)"), (5, "(json)")}
    frame = pd.DataFrame(
        {
            "msg_id": ["p-1", "p-2"],
            "posted": pd.to_datetime(["2024-03-05 15:00", "2024-03-06 15:00"]).tz_localize(
                "Europe/Stockholm"
            ),
            "user": ["u1", None],
            "body": ["Parquet post", None],
            "language": ["sv", None],
        }
    )
    path = tmp_path / "posts.parquet"
    frame.to_parquet(path)
    result = read_tabular(path, mapping)
    assert result.reconciles() and result.rows["post_id"].tolist() == ["forum:p-1"]
    assert result.rows["created_at"].iloc[0] == pd.Timestamp("2024-03-05 14:00", tz=UTC)
    assert _problems(result) == {(2, "body")}
    with pytest.raises(InputError, match=r"missing required columns \['likes'\]"):
        read_tabular(path, mapping.model_copy(update={"engagement": "likes"}))


def test_tabular_missing_column_and_unknown_format(tmp_path) -> None:
    bad = MAPPING.model_copy(update={"text": "message"})
    with pytest.raises(InputError, match=r"column_mapping\] text = 'message' names no column"):
        read_tabular(FIXTURES / "posts_tabular.csv", bad)
    other = tmp_path / "posts.xml"
    other.write_text("<posts/>")
    with pytest.raises(InputError, match="unsupported table format"):
        read_tabular(other, MAPPING)


def _survey_frame() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "survey.csv")


def test_survey_xlsx_matches_csv(tmp_path) -> None:
    codebook = load_codebook(FIXTURES / "codebook.toml")
    path = tmp_path / "survey.xlsx"
    _survey_frame().to_excel(path, index=False)
    from_xlsx = read_survey(path, codebook)
    from_csv = read_survey(FIXTURES / "survey.csv", codebook)
    assert from_xlsx.reconciles()
    pd.testing.assert_frame_equal(
        from_xlsx.rows.drop(columns="interview_date"),
        from_csv.rows.drop(columns="interview_date"),
    )
    assert _problems(from_xlsx) == _problems(from_csv)


def test_survey_stata_keeps_value_labels(tmp_path) -> None:
    codebook = load_codebook(FIXTURES / "codebook.toml")
    frame = _survey_frame()
    frame["IDATE"] = pd.to_datetime(frame["IDATE"])
    path = tmp_path / "survey.dta"
    labels = {"SEX": {1: "man", 2: "kvinna"}, "Q1": {88: "vet ej"}}
    pyreadstat.write_dta(frame, str(path), variable_value_labels=labels)
    raw = read_survey_file(path)
    assert raw.attrs["value_labels"]["SEX"] == {1: "man", 2: "kvinna"}
    assert raw["SEX"].iloc[0] == 1  # codes, not labels
    result = read_survey(path, codebook)
    assert result.reconciles()
    assert result.rows["respondent_id"].tolist() == ["A1", "A2", "A6", "A7"]
    assert result.rows.set_index("respondent_id").loc["A2", "sex"] == "female"


def test_long_counter_export(tmp_path) -> None:
    sensors = read_sensor_metadata(FIXTURES / "sensors.csv")
    result = read_footfall_long(FIXTURES / "footfall_long.csv", sensors)
    assert result.reconciles() and result.n_read == 9 and result.n_duplicates == 1
    rows = result.rows.set_index(["sensor_id", "ts"])
    assert rows.loc[("lib_w", pd.Timestamp("2024-03-30 23:00", tz=UTC)), "value"] == 10
    flags = result.rows.groupby("flag").size().to_dict()
    assert flags == {"ok": 2, "gap": 1, "impossible": 1, "unreadable": 1}
    assert _problems(result) == {(6, "timestamp"), (8, "sensor_id"), (10, "timestamp")}
    reasons = {r["line"]: r["reason"] for r in result.quarantine.rows}
    assert "daylight-saving" in reasons[10]


def test_pldp_sessions() -> None:
    """PLDP 1.0 field names, one table whose rows carry the survey context (as cities publish
    it): per survey, people = sum of row_total, interactions = people conversing."""
    sites = read_sites(FIXTURES / "sites.csv")
    result = read_pldp_sessions(FIXTURES / "pldp.csv", sites)
    assert result.reconciles() and result.n_read == 5 and result.quarantined == 3
    rows = result.rows.set_index("observation_id")
    counts = ["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"]
    assert rows.loc["pldp:p-1", counts].tolist() == [30, 10, 4, 2]
    # yyyymmdd:hhmm, local time in Stockholm (CEST) -> UTC
    assert rows.loc["pldp:p-1", "start"] == pd.Timestamp("2024-05-02 08:00", tz=UTC)
    assert rows.loc["pldp:p-2", counts].tolist() == [12, 2, 2, 0]
    assert rows.loc["pldp:p-2", "end"] == pd.Timestamp("2024-05-03 14:20", tz=UTC)
    assert _problems(result) == {(8, "row_total"), (10, "location_id"), (11, "survey_id")}
    assert all("Olle" not in r["raw"] for r in result.quarantine.rows)


def test_pldp_without_the_barometer_extensions(tmp_path) -> None:
    """Without 'mixed' and 'conflict' columns (plain PLDP) those counts are missing, not 0."""
    path = tmp_path / "plain.csv"
    text = (FIXTURES / "pldp.csv").read_text().replace(",mixed,conflict", ",x,y")
    path.write_text(text)
    result = read_pldp_sessions(path, read_sites(FIXTURES / "sites.csv"))
    rows = result.rows.set_index("observation_id")
    assert rows.loc["pldp:p-1", ["n_people", "n_interactions"]].tolist() == [30, 10]
    assert rows[["n_mixed_interactions", "n_conflicts"]].isna().all().all()
    mapping = PldpFields(mixed="shared_table")
    with pytest.raises(InputError, match=r"pldp_fields.mixed = 'shared_table' names no column"):
        read_pldp_sessions(path, read_sites(FIXTURES / "sites.csv"), fields=mapping)


# -- the real Auckland export --------------------------------------------------------------


def _report_counts(text: str) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = {}
    year = 0
    for line in text.splitlines():
        if match := re.match(r"Year (\d{4})", line):
            year = int(match.group(1))
        elif match := re.match(r"\s{4}(.+): (\d+) \(", line):
            counts[(year, match.group(1))] = int(match.group(2))
    return counts


def test_auckland_real_export_gaps_match_the_report() -> None:
    root = shared_data("sensing", "auckland_pedestrian_counts")
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    locations = pd.read_csv(root / "locations.csv")
    sensors = pd.DataFrame(
        {
            "sensor_id": locations["Address"],
            "name": locations["Address"],
            "site_type": "street",
            "lat": locations["Latitude"],
            "lon": locations["Longitude"],
        }
    )
    path = root / "hourly_counts.csv.gz"
    fmt = FootfallFormat(timezone="Pacific/Auckland", day_start_hour=6)
    result = read_footfall_wide(path, sensors, fmt)
    assert result.reconciles()
    assert result.n_read == 61_367 * 21
    # the quarantined lines are the hours daylight-saving time skips or repeats
    assert all("daylight-saving" in r["reason"] for r in result.quarantine.rows)
    assert {r["raw"].split()[1] for r in result.quarantine.rows} == {"2:00-2:59"}
    raw = pd.read_csv(path)
    dropped = raw.index.isin([r["line"] - 2 for r in result.quarantine.rows])
    dropped |= raw.assign(_h=raw["hour"]).duplicated(subset=["date", "_h"]).to_numpy()
    sensor_cols = list(sensors["sensor_id"])
    raw_gaps = raw.loc[~dropped].groupby("year")[sensor_cols].agg(lambda c: c.isna().sum())
    rows = result.rows
    local = rows["ts"].dt.tz_convert("Pacific/Auckland").dt.tz_localize(None)
    rows = rows.assign(year=(local - pd.Timedelta(hours=6)).dt.year)
    ours = rows[rows["flag"] == "gap"].groupby(["year", "sensor_id"]).size()
    # every empty cell of every kept hour is flagged 'gap', none is deleted
    assert ours.to_dict() == {k: v for k, v in raw_gaps.stack().to_dict().items() if v}
    # ... and agrees with the export's own report, except for the DST hours we quarantine and
    # 138 hours of '150 K Road' in late October 2023 that the report leaves out
    dropped_gaps = raw.loc[dropped].groupby("year")[sensor_cols].agg(lambda c: c.isna().sum())
    report = _report_counts((root / "missing_data_report.txt").read_text())
    for (year, sensor), n in report.items():
        expected = n - int(dropped_gaps.stack().get((year, sensor), 0))
        if (year, sensor) == (2023, "150 K Road"):
            expected += 138
        assert ours.get((year, sensor), 0) == expected, (year, sensor)
    assert int(ours.sum()) == sum(report.values()) + 138 - int(dropped_gaps.to_numpy().sum())
