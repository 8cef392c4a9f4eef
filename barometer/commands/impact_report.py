"""The words of ``barometer impact``'s report, in English and Swedish, from the result's codes.

:func:`barometer.impact.report.evaluate_action` returns codes and numbers only (its
``summary``); this module is the one place that turns them into sentences for the CLI and its
Markdown report (the app words the published ``impact_verdict`` itself, in ``app/verdict.py``).
Swedish numbers use the decimal comma and a true minus sign.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from barometer.indicators import CATALOGUE

Language = Literal["en", "sv"]

#: sentence templates by language and code (``{ci}``: the estimate and its interval)
SENTENCES: dict[str, dict[str, str]] = {
    "en": {
        "ci": "{estimate} ({pct}% CI {lower} to {upper})",
        "methods_disagree": "Estimated change in {outcome}: {ci} ({lead}), but well-calibrated "
        "methods point in opposite directions: we cannot say which way it changed.",
        "no_clear_change": "Estimated change in {outcome}: {ci}. We cannot distinguish the "
        "effect from zero.",
        "rose": "{outcome} rose relative to the comparison neighbourhoods: {ci}.",
        "fell": "{outcome} fell relative to the comparison neighbourhoods: {ci}.",
        "not_calibrated": "Method: {lead}; this outcome is not covered by the calibration study "
        "on simulated municipalities.",
        "calibrated": "Method: {lead}. On {n_cities} simulated municipalities like this one, its "
        "95% interval covered the true effect {coverage}% of the time, and with no effect it "
        "wrongly found one in {false_positives}%.",
        "no_method_qualified": "No method met the calibration targets (90% coverage, at most 7% "
        "false alarms).",
        "mde": "With this data, effects smaller than about {mde} would probably go undetected.",
        "pretrend": "Warning: the areas already diverged before the start; the estimate may be "
        "biased.",
        "synthetic_control": "Synthetic control: {effect}, placebo p-value {p_value} (the lowest "
        "possible with {n_placebos} placebos is {floor}).",
    },
    "sv": {
        "ci": "{estimate} ({pct}% KI {lower} till {upper})",
        "methods_disagree": "Skattad förändring i {outcome}: {ci}, men välkalibrerade metoder "
        "pekar åt olika håll: vi kan inte säga åt vilket håll det ändrades.",
        "no_clear_change": "Skattad förändring i {outcome}: {ci}. Vi kan inte skilja effekten "
        "från noll.",
        "rose": "{outcome} ökade jämfört med jämförelseområdena: {ci}.",
        "fell": "{outcome} minskade jämfört med jämförelseområdena: {ci}.",
        "not_calibrated": "Metod: {lead}; utfallet ingår inte i kalibreringsstudien på "
        "simulerade kommuner.",
        "calibrated": "Metod: {lead}. På {n_cities} simulerade kommuner som denna täckte dess "
        "95 %-intervall den sanna effekten i {coverage} % av fallen, och utan effekt fann den "
        "felaktigt en i {false_positives} %.",
        "no_method_qualified": "Ingen metod nådde kalibreringsmålen (90 % täckning, högst 7 % "
        "falsklarm).",
        "mde": "Med dessa data skulle effekter mindre än ungefär {mde} troligen inte upptäckas.",
        "pretrend": "Varning: områdena skilde sig redan före starten; skattningen kan vara "
        "snedvriden.",
        "synthetic_control": "Syntetisk kontroll: {effect}, placebo-p-värde {p_value} (det "
        "lägsta möjliga med {n_placebos} placebon är {floor}).",
    },
}


def number(x: float, language: Language, sign: bool = False) -> str:
    """``x`` with two decimals (``+`` for a positive change when ``sign``); Swedish: decimal
    comma and a true minus sign."""
    text = f"{x:+.2f}" if sign else f"{x:.2f}"
    return text.replace(".", ",").replace("-", "−") if language == "sv" else text


def outcome_label(outcome: str, language: Language) -> str:
    """The indicator's name in ``language`` from the catalogue (its code when not catalogued)."""
    entry = CATALOGUE.get(outcome)
    if entry is None:
        return outcome
    return entry.label_sv if language == "sv" else entry.label_en


def summary_text(summary: dict[str, Any], language: Language) -> str:
    """The plain-language summary of :func:`barometer.impact.report.summarise`'s codes: the
    finding with its interval, how the lead method did on simulated municipalities, the
    minimum detectable effect, a pre-trend warning and the synthetic control's placebo test."""
    words = SENTENCES[language]
    ci = words["ci"].format(
        estimate=number(summary["estimate"], language, sign=True),
        pct=round(100 * summary["level"]),
        lower=number(summary["lower"], language),
        upper=number(summary["upper"], language),
    )
    outcome = outcome_label(summary["outcome"], language)
    lead = summary["lead_label"]
    sentences = [words[summary["finding"]].format(outcome=outcome, ci=ci, lead=lead)]
    calibration = summary["calibration"]
    if calibration is None:
        sentences.append(words["not_calibrated"].format(lead=lead))
    else:
        sentences.append(
            words["calibrated"].format(
                lead=lead,
                n_cities=calibration["n_cities"],
                coverage=round(100 * calibration["coverage"]),
                false_positives=round(100 * calibration["placebo_false_positive_rate"]),
            )
        )
        if summary["reason_code"] == "no_method_qualified":
            sentences.append(words["no_method_qualified"])
    sentences.append(
        words["mde"].format(mde=number(summary["minimum_detectable_effect"], language))
    )
    if summary["pretrend_warning"]:
        sentences.append(words["pretrend"])
    sc = summary["synthetic_control"]
    sentences.append(
        words["synthetic_control"].format(
            effect=number(sc["effect"], language, sign=True),
            p_value=number(sc["p_value"], language),
            n_placebos=sc["n_placebos"],
            floor=number(sc["p_value_floor"], language),
        )
    )
    return " ".join(sentences)


def write_markdown(result: dict[str, Any], out_dir: Path | str) -> Path:
    """Write ``impact.md`` (next to the JSON and plots of ``write_report``); return its path."""
    path = Path(out_dir) / "impact.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(result), encoding="utf-8")
    return path


def render_markdown(result: dict[str, Any]) -> str:
    """The report as Markdown: both summaries, the estimates, the methods' calibration, plots."""
    a = result["action"]
    lines = [
        f"# Impact of '{a['title']}' on {result['outcome']}",
        "",
        f"Treated: {', '.join(a['neighbourhoods'])}; start {a['start']}; comparison: "
        f"{', '.join(a['comparison'])}.",
        "",
        "## Summary",
        "",
        summary_text(result["summary"], "en"),
        "",
        "## Sammanfattning",
        "",
        summary_text(result["summary"], "sv"),
        "",
        *_estimates_table(result),
        *_methods_table(result),
    ]
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


def _estimates_table(result: dict[str, Any]) -> list[str]:
    """DiD, synthetic control and ITS estimates, one table row each."""
    lines = [
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
    return lines


def _methods_table(result: dict[str, Any]) -> list[str]:
    """Every method's estimate next to how it did on the simulated municipalities."""
    calibration, verdict = result["calibration"], result["verdict"]
    lines = [
        "",
        "## Methods on simulated municipalities",
        "",
        f"{calibration['n_cities']} simulated municipalities "
        f"({calibration['setting']}; scorer {calibration['scorer']}); "
        f"verdict: **{verdict['verdict']}** "
        f"(lead: {verdict['lead_method']}, reason: {verdict['reason_code']}).",
        "",
        "| method | estimate | lower | upper | coverage of 95% interval | placebo false "
        "positives | bias | qualified |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in result["methods"]:
        cal = m.get("calibration") or {}
        lines.append(
            f"| {m['label']} | {_num(m['estimate'])} | {_num(m['lower'])} | {_num(m['upper'])} "
            f"| {_pct(cal.get('coverage'))} [{_pct(cal.get('coverage_lower'))}, "
            f"{_pct(cal.get('coverage_upper'))}] | {_pct(cal.get('placebo_false_positive_rate'))}"
            f" | {_num(cal.get('bias'))} | {'yes' if m['qualified'] else 'no'} |"
        )
    return lines


def _num(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}"


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"
