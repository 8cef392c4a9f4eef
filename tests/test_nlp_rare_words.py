"""Rare training words do not teach the placeholder: ``TextClassifier(rare_words=...)`` gives the
words outside the vocabulary of the training texts a token of their own (or drops them), so the
placeholder of unseen words is learnt only from the rows that carry it literally."""

from __future__ import annotations

import numpy as np
import pytest
from skops.io import dumps, get_untrusted_types, loads

from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.text_features import RARE_WORD, UNSEEN_WORD, mask_unseen

GROUPS = ["somalis", "poles", "muslims", "jews", "kurds", UNSEEN_WORD]
HOSTILE = ["{g} are vermin", "all {g} are rats and animals", "kick the {g} out, vermin",
           "{g} are disgusting animals"]  # fmt: skip
BENIGN = ["many {g} live in our area", "i met some {g} at the square", "{g} run the bakery",
          "my neighbours are {g} and we had coffee"]  # fmt: skip


def _rare(i: int) -> str:
    """A made-up word found in one training text only (a misspelled slur, say)."""
    letters = "bcdfghjklmnpqrstvwxz"
    return f"{letters[i % 20]}a{letters[i // 20 % 20]}ko"


def _training() -> tuple[list[str], list[str]]:
    """Balanced templates over the groups (the placeholder among them), plus hostile corpus
    rows whose only rare word precedes "people": "_unk_ people" is hostile in them."""
    texts, labels = [], []
    for g in GROUPS:
        texts += [t.format(g=g) for t in HOSTILE] + [t.format(g=g) for t in BENIGN]
        labels += ["hostile"] * len(HOSTILE) + ["ok"] * len(BENIGN)
    for i in range(40):
        texts.append(f"{_rare(i)} people ruin everything")
        labels.append("hostile")
    for _ in range(20):
        texts += ["people ruin everything in this town", "nice weather for people today"]
        labels += ["ok", "ok"]
    return texts, labels


def _fit(rare_words: str, **params: object) -> TextClassifier:
    texts, labels = _training()
    return TextClassifier(
        n_features=2**14, cv=3, min_word_df=2, lang_feature=False, C=1.0,
        rare_words=rare_words, **params,  # type: ignore[arg-type]
    ).fit(texts, labels, langs=["en"] * len(texts))  # fmt: skip


def _p_hostile(model: TextClassifier, texts: list[str]) -> np.ndarray:
    proba = model.predict_proba(texts, ["en"] * len(texts))
    return proba[:, list(model.classes_).index("hostile")]


def test_rare_corpus_words_no_longer_make_the_placeholder_hostile() -> None:
    neutral = ["the jordanians", "jordanians moved in", "we met jordanian people today"]
    unseen, token, drop = (_p_hostile(_fit(m), neutral) for m in ("unseen", "token", "drop"))
    # the 40 hostile rows teach "_unk_" a hostile weight when rare words become the placeholder
    # (measured: 0.51, 0.49, 0.15 against 0.26, 0.19, 0.06 with a token of their own)
    assert (unseen - token > 0.05).all() and (unseen - drop > 0.05).all()
    assert (token < 0.3).all() and (drop < 0.3).all()
    # the placeholder then scores like a training name in the same frames (0.27, 0.25, 0.07)
    known = ["the somalis", "somalis moved in", "we met somalis people today"]
    np.testing.assert_allclose(token, _p_hostile(_fit("token"), known), atol=0.06)
    hostile = _p_hostile(_fit("token"), ["jordanians are vermin", "kick the armenians out, vermin"])
    assert (hostile > 0.5).all()


def test_rare_words_are_masked_by_mode_in_training_and_as_the_placeholder_in_prediction() -> None:
    vocab = frozenset({"people", "ruin", UNSEEN_WORD})
    assert mask_unseen(["xq zv people ruin _unk_"], vocab, replacement=RARE_WORD) == [
        f"{RARE_WORD} people ruin {UNSEEN_WORD}"
    ]
    assert mask_unseen(["xq people zv ruin"], vocab, replacement="") == ["people ruin"]
    model = _fit("token")
    assert RARE_WORD not in model.vocabulary_
    # prediction reads a literal rare token like any other unseen word
    assert model.mask_unseen([f"{RARE_WORD} people"]) == [f"{UNSEEN_WORD} people"]
    assert model.mask_unseen(["qq people"], training=True) == [f"{RARE_WORD} people"]
    with pytest.raises(ValueError, match="rare_words"):
        TextClassifier(rare_words="keep").fit(["a", "b"] * 4, ["x", "y"] * 4)


def test_fold_article_reads_an_as_a_before_the_placeholder_only() -> None:
    vocab = frozenset({"an", "a", "moved", "in", "apple"})
    texts = ["an armenian moved in", "a jordanian moved in", "an apple", "an apple an x"]
    assert mask_unseen(texts, vocab, fold_article=True) == [
        f"a {UNSEEN_WORD} moved in", f"a {UNSEEN_WORD} moved in", "an apple",
        f"an apple a {UNSEEN_WORD}"]  # fmt: skip
    assert mask_unseen(texts[:1], vocab) == [f"an {UNSEEN_WORD} moved in"]
    # a dropped word folds the article before it as well
    assert mask_unseen(texts, vocab, replacement="", fold_article=True) == [
        "a moved in", "a moved in", "an apple", "an apple a"]  # fmt: skip
    model = _fit("token", fold_article=True)
    p = _p_hostile(model, ["an armenian moved in", "a jordanian moved in"])
    assert p[0] == pytest.approx(p[1], abs=1e-12)


@pytest.mark.parametrize("rare_words", ["drop", "drop_always"])
def test_shared_counts_follow_the_new_options_and_survive_skops(rare_words: str) -> None:
    model = _fit(rare_words, fold_article=True)
    texts = ["An Eritrean moved in!", "qq people ruin everything", "hej @du"]
    langs = ["en"] * len(texts)
    restored = loads(dumps(model), trusted=get_untrusted_types(data=dumps(model)))
    key = restored.hashing_key()
    assert "fold_article" in key[4:] and key != _fit(rare_words).hashing_key()
    # a model that drops unseen words never shares counts with one that reads the placeholder
    assert ("drop_unseen" in key[4:]) == (rare_words == "drop_always")
    counts = HashedCounts(*key[:3]).transform(restored.mask_unseen(normalise_batch(texts, langs)))  # type: ignore[arg-type]
    np.testing.assert_allclose(
        restored.predict_proba_counts(counts, langs), model.predict_proba(texts, langs), atol=1e-6
    )
    # a version saved before the options existed keeps its behaviour
    state = restored.__getstate__()
    for name in ("rare_words", "fold_article"):
        state.pop(name)
    old = TextClassifier.__new__(TextClassifier)
    old.__setstate__(state)
    assert old.rare_words == "unseen" and old.fold_article is False


def test_drop_always_gives_unseen_names_no_feature_at_all() -> None:
    model = _fit("drop_always")
    # the templates' placeholder is frequent, so it stays a word of its own (a training-only
    # group name); unseen words in prediction are dropped, never read as it
    assert UNSEEN_WORD in model.vocabulary_
    assert model.mask_unseen(["the _unk_ live in", "the sri lankans live in"]) == [
        "the _unk_ live in", "the live in"]  # fmt: skip
    names = ["jordanians", "armenians", "verminians", "sri lankans"]
    p = _p_hostile(model, [f"many {g} live in our area" for g in names])
    np.testing.assert_allclose(p, p[0], atol=1e-12)
    # they score as the sentence without any name, not as the hostile rare words taught
    assert p[0] == pytest.approx(_p_hostile(model, ["many live in our area"])[0], abs=1e-12)
    p_people = _p_hostile(model, ["jordanian people"])[0]
    assert p_people < _p_hostile(_fit("unseen"), ["jordanian people"])[0] - 0.2
    assert (
        _p_hostile(model, ["jordanians are vermin", "kick the armenians out, vermin"]) > 0.5
    ).all()
    # without placeholder rows it is no word at all
    texts, labels = _training()
    kept = [i for i, t in enumerate(texts) if UNSEEN_WORD not in t]
    plain = TextClassifier(n_features=2**14, cv=3, min_word_df=2, lang_feature=False,
                           rare_words="drop_always").fit(
        [texts[i] for i in kept], [labels[i] for i in kept], langs=["en"] * len(kept))  # fmt: skip
    assert UNSEEN_WORD not in plain.mask_unseen([f"a {UNSEEN_WORD} b"])[0]
