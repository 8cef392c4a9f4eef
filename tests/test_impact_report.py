"""End-to-end evaluation of an action on a simulated indicators table with a planted effect,
and the words of its report (the library returns codes; the CLI's wording module writes them)."""

import json
from datetime import date

import pytest

from barometer.commands.impact_report import render_markdown, summary_text, write_markdown
from barometer.config import ActionConfig
from barometer.exceptions import ConfigError
from barometer.impact.report import FINDINGS, evaluate_action, write_report
from barometer.impact.simulate import simulate_indicators

EFFECT = 0.6
ACTION = ActionConfig(
    id="meeting-place", title="Open meeting place", neighbourhoods=["N01"], start=date(2023, 1, 1)
)


@pytest.fixture(scope="module")
def planted() -> dict:
    indicators = simulate_indicators(effect=EFFECT, seed=21)
    return evaluate_action(indicators, ACTION, "trust_neighbours", seed=1, n_sims=200)


def test_every_method_covers_the_truth(planted: dict) -> None:
    for row in planted["did"]:
        if row["inference"] != "cluster":  # cluster SEs with one treated unit are too small
            assert row["lower"] < EFFECT < row["upper"], row["inference"]
    sc = planted["synthetic_control"]
    assert sc["lower"] < EFFECT < sc["upper"]
    level = next(r for r in planted["its"] if r["estimand"] == "level change")
    assert level["lower"] < EFFECT < level["upper"]
    post = [r for r in planted["event_study"] if r["event_time"] >= 0]
    assert sum(r["lower"] < EFFECT < r["upper"] for r in post) >= 0.8 * len(post)
    assert planted["power"]["mde"]["mde"] < EFFECT


def test_planted_effect_is_worded_as_a_rise_in_both_languages(planted: dict) -> None:
    summary = planted["summary"]
    assert summary["finding"] == "rose"
    assert summary["lower"] < EFFECT < summary["upper"]
    english, swedish = summary_text(summary, "en"), summary_text(summary, "sv")
    # trust_neighbours is not in the catalogue, so both languages name it by its code
    assert english.startswith("trust_neighbours rose relative to the comparison neighbourhoods: +")
    assert swedish.startswith("trust_neighbours ökade jämfört med jämförelseområdena: +")
    assert "95% CI" in english and "95% KI" in swedish


def test_the_library_result_carries_codes_not_words(planted: dict) -> None:
    text = json.dumps(planted, ensure_ascii=False)
    for word in ("summary_en", "summary_sv", "ökade", "jämförelseområdena", "rose relative"):
        assert word not in text
    summary = planted["summary"]
    assert summary["finding"] in FINDINGS
    assert summary["synthetic_control"]["p_value_floor"] == pytest.approx(
        1 / (summary["synthetic_control"]["n_placebos"] + 1)
    )


def test_placebo_action_is_not_significant() -> None:
    indicators = simulate_indicators(effect=EFFECT, seed=21)  # N01 treated, N05 untouched
    placebo = ACTION.model_copy(update={"neighbourhoods": ["N05"], "comparison": [
        f"N{i:02d}" for i in range(2, 11) if i != 5]})  # fmt: skip
    result = evaluate_action(indicators, placebo, "trust_neighbours", seed=2, n_sims=100)
    head = next(r for r in result["did"] if r["inference"] == "collapsed")
    assert head["p_value"] > 0.05
    assert result["summary"]["finding"] == "no_clear_change"
    assert "cannot distinguish the effect from zero" in summary_text(result["summary"], "en")
    assert "kan inte skilja effekten från noll" in summary_text(result["summary"], "sv")


SUMMARY = {
    "finding": "fell",
    "outcome": "digital_negative_share",
    "lead_method": "did_collapsed",
    "lead_label": "DiD, collapsed unit-level t",
    "estimate": -0.234,
    "lower": -0.361,
    "upper": -0.104,
    "level": 0.95,
    "calibration": {"n_cities": 200, "coverage": 0.955, "placebo_false_positive_rate": 0.04},
    "reason_code": "lead_excludes_zero",
    "minimum_detectable_effect": 0.0912,
    "pretrend_warning": False,
    "synthetic_control": {"effect": -0.11, "p_value": 0.2, "n_placebos": 4, "p_value_floor": 0.2},
}


def test_summary_words_are_known_in_english() -> None:
    assert summary_text(SUMMARY, "en") == (
        "Negative posts (author-weighted share) fell relative to the comparison neighbourhoods: "
        "-0.23 (95% CI -0.36 to -0.10). Method: DiD, collapsed unit-level t. On 200 simulated "
        "municipalities like this one, its 95% interval covered the true effect 96% of the "
        "time, and with no effect it wrongly found one in 4%. With this data, effects smaller "
        "than about 0.09 would probably go undetected. Synthetic control: -0.11, placebo "
        "p-value 0.20 (the lowest possible with 4 placebos is 0.20)."
    )


def test_summary_words_are_known_in_swedish() -> None:
    assert summary_text(SUMMARY, "sv") == (
        "Negativa inlägg (andel per skribent) minskade jämfört med jämförelseområdena: "
        "−0,23 (95% KI −0,36 till −0,10). Metod: DiD, collapsed unit-level t. På 200 simulerade "
        "kommuner som denna täckte dess 95 %-intervall den sanna effekten i 96 % av fallen, och "
        "utan effekt fann den felaktigt en i 4 %. Med dessa data skulle effekter mindre än "
        "ungefär 0,09 troligen inte upptäckas. Syntetisk kontroll: −0,11, placebo-p-värde 0,20 "
        "(det lägsta möjliga med 4 placebon är 0,20)."
    )


def test_summary_words_for_disagreement_warning_and_missing_calibration() -> None:
    summary = SUMMARY | {
        "finding": "methods_disagree",
        "calibration": None,
        "pretrend_warning": True,
        "outcome": "not_in_the_catalogue",
    }
    english = summary_text(summary, "en")
    assert english.startswith(
        "Estimated change in not_in_the_catalogue: -0.23 (95% CI -0.36 to -0.10) (DiD, collapsed "
        "unit-level t), but well-calibrated methods point in opposite directions"
    )
    assert "this outcome is not covered by the calibration study" in english
    assert "Warning: the areas already diverged before the start" in english
    swedish = summary_text(summary, "sv")
    assert "vi kan inte säga åt vilket håll det ändrades" in swedish
    assert "utfallet ingår inte i kalibreringsstudien" in swedish
    assert "Varning: områdena skilde sig redan före starten" in swedish


def test_no_qualified_method_is_said_after_the_calibration() -> None:
    english = summary_text(SUMMARY | {"reason_code": "no_method_qualified"}, "en")
    assert "wrongly found one in 4%. No method met the calibration targets" in english
    swedish = summary_text(SUMMARY | {"reason_code": "no_method_qualified"}, "sv")
    assert "en i 4 %. Ingen metod nådde kalibreringsmålen" in swedish


def test_write_report(planted: dict, tmp_path) -> None:
    paths = write_report(planted, tmp_path)
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["outcome"] == "trust_neighbours"
    for kind in ("event_study", "synth_gap"):
        assert paths[kind].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = write_markdown(planted, tmp_path).read_text(encoding="utf-8")
    assert markdown == render_markdown(planted)
    assert "## Sammanfattning" in markdown and "event_study.png" in markdown
    assert summary_text(planted["summary"], "en") in markdown
    assert summary_text(planted["summary"], "sv") in markdown


def test_result_is_strict_json(planted: dict) -> None:
    json.dumps(planted, allow_nan=False)


def test_unknown_neighbourhood_is_a_config_error() -> None:
    indicators = simulate_indicators(seed=1, n_units=4)
    bad = ACTION.model_copy(update={"neighbourhoods": ["Nowhere"]})
    with pytest.raises(ConfigError, match="not in the data"):
        evaluate_action(indicators, bad, "trust_neighbours", seed=0)
