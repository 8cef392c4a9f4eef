"""Stance templates of `immigration_attitude`: the stance is carried by the predicate, never by
the group or the frame, and no template sentence is a sentence the model is checked on."""

from __future__ import annotations

import ast
import gzip
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.audit import audit_groups, counterfactual_sentences, load_templates
from barometer.data import read_data_toml
from barometer.training.augment import augment_training
from barometer.training.config import AugmentConfig
from barometer.training.groups import training_groups
from barometer.training.templates import template_rows
from tests.conftest import shared_data

STANCE = {"stance_negative": 1.7, "stance_neutral": 3.0, "stance_positive": 4.2}
TESTS = Path(__file__).resolve().parent


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _test_strings(path: Path, function: str) -> list[str]:
    """The string literals (longer than 10 characters) of one test function, read from its
    source so the check follows the test as it is written."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function]
    assert found, f"{path.name} has no {function}"
    return [
        n.value
        for n in ast.walk(found[0])
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) > 10
    ]


def _sample_posts() -> list[str]:
    """The texts of the sample city's X pages (the published sample indicators rest on them);
    the pages the sample breaks on purpose, to test quarantine, are skipped."""
    texts = []
    for path in sorted((TESTS.parent / "barometer/data/sample/social").glob("x_*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                try:
                    page = json.loads(line, strict=False)
                except json.JSONDecodeError:
                    continue
                texts += [str(post.get("text", "")) for post in page.get("data", [])]
    return texts


def _checked_sentences() -> set[str]:
    """Every sentence a model is checked on: the known-answer posts (and each clause of them),
    the audit's sentences filled with audit and training groups, the functional suite, and the
    probes of the previous attempts' notes."""
    known = _test_strings(TESTS / "test_registry.py", "test_committed_models_score_obvious_posts")
    assert any("Invandringen har varit positiv" in s for s in known)
    clauses = [c for s in known for c in re.split(r",| och ", s)]
    templates, _ = load_templates()
    train = training_groups()
    train = train[train["group_type"] != "slur"].assign(adj=lambda t: t["adj_pl"].fillna(""))
    forms = train[["lang", "group_type", "plural", "singular", "adj"]]
    groups = pd.concat([audit_groups(None), forms.dropna(subset=["plural", "singular"])])
    audit = counterfactual_sentences(templates, groups)["text"].tolist()
    suite = pd.read_csv(
        Path(__file__).resolve().parents[1] / "barometer/data/functional/hostility_cases.csv"
    )["text"].tolist()
    fika = [f"Min granne är {g} och vi fikade idag" for g in train["singular"].dropna()]
    probes = ["Utvisa alla invandrare", "Invandringen har varit positiv för Sverige"]
    sample = _sample_posts()
    assert len(sample) > 1_000
    every = [*known, *clauses, *audit, *suite, *fika, *probes, *sample]
    return {_norm(s) for s in every if _norm(s)}


def test_no_stance_template_is_a_sentence_the_model_is_checked_on() -> None:
    rows = template_rows({**STANCE, "everyday": 3.0, "off_topic": 3.0}, ["sv"], seed=0, unseen=True)
    assert {"everyday", "off_topic"} <= set(rows["kind"])
    assert len(rows) > 10_000
    written = {_norm(t) for t in rows["text"]}
    checked = _checked_sentences()
    assert len(checked) > 1_000
    assert not written & checked, sorted(written & checked)[:5]
    # the check can fail: a known-answer clause planted as a template is caught
    assert _norm("Utvisa alla invandrare") in checked


def test_every_frame_subject_and_group_appears_in_every_polarity() -> None:
    section = read_data_toml("augmentation.toml", "augmentation templates")["sv"]
    rows = template_rows(STANCE, ["sv"], seed=0, unseen=True)
    kinds = set(STANCE)
    assert set(rows["kind"]) == kinds
    groups = rows[rows["group"] != ""].groupby("group")["kind"].agg(set)
    assert len(groups) >= 25 and (groups == kinds).all()
    assert "_unk_" in groups.index  # the unseen-word slot, in all three polarities
    slurs = training_groups()
    slurs = set(slurs.loc[(slurs["lang"] == "sv") & (slurs["group_type"] == "slur"), "group"])
    assert slurs and not slurs & set(groups.index)
    for frame in section["stance_frames"]:
        pattern = re.escape(frame).replace(r"\{subj\}", ".+").replace(r"\{pred\}", ".+")
        used = rows.loc[rows["text"].str.fullmatch(pattern), "kind"]
        assert set(used) == kinds, frame
    for subject in section["stance_subjects"]:
        if "{" not in subject:
            used = rows.loc[rows["text"].str.contains(rf"(?<!\w){subject}(?!\w)"), "kind"]
            assert set(used) == kinds, subject


def test_cap_per_template_draws_templates_without_a_slot_as_often_as_filled_ones() -> None:
    section = read_data_toml("augmentation.toml", "augmentation templates")["sv"]
    subjects = section["stance_subjects"]
    topics = sum("{" not in s for s in subjects)  # immigration as a topic: no group slot
    frames = len(section["stance_frames"])
    fixed = section["stance_negative"]
    compositional = frames * len(subjects) * len(section["negative_stance_predicates"])
    expected = (frames * topics * len(section["negative_stance_predicates"])
                + sum("{" not in t for t in fixed)) / (compositional + len(fixed))  # fmt: skip
    kind = {"stance_negative": 1.7}
    even = template_rows(kind, ["sv"], max_per_kind=600, seed=1, cap_per_template=True)
    plain = template_rows(kind, ["sv"], max_per_kind=600, seed=1)
    assert len(even) == len(plain) == 600  # few draws of many: close to the template shares
    slot_free = (even["group"] == "").mean()
    assert abs(slot_free - expected) < 0.05, (slot_free, expected)
    assert (plain["group"] == "").mean() < expected / 4  # a draw over sentences: filled ones win


def test_template_weight_sets_the_weight_of_each_template_sentence() -> None:
    train = pd.DataFrame({"text": ["Ett inlägg om vädret"], "lang": "sv", "label": "neutral",
                          "value": 3.0, "source": "x", "split": "train"})  # fmt: skip
    settings = AugmentConfig(templates={"stance_negative": 1.7}, languages=["sv"],
                             max_per_kind=50, template_weight=0.25, seed=2)  # fmt: skip
    out = augment_training(train, settings)
    assert len(out) == 51
    assert out["weight"].tolist() == [1.0] + [0.25] * 50
    assert (out["value"].iloc[1:] == 1.7).all()
    by_kind = settings.model_copy(update={
        "templates": {"stance_negative": 1.7, "off_topic": 3.0},
        "template_weight": {"stance_negative": 0.1},
    })  # fmt: skip
    out = augment_training(train, by_kind).iloc[1:]
    assert sorted(set(zip(out["value"], out["weight"], strict=True))) == [(1.7, 0.1), (3.0, 1.0)]


def test_center_on_dev_moves_dev_predictions_to_the_dev_gold_mean(tmp_path: Path) -> None:
    from barometer.locations import training_config
    from barometer.registry import load_model
    from barometer.training import train
    from barometer.training.config import load_training_config
    from barometer.training.data import load_training_rows

    root = shared_data("text", "absabank_imm").parents[1]
    small = ["data.max_rows_per_source=150", "cv.report=false", "calibration.cv_folds=3",
             "evaluation.n_boot=20", "augment.max_per_kind=100"]  # fmt: skip
    path = training_config("immigration_attitude")
    config = load_training_config(path, small).with_data(root=str(root))
    dev = load_training_rows(config)[0].query("split == 'dev'")
    preds = {}
    for name, extra in (("plain", []), ("centred", ["task.center_on=dev"])):
        train("immigration_attitude", path, small + extra, tmp_path, version=name, data_root=root)
        model = load_model("immigration_attitude", name, models_dir=tmp_path)
        preds[name] = model.predict_value(dev[["text", "lang"]])
    gold = dev["value"].mean()
    assert abs(preds["centred"].mean() - gold) < 1e-9
    shift = preds["centred"] - preds["plain"]  # the same model, every prediction moved alike
    np.testing.assert_allclose(shift, shift[0], atol=1e-9)
    assert abs(shift[0] - (gold - preds["plain"].mean())) < 1e-9
