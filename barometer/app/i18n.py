"""The app's one translation table: every label in English and Swedish.

The labels themselves live in :mod:`i18n_labels`, :mod:`i18n_sentences` and :mod:`i18n_findings`
(pure data, joined here into ``TEXT``), the names of published codes in :mod:`i18n_vocabulary`;
this module picks the language and formats numbers, dates and codes.

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
from i18n_vocabulary import (
    LANGUAGES,
    METHODS_SV,
    METRICS,
    ORIGIN_GROUPS,
    TASKS,
    TEST_SETS,
    VALIDITY_REASONS,
    VALIDITY_REASONS_PLURAL,
)
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


def day(value: date) -> str:
    """``2 December 2026`` / ``2 december 2026``."""
    return f"{value.day} {MONTHS[lang()][value.month - 1]} {value.year}"


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


def task_label(task: str) -> str:
    """A text model's task in words (``immigration_attitude`` -> attitude to immigration)."""
    return _pick(TASKS.get(task, (task.replace("_", " "), task.replace("_", " "))))


def language_name(code: str) -> str:
    """A language code in words (``sv`` -> Swedish / svenska); a code the table lacks is named
    as a code (``the language “xx”``)."""
    if code in LANGUAGES:
        return _pick(LANGUAGES[code])
    return t("language_code", code=code)


def test_set_name(code: object) -> str:
    """A test set's name (``davidson2017`` -> Davidson et al. 2017; others without ``_``)."""
    text = str(code or "")
    return _pick(TEST_SETS[text]) if text in TEST_SETS else text.replace("_", " ")


def metric_label(name: object) -> str:
    """A published metric name in words (``binary_macro_f1`` -> binary macro-F1); others
    without underscores."""
    text = str(name)
    if text in METRICS:
        return _pick(METRICS[text])
    return text.replace("_", " ").replace("macro f1", "macro-F1")


def origin_groups(groups: str) -> str:
    """``born_in_sweden|born_abroad`` -> ``born in Sweden and born abroad``."""
    names = [_pick(ORIGIN_GROUPS.get(g, (g.replace("_", " "),) * 2)) for g in groups.split("|")]
    return _and([n for n in names if n]) if names else ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {t('and')} " + items[-1]


def parse_validity(code: object) -> tuple[str, str, str]:
    """``(task, language, reason)`` of a ``validity_note`` code ``task:version:language:reason``
    (empty strings where a part is missing)."""
    parts = str(code or "").split(":")
    task = parts[0] if parts and parts[0] else ""
    language = parts[2] if len(parts) > 2 else ""
    reason = parts[-1] if len(parts) > 1 else ""
    return task, language, reason


def model_name(task: str) -> str:
    """``the sentiment model`` / ``modellen för sentiment`` (``the text model`` without one)."""
    return t("the_model", task=task_label(task)) if task else t("the_text_model")


def validity_reason(code: object, languages: list[str] | None = None) -> str:
    """A ``validity_note`` code (``task:version:language:reason``) in words; ``languages``:
    every language code the same reason applies to (default: the code's own), named together
    ("the sentiment model in Arabic and English: it has no test data in these languages")."""
    task, language, reason = parse_validity(code)
    codes = [c for c in (languages if languages is not None else [language]) if c]
    pair = VALIDITY_REASONS.get(reason, ("it has not passed validation",
                                         "den har inte klarat valideringen"))  # fmt: skip
    if len(codes) > 1:
        pair = VALIDITY_REASONS_PLURAL.get(reason, pair)
    where = t("in_language", language=_and([language_name(c) for c in codes])) if codes else ""
    return f"{model_name(task)}{where}: {_pick(pair)}"


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
