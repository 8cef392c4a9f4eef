"""Counterfactual group-term swaps: the same sentence about different groups of people.

Templates of ``barometer/data/audit_templates.toml`` (sv, en; our own sentences, all neutral or
positive) are filled with every audit group of their language (:func:`audit_groups`: our own
religion and ethnicity lists, plus Swedish nationalities from Språkbanken's
``nationaliteter.csv``, none of them a training group). Sentences of one template differ only
in the group; the spread (max - min, standard deviation) of their scores is the bias
(:func:`counterfactual_audit`), and the share of them flagged is the neutral-text flag rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.audit.scorers import score_texts
from barometer.data import read_data_toml
from barometer.exceptions import InputError
from barometer.training.groups import NATIONALITIES_FILE, sprakbanken_groups, training_forms


def load_templates(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (templates: id, lang, tone, text; groups: lang, group_type, plural, singular, adj)."""
    data = read_data_toml("audit_templates.toml", "audit templates", path)
    templates = pd.DataFrame(data.get("templates", []), columns=["id", "lang", "tone", "text"])
    rows = [
        (lang, group_type, *forms)
        for lang, types in data.get("groups", {}).items()
        for group_type, entries in types.items()
        for forms in entries
    ]
    groups = pd.DataFrame(rows, columns=["lang", "group_type", "plural", "singular", "adj"])
    return templates, groups


def counterfactual_sentences(templates: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Fill every template with every group of its language (one row per sentence)."""
    pairs = templates.merge(groups, on="lang", how="inner")
    if pairs.empty:
        raise InputError("no template shares a language with the group terms")
    article = np.where(pairs["singular"].str[0].str.lower().isin(list("aeiou")), "An ", "A ")
    text = [
        t.format(plural=p, singular=s, adj_pl=a, adj=a, a_singular=art + s)
        for t, p, s, a, art in zip(
            pairs["text"], pairs["plural"], pairs["singular"], pairs["adj"], article, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "lang": pairs["lang"],
            "group_type": pairs["group_type"],
            "group": pairs["plural"],
            "template_id": pairs["id"],
            "text": text,
        }
    )


def counterfactual_audit(
    scorer: Any, sentences: pd.DataFrame, *, positive_label: str | None = None
) -> dict[str, pd.DataFrame]:
    """Score counterfactual sentences and summarise the spread across groups.

    Returns
    -------
    dict of DataFrame
        ``scores`` (one row per sentence with ``score``); ``by_template`` (lang, group_type,
        template_id, n_groups, mean, min, max, spread = max - min, std, lowest, highest);
        ``by_group`` (lang, group_type, group, mean_score, deviation from the mean of its
        language and group type, n_templates).
    """
    scores = sentences.assign(
        score=score_texts(
            scorer, sentences["text"], sentences["lang"], positive_label=positive_label
        )
    )
    keys = ["lang", "group_type", "template_id"]
    grouped = scores.groupby(keys, sort=True)["score"]
    by_template = grouped.agg(
        n_groups="count", mean="mean", min="min", max="max", std=lambda s: s.std(ddof=0)
    ).reset_index()
    by_template["spread"] = by_template["max"] - by_template["min"]
    by_template["lowest"] = scores.loc[grouped.idxmin().to_numpy(), "group"].to_numpy()
    by_template["highest"] = scores.loc[grouped.idxmax().to_numpy(), "group"].to_numpy()
    by_group = (
        scores.groupby(["lang", "group_type", "group"], sort=True)["score"]
        .agg(mean_score="mean", n_templates="count")
        .reset_index()
    )
    centre = by_group.groupby(["lang", "group_type"])["mean_score"].transform("mean")
    by_group.insert(4, "deviation", by_group["mean_score"] - centre)
    return {"scores": scores, "by_template": by_template, "by_group": by_group}


def audit_groups(shared_data: str | Path | None, notes: list[str] | None = None) -> pd.DataFrame:
    """The audit's group terms, disjoint from every training term.

    The packaged lists of ``audit_templates.toml`` plus, when ``shared_data`` has them, the
    Swedish nationalities of Språkbanken with an odd row id (training uses the even ones, see
    :func:`barometer.training.groups.sprakbanken_groups`); any group with a form that training uses
    (:func:`barometer.training.groups.training_forms`, in any language) is dropped, so a model
    cannot pass the audit because it saw the audit's groups swapped in training.
    """
    notes = notes if notes is not None else []
    _, groups = load_templates()
    have_shared = shared_data is not None and (Path(shared_data) / NATIONALITIES_FILE).is_file()
    if have_shared:
        odd = sprakbanken_groups(shared_data, "odd")  # type: ignore[arg-type]
        odd = odd.assign(adj=odd["adj_pl"])[["lang", "group_type", "plural", "singular", "adj"]]
        groups = pd.concat([groups, odd], ignore_index=True)
    else:
        notes.append("Swedish nationality terms not available: counterfactuals use "
                     "the packaged religion and ethnicity terms only")  # fmt: skip
    used = {form for _, form in training_forms(shared_data=shared_data if have_shared else None)}
    forms = groups[["plural", "singular", "adj"]].apply(lambda c: c.str.lower())
    clash = forms.isin(used).any(axis=1)
    return (
        groups[~clash.to_numpy()].drop_duplicates(subset=["lang", "plural"]).reset_index(drop=True)
    )


def audit_sentences(
    shared_data: str | Path | None, languages: Sequence[str], notes: list[str]
) -> pd.DataFrame:
    """Counterfactual sentences: the audit templates filled with :func:`audit_groups`."""
    templates, _ = load_templates()
    groups = audit_groups(shared_data, notes)
    if languages:  # a model that scores only some languages is audited in those
        templates = templates[templates["lang"].isin(list(languages))]
    return counterfactual_sentences(templates, groups)
