"""The sample municipality end to end: the pipeline must recover the planted truth.

`data_samples/GROUND_TRUTH.json` holds the latent trust, the declining neighbourhood, the action
and its expected effect on each indicator (in the indicator's own units), a placebo, and the
planted defects. One session-scoped build (about 30-60 s on 2 cores) serves every test here.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat
import pytest
import statsmodels.formula.api as smf
from conftest import APP_DIR, REPO_ROOT, SAMPLE_CONFIG, SAMPLE_DIR, shared_data

from barometer.config import load_config
from barometer.pipeline import run_pipeline
from barometer.schema import QUARANTINE, SENSOR_READINGS, TABLES
from barometer.warehouse import Warehouse

SAMPLE = SAMPLE_DIR
TRUTH = json.loads((SAMPLE / "GROUND_TRUTH.json").read_text())
EFFECT_INDICATORS = [
    "survey_ppltrst_mean",
    "digital_negative_share",
    "observation_mixed_rate",
    "sensing_footfall_index",
]


@pytest.fixture(scope="module")
def built(sample_warehouse: tuple[Path, dict]) -> tuple[Path, dict]:
    return sample_warehouse


@pytest.fixture(scope="module")
def indicators(built) -> pd.DataFrame:
    root, _ = built
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        frame = con.execute("SELECT * FROM indicators WHERE NOT suppressed").df()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def _did(
    frame: pd.DataFrame, unit: str, start: str, exclude: list[str]
) -> tuple[float, float, float]:
    """Two-way fixed-effects DiD estimate and 95% interval for one unit from ``start``."""
    data = frame[~frame["neighbourhood_id"].isin(exclude)].copy()
    post = data["period_start"] >= pd.Timestamp(start)
    data["treated"] = ((data["neighbourhood_id"] == unit) & post).astype(int)
    fit = smf.ols("value ~ treated + C(neighbourhood_id) + C(period_start)", data).fit()
    lower, upper = fit.conf_int().loc["treated"]
    return float(fit.params["treated"]), float(lower), float(upper)


@pytest.mark.parametrize("indicator", EFFECT_INDICATORS)
def test_action_effect_recovered_within_interval(indicators, indicator) -> None:
    action = TRUTH["action"]
    truth = action["expected_effect"][indicator]
    series = indicators[indicators["indicator"] == indicator]
    estimate, lower, upper = _did(
        series,
        action["neighbourhood_id"],
        action["start"],
        [TRUTH["declining"]["neighbourhood_id"]],
    )
    assert lower <= truth <= upper, (indicator, estimate, lower, upper, truth)
    assert lower > 0 or upper < 0, "the planted effect must be distinguishable from zero"


@pytest.mark.parametrize("indicator", ["digital_negative_share", "sensing_footfall_index"])
def test_placebo_action_not_significant(indicators, indicator) -> None:
    placebo = TRUTH["placebo"]
    series = indicators[indicators["indicator"] == indicator]
    exclude = [TRUTH["declining"]["neighbourhood_id"], TRUTH["action"]["neighbourhood_id"]]
    _, lower, upper = _did(series, placebo["neighbourhood_id"], placebo["start"], exclude)
    assert lower <= 0 <= upper


def test_declining_neighbourhood_recovered(indicators) -> None:
    declining = TRUTH["declining"]
    survey = indicators[
        (indicators["indicator"] == "survey_ppltrst_mean")
        & (indicators["neighbourhood_id"] == declining["neighbourhood_id"])
    ].copy()
    survey["years"] = (survey["period_start"] - pd.Timestamp("2023-01-01")).dt.days / 365.25
    fit = smf.ols("value ~ years", survey).fit()
    lower, upper = fit.conf_int().loc["years"]
    assert upper < 0 and lower <= declining["slope_per_year"] <= upper
    index = indicators[
        (indicators["indicator"] == "composite_trust_index")
        & (indicators["neighbourhood_id"] == declining["neighbourhood_id"])
    ].copy()
    index["years"] = (index["period_start"] - pd.Timestamp("2023-01-01")).dt.days / 365.25
    assert smf.ols("value ~ years", index).fit().conf_int().loc["years"].iloc[1] < 0


def test_composite_tracks_latent_trust(indicators) -> None:
    """Where all its dimensions are published, the index tracks the planted trust. In the
    smallest neighbourhoods fewer than 10 authors a month post anything negative, so the
    digital share is suppressed (numerator below k) and the index rests on sensing and
    observation alone; those months are left out here, and counted."""
    index = indicators[indicators["indicator"] == "composite_trust_index"]
    digital = indicators[indicators["indicator"] == "digital_negative_share"]
    latent = pd.DataFrame(
        [
            {"neighbourhood_id": n, "period_start": pd.Timestamp(f"{m}-01"), "latent": v}
            for n, months in TRUTH["latent_trust"].items()
            for m, v in months.items()
        ]
    )
    merged = index.merge(latent, on=["neighbourhood_id", "period_start"])
    assert len(merged) == 360
    complete = merged.merge(digital[["neighbourhood_id", "period_start"]])
    assert len(complete) > len(merged) / 2  # the larger neighbourhoods keep every month
    assert complete["value"].corr(complete["latent"]) > 0.8


def test_every_interval_contains_its_value(indicators) -> None:
    has = indicators.dropna(subset=["lower", "upper"])
    assert (has["lower"] <= has["value"] + 1e-9).all() and (
        has["value"] <= has["upper"] + 1e-9
    ).all()


def test_planted_defects_are_quarantined_or_flagged(built) -> None:
    root, manifest = built
    store = Warehouse(root)
    quarantine = store.read(QUARANTINE)
    by_source = quarantine.groupby("source").size().to_dict()
    defects = TRUTH["defects"]
    social = defects["social"]
    expected_x = (
        social["missing_created_at"]
        + social["bad_created_at"]
        + social["empty_text"]
        + len(social["truncated_lines"])
    )
    assert by_source["x"] == expected_x
    assert by_source["survey"] == len(defects["survey"]["impossible_values"])
    observation = defects["observation"]
    assert by_source["observation"] == len(observation["mixed_gt_total"]) + len(
        observation["end_before_start"]
    )
    readings = store.read(SENSOR_READINGS, columns=["sensor_id", "flag"])
    flags = readings["flag"].value_counts().to_dict()
    outage_hours = sum(run["hours"] for run in defects["sensing"]["outage_runs"])
    assert flags["gap"] >= outage_hours * 0.95
    assert flags.get("stuck", 0) >= 48 and flags.get("impossible", 0) >= 1
    for entry in manifest["inputs"]:
        if "n_read" in entry:
            assert (
                entry["n_read"] == entry["n_kept"] + entry["n_quarantined"] + entry["n_duplicates"]
            )


def _raw_identifiers() -> tuple[set[str], set[str]]:
    """(ids, names) in the raw sample files: author and respondent ids; handles and observer
    names. Names can be ordinary words ("lita"), so in free text only "@name" counts."""
    ids: set[str] = set()
    names: set[str] = set()
    for path in sorted((SAMPLE / "social").glob("x_*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                try:
                    page = json.loads(line)
                except json.JSONDecodeError:
                    continue
                for user in page.get("includes", {}).get("users", []):
                    ids.add(str(user["id"]))
                    names.add(user["username"])
    for path in sorted((SAMPLE / "social").glob("mastodon_*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for status in json.load(handle):
                account = status["account"]
                ids.add(str(account["id"]))
                names.update({account["username"], account["acct"]})
    survey, _ = pyreadstat.read_sav(str(SAMPLE / "survey" / "botkyrka_trust_survey.sav"))
    ids.update(survey["RESP_ID"].astype(str))
    sessions = pd.read_csv(SAMPLE / "observation" / "observation_sessions.csv")
    names.update(sessions["observer"].astype(str))
    return {i for i in ids if len(i) >= 4}, names


def test_no_raw_identifier_reaches_the_warehouse(built) -> None:
    root, _ = built
    ids, names = _raw_identifiers()
    assert len(ids) > 5000 and len(names) > 5000
    store = Warehouse(root)
    free_text = {("posts", "text"), ("quarantine", "raw"), ("quarantine", "reason")}
    tokens: set[str] = set()
    handles: set[str] = set()
    values: set[str] = set()
    split = re.compile(r"[^\w@.-]+")
    for table in TABLES.values():
        frame = store.read(table)
        for column in frame.columns:
            if frame[column].dtype.kind in "biufcmM":
                continue
            for value in frame[column].dropna().astype(str).unique():
                parts = split.split(value)
                tokens.update(parts)
                if (table.name, column) in free_text:
                    handles.update(p[1:] for p in parts if p.startswith("@"))
                else:
                    values.add(value)
                    tokens.update(p.split(":")[-1] for p in parts)
    assert not ids & tokens, sorted(ids & tokens)[:10]
    assert not names & handles, sorted(names & handles)[:10]
    assert not names & values, sorted(names & values)[:10]


def test_rerun_changes_nothing(built) -> None:
    root, manifest = built
    store = Warehouse(root)
    before = {name: store.read(table) for name, table in TABLES.items()}
    config = load_config(SAMPLE_CONFIG)
    again = run_pipeline(config, warehouse=root, show_progress=False)
    assert sum(again.new_rows.values()) == 0
    assert again.manifest["row_counts"] == manifest["row_counts"]
    for name, table in TABLES.items():
        pd.testing.assert_frame_equal(store.read(table), before[name], obj=name)


def test_app_overview_on_the_sample(built, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    root, _ = built
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(root))
    monkeypatch.syspath_prepend(str(APP_DIR))
    at = AppTest.from_file(str(APP_DIR / "main.py"), default_timeout=60).run()
    assert not at.exception
    assert str(at.select_slider(key="overview_month").value) == "2025-12-01"
    table = at.dataframe[0].value
    assert len(table) == len(TRUTH["neighbourhoods"]) and table["Index"].notna().all()
    # the page's answer in one sentence names the month and the lowest neighbourhood
    index = _published(root, "indicators").query(
        "indicator == 'composite_trust_index' and not suppressed"
    )
    index = index[pd.to_datetime(index["period_start"]) == pd.Timestamp("2025-12-01")]
    lowest = index.sort_values("value")["neighbourhood_id"].iloc[0]
    names = _published(root, "neighbourhoods").set_index("neighbourhood_id")["name"]
    headline = at.markdown[0].value
    assert "December 2025" in headline and f"lowest in {names[lowest]}" in headline


def _published(root: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        return con.execute(f'SELECT * FROM "{name}"').df()


@pytest.fixture(scope="module")
def measured() -> dict:
    """The action's effect on the published indicators through the active scorer (the
    estimand; GROUND_TRUTH.json holds the generator's, see data_samples/README.md)."""
    from barometer.impact.estimand import measured_effects

    return measured_effects(shared_data("lexicons"), n_cities=20)


@pytest.mark.parametrize("outcome", ["digital_negative_share", "observation_mixed_rate"])
def test_published_impact_recovers_planted_effect(built, measured, outcome) -> None:
    root, _ = built
    truth = measured[outcome]["measured_effect"]
    # the model's and the measured indicator's effects agree within a few per cent here
    model = TRUTH["action"]["expected_effect"][outcome]
    assert truth == pytest.approx(model, rel=0.1)
    verdict = _published(root, "impact_verdict").set_index(["action_id", "outcome"])
    lead = verdict.loc[(TRUTH["action"]["id"], outcome)]
    assert lead["lower"] <= truth <= lead["upper"]
    assert lead["verdict"] == ("effect_down" if truth < 0 else "effect_up")
    calibration = _published(root, "impact_calibration").set_index(["method", "outcome"])
    cal = calibration.loc[(lead["lead_method"], outcome)]
    assert cal["coverage"] >= 0.9 and cal["placebo_false_positive_rate"] <= 0.07
    summaries = _published(root, "impact_summaries").set_index("outcome")
    assert list(summaries.columns) == ["action_id", "error"]  # codes only: no prose published
    assert summaries.loc[outcome, "error"] == ""
    series = _published(root, "impact_series")
    assert {"event_study", "synth_gap"} <= set(series["series"])


@pytest.mark.parametrize("outcome", ["digital_negative_share", "sensing_footfall_index"])
def test_placebo_action_not_declared_significant(indicators, outcome) -> None:
    from barometer.commands.impact_report import summary_text
    from barometer.config import ActionConfig
    from barometer.impact.report import evaluate_action

    placebo = TRUTH["placebo"]
    action = ActionConfig(
        id="placebo",
        title="no action took place",
        neighbourhoods=[placebo["neighbourhood_id"]],
        start=placebo["start"],
    )
    others = [TRUTH["action"]["neighbourhood_id"], TRUTH["declining"]["neighbourhood_id"]]
    indicators = indicators[~indicators["neighbourhood_id"].isin(others)]
    result = evaluate_action(indicators, action, outcome, seed=3, n_boot=199, n_sims=50)
    collapsed = next(r for r in result["did"] if r["inference"] == "collapsed")
    assert collapsed["lower"] <= 0 <= collapsed["upper"]
    assert result["verdict"]["verdict"] == "no_clear_effect"
    assert result["summary"]["finding"] == "no_clear_change"
    assert "cannot distinguish" in summary_text(result["summary"], "en")


def test_impact_command_writes_reports(built, tmp_path) -> None:
    from typer.testing import CliRunner

    from barometer.cli import app

    root, _ = built
    result = CliRunner().invoke(
        app,
        [
            "impact",
            TRUTH["action"]["id"],
            "--warehouse",
            str(root),
            "--outcome",
            "digital_negative_share",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "digital_negative_share"
    assert {p.name for p in folder.iterdir()} == {
        "impact.json",
        "impact.md",
        "event_study.png",
        "synth_gap.png",
    }
    assert "fell relative to the comparison" in result.output


def test_declining_neighbourhood_is_alerted(built) -> None:
    root, _ = built
    alerts = _published(root, "alerts")
    declining = TRUTH["declining"]["neighbourhood_id"]
    flagged = alerts[(alerts["neighbourhood_id"] == declining) & (alerts["kind"] == "decline")]
    assert not flagged.empty
    assert (flagged["magnitude"] < 0).all()


def test_small_area_estimates_published_beside_direct(indicators) -> None:
    direct = indicators[indicators["indicator"] == "survey_ppltrst_mean"]
    model = indicators[indicators["indicator"] == "survey_ppltrst_fh"]
    keys = ["neighbourhood_id", "period_start"]
    both = direct.merge(model, on=keys, suffixes=("_direct", "_fh"))
    assert len(both) == len(direct) == 60
    width_direct = both["upper_direct"] - both["lower_direct"]
    width_fh = both["upper_fh"] - both["lower_fh"]
    assert (width_fh <= width_direct + 1e-9).mean() > 0.9
    latent = pd.DataFrame(
        [
            {"neighbourhood_id": n, "period_start": pd.Timestamp(f"{m}-01"), "latent": v}
            for n, months in TRUTH["latent_trust"].items()
            for m, v in months.items()
        ]
    )
    scored = both.merge(latent, on=keys)
    error_direct = (scored["value_direct"] - scored["latent"]).abs().mean()
    error_fh = (scored["value_fh"] - scored["latent"]).abs().mean()
    assert error_fh < error_direct  # borrowing strength brings estimates closer to the truth


def test_nowcast_and_sensitivity_published(built, indicators) -> None:
    root, _ = built
    summary = _published(root, "nowcast_summary").iloc[0]
    assert summary["n_waves"] == 6 and summary["rmse"] < 0.6
    nowcast = indicators[indicators["indicator"] == "nowcast_ppltrst"]
    assert len(nowcast) == 360 and (nowcast["lower"] < nowcast["upper"]).all()
    ranks = _published(root, "composite_ranks")
    last = ranks[ranks["period_start"] == ranks["period_start"].max()]
    declining = TRUTH["declining"]["neighbourhood_id"]
    assert last.set_index("neighbourhood_id").loc[declining, "rank_median"] >= 8
    shifts = _published(root, "term_shifts")
    assert (shifts[["n_authors_recent", "n_authors_before"]] >= 10).all().all()


def test_measurement_invariance_published_for_the_trust_scale(built) -> None:
    """The sample's trust items depend on latent trust alone, the same way for residents born
    in Sweden and abroad (barometer.synthetic.survey), so every level of invariance holds."""
    root, _ = built
    table = _published(root, "measurement_invariance").set_index("level")
    assert table.index.tolist() == ["configural", "metric", "scalar"]
    assert table["holds"].all() and (table["groups"] == "born_in_sweden|born_abroad").all()
    assert (table["cfi"] > 0.95).all() and (table["n"] > 1500).all()


def test_planted_personal_data_is_scrubbed(built) -> None:
    root, _ = built
    truth = pd.read_csv(SAMPLE / "ground_truth" / "post_truth.csv.gz")
    planted = truth.dropna(subset=["pii"]).drop_duplicates("source_post_id")
    posts = Warehouse(root).read(TABLES["posts"], columns=["post_id", "text"])
    stored = planted.merge(posts, left_on="source_post_id", right_on="post_id")
    assert len(stored) > 400
    placeholder = stored["pii"].map(
        {"email": "<email>", "phone": "<phone>", "personnummer": "<personnummer>"}
    )
    found = [p in text for p, text in zip(placeholder, stored["text"], strict=True)]
    assert all(found), stored.loc[[not f for f in found], "post_id"].tolist()[:5]


def test_evaluator_notebook_runs(built, monkeypatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    root, _ = built
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(root))
    path = REPO_ROOT / "notebooks" / "evaluate_an_action.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    outputs = [
        out.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    ]
    assert any("relative to the comparison" in text for text in outputs)
    assert not any(
        out.get("output_type") == "error"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )


def test_every_month_is_a_stockholm_month_of_the_planted_period(built, indicators) -> None:
    """The sample runs from January 2023 to December 2025 on Stockholm's clock: the first
    sensor hour (00:00 on 1 January 2023 local, 23:00 on 31 December 2022 UTC) is January's."""
    root, _ = built
    period = TRUTH["period"]
    first, last = (pd.Timestamp(period[k]).date() for k in ("start", "end"))
    coverage = _published(root, "coverage")
    months = pd.to_datetime(coverage["period_start"]).dt.date
    assert months.min() == first and months.max() == last
    by_source = coverage.assign(month=months).groupby("source")["month"]
    assert by_source.min()["sensing_ok_hours"] == first
    cells = indicators["period_start"].dt.date
    assert cells.min() == first and cells.max() == last
