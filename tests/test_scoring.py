"""Batch scoring shares normalisation and hashing; results equal the per-task scorers."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barometer import registry, scoring
from barometer.batch_scoring import BatchScorer, score_missing
from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.text import normalise_texts
from barometer.schema import POST_SCORES, empty_frame
from barometer.scoring_pool import stream_scores
from barometer.synthetic.short_posts import make_posts


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
    # as BatchScorer does: the first three parts of the key, on the texts the model masks
    normalised = normalise_batch([unescape(t) for t in posts["text"]], langs)
    counts = HashedCounts(*model.hashing_key()[:3]).transform(model.mask_unseen(normalised))
    got = model.predict_proba_counts(counts, langs)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def _per_task(task: str, posts: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The reference: the active model of ``task`` alone, through its own ``score_posts``, on
    the posts its gate (read from ``scored``) and its languages let through."""
    if task in registry.active_versions():
        model = registry.load_model(task)
        posts = registry.gate_posts(task, posts, scored)
    else:
        model = scoring.RULE_BASED[task][1](None)
    languages = scoring.covered_languages(task)
    if languages is not None:
        posts = posts[posts["lang"].isin(languages)]
    return model.score_posts(posts)[POST_SCORES.columns].reset_index(drop=True)


def _assert_same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal rows whatever their order; probabilities to 1e-9."""
    keys = ["task", "post_id", "label"]
    got = got.sort_values(keys, kind="stable").reset_index(drop=True)
    expected = expected.sort_values(keys, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got.drop(columns="probability"), expected.drop(columns="probability"), check_dtype=False
    )
    np.testing.assert_allclose(
        got["probability"].to_numpy(float), expected["probability"].to_numpy(float), atol=1e-9
    )


def test_batch_scorer_equals_each_models_own_scoring() -> None:
    posts = _posts()
    got = BatchScorer().score(posts)
    scored = empty_frame(POST_SCORES)
    for task in scoring.model_versions():
        expected = _per_task(task, posts, scored)
        assert len(expected) > 0, task
        scored = pd.concat([scored, expected], ignore_index=True)
        mine = got[got["task"] == task].reset_index(drop=True)
        _assert_same_rows(mine, expected)


def test_score_missing_gives_exactly_the_missing_rows_equal_to_a_cold_scoring() -> None:
    """A partition where some posts have every score, some none, and some lack one task
    (hostility, its gated target, or a rule-based task): ``score_missing`` returns exactly
    the rows taken away, with the values of a cold scoring of the same posts."""
    posts = _posts()
    cold = BatchScorer().score(posts)
    hostile = set(cold.loc[(cold["task"] == "hostility_target"), "post_id"])
    ids = posts["post_id"].tolist()
    none = set(ids[:40])
    lacking = {
        "hostility": set(ids[40:60]),
        "trust_expression": set(ids[60:80]),
        "theme": set(ids[80:100]),
        "hostility_target": set(sorted(hostile)[-10:]),
    }
    assert len(lacking["hostility_target"]) == 10
    removed = cold["post_id"].isin(none)
    for task, chosen in lacking.items():
        removed |= (cold["task"] == task) & cold["post_id"].isin(chosen)
    stored = cold[~removed]
    got = score_missing(BatchScorer(), posts, stored, batch_size=7)
    _assert_same_rows(got, cold[removed])
    assert set(got.loc[got["task"] == "hostility_target", "post_id"]) >= lacking["hostility_target"]
    # and nothing left afterwards: a second call scores nothing
    again = score_missing(BatchScorer(), posts, pd.concat([stored, got]), batch_size=7)
    assert again.empty


def test_a_new_model_version_rescores_that_task_only(monkeypatch) -> None:
    """Stored rows of an older hostility version: only hostility is re-scored (its gated
    target re-gated, nothing else sent), and its new rows equal a cold scoring's."""
    posts = _posts()
    cold = BatchScorer().score(posts)
    stored = cold.copy()
    stored.loc[stored["task"] == "hostility", "model_version"] = "hostility-2020.1"
    scorer = BatchScorer()
    calls: list[frozenset[str]] = []
    score = scorer.score

    def spy(batch, *, tasks=None, prior=None):  # type: ignore[no-untyped-def]
        calls.append(frozenset(tasks))
        return score(batch, tasks=tasks, prior=prior)

    monkeypatch.setattr(scorer, "score", spy)
    got = score_missing(scorer, posts, stored)
    # hostility, and its gated target for the posts the new version might now flag hostile
    assert calls
    assert set(calls) <= {frozenset({"hostility"}), frozenset({"hostility", "hostility_target"})}
    _assert_same_rows(got, cold[cold["task"] == "hostility"])


def test_stream_over_workers_equals_one_process() -> None:
    scorer = BatchScorer()
    batches = [make_posts(150, seed=s) for s in range(5)]
    alone = [rows for rows, _, _ in stream_scores(batches, scorer=scorer, workers=1)]
    forked = list(stream_scores(batches, scorer=scorer, workers=2))
    assert len(forked) == len(batches)
    for single, (rows, _pid, memory) in zip(alone, forked, strict=True):
        pd.testing.assert_frame_equal(single, rows)
        assert memory >= 0


def test_batch_scorer_skips_a_model_with_no_post_in_its_languages() -> None:
    posts = pd.DataFrame({"post_id": ["a", "b"], "text": ["good day", "hi"], "lang": ["en", "en"]})
    rows = BatchScorer().score(posts)
    assert "immigration_attitude" not in set(rows["task"])  # Swedish-only model
    assert set(rows.loc[rows["task"] == "hostility", "post_id"]) == {"a", "b"}


def test_a_second_pass_sends_no_post_to_any_scorer() -> None:
    """Every post a task's gate lets through gets a row of that task, so an incremental re-run
    (posts without a row of the active version) has nothing left to score: posts in languages a
    model does not cover (Somali for sentiment, English for the Swedish attitude model) are not
    sent again."""
    posts = _posts()
    posts.loc[posts.index[:5], "lang"] = "so"
    rows = BatchScorer().score(posts)
    versions = scoring.model_versions()
    lacking = scoring.missing_tasks(posts, rows, versions)
    assert lacking["sentiment"].sum() >= 5 and lacking["hostility_target"].any()
    due = scoring.due_tasks(posts, rows, versions)
    assert not due.to_numpy().any(), due.sum().to_dict()
    assert score_missing(BatchScorer(), posts, rows).empty
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

    (tmp_path / "registry.toml").write_text("[active]\n")  # a city folder activating nothing
    with pytest.raises(ModelError, match="no active version of 'toy'"):
        registry.model_languages("toy", models_dir=tmp_path)
    assert registry.model_languages("immigration_attitude", models_dir=tmp_path) == {"sv"}
    assert registry.model_languages("immigration_attitude") == {"sv"}
