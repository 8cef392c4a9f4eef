"""Language identification on hand-written sentences."""

from __future__ import annotations

import pytest

from barometer.nlp.language import detect_languages, normalise_hint

SENTENCES: list[tuple[str, str]] = [
    ("sv", "Jag litar på mina grannar här i Fittja"),
    ("sv", "Bussen var försenad igen i morse, typiskt"),
    ("en", "I don't trust anyone around here anymore"),
    ("en", "The new library in Tumba is really nice"),
    ("ar", "أنا أثق بجيراني كثيرا في هذا الحي"),
    ("ar", "المدرسة الجديدة جميلة جدا"),
    ("tr", "Komşularıma güveniyorum, burası çok güzel"),
    ("tr", "Otobüs yine geç kaldı, çok sinir bozucu"),
    ("so", "Waxaan ku kalsoonahay deriskayga aad bay u wanaagsan yihiin"),
    ("so", "Dugsiga cusub wuxuu leeyahay macallimiin fiican"),
    ("fi", "Minä luotan naapureihini, täällä on mukava asua"),
    ("fa", "من به همسایه هایم اعتماد دارم و اینجا را دوست دارم"),
    ("es", "Confío en mis vecinos y el barrio es muy tranquilo"),
    ("da", "Jeg stoler på mine naboer, og her er dejligt at bo"),
    ("de", "Ich vertraue meinen Nachbarn, hier wohnt man gut"),
    ("de", "Die Schule ist leider heute geschlossen worden"),
]


def test_accuracy_on_handwritten_sentences_is_at_least_90_percent() -> None:
    expected = [lang for lang, _ in SENTENCES]
    got = detect_languages([text for _, text in SENTENCES])
    accuracy = sum(e == g for e, g in zip(expected, got, strict=True)) / len(expected)
    assert accuracy >= 0.9, list(zip(expected, got, strict=True))


def test_short_text_is_undetermined() -> None:
    assert detect_languages(["ok", "😀😀", "", "https://t.co/abc @x"]) == ["und"] * 4


def test_hint_used_for_short_text_and_detector_wins_when_sure() -> None:
    got = detect_languages(
        ["hej hej", "Jag litar på mina grannar i Fittja", "ok"],
        hints=["sv", "en", "und"],
    )
    assert got == ["sv", "sv", "und"]


def test_hint_outside_supported_languages_is_kept() -> None:
    assert detect_languages(["Bonjour à tous les amis du quartier"], hints=["fr"]) == ["fr"]


def test_urls_mentions_and_hashtags_are_ignored() -> None:
    text = "@botkyrka https://example.org/a/b #fittjafestival det var en jättefin kväll"
    assert detect_languages([text]) == ["sv"]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("en-GB", "en"), ("SV", "sv"), ("und", None), (None, None), ("", None), ("qme", None)],
)
def test_normalise_hint(hint: str | None, expected: str | None) -> None:
    assert normalise_hint(hint) == expected


def test_hints_of_wrong_length_raise() -> None:
    with pytest.raises(ValueError, match="one hint per text"):
        detect_languages(["a", "b"], hints=["sv"])
