"""One bad file never stops a run, and a step that cannot be computed is skipped with a
warning (issue 11, deliverable 8)."""

import json

import duckdb
import pandas as pd
from conftest import FIXTURES
from typer.testing import CliRunner

from barometer.aggregate.nowcasting import nowcast_outputs
from barometer.cli import app
from barometer.exceptions import SchemaError
from barometer.schema import OBSERVATIONS, POSTS, SURVEY_RESPONSES
from barometer.warehouse import Warehouse


def test_an_unstorable_survey_file_is_that_files_error(tmp_path, monkeypatch) -> None:
    original = Warehouse.append

    def append(self, table, frame, **where):  # the survey's rows cannot be stored at all
        if table.name == SURVEY_RESPONSES.name:
            raise SchemaError("table 'survey_responses', column 'weight': cannot store values")
        return original(self, table, frame, **where)

    monkeypatch.setattr(Warehouse, "append", append)
    root = tmp_path / "wh"
    result = CliRunner().invoke(
        app, ["run", str(FIXTURES / "mini.toml"), "--warehouse", str(root), "--quiet"]
    )
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output  # the exit status says a file failed
    assert "Traceback" not in result.output
    assert "1 input file(s) could not be read or stored: survey.csv" in output
    store = Warehouse(root)
    assert store.count(POSTS) == 6 and store.count(OBSERVATIONS) == 2  # the rest went on
    manifest = store.manifests()[-1]
    survey = next(e for e in manifest["inputs"] if e["source"] == "survey")
    assert "cannot store values" in survey["error"] and "ingested" not in survey
    assert manifest["sources_missing"] == ["survey"]
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT sources_missing FROM runs").fetchone()
        assert runs is not None and json.loads(runs[0]) == ["survey"]
        assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] > 0  # published
    monkeypatch.setattr(Warehouse, "append", original)
    again = CliRunner().invoke(
        app, ["run", str(FIXTURES / "mini.toml"), "--warehouse", str(root), "--quiet"]
    )
    assert again.exit_code == 0, again.output  # retried by the next run, and stored
    assert Warehouse(root).count(SURVEY_RESPONSES) == 4


def test_a_nowcast_without_some_predictors_is_fitted_on_the_others(sample_warehouse) -> None:
    """The issue's probe: posts of one year only leave the digital predictors empty at the
    later waves; the nowcast ridge crashed with LinAlgError ('SVD did not converge')."""
    root, _ = sample_warehouse
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        cells = con.execute("SELECT * FROM indicators WHERE NOT suppressed").df()
    cells["period_start"] = pd.to_datetime(cells["period_start"]).dt.date
    one_year = cells[
        ~cells["indicator"].str.startswith("digital_")
        | (pd.to_datetime(cells["period_start"]) < pd.Timestamp("2024-01-01"))
    ]
    estimates, tables = nowcast_outputs(one_year, level=0.95)
    summary = tables["nowcast_summary"].iloc[0]
    assert summary["n_waves"] == 6 and 0 < summary["rmse"] < 2
    assert len(estimates) > 300 and estimates["value"].between(0, 10).all()


def test_a_nowcast_with_no_predictor_is_skipped_with_a_reason() -> None:
    cells = pd.DataFrame(
        {
            "neighbourhood_id": ["a", "b"],
            "period_start": [pd.Timestamp("2024-03-01").date()] * 2,
            "period": "M",
            "indicator": "survey_ppltrst_mean",
            "value": [5.0, 6.0],
            "lower": [4.0, 5.0],
            "upper": [6.0, 7.0],
            "n_effective": [30.0, 30.0],
            "method": "m",
        }
    )
    estimates, tables = nowcast_outputs(cells, level=0.95)
    assert estimates.empty
    assert tables["nowcast_summary"]["method"].iloc[0].startswith("not fitted: none of the")


def test_the_run_warns_about_the_steps_it_skipped(mini_warehouse) -> None:
    manifest = Warehouse(mini_warehouse).manifests()[-1]
    assert any(w.startswith("nowcast skipped: ") for w in manifest["warnings"])
    with duckdb.connect(str(mini_warehouse / "barometer.duckdb"), read_only=True) as con:
        method = con.execute("SELECT method FROM nowcast_summary").fetchone()
    assert method is not None and method[0].startswith("not fitted")


def test_sources_without_data_are_named_as_the_app_labels_them(tmp_path) -> None:
    from barometer.config import load_config
    from barometer.run_plan import missing_sources

    config = load_config(FIXTURES / "mini.toml")
    inputs = [
        {"source": "social:x_v2", "ingested": True, "n_kept": 0},
        {"source": "social:mastodon", "ingested": True, "skipped": "already ingested"},
    ]
    counts = {"survey_responses": 4, "sensor_readings": 0, "observations": 2}
    assert missing_sources(config, inputs, counts) == ["x", "sensing"]


def test_a_reader_that_gives_no_batch_is_that_files_error(tmp_path, monkeypatch) -> None:
    from barometer import pipeline

    monkeypatch.setitem(pipeline.SOCIAL_READERS, "x_v2", lambda path, **options: iter(()))
    root = tmp_path / "wh"
    result = CliRunner().invoke(
        app, ["run", str(FIXTURES / "mini.toml"), "--warehouse", str(root), "--quiet"]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    manifest = Warehouse(root).manifests()[-1]
    assert "could not be read or stored: x_page.jsonl" in " ".join(result.output.split())
    x = next(e for e in manifest["inputs"] if e["source"] == "social:x_v2")
    assert "the reader gave no batch" in x["error"] and "ingested" not in x
    assert Warehouse(root).count(OBSERVATIONS) == 2  # the other files went on
