"""Counterfactual augmentation of training data: group-term swaps, templates, spelling variants.

A classifier trained on posts where some groups are named mostly in hostile (or mostly in
anti-immigration) texts learns the group name itself as evidence. Three augmentations, all
seeded, all applied to training rows only (test splits are never touched):

* :func:`swap_group_terms`: each training text that names a group of the training term list
  (``barometer/data/training_groups.toml``, :mod:`barometer.training.groups`) gets ``k`` copies
  with the group replaced by another group of its language (same grammatical form), keeping the
  label; the original and its copies share the original's weight, so every group appears with
  the same label mix.
* template sentences (:func:`~barometer.training.templates.template_rows`): the sentences of
  ``barometer/data/augmentation.toml`` filled with every training group: hostile statements
  (derogation, dehumanisation, threats, exclusion, slurs), benign mentions, negated hate,
  counter-speech and profanity without a group target, each with the label its kind teaches.
* spelling variants (:func:`~barometer.training.templates.spelling_variants`): a share of the
  template sentences (hostile and benign alike, so the noise carries no label) gets one
  obfuscated word (``musl1mer``, ``j*vla``, ``haaate``).

The training term list is disjoint from the audit's
(:func:`barometer.audit.counterfactual.audit_groups` drops every audit term that is a training
form), so an audit cannot pass by construction. :func:`augment_training` applies the
``[augment]`` table of a training config.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.training.config import AugmentConfig
from barometer.training.groups import training_groups, unseen_groups
from barometer.training.templates import spelling_variants, template_rows, with_context


def _key(word: str) -> str:
    """Case-insensitive key of a word (Turkish dotted capital I lower-cases without its dot)."""
    return word.lower().replace("\u0307", "")


def _swap_pattern(
    lang: str, table: pd.DataFrame
) -> tuple[re.Pattern[str], dict[str, tuple[int, str]]]:
    """A regex of every non-slur form of ``lang`` and form key -> (group row, slot)."""
    slots = [c for c in table.columns if c not in ("lang", "group_type", "group")]
    lookup: dict[str, tuple[int, str]] = {}
    for i, row in enumerate(table.to_dict("records")):
        for slot in slots:
            value = row.get(slot)
            if isinstance(value, str) and value:
                lookup.setdefault(_key(value), (i, slot))
    alternatives = sorted(lookup, key=len, reverse=True)
    pattern = r"(?<!\w)(" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)"
    return re.compile(pattern, re.IGNORECASE), lookup


class _Swap:
    """The replacement of one group-term match by the same form of its target group."""

    def __init__(
        self,
        lookup: dict[str, tuple[int, str]],
        records: list[dict[str, Any]],
        targets: dict[int, int],
        first_slot: str,
    ) -> None:
        self.lookup, self.records, self.targets = lookup, records, targets
        self.first_slot = first_slot

    def __call__(self, match: re.Match[str]) -> str:
        found = match.group(0)
        if _key(found) not in self.lookup:
            return found
        source, slot = self.lookup[_key(found)]
        target = self.records[self.targets[source]]
        word = str(target.get(slot) or target[self.first_slot])
        return word[:1].upper() + word[1:] if found[:1].isupper() else word


def swap_group_terms(
    frame: pd.DataFrame,
    k: int,
    *,
    seed: int,
    shared_data: str | Path | None = None,
    unseen: bool = False,
) -> pd.DataFrame:
    """``k`` counterfactual copies of every row of ``frame`` whose text names a training group.

    Each copy maps every group named in the text to another group of the same language (drawn
    with ``seed``, a different one per copy where possible) in the same grammatical form (the
    plural when the target group lacks that form). Copies keep every other column, and get
    ``swap_of`` = the original's index; rows without a group term give no copy. With
    ``unseen``, the placeholder groups of :func:`~barometer.training.groups.unseen_groups` are
    swap targets as well.
    """
    if k <= 0 or frame.empty:
        return frame.iloc[0:0].assign(swap_of=pd.Series(dtype="int64"))
    rng = np.random.default_rng(seed)
    groups = training_groups(shared_data=shared_data)
    groups = groups[groups["group_type"] != "slur"]
    if unseen:  # one article per shape: a swap keeps the text's own article
        extra = unseen_groups(groups).drop(columns="a_singular", errors="ignore")
        groups = pd.concat([groups, extra.drop_duplicates()], ignore_index=True)
    copies = []
    for lang, part in frame.groupby("lang", sort=True):
        table = groups[groups["lang"] == lang].reset_index(drop=True)
        if len(table) < 2:
            continue
        pattern, lookup = _swap_pattern(str(lang), table)
        records = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
        first_slot = str(table.columns[3])  # lang, group_type, group, then the forms
        for index, text in part["text"].items():
            found = {lookup[_key(m)][0] for m in pattern.findall(str(text)) if _key(m) in lookup}
            if not found:
                continue
            others = [i for i in range(len(records)) if i not in found]
            for copy in range(k):
                targets = {g: int(rng.choice(others or range(len(records)))) for g in found}
                swap = _Swap(lookup, records, targets, first_slot)
                new = pattern.sub(swap, str(text))
                row = {str(c): v for c, v in part.loc[[index]].iloc[0].items()}
                copies.append({**row, "text": new, "swap_of": index, "_copy": copy})
    if not copies:
        return frame.iloc[0:0].assign(swap_of=pd.Series(dtype="int64"))
    return pd.DataFrame(copies).drop(columns="_copy")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_rows(frame: pd.DataFrame, *, min_chars: int = 20) -> pd.DataFrame:
    """The sentences (at least ``min_chars`` long) of every row, each a row with the same
    columns; for corpora of long paragraphs whose label holds for every sentence (a paragraph
    that is not hostile has no hostile sentence), so a model also sees post-length texts."""
    rows = []
    for record in frame.to_dict("records"):
        for sentence in _SENTENCE_END.split(str(record["text"])):
            if len(sentence.strip()) >= min_chars:
                rows.append({**record, "text": sentence.strip()})
    return pd.DataFrame(rows, columns=frame.columns)


def augment_training(
    train: pd.DataFrame, settings: AugmentConfig, *, shared_data: str | Path | None = None
) -> pd.DataFrame:
    """Training rows plus their augmentation, with a ``weight`` column (1 for original rows
    without a swap; an original and its ``swaps`` copies share 1).

    ``settings`` is the ``[augment]`` table of a training config: ``templates`` (kind ->
    label, see :func:`~barometer.training.templates.template_rows`), ``languages``,
    ``compositional``, ``max_per_kind``, ``pseudo_groups`` (made-up group names per language),
    ``unseen_groups`` (the placeholder of unseen words in the group slot of templates and swaps),
    ``cap_per_template`` (``max_per_kind`` drawn evenly over templates), ``template_weight``
    (the weight of each template sentence, or kind -> weight with 1 for kinds not named; a
    corpus text and its swaps share 1),
    ``context_share`` and ``context_label`` (:func:`~barometer.training.templates.with_context`,
    contexts from the training rows of that label), ``swaps`` (copies per text that names a
    group), ``spelling_share``, ``seed`` and ``sentences_of`` (sources whose paragraphs are
    split into sentences, :func:`sentence_rows`); with ``sprakbanken = true``, the even rows of
    Språkbanken's Swedish nationalities (in ``shared_data``) join the training groups.
    """
    if not settings.sprakbanken:
        shared_data = None
    base = train.reset_index(drop=True)
    split = base["source"].isin(list(settings.sentences_of))
    if split.any():  # paragraphs whose label holds per sentence: their sentences instead
        base = pd.concat([base[~split], sentence_rows(base[split])], ignore_index=True)
    base = base.assign(weight=1.0)
    k = settings.swaps
    copies = swap_group_terms(
        base, k, seed=settings.seed, shared_data=shared_data, unseen=settings.unseen_groups
    )
    if len(copies):
        swapped = base.index.isin(copies["swap_of"].unique())
        base.loc[swapped, "weight"] = 1.0 / (k + 1)
        copies = copies.assign(weight=1.0 / (k + 1)).drop(columns="swap_of")
    parts = [base, copies] if len(copies) else [base]
    if settings.templates:
        extra = _template_part(base, settings, shared_data)
        if "value" in extra.columns and "value" in train.columns:
            extra["label"] = None  # filled by the caller from the numeric bins
        weight = settings.template_weight
        weights = (
            extra["kind"].map(lambda k: float(weight.get(k, 1.0))) if isinstance(weight, dict)
            else float(weight)
        )  # fmt: skip
        parts.append(extra.assign(weight=weights).drop(columns=["kind", "group"]))
    out = pd.concat(parts, ignore_index=True)
    return out[[c for c in out.columns if c in set(train.columns) | {"value", "weight"}]]


def _template_part(
    base: pd.DataFrame, settings: AugmentConfig, shared_data: str | Path | None
) -> pd.DataFrame:
    """The template sentences of ``settings``, with spelling variants and contexts."""
    seed = settings.seed
    extra = template_rows(
        dict(settings.templates), list(settings.languages), shared_data=shared_data,
        compositional=settings.compositional, max_per_kind=settings.max_per_kind, seed=seed,
        pseudo=settings.pseudo_groups, unseen=settings.unseen_groups,
        cap_per_template=settings.cap_per_template,
    )  # fmt: skip
    extra["text"] = spelling_variants(
        extra["text"].tolist(), settings.spelling_share, seed=seed + 1
    )
    if settings.context_share > 0:
        negative = base[base["label"].astype(str) == settings.context_label]
        short = negative[negative["text"].str.len().between(20, 200)]
        contexts = {str(k): v.tolist() for k, v in short.groupby("lang")["text"]}
        extra["text"] = with_context(extra["text"].tolist(), extra["lang"].tolist(), contexts,
                                     settings.context_share, seed=seed + 2)  # fmt: skip
    return extra
