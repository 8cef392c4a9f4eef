"""The Streamlit app, driven headless with AppTest: every page, found by widget keys, in both
languages, on the mini build, on the mini build enriched with the tables a full pilot
publishes (model cards, impact, term shifts, nowcast validation), and with no warehouse."""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest

from barometer import registry

APP = str(REPO_ROOT / "app" / "main.py")
PAGES = {  # page script -> English title
    "overview": "Social Trust Barometer",
    "trends": "Trends",
    "drivers": "Drivers",
    "impact": "Impact",
    "models": "Models & fairness",
    "quality": "Data quality",
}


def _run(monkeypatch: pytest.MonkeyPatch, warehouse: Path, page: str = "overview") -> AppTest:
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(warehouse))
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    return at


@pytest.fixture(scope="module")
def enriched(mini_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini build plus small hand-made tables of what a full pilot publishes."""
    root = tmp_path_factory.mktemp("enriched") / "warehouse"
    shutil.copytree(mini_warehouse, root)
    metrics = (
        '{"headline": "sv macro_f1 0.52", "test": ['
        '{"lang": "sv", "metric": "macro_f1", "value": 0.52, "lower": 0.47, "upper": 0.57},'
        '{"lang": "en", "metric": "macro_f1", "value": 0.61, "lower": 0.55, "upper": 0.66}]}'
    )
    tables = {
        "model_cards": pd.DataFrame(
            {
                "task": ["immigration_attitude"],
                "version": ["2026.1"],
                "active": [True],
                "card_markdown": ["# Immigration attitude\n\nTrained on ABSAbank-Imm."],
                "metrics_json": [metrics],
                "audit_markdown": ["Counterfactual term swaps: max gap 0.03."],
            }
        ),
        "term_shifts": pd.DataFrame(
            {
                "neighbourhood_id": ["west", "west"],
                "period_start": [date(2024, 3, 1)] * 2,
                "term": ["festival", "bråk"],
                "lang": ["sv", "sv"],
                "share_recent": [0.12, 0.01],
                "share_before": [0.02, 0.05],
                "shift": [0.10, -0.04],
                "n_authors_recent": [12, 12],
                "n_authors_before": [11, 11],
            }
        ),
        "nowcast_validation": pd.DataFrame(
            {
                "neighbourhood_id": ["west", "east"],
                "period_start": [date(2024, 3, 1)] * 2,
                "observed": [6.5, 3.0],
                "predicted": [6.1, 3.4],
                "lower": [5.2, 2.5],
                "upper": [7.0, 4.3],
            }
        ),
        "impact_estimates": pd.DataFrame(
            {
                "action_id": ["west-festival"] * 2,
                "outcome": ["composite_trust_index"] * 2,
                "method": ["TWFE DiD (unit + period FE)", "synthetic control"],
                "inference": ["collapsed", "placebo range"],
                "estimand": ["ATT", "mean post-start gap"],
                "estimate": [4.2, 3.9],
                "lower": [1.1, -2.0],
                "upper": [7.3, 9.8],
                "p_value": [0.01, 0.5],
                "note": ["", ""],
            }
        ),
        "impact_summaries": pd.DataFrame(
            {
                "action_id": ["west-festival"],
                "outcome": ["composite_trust_index"],
                "summary_en": ["The index rose by 4.2 after the festival."],
                "summary_sv": ["Indexet steg med 4,2 efter festivalen."],
                "error": [""],
            }
        ),
        "impact_series": pd.DataFrame(
            {
                "action_id": ["west-festival"] * 5,
                "outcome": ["composite_trust_index"] * 5,
                "series": ["event_study", "event_study", "synth_gap", "synth_gap", "placebo:east"],
                "x": ["-1", "0", "2024-03-01", "2024-05-01", "2024-05-01"],
                "value": [0.0, 4.2, 0.1, 4.0, 0.5],
                "lower": [None, 1.0, None, None, None],
                "upper": [None, 7.4, None, None, None],
            }
        ),
    }
    with duckdb.connect(str(root / "barometer.duckdb")) as con:
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM frame')
            con.unregister("frame")
    return root


def test_empty_warehouse_explains_how_to_build(monkeypatch, tmp_path) -> None:
    at = _run(monkeypatch, tmp_path / "nothing")
    assert not at.exception
    assert "build it first" in at.warning[0].value
    assert any("barometer run" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", [p for p in PAGES if p != "overview"])
def test_every_page_explains_an_empty_warehouse(monkeypatch, tmp_path, page) -> None:
    at = _run(monkeypatch, tmp_path / "nothing", page)
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES[page]
    assert "build it first" in at.warning[0].value


def test_overview_shows_map_table_and_trend(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    assert not at.exception, at.exception
    assert at.title[0].value == "Social Trust Barometer"
    month = at.select_slider(key="overview_month")
    assert str(month.value) == "2024-05-01"  # the last month with an index value
    table = at.dataframe[0].value
    assert set(table["Neighbourhood"]) == {"Westby", "Östby"}
    assert table["Index"].notna().any()
    assert "Rank (interval)" in table.columns  # composite_ranks is published
    chosen = at.multiselect(key="overview_neighbourhoods")
    chosen.set_value(["east"]).run()
    assert not at.exception


def test_month_change_updates_table(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    slider = at.select_slider(key="overview_month")
    assert slider.options == ["2024-03", "2024-05"]
    assert "May 2024" in at.caption[0].value
    slider.set_value(date(2024, 3, 1)).run()
    assert not at.exception
    assert "March 2024" in at.caption[0].value


def test_overview_key_figures_alerts_and_brief(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    at.selectbox(key="overview_neighbourhood").set_value("west").run()
    assert not at.exception
    assert at.subheader[0].value == "Key figures for Westby"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Social Trust Index"] == "100"
    assert "Survey" in tiles and "Sensing" in tiles
    assert any("No alerts" in i.value for i in at.info)  # the mini build raises none
    keys = {b.key for b in at.download_button}
    assert {"overview_brief", "overview_table_csv"} <= keys


def test_language_switch_changes_labels(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    at.radio(key="lang").set_value("sv").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Social tillitsbarometer"
    assert "Område" in at.dataframe[0].value.columns
    assert "maj 2024" in at.caption[0].value
    at.switch_page("views/quality.py").run()
    assert at.title[0].value == "Datakvalitet"
    assert at.session_state["language"] == "sv"  # kept across pages


def test_selections_are_kept_across_pages(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    at.select_slider(key="overview_month").set_value(date(2024, 3, 1)).run()
    at.selectbox(key="overview_neighbourhood").set_value("east").run()
    at.multiselect(key="overview_neighbourhoods").set_value(["east"]).run()
    at.switch_page("views/drivers.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="drivers_neighbourhood").value == "east"
    assert at.select_slider(key="drivers_month").value == date(2024, 3, 1)
    at.switch_page("views/trends.py").run()
    assert at.multiselect(key="trends_neighbourhoods").value == ["east"]


def test_trends_compares_neighbourhoods_and_sources(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse, "trends")
    assert not at.exception, at.exception
    indicator = at.selectbox(key="trends_indicator")
    assert indicator.value == "composite_trust_index"
    assert "Generalised trust (survey, 0-10)" in indicator.options
    at.multiselect(key="trends_neighbourhoods").set_value(["west", "east"]).run()
    indicator.set_value("survey_ppltrst_mean").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["Compare neighbourhoods", "Sources side by side"]
    values = at.dataframe[0].value
    assert set(values["Neighbourhood"]) == {"Westby", "Östby"}
    assert any("Sources disagree" in m.value for m in at.markdown)


def test_drivers_shows_shares_and_term_shifts_never_posts(monkeypatch, enriched) -> None:
    at = _run(monkeypatch, enriched, "drivers")
    assert not at.exception, at.exception
    at.selectbox(key="drivers_neighbourhood").set_value("west").run()
    at.select_slider(key="drivers_month").set_value(date(2024, 3, 1)).run()
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe]
    terms = next(f for f in frames if "term" in f.columns)
    assert list(terms["term"]) == ["festival", "bråk"]
    assert not {"text", "post_id", "author_pseudonym"} & set().union(*(f.columns for f in frames))


def test_impact_shows_estimates_charts_and_summary(monkeypatch, enriched) -> None:
    at = _run(monkeypatch, enriched, "impact")
    assert not at.exception, at.exception
    assert at.selectbox(key="impact_action").value == "west-festival"
    assert at.selectbox(key="impact_outcome").value == "composite_trust_index"
    assert any("rose by 4.2" in m.value for m in at.markdown)
    estimates = at.dataframe[0].value
    assert list(estimates["estimate"]) == [4.2, 3.9]
    at.session_state["language"] = "sv"  # as the sidebar's switch leaves it
    at.run()
    assert at.title[0].value == "Effekter"
    assert any("steg med 4,2" in m.value for m in at.markdown)


def test_impact_empty_state(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse, "impact")
    assert not at.exception
    assert "No impact estimates" in at.info[0].value


def test_models_shows_card_metrics_audit_and_nowcast(monkeypatch, enriched) -> None:
    at = _run(monkeypatch, enriched, "models")
    assert not at.exception, at.exception
    assert at.selectbox(key="models_card").value == "immigration_attitude 2026.1"
    assert any("ABSAbank-Imm" in m.value for m in at.markdown)
    assert any("max gap 0.03" in m.value for m in at.markdown)
    frames = [d.value for d in at.dataframe]
    per_language = next(f for f in frames if "lang" in f.columns)
    assert set(per_language["lang"]) == {"sv", "en"}
    assert any("observed" in f.columns for f in frames)


def test_models_page_shows_the_committed_model_cards(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse, "models")
    assert not at.exception, at.exception
    chooser = at.selectbox(key="models_card")
    active = registry.active_versions()
    assert {
        f"hostility {active['hostility']} (active)",
        f"immigration_attitude {active['immigration_attitude']} (active)",
    } <= set(chooser.options)
    assert any("Model card: hostility" in m.value for m in at.markdown)
    metric = at.selectbox(key="models_metric")
    assert "macro_f1" in metric.options


def test_quality_shows_coverage_quarantine_and_suppression(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse, "quality")
    assert not at.exception, at.exception
    source = at.selectbox(key="quality_source")
    assert "Social media" in source.options
    frames = [d.value for d in at.dataframe]
    assert any("reason" in f.columns and f["rows"].sum() > 0 for f in frames)
    suppressed = next(f for f in frames if "suppressed" in f.columns)
    assert suppressed["suppressed"].sum() > 0  # the mini build suppresses small cells
    source.set_value("survey").run()
    assert not at.exception
    keys = {b.key for b in at.download_button}
    assert "quality_coverage_survey_csv" in keys and "quality_quarantine_csv" in keys


def test_login_required_when_oidc_is_configured(monkeypatch, mini_warehouse) -> None:
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(mini_warehouse))
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-secret",
        "client_id": "barometer",
        "client_secret": "not-a-secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception, at.exception
    assert "Sign in" in at.info[0].value
    assert at.button(key="login").label == "Sign in"
    assert not at.dataframe  # no page is shown before signing in


def test_quality_warns_about_tasks_the_last_run_could_not_score(
    monkeypatch, mini_warehouse, tmp_path
) -> None:
    root = tmp_path / "wh"
    shutil.copytree(mini_warehouse, root)
    with duckdb.connect(str(root / "barometer.duckdb")) as con:
        con.execute(
            "UPDATE runs SET tasks_not_scored = ?",
            ['{"sentiment": "no sentiment lexicon folder at /x"}'],
        )
    at = _run(monkeypatch, root, "quality")
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("could not score sentiment" in w and "/x" in w for w in warnings), warnings
    plain = _run(monkeypatch, mini_warehouse, "quality")
    assert not any("could not score" in w.value for w in plain.warning)
