"""Rumour catalogue matching: known answers, calibration reproduced, error paths."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.exceptions import InputError, LanguageMismatchError, SchemaError
from barometer.nlp.rumours import (
    MODEL_VERSION,
    RumourMatcher,
    calibrate_threshold,
    load_catalogue,
    split_sentences,
)
from barometer.schema import POST_SCORES, validate


@pytest.fixture(scope="module")
def matcher() -> RumourMatcher:
    return RumourMatcher().fit()


def test_catalogue_has_sv_en_and_counter_facts() -> None:
    catalogue = load_catalogue()
    assert {"sv", "en", "ar", "tr"} <= set(catalogue.statements["lang"])
    assert catalogue.rumours["rumour_id"].is_unique
    assert catalogue.rumours[["counter_facts_sv", "counter_facts_en"]].notna().all().all()
    assert {"benefits", "jobs", "crime", "housing", "integration"} <= set(
        catalogue.rumours["topic"]
    )
    kinds = catalogue.calibration["kind"].value_counts()
    assert kinds["positive"] >= 20 and kinds["near_miss"] >= 10 and kinds["negative"] >= 5


def test_known_matches(matcher: RumourMatcher) -> None:
    texts = [
        "Invandrarna tar våra jobb!!",
        "Fin dag i parken med barnen",
        "Bra konsert igår. Men ärligt, flyktingar får förtur till lägenheterna",
        "immigrants live on welfare and never pay taxes",
    ]
    labels = matcher.predict(texts, langs=["sv", "sv", "sv", "en"])
    assert labels.tolist() == [
        "jobs_taking_our_jobs",
        "none",
        "housing_priority",
        "benefits_live_off_welfare",
    ]


def test_calibrated_threshold_is_reproduced(matcher: RumourMatcher) -> None:
    table = calibrate_threshold(matcher)
    chosen = table[table["chosen"]].iloc[0]
    assert round(float(chosen["threshold"]), 3) == pytest.approx(matcher.threshold_, abs=1e-3)
    assert chosen["f1"] == table["f1"].max()
    at_precision = calibrate_threshold(matcher, min_precision=0.9)
    assert at_precision.loc[at_precision["chosen"], "precision"].iloc[0] >= 0.9


def test_score_posts_rows(matcher: RumourMatcher) -> None:
    posts = pd.DataFrame(
        {"post_id": ["p1", "p2", "p3"], "text": ["invandrare vill inte jobba", "hej", None],
         "lang": ["sv", "sv", "so"]}
    )  # fmt: skip
    rows = validate(matcher.score_posts(posts), POST_SCORES)
    assert rows["label"].tolist() == ["jobs_dont_want_to_work", "none", "none"]
    assert (rows["model_version"] == MODEL_VERSION).all() and (rows["task"] == "rumour").all()
    assert rows["probability"].between(0, 1).all()


def test_error_paths(matcher: RumourMatcher, tmp_path) -> None:
    with pytest.raises(SchemaError, match="missing"):
        matcher.score_posts(pd.DataFrame({"post_id": ["a"], "text": ["x"]}))
    with pytest.raises(LanguageMismatchError, match="one language per text"):
        matcher.similarity(["a", "b"], ["sv"])
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nthreshold = 0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="no statements"):
        RumourMatcher(catalogue_path=bad).fit()
    with pytest.raises(InputError, match="no threshold reaches precision"):
        calibrate_threshold(matcher, min_precision=1.01)


def test_split_sentences_keeps_every_text() -> None:
    sentences, owner = split_sentences(["a. b!", "", "c"])
    assert sentences == ["a", "b", "", "c"] and owner.tolist() == [0, 0, 1, 2]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_similarity_is_bounded(texts: list[str]) -> None:
    sims = RUMOURS.similarity(texts, ["sv"] * len(texts))
    assert sims.shape == (len(texts), len(RUMOURS.rumour_ids_))
    assert np.all((sims >= 0) & (sims <= 1 + 1e-9))


RUMOURS = RumourMatcher().fit()
