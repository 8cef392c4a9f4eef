"""The impact verdict in words: each published method under its own name, and a verdict that
the calibration study cannot vouch for never read as "could be chance"."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pandas as pd
import pytest
from conftest import REPO_ROOT


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType, ModuleType]]:
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    import i18n
    import units
    import verdict

    with i18n.using("en"):  # whatever language an earlier test's app run left behind
        yield verdict, i18n, units


@pytest.mark.parametrize(
    ("method", "name"),
    [("TWFE DiD (unit + period FE)", "difference-in-differences"),
     ("did_collapsed", "difference-in-differences"),
     ("interrupted time series (segmented regression)", "interrupted time series"),
     ("synthetic control", "synthetic control"), ("synthetic_control", "synthetic control"),
     ("synthetic DiD, placebo SE", "synthetic difference-in-differences"),
     ("synthetic_did", "synthetic difference-in-differences"),
     ("structural time series with the comparison mean", "structural time series"),
     ("sts_counterfactual", "structural time series")],
)  # fmt: skip
def test_every_published_method_has_its_own_name(app, method, name) -> None:
    verdict, i18n, _ = app
    with i18n.using("en"):
        assert verdict.method_name(method) == name


def test_synthetic_control_is_not_replaced_by_synthetic_did(app) -> None:
    verdict, _, _ = app
    rows = pd.DataFrame(
        {
            "method": ["TWFE DiD (unit + period FE)", "TWFE DiD (unit + period FE)",
                       "synthetic DiD, placebo SE", "synthetic control"],
            "inference": ["cluster", "collapsed", "synthetic_did", "placebo range"],
            "estimand": ["ATT"] * 4,
            "estimate": [32.5, 32.5, 31.0, 20.0],
            "lower": [25.7, 12.5, 24.9, 7.6],
            "upper": [39.3, 52.5, 37.2, 44.9],
            "p_value": [0.00001, 0.006, None, 0.22],
        }
    )  # fmt: skip
    shown = verdict.one_per_method(rows).set_index("family")
    assert shown.loc["synth", "estimate"] == 20.0 and shown.loc["sdid", "estimate"] == 31.0
    assert shown.loc["did", "inference"] == "collapsed"  # the most cautious DiD speaks
    assert not verdict.is_clear(shown.loc["synth"])  # placebo p = 0.22


def _verdict(verdict: ModuleType, reason: str, lower: float) -> object:
    return verdict.Verdict("no_clear_effect", "did_collapsed", 32.49, lower, 52.46,
                           ["did_collapsed"], [], reason, 10.41)  # fmt: skip


def test_an_untested_outcome_is_a_likely_change_not_chance(app) -> None:
    verdict, i18n, units = app
    index = units.Unit("index")
    with i18n.using("en"):
        text = verdict.words(_verdict(verdict, "not_calibrated", 12.53), "the index", index)
        chance = verdict.words(_verdict(verdict, "lead_includes_zero", -3.0), "the index", index)
    assert text == (
        "The methods point to a rise in the index after the action (difference-in-differences: "
        "+32 points, 95% interval +13 points to +52 points), but no method has been tested on "
        "simulated cities for this outcome, so the barometer does not call it a proven effect. "
        "Read it as a likely rise to follow up. With this data, effects smaller than about 10 "
        "points would probably go unnoticed."
    )
    assert "cannot be told apart from chance" in chance and "likely" not in chance
    with i18n.using("sv"):
        swedish = verdict.words(_verdict(verdict, "no_method_qualified", 12.53), "indexet",
                                index)  # fmt: skip
    assert swedish.startswith("Metoderna pekar på en ökning i indexet efter insatsen")
    assert "ingen metod klarade sitt prov på simulerade kommuner" in swedish
