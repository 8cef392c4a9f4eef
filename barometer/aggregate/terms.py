"""Term shifts: which words residents use more or less than before (for a word-shift chart).

Privacy: a term is published only when at least ``min_authors`` distinct authors used it in
*each* window compared, so no rare word can point at a person; texts themselves never leave the
warehouse. The municipality-wide row of a term (``"all"``) is dropped when it minus the term's
published neighbourhood rows would rest on 1 to ``min_authors - 1`` authors (differencing).

Shares are author-level: the share of a window's authors who used the term at least once (a
prolific account counts once) is counted once per term, and a term's share is its count over
all (author, term) pairs of the window, so windows of different lengths compare (a proportion
shift, as in word-shift graphs). Placeholders (``<url>``, ``<user>``), numbers, tokens
shorter than three characters and each language's spaCy stop words are ignored.

With ``lemmas``, words are counted by their lemma where ``spacy-lookups-data`` has a table for
the post's language (:func:`barometer.nlp.text.lemmatise_words`): "grannar", "grannarna" and
"grannen" are one term, "granne", so a word's authors are counted together (more terms reach
the author floor). It is off by default: the lookup tables pick one lemma per form regardless
of part of speech, and the Swedish one turns common nouns into verbs ("buss" -> "bussa",
"kväll" -> "kvälla"), which an analyst would read as a bug in the chart.
"""

from __future__ import annotations

import importlib
import re
from functools import cache

import pandas as pd

from barometer.aggregate.cells import month_start
from barometer.nlp.text import lemmatise_words, normalise_texts

TERM_COLUMNS = [
    "neighbourhood_id", "period_start", "term", "lang", "share_recent", "share_before",
    "shift", "n_authors_recent", "n_authors_before",
]  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{3,}")
_PLACEHOLDER = re.compile(r"<\w+>")
_STOP_LANGS = ("sv", "en", "ar", "tr", "da", "fa", "fi", "de", "es")


@cache
def stop_words() -> frozenset[str]:
    """Union of spaCy's stop-word lists for the barometer's languages (no model download)."""
    words: set[str] = set()
    for lang in _STOP_LANGS:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
        words |= set(module.STOP_WORDS)
    return frozenset(words)


def _author_terms(posts: pd.DataFrame, *, lemmas: bool = False) -> pd.DataFrame:
    """One row per (author, neighbourhood, language, month, term) the posts hold."""
    texts = normalise_texts(posts["text"].fillna("").tolist(), posts["lang"].tolist())
    rows = posts[["author_pseudonym", "neighbourhood_id", "lang", "month"]].copy()
    rows["term"] = [_WORD.findall(_PLACEHOLDER.sub(" ", t)) for t in texts]
    rows = rows.explode("term").dropna(subset=["term"])
    if lemmas and not rows.empty:
        langs = rows["lang"].fillna("und").astype(str)
        terms = rows["term"].astype(str).to_numpy(dtype=object)
        for lang in langs.unique():
            at = (langs == lang).to_numpy()
            terms[at] = lemmatise_words(terms[at].tolist(), lang)
        rows["term"] = terms
    rows = rows[~rows["term"].isin(stop_words())]
    return rows.drop_duplicates()


def term_shifts(
    posts: pd.DataFrame,
    *,
    recent_months: int = 3,
    before_months: int = 12,
    min_authors: int = 10,
    top: int = 20,
    lemmas: bool = False,
) -> pd.DataFrame:
    """Top rising and falling terms per neighbourhood (and ``"all"``), last ``recent_months``
    against the ``before_months`` before them; shares are 0-1, ``shift`` their difference.
    ``lemmas``: count words by lemma where a lookup table exists (see the module docstring)."""
    original = posts[~posts["is_repost"]].copy()
    if original.empty:
        return pd.DataFrame(columns=TERM_COLUMNS)
    original["month"] = pd.to_datetime(month_start(original["created_at"]))
    last = original["month"].max()
    recent_start = last - pd.DateOffset(months=recent_months - 1)
    before_start = recent_start - pd.DateOffset(months=before_months)
    window = original[original["month"] >= before_start]
    terms = _author_terms(window, lemmas=lemmas)
    terms["window"] = (terms["month"] >= recent_start).map({True: "recent", False: "before"})
    everywhere = terms.assign(neighbourhood_id="all")
    terms = pd.concat([terms.dropna(subset=["neighbourhood_id"]), everywhere])
    keys = ["neighbourhood_id", "window"]
    used = (
        terms.groupby([*keys, "term"])
        .agg(n=("author_pseudonym", "nunique"), lang=("lang", lambda s: s.mode().iat[0]))
        .reset_index()
    )
    wide = used.pivot_table(
        index=["neighbourhood_id", "term"], columns="window", values="n", fill_value=0
    ).reindex(columns=["recent", "before"], fill_value=0)
    totals = wide.groupby(level="neighbourhood_id").sum()  # (author, term) pairs per window
    wide = wide[(wide["recent"] >= min_authors) & (wide["before"] >= min_authors)].reset_index()
    if wide.empty:
        return pd.DataFrame(columns=TERM_COLUMNS)
    wide = wide.join(totals.add_suffix("_total"), on="neighbourhood_id")
    wide["share_recent"] = wide["recent"] / wide["recent_total"]
    wide["share_before"] = wide["before"] / wide["before_total"]
    wide["shift"] = wide["share_recent"] - wide["share_before"]
    lang = used.groupby(["neighbourhood_id", "term"])["lang"].first()
    wide = wide.join(lang, on=["neighbourhood_id", "term"])
    ranked = wide.sort_values("shift")
    picked = pd.concat(
        [ranked.groupby("neighbourhood_id").head(top), ranked.groupby("neighbourhood_id").tail(top)]
    ).drop_duplicates(subset=["neighbourhood_id", "term"])
    picked = _without_differencing(picked, terms, min_authors)
    out = picked.rename(columns={"recent": "n_authors_recent", "before": "n_authors_before"})
    out["period_start"] = recent_start.date()
    return out[TERM_COLUMNS].sort_values(["neighbourhood_id", "shift"], ignore_index=True)


def _without_differencing(picked: pd.DataFrame, terms: pd.DataFrame, k: int) -> pd.DataFrame:
    """``picked`` without the ``"all"`` rows whose authors, minus those of the term's published
    neighbourhood rows, are 1 to ``k - 1`` people (counted as authors, or as the published
    counts' difference) in either window."""
    local = picked[picked["neighbourhood_id"] != "all"]
    shown = set(zip(local["neighbourhood_id"], local["term"], strict=True))
    users = terms.groupby(["neighbourhood_id", "term", "window"])["author_pseudonym"].agg(set)
    drop = []
    for index, row in picked[picked["neighbourhood_id"] == "all"].iterrows():
        places = [n for n, t in shown if t == row["term"]]
        for window in ("recent", "before"):
            everyone = users.get(("all", row["term"], window), set())
            covered = set().union(*(users.get((n, row["term"], window), set()) for n in places))
            difference = row[window] - local.loc[local["term"] == row["term"], window].sum()
            if 0 < len(everyone - covered) < k or 0 < difference < k:
                drop.append(index)
                break
    return picked.drop(index=drop)
