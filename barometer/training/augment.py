"""Counterfactual augmentation of training data: group-term swaps, templates, spelling variants.

A classifier trained on posts where some groups are named mostly in hostile (or mostly in
anti-immigration) texts learns the group name itself as evidence. Three augmentations, all
seeded, all applied to training rows only (test splits are never touched):

* :func:`swap_group_terms`: each training text that names a group of the training term list
  (``barometer/data/training_groups.toml``) gets ``k`` copies with the group replaced by another
  group of its language (same grammatical form), keeping the label; the original and its copies
  share the original's weight, so every group appears with the same label mix.
* :func:`template_rows`: the sentences of ``barometer/data/augmentation.toml`` filled with every
  training group: hostile statements (derogation, dehumanisation, threats, exclusion, slurs),
  benign mentions, negated hate, counter-speech and profanity without a group target, each with
  the label its kind teaches.
* :func:`spelling_variants`: a share of the template sentences (hostile and benign alike, so the
  noise carries no label) gets one obfuscated word (``musl1mer``, ``j*vla``, ``haaate``).

The training term list is disjoint from the audit's
(:func:`barometer.audit.counterfactual.audit_groups` drops every audit term that is a training
form), so an audit cannot pass by construction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.data import read_data_toml
from barometer.exceptions import ConfigError

#: The source name of template rows (``source`` column of the training frame).
TEMPLATE_SOURCE = "augment"
#: Template kinds of ``augmentation.toml`` filled with slur terms as well as group terms.
SLUR_KINDS = ("hostile", "counter")


@lru_cache(maxsize=4)
def _group_table(path: str | None) -> pd.DataFrame:
    data = read_data_toml("training_groups.toml", "group terms", path)
    rows = []
    for lang, types in data.get("groups", {}).items():
        slots = list(data["forms"][lang])
        for group_type, entries in types.items():
            for entry in entries:
                if len(entry) != len(slots):
                    raise ConfigError(
                        f"training_groups.toml: {lang} {group_type} {entry} has {len(entry)} "
                        f"forms; expected {len(slots)} ({', '.join(slots)})"
                    )
                forms = dict(zip(slots, entry, strict=True))
                rows.append({"lang": lang, "group_type": group_type, "group": entry[0], **forms})
    return pd.DataFrame(rows)


def _swedish_definite(word: str, plural: bool) -> str:
    """Definite form of a Swedish demonym: ``afghaner`` -> ``afghanerna``, ``afghan`` ->
    ``afghanen``, ``algerier`` -> ``algeriern``."""
    if plural:
        return word + "na"
    return word + "n" if word.endswith(("er", "e")) else word + "en"


def sprakbanken_groups(shared_data: str | Path, parity: str) -> pd.DataFrame:
    """Swedish nationality groups of Språkbanken's ``nationaliteter.csv`` with an ``even`` or
    ``odd`` row id, in the sv forms of ``training_groups.toml`` (training uses the even rows, the
    audit the odd ones)."""
    from barometer.audit.counterfactual import load_swedish_nationalities

    if parity not in ("even", "odd"):
        raise ValueError(f"parity must be 'even' or 'odd', got {parity!r}")
    table = load_swedish_nationalities(shared_data)
    table = table[(table.index % 2 == 0) == (parity == "even")]
    return pd.DataFrame(
        {
            "lang": "sv", "group_type": "nationality", "group": table["plural"],
            "plural": table["plural"],
            "plural_def": table["plural"].map(lambda w: _swedish_definite(w, True)),
            "singular": table["singular"],
            "singular_def": table["singular"].map(lambda w: _swedish_definite(w, False)),
            "adj_pl": table["adj"],
        }
    ).reset_index(drop=True)  # fmt: skip


#: Syllables and demonym endings of the pseudo-groups (made-up names of peoples), per language:
#: (consonants, vowels, [(plural, plural definite, singular, singular definite, adjective)
#: endings]) in the form order of ``training_groups.toml``.
_PSEUDO: dict[str, tuple[str, str, list[tuple[str, ...]]]] = {
    "sv": (
        "bdfgklmnprstv",
        "aeiouy",
        [
            ("ier", "ierna", "ier", "iern", "iska"),
            ("aner", "anerna", "an", "anen", "anska"),
            ("eser", "eserna", "es", "esen", "esiska"),
        ],
    ),
    "en": (
        "bdfgklmnprstv",
        "aeiou",
        [("ians", "ian", "ian"), ("ans", "an", "an"), ("ese people", "ese person", "ese")],
    ),
    "fr": ("bdfglmnprstv", "aeiou", [("iens", "ien", "iens"), ("ais", "ais", "ais")]),
    "tr": ("bdfgklmnprstvz", "aeıiou", [("lılar", "lı"), ("liler", "li")]),
    "ar": ("بتدرسفقكلمنه", "اوي", [("يين", "ي")]),
}


def pseudo_groups(lang: str, n: int, *, seed: int) -> pd.DataFrame:
    """``n`` made-up group names of ``lang`` (random syllables + a demonym ending), in the
    forms of ``training_groups.toml``: filled into hostile and benign templates alike, they teach
    that the spelling of a group's name says nothing about hostility, so that a group the
    model never saw (such as the audit's) is not judged by its name."""
    if lang not in _PSEUDO or n <= 0:
        return pd.DataFrame()
    consonants, vowels, endings = _PSEUDO[lang]
    rng = np.random.default_rng(seed)
    slots = list(_group_table(None).pipe(lambda t: t.columns[3:]))
    forms = read_data_toml("training_groups.toml", "group terms")["forms"][lang]
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(rows) < n:
        stem = "".join(str(rng.choice(list(consonants))) + str(rng.choice(list(vowels)))
                       for _ in range(int(rng.integers(2, 4))))  # fmt: skip
        if stem in seen:
            continue
        seen.add(stem)
        ending = endings[int(rng.integers(0, len(endings)))]
        values = dict(zip(forms, [stem + e for e in ending], strict=True))
        if lang in ("en", "fr", "tr"):
            values = {k: v[:1].upper() + v[1:] for k, v in values.items()}
        if lang == "ar":  # the plural with the article, as in training_groups.toml
            values[forms[0]] = "ال" + values[forms[0]]
        rows.append({"lang": lang, "group_type": "pseudo", "group": values[forms[0]],
                     **{slot: values.get(slot) for slot in slots}})  # fmt: skip
    return pd.DataFrame(rows)


def training_groups(
    path: str | Path | None = None, *, shared_data: str | Path | None = None
) -> pd.DataFrame:
    """The training group terms: one row per group (``lang, group_type, group`` and one column
    per grammatical form of ``[forms]``; a form a language lacks is missing). With
    ``shared_data``, the even rows of Språkbanken's Swedish nationalities are added (those not
    already listed)."""
    table = _group_table(None if path is None else str(path)).copy()
    if shared_data is not None:
        extra = sprakbanken_groups(shared_data, "even")
        known = {str(g).lower() for g in table.loc[table["lang"] == "sv", "plural"]}
        table = pd.concat([table, extra[~extra["plural"].str.lower().isin(known)]],
                          ignore_index=True)  # fmt: skip
    return table


def training_forms(
    path: str | Path | None = None, *, shared_data: str | Path | None = None
) -> set[tuple[str, str]]:
    """Every ``(lang, form)`` of the training list, lower-cased (also the slurs)."""
    table = training_groups(path, shared_data=shared_data)
    slots = [c for c in table.columns if c not in ("lang", "group_type", "group")]
    out = set()
    for row in table.to_dict("records"):
        for slot in slots:
            value = row.get(slot)
            if isinstance(value, str) and value:
                out.add((row["lang"], value.lower()))
    return out


def _slot_values(row: Mapping[str, Any], lang: str) -> dict[str, str]:
    values = {k: str(v) for k, v in row.items() if isinstance(v, str)}
    if lang == "en" and values.get("singular"):
        article = "an" if values["singular"][0].lower() in "aeiou" else "a"
        values["a_singular"] = f"{article} {values['singular']}"
    return values


def fill_template(template: str, row: Mapping[str, Any], lang: str) -> str | None:
    """The template filled with one group's forms; None when it needs a form the group lacks."""
    values = _slot_values(row, lang)
    needed = re.findall(r"\{(\w+)\}", template)
    if any(not values.get(slot) for slot in needed):
        return None
    return template.format(**{slot: values[slot] for slot in needed})


#: kind -> the predicate list its compositional sentences use (``counter`` wraps hostile
#: predicates in ``counter_frames``; the others fill ``subject_frames``)
PREDICATES = {
    "hostile": ("subject_frames", "hostile_predicates"),
    "benign": ("subject_frames", "benign_predicates"),
    "negated": ("subject_frames", "negated_predicates"),
    "counter": ("counter_frames", "hostile_predicates"),
}


def _kind_templates(section: Mapping[str, Any], kind: str, compositional: bool) -> list[str]:
    """The fixed templates of ``kind`` plus, when ``compositional``, every frame x predicate."""
    out = list(section.get(kind, []))
    if compositional and kind in PREDICATES:
        frames, predicates = (section.get(name, []) for name in PREDICATES[kind])
        out += [f.replace("{pred}", p) for f in frames for p in predicates]
    return out


def template_rows(
    labels: Mapping[str, str | float],
    languages: Sequence[str],
    *,
    path: str | Path | None = None,
    shared_data: str | Path | None = None,
    compositional: bool = True,
    max_per_kind: int | Mapping[str, int] = 0,
    seed: int = 0,
    pseudo: int = 0,
) -> pd.DataFrame:
    """Augmentation sentences of ``languages`` for the template kinds in ``labels``.

    Parameters
    ----------
    labels : mapping of kind to label
        E.g. ``{"hostile": "hostile", "benign": "not_hostile"}``; a number (e.g. ``3.0`` for
        ``benign`` in ``immigration_attitude``) is a numeric gold score instead.
    languages : sequence of str
        Languages with templates and group terms (others are skipped).
    compositional : bool, default True
        Also fill the frames of ``augmentation.toml`` with its predicate lists.
    max_per_kind : int or mapping of kind to int, default 0
        At most this many sentences per language and kind, drawn with ``seed`` (0 or a kind
        missing from the mapping: all).
    pseudo : int, default 0
        Made-up group names per language (:func:`pseudo_groups`) filled in as well.

    Returns
    -------
    DataFrame
        ``text, lang, source ("augment"), split ("train"), kind, group, label`` (str labels)
        or ``value`` (numeric ones); one row per template x group (templates without a slot:
        one row).
    """
    templates = read_data_toml("augmentation.toml", "augmentation templates", path)
    groups = training_groups(shared_data=shared_data)
    rng = np.random.default_rng(seed)
    rows = []
    for lang in languages:
        section = templates.get(lang, {})
        mine = pd.concat([groups[groups["lang"] == lang], pseudo_groups(lang, pseudo, seed=seed)],
                         ignore_index=True)  # fmt: skip
        for kind, label in labels.items():
            allowed = mine if kind in SLUR_KINDS else mine[mine["group_type"] != "slur"]
            records = [{str(k): v for k, v in r.items()} for r in allowed.to_dict("records")]
            found = []
            for template in _kind_templates(section, kind, compositional):
                if "{" not in template:
                    found.append((template, lang, kind, "", label))
                    continue
                for group in records:
                    text = fill_template(template, group, lang)
                    if text is not None:
                        found.append((text, lang, kind, group["group"], label))
            found = list({row[0]: row for row in found[::-1]}.values())[::-1]  # first of each text
            cap = (
                int(max_per_kind.get(kind, 0)) if isinstance(max_per_kind, Mapping)
                else int(max_per_kind)
            )  # fmt: skip
            if cap and len(found) > cap:
                keep = np.sort(rng.choice(len(found), size=cap, replace=False))
                found = [found[i] for i in keep]
            rows += found
    frame = pd.DataFrame(rows, columns=["text", "lang", "kind", "group", "label"])
    frame.insert(2, "source", TEMPLATE_SOURCE)
    frame.insert(3, "split", "train")
    if len(frame) and all(isinstance(v, float | int) for v in labels.values()):
        frame = frame.rename(columns={"label": "value"})
        frame["value"] = frame["value"].astype(float)
    return frame.drop_duplicates(subset=["text", "lang"]).reset_index(drop=True)


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
    frame: pd.DataFrame, k: int, *, seed: int, shared_data: str | Path | None = None
) -> pd.DataFrame:
    """``k`` counterfactual copies of every row of ``frame`` whose text names a training group.

    Each copy maps every group named in the text to another group of the same language (drawn
    with ``seed``, a different one per copy where possible) in the same grammatical form (the
    plural when the target group lacks that form). Copies keep every other column, and get
    ``swap_of`` = the original's index; rows without a group term give no copy.
    """
    if k <= 0 or frame.empty:
        return frame.iloc[0:0].assign(swap_of=pd.Series(dtype="int64"))
    rng = np.random.default_rng(seed)
    groups = training_groups(shared_data=shared_data)
    groups = groups[groups["group_type"] != "slur"]
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


_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "$"})
_VOWELS = "aeiouyåäöéü"


def _obfuscate(word: str, how: int, rng: np.random.Generator) -> str:
    if how == 0:  # leetspeak
        return word.translate(_LEET) if word.translate(_LEET) != word else word + word[-1] * 2
    vowels = [i for i, c in enumerate(word) if c.lower() in _VOWELS]
    if how == 1 and vowels:  # a vowel starred out
        i = int(rng.choice(vowels))
        return word[:i] + "*" + word[i + 1 :]
    if how == 2:  # elongation
        i = int(rng.integers(0, len(word)))
        return word[: i + 1] + word[i] * 3 + word[i + 1 :]
    if how == 3 and len(word) > 3:  # a space inside the word
        i = int(rng.integers(1, len(word) - 1))
        return word[:i] + " " + word[i:]
    if vowels:  # a vowel dropped
        i = int(rng.choice(vowels))
        return word[:i] + word[i + 1 :]
    return word


def spelling_variants(texts: Sequence[str], share: float, *, seed: int) -> list[str]:
    """Texts with one obfuscated word (length >= 4) in a random ``share`` of them (leetspeak,
    a starred vowel, elongation, a space inside the word, a dropped vowel)."""
    rng = np.random.default_rng(seed)
    out = list(texts)
    for i in np.flatnonzero(rng.random(len(out)) < share):
        words = out[i].split(" ")
        long = [j for j, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if not long:
            continue
        j = int(rng.choice(long))
        words[j] = _obfuscate(words[j], int(rng.integers(0, 5)), rng)
        out[i] = " ".join(words)
    return out


def with_context(
    texts: Sequence[str],
    langs: Sequence[str],
    contexts: Mapping[str, Sequence[str]],
    share: float,
    *,
    seed: int,
) -> list[str]:
    """A random ``share`` of the texts joined with one context text of their language (before
    or after it, at random): template sentences are short and alone, real posts are not, and a
    model that sees hostile sentences only alone learns that any further word means "not
    hostile". A post with one hostile sentence is hostile whatever surrounds it, and a benign
    one stays benign, so hostile and benign templates get context alike."""
    rng = np.random.default_rng(seed)
    out = list(texts)
    for i in np.flatnonzero(rng.random(len(out)) < share):
        pool = contexts.get(langs[int(i)], ())
        if not len(pool):
            continue
        context = str(pool[int(rng.integers(0, len(pool)))])
        out[i] = f"{out[i]}. {context}" if rng.random() < 0.5 else f"{context} {out[i]}"
    return out


def augment_training(
    train: pd.DataFrame, settings: Mapping[str, Any], *, shared_data: str | Path | None = None
) -> pd.DataFrame:
    """Training rows plus their augmentation, with a ``weight`` column (1 for original rows
    without a swap; an original and its ``swaps`` copies share 1).

    ``settings`` is the ``[augment]`` table of a training config: ``templates`` (kind ->
    label, see :func:`template_rows`), ``languages``, ``compositional``, ``max_per_kind``,
    ``pseudo_groups`` (made-up group names per language), ``context_share`` and
    ``context_label`` (:func:`with_context`, contexts from the training rows of that label),
    ``swaps`` (copies per text that names a group), ``spelling_share``, ``seed`` and
    ``sentences_of`` (sources whose paragraphs are
    split into sentences, :func:`sentence_rows`); with ``sprakbanken = true``, the even rows of
    Språkbanken's Swedish nationalities (in ``shared_data``) join the training groups.
    """
    if not settings.get("sprakbanken", False):
        shared_data = None
    seed = int(settings.get("seed", 0))
    base = train.reset_index(drop=True)
    split = base["source"].isin(list(settings.get("sentences_of", [])))
    if split.any():  # paragraphs whose label holds per sentence: their sentences instead
        base = pd.concat([base[~split], sentence_rows(base[split])], ignore_index=True)
    base = base.assign(weight=1.0)
    k = int(settings.get("swaps", 0))
    copies = swap_group_terms(base, k, seed=seed, shared_data=shared_data)
    if len(copies):
        swapped = base.index.isin(copies["swap_of"].unique())
        base.loc[swapped, "weight"] = 1.0 / (k + 1)
        copies = copies.assign(weight=1.0 / (k + 1)).drop(columns="swap_of")
    parts = [base, copies] if len(copies) else [base]
    labels = dict(settings.get("templates", {}))
    if labels:
        extra = template_rows(
            labels, list(settings.get("languages", [])), shared_data=shared_data,
            compositional=bool(settings.get("compositional", True)),
            max_per_kind=settings.get("max_per_kind", 0), seed=seed,
            pseudo=int(settings.get("pseudo_groups", 0)),
        )  # fmt: skip
        extra["text"] = spelling_variants(
            extra["text"].tolist(), float(settings.get("spelling_share", 0.0)), seed=seed + 1
        )
        share = float(settings.get("context_share", 0.0))
        if share > 0:
            negative = base[base["label"].astype(str) == str(settings.get("context_label", ""))]
            short = negative[negative["text"].str.len().between(20, 200)]
            contexts = {str(k): v.tolist() for k, v in short.groupby("lang")["text"]}
            extra["text"] = with_context(extra["text"].tolist(), extra["lang"].tolist(),
                                         contexts, share, seed=seed + 2)  # fmt: skip
        if "value" in extra.columns and "value" in train.columns:
            extra["label"] = None  # filled by the caller from the numeric bins
        parts.append(extra.drop(columns=["kind", "group"]).assign(weight=1.0))
    out = pd.concat(parts, ignore_index=True)
    return out[[c for c in out.columns if c in set(train.columns) | {"value", "weight"}]]
