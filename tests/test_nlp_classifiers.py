"""Text classifiers: estimator contract, vectorised features, known answers, metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import f1_score

from barometer.exceptions import SchemaError
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.hashing import hash_char_ngrams
from barometer.schema import POST_SCORES
from barometer.training import metrics as M

HOSTILE = [
    "you are a stupid idiot", "shut up you moron", "go to hell you idiot",
    "du är en jävla idiot", "håll käften din idiot", "what a moron, stupid clown",
]  # fmt: skip
BENIGN = [
    "what a lovely day in the park", "thanks for the nice concert", "the library opens at ten",
    "tack för en fin konsert", "biblioteket öppnar klockan tio", "lovely people at the market",
]  # fmt: skip


def _toy() -> tuple[list[str], list[str]]:
    return HOSTILE * 4 + BENIGN * 4, ["hostile"] * 24 + ["ok"] * 24


def _small(**params: object) -> TextClassifier:
    return TextClassifier(**{"n_features": 2**12, "cv": 3, **params})  # type: ignore[arg-type]


def test_estimator_contract_clone_and_params() -> None:
    clf = _small(C=2.0, task="t")
    params = clf.get_params()
    assert params["C"] == 2.0 and params["n_features"] == 2**12 and params["task"] == "t"
    twin = clone(clf)
    assert twin.get_params() == params and twin is not clf
    with pytest.raises(NotFittedError, match="not fitted"):
        clf.predict(["hello"])


def test_known_answers_on_handmade_sentences() -> None:
    texts, labels = _toy()
    clf = _small().fit(texts, labels)
    assert list(clf.classes_) == ["hostile", "ok"]
    assert list(clf.predict(["you idiot", "a lovely concert"])) == ["hostile", "ok"]
    proba = clf.predict_proba(["such a stupid moron", "nice day"])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 0] > 0.5 > proba[1, 0]


def test_batches_give_the_same_answer_as_one_batch() -> None:
    texts, labels = _toy()
    one = _small().fit(texts, labels)
    many = clone(one).set_params(batch_size=5).fit(texts, labels)
    np.testing.assert_allclose(one.predict_proba(texts), many.predict_proba(texts), atol=1e-12)


def test_frame_input_and_score_posts_rows() -> None:
    texts, labels = _toy()
    clf = _small(task="hostility", model_version="hostility-test", languages=("sv", "en"))
    clf.fit(pd.DataFrame({"text": texts, "lang": ["en"] * len(texts)}), labels)
    posts = pd.DataFrame(
        {"post_id": ["p1", "p2", "p3"], "text": ["din idiot", "fin konsert", "x"],
         "lang": ["sv", "en", "so"]}
    )  # fmt: skip
    rows = clf.score_posts(posts)
    assert list(rows.columns) == POST_SCORES.columns
    assert rows["post_id"].tolist() == ["p1", "p2"]  # "so" is not scored
    assert rows["label"].tolist() == ["hostile", "ok"]
    assert rows["model_version"].unique().tolist() == ["hostility-test"]
    assert rows["probability"].between(0.5, 1).all()
    with pytest.raises(SchemaError, match="missing \\['lang'\\]"):
        clf.score_posts(posts.drop(columns="lang"))


def test_single_string_and_missing_class_values_raise() -> None:
    texts, labels = _toy()
    clf = _small().fit(texts, labels)
    with pytest.raises(TypeError, match="single str"):
        clf.predict("you idiot")
    with pytest.raises(ValueError, match="needs class_values"):
        clf.predict_value(["x"])
    valued = _small(class_values={"hostile": 1.0, "ok": 5.0}).fit(texts, labels)
    assert valued.predict_value(["idiot"])[0] < valued.predict_value(["lovely"])[0]


def test_non_convergence_is_an_error_not_a_silent_warning() -> None:
    texts, labels = _toy()
    with pytest.raises(ConvergenceWarning, match="converge"):
        _small(max_iter=1, C=100.0).fit(texts, labels)


def test_char_hashing_counts_windows_inside_padded_words() -> None:
    m = hash_char_ngrams(["ab", "ab ab", ""], (2, 3), n_features=2**10)
    assert m.shape == (3, 2**10)
    assert m.sum(axis=1).A1.tolist() == [5.0, 10.0, 0.0]
    same = hash_char_ngrams(["ab ab"], (2, 3), n_features=2**10)
    assert (m[1] != same[0]).nnz == 0  # no dependence on the other texts of the batch
    assert hash_char_ngrams([], (2, 5)).shape == (0, 2**18)
    with pytest.raises(ValueError, match="ngram_range"):
        hash_char_ngrams(["x"], (3, 2))


def test_macro_and_weighted_f1_match_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    t, p = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    assert M.macro_f1(3)(t, p) == pytest.approx(f1_score(t, p, average="macro"))
    assert M.weighted_f1(3)(t, p) == pytest.approx(f1_score(t, p, average="weighted"))


def test_krippendorff_alpha_interval_known_value_and_bootstrap() -> None:
    # by hand: D_o = 1/3, D_e = 2 * 6.8333 / 5 = 2.7333, alpha = 1 - D_o / D_e
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0])
    assert M.krippendorff_alpha_interval(a, b) == pytest.approx(1 - (1 / 3) / (2 * 41 / 6 / 5))
    rng = np.random.default_rng(0)
    gold = rng.normal(size=200)
    pred = gold + rng.normal(scale=0.5, size=200)
    first = M.bootstrap(M.krippendorff_alpha_interval, gold, pred, n_boot=200, seed=3)
    assert first == M.bootstrap(M.krippendorff_alpha_interval, gold, pred, n_boot=200, seed=3)
    assert first[1] < first[0] < first[2]


def test_small_real_subset_learns_english_offensive_language() -> None:
    path = shared_data("text", "davidson2017", "labeled_data.csv")
    df = pd.read_csv(path, index_col=0)
    subset = pd.concat(
        [df[df["class"] == 1].head(200), df[df["class"] == 2].head(200)], ignore_index=True
    )
    labels = np.where(subset["class"] == 2, "not_hostile", "hostile")
    clf = _small(n_features=2**15).fit(subset["tweet"], labels)
    answers = clf.predict(["shut up bitch you stupid hoe", "going to the game with my dad today"])
    assert list(answers) == ["hostile", "not_hostile"]
