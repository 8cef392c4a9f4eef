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
from typing import Any

import pandas as pd
import pyarrow as pa

from barometer.aggregate.cells import month_start
from barometer.aggregate.out_of_core import Source, connection, register
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


#: one row per distinct (author, neighbourhood, language, city month, term) of original posts:
#: the term shifts' summary of a partition of posts, merged with those of the others
AUTHOR_TERM_SCHEMA = pa.schema(
    [
        ("author_pseudonym", pa.string()),
        ("neighbourhood_id", pa.string()),
        ("lang", pa.string()),
        ("month", pa.timestamp("ns")),
        ("term", pa.string()),
    ]
)
#: where the term rows are: a frame of :func:`author_terms`, or Parquet files of them
TermSource = Source


def author_terms(posts: pd.DataFrame, *, lemmas: bool = False) -> pd.DataFrame:
    """The term summary of ``posts`` (``author_pseudonym, neighbourhood_id, lang, created_at,
    text, is_repost``; times on the city's clock): one row per distinct author x neighbourhood x
    language x month (``month``: its first day, a naive timestamp) x term of the original
    posts. Its size grows with the terms each author uses per month, not with the posts."""
    original = posts[~posts["is_repost"].astype(bool)]
    if original.empty:
        return AUTHOR_TERM_SCHEMA.empty_table().to_pandas()
    rows = original.assign(month=pd.to_datetime(month_start(original["created_at"])))
    texts = normalise_texts(rows["text"].fillna("").tolist(), rows["lang"].tolist())
    rows = rows[["author_pseudonym", "neighbourhood_id", "lang", "month"]].copy()
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
    return rows.drop_duplicates()[AUTHOR_TERM_SCHEMA.names].reset_index(drop=True)


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
    original = posts[~posts["is_repost"].astype(bool)]
    if original.empty:
        return pd.DataFrame(columns=TERM_COLUMNS)
    month = pd.to_datetime(month_start(original["created_at"]))
    last = month.max()
    first = _window(last, recent_months, before_months)[1]
    window = original[(month >= first).to_numpy()]
    return shifts_of_terms(
        author_terms(window, lemmas=lemmas),
        last,
        recent_months=recent_months,
        before_months=before_months,
        min_authors=min_authors,
        top=top,
    )


def _window(last: pd.Timestamp, recent_months: int, before_months: int) -> tuple[Any, Any]:
    recent_start = pd.Timestamp(last) - pd.DateOffset(months=recent_months - 1)
    return recent_start, recent_start - pd.DateOffset(months=before_months)


def shifts_of_terms(
    terms: TermSource,
    last: pd.Timestamp,
    *,
    recent_months: int = 3,
    before_months: int = 12,
    min_authors: int = 10,
    top: int = 20,
) -> pd.DataFrame:
    """:func:`term_shifts` from the term summaries (:func:`author_terms`) of every partition
    of posts (a frame, or Parquet files in :data:`AUTHOR_TERM_SCHEMA`), ``last`` being the last
    month with an original post. DuckDB counts the authors over the summaries, out of core, so
    only one row per neighbourhood x window x term comes back into memory."""
    recent_start, before_start = _window(last, recent_months, before_months)
    with connection() as con:
        register(con, "source", terms, AUTHOR_TERM_SCHEMA)
        con.execute(_TERM_ROWS, [before_start.to_pydatetime(), recent_start.to_pydatetime()])
        used = con.execute(_USED).df()
        if used.empty:
            return pd.DataFrame(columns=TERM_COLUMNS)
        used = used.sort_values(["neighbourhood_id", "window", "term"], ignore_index=True)
        used["n"] = used["n"].astype("int64")
        wide = used.pivot_table(
            index=["neighbourhood_id", "term"], columns="window", values="n", fill_value=0
        ).reindex(columns=["recent", "before"], fill_value=0)
        totals = wide.groupby(level="neighbourhood_id").sum()  # (author, term) pairs per window
        wide = wide[(wide["recent"] >= min_authors) & (wide["before"] >= min_authors)]
        wide = wide.reset_index()
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
            [
                ranked.groupby("neighbourhood_id").head(top),
                ranked.groupby("neighbourhood_id").tail(top),
            ]
        ).drop_duplicates(subset=["neighbourhood_id", "term"])
        con.register("picked_terms", pd.DataFrame({"term": picked["term"].unique()}))
        users = {(n, t, w): set(authors) for n, t, w, authors in con.execute(_USERS).fetchall()}
    picked = _without_differencing(picked, users, min_authors)
    out = picked.rename(columns={"recent": "n_authors_recent", "before": "n_authors_before"})
    out["period_start"] = recent_start.date()
    return out[TERM_COLUMNS].sort_values(["neighbourhood_id", "shift"], ignore_index=True)


# the window's distinct term rows, each once per neighbourhood and once under "all"
_TERM_ROWS = """
CREATE TEMP TABLE rows AS
WITH t AS (
    SELECT DISTINCT author_pseudonym, neighbourhood_id, lang, month, term
    FROM source WHERE month >= ?
), w AS (
    SELECT *, CASE WHEN month >= ? THEN 'recent' ELSE 'before' END AS "window" FROM t
)
SELECT author_pseudonym, neighbourhood_id, lang, term, "window" FROM w
WHERE neighbourhood_id IS NOT NULL
UNION ALL
SELECT author_pseudonym, 'all', lang, term, "window" FROM w
"""
# per neighbourhood x window x term: distinct authors, and the most frequent language of its
# rows (ties: the first in sorted order, as pandas' mode)
_USED = """
WITH counts AS (
    SELECT neighbourhood_id, "window", term, count(DISTINCT author_pseudonym) AS n
    FROM rows GROUP BY ALL
), langs AS (
    SELECT neighbourhood_id, "window", term, lang, count(*) AS c
    FROM rows WHERE lang IS NOT NULL GROUP BY ALL
), modes AS (
    SELECT neighbourhood_id, "window", term, first(lang ORDER BY c DESC, lang) AS lang
    FROM langs GROUP BY ALL
)
SELECT counts.neighbourhood_id, counts."window", counts.term, counts.n, modes.lang
FROM counts JOIN modes USING (neighbourhood_id, "window", term)
"""
# the authors of the picked terms, per neighbourhood x term x window
_USERS = """
SELECT neighbourhood_id, term, "window", list(DISTINCT author_pseudonym)
FROM rows WHERE term IN (SELECT term FROM picked_terms) AND author_pseudonym IS NOT NULL
GROUP BY ALL
"""


def _without_differencing(
    picked: pd.DataFrame, users: dict[tuple[str, str, str], set[str]], k: int
) -> pd.DataFrame:
    """``picked`` without the ``"all"`` rows whose authors, minus those of the term's published
    neighbourhood rows, are 1 to ``k - 1`` people (counted as authors, or as the published
    counts' difference) in either window; ``users``: the authors of each picked term per
    neighbourhood x term x window."""
    local = picked[picked["neighbourhood_id"] != "all"]
    shown = set(zip(local["neighbourhood_id"], local["term"], strict=True))
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
