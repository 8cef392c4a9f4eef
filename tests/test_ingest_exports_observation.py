"""Issue 14, observation: PLDP 1.0 (the official data-sheet template and Seattle's PLDP-based
counts), KoboToolbox API JSON and form-field mappings, site files without coordinates."""

import json
import shutil

import openpyxl
import pandas as pd
import pytest
from conftest import FIXTURES, shared_data

from barometer.enrich import locate_sites
from barometer.exceptions import InputError
from barometer.geo import load_boundaries
from barometer.ingest.observation import KoboFields, read_kobo_sessions, read_sites, resolve_field
from barometer.ingest.pldp import PldpFields, read_pldp_sessions

UTC = "UTC"
TEMPLATE = ("formats", "pldp", "PLDP_1.0 Data Sheet Template (Full) - 20171017.xlsx")
SEATTLE = ("formats", "pldp", "seattle_public_life_study_moving.csv")
SEATTLE_SITES = ("formats", "pldp", "seattle_public_life_study_locations.csv")
KOBO = ("formats", "kobo", "kobo_api_v2_data_group_names_body.json")
COUNTS = ["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"]


def _sheet(workbook, prefix: str):
    return workbook[next(n for n in workbook.sheetnames if n.startswith(prefix))]


@pytest.fixture
def filled_template(tmp_path):
    """The official template with two surveys entered under its own headers."""
    path = tmp_path / "pldp.xlsx"
    shutil.copy(shared_data(*TEMPLATE), path)
    book = openpyxl.load_workbook(path)
    point = json.dumps({"type": "Point", "coordinates": [17.05, 59.05]})
    square = json.dumps({"type": "Polygon", "coordinates": [[[17.14, 59.04], [17.16, 59.04],
                         [17.16, 59.06], [17.14, 59.06], [17.14, 59.04]]]})  # fmt: skip
    book["LOCATIONS"].append(["A", "L1", "Sweden", None, "Testby", point, "area", "Torget"])
    book["LOCATIONS"].append(["A", "L2", "Sweden", None, "Testby", square, "area", "Parken"])
    context = book["SURVEY_CONTEXT"]
    context.append(["S", "L1", "V1", "20240502:1000", "20240502:1030", None, "absolute", None,
                    12, "analogue", "Eva Observer"])  # fmt: skip
    context.append(["S", "L2", "V2", "20240503:1600", "20240503:1620", None, "absolute", None,
                    14, "analogue", "Olle"])  # fmt: skip
    context.append(["S", "L2", "V3", "20240504:1600", "20240504:1620", None, "absolute", None,
                    14, "analogue", "Olle"])  # fmt: skip
    moving = _sheet(book, "SURVEY_MOVING")
    # survey_id, row_id, row_total, gender_male, gender_female, gender_unknown, age_0-14,
    # age_15-24, age_25-64, age_65+, mode_pedestrian, mode_bicyclist
    moving.append(["V1", 1, 18, 10, 8, 0, 0, 2, 16, 0, 18, 0])
    moving.append(["V2", 1, 10, 5, 5, 0, 0, 0, 10, 0, 9, 1])
    moving.append(["V3", 1, "ten", 5, 5, 0, 0, 0, 10, 0, 9, 1])
    staying = _sheet(book, "SURVEY_STAYING")
    # survey_id, row_id, row_total, posture_* (5), activity_commercial, _consuming,
    # _conversing, _cultural, _recreation_active, _waiting_transfer
    staying.append(["V1", 1, 4, 4, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0])
    staying.append(["V1", 2, 3, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    staying.append(["V2", 1, 2, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0])
    staying.append(["V9", 1, 2, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0])
    book.save(path)
    return path


def test_blank_template_reads_as_no_survey() -> None:
    path = shared_data(*TEMPLATE)
    sites = read_sites(FIXTURES / "sites.csv")
    result = read_pldp_sessions(path, sites)
    assert result.reconciles() and result.n_read == 0 and result.rows.empty
    with pytest.raises(InputError, match="no rows below the header"):
        read_sites(path)  # its LOCATIONS sheet holds only the instructions row


def test_filled_template(filled_template) -> None:
    sites = read_sites(filled_template)  # the workbook's LOCATIONS sheet is the site file
    assert sites[["site_id", "name"]].values.tolist() == [["L1", "Torget"], ["L2", "Parken"]]
    assert sites.loc[1, ["lat", "lon"]].round(6).tolist() == [59.05, 17.15]  # polygon centroid
    result = read_pldp_sessions(filled_template, sites)
    assert result.reconciles() and result.n_read == 4 and result.quarantined == 2
    rows = result.rows.set_index("observation_id")
    assert list(rows.index) == ["pldp:V1", "pldp:V2"]
    # moving 18 + staying 4 + 3; 4 people conversing; no mixed/conflict columns in PLDP
    assert rows.loc["pldp:V1", COUNTS].tolist()[:2] == [25, 4]
    assert rows[["n_mixed_interactions", "n_conflicts"]].isna().all().all()
    assert rows.loc["pldp:V1", "start"] == pd.Timestamp("2024-05-02 08:00", tz=UTC)
    assert rows.loc["pldp:V1", "observer"] == "Eva Observer"  # the template's survey_surveor_name
    assert rows.loc["pldp:V2", COUNTS].tolist()[:2] == [12, 2]
    problems = {(r["field"], r["reason"]) for r in result.quarantine.rows}
    assert problems == {("row_total", "row_total must be a whole number >= 0"),
                        ("survey_id", "survey not in SURVEY_CONTEXT")}  # fmt: skip


def test_seattle_public_life_counts() -> None:
    """A city's own PLDP-based moving counts: its names go in the mapping; locations carry a
    neighbourhood name instead of coordinates."""
    sites = read_sites(shared_data(*SEATTLE_SITES))
    assert sites["lat"].isna().all() and sites["neighbourhood"].notna().all() and len(sites) == 132
    path = shared_data(*SEATTLE)
    expected = r"survey_id = 'survey_id' names no column; found columns \['unique_moving_id', "
    with pytest.raises(InputError, match=expected):
        read_pldp_sessions(path, sites, timezone="America/Los_Angeles")
    fields = PldpFields(survey_id="unique_moving_id", time_start="moving_time_start",
                        time_stop="moving_time_end", surveyor="moving_count_surveyor",
                        row_total="moving_row_total")  # fmt: skip
    result = read_pldp_sessions(path, sites, timezone="America/Los_Angeles", fields=fields)
    raw = pd.read_csv(path)
    start = pd.to_datetime(raw["moving_time_start"], format="%Y %b %d %I:%M:%S %p")
    end = pd.to_datetime(raw["moving_time_end"], format="%Y %b %d %I:%M:%S %p")
    valid = end > start  # the study has a few counts whose end is not after their start
    assert result.reconciles() and result.n_read == len(raw)
    assert result.quarantined == int((~valid).sum()) > 0
    assert int(result.rows["n_people"].sum()) == int(raw.loc[valid, "moving_row_total"].sum())
    assert result.rows["n_interactions"].isna().all()  # a moving count records no conversations
    first = result.rows.set_index("observation_id").loc["pldp:2376"]
    assert first["start"] == pd.Timestamp("2022-09-02 02:10", tz=UTC)  # 7:10 PM PDT


def test_sites_without_coordinates_are_placed_by_neighbourhood(tmp_path) -> None:
    boundaries = load_boundaries(FIXTURES / "neighbourhoods.geojson")
    names = boundaries.frame[["neighbourhood_id", "name"]].values.tolist()
    path = tmp_path / "sites.csv"
    path.write_text(
        "location_id,location_name_primary,location_neighborhood,lat,lon\n"
        f"a,Torget,{names[0][1].upper()},,\n"  # by name, any case
        f"b,Parken,{names[1][0]},,\n"  # by id
        "c,Skolan,,59.05,17.05\n"  # by coordinates
    )
    sites = read_sites(path)
    located = locate_sites(sites, boundaries, "site_id")
    assert located["a"] == names[0][0] and located["b"] == names[1][0]
    assert located["c"] == "west"
    path.write_text("site_id,name\nd,Nowhere\n")
    with pytest.raises(InputError, match="row 2: no place for the site"):
        read_sites(path)


# -- KoboToolbox ----------------------------------------------------------------------------


def test_form_fields_are_found_by_group_path() -> None:
    keys = ["obs/people/total", "v2/interactions/total", "total_time", "meta/instanceID"]
    assert resolve_field("people/total", keys) == ("obs/people/total", [])
    assert resolve_field("interactions/total", keys) == ("v2/interactions/total", [])
    assert resolve_field("instanceID", keys) == ("meta/instanceID", [])
    assert resolve_field("total", ["a/total", "b/total"]) == (None, ["a/total", "b/total"])


def test_kobo_api_data_json(tmp_path) -> None:
    """The API's data.json body (robotoolbox fixture: group paths, form versions v1/v2 naming
    one question differently, '-00:00' offsets, _submission_time without offset), with the
    observation form's answers added to each submission."""
    body = json.loads(shared_data(*KOBO).read_text())
    answers = [(40, 10, 4, 0), (30, 6, 2, 1), (30, 6, 7, 0), (20, 4, 1, 0), (10, 2, 0, 0),
               (5, 1, 0, 0)]  # fmt: skip
    for record, (people, talks, mixed, conflicts) in zip(body["results"], answers, strict=True):
        version = next(k for k in record if k.endswith("/hh_sex")).split("/")[0]
        record.update({"site": "s1", f"{version}/people/total": str(people),
                       "interactions/total": talks, "interactions/mixed": mixed,
                       "interactions/conflicts": conflicts})  # fmt: skip
    path = tmp_path / "data.json"
    path.write_text(json.dumps(body))
    sites = read_sites(FIXTURES / "sites.csv")
    fields = KoboFields(site_id="site", observer="full_name", end="_submission_time")
    result = read_kobo_sessions(path, sites, fields=fields)
    assert result.reconciles() and result.n_read == body["count"] == 6
    rows = result.rows.set_index("observation_id")
    assert len(rows) == 5  # 7 mixed of 6 interactions quarantined
    first = rows.loc["kobo:61f705cc-bac6-40c9-85f4-5edef1666579"]
    assert first[COUNTS].tolist() == [40, 10, 4, 0]
    assert first["start"] == pd.Timestamp("2023-05-18 14:48:32.447", tz=UTC)  # '-00:00'
    assert first["end"] == pd.Timestamp("2023-05-18 14:48:51", tz=UTC)  # UTC by Kobo's docs
    [bad] = result.quarantine.rows
    assert (bad["line"], bad["field"]) == (3, "interactions/mixed")
    assert "Fatma" not in json.dumps(result.quarantine.rows)  # names never in quarantine


def test_kobo_repeat_groups_count_their_entries() -> None:
    """formpack's nested repeat groups: a count mapped to a repeat group is its entry count."""
    path = shared_data("formats", "kobo", "formpack_nested_grouped_repeatable_v1.json")
    submissions = json.loads(path.read_text())["submissions"]
    form = submissions[0]["formhub/uuid"]
    sites = pd.DataFrame({"site_id": [form], "name": "trees", "site_type": "park", "lat": 59.05,
                          "lon": 17.05, "neighbourhood": None})  # fmt: skip
    repeat = "group_tree"
    counts = dict.fromkeys(["n_people", "n_interactions", "n_mixed_interactions", "n_conflicts"],
                           repeat)  # fmt: skip
    fields = KoboFields(site_id="formhub/uuid", observer=None, **counts)
    result = read_kobo_sessions(path, sites, fields=fields)
    assert result.reconciles() and result.n_read == len(submissions) == 2
    expected = [len(s.get(repeat, [])) for s in submissions]
    assert result.rows["n_people"].tolist() == expected == [2, 1]
    assert result.rows["start"].iloc[0] == pd.Timestamp("2017-12-27 20:53:26", tz=UTC)  # -05:00


def test_kobo_default_fields_on_a_foreign_form_name_the_field(tmp_path) -> None:
    result = read_kobo_sessions(shared_data(*KOBO), read_sites(FIXTURES / "sites.csv"))
    assert result.reconciles() and result.quarantined == 6
    assert {r["reason"] for r in result.quarantine.rows} == {
        "form field 'site_id' is not in this submission"
    }
    text = json.dumps(result.quarantine.rows)
    assert not any(name in text for name in ("Ahmadou", "Ali", "Fatma", "Lebron", "Jeanne"))


def test_kobo_csv_export_without_group_names_and_errors_without_content(tmp_path) -> None:
    text = (FIXTURES / "kobo.csv").read_text().replace("people/", "").replace("interactions/", "i.")
    text = text.replace(",total,staying,i.total,", ",total,staying,i.all,")
    path = tmp_path / "kobo.csv"
    path.write_text(text)
    sites = read_sites(FIXTURES / "sites.csv")
    fields = KoboFields(n_people="people/total", n_interactions="interactions/all")
    result = read_kobo_sessions(path, sites, fields=fields)
    assert result.reconciles() and result.rows["n_people"].tolist() == [40, 30]
    with pytest.raises(InputError) as error:
        read_kobo_sessions(path, sites, fields=KoboFields(n_people="people/count"))
    message = str(error.value)
    assert "[sources.observation] fields.n_people = 'people/count' names no column" in message
    assert "Eva Observer" not in message and "2024-05-02" not in message
    headless = tmp_path / "headless.csv"  # the header row lost: the first line is a submission
    headless.write_text("\n".join((FIXTURES / "kobo.csv").read_text().splitlines()[1:]) + "\n")
    with pytest.raises(InputError) as error:
        read_kobo_sessions(headless, sites)
    assert "Eva Observer" not in str(error.value) and "2024-05-02T10" not in str(error.value)
    assert "header cell(s) that are not field names, not shown" in str(error.value)
    data = tmp_path / "export.csv"  # the API JSON saved under a .csv name
    data.write_text(shared_data(*KOBO).read_text())
    result = read_kobo_sessions(data, sites)
    assert result.n_read == 6  # read as JSON, not as a CSV whose "header" is the content
