"""Monte Carlo calibration of the impact methods on simulated municipalities.

For each simulated city (:func:`~barometer.impact.simcity.simulate_city`) every method of
:data:`METHODS` estimates the Fittja action's effect twice: in the world with the action
(planted effect) and in the same city without it (placebo: true effect 0). The truth each
interval is judged against is the effect *on the measured indicator* (the indicator with the
action minus the same indicator without it, Fittja's post-start months, averaged over the
cities: :func:`measured_effect`), not the latent 1-point change: see ``data_samples/README.md``.

:func:`summarise` turns the per-city records into the ``impact_calibration`` table: per method
x outcome ``bias``, ``rmse``, ``coverage`` of the nominal 95% interval with its Clopper-Pearson
95% interval, the placebo false-positive rate (interval excludes 0 when the truth is 0) and
power (interval excludes 0 with the planted effect). The study shipped with the package
(:func:`shipped_calibration`, ``barometer/data/impact_calibration.json``) is written by
``bench/bench_impact_calibration.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import BarometerError
from barometer.impact.did import twfe_did
from barometer.impact.its import segmented_regression
from barometer.impact.link import link_did
from barometer.impact.panel import PERIOD, UNIT, VALUE, indicator_panel
from barometer.impact.sdid import synthetic_did
from barometer.impact.synth import placebo_inference
from barometer.synthetic.municipality import ACTION

TREATED = str(ACTION["neighbourhood_id"])
START = pd.Timestamp(str(ACTION["start"]))
#: indicator -> upper bound of its scale (for the logit link)
SCALES: dict[str, float] = {"digital_negative_share": 1.0, "observation_mixed_rate": 100.0}
CALIBRATION_COLUMNS = [
    "method", "outcome", "n_cities", "bias", "rmse", "coverage", "coverage_lower",
    "coverage_upper", "placebo_false_positive_rate", "power", "planted_effect", "setting",
]  # fmt: skip


@dataclass(frozen=True)
class Method:
    """One estimator + interval: ``run(panel, outcome, level)`` -> (estimate, lower, upper)."""

    name: str
    label: str
    run: Callable[[pd.DataFrame, str, float], tuple[float, float, float]]


def _did_row(inference: str, **kwargs: Any) -> Callable[[pd.DataFrame, str, float], Any]:
    def run(panel: pd.DataFrame, outcome: str, level: float) -> tuple[float, float, float]:
        out = twfe_did(panel, [TREATED], START, level=level, **kwargs).set_index("inference")
        row = out.loc[inference].to_dict()
        return float(row["estimate"]), float(row["lower"]), float(row["upper"])

    return run


def _link(panel: pd.DataFrame, outcome: str, level: float) -> tuple[float, float, float]:
    row = link_did(panel, [TREATED], START, scale=SCALES.get(outcome, 1.0), level=level).iloc[0]
    return float(row["estimate"]), float(row["lower"]), float(row["upper"])


def _synth(panel: pd.DataFrame, outcome: str, level: float) -> tuple[float, float, float]:
    sc = placebo_inference(panel, TREATED, START)
    return float(sc["fit"]["effect"]), float(sc["lower"]), float(sc["upper"])


def _sdid(panel: pd.DataFrame, outcome: str, level: float) -> tuple[float, float, float]:
    fit = synthetic_did(panel, [TREATED], START, level=level)
    return float(fit["estimate"]), float(fit["lower"]), float(fit["upper"])


def _its(panel: pd.DataFrame, outcome: str, level: float) -> tuple[float, float, float]:
    series = panel[panel[UNIT] == TREATED].set_index(PERIOD)[VALUE]
    row = segmented_regression(series, START, seasonality="fourier", level=level).iloc[0]
    return float(row["estimate"]), float(row["lower"]), float(row["upper"])


METHODS: tuple[Method, ...] = (
    Method("did_cluster", "TWFE DiD, cluster-robust t(G-1)", _did_row("cluster", n_boot=0)),
    Method(
        "did_wild_webb",
        "TWFE DiD, wild cluster bootstrap (Webb)",
        _did_row("wild bootstrap", n_boot=999, seed=1, bootstrap_weights="webb"),
    ),
    Method(
        "did_wild_rademacher",
        "TWFE DiD, wild cluster bootstrap (Rademacher)",
        _did_row("wild bootstrap", n_boot=1024, seed=1, bootstrap_weights="rademacher"),
    ),
    Method("did_collapsed", "DiD, collapsed unit-level t", _did_row("collapsed", n_boot=0)),
    Method("did_collapsed_logit", "DiD on the logit scale, collapsed t", _link),
    Method("synthetic_control", "synthetic control, placebo range", _synth),
    Method("synthetic_did", "synthetic DiD, placebo SE", _sdid),
    Method("its_level", "interrupted time series, level change", _its),
)
METHOD_NAMES: tuple[str, ...] = tuple(m.name for m in METHODS)


def realised_effect(with_action: pd.DataFrame, without: pd.DataFrame, outcome: str) -> float:
    """Mean over the treated unit's post-start cells of (with action - without): the action's
    effect on the measured indicator in one simulated city (both worlds share their draws)."""
    a = indicator_panel(with_action, outcome).set_index([UNIT, PERIOD])[VALUE]
    b = indicator_panel(without, outcome).set_index([UNIT, PERIOD])[VALUE]
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna().reset_index()
    post = both[(both[UNIT] == TREATED) & (both[PERIOD] >= START)]
    return float((post["a"] - post["b"]).mean())


def study_city(
    city: dict[str, pd.DataFrame],
    seed: int,
    outcomes: Iterable[str],
    *,
    methods: Iterable[str] = METHOD_NAMES,
    level: float = 0.95,
) -> list[dict[str, Any]]:
    """Every method on one simulated city, both worlds: one record per outcome x world x
    method (``seed, outcome, world, method, estimate, lower, upper, realised_effect``; NaN
    estimates where a method failed, with ``error``)."""
    chosen = [m for m in METHODS if m.name in set(methods)]
    records = []
    for outcome in outcomes:
        effect = realised_effect(city["with_action"], city["without_action"], outcome)
        for world, frame, truth in (
            ("effect", city["with_action"], effect),
            ("placebo", city["without_action"], 0.0),
        ):
            panel = indicator_panel(frame, outcome)
            for method in chosen:
                base = {"seed": seed, "outcome": outcome, "world": world, "method": method.name}
                try:
                    est, lo, hi = method.run(panel, outcome, level)
                    error = ""
                except (BarometerError, np.linalg.LinAlgError, ValueError) as exc:
                    est, lo, hi, error = np.nan, np.nan, np.nan, str(exc)
                records.append(
                    {**base, "estimate": est, "lower": lo, "upper": hi,
                     "realised_effect": truth, "error": error}
                )  # fmt: skip
    return records


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval for a proportion ``k / n``."""
    a = 1 - level
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def summarise(records: pd.DataFrame, setting: str) -> pd.DataFrame:
    """The ``impact_calibration`` table from :func:`study_city` records (see module doc)."""
    rows = []
    for (method, outcome), group in records.groupby(["method", "outcome"], sort=False):
        eff = group[(group["world"] == "effect") & group["estimate"].notna()]
        plc = group[(group["world"] == "placebo") & group["estimate"].notna()]
        truth = float(group.loc[group["world"] == "effect", "realised_effect"].mean())
        covered = int(((eff["lower"] <= truth) & (truth <= eff["upper"])).sum())
        n = len(eff)
        lo, hi = clopper_pearson(covered, n) if n else (np.nan, np.nan)
        excludes = (plc["lower"] > 0) | (plc["upper"] < 0)
        detects = (eff["lower"] > 0) | (eff["upper"] < 0)
        rows.append(
            {
                "method": method,
                "outcome": outcome,
                "n_cities": n,
                "bias": float(eff["estimate"].mean() - truth) if n else np.nan,
                "rmse": float(np.sqrt(np.mean((eff["estimate"] - truth) ** 2))) if n else np.nan,
                "coverage": covered / n if n else np.nan,
                "coverage_lower": lo,
                "coverage_upper": hi,
                "placebo_false_positive_rate": float(excludes.mean()) if len(plc) else np.nan,
                "power": float(detects.mean()) if n else np.nan,
                "planted_effect": truth,
                "setting": setting,
            }
        )
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


def shipped_calibration() -> dict[str, Any]:
    """The calibration study shipped with the package: ``{"setting", "n_cities", "command",
    "scorer", "table": DataFrame}`` (``impact_calibration`` columns)."""
    path = resources.files("barometer.data").joinpath("impact_calibration.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["table"] = pd.DataFrame(data["table"], columns=CALIBRATION_COLUMNS)
    return data
