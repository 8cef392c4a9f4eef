"""Synthetic DiD (synthdid's California Prop 99) and Synth's predictor-based synthetic control
(the Basque Country), against their published reference values."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import EstimationError
from barometer.impact.sdid import synthetic_did
from barometer.impact.simulate import simulate_panel
from barometer.impact.synth_predictors import PredictorSpec, SpecialPredictor, synth_predictors

FIXTURES = Path(__file__).resolve().parent / "fixtures"

BASQUE = "Basque Country (Pais Vasco)"


@pytest.fixture(scope="module")
def california() -> pd.DataFrame:
    wide = pd.read_csv(FIXTURES / "synthdid_california" / "packs_per_capita.csv")
    long = wide.melt(id_vars="Year", var_name="unit", value_name="value")
    long["period"] = pd.to_datetime(long["Year"].astype(str) + "-01-01")
    return long[["unit", "period", "value"]]


def test_synthetic_did_reproduces_arkhangelsky_table_1(california: pd.DataFrame) -> None:
    fit = synthetic_did(california, ["California"], "1989-01-01")
    # AER 2021, Table 1: SDID -15.6; synthdid 0.0.9 prints -15.60383
    assert fit["estimate"] == pytest.approx(-15.604, abs=5e-4)
    # Table 8 (time weights) and the largest unit weights of Table 7
    lam = fit["time_weights"]
    assert lam[lam > 0].round(3).tolist() == [0.366, 0.206, 0.427]
    assert [str(p.year) for p in lam[lam > 0].index] == ["1986", "1987", "1988"]
    omega = fit["unit_weights"].sort_values(ascending=False).round(3)
    assert omega.head(5).to_dict() == {
        "Nevada": 0.124,
        "New Hampshire": 0.105,
        "Connecticut": 0.078,
        "Delaware": 0.07,
        "Colorado": 0.058,
    }
    assert fit["unit_weights"].sum() == pytest.approx(1.0)
    # the published placebo SE (8.4) is from 200 random placebo draws; every control once
    assert fit["n_placebos"] == 38
    assert fit["se"] == pytest.approx(8.4, rel=0.15)
    assert fit["lower"] < fit["estimate"] < fit["upper"]


def test_synthetic_did_is_invariant_to_unit_and_time_shifts(california: pd.DataFrame) -> None:
    base = synthetic_did(california, ["California"], "1989-01-01")["estimate"]
    unit_fx = california["unit"].map(
        {u: i * 2.5 for i, u in enumerate(sorted(set(california["unit"])))}
    )
    time_fx = (california["period"].dt.year - 1970) * 3.0
    shifted = california.assign(value=california["value"] + unit_fx + time_fx)
    assert synthetic_did(shifted, ["California"], "1989-01-01")["estimate"] == pytest.approx(
        base, abs=1e-6
    )
    bumped = california.assign(
        value=california["value"]
        + np.where(
            (california["unit"] == "California") & (california["period"].dt.year >= 1989), 5.0, 0.0
        )
    )
    assert synthetic_did(bumped, ["California"], "1989-01-01")["estimate"] == pytest.approx(
        base + 5.0, abs=1e-6
    )


def test_synthetic_did_recovers_a_planted_effect() -> None:
    panel = simulate_panel(effect=0.5, treated=["N01", "N02"], seed=4, n_units=12)
    fit = synthetic_did(panel, ["N01", "N02"], "2023-01-01", placebo_reps=100, seed=1)
    assert fit["estimate"] == pytest.approx(0.5, abs=0.15)
    assert fit["n_placebos"] == 100
    assert fit["se"] > 0
    with pytest.raises(EstimationError, match="not in the panel"):
        synthetic_did(panel, ["X"], "2023-01-01")


def _basque_spec() -> PredictorSpec:
    odd = list(range(1961, 1970, 2))
    sectors = [
        "agriculture",
        "energy",
        "industry",
        "construction",
        "services.venta",
        "services.nonventa",
    ]
    return PredictorSpec(
        predictors=[
            "school.illit",
            "school.prim",
            "school.med",
            "school.high",
            "school.post.high",
            "invest",
        ],
        predictor_times=list(range(1964, 1970)),
        special=[
            SpecialPredictor("gdpcap", list(range(1960, 1970))),
            *[SpecialPredictor(f"sec.{s}", odd) for s in sectors],
            SpecialPredictor("popdens", [1969]),
        ],
    )


def test_synth_with_predictors_reproduces_the_basque_weights() -> None:
    data = pd.read_csv(FIXTURES / "synth_basque" / "basque_1960_1969.csv")
    donors = [r for r in data["regionname"].unique() if r != BASQUE]
    fit = synth_predictors(
        data,
        unit="regionname",
        time="year",
        outcome="gdpcap",
        treated=BASQUE,
        donors=donors,
        spec=_basque_spec(),
        optimize_times=list(range(1960, 1970)),
    )
    w = fit["weights"]
    assert w["Cataluna"] == pytest.approx(0.850816, abs=1e-3)
    assert w["Madrid (Comunidad De)"] == pytest.approx(0.149184, abs=1e-3)
    assert w.drop(["Cataluna", "Madrid (Comunidad De)"]).max() < 1e-3
    assert fit["v"].sum() == pytest.approx(1.0)
    assert len(fit["v"]) == 14
    # outcome-only matching on the same window picks a different synthetic Basque Country
    only_gdp = synth_predictors(
        data,
        unit="regionname",
        time="year",
        outcome="gdpcap",
        treated=BASQUE,
        donors=donors,
        spec=PredictorSpec(special=[SpecialPredictor("gdpcap", [1960])]),
        optimize_times=list(range(1960, 1970)),
        custom_v=[1.0],
    )
    assert only_gdp["weights"]["Cataluna"] < 0.8


def test_synth_predictor_errors() -> None:
    data = pd.read_csv(FIXTURES / "synth_basque" / "basque_1960_1969.csv")
    donors = [r for r in data["regionname"].unique() if r != BASQUE]
    with pytest.raises(EstimationError, match="not a column"):
        synth_predictors(
            data,
            unit="regionname",
            time="year",
            outcome="gdpcap",
            treated=BASQUE,
            donors=donors,
            spec=PredictorSpec(predictors=["nope"], predictor_times=[1964]),
            optimize_times=[1960],
        )
    with pytest.raises(EstimationError, match="no value"):
        synth_predictors(
            data,
            unit="regionname",
            time="year",
            outcome="gdpcap",
            treated=BASQUE,
            donors=donors,
            spec=PredictorSpec(predictors=["invest"], predictor_times=[1960]),
            optimize_times=[1960],
        )
