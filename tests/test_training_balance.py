"""Prior-equalising sample weights: every language and corpus gets the same class shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.nlp.classifiers import TextClassifier
from barometer.training.balance import prior_weights


def _weighted_share(frame: pd.DataFrame, weights: np.ndarray, keys: list[str]) -> pd.Series:
    pos = (frame["label"] == "h").astype(float) * weights
    return (
        pos.groupby([frame[k] for k in keys]).sum()
        / pd.Series(weights).groupby([frame[k] for k in keys]).sum()
    )


@settings(max_examples=50, deadline=None)
@given(
    counts=st.lists(st.tuples(st.integers(1, 40), st.integers(1, 40)), min_size=1, max_size=5),
    prior=st.floats(0.05, 0.95),
)
def test_every_group_gets_the_prior_share_and_weights_average_one(
    counts: list[tuple[int, int]], prior: float
) -> None:
    rows = []
    for g, (pos, neg) in enumerate(counts):
        rows += [("h", f"l{g}", "s")] * pos + [("n", f"l{g}", "s")] * neg
    frame = pd.DataFrame(rows, columns=["label", "lang", "source"])
    weights, unbalanced = prior_weights(frame, positive="h", prior=prior, weight=None)
    assert unbalanced == []
    assert weights.mean() == pytest.approx(1.0)
    shares = _weighted_share(frame, weights, ["lang", "source"])
    assert np.allclose(shares.to_numpy(), prior)
    # each group keeps its total mass (its row count), so no language is up- or down-weighted
    mass = pd.Series(weights).groupby(frame["lang"]).sum()
    assert np.allclose(mass.to_numpy() / mass.sum(), frame["lang"].value_counts(sort=False)
                       .reindex(mass.index).to_numpy() / len(frame))  # fmt: skip


def test_one_class_corpus_is_pooled_with_its_languages_templates_and_capped() -> None:
    frame = pd.DataFrame(
        {
            "label": ["n"] * 100 + ["h"] * 5 + ["n"] * 5 + ["n"] * 7,
            "lang": ["sv"] * 110 + ["da"] * 7,
            "source": ["corpus"] * 100 + ["augment"] * 10 + ["dk"] * 7,
        }
    )
    weights, unbalanced = prior_weights(frame, positive="h", prior=0.5, weight=None,
                                        max_pooled=20.0)  # fmt: skip
    assert unbalanced == ["da:dk"]  # one class, no templates in that language to pool with
    sv = frame["lang"] == "sv"
    share = weights[sv & (frame["label"] == "h")].sum() / weights[sv].sum()
    assert share == pytest.approx(0.5)
    # the 100-row corpus counts as 20 rows: its weight is a fifth of the template negatives'
    corpus = weights[(frame["source"] == "corpus").to_numpy()]
    negatives = weights[((frame["source"] == "augment") & (frame["label"] == "n")).to_numpy()]
    assert corpus[0] / negatives[0] == pytest.approx(0.2)


def test_incoming_weights_are_kept_within_a_class() -> None:
    frame = pd.DataFrame({"label": ["h", "h", "n", "n"], "lang": "en", "source": "x",
                          "weight": [1.0, 0.5, 1.0, 1.0]})  # fmt: skip
    weights, _ = prior_weights(frame, positive="h", prior=0.5)
    assert weights[0] / weights[1] == pytest.approx(2.0)
    assert weights[2] == pytest.approx(weights[3])


def test_bad_prior_is_refused() -> None:
    frame = pd.DataFrame({"label": ["h"], "lang": ["en"], "source": ["x"]})
    with pytest.raises(ValueError, match="prior"):
        prior_weights(frame, positive="h", prior=1.0)


def test_balancing_removes_the_base_rate_a_language_marker_learns() -> None:
    """Planted truth: hostile texts say "bad" seven times in ten, other texts never; language
    B's corpus has five times language A's base rate and every B text carries a marker word.
    Unbalanced, the marker learns B's base rate and the same neutral text scores higher in B;
    with equal priors per language the two score alike."""
    rng = np.random.default_rng(0)
    texts, langs, labels = [], [], []
    for lang, rate, marker in (("aa", 0.1, "alpha"), ("bb", 0.5, "beta")):
        for _ in range(1000):
            hostile = rng.random() < rate
            filler = " ".join(rng.choice(["one", "two", "three", "four", "five"], size=3))
            says_bad = hostile and rng.random() < 0.7
            texts.append(f"{marker} {filler} {'bad' if says_bad else 'fine'}")
            langs.append(lang)
            labels.append("h" if hostile else "n")
    frame = pd.DataFrame({"text": texts, "lang": langs, "label": labels, "source": "c"})

    def gap(weights: np.ndarray | None) -> float:
        clf = TextClassifier(cv=3, n_features=2**12, char_ngram_range=(0, 0), lang_feature=False,
                             classifier="logistic", C=10.0)  # fmt: skip
        clf.fit(frame[["text", "lang"]], frame["label"], sample_weight=weights)
        p = clf.predict_proba(["alpha two one fine", "beta two one fine"], ["aa", "bb"])[:, 0]
        return float(p[1] - p[0])

    weights, _ = prior_weights(frame, positive="h", prior=0.3, weight=None)
    unbalanced, balanced = gap(None), gap(weights)
    assert unbalanced > 0.06
    assert abs(balanced) < unbalanced / 3
