"""Annotation sampling and agreement, checked against sklearn and Krippendorff (2011)."""

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from barometer.annotation import (
    agreement,
    allocate,
    cohen_kappa,
    krippendorff_alpha,
    sample_for_annotation,
    uncertainty_from_scores,
)
from barometer.exceptions import EstimationError, InputError

NA = np.nan
#: Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C:
#: 4 observers (rows) x 12 units (columns), values 1..5, missing data.
RELIABILITY_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_reproduces_krippendorff_2011(level: str, published: float) -> None:
    assert round(krippendorff_alpha(RELIABILITY_DATA, level=level), 3) == published  # type: ignore[arg-type]


def test_kappa_known_answers() -> None:
    # 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    # 3 ordered categories, table [[2, 1, 0], [0, 2, 1], [0, 0, 2]]: linear weights give
    # observed disagreement 2/8 and expected 7/8, so kappa = 1 - 2/7
    first = [0, 0, 0, 1, 1, 1, 2, 2]
    second = [0, 0, 1, 1, 1, 2, 2, 2]
    assert cohen_kappa(first, second, weights="linear") == pytest.approx(5 / 7)
    assert cohen_kappa(first, second) == cohen_kappa_score(first, second)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=8, max_size=8),
        min_size=2, max_size=4,
    ),
    st.sampled_from(["nominal", "ordinal", "interval", "ratio"]),
)  # fmt: skip
def test_alpha_equals_the_krippendorff_package(rows: list[list[int | None]], level: str) -> None:
    table = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    try:
        ours = krippendorff_alpha(table, level=level)  # type: ignore[arg-type]
    except EstimationError:
        return  # no pairable unit, or no variation: 0 / 0 (the package raises or gives NaN)
    theirs = krippendorff.alpha(reliability_data=table, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_kappa_ignores_missing_pairs() -> None:
    a = ["x", "y", None, "x", "y"]
    b = ["x", "y", "x", np.nan, "x"]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(["x", "y", "y"], ["x", "y", "x"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from("abcd"), min_size=2, max_size=30), st.integers(2, 4))
def test_alpha_is_one_for_perfect_agreement(labels: list[str], coders: int) -> None:
    if len(set(labels)) < 2:
        with pytest.raises(EstimationError, match="identical"):
            krippendorff_alpha([labels] * coders)
    else:
        assert krippendorff_alpha([labels] * coders) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=3, max_size=40))
def test_kappa_invariant_to_label_renaming(pairs: list[tuple[str, str]]) -> None:
    a, b = zip(*pairs, strict=True)
    rename = {"a": "zz", "b": "aa", "c": "mm"}
    try:
        original = cohen_kappa(a, b)
    except EstimationError:
        return
    assert cohen_kappa([rename[x] for x in a], [rename[x] for x in b]) == pytest.approx(original)


def test_agreement_table() -> None:
    labels = pd.DataFrame(np.array(RELIABILITY_DATA).T, columns=["A", "B", "C", "D"])
    table = agreement(labels)
    assert table.iloc[0]["value"] == pytest.approx(0.743, abs=5e-4)
    assert len(table) == 1 + 6


def test_agreement_error_paths() -> None:
    with pytest.raises(EstimationError, match="two or more coders"):
        krippendorff_alpha([[1, NA], [NA, 2]])
    with pytest.raises(InputError, match="level must be"):
        krippendorff_alpha(RELIABILITY_DATA, level="cardinal")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="equal length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(EstimationError, match="single category"):
        cohen_kappa(["a", "a"], ["a", "a"])
    with pytest.raises(InputError, match="two annotator columns"):
        agreement(pd.DataFrame({"A": [1]}))


def _posts(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "text": [f"post {i} mail me at anna@example.org" for i in range(n)],
            "lang": rng.choice(["sv", "en", "ar"], n, p=[0.6, 0.3, 0.1]),
            "neighbourhood_id": rng.choice(["alby", "fittja", "tumba", "hallunda"], n),
        }
    )


def test_uncertainty_binary_and_multiclass() -> None:
    scores = pd.DataFrame(
        {
            "post_id": ["a", "b", "c", "c", "d", "d"],
            "task": "hostility",
            "model_version": "v",
            "label": ["hostile", "hostile", "x", "y", "x", "y"],
            "probability": [0.5, 0.9, 0.5, 0.5, 1.0, 0.0],
        }
    )
    u = uncertainty_from_scores(scores)
    assert u.to_dict() == pytest.approx({"a": 1.0, "b": 0.2, "c": 1.0, "d": 0.0})


def test_sample_mixes_uncertainty_and_strata() -> None:
    posts = _posts()
    uncertainty = pd.Series(np.linspace(0, 1, len(posts)), index=posts["post_id"])
    sample = sample_for_annotation(posts, 100, uncertainty=uncertainty, uncertain_share=0.3)
    assert len(sample) == 100 and sample["post_id"].is_unique
    top = sample[sample["sample_reason"] == "uncertainty"]
    assert len(top) == 30 and set(top["post_id"]) == {f"p{i}" for i in range(370, 400)}
    strat = sample[sample["sample_reason"] == "stratified"]
    assert strat.groupby(["neighbourhood_id", "lang"]).size().min() >= 1
    assert not sample["text"].str.contains("@example.org").any()
    assert {"label", "annotator", "comment"} <= set(sample.columns)
    again = sample_for_annotation(posts, 100, uncertainty=uncertainty, uncertain_share=0.3)
    pd.testing.assert_frame_equal(sample, again)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=8), st.integers(0, 120))
def test_allocation_sums_and_caps(sizes: list[int], n: int) -> None:
    series = pd.Series(sizes, index=[f"s{i}" for i in range(len(sizes))])
    alloc = allocate(series, n)
    assert alloc.sum() == min(n, sum(sizes))
    assert (alloc <= series[series > 0]).all()


def test_sample_error_paths() -> None:
    with pytest.raises(InputError, match="missing"):
        sample_for_annotation(pd.DataFrame({"post_id": ["a"]}), 1)
    with pytest.raises(InputError, match="uncertain_share"):
        sample_for_annotation(_posts(10), 5, uncertain_share=2.0)
    with pytest.raises(InputError, match="allocation must be"):
        sample_for_annotation(_posts(10), 5, allocation="random")


def test_cli_sample_and_agreement(tmp_path) -> None:
    from typer.testing import CliRunner

    from barometer.cli import app

    posts = tmp_path / "posts.csv"
    _posts(60).to_csv(posts, index=False)
    scores = tmp_path / "scores.csv"
    pd.DataFrame({"post_id": [f"p{i}" for i in range(60)], "task": "hostility",
                  "model_version": "v", "label": "hostile",
                  "probability": np.linspace(0, 1, 60)}).to_csv(scores, index=False)  # fmt: skip
    out = tmp_path / "to_label.csv"
    args = ["sample-for-annotation", "--out", str(out), "--posts", str(posts),
            "--scores", str(scores), "--n", "20"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert len(written) == 20 and (written["sample_reason"] == "uncertainty").sum() == 10
    labelled = tmp_path / "labelled.csv"
    coders = ["label_a", "label_b", "label_c", "label_d"]
    pd.DataFrame(np.array(RELIABILITY_DATA).T, columns=coders).to_csv(labelled, index=False)
    result = CliRunner().invoke(app, ["agreement", str(labelled), "--level", "interval"])
    assert result.exit_code == 0 and "0.849" in result.output
    bad = CliRunner().invoke(app, ["agreement", str(labelled), "--columns", "label_x"])
    assert bad.exit_code == 1 and "label_x" in bad.output


def test_posts_without_a_neighbourhood_form_their_own_stratum() -> None:
    posts = _posts(200).astype({"neighbourhood_id": "string"})
    posts.loc[posts.index[:80], "neighbourhood_id"] = pd.NA  # 40 % not geolocated, as in X data
    sample = sample_for_annotation(posts, 50, allocation="equal", seed=1)
    assert len(sample) == 50 and sample["post_id"].is_unique
    assert sample["neighbourhood_id"].isna().sum() > 0  # the unassigned stratum is sampled


def test_cli_sample_for_a_rule_based_task_is_stratified_only(tmp_path) -> None:
    from typer.testing import CliRunner

    from barometer.cli import app

    posts = tmp_path / "posts.csv"
    _posts(60).to_csv(posts, index=False)
    scores = tmp_path / "scores.csv"
    pd.DataFrame({"post_id": [f"p{i}" for i in range(60)], "task": "sentiment",
                  "model_version": "lexicon", "label": "neutral",
                  "probability": np.nan}).to_csv(scores, index=False)  # fmt: skip
    out = tmp_path / "to_label.csv"
    args = ["sample-for-annotation", "--out", str(out), "--posts", str(posts),
            "--scores", str(scores), "--task", "sentiment", "--n", "20"]  # fmt: skip
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "the sample is stratified only" in result.output
    assert (pd.read_csv(out)["sample_reason"] == "stratified").all()
