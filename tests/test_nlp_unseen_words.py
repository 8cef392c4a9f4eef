"""Unseen words carry no weight: ``TextClassifier(min_word_df=...)`` maps every word outside the
training vocabulary to one placeholder before the word and character featurisers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skops.io import dumps, get_untrusted_types, loads

from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.text_features import UNSEEN_WORD, learn_vocabulary, mask_unseen

#: Training groups; every hostile and benign frame is filled with each of them.
GROUPS = ["somalis", "poles", "muslims", "jews", "kurds", "roma"]
HOSTILE = ["{g} are vermin", "all {g} are rats and animals", "kick the {g} out, vermin",
           "{g} are disgusting animals"]  # fmt: skip
BENIGN = ["many {g} live in our area", "i met some {g} at the square", "{g} run the bakery",
          "my neighbours are {g} and we had coffee"]  # fmt: skip
#: Two group names no training text contains. The first shares character n-grams with the
#: hostile word "vermin", so a model that reads unseen words by their n-grams scores it higher.
UNSEEN = ["verminians", "jordanians"]


def _training() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for g in GROUPS:
        texts += [t.format(g=g) for t in HOSTILE] + [t.format(g=g) for t in BENIGN]
        labels += ["hostile"] * len(HOSTILE) + ["ok"] * len(BENIGN)
    return texts, labels


def _fit(min_word_df: int) -> TextClassifier:
    texts, labels = _training()
    return TextClassifier(
        n_features=2**14, cv=3, min_word_df=min_word_df, lang_feature=False, C=1.0
    ).fit(texts, labels, langs=["en"] * len(texts))


def _p_hostile(model: TextClassifier, texts: list[str]) -> np.ndarray:
    proba = model.predict_proba(texts, ["en"] * len(texts))
    return proba[:, list(model.classes_).index("hostile")]


def test_unseen_group_names_get_the_same_score_only_with_a_vocabulary() -> None:
    sentences = [f"many {g} live in our area" for g in UNSEEN]
    old = _p_hostile(_fit(0), sentences)
    new_model = _fit(2)
    new = _p_hostile(new_model, sentences)
    # every featuriser input is the same once unseen words are masked: identical scores
    assert new[0] == pytest.approx(new[1], abs=1e-12)
    assert set(UNSEEN).isdisjoint(new_model.vocabulary_)
    # the hashed character n-grams give the "vermin"-like name a hostile weight of its own
    assert old[0] - old[1] > 0.02
    # the model still reads hostility from the words it knows
    hostile = _p_hostile(new_model, [f"{g} are vermin" for g in UNSEEN])
    assert (hostile > 0.5).all() and (new < 0.5).all()


def test_vocabulary_is_learnt_by_document_frequency() -> None:
    model = _fit(len(GROUPS) * 2)  # frame words occur in every group's texts; names in 8
    assert "vermin" in model.vocabulary_ and "somalis" not in model.vocabulary_
    assert _fit(0).vocabulary_ == []
    assert learn_vocabulary(["a a b", "a c"], 2) == ["a"]  # once per text, not per token


def test_masking_keeps_punctuation_placeholders_and_spacing() -> None:
    vocab = frozenset({"many", "live", "here"})
    assert mask_unseen(["many armenians live here!", "<user> hej", ""], vocab) == [
        f"many {UNSEEN_WORD} live here!",
        f"<{UNSEEN_WORD}> {UNSEEN_WORD}",
        "",
    ]
    assert mask_unseen(["many armenians"], vocab | {"armenians"}) == ["many armenians"]
    assert mask_unseen(["sri lankans, bosnians and x"], vocab) == [f"{UNSEEN_WORD}, {UNSEEN_WORD}"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh ,!", max_size=30), max_size=8))
def test_masking_is_idempotent_and_never_adds_words(texts: list[str]) -> None:
    vocab = frozenset({"ab", "cd", UNSEEN_WORD})
    once = mask_unseen(texts, vocab)
    assert mask_unseen(once, vocab) == once
    assert all(len(m.split()) <= len(t.split()) for m, t in zip(once, texts, strict=True))
    assert all(f"{UNSEEN_WORD} {UNSEEN_WORD}" not in m for m in once)


def test_shared_counts_of_masked_texts_equal_predict_proba_and_survive_skops() -> None:
    model = _fit(2)
    texts = ["Many Verminians live in our area!", "kick the jordanians out", "hej @du"]
    langs = ["en"] * len(texts)
    restored = loads(dumps(model), trusted=get_untrusted_types(data=dumps(model)))
    assert restored.vocabulary_ == model.vocabulary_
    key = restored.hashing_key()
    assert len(key) == 4 and key[:3] == ((1, 2), (2, 5), 2**14)
    counts = HashedCounts(*key[:3]).transform(restored.mask_unseen(normalise_batch(texts, langs)))  # type: ignore[arg-type]
    np.testing.assert_allclose(
        restored.predict_proba_counts(counts, langs), model.predict_proba(texts, langs), atol=1e-6
    )
    assert len(_fit(0).hashing_key()) == 3  # models without a vocabulary share counts as before


def test_unseen_words_leave_the_vocabulary_so_training_names_read_as_a_slot() -> None:
    texts, labels = _training()
    masked = TextClassifier(
        n_features=2**14, cv=3, min_word_df=2, lang_feature=False, unseen_words=tuple(GROUPS)
    ).fit(texts, labels, langs=["en"] * len(texts))
    assert not set(GROUPS) & set(masked.vocabulary_)
    names = [*GROUPS, *UNSEEN]
    neutral = _p_hostile(masked, [f"my neighbours are {g} and we had coffee" for g in names])
    np.testing.assert_allclose(neutral, neutral[0], atol=1e-12)
    assert (_p_hostile(masked, [f"{g} are disgusting animals" for g in names]) > 0.5).all()


def test_group_name_words_are_the_first_words_of_training_forms() -> None:
    from barometer.training.groups import group_name_words, unseen_groups

    words = group_name_words(["sv", "en"])
    assert {"somalier", "somalierna", "somaliska", "muslims", "vietnamese"} <= set(words)
    assert not {"people", "person", "och", "the"} & set(words)
    # a training group's forms, masked, are exactly the shapes of unseen_groups
    from barometer.training.groups import training_groups

    table = training_groups()
    en = table[(table["lang"] == "en") & (table["group_type"] != "slur")]
    plurals = [str(p).lower() for p in en["plural"]]
    vocab = frozenset(w for p in plurals for w in p.split()[1:])  # all but the name
    masked = set(mask_unseen(plurals, vocab))
    assert masked == set(unseen_groups(en)["plural"])
