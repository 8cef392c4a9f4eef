"""Issue 14 through the pipeline config: per-source settings for real exports reach the
adapters, a mistaken setting is a config error naming the key, and counts reconcile."""

import json
import shutil

import pandas as pd
import pytest
from conftest import FIXTURES, shared_data

from barometer.config import load_config
from barometer.exceptions import ConfigError
from barometer.pipeline import run_ingest
from barometer.schema import OBSERVATIONS, POSTS, QUARANTINE, SENSOR_READINGS
from barometer.warehouse import Warehouse

CONFIG = """
name = "exports"
municipality = "Testby"
timezone = "Europe/Stockholm"

[boundaries]
path = "neighbourhoods.geojson"

[privacy]
demo_key = true

[[sources.social]]
format = "crowdtangle"
path = "ct_*.csv"
timezone_abbreviations = { IST = "+05:30" }

[[sources.social]]
format = "telegram"
path = "account.json"
chat_types = ["personal_chat", "private_group"]

[[sources.social]]
format = "mastodon"
path = "status.json"
server = "mastodon.social"

[[sources.social]]
format = "x_v2"
path = "x_page.jsonl"

[sources.sensing]
readings = "leeds/*.csv"
sensors = "leeds_sensors.csv"
layout = "long"
timezone = "Europe/London"
[sources.sensing.columns]
sensor = "LocationName"
count = ["InCount", "OutCount"]
[sources.sensing.thresholds]
stuck_hours = 6

[sources.observation]
format = "kobo"
sessions = "kobo/*.json"
sites = "sites.csv"
[sources.observation.fields]
site_id = "site"
observer = "full_name"

[nlp]
lexicon_dir = "nowhere"
"""


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    (folder / "ct_india.csv").write_text(
        "Page Name,Facebook Id,Post Created,Total Interactions,URL,Message\n"
        'P,1,2021-07-05 18:02:45 IST,"1,204",https://www.facebook.com/p/posts/a,Namaste\n'
    )
    shutil.copy(shared_data("formats", "telegram", "MultiChat_2C_6M.json"), folder / "account.json")
    shutil.copy(shared_data("formats", "mastodon", "status_entity_docs_example.json"),
                folder / "status.json")  # fmt: skip
    (folder / "leeds").mkdir()
    leeds = shared_data("formats", "footfall", "leeds_Monthly Data Feed-April 2017 - 20170510.csv")
    shutil.copy(leeds, folder / "leeds" / "april.csv")
    names = sorted(pd.read_csv(leeds)["LocationName"].str.strip().unique())
    pd.DataFrame({"sensor_id": names, "lat": 59.05, "lon": 17.05}).to_csv(
        folder / "leeds_sensors.csv", index=False
    )
    (folder / "kobo").mkdir()
    body = json.loads(
        shared_data("formats", "kobo", "kobo_api_v2_data_group_names_body.json").read_text()
    )
    for record in body["results"]:
        record.update({"site": "s1", "people/total": "12", "interactions/total": "4",
                       "interactions/mixed": "1", "interactions/conflicts": "0"})  # fmt: skip
    (folder / "kobo" / "page1.json").write_text(json.dumps(body))
    (folder / "exports.toml").write_text(CONFIG)
    return folder


def test_real_export_settings_reach_the_adapters(exports, tmp_path) -> None:
    report = run_ingest(load_config(exports / "exports.toml"), warehouse=tmp_path / "wh")
    entries = {e["path"].rsplit("/", 1)[-1]: e for e in report.manifest["inputs"]}
    assert not [e for e in entries.values() if "error" in e], entries
    for entry in entries.values():
        if "n_read" in entry:
            assert (
                entry["n_read"] == entry["n_kept"] + entry["n_quarantined"] + entry["n_duplicates"]
            )
    kept = {name: e["n_kept"] for name, e in entries.items() if "n_kept" in e}
    assert kept["ct_india.csv"] == 1 and kept["account.json"] == 4 and kept["status.json"] == 1
    assert kept["april.csv"] == 5760 and kept["page1.json"] == 6
    store = Warehouse(report.warehouse)
    posts = store.read(POSTS).set_index("post_id")
    assert posts.loc["facebook:a", "created_at"] == pd.Timestamp("2021-07-05 12:32:45", tz="UTC")
    assert posts.loc["facebook:a", "engagement"] == 1204
    assert "mastodon:mastodon.social:103270115826048975" in posts.index
    readings = store.read(SENSOR_READINGS)
    assert readings["neighbourhood_id"].eq("west").all() and len(readings) == 5760
    observations = store.read(OBSERVATIONS)
    assert len(observations) == 6 and observations["neighbourhood_id"].eq("west").all()
    assert (
        store.count(QUARANTINE)
        == report.new_rows["quarantine"]
        == sum(e.get("n_quarantined", 0) for e in entries.values())
    )


def test_a_sensing_mapping_that_names_no_column_is_reported_for_the_file(exports, tmp_path) -> None:
    text = (
        (exports / "exports.toml")
        .read_text()
        .replace('sensor = "LocationName"', 'sensor = "Site Name"')
    )
    (exports / "exports.toml").write_text(text)
    report = run_ingest(load_config(exports / "exports.toml"), warehouse=tmp_path / "wh")
    [entry] = [e for e in report.manifest["inputs"] if e["path"].endswith("april.csv")]
    assert (
        "[sources.sensing] columns.sensor = 'Site Name' names no column of the file"
        in (entry["error"])
    )
    assert "found columns ['Site', 'LocationName'," in entry["error"]


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('path = "x_page.jsonl"', 'path = "x_page.jsonl"\ndecimal_separator = ","',
         "decimal_separator is for format 'crowdtangle' or 'tabular', not 'x_v2'"),
        ('IST = "+05:30"', 'IST = "India"',
         "IST: 'India' is neither a UTC offset such as '+05:30' nor an IANA zone name"),
        ('"personal_chat", "private_group"', '"secret_chat"', "unknown chat types ['secret_chat']"),
        ('[sources.observation.fields]\nsite_id = "site"\nobserver = "full_name"',
         '[sources.observation.pldp_fields]\nsurvey_id = "uuid"',
         "pldp_fields is for format 'pldp'"),
        ("stuck_hours = 6", "stuck_hour = 6", "sources.sensing.thresholds.stuck_hour"),
        ('count = ["InCount", "OutCount"]', 'counts = ["InCount"]',
         "sources.sensing.columns.counts"),
        ('timezone = "Europe/London"', 'timezone = "Europe/Leeds"',
         "unknown time zone 'Europe/Leeds'"),
    ],
)  # fmt: skip
def test_config_mistakes_name_the_key(exports, old, new, message) -> None:
    path = exports / "exports.toml"
    path.write_text(CONFIG.replace(old, new))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)


def test_no_file_matching_a_glob_is_a_config_error(exports, tmp_path) -> None:
    path = exports / "exports.toml"
    path.write_text(CONFIG.replace('sessions = "kobo/*.json"', 'sessions = "kobo/*.csv"'))
    with pytest.raises(ConfigError, match=r"observation: no file matches .*kobo/\*.csv; check "
                       r"\[sources.observation\] sessions"):  # fmt: skip
        run_ingest(load_config(path), warehouse=tmp_path / "wh")
