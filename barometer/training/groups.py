"""Group terms of training: the packaged list, Språkbanken's Swedish nationalities, made-up names.

The training term list (``barometer/data/training_groups.toml``: one row per group and
language, one column per grammatical form) feeds the counterfactual swaps and templates of
:mod:`barometer.training.augment`. Språkbanken's ``nationaliteter.csv`` (in the shared data
folder) adds Swedish nationalities: training uses the rows with an even id, the bias audit
(:func:`barometer.audit.counterfactual.audit_groups`) the odd ones, so the two lists are
disjoint by construction.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.data import read_data_toml
from barometer.exceptions import ConfigError, InputError

#: Språkbanken's nationality list, relative to the shared data folder.
NATIONALITIES_FILE = Path("lexicons") / "sprakbanken" / "nationaliteter.csv"


def load_swedish_nationalities(shared_data: str | Path) -> pd.DataFrame:
    """Swedish nationality terms (plural, singular, plural adjective) from nationaliteter.csv."""
    path = Path(shared_data) / NATIONALITIES_FILE
    if not path.is_file():
        raise InputError(f"nationality list not found: expected '{path}' (see data/README.md)")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)

    def first(cell: str) -> str:
        value = ast.literal_eval(cell) if cell.startswith("[") else cell.split(",")
        return re.sub(r"\(.*?\)", "", str(value[0])).strip() if len(value) else ""

    adjective = raw["adjective"].map(first)
    out = pd.DataFrame(
        {
            "lang": "sv",
            "group_type": "nationality",
            "plural": raw["resident_plural"].map(first),
            "singular": raw["resident_singular"].map(first),
            "adj": adjective.where(adjective.str.endswith("a"), adjective + "a"),
        }
    )
    return out[(out["plural"] != "") & (out["singular"] != "") & (adjective != "")]


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


_FIRST_WORD_RE = re.compile(r"\w+")


def unseen_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """Placeholder groups: the shapes of the (non-slur) ``groups`` with their first word replaced
    by :data:`~barometer.nlp.text_features.UNSEEN_WORD`, one row per distinct shape and language
    (en "Somalis" and "Vietnamese people" give ``_unk_`` and ``_unk_ people``).

    A model that masks unseen words (``features.min_word_df``) reads every group it never saw
    as these shapes; filled into hostile and benign templates alike (and used as swap targets),
    they teach that the slot itself says nothing about hostility. English rows come with both
    articles ("a _unk_", "an _unk_"), as the name behind the placeholder decides which.

    Examples
    --------
    >>> t = pd.DataFrame({"lang": "en", "group_type": "origin", "group": ["Somalis", "Irish"],
    ...                   "plural": ["Somalis", "Irish people"],
    ...                   "singular": ["Somali", "Irish person"], "adj": ["Somali", "Irish"]})
    >>> unseen_groups(t)["a_singular"].tolist()
    ['a _unk_', 'an _unk_', 'a _unk_ person', 'an _unk_ person']
    """
    from barometer.nlp.text_features import UNSEEN_WORD

    slots = [c for c in groups.columns if c not in ("lang", "group_type", "group", "a_singular")]
    rows: list[dict[str, Any]] = []
    seen: set[tuple[object, ...]] = set()
    for row in groups[groups["group_type"] != "slur"].to_dict("records"):
        forms = {
            slot: _FIRST_WORD_RE.sub(UNSEEN_WORD, str(row[slot]), count=1)
            if isinstance(row.get(slot), str) and row[slot] else None
            for slot in slots
        }  # fmt: skip
        shape = (row["lang"], *forms.values())
        if shape in seen:
            continue
        seen.add(shape)
        base = {"lang": row["lang"], "group_type": "unseen", "group": forms[slots[0]], **forms}
        singular = forms.get("singular")
        if row["lang"] == "en" and singular:
            rows += [{**base, "a_singular": f"{art} {singular}"} for art in ("a", "an")]
        else:
            rows.append(base)
    return pd.DataFrame(rows)


def group_name_words(
    languages: list[str], *, shared_data: str | Path | None = None
) -> tuple[str, ...]:
    """The normalised first word of every (non-slur) training group form of ``languages``:
    the words :func:`unseen_groups` replaces, for ``TextClassifier(unseen_words=...)``.

    Examples
    --------
    >>> words = group_name_words(["en"])
    >>> "somalis" in words and "vietnamese" in words and "people" not in words
    True
    """
    from barometer.nlp.text import normalise_texts

    table = training_groups(shared_data=shared_data)
    table = table[(table["group_type"] != "slur") & table["lang"].isin(languages)]
    slots = [c for c in table.columns if c not in ("lang", "group_type", "group")]
    forms, langs = [], []
    for row in table.to_dict("records"):
        for slot in slots:
            if isinstance(row.get(slot), str) and row[slot]:
                forms.append(row[slot])
                langs.append(row["lang"])
    words = {m.group() for t in normalise_texts(forms, langs) if (m := _FIRST_WORD_RE.search(t))}
    return tuple(sorted(words))


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
