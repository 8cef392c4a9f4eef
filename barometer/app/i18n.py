"""The app's one translation table: every label in English and Swedish.

The labels themselves live in :mod:`i18n_labels`, :mod:`i18n_sentences` and :mod:`i18n_findings`
(pure data, joined here into ``TEXT``); this module picks the language and formats numbers
and dates.

Pages call ``t("key")`` (or ``t("key", name=...)`` for labels with placeholders); the language
is the sidebar's choice in ``st.session_state["lang"]``. Indicator names come from the published
catalogue (``label_en`` / ``label_sv``); :func:`indicator_label` covers the names it lacks.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import streamlit as st
from i18n_findings import FINDINGS
from i18n_labels import LABELS
from i18n_sentences import SENTENCES
from streamlit.runtime.scriptrunner import get_script_run_ctx

from barometer.read import catalogue

LANGS = {"en": "English", "sv": "Svenska"}

#: key -> (English, Swedish); the parts share no key (tests/test_app.py checks)
TEXT: dict[str, tuple[str, str]] = {**LABELS, **SENTENCES, **FINDINGS}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
}  # fmt: skip
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
}  # fmt: skip

DIMENSIONS = {
    "composite": ("Social Trust Index", "Socialt tillitsindex"),
    "survey": ("Survey", "Enkät"),
    "digital": ("Digital", "Digitalt"),
    "sensing": ("Sensing", "Sensorer"),
    "observation": ("Observation", "Observation"),
    "social": ("Social media", "Sociala medier"),
    "x": ("X (Twitter)", "X (Twitter)"),
    "mastodon": ("Mastodon", "Mastodon"),
    "reddit": ("Reddit", "Reddit"),
    "telegram": ("Telegram", "Telegram"),
    "crowdtangle": ("CrowdTangle (Facebook, Instagram)", "CrowdTangle (Facebook, Instagram)"),
    "tabular": ("Posts from a table file", "Inlägg från en tabellfil"),
    "sensing_ok_hours": ("Sensor hours (ok)", "Sensortimmar (ok)"),
    "sensing_flagged_hours": ("Sensor hours (flagged)", "Sensortimmar (flaggade)"),
}

# Indicators the lead publishes beyond the catalogue (labels until the catalogue has them).
EXTRA_INDICATORS = {
    catalogue.NOWCAST_TRUST: (
        "Generalised trust (nowcast, 0-10)",
        "Generell tillit (nulägesskattning, 0-10)",
    ),
    catalogue.DIGITAL_RUMOUR: (
        "Posts repeating a rumour (share)",
        "Inlägg som sprider rykten (andel)",
    ),
    catalogue.DIGITAL_HOSTILITY: ("Hostile posts (share)", "Fientliga inlägg (andel)"),
}
THEME = ("Theme: {name} (share)", "Tema: {name} (andel)")
HOSTILITY = ("Hostility towards {name} (share)", "Fientlighet mot {name} (andel)")
RUMOUR = ("Rumour: {name} (share)", "Rykte: {name} (andel)")


_LAST = ["en"]  # the language of the last script run (see :func:`lang`)
_FORCED: list[str] = []  # a language forced by :func:`using` (tests, the printable brief)
THIN = "\u202f"  # narrow no-break space: Swedish thousands separator and "12 %"
MINUS = "\u2212"


def lang() -> str:
    """The chosen language code: ``"en"`` or ``"sv"``."""
    if _FORCED:
        return _FORCED[-1]
    if get_script_run_ctx(suppress_warning=True) is None:
        # outside a script run (a widget's format_func called by AppTest, a plain script):
        # the language of the last run in this process
        return _LAST[0]
    value = st.session_state.get("lang") or st.session_state.get("language", "en")
    _LAST[0] = value if value in LANGS else "en"
    return _LAST[0]


@contextmanager
def using(code: str) -> Iterator[None]:
    """Render in ``code`` ("en"/"sv") inside the block, whatever the sidebar says."""
    _FORCED.append(code)
    try:
        yield
    finally:
        _FORCED.pop()


def pick(pair: tuple[str, str]) -> str:
    """The English or Swedish member of ``pair``."""
    return pair[0] if lang() == "en" else pair[1]


_pick = pick


def t(key: str, **values: object) -> str:
    """The label ``key`` in the chosen language, with ``{placeholders}`` filled in."""
    text = _pick(TEXT[key])
    return text.format(**values) if values else text


# --- numbers -------------------------------------------------------------------------------


def num(value: object, digits: int = 1, signed: bool = False) -> str:
    """A number in the chosen language: ``1,234.5`` / ``1\u202f234,5``, '–' when missing.

    Swedish uses the decimal comma, a narrow no-break space between thousands and the true
    minus sign; ``signed`` writes a leading ``+`` for positive values.
    """
    if value is None or not _finite(value):
        return "–"
    number = round(float(value), digits) + 0.0  # +0.0: never "-0"
    text = f"{abs(number):,.{digits}f}"
    if lang() == "sv":
        text = text.replace(",", THIN).replace(".", ",")
    sign = MINUS if number < 0 else ("+" if signed and number > 0 else "")
    if sign == MINUS and lang() == "en":
        sign = "-"
    return sign + text


def pct(share: object, digits: int | None = None, signed: bool = False) -> str:
    """A share (0-1) as a percentage: ``12%`` / ``12 %``; one decimal under 1 % (never
    ``0.000000%``), '–' when missing."""
    if share is None or not _finite(share):
        return "–"
    value = 100 * float(share)
    if digits is None:
        digits = 1 if 0 < abs(value) < 9.95 else 0
    return num(value, digits, signed) + (f"{THIN}%" if lang() == "sv" else "%")


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


NUMBER_WORDS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve"),
    "sv": ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
           "elva", "tolv"),
}  # fmt: skip


def count_words(n: int) -> str:
    """Small whole numbers in words (``three`` / ``tre``), larger ones in digits."""
    return NUMBER_WORDS[lang()][n] if 0 <= n < len(NUMBER_WORDS["en"]) else num(n, 0)


def months_word(n: int) -> str:
    """``three months`` / ``tre månader`` (``one month`` / ``en månad``)."""
    return t("n_month" if n == 1 else "n_months", n=count_words(n))


# --- dates ---------------------------------------------------------------------------------


def month(day: date, short: bool = False) -> str:
    """``December 2025`` / ``december 2025`` (``Dec 2025`` / ``dec. 2025`` when ``short``)."""
    names = MONTHS_SHORT if short else MONTHS
    return f"{names[lang()][day.month - 1]} {day.year}"


def vega_month_expr() -> str:
    """A Vega expression that labels a time axis with this language's short month names."""
    names = ",".join(f"'{m}'" for m in MONTHS_SHORT[lang()])
    return f"[{names}][month(datum.value)] + ' ' + year(datum.value)"


def vega_number_expr(digits: int = 1, percent: bool = False) -> str:
    """A Vega expression that writes an axis' numbers in this language (decimal comma)."""
    spec = f".{digits}~%" if percent else f",.{digits}~f"
    expr = f"format(datum.value, '{spec}')"
    if lang() == "sv":
        expr = f"replace(replace(replace({expr}, ',', ' '), '.', ','), '%', ' %')"
    return expr


def dimension(name: str) -> str:
    return _pick(DIMENSIONS.get(name, (name.replace("_", " "), name.replace("_", " "))))


SWEDISH_LABELS = {  # catalogue labels whose Swedish still carries an English word
    catalogue.NOWCAST_TRUST: "Generell tillit, nulägesskattning mellan enkätomgångar",
}


def indicator_label(name: str, labels: dict[str, tuple[str, str]]) -> str:
    """A readable label: from the catalogue (``labels``), else from the name's pattern."""
    if lang() == "sv" and name in SWEDISH_LABELS:
        return SWEDISH_LABELS[name]
    if name in labels:
        return _pick(labels[name])
    if name in EXTRA_INDICATORS:
        return _pick(EXTRA_INDICATORS[name])
    for prefix, pattern in (
        (catalogue.THEME_PREFIX, THEME),
        (catalogue.HOSTILITY_PREFIX, HOSTILITY),
        (catalogue.RUMOUR_PREFIX, RUMOUR),
    ):
        if name.startswith(prefix) and name.endswith(catalogue.SHARE_SUFFIX):
            suffix = catalogue.SHARE_SUFFIX
            inner = name.removeprefix(prefix).removesuffix(suffix).replace("_", " ")
            return _pick(pattern).format(name=inner)
    return name.replace("_", " ")


TASKS = {
    "hostility": ("hostility", "fientlighet"),
    "hostility_target": ("hostility target group", "fientlighetens målgrupp"),
    "immigration_attitude": ("attitude to immigration", "attityd till invandring"),
    "sentiment": ("sentiment", "sentiment"),
    "trust": ("trust expressions", "uttryck för tillit"),
    "rumour": ("rumours", "rykten"),
    "rumours": ("rumours", "rykten"),
    "themes": ("themes", "teman"),
    "language": ("language identification", "språkidentifiering"),
}
LANGUAGES = {
    "sv": ("Swedish", "svenska"), "en": ("English", "engelska"), "ar": ("Arabic", "arabiska"),
    "tr": ("Turkish", "turkiska"), "so": ("Somali", "somaliska"), "fi": ("Finnish", "finska"),
    "es": ("Spanish", "spanska"), "de": ("German", "tyska"), "fa": ("Persian", "persiska"),
    "pl": ("Polish", "polska"), "it": ("Italian", "italienska"), "fr": ("French", "franska"),
    "all": ("all languages", "alla språk"),
}  # fmt: skip
VALIDITY_REASONS = {
    "audit_failed": ("it fails its bias audit", "den klarar inte sin granskning av snedvridning"),
    "audit_not_run": (
        "its bias audit has not been run",
        "dess granskning av snedvridning har inte gjorts",
    ),
    "not_run": ("it has not been tested", "den har inte testats"),
    "no_test_set": ("it has no test data in this language", "den saknar testdata på språket"),
    "no_test_data": ("it has no test data in this language", "den saknar testdata på språket"),
    "not_evaluated": (
        "it has not been evaluated in this language",
        "den har inte utvärderats på språket",
    ),
    "below_threshold": (
        "its accuracy is below the required level",
        "dess träffsäkerhet är under kravnivån",
    ),
    "metric_below_threshold": (
        "its accuracy is below the required level",
        "dess träffsäkerhet är under kravnivån",
    ),
    "functional_failed": ("it fails its functional tests", "den klarar inte sina funktionstester"),
    "functional_tests_failed": (
        "it fails its functional tests",
        "den klarar inte sina funktionstester",
    ),
    "neutral_flags": ("it flags too many neutral texts", "den flaggar för många neutrala texter"),
    "too_many_neutral_flags": (
        "it flags too many neutral texts",
        "den flaggar för många neutrala texter",
    ),
    "language_not_supported": ("the language is not supported", "språket stöds inte"),
    "unsupported_language": ("the language is not supported", "språket stöds inte"),
}  # fmt: skip
METHODS_SV = {  # indicator (or name prefix) -> Swedish method text (English: the catalogue's)
    catalogue.COMPOSITE_INDEX: "Normaliserat, viktat sammanvägt mått av dimensionerna enkät, "
    "digitalt, sensorer och observation; intervallet från en Monte Carlo-simulering.",
    catalogue.SURVEY_TRUST: "Designbaserat viktat medelvärde, Taylor-linjäriserat standardfel, "
    "t-intervall.",
    catalogue.SURVEY_TRUST_SMALL_AREA: "Fay-Herriot-skattning för små områden (EBLUP, REML) per "
    "enkätomgång, Prasad-Rao-MSE; hjälpvariabel: andelen negativa inlägg.",
    "survey_": "Designbaserat viktat medelvärde, Taylor-linjäriserat standardfel, t-intervall.",
    "nowcast_": "Ridge-regression av enkättilliten på månadens digitala, sensor- och "
    "observationsindikatorer; prognosintervall från korsvalidering över enkätomgångar.",
    catalogue.HOSTILITY_PREFIX: "Andel per skribent av inlägg som fientlighetsmodellen märker som "
    "fientliga, klusterbootstrap över skribenter.",
    catalogue.IMMIGRATION_PREFIX: "Andel per skribent av svenska inlägg som attitydmodellen läser "
    "som negativa till invandring, klusterbootstrap över skribenter.",
    catalogue.RUMOUR_PREFIX: "Andel per skribent av inlägg som liknar ryktekatalogen, "
    "klusterbootstrap över skribenter.",
    catalogue.THEME_PREFIX: "Andel per skribent av inlägg om temat (ordlistor per språk), "
    "klusterbootstrap över skribenter.",
    "digital_": "Andel per skribent (varje skribent räknas en gång), klusterbootstrap över "
    "skribenter.",
    "sensing_": "Kvot mellan uppmätta och förväntade besökare (sensorns normalnivå per "
    "veckotimme och månad), dagar som kluster, flaggade mätningar utelämnade.",
    "observation_": "Sammanvägd kvot × 100, kvasi-Poisson-intervall (spridning mellan "
    "observationstillfällen).",
}


def task_label(task: str) -> str:
    """A text model's task in words (``immigration_attitude`` -> attitude to immigration)."""
    return _pick(TASKS.get(task, (task.replace("_", " "), task.replace("_", " "))))


def language_name(code: str) -> str:
    return _pick(LANGUAGES.get(code, (code, code)))


def validity_reason(code: object) -> str:
    """A ``validity_note`` code (``task:version:language:reason``) in words."""
    parts = str(code or "").split(":")
    task = parts[0] if parts and parts[0] else ""
    language = parts[2] if len(parts) > 2 else ""
    reason = parts[-1] if len(parts) > 1 else ""
    why = _pick(VALIDITY_REASONS.get(reason, ("it has not passed validation",
                                              "den har inte klarat valideringen")))  # fmt: skip
    model = t("the_model", task=task_label(task)) if task else t("the_text_model")
    where = t("in_language", language=language_name(language)) if language else ""
    return f"{model}{where}: {why}"


def method_text(indicator: str, english: str) -> str:
    """An indicator's method: the catalogue's (English) text, or its Swedish description."""
    if lang() == "en":
        return english[:1].upper() + english[1:] + ("" if english.endswith(".") else ".")
    for prefix in sorted(METHODS_SV, key=len, reverse=True):
        if indicator == prefix or (prefix.endswith("_") and indicator.startswith(prefix)):
            return METHODS_SV[prefix]
        if indicator.startswith(prefix):
            return METHODS_SV[prefix]
    return "Se indikatorkatalogen."
