"""Counterfactual augmentation: group-term swaps, templates, spelling variants, context, and the
audit's group list being disjoint from every training list."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from barometer.audit import audit_groups, counterfactual_sentences, load_templates
from barometer.training.augment import augment_training, sentence_rows, swap_group_terms
from barometer.training.config import AugmentConfig
from barometer.training.groups import training_forms, training_groups
from barometer.training.templates import spelling_variants, template_rows, with_context
from tests.conftest import shared_data

KINDS = {"hostile": "hostile", "benign": "not_hostile", "positive": "not_hostile",
         "negated": "not_hostile",
         "counter": "not_hostile", "untargeted": "not_hostile"}  # fmt: skip


def test_audit_groups_are_disjoint_from_every_training_form() -> None:
    root = shared_data()
    used = {form for _, form in training_forms(shared_data=root)}
    audit = audit_groups(root)
    forms = set(audit[["plural", "singular", "adj"]].stack().str.lower())
    assert not forms & used
    # and the audit still covers every language it has templates for, with many groups
    templates, _ = load_templates()
    counts = audit["lang"].value_counts()
    for lang in templates["lang"].unique():
        assert counts.get(lang, 0) >= 8, lang
    # the training list keeps the groups most named in the debate (they are swapped, not audited)
    train = training_groups(shared_data=root)
    assert {"muslimer", "somalier", "flyktingar"} <= set(train.loc[train["lang"] == "sv", "plural"])
    assert not {"muslimer", "somalier", "flyktingar"} & set(audit["plural"])


def test_packaged_audit_groups_without_shared_data_are_disjoint_too() -> None:
    used = {form for _, form in training_forms()}
    audit = audit_groups(None)
    assert not set(audit[["plural", "singular", "adj"]].stack().str.lower()) & used
    sentences = counterfactual_sentences(load_templates()[0], audit)
    assert sentences.groupby("template_id")["group"].nunique().min() >= 2


def test_swaps_replace_the_group_in_the_same_form_and_keep_the_label() -> None:
    frame = pd.DataFrame(
        {"text": ["Muslimerna i Fittja ordnade fest", "Vädret är fint", "Somaliska familjer"],
         "lang": ["sv", "sv", "sv"], "label": ["not_hostile", "not_hostile", "hostile"],
         "source": "x", "split": "train"}
    )  # fmt: skip
    copies = swap_group_terms(frame, 3, seed=1)
    assert copies["swap_of"].tolist() == [0, 0, 0, 2, 2, 2]  # no copy of the text without a group
    table = training_groups()
    sv = table[(table["lang"] == "sv") & (table["group_type"] != "slur")]
    for text in copies.loc[copies["swap_of"] == 0, "text"]:
        group = text.split(" ")[0]
        assert group in set(sv["plural_def"].str.capitalize()) and group != "Muslimerna"
        assert text.endswith(" i Fittja ordnade fest")
    for text in copies.loc[copies["swap_of"] == 2, "text"]:
        assert text.split(" ")[0].lower() in set(sv["adj_pl"].dropna()) | set(sv["plural"])
    assert (copies["label"] == frame.loc[copies["swap_of"], "label"].to_numpy()).all()
    # seeded: the same copies again
    assert copies.equals(swap_group_terms(frame, 3, seed=1))


def test_swapped_texts_share_their_original_weight() -> None:
    frame = pd.DataFrame(
        {"text": ["I met Somalis today", "nice weather"], "lang": "en",
         "label": ["not_hostile"] * 2, "source": "x", "split": "train"}
    )  # fmt: skip
    out = augment_training(frame, AugmentConfig(swaps=2, seed=0))
    assert len(out) == 4
    assert out["weight"].sum() == pytest.approx(2.0)
    assert out.loc[out["text"] == "nice weather", "weight"].item() == 1.0


def test_templates_fill_every_group_equally_and_slurs_only_hostile_or_counter() -> None:
    rows = template_rows(KINDS, ["sv", "en"], compositional=False)
    groups = training_groups()
    slurs = set(groups.loc[groups["group_type"] == "slur", "group"])
    assert set(rows.loc[rows["group"].isin(slurs), "kind"]) == {"hostile", "counter"}
    assert set(rows.loc[rows["kind"] == "hostile", "label"]) == {"hostile"}
    assert set(rows.loc[rows["kind"] != "hostile", "label"]) == {"not_hostile"}
    benign = rows[(rows["kind"] == "benign") & (rows["lang"] == "en")]
    per_group = benign.groupby("group").size()
    # every group fills every benign template whose slots it has (adjective-less ones fewer)
    assert per_group.max() - per_group.min() <= 3
    assert not rows["text"].str.contains(r"\{|\}").any()


def test_compositional_templates_and_caps() -> None:
    rows = template_rows(KINDS, ["en"], max_per_kind={"hostile": 500, "counter": 50}, seed=3)
    counts = rows["kind"].value_counts()
    assert counts["hostile"] == 500 and counts["counter"] == 50
    assert counts["benign"] > 500  # no cap for benign: all frames x predicates x groups
    again = template_rows(KINDS, ["en"], max_per_kind={"hostile": 500, "counter": 50}, seed=3)
    assert rows.equals(again)
    numeric = template_rows({"benign": 3.0}, ["sv"], compositional=False)
    assert "value" in numeric.columns and (numeric["value"] == 3.0).all()


def test_spelling_variants_change_one_word_of_the_chosen_share() -> None:
    texts = ["somalier borde utvisas från landet"] * 400
    out = spelling_variants(texts, 0.25, seed=5)
    changed = [o for o in out if o != texts[0]]
    assert 60 < len(changed) < 140
    assert out == spelling_variants(texts, 0.25, seed=5)
    for text in changed:
        before, after = texts[0].split(" "), text.split(" ")
        if len(after) == len(before):  # one word obfuscated in place
            assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
        else:  # a space inside one word
            assert text.replace(" ", "") == texts[0].replace(" ", "")


def test_sentences_and_context() -> None:
    frame = pd.DataFrame({"text": ["Första meningen är här. Andra meningen är också lång! Kort."],
                          "lang": ["sv"], "label": ["not_hostile"]})  # fmt: skip
    split = sentence_rows(frame)
    assert split["text"].tolist() == ["Första meningen är här.", "Andra meningen är också lång!"]
    out = with_context(["a", "b", "c", "d"] * 50, ["sv"] * 200, {"sv": ["KONTEXT"]}, 0.5, seed=2)
    joined = [t for t in out if "KONTEXT" in t]
    assert 60 < len(joined) < 140
    assert all(re.fullmatch(r"[abcd]\. KONTEXT|KONTEXT [abcd]", t) for t in joined)


def test_groups_the_corpora_name_often_are_swapped_not_audited() -> None:
    """The rule of training_groups.toml: a group named in 10 or more training texts of its language
    is a training group, so the audit only holds groups whose names the model cannot have
    learnt a label for from the corpora."""
    root = shared_data()
    from barometer.training.corpora import load_corpora

    corpora = load_corpora(["davidson2017", "mlma", "offenseval2020_tr", "absabank_imm"], root)
    train = corpora[corpora["split"] == "train"]
    for row in audit_groups(root).itertuples():
        forms = {str(f).lower() for f in (row.plural, row.singular, row.adj) if f}
        pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)"
        named = train.loc[train["lang"] == row.lang, "text"].str.lower().str.contains(pattern)
        assert named.sum() < 10, (row.lang, row.plural, int(named.sum()))


def test_unseen_slot_fills_hostile_and_benign_templates_and_swaps() -> None:
    from barometer.nlp.text_features import UNSEEN_WORD
    from barometer.training.groups import unseen_groups

    shapes = unseen_groups(training_groups())
    assert set(shapes["group_type"]) == {"unseen"}
    # every shape names the placeholder in place of the group's first word, nothing else
    for form in shapes["plural"]:
        assert form.split()[0].startswith(UNSEEN_WORD)
    en = shapes[shapes["lang"] == "en"]
    assert {"a _unk_", "an _unk_"} <= set(en["a_singular"])
    assert "_unk_ people" in set(en["plural"])
    rows = template_rows(KINDS, ["en", "sv"], max_per_kind=0, seed=0, unseen=True)
    unk = rows[rows["text"].str.contains(UNSEEN_WORD, regex=False)]
    for lang in ("en", "sv"):
        kinds = set(unk.loc[unk["lang"] == lang, "kind"])
        assert {"hostile", "benign", "counter"} <= kinds
    assert not template_rows(KINDS, ["en"], seed=0)["text"].str.contains(UNSEEN_WORD).any()
    frame = pd.DataFrame({"text": ["I hate Somalis"] * 3, "lang": "en", "label": "hostile"})
    swapped = swap_group_terms(frame, 40, seed=3, unseen=True)
    assert swapped["text"].str.contains(f"I hate {UNSEEN_WORD}", regex=False).any()
    assert not swap_group_terms(frame, 40, seed=3)["text"].str.contains(UNSEEN_WORD).any()
