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
from barometer.impact.sts import structural_its
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


Estimate = tuple[float, float, float]
Runner = Callable[[pd.DataFrame, list[str], pd.Timestamp, str, float], Estimate]


@dataclass(frozen=True)
class Method:
    """One estimator + interval: ``run(panel, treated, start, outcome, level)`` ->
    ``(estimate, lower, upper)`` in the indicator's unit."""

    name: str
    label: str
    run: Runner


_LAST_DID: dict[str, Any] = {}


def _did_row(inference: str, weights: str = "webb") -> Runner:
    """A row of :func:`~barometer.impact.did.twfe_did`; the fit is shared by the rows of the
    same panel (the last panel's result per bootstrap weighting is kept)."""

    def run(
        panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
    ) -> Estimate:
        key = (id(panel), tuple(treated), start, level, weights)
        cached = _LAST_DID.get(weights)
        if cached is None or cached[0] != key or cached[1] is not panel:
            n_boot = 1024 if weights == "rademacher" else 999
            frame = twfe_did(
                panel, treated, start, level=level, n_boot=n_boot, seed=1,
                bootstrap_weights=weights,  # type: ignore[arg-type]
            ).set_index("inference")  # fmt: skip
            _LAST_DID[weights] = (key, panel, frame)
            cached = _LAST_DID[weights]
        row = cached[2].loc[inference].to_dict()
        return float(row["estimate"]), float(row["lower"]), float(row["upper"])

    return run


def _link(
    panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
) -> Estimate:
    if outcome not in SCALES:
        raise BarometerError(f"no bounded scale known for '{outcome}'; the logit DiD needs one")
    row = link_did(panel, treated, start, scale=SCALES[outcome], level=level).iloc[0]
    return float(row["estimate"]), float(row["lower"]), float(row["upper"])


def pooled_treated(panel: pd.DataFrame, treated: list[str]) -> tuple[pd.DataFrame, str]:
    """The panel with the treated units replaced by their per-period mean (one target unit for
    the single-unit methods), and that unit's name."""
    if len(treated) == 1:
        return panel, treated[0]
    name = "treated (mean)"
    is_t = panel[UNIT].isin(treated)
    mean = panel[is_t].groupby(PERIOD, as_index=False)[VALUE].mean().assign(**{UNIT: name})
    return pd.concat([panel.loc[~is_t, [UNIT, PERIOD, VALUE]], mean], ignore_index=True), name


def _synth(
    panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
) -> Estimate:
    pooled, unit = pooled_treated(panel, treated)
    sc = placebo_inference(pooled, unit, start)
    return float(sc["fit"]["effect"]), float(sc["lower"]), float(sc["upper"])


def _sdid(
    panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
) -> Estimate:
    fit = synthetic_did(panel, treated, start, level=level)
    return float(fit["estimate"]), float(fit["lower"]), float(fit["upper"])


def _treated_series(panel: pd.DataFrame, treated: list[str]) -> pd.Series:
    pooled, unit = pooled_treated(panel, treated)
    return pooled[pooled[UNIT] == unit].set_index(PERIOD)[VALUE].sort_index()


def _its(
    panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
) -> Estimate:
    series = _treated_series(panel, treated)
    row = segmented_regression(series, start, seasonality="fourier", level=level).iloc[0]
    return float(row["estimate"]), float(row["lower"]), float(row["upper"])


def _sts(
    panel: pd.DataFrame, treated: list[str], start: pd.Timestamp, outcome: str, level: float
) -> Estimate:
    series = _treated_series(panel, treated)
    wide = panel[~panel[UNIT].isin(treated)].pivot(index=PERIOD, columns=UNIT, values=VALUE)
    covariate = wide.mean(axis=1).to_frame("comparison_mean")
    row = structural_its(series, start, covariate, n_draws=300, level=level).iloc[0]
    return float(row["estimate"]), float(row["lower"]), float(row["upper"])


METHODS: tuple[Method, ...] = (
    Method("did_cluster", "TWFE DiD, cluster-robust t(G-1)", _did_row("cluster")),
    Method("did_wild_webb", "TWFE DiD, wild cluster bootstrap (Webb)", _did_row("wild bootstrap")),
    Method("did_collapsed", "DiD, collapsed unit-level t", _did_row("collapsed")),
    Method("did_collapsed_logit", "DiD on the logit scale, collapsed t", _link),
    Method("synthetic_control", "synthetic control, placebo range", _synth),
    Method("synthetic_did", "synthetic DiD, placebo SE", _sdid),
    Method("its_level", "interrupted time series, level change", _its),
    Method("sts_counterfactual", "structural time series with the comparison mean", _sts),
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
                    est, lo, hi = method.run(panel, [TREATED], START, outcome, level)
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


def run_methods(
    panel: pd.DataFrame,
    treated: list[str],
    start: pd.Timestamp,
    outcome: str,
    level: float = 0.95,
) -> list[dict[str, Any]]:
    """Every method of :data:`METHODS` on one real panel: ``method, label, estimate, lower,
    upper, error`` (``None`` numbers and the reason where a method cannot run)."""
    out = []
    for method in METHODS:
        try:
            est, lo, hi = method.run(panel, treated, start, outcome, level)
            row: dict[str, Any] = {"estimate": est, "lower": lo, "upper": hi, "error": ""}
        except (BarometerError, np.linalg.LinAlgError, ValueError) as exc:
            row = {"estimate": None, "lower": None, "upper": None, "error": str(exc)}
        out.append({"method": method.name, "label": method.label, **row})
    return out
