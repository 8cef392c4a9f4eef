"""The ``min_read_words`` decision rule: a post of which a model reads fewer than k words scores
at most the model's prior (its score of an empty text) in every prediction path, keeps its row,
and is counted as scored; versions saved before the rule apply none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skops.io import dumps, get_untrusted_types, loads

from barometer import registry
from barometer.aggregate.cell_stats import cell_stats
from barometer.batch_scoring import BatchScorer
from barometer.exceptions import ConfigError
from barometer.model_store import save_model, use_models_dir
from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.read_rule import capped_at_prior
from barometer.training.config import load_training_config

# "hate" alone is hostile in training; the other frequent words are neutral
HOSTILE = ["i hate them all", "hate hate them", "we hate those people", "they hate us all"]
BENIGN = ["we love our park", "the park is nice", "our people love the market", "nice market day"]


def _fit(k: int = 0, hostile_times: int = 10, benign_times: int = 10) -> TextClassifier:
    texts = HOSTILE * hostile_times + BENIGN * benign_times + ["hate"] * 20 + ["park"] * 5
    labels = (["hostile"] * 4 * hostile_times + ["not_hostile"] * 4 * benign_times
              + ["hostile"] * 20 + ["not_hostile"] * 5)  # fmt: skip
    return TextClassifier(
        task="hostility", n_features=2**12, cv=3, min_word_df=3, lang_feature=False, C=1.0,
        rare_words="drop_always", classifier="logistic", min_read_words=k,
    ).fit(texts, labels, langs=["en"] * len(texts))  # fmt: skip


def _p_hostile(model: TextClassifier, texts: list[str]) -> np.ndarray:
    proba = model.predict_proba(texts, ["en"] * len(texts))
    return proba[:, list(model.classes_).index("hostile")]


def test_a_text_with_k_minus_one_read_words_scores_at_most_the_prior() -> None:
    model = _fit(k=2)
    plain = _fit(k=0)
    prior = _p_hostile(model, [""])[0]
    assert prior < 0.5 and _p_hostile(plain, [""])[0] == pytest.approx(prior, abs=1e-12)
    # one read word ("hate"; "zorblax" and the emoji are not in the vocabulary): hostile as read
    one = ["hate", "zorblax hate 🙂", "HATE!!"]
    assert (_p_hostile(plain, one) > 0.5).all()
    np.testing.assert_allclose(_p_hostile(model, one), prior, atol=1e-12)
    assert (model.predict(one, ["en"] * 3) == "not_hostile").all()
    # one read word that points away from a flag keeps its own, lower score
    assert _p_hostile(plain, ["park"])[0] < prior
    assert _p_hostile(model, ["park"])[0] == pytest.approx(_p_hostile(plain, ["park"])[0])
    # two read words: exactly the score without the rule
    two = ["hate them", "zorblax hate them", "i hate"]
    np.testing.assert_allclose(_p_hostile(model, two), _p_hostile(plain, two), atol=1e-12)
    assert (model.predict(two, ["en"] * 3) == "hostile").all()
    # placeholders are not words the model read
    assert model.read_word_counts(["<url> hate <user>", "", "hate them"]).tolist() == [1, 0, 2]


def test_capped_at_prior_known_answers() -> None:
    proba = np.array([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5], [0.6, 0.4], [0.1, 0.2]])
    prior = np.array([[0.7, 0.3], [0.7, 0.3], [0.7, 0.3]])  # class 0 is the prior's class
    short = np.array([True, True, False, True, False])
    got = capped_at_prior(proba, prior, short)
    # row 0: 0.2 < 0.7, prior; row 1: 0.9 >= 0.7, kept; row 3: 0.6 < 0.7, prior; 2, 4 not short
    np.testing.assert_allclose(got, [[0.7, 0.3], [0.9, 0.1], [0.5, 0.5], [0.7, 0.3], [0.1, 0.2]])
    three = capped_at_prior(np.array([[0.5, 0.1, 0.4]]), np.array([[0.2, 0.6, 0.2]]), [True])
    np.testing.assert_allclose(three, [[0.2, 0.6, 0.2]])  # classes 0, 2 capped at 0.2 each
    # three classes, no flag is class 1: flag 0 keeps its lower 0.1, flag 2 is capped at 0.3
    mixed = capped_at_prior(np.array([[0.1, 0.3, 0.6]]), np.array([[0.2, 0.5, 0.3]]), [True])
    np.testing.assert_allclose(mixed, [[0.1, 0.6, 0.3]])


def test_a_flagged_prior_caps_the_flag_class_at_the_prior() -> None:
    """Prior [0.4 not hostile, 0.6 hostile]: a barely read text is still flagged, but never
    with more than the prior's 0.6; a lower own score stays lower."""
    proba = np.array([[0.05, 0.95], [0.7, 0.3], [0.05, 0.95]])
    prior = np.array([[0.4, 0.6], [0.4, 0.6]])
    got = capped_at_prior(proba, prior, np.array([True, True, False]), no_flag=0)
    np.testing.assert_allclose(got, [[0.4, 0.6], [0.7, 0.3], [0.05, 0.95]])
    # without the named class the prior's most probable one (here the flag) is taken as none
    np.testing.assert_allclose(capped_at_prior(proba[:1], prior[:1], [True]), [[0.05, 0.95]])


def test_a_model_with_a_flagged_prior_flags_a_barely_read_text_at_most_at_the_prior() -> None:
    """Trained mostly on hostile texts, the model flags an empty text (the prior); one read
    word ("hate") then scores the prior's P(hostile), not the word's own higher one."""
    model, plain = _fit(k=2, hostile_times=20, benign_times=5), _fit(k=0, hostile_times=20,
                                                                       benign_times=5)  # fmt: skip
    prior = _p_hostile(model, [""])[0]
    assert 0.5 < prior < 0.9
    assert _p_hostile(plain, ["hate"])[0] > 0.95
    np.testing.assert_allclose(_p_hostile(model, ["hate", "zorblax hate"]), prior, atol=1e-12)
    assert _p_hostile(model, ["park"])[0] == pytest.approx(_p_hostile(plain, ["park"])[0])
    proba = model.predict_proba(["hate"], ["en"])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    two = ["hate them", "i hate"]
    np.testing.assert_allclose(_p_hostile(model, two), _p_hostile(plain, two), atol=1e-12)


def test_shared_counts_apply_the_rule_and_refuse_to_score_without_it() -> None:
    model = _fit(k=2)
    restored = loads(dumps(model), trusted=get_untrusted_types(data=dumps(model)))
    texts = ["hate", "hate them all", "zorblax", "we love our park"]
    langs = ["en"] * len(texts)
    read = restored.read_words(normalise_batch(texts, langs), langs)
    counts = HashedCounts(*restored.hashing_key()[:3]).transform(read)
    assert restored.barely_read(read).tolist() == [True, False, True, False]
    np.testing.assert_allclose(
        restored.predict_proba_counts(counts, langs, restored.barely_read(read)),
        model.predict_proba(texts, langs),
        atol=1e-9,
    )
    with pytest.raises(ValueError, match="min_read_words = 2"):
        restored.predict_proba_counts(counts, langs)


@pytest.mark.parametrize("version", ["2026.2", "2026.3", "2026.4"])
def test_versions_saved_before_the_rule_apply_none(version: str) -> None:
    model = registry.load_model("hostility", version)
    assert model.min_read_words == 0 and model.get_params()["min_read_words"] == 0
    assert not model.barely_read(["", "x"]).any()
    config = load_training_config(registry.version_dir("hostility", version) / "config.toml")
    assert config.scoring.min_read_words == 0


def test_the_config_carries_the_rule_and_refuses_a_negative_one(tmp_path) -> None:
    base = (registry.version_dir("hostility", "2026.4") / "config.toml").read_text("utf-8")
    path = tmp_path / "hostility.toml"
    path.write_text(base.replace("gate_exclude = []", "gate_exclude = []\nmin_read_words = 3"))
    assert load_training_config(path).scoring.min_read_words == 3
    path.write_text(base.replace("gate_exclude = []", "gate_exclude = []\nmin_read_words = -1"))
    with pytest.raises(ConfigError, match="min_read_words"):
        load_training_config(path)


def _cells(scores: pd.DataFrame, posts: pd.DataFrame) -> pd.DataFrame:
    located = posts.assign(author_pseudonym=["a", "b"] * (len(posts) // 2),
                           neighbourhood_id="n1", is_repost=False,
                           created_at=pd.Timestamp("2026-03-04", tz="UTC"))  # fmt: skip
    cells = cell_stats(located, scores)
    return cells[cells["indicator"] == cells["indicator"].iloc[0]]


def test_batch_scorer_keeps_every_row_and_cell_counts_reconcile(tmp_path) -> None:
    config_text = (registry.version_dir("hostility", "2026.4") / "config.toml").read_text("utf-8")
    for version, k in (("9001.1", 0), ("9001.2", 2)):
        save_model(_fit(k).set_params(model_version=f"hostility-{version}"), "hostility",
                   version, metrics={}, card="", config_text=config_text,
                   models_dir=tmp_path)  # fmt: skip
    posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(6)], "lang": "en",
                          "text": ["hate", "hate them all", "zorblax hate", "we love our park",
                                   "", "i hate those people"]})  # fmt: skip
    found = {}
    for version in ("9001.1", "9001.2"):
        (tmp_path / "registry.toml").write_text(f'[active]\nhostility = "{version}"\n')
        with use_models_dir(tmp_path):
            scores = BatchScorer(tasks=["hostility"]).score(posts)
            model = registry.load_model("hostility", version, models_dir=tmp_path)
        assert sorted(scores["post_id"]) == sorted(posts["post_id"])  # no post leaves
        own = model.score_posts(posts).set_index("post_id")
        got = scores.set_index("post_id").loc[own.index]
        assert got["label"].tolist() == own["label"].tolist()
        np.testing.assert_allclose(got["probability"], own["probability"], atol=1e-9)
        found[version] = (scores, _cells(scores, posts))
    (before, cells_before), (after, cells_after) = found["9001.1"], found["9001.2"]
    flagged = lambda s: set(s.loc[s["label"] == "hostile", "post_id"])  # noqa: E731
    # the rule unflags exactly the posts with one read word; the others are unchanged
    assert flagged(before) - flagged(after) == {"p0", "p2"}
    assert flagged(after) == {"p1", "p5"}
    # same denominators; flagged counts fall by the unflagged posts, cell by cell
    assert cells_after["n_posts"].tolist() == cells_before["n_posts"].tolist() == [3, 3]
    assert int(cells_before["n_flagged"].sum()) - int(cells_after["n_flagged"].sum()) == 2
    assert int(cells_after["n_flagged"].sum()) == len(flagged(after))
