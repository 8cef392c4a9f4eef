"""Per-language Snowball stems in the word-based features (``TextClassifier(word_stems=...)``):
known stems, what a stemming model keeps of a text, shared counts, skops, old versions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from skops.io import dumps, get_untrusted_types, loads

from barometer import registry
from barometer.nlp import stems
from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.stems import check_languages, stem_texts, stem_word, thread_stemmer
from barometer.training import version_config

# Worked by hand from the Snowball algorithms (snowballstem.org/algorithms):
# Swedish: R1 starts after the first non-vowel that follows a vowel, at least 3 letters in;
# step 1 removes the longest of "arna", "orna", "en", "ar", "a", ... found in R1.
SWEDISH = {
    "grannarna": "grann",  # R1 "narna", suffix "arna"
    "flickorna": "flick",  # R1 "korna", suffix "orna"
    "husen": "hus",  # R1 "en" (3 letters in), suffix "en"
    "grannar": "grann",  # suffix "ar"
    "hus": "hus",  # R1 empty: nothing removed
}
# Arabic (Snowball's light stemmer): the article "ال" and the conjunction "و" are prefixes,
# "ين" a plural noun suffix.
ARABIC = {
    "الاحترام": "احترام",  # article removed
    "ومحترمين": "محترم",  # conjunction and sound plural removed
    "المكتبة": stem_word("مكتبة", "ar"),  # with or without the article: one stem
}


@pytest.mark.parametrize(("word", "stem"), sorted(SWEDISH.items()))
def test_swedish_stems_follow_the_snowball_rules(word: str, stem: str) -> None:
    assert stem_word(word, "sv") == stem


@pytest.mark.parametrize(("word", "stem"), sorted(ARABIC.items()))
def test_arabic_stems_drop_article_conjunction_and_plural(word: str, stem: str) -> None:
    assert stem_word(word, "ar") == stem
    assert stem_word("المكتبة", "ar") != "المكتبة"


def test_only_the_named_languages_are_stemmed_and_placeholders_stay() -> None:
    texts = ["<user> grannarna _unk_ 2024 <url>", "grannarna", "dadka xaafadda", "neighbours"]
    langs = ["sv", "da", "so", "en"]
    assert stem_texts(texts, langs, ("sv",)) == [
        "<user> grann _unk_ 2024 <url>", "grannarna", "dadka xaafadda", "neighbours"]  # fmt: skip
    assert stem_texts(texts, langs, ()) == texts
    assert stem_word("dadka", "so") == "dadka"  # Snowball has no Somali: left as it is


def test_an_unknown_language_is_refused_in_one_line() -> None:
    assert check_languages(["sv", "ar", "sv"]) == ("ar", "sv")
    with pytest.raises(ValueError, match="no Snowball stemmer for so"):
        check_languages(["sv", "so"])
    with pytest.raises(ValueError, match="no Snowball stemmer for xx"):
        TextClassifier(word_stems=("xx",)).fit(["a", "b"] * 3, ["x", "y"] * 3)


# Benign training texts in which each word of the test sentence occurs only in other
# inflected or cliticised forms, each form in fewer than min_word_df = 4 texts.
AR_FORMS = [
    ("مكانه", "مكانها", "مكانك", "مكاننا"),  # pronoun suffixes
    ("الجميلة", "جميلة", "جميلا", "بالجميل"),
    ("المحبة", "بالمحبة", "للمحبة", "ومحبة"),
]
AR_TEST = "مكان جميل وفيه محبة"


def _arabic_model(word_stems: tuple[str, ...]) -> TextClassifier:
    texts, labels = [], []
    for forms in AR_FORMS:
        for i, form in enumerate(forms):
            for j in range(3):  # three texts per form: under the limit of 4
                texts.append(f"{form} في حينا {j}")
                labels.append("not_hostile" if i % 2 else "hostile")
    return TextClassifier(
        n_features=2**12, cv=2, min_word_df=4, rare_words="drop_always", lang_feature=False,
        word_stems=word_stems,
    ).fit(texts, labels, langs=["ar"] * len(texts))  # fmt: skip


def test_stems_let_inflected_forms_count_together_so_fewer_words_are_dropped() -> None:
    plain, stemmed = _arabic_model(()), _arabic_model(("ar",))
    share_plain = plain.dropped_word_share([AR_TEST], ["ar"])[0]
    share_stemmed = stemmed.dropped_word_share([AR_TEST], ["ar"])[0]
    assert share_plain == 1.0  # no surface form reaches 4 texts
    assert share_stemmed == 0.25  # مكان, جميل, محبة read through their stems; وفيه dropped
    assert {stem_word(w, "ar") for w in ("مكان", "محبة")} <= set(stemmed.vocabulary_)
    # an English text is not stemmed by an Arabic-only model
    assert stemmed.stem_words(["neighbours"], ["en"]) == ["neighbours"]


def test_stemming_model_shares_counts_and_survives_skops() -> None:
    model = _arabic_model(("ar",))
    texts, langs = [AR_TEST, "المحبة في حينا", "hej grannarna"], ["ar", "ar", "sv"]
    restored = loads(dumps(model), trusted=get_untrusted_types(data=dumps(model)))
    assert restored.word_stems == ("ar",)
    key = restored.hashing_key()
    assert ("stems", "ar") in key and key != _arabic_model(()).hashing_key()
    counts = HashedCounts(*key[:3]).transform(  # type: ignore[arg-type]
        restored.read_words(normalise_batch(texts, langs), langs)
    )
    np.testing.assert_allclose(
        restored.predict_proba_counts(counts, langs), model.predict_proba(texts, langs), atol=1e-6
    )


def test_versions_saved_before_the_option_stem_nothing() -> None:
    for version in ("2026.2", "2026.3", "2026.4"):
        model = registry.load_model("hostility", version)
        assert model.word_stems == ()
        assert not any(isinstance(k, tuple) and k[:1] == ("stems",) for k in model.hashing_key())
        texts = ["grannarna", "المكتبة"]
        assert model.stem_words(texts, ["sv", "ar"]) == texts
    assert version_config("hostility", "2026.4").features.word_stems == []


def _swedish_model(**params: object) -> TextClassifier:
    words = ("iranier", "iraniern", "grannen", "grannar")
    texts = [f"{w} bor {i}" for w in words for i in range(3)]
    labels = ["hostile", "ok"] * (len(texts) // 2)
    return TextClassifier(
        n_features=2**10, cv=2, min_word_df=4, rare_words="drop_always", lang_feature=False,
        **params,  # type: ignore[arg-type]
    ).fit(texts, labels, langs=["sv"] * len(texts))  # fmt: skip


def test_excluded_words_are_excluded_as_stems_too_and_a_stem_can_bring_a_name_back() -> None:
    # "grannen" and "grannar" (3 texts each) count together as "grann" (6 texts) ...
    stemmed = _swedish_model(word_stems=("sv",))
    assert "grann" in stemmed.vocabulary_ and "grann" not in _swedish_model().vocabulary_
    # ... unless the word is one the model must not learn (e.g. a training group name)
    excluded = _swedish_model(word_stems=("sv",), unseen_words=("grannarna",))
    assert "grann" not in excluded.vocabulary_
    # the cost measured on hostility (configs/hostility.toml, variants E and F): an inflected
    # name never seen in training ("iranierna") is dropped without stems, but read as the
    # stem of a trained word with them
    assert stem_word("iranierna", "sv") == stem_word("iranier", "sv") == "irani"
    assert stemmed.dropped_word_share(["iranierna"], ["sv"])[0] == 0.0
    assert _swedish_model().dropped_word_share(["iranierna"], ["sv"])[0] == 1.0


def test_the_c_stemmer_gives_the_pure_python_stems_on_the_suite_words() -> None:
    """PyStemmer (C) and snowballstemmer's own Python code implement one algorithm: whichever a
    machine runs, training and scoring read the same stems. PyStemmer must be the engine here,
    or the test would compare the Python code with itself."""
    import snowballstemmer
    import Stemmer  # PyStemmer, a dependency: a failed import fails the test
    from snowballstemmer.arabic_stemmer import ArabicStemmer
    from snowballstemmer.swedish_stemmer import SwedishStemmer

    from barometer.audit.functional import load_suite

    assert Stemmer.algorithms()
    assert type(snowballstemmer.stemmer("swedish")).__module__ == "Stemmer"
    assert type(thread_stemmer("ar")).__module__ == "Stemmer"
    suite = load_suite()
    for lang, python in (("ar", ArabicStemmer()), ("sv", SwedishStemmer())):
        texts = suite.loc[suite["lang"] == lang, "text"].tolist()
        words = sorted({w for t in normalise_batch(texts, [lang] * len(texts)) for w in t.split()
                        if w.isalpha()})  # fmt: skip
        assert len(words) > 300
        assert [stem_word(w, lang) for w in words] == [python.stemWord(w) or w for w in words]


def test_each_thread_stems_with_its_own_stemmer() -> None:
    """PyStemmer's stemmers are not thread-safe: threads get one each and the stems of many
    threads at once are the one thread's."""
    words = [f"grannarna{i}" for i in range(2000)] + list(SWEDISH) * 50
    serial = stem_texts(words, ["sv"] * len(words), ("sv",))
    barrier = threading.Barrier(4)

    def engine(_: int) -> int:
        barrier.wait(timeout=30)  # four threads at once, so four different ones
        return id(thread_stemmer("sv"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        engines = set(pool.map(engine, range(4)))
        runs = list(pool.map(lambda _: stem_texts(words, ["sv"] * len(words), ("sv",)), range(8)))
    assert id(thread_stemmer("sv")) not in engines
    assert len(engines) == 4
    assert all(run == serial for run in runs)
    assert [serial[-len(SWEDISH) + i] for i in range(len(SWEDISH))] == list(SWEDISH.values())


def test_the_stem_cache_stays_under_its_limit_within_one_call(monkeypatch) -> None:
    from snowballstemmer.swedish_stemmer import SwedishStemmer

    monkeypatch.setattr(stems, "_CACHE_LIMIT", 100)
    stems.reset_stems("sv")
    words = [f"hus{i}en" for i in range(1000)]
    got = stem_texts(words, ["sv"] * len(words), ("sv",))
    assert len(stems._caches["sv"]) <= 100
    assert got == [SwedishStemmer().stemWord(w) or w for w in words]
