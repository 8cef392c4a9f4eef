"""Language identification on hand-written sentences: detectors, script, hints and priors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.nlp.language import (
    LANGUAGE_CODES,
    detect_languages,
    language_posteriors,
    normalise_hint,
    prior_vector,
)
from barometer.nlp.scripts import dominant_scripts, script_agrees

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


def test_languages_outside_the_supported_set_become_other() -> None:
    """Issue 14: Portuguese was forced into es/fi; a French hint was kept as 'fr'."""
    texts = [
        "Bom dia a todos, a escola nova do bairro é muito bonita",
        "Olá vizinhos, alguém sabe quando abre a biblioteca?",
        "Bonjour à tous les amis du quartier",
        "Привет всем соседям, как дела?",
        "大家好，今天天气很好",
    ]
    assert detect_languages(texts) == ["other"] * 5
    assert detect_languages(texts[:3], hints=["pt", "pt-BR", "fr"]) == ["other"] * 3


def test_a_hint_is_trusted_only_where_it_agrees_with_the_script() -> None:
    """Issue 14: X's 'ja' on Latin-script English always won."""
    english = "Great vibes at the square today, thanks everyone"
    assert detect_languages([english], hints=["ja"]) == ["en"]
    assert detect_languages(["ok"], hints=["ja"]) == ["und"]
    assert detect_languages(["ok"], hints=["sv"]) == ["sv"]
    # the bulk path takes agreeing hints as they are, and only those
    assert detect_languages([english, "hej hej"], hints=["ja", "sv"], trust_hints=True) == [
        "en",
        "sv",
    ]
    arabic = "أنا أثق بجيراني كثيرا في هذا الحي"
    assert detect_languages([arabic], hints=["sv"], trust_hints=True) == ["ar"]
    assert detect_languages(["😀"], hints=["fa"], trust_hints=True) == ["fa"]


def test_the_authors_other_posts_decide_a_short_post() -> None:
    texts = ["Tack!", "Jag bor i Alby och trivs väldigt bra här", "Vi ses på torget imorgon"]
    assert detect_languages(texts)[0] == "und"
    assert detect_languages(texts, authors=["a", "a", "a"]) == ["sv", "sv", "sv"]
    # another author's posts do not count, nor does a post for itself (leave-one-out)
    assert detect_languages(texts, authors=["b", "a", "a"])[0] == "und"
    assert detect_languages(["😀😀"], authors=["a"]) == ["und"]
    with pytest.raises(ValueError, match="one author per text"):
        detect_languages(texts, authors=["a"])


def test_the_city_prior_decides_posts_without_letters() -> None:
    prior = {"sv": 0.7, "en": 0.1, "ar": 0.1, "other": 0.1}
    assert detect_languages(["😀😀", "@granne https://t.co/x"]) == ["und", "und"]
    assert detect_languages(["😀😀", "@granne https://t.co/x"], prior=prior) == ["sv", "sv"]
    # the prior yields to clear evidence and to the script
    assert detect_languages(["The bus was late again this morning"], prior=prior) == ["en"]
    assert detect_languages(["المدرسة الجديدة جميلة جدا"], prior=prior) == ["ar"]
    even = {"sv": 0.4, "en": 0.4, "other": 0.2}
    assert detect_languages(["😀😀"], prior=even) == ["und"]


def test_prior_vector_checks_codes_and_shares() -> None:
    vec = prior_vector({"sv": 3, "en": 1})
    assert vec.sum() == pytest.approx(1) and vec.argmax() == LANGUAGE_CODES.index("sv")
    assert prior_vector(None)[LANGUAGE_CODES.index("other")] == pytest.approx(0.05)
    with pytest.raises(ValueError, match=r"names \['pt'\]"):
        prior_vector({"pt": 0.5})
    with pytest.raises(ValueError, match="must be >= 0"):
        prior_vector({"sv": -1})


def test_dominant_scripts_and_script_agreement() -> None:
    got = dominant_scripts(["Hej då", "مرحبا بكم", "12 :) 😀", "Привет", "こんにちは", "Γειά", ""])
    assert got.tolist() == ["latin", "arabic", "none", "cyrillic", "cjk", "greek", "none"]
    assert script_agrees("en", "latin") and not script_agrees("ja", "latin")
    assert script_agrees("fa", "arabic") and not script_agrees("sv", "arabic")
    assert script_agrees("sv", "none") and not script_agrees("xx", "latin")
    assert not script_agrees(None, "latin")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_posteriors_are_distributions_and_codes_are_known(texts: list[str]) -> None:
    posterior = language_posteriors(texts, authors=["a"] * len(texts))
    assert posterior.shape == (len(texts), len(LANGUAGE_CODES))
    np.testing.assert_allclose(posterior.sum(axis=1), 1.0)
    assert set(detect_languages(texts)) <= {*LANGUAGE_CODES, "und"}


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
