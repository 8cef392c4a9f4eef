"""Batch scoring shares normalisation and hashing; results equal the per-task scorers."""

from __future__ import annotations

import sys
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barometer import registry, scoring
from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.text import normalise_texts

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from bench_models import make_posts


def _posts(n: int = 400) -> pd.DataFrame:
    posts = make_posts(n, seed=7)
    extra = pd.DataFrame(
        {"post_id": ["x1", "x2", "x3"], "lang": ["sv", "tr", "en"],
         "text": ["JÄTTEBRAAAA &amp; #TryggaBotkyrka 👍🏽", "İSTANBUL çok güzel", ""]}
    )  # fmt: skip
    return pd.concat([posts, extra], ignore_index=True)


def test_normalise_batch_equals_normalise_texts() -> None:
    posts = _posts()
    texts, langs = posts["text"].tolist(), posts["lang"].tolist()
    assert normalise_batch(texts, langs) == normalise_texts(texts, langs)


@pytest.mark.parametrize("task", sorted(registry.active_versions()))
def test_shared_counts_give_the_same_probabilities(task: str) -> None:
    model = registry.load_model(task)
    posts = _posts()
    langs = [lg or "und" for lg in posts["lang"]]
    expected = model.predict_proba(posts[["text", "lang"]])
    counts = HashedCounts(*model.hashing_key()).transform(
        normalise_batch([unescape(t) for t in posts["text"]], langs)
    )
    got = model.predict_proba_counts(counts, langs)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_batch_scorer_equals_score_task_per_task() -> None:
    posts = _posts()
    got = scoring.BatchScorer().score(posts)
    scored = pd.DataFrame(columns=["post_id", "task", "model_version", "label"])
    for task in scoring.model_versions():
        todo = scoring.gate(task, posts, scored)
        expected = scoring.score_task(task, todo, lexicon_dir=None)
        scored = pd.concat([scored, expected[scored.columns]], ignore_index=True)
        mine = got[got["task"] == task].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            mine.drop(columns="probability"),
            expected.drop(columns="probability").reset_index(drop=True),
        )
        np.testing.assert_allclose(
            mine["probability"].to_numpy(float), expected["probability"].to_numpy(float),
            rtol=0, atol=1e-9,
        )  # fmt: skip


def test_stream_over_workers_equals_one_process() -> None:
    scorer = scoring.BatchScorer()
    batches = [make_posts(150, seed=s) for s in range(5)]
    alone = [rows for rows, _, _ in scoring.stream_scores(batches, scorer=scorer, workers=1)]
    forked = list(scoring.stream_scores(batches, scorer=scorer, workers=2))
    assert len(forked) == len(batches)
    for single, (rows, _pid, memory) in zip(alone, forked, strict=True):
        pd.testing.assert_frame_equal(single, rows)
        assert memory >= 0


def test_batch_scorer_skips_a_model_with_no_post_in_its_languages() -> None:
    posts = pd.DataFrame({"post_id": ["a", "b"], "text": ["good day", "hi"], "lang": ["en", "en"]})
    rows = scoring.BatchScorer().score(posts)
    assert "immigration_attitude" not in set(rows["task"])  # Swedish-only model
    assert set(rows.loc[rows["task"] == "hostility", "post_id"]) == {"a", "b"}


def test_a_second_pass_sends_no_post_to_any_scorer() -> None:
    """Every post a task's gate lets through gets a row of that task, so an incremental re-run
    (posts without a row of the active version) has nothing left to score: posts in languages a
    model does not cover (Somali for sentiment, English for the Swedish attitude model) are not
    sent again."""
    posts = _posts()
    posts.loc[posts.index[:5], "lang"] = "so"
    rows = scoring.BatchScorer().score(posts)
    for task in scoring.model_versions():
        mine = rows.loc[rows["task"] == task, "post_id"]
        todo = scoring.gate(task, posts[~posts["post_id"].isin(mine)], rows)
        assert todo.empty, (task, todo["lang"].value_counts().to_dict())
    assert scoring.covered_languages("immigration_attitude") == {"sv"}
    assert "so" not in scoring.covered_languages("sentiment")
    # the hostility model scores the languages it has labelled data for, Somali is not one
    hostility = scoring.covered_languages("hostility")
    assert hostility is not None and "sv" in hostility and "so" not in hostility


def test_current_scores_keep_one_model_version_per_task() -> None:
    scores = pd.DataFrame(
        {"post_id": ["a", "a", "b", "b", "c"],
         "task": ["hostility", "hostility", "hostility", "sentiment", "theme"],
         "model_version": ["hostility-old", "hostility-new", "hostility-new", "lexicon-v1",
                           "theme-v1"],
         "label": ["hateful", "not_hostile", "offensive", "negative", "safety"]}
    )  # fmt: skip
    versions = {"hostility": "hostility-new", "sentiment": "lexicon-v1"}
    kept = scoring.current_scores(scores, versions, gates={})
    assert kept["model_version"].tolist() == ["hostility-new", "hostility-new", "lexicon-v1"]
    assert scoring.current_scores(scores.iloc[:0], versions).empty


def test_current_scores_drop_gated_rows_the_gate_no_longer_lets_through() -> None:
    """Post "a" was hostile under the old hostility model and got a target row; the new model
    calls it not hostile, so its target row must not count any more."""
    scores = pd.DataFrame(
        {"post_id": ["a", "b", "a", "b"],
         "task": ["hostility", "hostility", "hostility_target", "hostility_target"],
         "model_version": ["h-new", "h-new", "t-1", "t-1"],
         "label": ["not_hostile", "offensive", "origin", "religion"]}
    )  # fmt: skip
    versions = {"hostility": "h-new", "hostility_target": "t-1"}
    gates = {"hostility_target": {"task": "hostility", "exclude": ["not_hostile"]}}
    kept = scoring.current_scores(scores, versions, gates=gates)
    assert kept[kept["task"] == "hostility_target"]["post_id"].tolist() == ["b"]
    assert len(kept[kept["task"] == "hostility"]) == 2
    assert scoring.active_gates()["hostility_target"]["task"] == "hostility"


def test_model_languages_of_a_task_without_an_active_model_is_an_error(tmp_path: Path) -> None:
    from barometer.exceptions import ModelError

    (tmp_path / "registry.toml").write_text("[active]\n")
    with pytest.raises(ModelError, match="no active version of 'hostility'"):
        registry.model_languages("hostility", models_dir=tmp_path)
    assert registry.model_languages("immigration_attitude") == {"sv"}
