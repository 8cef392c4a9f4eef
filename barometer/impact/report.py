"""Evaluate one action with every method and report it honestly, in English and Swedish.

:func:`evaluate_action` is pure (frames in, a JSON-serialisable dict out);
:func:`write_report` is the only function here that touches disk.
The headline is the TWFE estimate with the collapsed (unit-level) t interval, because with a
handful of neighbourhoods it is the one whose size is right; the other methods are checks.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.impact.calibration import run_methods, shipped_calibration
from barometer.impact.did import event_study, twfe_did
from barometer.impact.its import segmented_regression
from barometer.impact.panel import PERIOD, UNIT, VALUE, indicator_panel, validate_action
from barometer.impact.power import minimum_detectable_effect, simulate_power
from barometer.impact.synth import placebo_inference
from barometer.impact.verdict import decide, qualified_methods
from barometer.indicators import CATALOGUE

_POOLED = "treated (mean)"


def evaluate_action(
    indicators: pd.DataFrame,
    action: Any,
    outcome: str,
    *,
    seed: int,
    level: float = 0.95,
    n_boot: int = 999,
    n_sims: int = 500,
) -> dict[str, Any]:
    """Run DiD (TWFE + event study), synthetic control, ITS and power for one action.

    Parameters
    ----------
    indicators
        The published ``indicators`` table.
    action
        An :class:`~barometer.config.ActionConfig`; ``comparison`` (if given) is the donor
        pool, otherwise every untreated neighbourhood.
    outcome
        Indicator name.
    seed
        Seed of the wild bootstrap and the power simulation.

    Returns
    -------
    dict
        ``action, outcome, did, event_study, pretrend, synthetic_control, its, power,
        summary_en, summary_sv``; numbers in the indicator's unit, JSON-serialisable.
    """
    panel = indicator_panel(indicators, outcome)
    first, last = panel[PERIOD].min(), panel[PERIOD].max()
    validate_action(action, set(panel[UNIT]), (first, last))
    treated = list(action.neighbourhoods)
    comparison = [u for u in (action.comparison or sorted(set(panel[UNIT]))) if u not in treated]
    # a comparison unit with suppressed (small) cells leaves gaps that the event study and the
    # synthetic control cannot fill: only comparison units observed every month are used
    months = panel.groupby(UNIT)[PERIOD].nunique()
    gappy = [u for u in comparison if months.get(u, 0) < panel[PERIOD].nunique()]
    comparison = [u for u in comparison if u not in gappy]
    panel = panel[panel[UNIT].isin([*treated, *comparison])]
    start = pd.Timestamp(action.start)
    n_pre = int(panel.loc[panel[PERIOD] < start, PERIOD].nunique())
    n_post = int(panel.loc[panel[PERIOD] >= start, PERIOD].nunique())

    did = twfe_did(panel, treated, start, level=level, n_boot=n_boot, seed=seed)
    es, pretrend = event_study(
        panel, treated, start, leads=min(6, n_pre), lags=min(12, n_post - 1), level=level
    )
    pooled = _pool_treated(panel, treated)
    sc = placebo_inference(pooled, _POOLED, start, comparison)
    series = pooled[pooled[UNIT] == _POOLED].set_index(PERIOD)[VALUE]
    its = segmented_regression(
        series, start, seasonality="dummies" if len(series) >= 36 else "fourier", level=level
    )
    sigma, rho = _error_scale(panel, start)
    mde = minimum_detectable_effect(
        sigma, n_pre, n_post, len(treated), len(comparison), alpha=round(1 - level, 10), rho=rho
    )
    sim = simulate_power(
        panel,
        treated,
        start,
        [0.0, float(mde["mde"].iloc[0])],
        n_sims,
        seed,
        alpha=round(1 - level, 10),
    )
    fit = sc["fit"]
    methods = run_methods(panel, treated, start, outcome, level)
    shipped = shipped_calibration()
    table = shipped["table"]
    calibration = [_clean(r) for r in table[table["outcome"] == outcome].to_dict("records")]
    qualified = set(qualified_methods(table, outcome))
    for row in methods:
        cal = next((c for c in calibration if c["method"] == row["method"]), None)
        row["calibration"] = cal
        row["qualified"] = row["method"] in qualified
    verdict = decide(methods, table, outcome)
    verdict["minimum_detectable_effect"] = float(mde["mde"].iloc[0])
    result = {
        "action": {
            "id": action.id,
            "title": action.title,
            "neighbourhoods": treated,
            "comparison": comparison,
            "comparison_with_gaps": gappy,
            "start": str(start.date()),
        },
        "outcome": outcome,
        "level": level,
        "periods": {
            "first": str(first.date()),
            "last": str(last.date()),
            "n_pre": n_pre,
            "n_post": n_post,
        },
        "did": _records(did),
        "event_study": _records(es),
        "pretrend": _clean(pretrend),
        "synthetic_control": {
            "effect": fit["effect"],
            "lower": sc["lower"],
            "upper": sc["upper"],
            "interval_level": sc["interval_level"],
            "p_value": sc["p_value"],
            "effect_p_value": sc["effect_p_value"],
            "pre_rmspe": fit["pre_rmspe"],
            "post_rmspe": fit["post_rmspe"],
            "n_placebos": sc["n_placebos"],
            "weights": _clean(fit["weights"].round(6).to_dict()),
            "gap": _series(fit["gap"]),
            "placebo_gaps": {u: _series(sc["placebo_gaps"][u]) for u in sc["placebo_gaps"]},
        },
        "its": _records(its),
        "power": {"mde": _records(mde)[0], "simulation": _records(sim)},
        "methods": [_clean(m) for m in methods],
        "calibration": {
            "setting": shipped["setting"],
            "n_cities": shipped["n_cities"],
            "scorer": shipped["scorer"],
            "command": shipped["command"],
            "rows": calibration,
        },
        "verdict": _clean(verdict),
    }
    result["summary_en"], result["summary_sv"] = summarise(result)
    return result


def _pool_treated(panel: pd.DataFrame, treated: list[str]) -> pd.DataFrame:
    """Replace the treated units by their per-period mean (one synthetic-control target)."""
    is_t = panel[UNIT].isin(treated)
    mean = panel[is_t].groupby(PERIOD, as_index=False)[VALUE].mean().assign(**{UNIT: _POOLED})
    return pd.concat([panel.loc[~is_t, [UNIT, PERIOD, VALUE]], mean], ignore_index=True)


def _error_scale(panel: pd.DataFrame, start: pd.Timestamp) -> tuple[float, float]:
    """Residual SD and lag-1 autocorrelation of the two-way demeaned pre-period panel."""
    pre = panel[panel[PERIOD] < start].pivot(index=PERIOD, columns=UNIT, values=VALUE)
    pre = pre.dropna(axis=1)
    r = pre - pre.mean(axis=0) - pre.mean(axis=1).to_numpy()[:, None] + pre.to_numpy().mean()
    t, n = r.shape
    sigma = float(np.sqrt(np.sum(r.to_numpy() ** 2) / ((t - 1) * (n - 1))))
    x = r.to_numpy()
    rho = float(np.sum(x[1:] * x[:-1]) / np.sum(x**2)) + 1.0 / t  # first-order bias fix
    return sigma, float(np.clip(rho, 0.0, 0.95))


def summarise(result: dict[str, Any]) -> tuple[str, str]:
    """Plain-language summary in English and Swedish that states the uncertainty, led by the
    best-calibrated method (see :mod:`barometer.impact.verdict`) and saying how that method
    did on the simulated municipalities."""
    verdict = result["verdict"]
    lead = next(m for m in result["methods"] if m["method"] == verdict["lead_method"])
    est, lo, hi = verdict["estimate"], verdict["lower"], verdict["upper"]
    pct = round(100 * result["level"])
    mde = result["power"]["mde"]["mde"]
    entry = CATALOGUE.get(result["outcome"])
    outcome = entry.label_en if entry else result["outcome"]
    outcome_sv = entry.label_sv if entry else result["outcome"]
    sc = result["synthetic_control"]
    floor = 1 / (sc["n_placebos"] + 1)
    ci_en = f"{est:+.2f} ({pct}% CI {lo:.2f} to {hi:.2f})"
    ci_sv = f"{_sv(est, True)} ({pct}% KI {_sv(lo)} till {_sv(hi)})"
    if verdict["verdict"] == "methods_disagree":
        en = [
            f"Estimated change in {outcome}: {ci_en} ({lead['label']}), but well-calibrated "
            "methods point in opposite directions: we cannot say which way it changed."
        ]
        sv = [
            f"Skattad förändring i {outcome_sv}: {ci_sv}, men välkalibrerade metoder pekar åt "
            "olika håll: vi kan inte säga åt vilket håll det ändrades."
        ]
    elif lo <= 0 <= hi:
        en = [
            f"Estimated change in {outcome}: {ci_en}. We cannot distinguish the effect from zero."
        ]
        sv = [f"Skattad förändring i {outcome_sv}: {ci_sv}. Vi kan inte skilja effekten från noll."]
    else:
        en_word, sv_word = ("rose", "ökade") if est > 0 else ("fell", "minskade")
        en = [f"{outcome} {en_word} relative to the comparison neighbourhoods: {ci_en}."]
        sv = [f"{outcome_sv} {sv_word} jämfört med jämförelseområdena: {ci_sv}."]
    en_cal, sv_cal = _calibration_sentences(lead, result["calibration"], verdict["reason_code"])
    en.append(en_cal)
    sv.append(sv_cal)
    en.append(f"With this data, effects smaller than about {mde:.2f} would probably go undetected.")
    sv.append(
        f"Med dessa data skulle effekter mindre än ungefär {_sv(mde)} troligen inte upptäckas."
    )
    p_pre = result["pretrend"].get("p_value")
    if p_pre is not None and p_pre < 0.10:
        en.append(
            "Warning: the areas already diverged before the start; the estimate may be biased."
        )
        sv.append(
            "Varning: områdena skilde sig redan före starten; skattningen kan vara snedvriden."
        )
    en.append(
        f"Synthetic control: {sc['effect']:+.2f}, placebo p-value {sc['p_value']:.2f} "
        f"(the lowest possible with {sc['n_placebos']} placebos is {floor:.2f})."
    )
    sv.append(
        f"Syntetisk kontroll: {_sv(sc['effect'], True)}, placebo-p-värde {_sv(sc['p_value'])} "
        f"(det lägsta möjliga med {sc['n_placebos']} placebon är {_sv(floor)})."
    )
    return " ".join(en), " ".join(sv)


def _calibration_sentences(
    lead: dict[str, Any], calibration: dict[str, Any], reason: str
) -> tuple[str, str]:
    """How the lead method did on the simulated municipalities, in English and Swedish."""
    cal = lead.get("calibration")
    if cal is None or reason in ("not_calibrated", "no_estimate"):
        return (
            f"Method: {lead['label']}; this outcome is not covered by the calibration study on "
            "simulated municipalities.",
            f"Metod: {lead['label']}; utfallet ingår inte i kalibreringsstudien på simulerade "
            "kommuner.",
        )
    n = cal["n_cities"]
    cov, fp = round(100 * cal["coverage"]), round(100 * cal["placebo_false_positive_rate"])
    en = (
        f"Method: {lead['label']}. On {n} simulated municipalities like this one, its 95% "
        f"interval covered the true effect {cov}% of the time, and with no effect it wrongly "
        f"found one in {fp}%."
    )
    sv = (
        f"Metod: {lead['label']}. På {n} simulerade kommuner som denna täckte dess 95 %-intervall "
        f"den sanna effekten i {cov} % av fallen, och utan effekt fann den felaktigt en i {fp} %."
    )
    if reason == "no_method_qualified":
        en += " No method met the calibration targets (90% coverage, at most 7% false alarms)."
        sv += " Ingen metod nådde kalibreringsmålen (90 % täckning, högst 7 % falsklarm)."
    return en, sv


def _sv(x: float, sign: bool = False) -> str:
    """Swedish number format: decimal comma, true minus sign."""
    text = f"{x:+.2f}" if sign else f"{x:.2f}"
    return text.replace(".", ",").replace("-", "−")


def _clean(value: Any) -> Any:
    """NaN/inf -> None, numpy scalars -> Python, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.to_dict(orient="records")]


def _series(series: pd.Series) -> dict[str, float | None]:
    return {str(pd.Timestamp(str(k)).date()): _clean(float(v)) for k, v in series.items()}


def write_report(result: dict[str, Any], out_dir: Path | str) -> dict[str, Path]:
    """Write ``impact.json``, ``impact.md`` and PNG plots; return the paths by kind."""
    from barometer.impact.plots import plot_event_study, plot_synth_gap

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out / "impact.json",
        "markdown": out / "impact.md",
        "event_study": out / "event_study.png",
        "synth_gap": out / "synth_gap.png",
    }
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_event_study(result, paths["event_study"])
    plot_synth_gap(result, paths["synth_gap"])
    paths["markdown"].write_text(render_markdown(result), encoding="utf-8")
    return paths


def render_markdown(result: dict[str, Any]) -> str:
    """The report as Markdown: summaries, a table of estimates, plots."""
    a = result["action"]
    lines = [
        f"# Impact of '{a['title']}' on {result['outcome']}",
        "",
        f"Treated: {', '.join(a['neighbourhoods'])}; start {a['start']}; comparison: "
        f"{', '.join(a['comparison'])}.",
        "",
        "## Summary",
        "",
        result["summary_en"],
        "",
        "## Sammanfattning",
        "",
        result["summary_sv"],
        "",
        "## Estimates",
        "",
        "| method | inference | estimate | lower | upper | p-value |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["did"]:
        lines.append(
            f"| {r['method']} | {r['inference']} | {_num(r['estimate'])} | "
            f"{_num(r['lower'])} | {_num(r['upper'])} | {_num(r['p_value'])} |"
        )
    sc = result["synthetic_control"]
    lines.append(
        f"| synthetic control | placebo (interval level {sc['interval_level']:.2f}) | "
        f"{_num(sc['effect'])} | {_num(sc['lower'])} | {_num(sc['upper'])} | "
        f"{_num(sc['p_value'])} |"
    )
    for r in result["its"]:
        lines.append(
            f"| ITS: {r['estimand']} | HAC | {_num(r['estimate'])} | {_num(r['lower'])} "
            f"| {_num(r['upper'])} | {_num(r['p_value'])} |"
        )
    lines += [
        "",
        "## Methods on simulated municipalities",
        "",
        f"{result['calibration']['n_cities']} simulated municipalities "
        f"({result['calibration']['setting']}; scorer {result['calibration']['scorer']}); "
        f"verdict: **{result['verdict']['verdict']}** "
        f"(lead: {result['verdict']['lead_method']}, reason: {result['verdict']['reason_code']}).",
        "",
        "| method | estimate | lower | upper | coverage of 95% interval | placebo false "
        "positives | bias | qualified |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in result["methods"]:
        cal = m.get("calibration") or {}
        cov = cal.get("coverage")
        lines.append(
            f"| {m['label']} | {_num(m['estimate'])} | {_num(m['lower'])} | {_num(m['upper'])} "
            f"| {_pct(cov)} [{_pct(cal.get('coverage_lower'))}, "
            f"{_pct(cal.get('coverage_upper'))}] | {_pct(cal.get('placebo_false_positive_rate'))}"
            f" | {_num(cal.get('bias'))} | {'yes' if m['qualified'] else 'no'} |"
        )
    pre = result["pretrend"]
    lines += [
        "",
        f"Pre-trend test (leads jointly zero): p = {_num(pre.get('p_value'))}.",
        f"Minimum detectable effect (80% power): {_num(result['power']['mde']['mde'])}.",
        "",
        "![event study](event_study.png)",
        "",
        "![synthetic control](synth_gap.png)",
        "",
    ]
    return "\n".join(lines)


def _num(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}"


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"
