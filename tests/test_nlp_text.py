"""Social-media normalisation and tokenisation."""

from __future__ import annotations

import pytest

from barometer.nlp.text import normalise_text, normalise_texts, tokenise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kolla https://t.co/abc123 nu", "kolla <url> nu"),
        ("se www.botkyrka.se", "se <url>"),
        ("@anna hej", "<user> hej"),
        ("tack @kim@mastodon.social!", "tack <user> !"),
        ("#fittjafestival var kul", "fittjafestival var kul"),
        ("#TryggaBotkyrka", "trygga botkyrka"),
        ("jättebraaaa", "jättebraa"),
        ("år 2000", "år 2000"),
        ("bra😀", "bra 😀"),
        ("❤️ 👍🏽", "❤ 👍"),
        ("I don’t know", "i don't know"),
        ("  många   mellanslag ", "många mellanslag"),
        ("مـــرحبا بِكُم", "مرحبا بكم"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_turkish_lowercasing() -> None:
    assert normalise_text("İstanbul ISPARTA", lang="tr") == "istanbul ısparta"
    assert normalise_text("İstanbul ISPARTA", lang="en") == "istanbul isparta"


def test_arabic_orthographic_folding_only_for_arabic() -> None:
    assert normalise_text("أثق سيئ", lang="ar") == "اثق سيء"
    assert normalise_text("أثق", lang="fa") == "أثق"


def test_non_string_is_empty() -> None:
    assert normalise_text(None) == ""  # type: ignore[arg-type]
    assert normalise_texts(["A", "B"], ["sv", "tr"]) == ["a", "b"]


def test_tokenise_keeps_placeholders_emoji_and_emoticons() -> None:
    texts = [normalise_text("Inte bra :( https://x.se 😡"), normalise_text("I can't :D @bob")]
    assert tokenise(texts, ["sv", "en"]) == [
        ["inte", "bra", ":(", "<url>", "😡"],
        ["i", "ca", "n't", ":d", "<user>"],
    ]


def test_tokenise_unknown_language_uses_multilingual_tokeniser() -> None:
    assert tokenise(["waan ku kalsoonahay :)"], "so") == [["waan", "ku", "kalsoonahay", ":)"]]
    assert tokenise(["hej då"], "und") == [["hej", "då"]]


def test_tokenise_length_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="one language per text"):
        tokenise(["a", "b"], ["sv"])


def test_lookup_lemmas_known_answers() -> None:
    from barometer.nlp.text import lemmatise, lemmatise_words

    assert lemmatise_words(["grannarna", "grannar", "grannen", "polisen"], "sv") == [
        "granne", "granne", "granne", "polis",
    ]  # fmt: skip
    assert lemmatise_words(["neighbours", "schools", "trusted"], "en") == [
        "neighbour", "school", "trust",
    ]  # fmt: skip
    assert lemmatise_words(["komşular", "okullar"], "tr") == ["komşu", "okul"]
    assert lemmatise_words(["جيران", "xaafadda"], "ar") == ["جيران", "xaafadda"]  # no table
    assert lemmatise(["grannarna litar på polisen"], "sv") == [["granne", "lita", "på", "polis"]]


def test_fast_lemmas_equal_the_spacy_lemmatiser_on_posts() -> None:
    """lemmatise_words (one look-up per distinct word) gives spaCy's lookup lemmas."""
    import sys
    from pathlib import Path

    from barometer.nlp.text import lemmatise, lemmatise_words

    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    from bench_models import make_posts

    posts = make_posts(300, seed=3)
    texts = normalise_texts(posts["text"].tolist(), posts["lang"].tolist())
    tokens = tokenise(texts, posts["lang"].tolist())
    spacy_lemmas = lemmatise(texts, posts["lang"].tolist())
    for words, lang, expected in zip(tokens, posts["lang"], spacy_lemmas, strict=True):
        assert lemmatise_words(words, lang) == expected
    assert sum(w != lem for ws, lems in zip(tokens, spacy_lemmas, strict=True)
               for w, lem in zip(ws, lems, strict=True)) > 50  # fmt: skip
