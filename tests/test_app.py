"""The Streamlit app, driven headless with AppTest: every page, found by widget keys, in both
languages, on the mini build, on the mini build enriched with the tables a full pilot
publishes (model cards, impact, term shifts, nowcast validation), and with no warehouse."""

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import APP_DIR, REPO_ROOT
from streamlit.testing.v1 import AppTest

from barometer import registry

APP = str(APP_DIR / "main.py")
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
    monkeypatch.setenv("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")  # staff see none
    monkeypatch.syspath_prepend(str(APP_DIR))
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
    assert "No published barometer" in at.warning[0].value
    assert any("barometer run" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", [p for p in PAGES if p != "overview"])
def test_every_page_explains_an_empty_warehouse(monkeypatch, tmp_path, page) -> None:
    at = _run(monkeypatch, tmp_path / "nothing", page)
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES[page]
    assert "No published barometer" in at.warning[0].value


def test_overview_shows_map_table_and_trend(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    assert not at.exception, at.exception
    assert at.title[0].value == "Social Trust Barometer"
    month = at.select_slider(key="overview_month")
    assert str(month.value) == "2024-05-01"  # the last month with an index value
    table = at.dataframe[0].value
    assert set(table["Neighbourhood"]) == {"Westby", "Östby"}
    assert table["Index"].notna().any()
    assert "Plausible ranks" in table.columns  # composite_ranks is published
    assert list(table["Rank"]) == ["1", "2"]  # ranked by the published value
    assert at.markdown[0].value.startswith("#### In May 2024, trust is lowest in Östby")
    chosen = at.multiselect(key="overview_neighbourhoods")
    chosen.set_value(["east"]).run()
    assert not at.exception


def test_month_change_updates_table(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    slider = at.select_slider(key="overview_month")
    assert slider.options == ["Mar 2024", "May 2024"]
    assert "May 2024" in at.markdown[0].value
    slider.set_value(date(2024, 3, 1)).run()
    assert not at.exception
    assert "March 2024" in at.markdown[0].value


def test_overview_key_figures_alerts_and_brief(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    at.selectbox(key="overview_neighbourhood").set_value("west").run()
    assert not at.exception
    assert at.subheader[0].value == "Key figures for Westby"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Social Trust Index"] == "100 / 100"  # whole points on a 0-100 index
    assert tiles["Survey"] == "6.6 / 10" and tiles["Sensing"].endswith("%")
    # a tile's trend line is an image that says its trend, drawn when it has two months or more
    # (in the mini build only the index has: the other sources have one wave or month)
    assert _image_texts(at) == [
        "Trend from Mar 2024 to May 2024: from 100 to 100; lowest 100, highest 100."
    ]
    assert any("No alerts" in i.value for i in at.info)  # the mini build raises none
    keys = {b.key for b in at.download_button}
    assert {"overview_brief", "overview_table_csv"} <= keys


def test_language_switch_changes_labels(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    at.radio(key="lang").set_value("sv").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Social tillitsbarometer"
    assert "Område" in at.dataframe[0].value.columns
    assert "maj 2024" in at.markdown[0].value
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
    assert [s.value for s in at.subheader] == ["Sources side by side"]
    assert "Generalised trust (survey, 0-10)" in at.markdown[0].value  # one wave: no trend
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
    terms = next(f for f in frames if "Term" in f.columns)
    assert list(terms["Term"]) == ["festival", "bråk"]
    assert list(terms["Change (percentage points)"]) == [
        "+10 percentage points",
        "-4.0 percentage points",
    ]
    assert not {"text", "post_id", "author_pseudonym"} & set().union(*(f.columns for f in frames))


def test_impact_shows_estimates_charts_and_summary(monkeypatch, enriched) -> None:
    at = _run(monkeypatch, enriched, "impact")
    assert not at.exception, at.exception
    assert at.selectbox(key="impact_action").value == "west-festival"
    assert at.selectbox(key="impact_outcome").value == "composite_trust_index"
    # DiD finds a clear rise (interval 1.1 to 7.3, p 0.01); synthetic control does not
    # (interval -2.0 to 9.8): the methods only partly agree, said in words
    verdict = at.markdown[0].value
    assert "only partly agree" in verdict and "difference-in-differences" in verdict
    assert "synthetic control cannot tell it apart from chance" in verdict
    estimates = at.dataframe[0].value
    assert list(estimates["Effect"]) == ["4.20", "3.90"]
    at.session_state["language"] = "sv"  # as the sidebar's switch leaves it
    at.run()
    assert at.title[0].value == "Effekter"
    assert "bara delvis eniga" in at.markdown[0].value


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
    assert all(not e.proto.expanded for e in at.expander)  # cards and audits start collapsed
    frames = [d.value for d in at.dataframe]
    # the metrics per language of the chosen card (the model x language validity table, which
    # the pipeline publishes for every scorer, comes first and has a "Validated" column)
    per_language = next(
        f for f in frames if "Language" in f.columns and "Validated" not in f.columns
    )
    assert set(per_language["Language"]) == {"Swedish", "English"}
    assert any("Observed (survey)" in f.columns for f in frames)


def test_models_page_shows_the_committed_model_cards(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse, "models")
    assert not at.exception, at.exception
    chooser = at.selectbox(key="models_card")
    active = registry.active_versions()
    assert {
        f"hostility {active['hostility']} (active)",
        f"attitude to immigration {active['immigration_attitude']} (active)",
    } <= set(chooser.options)
    assert any("Model card: hostility" in m.value for m in at.markdown)
    metric = at.selectbox(key="models_metric")
    assert "macro-F1" in metric.options


def test_quality_shows_coverage_quarantine_and_suppression(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse, "quality")
    assert not at.exception, at.exception
    source = at.selectbox(key="quality_source")
    assert "Social media" in source.options
    frames = [d.value for d in at.dataframe]
    quarantine = next(f for f in frames if "Reason" in f.columns)
    assert "a missing or unreadable date or time" in set(quarantine["Reason"])
    suppressed = next(f for f in frames if "Suppressed" in f.columns)
    assert suppressed["Suppressed"].astype(int).sum() > 0  # the mini build suppresses cells
    source.set_value("survey").run()
    assert not at.exception
    keys = {b.key for b in at.download_button}
    assert "quality_coverage_survey_csv" in keys and "quality_quarantine_csv" in keys


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "barometer",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def _shows_data(at: AppTest) -> bool:
    charts = at.get("arrow_vega_lite_chart")
    return bool(at.dataframe or at.metric or charts or at.selectbox or at.select_slider)


def test_login_required_on_every_page_when_oidc_is_configured(monkeypatch, enriched) -> None:
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(enriched))
    monkeypatch.syspath_prepend(str(APP_DIR))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception, at.exception
    assert "Sign in" in at.info[0].value
    assert at.button(key="login").label == "Sign in"
    assert not _shows_data(at)
    for page in PAGES:  # every page, reached by its script while signed out
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, at.exception
        assert at.button(key="login").label == "Sign in", page
        assert not _shows_data(at), page
        assert [t.value for t in at.title] == ["Social Trust Barometer"], page


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_script_run_on_its_own_shows_nothing_before_sign_in(
    monkeypatch, enriched, page
) -> None:
    """Even run directly (outside the router), a page stops at the gate."""
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(enriched))
    monkeypatch.syspath_prepend(str(APP_DIR))
    at = AppTest.from_file(str(APP_DIR / "views" / f"{page}.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="login").label == "Sign in"
    assert not _shows_data(at)


def test_no_legacy_pages_folder() -> None:
    """A `pages/` folder beside main.py would put Streamlit in its legacy multipage mode."""
    assert not (APP_DIR / "pages").exists()


def test_viewer_mode_hides_the_developer_toolbar() -> None:
    import tomllib

    config = tomllib.loads((APP_DIR / "streamlit_config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["theme"]["primaryColor"] == "#0072B2"


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


@pytest.fixture(scope="module")
def contract(enriched: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The enriched build plus rows of the tables other parts of the pipeline publish by
    contract: validity, model_validity, impact_verdict, impact_calibration,
    measurement_invariance, and the runs' demo key and missing sources."""
    root = tmp_path_factory.mktemp("contract") / "warehouse"
    shutil.copytree(enriched, root)
    tables = {
        "model_validity": pd.DataFrame({
            "task": ["hostility", "immigration_attitude"], "model_version": ["2026.3", "2026.1"],
            "language": ["sv", "sv"], "test_set": ["sv-audit", "absabank-imm"],
            "n_test": [400, 300], "metric": ["macro_f1", "macro_f1"], "value": [0.61, 0.70],
            "lower": [0.55, 0.65], "upper": [0.66, 0.75],
            "functional_pass_rate": [0.81, 0.93], "neutral_flag_rate": [0.12, 0.03],
            "audit_verdict": ["fail", "pass"], "validated": [False, True],
            "reason": ["audit_failed", None],
        }),
        "impact_verdict": pd.DataFrame({
            "action_id": ["west-festival"], "outcome": ["composite_trust_index"],
            "verdict": ["effect_up"], "lead_method": ["TWFE DiD (unit + period FE)"],
            "estimate": [4.2], "lower": [1.1], "upper": [7.3],
            "agreeing_methods": ['["TWFE DiD (unit + period FE)", "synthetic control"]'],
            "disagreeing_methods": ["[]"], "reason_code": ["all_clear"],
            "minimum_detectable_effect": [3.4],
        }),
        "impact_calibration": pd.DataFrame({
            "method": ["TWFE DiD (unit + period FE)"], "outcome": ["composite_trust_index"],
            "n_cities": [200], "bias": [0.1], "rmse": [1.2], "coverage": [0.93],
            "coverage_lower": [0.89], "coverage_upper": [0.96],
            "placebo_false_positive_rate": [0.05], "power": [0.8], "planted_effect": [5.0],
            "setting": ["10 neighbourhoods, 36 months"],
        }),
        "measurement_invariance": pd.DataFrame({
            "groups": ["born in Sweden / born abroad"] * 3,
            "level": ["configural", "metric", "scalar"], "holds": [True, True, False],
            "cfi": [0.98, 0.97, 0.91], "rmsea": [0.03, 0.04, 0.09],
            "delta_cfi": [None, 0.01, 0.06], "n": [2101] * 3,
        }),
    }  # fmt: skip
    with duckdb.connect(str(root / "barometer.duckdb")) as con:
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM frame')
            con.unregister("frame")
        con.execute("ALTER TABLE indicators ADD COLUMN IF NOT EXISTS validity VARCHAR")
        con.execute("ALTER TABLE indicators ADD COLUMN IF NOT EXISTS validity_note VARCHAR")
        con.execute(
            "UPDATE indicators SET validity = 'not_validated', "
            "validity_note = 'sentiment:lexicon-1:sv:no_test_set' "
            "WHERE indicator = 'composite_trust_index'"
        )
        con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS demo_key BOOLEAN")
        con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS sources_missing VARCHAR")
        con.execute("""UPDATE runs SET demo_key = true, sources_missing = '["observation"]'""")
    return root


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_warns_about_the_demo_key_and_missing_sources(
    monkeypatch, contract, page
) -> None:
    at = _run(monkeypatch, contract, page)
    assert not at.exception, at.exception
    assert any("public demo key" in w.value for w in at.warning)
    assert any("no data from Observation" in i.value for i in at.info)
    plain = _run(monkeypatch, REPO_ROOT / "nowhere", page)
    assert not any("demo key" in w.value for w in plain.warning)


def test_figures_on_unvalidated_models_say_so(monkeypatch, contract, enriched) -> None:
    at = _run(monkeypatch, contract)
    notes = [w.value for w in at.warning if "Not validated" in w.value]
    assert notes == [
        "Not validated: the sentiment model in Swedish: it has no test data in this language."
    ]
    assert any("Not validated" in c.value for c in at.caption)  # beside the index tile
    assert not any("Not validated" in w.value for w in _run(monkeypatch, enriched).warning)
    models = _run(monkeypatch, contract, "models")
    headline = models.markdown[0].value
    assert "1 of 2 model–language pairs are not validated" in headline
    assert "hostility in Swedish (it fails its bias audit)" in headline
    table = next(d.value for d in models.dataframe if "Validated" in d.value.columns)
    assert list(table["Validated"]) == ["no", "yes"]


def test_validity_notes_group_languages_and_name_the_composites_parts(
    monkeypatch, contract, tmp_path
) -> None:
    root = tmp_path / "wh"
    shutil.copytree(contract, root)
    with duckdb.connect(str(root / "barometer.duckdb")) as con:
        con.execute(
            "UPDATE indicators SET validity = 'not_validated', validity_note = CASE indicator "
            "WHEN 'composite_trust_index' THEN 'digital_negative_share:not_validated' ELSE "
            "'sentiment:lexicon-1:sv:no_test_set;sentiment:lexicon-1:en:no_test_set;"
            "sentiment:lexicon-1:so:language_not_supported' END "
            "WHERE indicator IN ('composite_trust_index', 'digital_negative_share')"
        )
        con.execute(  # the mini build suppresses its few posts' cells: publish them here
            "UPDATE indicators SET suppressed = false, value = 0.2, lower = 0.1, upper = 0.3 "
            "WHERE indicator = 'digital_negative_share'"
        )
    at = _run(monkeypatch, root)
    assert not at.exception, at.exception
    label = "Negative posts (author-weighted share)"
    composite = (
        f"Not validated: it includes {label}, measured with a text model that is not validated."
    )
    assert [w.value for w in at.warning if "Not validated" in w.value] == [composite]
    # the tile says it in short, with the reasons on its "?"
    tile = f":orange[Not validated: it includes {label} (hover the ? for why).]"
    sentiment = (
        "Not validated: the sentiment model in Swedish and English: it has no test data in "
        "these languages; the sentiment model in Somali: the language is not supported."
    )
    assert {c.value: c.proto.help for c in at.caption if "Not validated" in c.value} == {
        tile: composite,
        ":orange[Not validated: the sentiment model (hover the ? for why).]": sentiment,
    }
    at.switch_page("views/trends.py").run()
    at.selectbox(key="trends_indicator").set_value("digital_negative_share").run()
    assert [w.value for w in at.warning if "Not validated" in w.value] == [sentiment]
    at.session_state["language"] = "sv"
    at.run()
    assert [w.value for w in at.warning if "Inte validerad" in w.value] == [
        "Inte validerad: modellen för sentiment på svenska och engelska: den saknar testdata på "
        "språken; modellen för sentiment på somaliska: språket stöds inte."
    ]


def test_many_unvalidated_models_are_summed_up_not_listed(monkeypatch, contract, tmp_path) -> None:
    root = tmp_path / "wh"
    shutil.copytree(contract, root)
    languages = ["ar", "en", "sv", "tr", "da"]
    validity = pd.DataFrame({
        "task": ["sentiment"] * 5 + ["hostility"], "model_version": ["lexicon-v2"] * 5 + ["1"],
        "language": [*languages, "sv"], "test_set": [None] * 6, "n_test": [None] * 6,
        "metric": [None] * 5 + ["false_positive_rate"], "value": [None] * 5 + [0.012],
        "lower": [None] * 5 + [0.004], "upper": [None] * 5 + [0.021],
        "functional_pass_rate": [None] * 6, "neutral_flag_rate": [None] * 6,
        "audit_verdict": ["not_run"] * 5 + ["fail"], "validated": [False] * 6,
        "reason": ["no_test_set"] * 5 + ["metric_below_threshold,audit_failed"],
    })  # fmt: skip
    groups = "born_in_sweden|born_abroad"
    with duckdb.connect(str(root / "barometer.duckdb")) as con:
        con.register("frame", validity)
        con.execute("CREATE OR REPLACE TABLE model_validity AS SELECT * FROM frame")
        con.execute(f"UPDATE measurement_invariance SET groups = '{groups}'")
    at = _run(monkeypatch, root, "models")
    assert not at.exception, at.exception
    assert at.markdown[0].value == (
        "#### 6 of 6 model–language pairs are not validated: sentiment in 5 languages and "
        "hostility in Swedish. The most common reason: it has no test data in this language "
        "(5 of 6). Figures that rest on them are marked “not validated” across the app; the "
        "table below gives every reason."
    )
    table = next(d.value for d in at.dataframe if "Validated" in d.value.columns)
    assert list(table["Language"]) == ["Arabic", "English", "Swedish", "Turkish", "Danish",
                                       "Swedish"]  # fmt: skip
    assert table["Reason"].iloc[-1] == (
        "its accuracy is below the required level; it fails its bias audit"
    )
    assert list(table["Metric"]) == ["–"] * 5 + ["false-alarm rate 0.01 (0.00 – 0.02)"]
    assert any("origin groups (born in Sweden and born abroad)" in w.value for w in at.warning)
    at.session_state["language"] = "sv"
    at.run()
    table = next(d.value for d in at.dataframe if "Validerad" in d.value.columns)
    assert table["Mått"].iloc[-1] == "andel falsklarm 0,01 (0,00 – 0,02)"
    assert any("(födda i Sverige och födda utomlands)" in w.value for w in at.warning)


def test_impact_reads_the_published_verdict_and_calibration(monkeypatch, contract) -> None:
    at = _run(monkeypatch, contract, "impact")
    assert not at.exception, at.exception
    verdict = at.markdown[0].value
    assert verdict.startswith("#### The methods agree: Social Trust Index rose")
    assert "effects smaller than about 3.4 points would probably go unnoticed" in verdict
    assert any(
        "on 200 simulated cities like this one, its 95% interval covered the true effect 93% "
        "of the time" in m.value
        for m in at.markdown
    )


def test_models_says_when_origin_groups_cannot_be_compared(monkeypatch, contract) -> None:
    at = _run(monkeypatch, contract, "models")
    assert any("comparing their average trust is not valid" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]


# --- Complete Swedish: no English word and no raw identifier on any page ---------------------

ENGLISH = set(
    [
        "the",
        "and",
        "of",
        "with",
        "from",
        "for",
        "by",
        "is",
        "are",
        "was",
        "has",
        "have",
        "not",
        "this",
        "that",
        "which",
        "month",
        "months",
        "neighbourhood",
        "neighbourhoods",
        "value",
        "lower",
        "upper",
        "interval",
        "trust",
        "share",
        "rise",
        "decline",
        "change",
        "source",
        "rows",
        "reason",
        "download",
        "model",
        "survey",
        "effect",
        "estimate",
        "none",
        "true",
        "false",
        "january",
        "february",
        "june",
        "july",
        "october",
        "method",
        "posts",
        "authors",
        "points",
        "percentage",
        "rank",
        "clearly",
        "lowest",
        "highest",
        "hostile",
        "theme",
        "themes",
        "alert",
        "alerts",
        "action",
        "sign",
        "quality",
        "trends",
        "drivers",
        "impact",
        "overview",
        "fairness",
        "key",
        "figures",
        "chart",
        "map",
        "sure",
        "people",
        "missing",
        "unknown",
        "other",
        "level",
        "read",
        "care",
        "run",
        "runs",
        "field",
        "cells",
        "observed",
        "predicted",
        "nowcast",
        "shares",
        "shows",
        "over",
        "year",
        "since",
        "before",
        "after",
        "between",
        "against",
        "within",
        "below",
        "above",
        "more",
        "less",
    ]
)
IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\bNone\b|\bnan\b|\bNaN\b|\bNaT\b")


def _chart_texts(spec: dict) -> list[str]:
    """Visible strings of a Vega-Lite spec: titles, and the values of the fields shown as text
    or in tooltips."""
    titles, fields = [], set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "title" and isinstance(v, str):
                    titles.append(v)
                if k in ("text", "tooltip"):
                    for item in v if isinstance(v, list) else [v]:
                        if isinstance(item, dict) and "field" in item:
                            fields.add(str(item["field"]).split(":")[0])
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(spec)
    values = []
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            values += [str(row[f]) for f in fields if isinstance(row.get(f), str)]
    for layer in _all_data_values(spec):
        values += [str(layer[f]) for f in fields if isinstance(layer.get(f), str)]
    return titles + values


def _all_data_values(node: object) -> list[dict]:
    out: list[dict] = []
    if isinstance(node, dict):
        if isinstance(node.get("values"), list):
            out += [v for v in node["values"] if isinstance(v, dict)]
        for v in node.values():
            out += _all_data_values(v)
    elif isinstance(node, list):
        for v in node:
            out += _all_data_values(v)
    return out


def _image_texts(at: AppTest) -> list[str]:
    """The text alternatives (``alt``) of the images the page draws in HTML (tile trends)."""
    import html as html_

    bodies = [e.proto.body for e in at.get("html")]
    return [html_.unescape(m) for b in bodies for m in re.findall(r'<img [^>]*alt="([^"]*)"', b)]


def visible_texts(at: AppTest) -> list[str]:
    """Every string a user can read on the rendered page (charts included), except the
    technical documents shown as such (model cards and audits, labelled "på engelska")."""
    import json as json_

    skipped = set()
    for expander in at.expander:
        if "på engelska" in expander.label:
            skipped |= {m.value for m in expander.markdown}
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):  # fmt: skip
        texts += [e.value for e in getattr(at, kind) if e.value not in skipped]
    for m in at.metric:
        texts += [m.label, m.value, m.proto.delta, m.proto.help]
    for widget in (*at.selectbox, *at.multiselect, *at.select_slider, *at.radio):
        texts += [widget.label, *map(str, widget.options)]
    texts += [b.label for b in (*at.button, *at.get("download_button"))]
    texts += [e.label for e in at.expander]
    for frame in (d.value for d in at.dataframe):
        texts += [str(c) for c in frame.columns]
        texts += [str(v) for col in frame.columns for v in frame[col] if isinstance(v, str)]
    for chart in at.get("arrow_vega_lite_chart"):
        texts += _chart_texts(json_.loads(chart.proto.spec))
    texts += _image_texts(at)  # read out by screen readers
    return [t for t in texts if t]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_is_all_swedish(monkeypatch, contract, page) -> None:
    at = _run(monkeypatch, contract)
    at.session_state["language"] = "sv"
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    with duckdb.connect(str(contract / "barometer.duckdb"), read_only=True) as con:
        # names that are data, not words: file and column names of rejected input rows
        data_names = {str(v) for row in con.execute(
            "SELECT file, field FROM quarantine_summary").fetchall() for v in row}  # fmt: skip
    texts = visible_texts(at)
    assert len(texts) > 20
    english, identifiers = set(), set()
    for text in texts:
        if text in data_names:
            continue
        english |= {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH}
        identifiers |= {m for m in IDENTIFIER.findall(text) if m not in data_names}
    assert not english, sorted(english)
    assert not identifiers, sorted(identifiers)


def test_translation_parts_share_no_key_and_keep_their_placeholders(monkeypatch) -> None:
    """The translation table's parts never redefine a key (a later one would silently win), and
    each label's Swedish fills the same placeholders as its English."""
    import importlib
    from string import Formatter

    monkeypatch.syspath_prepend(str(APP_DIR))
    parts = [
        importlib.import_module("i18n_labels").LABELS,
        importlib.import_module("i18n_sentences").SENTENCES,
        importlib.import_module("i18n_findings").FINDINGS,
    ]
    keys = [key for part in parts for key in part]
    assert len(keys) == len(set(keys))
    assert importlib.import_module("i18n").TEXT.keys() == set(keys)

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    differ = {
        key: (fields(en), fields(sv))
        for part in parts
        for key, (en, sv) in part.items()
        if fields(en) != fields(sv)
    }
    assert differ == {}
