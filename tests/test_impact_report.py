"""End-to-end evaluation of an action on a simulated indicators table with a planted effect."""

import json
from datetime import date

import pytest

from barometer.config import ActionConfig
from barometer.exceptions import ConfigError
from barometer.impact.report import evaluate_action, write_report
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
    assert "rose" in planted["summary_en"] and "ökade" in planted["summary_sv"]


def test_placebo_action_is_not_significant() -> None:
    indicators = simulate_indicators(effect=EFFECT, seed=21)  # N01 treated, N05 untouched
    placebo = ACTION.model_copy(update={"neighbourhoods": ["N05"], "comparison": [
        f"N{i:02d}" for i in range(2, 11) if i != 5]})  # fmt: skip
    result = evaluate_action(indicators, placebo, "trust_neighbours", seed=2, n_sims=100)
    head = next(r for r in result["did"] if r["inference"] == "collapsed")
    assert head["p_value"] > 0.05
    assert "cannot distinguish the effect from zero" in result["summary_en"]
    assert "kan inte skilja effekten från noll" in result["summary_sv"]


def test_write_report(planted: dict, tmp_path) -> None:
    paths = write_report(planted, tmp_path)
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["outcome"] == "trust_neighbours"
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "## Sammanfattning" in markdown and "event_study.png" in markdown
    for kind in ("event_study", "synth_gap"):
        assert paths[kind].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_result_is_strict_json(planted: dict) -> None:
    json.dumps(planted, allow_nan=False)


def test_unknown_neighbourhood_is_a_config_error() -> None:
    indicators = simulate_indicators(seed=1, n_units=4)
    bad = ACTION.model_copy(update={"neighbourhoods": ["Nowhere"]})
    with pytest.raises(ConfigError, match="not in the data"):
        evaluate_action(indicators, bad, "trust_neighbours", seed=0)
