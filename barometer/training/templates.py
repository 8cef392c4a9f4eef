"""Template sentences for training: hostile, benign, negated, counter-speech, untargeted.

The sentences of ``barometer/data/augmentation.toml`` (all written for this project) are filled
with every training group of their language (:mod:`barometer.training.groups`), each with the
label its kind teaches (:func:`template_rows`). :func:`spelling_variants` obfuscates one word in
a share of them (hostile and benign alike, so the noise carries no label) and
:func:`with_context` joins a share with a real text of their language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.data import read_data_toml
from barometer.training.groups import pseudo_groups, training_groups, unseen_groups

#: The source name of template rows (``source`` column of the training frame).
TEMPLATE_SOURCE = "augment"
#: Template kinds of ``augmentation.toml`` filled with slur terms as well as group terms.
SLUR_KINDS = ("hostile", "counter")


def _slot_values(row: Mapping[str, Any], lang: str) -> dict[str, str]:
    values = {k: str(v) for k, v in row.items() if isinstance(v, str)}
    if lang == "en" and values.get("singular") and "a_singular" not in values:
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
    "stance_negative": ("stance_frames", "negative_stance_predicates"),
    "stance_positive": ("stance_frames", "positive_stance_predicates"),
    "stance_neutral": ("stance_frames", "neutral_stance_predicates"),
}


def _kind_templates(section: Mapping[str, Any], kind: str, compositional: bool) -> list[str]:
    """The fixed templates of ``kind`` plus, when ``compositional``, every frame x predicate
    (x every ``stance_subjects`` entry, for frames with a ``{subj}`` slot)."""
    out = list(section.get(kind, []))
    if compositional and kind in PREDICATES:
        frames, predicates = (section.get(name, []) for name in PREDICATES[kind])
        subjects = list(section.get("stance_subjects", []))
        for frame in frames:
            for subject in subjects if "{subj}" in frame else [""]:
                out += [frame.replace("{subj}", subject).replace("{pred}", p) for p in predicates]
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
    unseen: bool = False,
    cap_per_template: bool = False,
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
    unseen : bool, default False
        Fill in the placeholder groups of :func:`unseen_groups` as well.
    cap_per_template : bool, default False
        Draw the ``max_per_kind`` sentences evenly over templates rather than over sentences,
        so a template without a group slot (one sentence) is drawn as often as one filled with
        every group (a hundred).

    Returns
    -------
    DataFrame
        ``text, lang, source ("augment"), split ("train"), kind, group, label`` (str labels)
        or ``value`` (numeric ones); one row per template x group (templates without a slot:
        one row).
    """
    templates = read_data_toml("augmentation.toml", "augmentation templates", path)
    groups = training_groups(shared_data=shared_data)
    if unseen:
        groups = pd.concat([groups, unseen_groups(groups)], ignore_index=True)
    rng = np.random.default_rng(seed)
    rows = []
    for lang in languages:
        mine = pd.concat([groups[groups["lang"] == lang], pseudo_groups(lang, pseudo, seed=seed)],
                         ignore_index=True)  # fmt: skip
        for kind, label in labels.items():
            found = _kind_rows(templates.get(lang, {}), kind, label, mine, lang, compositional)
            cap = (
                int(max_per_kind.get(kind, 0)) if isinstance(max_per_kind, Mapping)
                else int(max_per_kind)
            )  # fmt: skip
            if cap and len(found) > cap:
                weights = None
                if cap_per_template:
                    sizes = pd.Series([row[-1] for row in found]).value_counts()
                    share = 1.0 / sizes.loc[[row[-1] for row in found]].to_numpy(float)
                    weights = share / share.sum()
                keep = np.sort(rng.choice(len(found), size=cap, replace=False, p=weights))
                found = [found[i] for i in keep]
            rows += [row[:-1] for row in found]
    frame = pd.DataFrame(rows, columns=["text", "lang", "kind", "group", "label"])
    frame.insert(2, "source", TEMPLATE_SOURCE)
    frame.insert(3, "split", "train")
    if len(frame) and all(isinstance(v, float | int) for v in labels.values()):
        frame = frame.rename(columns={"label": "value"})
        frame["value"] = frame["value"].astype(float)
    return frame.drop_duplicates(subset=["text", "lang"]).reset_index(drop=True)


def _kind_rows(
    section: Mapping[str, Any],
    kind: str,
    label: str | float,
    groups: pd.DataFrame,
    lang: str,
    compositional: bool,
) -> list[tuple[str, str, str, str, str | float, int]]:
    """The sentences of one kind in one language, ``(text, lang, kind, group, label,
    template number)``, each text once (its first group)."""
    allowed = groups if kind in SLUR_KINDS else groups[groups["group_type"] != "slur"]
    records = [{str(k): v for k, v in r.items()} for r in allowed.to_dict("records")]
    found: list[tuple[str, str, str, str, str | float, int]] = []
    for number, template in enumerate(_kind_templates(section, kind, compositional)):
        if "{" not in template:
            found.append((template, lang, kind, "", label, number))
            continue
        for group in records:
            text = fill_template(template, group, lang)
            if text is not None:
                found.append((text, lang, kind, group["group"], label, number))
    return list({row[0]: row for row in found[::-1]}.values())[::-1]


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
