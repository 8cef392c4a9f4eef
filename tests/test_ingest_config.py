"""Every new format loads through the pipeline config, `barometer ingest` and `barometer run`."""

import shutil

import pandas as pd
import pyreadstat
import pytest
from conftest import FIXTURES

from barometer.config import load_config
from barometer.exceptions import ConfigError
from barometer.pipeline import run_ingest, run_pipeline
from barometer.schema import OBSERVATIONS, POST_SCORES, POSTS
from barometer.warehouse import Warehouse

CONFIG = """
name = "formats"
municipality = "Testby"

[boundaries]
path = "neighbourhoods.geojson"

[privacy]
demo_key = true
min_cell_size = 1

[[sources.social]]
format = "reddit"
path = "reddit_*"

[[sources.social]]
format = "crowdtangle"
path = "*crowdtangle.csv"

[[sources.social]]
format = "telegram"
path = "telegram_result.json"

[[sources.social]]
format = "tabular"
path = "posts_tabular.csv"
[sources.social.column_mapping]
source = "forum"
id = "msg_id"
created_at = "posted"
timezone = "Europe/Stockholm"
text = "body"
author = "user"
lang = "language"
lat = "latitude"
lon = "longitude"

[sources.survey]
path = "survey.dta"
codebook = "codebook.toml"

[sources.sensing]
readings = "footfall_long.csv"
sensors = "sensors.csv"
layout = "long"

[sources.observation]
sessions = "pldp.csv"
sites = "sites.csv"
format = "pldp"

[indicators]
bootstrap_reps = 19
"""


@pytest.fixture
def formats_config(tmp_path):
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    frame = pd.read_csv(FIXTURES / "survey.csv")
    frame["IDATE"] = pd.to_datetime(frame["IDATE"])
    pyreadstat.write_dta(frame, str(folder / "survey.dta"))
    (folder / "formats.toml").write_text(CONFIG)
    return load_config(folder / "formats.toml")


def test_every_format_loads_through_ingest(formats_config, tmp_path) -> None:
    report = run_ingest(formats_config, warehouse=tmp_path / "wh")
    entries = {e["path"].rsplit("/", 1)[-1]: e for e in report.manifest["inputs"]}
    assert not [e for e in entries.values() if "error" in e]
    kept = {name: e["n_kept"] for name, e in entries.items() if "n_kept" in e}
    assert kept == {
        "reddit_dump.ndjson": 4,
        "reddit_listing.json": 3,
        "crowdtangle.csv": 2,
        "instagram_crowdtangle.csv": 1,
        "telegram_result.json": 3,  # one without date_unixtime, timed by its local date
        "posts_tabular.csv": 3,
        "survey.dta": 4,
        "footfall_long.csv": 5,
        "pldp.csv": 2,
    }
    posts = Warehouse(report.warehouse).read(POSTS)
    assert set(posts["source"]) == {"reddit", "facebook", "instagram", "telegram", "forum"}
    assert posts["author_pseudonym"].str.match(r"^[a-z]+-[0-9a-f]{20}$").all()
    assert not posts["text"].str.contains("anna@example.se|070-123 45 67", regex=True).any()
    forum = posts.set_index("post_id").loc["forum:f-1"]
    assert forum["geo_method"] == "coords" and forum["neighbourhood_id"] == "west"
    observations = Warehouse(report.warehouse).read(OBSERVATIONS)
    assert observations["observer_pseudonym"].str.startswith("observer-").all()


def test_every_format_loads_through_run(formats_config, tmp_path) -> None:
    report = run_pipeline(formats_config, warehouse=tmp_path / "wh", show_progress=False)
    assert report.manifest["row_counts"]["posts"] == 16
    assert report.manifest["row_counts"]["post_scores"] > 0


def test_tabular_needs_a_mapping_and_only_tabular(tmp_path) -> None:
    path = tmp_path / "c.toml"
    text = (FIXTURES / "mini.toml").read_text()
    path.write_text(text.replace('format = "x_v2"', 'format = "tabular"'))
    with pytest.raises(ConfigError, match="format 'tabular' needs a"):
        load_config(path)
    mapping = 'path = "x_page.jsonl"\ncolumn_mapping = { id = "id", created_at = "t", text = "x" }'
    path.write_text(text.replace('path = "x_page.jsonl"', mapping))
    with pytest.raises(ConfigError, match="the other formats take none"):
        load_config(path)
    path.write_text(
        text.replace('format = "x_v2"', 'format = "tabular"').replace(
            'path = "x_page.jsonl"',
            'path = "x.csv"\ncolumn_mapping = { id = "i", created_at = "t", text = "x", '
            'timezone = "Mars/Olympus" }',
        )
    )
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        load_config(path)


def test_a_missing_city_lexicon_folder_warns_and_scores_with_the_packaged_lexicons(
    formats_config, tmp_path
) -> None:
    """A configured nlp.lexicon_dir that does not exist is named in a warning; sentiment is
    still scored (packaged lexicons) and every other task too."""
    from io import StringIO

    from rich.console import Console

    missing = tmp_path / "none"
    config = formats_config.model_copy(
        update={"nlp": formats_config.nlp.model_copy(update={"lexicon_dir": missing})}
    )
    out = StringIO()
    report = run_pipeline(
        config, warehouse=tmp_path / "wh", show_progress=False, console=Console(file=out)
    )
    said = " ".join(out.getvalue().split())
    assert f"the city lexicon folder {missing}" in said and "packaged lexicons only" in said
    assert report.manifest["tasks_not_scored"] == {}
    scores = Warehouse(report.warehouse).read(POST_SCORES)
    assert {"sentiment", "hostility", "trust_expression", "theme"} <= set(scores["task"])


def test_rows_of_an_older_model_version_do_not_reach_the_indicators(
    formats_config, tmp_path, monkeypatch
) -> None:
    """After a model upgrade the warehouse holds both versions' rows; the indicators are
    computed from the current version's rows only."""
    import barometer.engine.tasks as tasks_module

    warehouse = tmp_path / "wh"
    first = run_pipeline(formats_config, warehouse=warehouse, show_progress=False)
    with Warehouse.open_for_writing(first.warehouse) as store:
        scores = store.read(POST_SCORES)
        old = scores[scores["task"] == "hostility"].assign(
            model_version="hostility-2020.1", label="hateful", probability=1.0
        )
        assert store.append(POST_SCORES, old) == len(old) > 0
    seen = []
    summarise = tasks_module.summarise_partition

    def spy(posts, scores):  # the scores each partition's summaries are built from
        seen.append(scores)
        return summarise(posts, scores)

    monkeypatch.setattr(tasks_module, "summarise_partition", spy)
    run_pipeline(formats_config, warehouse=warehouse, show_progress=False)
    used = pd.concat(seen, ignore_index=True)
    assert "hostility-2020.1" not in set(used["model_version"])
    hostility = used[used["task"] == "hostility"]
    assert hostility["post_id"].is_unique and len(hostility) == len(old)
