"""The ``unread_dilution`` option: a text's word and character rows are scaled, after their l2
normalisation, by sqrt(read / (read + unread runs)), in training and in every prediction path;
a text read whole is unchanged, and versions saved before the option dilute nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skops.io import dumps, get_untrusted_types, loads

from barometer import registry
from barometer.batch_scoring import BatchScorer
from barometer.exceptions import ConfigError
from barometer.model_store import save_model, use_models_dir
from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.unread_dilution import sqrt_share, unread_counts
from barometer.training.config import load_training_config
from barometer.training.train import build_estimator

HOSTILE = ["i hate them all", "hate hate them", "we hate those people", "they hate us all"]
BENIGN = ["we love our park", "the park is nice", "our people love the market", "nice market day"]


def _fit(dilution: str = "sqrt_share") -> TextClassifier:
    texts = HOSTILE * 10 + BENIGN * 10 + ["hate"] * 20 + ["park"] * 5
    labels = ["hostile"] * 40 + ["not_hostile"] * 40 + ["hostile"] * 20 + ["not_hostile"] * 5
    return TextClassifier(
        task="hostility", n_features=2**12, cv=3, min_word_df=3, lang_feature=True, C=1.0,
        rare_words="drop_always", classifier="logistic", unread_dilution=dilution,
    ).fit(texts, labels, langs=["en"] * len(texts))  # fmt: skip


def _p_hostile(model: TextClassifier, texts: list[str]) -> np.ndarray:
    proba = model.predict_proba(texts, ["en"] * len(texts))
    return proba[:, list(model.classes_).index("hostile")]


def test_unread_counts_count_read_terms_and_runs_of_dropped_words() -> None:
    vocabulary = frozenset({"we", "love", "our", "park", "url"})
    texts = [
        "we love our park",  # read whole
        "we love sri lankans",  # one run of two dropped words
        "we love eritreans",  # one run of one
        "xq, zz park",  # two runs (the comma is a read term between them)
        "<url> 🙂 zorblax !",  # placeholder, emoji and "!" are read terms
        "zorblax",  # nothing read
        "",
    ]
    assert unread_counts(texts, vocabulary).tolist() == [
        [4, 0], [2, 1], [2, 1], [2, 2], [3, 1], [0, 1], [0, 0]
    ]  # fmt: skip
    np.testing.assert_allclose(
        sqrt_share(unread_counts(texts, vocabulary)),
        [1, np.sqrt(2 / 3), np.sqrt(2 / 3), np.sqrt(0.5), np.sqrt(0.75), 0, 1],
    )
    # "sqrt_word_share" counts every dropped word: the two-word name dilutes more
    assert unread_counts(texts, vocabulary, per_run=False)[:2].tolist() == [[4, 0], [2, 2]]


def test_block_rows_are_scaled_by_exactly_the_factor_and_a_text_read_whole_is_unchanged() -> None:
    model = _fit()
    assert {"hate", "them", "park", "we", "love", "our"} <= set(model.vocabulary_)
    texts = ["we love our park", "we love zorblax quux", "hate zorblax them glorp"]
    langs = ["en"] * 3
    diluted = model.featurise(texts, langs).toarray()
    plain = model.set_params(unread_dilution="none").featurise(texts, langs).toarray()
    n_lang = len(model.langs_)
    # row 0 is read whole; row 1 reads 2 terms and one run; row 2 reads 2 terms and two runs
    factors = np.array([1.0, np.sqrt(2 / 3), np.sqrt(2 / 4)])
    np.testing.assert_allclose(diluted[:, :-n_lang], plain[:, :-n_lang] * factors[:, None],
                               rtol=1e-6)  # fmt: skip
    np.testing.assert_array_equal(diluted[:, -n_lang:], plain[:, -n_lang:])  # language kept
    norms = np.linalg.norm(diluted[:, : model.n_features], axis=1)  # the word block
    np.testing.assert_allclose(norms, factors, rtol=1e-6)


def test_a_barely_read_hostile_word_is_pulled_toward_the_prior() -> None:
    model, plain = _fit(), _fit("none")
    prior = _p_hostile(model, [""])[0]
    assert prior < 0.5
    # read whole: the diluted model scores "hate" as strongly as the plain one
    assert _p_hostile(model, ["hate"])[0] > 0.9 and _p_hostile(plain, ["hate"])[0] > 0.9
    # "hate" among three runs of unread words: diluted toward the prior, the plain model not
    barely = ["zorblax hate glorp, quux"]
    assert _p_hostile(plain, barely)[0] == pytest.approx(_p_hostile(plain, ["hate ,"])[0])
    assert prior < _p_hostile(model, barely)[0] < _p_hostile(plain, barely)[0]
    # a name of two unread words dilutes exactly as a name of one
    np.testing.assert_allclose(_p_hostile(model, ["we love sri lankans"]),
                               _p_hostile(model, ["we love eritreans"]), atol=1e-12)  # fmt: skip
    # counting every dropped word, three unread words pull "hate" further toward the prior
    words = model.set_params(unread_dilution="sqrt_word_share")
    np.testing.assert_allclose(words.dilution_factors(["zorblax quux glorp hate"], ["en"]),
                               [0.5])  # fmt: skip
    assert (
        prior
        < _p_hostile(words, ["zorblax quux glorp hate"])[0]
        < _p_hostile(model.set_params(unread_dilution="sqrt_share"), ["zorblax quux glorp hate"])[0]
    )


def test_shared_counts_apply_the_dilution_and_refuse_to_score_without_it() -> None:
    model = _fit()
    restored = loads(dumps(model), trusted=get_untrusted_types(data=dumps(model)))
    assert restored.unread_dilution == "sqrt_share"
    texts = ["hate", "zorblax hate glorp", "we love our park", "quux"]
    langs = ["en"] * len(texts)
    normalised = normalise_batch(texts, langs)
    counts = HashedCounts(*restored.hashing_key()[:3]).transform(
        restored.read_words(normalised, langs)
    )
    factors = restored.dilution_factors(normalised, langs)
    np.testing.assert_allclose(factors, [1, np.sqrt(1 / 3), 1, 0])
    np.testing.assert_allclose(restored.predict_proba_counts(counts, langs, None, factors),
                               model.predict_proba(texts, langs), atol=1e-9)  # fmt: skip
    with pytest.raises(ValueError, match="unread_dilution"):
        restored.predict_proba_counts(counts, langs)


def test_batch_scorer_scores_as_predict_proba(tmp_path) -> None:
    config_text = (registry.version_dir("hostility", "2026.4") / "config.toml").read_text("utf-8")
    save_model(_fit().set_params(model_version="hostility-9002.1"), "hostility", "9002.1",
               metrics={}, card="", config_text=config_text, models_dir=tmp_path)  # fmt: skip
    (tmp_path / "registry.toml").write_text('[active]\nhostility = "9002.1"\n')
    posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(5)], "lang": "en",
                          "text": ["hate", "zorblax hate glorp", "we love our park", "",
                                   "i hate those &amp; zorblax people"]})  # fmt: skip
    with use_models_dir(tmp_path):
        scores = BatchScorer(tasks=["hostility"]).score(posts).set_index("post_id")
        model = registry.load_model("hostility", "9002.1", models_dir=tmp_path)
    own = model.score_posts(posts).set_index("post_id")
    got = scores.loc[own.index]
    assert got["label"].tolist() == own["label"].tolist()
    np.testing.assert_allclose(got["probability"], own["probability"], atol=1e-9)


def test_the_option_needs_dropped_words() -> None:
    with pytest.raises(ValueError, match="drop_always"):
        TextClassifier(min_word_df=1, rare_words="unseen", unread_dilution="sqrt_share").fit(
            ["a b", "c d"] * 5, ["x", "y"] * 5
        )


@pytest.mark.parametrize("version", ["2026.2", "2026.3", "2026.4"])
def test_versions_saved_before_the_option_dilute_nothing(version: str) -> None:
    model = registry.load_model("hostility", version)
    assert model.unread_dilution == "none" and model.get_params()["unread_dilution"] == "none"
    assert model.dilution_factors(["x y z"], ["en"]) is None
    config = load_training_config(registry.version_dir("hostility", version) / "config.toml")
    assert config.features.unread_dilution == "none"


def test_2026_4_scores_the_sample_sentence_as_before() -> None:
    """P(hostile) 0.709 of the sentence 2026.4 reads as "مكان في", measured before the option
    existed (issue 12 closing notes)."""
    model = registry.load_model("hostility", "2026.4")
    proba = model.predict_proba(["مكان جميل في الحي وفيه محبة وتعاون"], ["ar"])
    assert proba[0, list(model.classes_).index("hostile")] == pytest.approx(0.709, abs=5e-4)


def test_the_config_carries_the_option_into_the_estimator(tmp_path) -> None:
    base = (registry.version_dir("hostility", "2026.4") / "config.toml").read_text("utf-8")
    path = tmp_path / "hostility.toml"
    line = 'rare_words = "drop_always"'
    path.write_text(base.replace(line, f'{line}\nunread_dilution = "sqrt_share"', 1))
    config = load_training_config(path)
    assert config.features.unread_dilution == "sqrt_share"
    assert build_estimator(config).unread_dilution == "sqrt_share"
    path.write_text(base.replace(line, 'rare_words = "unseen"\nunread_dilution = "sqrt_share"'))
    with pytest.raises(ConfigError, match="unread_dilution"):
        load_training_config(path)
    path.write_text(base.replace(line, f'{line}\nunread_dilution = "sqrt_word_share"', 1))
    assert load_training_config(path).features.unread_dilution == "sqrt_word_share"
    path.write_text(base.replace(line, f'{line}\nunread_dilution = "cube_root"', 1))
    with pytest.raises(ConfigError, match="unread_dilution"):
        load_training_config(path)
