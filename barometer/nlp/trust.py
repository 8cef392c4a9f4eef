"""Explicit trust and distrust statements in posts, found with per-language regex patterns.

Patterns run on :func:`barometer.nlp.text.normalise_text` output (lower-case, URLs and mentions
replaced). Distrust patterns are tried before trust patterns, so "kan inte lita på" is never read
as "lita på"; a post with both a distrust and a trust statement is labelled ``distrust``.

Target: ``institutional`` when the matched span names an institution (police, municipality,
politicians, authorities, schools, social services, health care, courts, media, state),
otherwise ``interpersonal``. In sv/en a trust verb only counts when followed by a known person
or institution word (``TARGET``), which keeps out "lita på att bussen kommer" and "trust me".

sv (``TARGET`` = grann*, folk, människor*, varandra, någon, ingen, alla, främling*, vänner*,
invånar*, polis*, kommun*, myndighet*, politiker*, staten, regering*, skol*, socialtjänst*,
soc, vård*, domstol*, medie*, samhället, lärar*; optional determiner mina/våra/sina/...):

* ``sv_cannot_trust`` distrust: "(kan|går) inte (att) lita på TARGET", also ej/aldrig/knappast
* ``sv_trusts_not`` distrust: "litar (ju) inte/aldrig på TARGET"
* ``sv_nobody_trusts`` distrust: "ingen/få litar på TARGET"
* ``sv_mistrust`` distrust: "misstror TARGET", "misstro mot/till TARGET"
* ``sv_no_confidence`` distrust: "(inget|noll|lågt) förtroende/tillit för/till TARGET"
* ``sv_trust`` trust: "lita(r) (verkligen) på TARGET"
* ``sv_confidence`` trust: "(stort|högt) förtroende/tillit för/till TARGET"

en (``TARGET`` = neighbo(u)rs, people, anyone, anybody, everyone, each other, strangers,
locals, residents, friends, community, police, cops, council, municipality, government,
politicians, authorities, state, courts, schools, teachers, social services, media; optional
determiner the/our/my/their/local/...):

* ``en_cannot_trust`` distrust: "(don't|do not|can't|cannot|never|no one|nobody) trust TARGET"
* ``en_distrust`` distrust: "distrust/mistrust (of|in) TARGET"
* ``en_no_trust`` distrust: "(no|zero|lost (all)?|little) trust/faith/confidence in TARGET"
* ``en_trust`` trust: "trust (in) TARGET", "(faith|confidence) in TARGET"

ar / tr / so (small, not yet reviewed by native speakers):

* ``ar_distrust``: "لا/لم/ما + أثق/نثق/يثق/تثق", "عدم/انعدام الثقة"; ``ar_trust``: "أثق/نثق/يثق/تثق"
* ``tr_distrust``: "güvenmiyor*", "güvenmem*", "güvenemi*", "güvenemem*", "güvenilmez", "güven yok";
  ``tr_trust``: "güveniyor*", "güvenirim", "güveniriz" (the target precedes the verb)
* ``so_distrust``: "ma/kuma (ku) kalsooni", "ma aamino/aamini"; ``so_trust``:
  "ku kalsoon(ahay|ahay|nahay)", "aaminsan*"

Turkish "güvenli" (safe) and "güven" alone are not trust statements and do not match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator

from barometer.nlp.batch import normalise_batch
from barometer.nlp.inputs import TextInput, require_post_columns, texts_and_codes
from barometer.nlp.text import normalise_text
from barometer.schema import POST_SCORES

MODEL_VERSION = "trust-patterns-v1"

_SV_INST = (
    r"polis\w*|kommun\w*|myndighet\w*|politiker\w*|staten|regering\w*|skol\w*|"
    r"socialtjänst\w*|soc|socen|vård\w*|sjukvård\w*|domstol\w*|rättsväsende\w*|medie\w*|"
    r"media|samhället|lärar\w*"
)
_SV_PEOPLE = (
    r"grann\w*|folk\w*|människor\w*|varandra|någon|några|ingen|alla|främling\w*|andra|"
    r"vänner\w*|vän|kompis\w*|invånar\w*|boende|dem|honom|henne"
)
_SV_DET = r"(?:(?:mina|min|mitt|våra|vår|vårt|sina|sin|sitt|era|de|den|det|dessa|alla)\s+)?"
_SV_TARGET = rf"{_SV_DET}(?:{_SV_INST}|{_SV_PEOPLE})\b"
_EN_INST = (
    r"police|cops|council|municipality|government|politicians?|authorities|state|courts?|"
    r"schools?|teachers?|social services|media|institutions|officials"
)
_EN_PEOPLE = (
    r"neighbou?rs?|people|anyone|anybody|everyone|everybody|each other|one another|"
    r"strangers|locals|residents|friends|community|them|others"
)
_EN_DET = r"(?:(?:the|our|my|their|your|local|any|these|those|most|other)\s+){0,2}"
_EN_TARGET = rf"{_EN_DET}(?:{_EN_INST}|{_EN_PEOPLE})\b"
_INSTITUTIONAL_RE = re.compile(
    rf"\b(?:{_SV_INST}|{_EN_INST})\b|الشرطة|البلدية|الحكومة|السلطات|الدولة|المدرسة|"
    r"\b(?:polis\w*|belediye\w*|devlet\w*|hükümet\w*|okul\w*|booliis\w*|dowlad\w*|degmad\w*)"
)


@dataclass(frozen=True)
class TrustPattern:
    """One named pattern: its language, the label it gives and the compiled regex."""

    name: str
    lang: str
    label: str
    regex: re.Pattern[str]


def _p(name: str, lang: str, label: str, pattern: str) -> TrustPattern:
    return TrustPattern(name, lang, label, re.compile(pattern))


#: All patterns, distrust before trust within each language (first match wins).
PATTERNS: tuple[TrustPattern, ...] = (
    _p("sv_cannot_trust", "sv", "distrust",
       rf"\b(?:inte|ej|aldrig|knappast)\s+(?:att\s+)?lita\s+på\s+{_SV_TARGET}"),
    _p("sv_trusts_not", "sv", "distrust",
       rf"\blitar\s+(?:ju\s+|nog\s+)?(?:inte|ej|aldrig)\s+på\s+{_SV_TARGET}"),
    _p("sv_nobody_trusts", "sv", "distrust", rf"\b(?:ingen|få)\s+litar\s+på\s+{_SV_TARGET}"),
    _p("sv_mistrust", "sv", "distrust",
       rf"\bmisstro(?:r|ende|n)?\s+(?:(?:mot|till|för)\s+)?{_SV_TARGET}"),
    _p("sv_no_confidence", "sv", "distrust",
       rf"\b(?:inget|noll|lågt|litet|minskat)\s+(?:förtroende|tillit)\s+(?:för|till)\s+{_SV_TARGET}"),
    _p("sv_trust", "sv", "trust", rf"\blita[rd]?\s+(?:\w+\s+)?på\s+{_SV_TARGET}"),
    _p("sv_confidence", "sv", "trust",
       rf"\b(?:förtroende|tillit)\s+(?:för|till)\s+{_SV_TARGET}"),
    _p("en_cannot_trust", "en", "distrust",
       r"\b(?:don't|dont|do not|doesn't|doesnt|didn't|can't|cant|cannot|can not|never|"
       rf"no one|nobody|won't|wouldn't)\s+(?:\w+\s+)?trust\s+(?:in\s+)?{_EN_TARGET}"),
    _p("en_distrust", "en", "distrust",
       rf"\b(?:dis|mis)trust(?:s|ed|ing)?\s+(?:(?:of|in)\s+)?{_EN_TARGET}"),
    _p("en_no_trust", "en", "distrust",
       r"\b(?:no|zero|lost(?:\s+all)?|little|any)\s+(?:more\s+)?(?:trust|faith|confidence)"
       rf"\s+in\s+{_EN_TARGET}"),
    _p("en_trust", "en", "trust",
       rf"\b(?:trust(?:s|ed|ing)?|faith|confidence)\s+(?:in\s+)?{_EN_TARGET}"),
    _p("ar_distrust", "ar", "distrust",
       r"(?:^|\s)(?:لا|لم|ما|لن)\s+(?:[أا]ثق|نثق|يثق|تثق|يثقون)|(?:عدم|انعدام|فقدان)\s+الثق"),
    _p("ar_trust", "ar", "trust", r"(?:^|\s)(?:[أا]ثق|نثق|يثق|تثق|يثقون|واثق)(?:\s|$)"),
    _p("tr_distrust", "tr", "distrust",
       r"\b(?:güvenmiyor\w*|güvenmem\w*|güvenemi\w*|güvenemem\w*|güvenilmez\w*|güvenmez\w*)"
       r"|\bgüven\s+yok\b"),
    _p("tr_trust", "tr", "trust", r"\b(?:güveniyor\w*|güvenirim|güveniriz|güvenebilir\w*)\b"),
    _p("so_distrust", "so", "distrust",
       r"\b(?:ma|kuma)\s+(?:ku\s+)?kalsoon\w*|\bma\s+aamin(?:o|i|aan)\w*"),
    _p("so_trust", "so", "trust", r"\bku\s+kalsoon(?:ahay|nahay|yahay)\b|\baaminsan\w*"),
)  # fmt: skip


class TrustExpressionMatcher(TextInput, BaseEstimator):
    """Label each post trust / distrust / none, with the target of the statement.

    Parameters
    ----------
    languages : tuple of str, optional
        Languages whose patterns are used; default all (sv, en, ar, tr, so). Posts in other
        languages get label "none".

    Attributes
    ----------
    patterns_ : dict of str to list of TrustPattern
        The patterns per language, set by :meth:`fit`.

    Examples
    --------
    >>> TrustExpressionMatcher().fit().match(["jag litar på mina grannar"], ["sv"])
       label         target   pattern
    0  trust  interpersonal  sv_trust
    """

    def __init__(self, *, languages: tuple[str, ...] | None = None) -> None:
        self.languages = languages

    def fit(self, X: Any = None, y: Any = None) -> TrustExpressionMatcher:
        """Select the patterns of ``languages``; ``X`` and ``y`` are ignored."""
        wanted = self.languages
        self.patterns_: dict[str, list[TrustPattern]] = {}
        for pattern in PATTERNS:
            if wanted is None or pattern.lang in wanted:
                self.patterns_.setdefault(pattern.lang, []).append(pattern)
        return self

    def match_one(self, text: str, lang: str | None) -> tuple[str, str | None, str | None]:
        """Return (label, target, pattern name) for one raw text; target None for "none"."""
        patterns = self.patterns_.get(lang or "", [])
        if not patterns:
            return "none", None, None
        return self._match_normalised(normalise_text(text, lang=lang), patterns, lang)

    @staticmethod
    def _match_normalised(
        normalised: str, patterns: list[TrustPattern], lang: str | None
    ) -> tuple[str, str | None, str | None]:
        for pattern in patterns:
            found = pattern.regex.search(normalised)
            if found:
                span = normalised[max(found.start() - 40, 0) : found.end() + 40]
                scope = found.group(0) if lang in ("sv", "en") else span
                target = "institutional" if _INSTITUTIONAL_RE.search(scope) else "interpersonal"
                return pattern.label, target, pattern.name
        return "none", None, None

    def match(self, texts: Any, langs: Sequence[str | None] | None) -> pd.DataFrame:
        """Return one row per text: ``label`` (trust/distrust/none), ``target``, ``pattern``.

        ``texts``: texts, or a frame with ``text`` (and ``lang``, used when ``langs`` is None);
        a missing language is ``und``, which has no patterns.

        ``target`` is "interpersonal" or "institutional" (missing when ``label`` is "none");
        ``pattern`` names the pattern that matched (see module docstring).
        """
        if not hasattr(self, "patterns_"):
            self.fit()
        texts, codes = texts_and_codes(texts, langs)
        rows = [self.match_one(t, lg) for t, lg in zip(texts, codes, strict=True)]
        return pd.DataFrame(rows, columns=["label", "target", "pattern"])

    def labels_normalised(
        self, normalised: Sequence[str], langs: Sequence[str | None]
    ) -> list[str]:
        """``score_posts`` labels of texts already passed through ``normalise_text``."""
        if not hasattr(self, "patterns_"):
            self.fit()
        labels = []
        for text, lang in zip(normalised, langs, strict=True):
            patterns = self.patterns_.get(lang or "", [])
            if not patterns:
                labels.append("none")
                continue
            label, target, _ = self._match_normalised(text, patterns, lang)
            labels.append(label if target is None else f"{label}_{target}")
        return labels

    def score_posts(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Return post_scores rows, task "trust_expression", one per post.

        Labels are ``trust_interpersonal``, ``trust_institutional``, ``distrust_interpersonal``,
        ``distrust_institutional`` or ``none``. ``probability`` is NaN: a rule match is not a
        calibrated probability.
        """
        require_post_columns(posts)
        if not hasattr(self, "patterns_"):
            self.fit()
        texts, codes = texts_and_codes(posts, None)
        labels = self.labels_normalised(normalise_batch(texts, codes), codes)
        return pd.DataFrame(
            {
                "post_id": posts["post_id"].astype(str).to_numpy(),
                "task": "trust_expression",
                "model_version": MODEL_VERSION,
                "label": labels,
                "probability": float("nan"),
            },
            columns=POST_SCORES.columns,
        )
