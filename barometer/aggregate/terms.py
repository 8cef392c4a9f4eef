"""Term shifts: which words residents use more or less than before (for a word-shift chart).

Privacy: a term is published only when at least ``min_authors`` distinct authors used it in
*each* window compared, so no rare word can point at a person; texts themselves never leave the
warehouse. The municipality-wide row of a term (``"all"``) is dropped when it minus the term's
published neighbourhood rows would rest on 1 to ``min_authors - 1`` authors (differencing).
Each neighbourhood shows its ``top`` most falling and ``top`` most rising terms; terms tied in
``shift`` at that cut go to the alphabetically first, so the table is the same on every machine.

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
from itertools import chain
from typing import Any

import numpy as np
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
    rows = _post_terms(rows)
    if lemmas and not rows.empty:
        langs = rows["lang"].fillna("und").astype(str)
        terms = rows["term"].astype(str).to_numpy(dtype=object)
        for lang in langs.unique():
            at = (langs == lang).to_numpy()
            terms[at] = lemmatise_words(terms[at].tolist(), lang)
        rows["term"] = terms
    rows = rows[~rows["term"].isin(stop_words())]
    return rows.drop_duplicates()[AUTHOR_TERM_SCHEMA.names].reset_index(drop=True)


def _post_terms(posts: pd.DataFrame) -> pd.DataFrame:
    """One row per word of each post (``author_pseudonym, neighbourhood_id, lang, month,
    term``), in the posts' order and each post's word order; a post without words has none.
    Each distinct (text, language) is normalised and split once (copies and retweet-like
    repeats are common), then its words are laid out for every post that has it."""
    pairs = pd.DataFrame({"text": posts["text"].fillna(""), "lang": posts["lang"]})
    code = pairs.groupby(["text", "lang"], sort=False, dropna=False).ngroup().to_numpy()
    first = np.zeros(int(code.max()) + 1 if len(code) else 0, dtype=np.int64)
    first[code[::-1]] = np.arange(len(code))[::-1]  # each distinct pair's first post
    distinct = pairs.iloc[first]
    texts = normalise_texts(distinct["text"].tolist(), distinct["lang"].tolist())
    words = [_WORD.findall(_PLACEHOLDER.sub(" ", t)) for t in texts]
    counts = np.array([len(w) for w in words], dtype=np.int64)
    flat = np.array(list(chain.from_iterable(words)), dtype=object)
    starts = np.cumsum(counts) - counts
    per_post = counts[code]
    at = np.repeat(starts[code] - (np.cumsum(per_post) - per_post), per_post)
    at += np.arange(len(at))
    out = posts[["author_pseudonym", "neighbourhood_id", "lang", "month"]]
    out = out.take(np.repeat(np.arange(len(posts)), per_post))
    return out.assign(term=flat[at] if len(at) else np.array([], dtype=object))


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
    month with an original post. DuckDB does all of it out of core (distinct authors, the
    floor, shares, ranking, the differencing check), so only the published rows (at most
    ``2 * top`` per neighbourhood) come back into memory. Ties in ``shift`` rank by term."""
    recent_start, before_start = _window(last, recent_months, before_months)
    with connection() as con:
        register(con, "source", terms, AUTHOR_TERM_SCHEMA)
        con.execute(_TERM_ROWS, [before_start.to_pydatetime(), recent_start.to_pydatetime()])
        con.execute(_USED)
        con.execute(_PICKED, {"k": min_authors, "top": top})
        out = con.execute(_PUBLISHED, {"k": min_authors}).df()
    if out.empty:
        return pd.DataFrame(columns=TERM_COLUMNS)
    out = out.rename(columns={"recent": "n_authors_recent", "before": "n_authors_before"})
    counts = ["n_authors_recent", "n_authors_before"]
    out[counts] = out[counts].astype("float64")  # as published before (pandas' pivot_table)
    out["period_start"] = recent_start.date()
    return out[TERM_COLUMNS]


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
# per neighbourhood x window x term with a language: distinct authors, and the most frequent
# language of its rows (ties: the first in sorted order, as pandas' mode)
_USED = """
CREATE TEMP TABLE used AS
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
# per neighbourhood, the terms with at least $k authors in both windows, each window's share
# of the neighbourhood's (author, term) pairs, and the $top most falling and rising of them
# (ties by term); the language is the earlier window's
_PICKED = """
CREATE TEMP TABLE picked AS
WITH totals AS (
    SELECT neighbourhood_id,
        sum(n) FILTER (WHERE "window" = 'recent') AS recent_total,
        sum(n) FILTER (WHERE "window" = 'before') AS before_total
    FROM used GROUP BY ALL
), wide AS (
    SELECT neighbourhood_id, term,
        coalesce(max(n) FILTER (WHERE "window" = 'recent'), 0) AS recent,
        coalesce(max(n) FILTER (WHERE "window" = 'before'), 0) AS before,
        max(lang) FILTER (WHERE "window" = 'before') AS lang
    FROM used GROUP BY ALL
), shares AS (
    SELECT neighbourhood_id, term, lang, recent, before,
        recent::DOUBLE / recent_total AS share_recent,
        before::DOUBLE / before_total AS share_before
    FROM wide JOIN totals USING (neighbourhood_id)
    WHERE recent >= $k AND before >= $k
), ranked AS (
    SELECT *, share_recent - share_before AS shift FROM shares
)
SELECT * FROM ranked
QUALIFY row_number() OVER (PARTITION BY neighbourhood_id ORDER BY shift, term) <= $top
    OR row_number() OVER (PARTITION BY neighbourhood_id ORDER BY shift DESC, term) <= $top
"""
# the picked rows less the "all" rows that, minus the term's picked neighbourhood rows, would
# rest on 1 to $k - 1 authors in either window: counted as the authors of the "all" row found
# in none of those neighbourhood rows (an anti-join), or as the published counts' difference
_PUBLISHED = """
WITH shown AS (
    SELECT neighbourhood_id, term FROM picked WHERE neighbourhood_id <> 'all'
), covered AS (
    SELECT DISTINCT rows.term, rows."window", rows.author_pseudonym
    FROM rows JOIN shown USING (neighbourhood_id, term)
), alone AS (
    SELECT rows.term, rows."window", count(DISTINCT rows.author_pseudonym) AS n
    FROM rows SEMI JOIN (SELECT term FROM picked WHERE neighbourhood_id = 'all') AS a USING (term)
    ANTI JOIN covered USING (term, "window", author_pseudonym)
    WHERE rows.neighbourhood_id = 'all' AND rows.author_pseudonym IS NOT NULL
    GROUP BY ALL
), local AS (
    SELECT term, sum(recent) AS recent, sum(before) AS before
    FROM picked WHERE neighbourhood_id <> 'all' GROUP BY ALL
), revealing AS (
    SELECT DISTINCT a.term FROM picked AS a
    LEFT JOIN local USING (term)
    LEFT JOIN alone ON alone.term = a.term
    WHERE a.neighbourhood_id = 'all' AND (
        alone.n BETWEEN 1 AND $k - 1
        OR a.recent - coalesce(local.recent, 0) BETWEEN 1 AND $k - 1
        OR a.before - coalesce(local.before, 0) BETWEEN 1 AND $k - 1
    )
)
SELECT * FROM picked
WHERE neighbourhood_id <> 'all' OR term NOT IN (SELECT term FROM revealing)
ORDER BY neighbourhood_id, shift, term
"""
