"""Every ingestion parser as a one-argument callable (path -> IngestResult), for the bad-input
corpus and the fuzz tests. Each entry: (name, file suffix, reader)."""

from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES

from barometer.ingest.base import IngestResult
from barometer.ingest.footfall_layout import FootfallColumns, FootfallFormat
from barometer.ingest.observation import read_kobo_sessions, read_sites
from barometer.ingest.pldp import read_pldp_sessions
from barometer.ingest.sensing import read_footfall_long, read_footfall_wide, read_sensor_metadata
from barometer.ingest.social import (
    ColumnMapping,
    read_crowdtangle,
    read_mastodon,
    read_reddit,
    read_tabular,
    read_telegram,
    read_x_v2,
)
from barometer.ingest.survey import load_codebook, read_survey

SENSORS = read_sensor_metadata(FIXTURES / "sensors.csv")
SITES = read_sites(FIXTURES / "sites.csv")
CODEBOOK = load_codebook(FIXTURES / "codebook.toml")
MAPPING = ColumnMapping(
    source="forum", id="id", created_at="time", text="text", timezone="Europe/Stockholm"
)

LEEDS = FootfallFormat(
    layout="long",
    timezone="Europe/London",
    columns=FootfallColumns(sensor="LocationName", count=["InCount", "OutCount"]),
)

Reader = Callable[[Path], IngestResult]

READERS: list[tuple[str, str, Reader]] = [
    ("x_v2", ".jsonl", read_x_v2),
    ("mastodon", ".json", read_mastodon),
    ("reddit", ".json", read_reddit),
    ("reddit_ndjson", ".ndjson", read_reddit),
    ("telegram", ".json", read_telegram),
    ("crowdtangle", ".csv", read_crowdtangle),
    ("crowdtangle_api", ".json", read_crowdtangle),
    ("tabular_csv", ".csv", lambda p: read_tabular(p, MAPPING)),
    ("tabular_jsonl", ".jsonl", lambda p: read_tabular(p, MAPPING)),
    ("tabular_parquet", ".parquet", lambda p: read_tabular(p, MAPPING)),
    ("survey_csv", ".csv", lambda p: read_survey(p, CODEBOOK)),
    ("survey_sav", ".sav", lambda p: read_survey(p, CODEBOOK)),
    ("survey_dta", ".dta", lambda p: read_survey(p, CODEBOOK)),
    ("survey_xlsx", ".xlsx", lambda p: read_survey(p, CODEBOOK)),
    ("sensing_wide", ".csv", lambda p: read_footfall_wide(p, SENSORS)),
    ("sensing_long", ".csv", lambda p: read_footfall_long(p, SENSORS)),
    ("sensing_leeds", ".csv", lambda p: read_footfall_long(p, SENSORS, LEEDS)),
    ("kobo", ".csv", lambda p: read_kobo_sessions(p, SITES)),
    ("kobo_api", ".json", lambda p: read_kobo_sessions(p, SITES)),
    ("pldp", ".csv", lambda p: read_pldp_sessions(p, SITES)),
]

TEXT_READERS = [r for r in READERS if r[1] in (".csv", ".json", ".jsonl", ".ndjson")]
JSON_READERS = [r for r in READERS if r[1] in (".json", ".jsonl", ".ndjson")]
CSV_READERS = [r for r in READERS if r[1] == ".csv"]
