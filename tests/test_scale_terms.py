"""Term shifts from per-partition term summaries (issue 13): built partition by partition and
merged out of core, they publish exactly what the in-memory computation over all the texts
published (the reference below is that computation, as it was before the summaries)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.aggregate.cells import month_start
from barometer.aggregate.terms import (
    AUTHOR_TERM_SCHEMA,
    TERM_COLUMNS,
    author_terms,
    shifts_of_terms,
    stop_words,
    term_shifts,
)
from barometer.nlp.text import normalise_texts
from barometer.partitions import post_partitions

_WORD = r"[^\W\d_]{3,}"


def reference_term_shifts(posts: pd.DataFrame, min_authors: int, top: int) -> pd.DataFrame:
    """The term shifts as computed before issue 13's summaries: every text of the window in
    memory, pandas throughout (3 recent months against the 12 before). Ties in ``shift`` at the
    ``top`` cut go to the alphabetically first term on both sides (before, to whichever term
    numpy's unstable quicksort left there)."""
    original = posts[~posts["is_repost"]].copy()
    original["month"] = pd.to_datetime(month_start(original["created_at"]))
    last = original["month"].max()
    recent_start = last - pd.DateOffset(months=2)
    before_start = recent_start - pd.DateOffset(months=12)
    window = original[original["month"] >= before_start]
    texts = normalise_texts(window["text"].tolist(), window["lang"].tolist())
    terms = window[["author_pseudonym", "neighbourhood_id", "lang", "month"]].copy()
    terms["term"] = [
        pd.Series([t]).str.replace(r"<\w+>", " ", regex=True).str.findall(_WORD).iat[0]
        for t in texts
    ]
    terms = terms.explode("term").dropna(subset=["term"])
    terms = terms[~terms["term"].isin(stop_words())].drop_duplicates()
    terms["window"] = (terms["month"] >= recent_start).map({True: "recent", False: "before"})
    terms = pd.concat(
        [terms.dropna(subset=["neighbourhood_id"]), terms.assign(neighbourhood_id="all")]
    )
    keys = ["neighbourhood_id", "window"]
    used = (
        terms.groupby([*keys, "term"])
        .agg(n=("author_pseudonym", "nunique"), lang=("lang", lambda s: s.mode().iat[0]))
        .reset_index()
    )
    wide = used.pivot_table(
        index=["neighbourhood_id", "term"], columns="window", values="n", fill_value=0
    ).reindex(columns=["recent", "before"], fill_value=0)
    totals = wide.groupby(level="neighbourhood_id").sum()
    wide = wide[(wide["recent"] >= min_authors) & (wide["before"] >= min_authors)].reset_index()
    if wide.empty:
        return pd.DataFrame(columns=TERM_COLUMNS)
    wide = wide.join(totals.add_suffix("_total"), on="neighbourhood_id")
    wide["share_recent"] = wide["recent"] / wide["recent_total"]
    wide["share_before"] = wide["before"] / wide["before_total"]
    wide["shift"] = wide["share_recent"] - wide["share_before"]
    wide = wide.join(
        used.groupby(["neighbourhood_id", "term"])["lang"].first(), on=wide.columns[:2].tolist()
    )
    # the most falling and the most rising, ties alphabetical on both sides
    falling = wide.sort_values(["shift", "term"], kind="stable")
    rising = wide.sort_values(["shift", "term"], ascending=[False, True], kind="stable")
    picked = pd.concat(
        [
            falling.groupby("neighbourhood_id").head(top),
            rising.groupby("neighbourhood_id").head(top),
        ]
    ).drop_duplicates(subset=["neighbourhood_id", "term"])
    users = terms.groupby(["neighbourhood_id", "term", "window"])["author_pseudonym"].agg(set)
    local = picked[picked["neighbourhood_id"] != "all"]
    shown = set(zip(local["neighbourhood_id"], local["term"], strict=True))
    drop = []
    for index, row in picked[picked["neighbourhood_id"] == "all"].iterrows():
        places = [n for n, t in shown if t == row["term"]]
        for window in ("recent", "before"):
            everyone = users.get(("all", row["term"], window), set())
            covered = set().union(*(users.get((n, row["term"], window), set()) for n in places))
            difference = row[window] - local.loc[local["term"] == row["term"], window].sum()
            if 0 < len(everyone - covered) < min_authors or 0 < difference < min_authors:
                drop.append(index)
                break
    out = picked.drop(index=drop)
    out = out.rename(columns={"recent": "n_authors_recent", "before": "n_authors_before"})
    out["period_start"] = recent_start.date()
    out = out.sort_values(["neighbourhood_id", "shift", "term"], ignore_index=True)
    return out[TERM_COLUMNS]


WORDS = ["buss", "torget", "festival", "parken", "skolan", "biblioteket", "grannar"]


def _posts(records: list[tuple[int, str | None, int, tuple[str, ...], str, bool]]) -> pd.DataFrame:
    """(author, neighbourhood, month offset from 2024-01, words, lang, is_repost) -> posts."""
    return pd.DataFrame(
        {
            "post_id": [f"x:{i}" for i in range(len(records))],
            "source": "x",
            "author_pseudonym": [f"p{r[0]}" for r in records],
            "neighbourhood_id": [r[1] for r in records],
            "created_at": [
                pd.Timestamp("2024-01-01T12:00Z") + pd.DateOffset(months=r[2]) for r in records
            ],
            "text": [" ".join(r[3]) for r in records],
            "lang": [r[4] for r in records],
            "is_repost": [r[5] for r in records],
        }
    )


def _by_partition(posts: pd.DataFrame, folder) -> list:
    """Each partition's term summary as a Parquet file, plus an empty file written without
    a schema (as an older empty summary may be)."""
    where = post_partitions(posts)
    paths = []
    for i, name in enumerate(sorted(set(where))):
        path = folder / f"terms-{i}.parquet"
        frame = author_terms(posts[where == name])
        pq.write_table(pa.Table.from_pandas(frame, schema=AUTHOR_TERM_SCHEMA), path)
        paths.append(path)
    empty = folder / "empty.parquet"
    pd.DataFrame(columns=AUTHOR_TERM_SCHEMA.names).to_parquet(empty)
    return [*paths, empty]


def _last(posts: pd.DataFrame) -> pd.Timestamp:
    original = posts[~posts["is_repost"]]
    return pd.to_datetime(month_start(original["created_at"])).max()


records = st.lists(
    st.tuples(
        st.integers(0, 11),
        st.sampled_from(["fittja", "alby", None]),
        st.integers(0, 17),
        st.lists(st.sampled_from(WORDS), min_size=0, max_size=4).map(tuple),
        st.sampled_from(["sv", "en"]),
        st.booleans(),
    ),
    min_size=0,
    max_size=60,
)


@settings(max_examples=20, deadline=None)
@given(records)
def test_summaries_partition_by_partition_equal_the_texts_at_once(tmp_path_factory, rows):
    # planted: two authors per window use "festival" and "parken" (so some terms always pass
    # the floor), in the last month and a year before
    planted = [(a, "fittja", 17, ("festival", "parken"), "sv", False) for a in (20, 21)]
    # before, one says them in Swedish and one in English: a tie, so the first in sorted order
    planted += [(22, "alby", 6, ("festival", "parken"), "sv", False)]
    planted += [(23, "alby", 6, ("festival", "parken"), "en", False)]
    posts = _posts(planted + rows)
    expected = reference_term_shifts(posts, min_authors=2, top=3)
    assert not expected.empty
    at_once = term_shifts(posts, min_authors=2, top=3)
    folder = tmp_path_factory.mktemp("terms")
    merged = shifts_of_terms(_by_partition(posts, folder), _last(posts), min_authors=2, top=3)
    pd.testing.assert_frame_equal(at_once, expected)
    pd.testing.assert_frame_equal(merged, expected)


def test_known_shift_across_partitions(tmp_path) -> None:
    # 3 authors say "festival" in the recent months (one of them twice, in two months), 3 said
    # it before; "buss" only before: 3 of the 6 (author, term) pairs before, none recent
    rows = [(a, "fittja", 16, ("festival",), "sv", False) for a in range(3)]
    rows += [(0, "fittja", 17, ("festival",), "sv", False)]
    rows += [(a, "fittja", 5, ("festival", "buss"), "sv", False) for a in range(3, 6)]
    rows += [(9, "fittja", 17, ("festival",), "sv", True)]  # a repost counts for nobody
    posts = _posts(rows)
    out = shifts_of_terms(_by_partition(posts, tmp_path), _last(posts), min_authors=3)
    festival = out.set_index(["neighbourhood_id", "term"]).loc[("fittja", "festival")]
    assert festival["n_authors_recent"] == 3 and festival["n_authors_before"] == 3
    assert festival["share_recent"] == 1.0 and festival["share_before"] == 0.5
    assert festival["shift"] == 0.5
    assert "buss" not in set(out["term"])  # no recent author: below the floor
    assert str(out["period_start"].iat[0]) == "2025-04-01"  # the last 3 months start in April


def test_a_cached_term_summary_is_current_only_for_its_partition_and_setting(tmp_path) -> None:
    from barometer.summary_cache import SummaryCache
    from barometer.warehouse import Warehouse

    store = Warehouse(tmp_path / "wh")
    cache = SummaryCache(store, {"sentiment": "1"}, {}, "Europe/Stockholm")
    partition = "source=x/month=2024-05"
    frame = author_terms(_posts([(1, "fittja", 4, ("festival",), "sv", False)]))
    path = cache.save_terms(partition, frame, lemmas=False)
    assert cache.terms_path(partition, lemmas=False) == path
    assert pd.read_parquet(path)["term"].tolist() == ["festival"]
    assert cache.terms_path(partition, lemmas=True) is None  # counted by word form, not lemma
    other = SummaryCache(store, {"sentiment": "2"}, {}, "Europe/Stockholm")
    assert other.terms_path(partition, lemmas=False) is None  # another model: rebuilt


def _both_windows(author: int, place: str | None, words: tuple[str, ...]) -> list:
    """One author's posts of ``words`` in ``place`` a year before (month 5) and recently (16)."""
    return [(author, place, month, words, "sv", False) for month in (5, 16)]


def test_a_whole_municipality_row_that_would_single_out_hidden_authors_is_dropped(tmp_path):
    rows = [r for a in (1, 2, 3) for r in _both_windows(a, "fittja", ("festival", "parken"))]
    rows += [r for a in (1, 2, 3) for r in _both_windows(a, "alby", ("parken",))]
    # "festival": 2 authors in alby (under the floor of 3): "all" (5) minus fittja (3) is 2
    rows += [r for a in (4, 5) for r in _both_windows(a, "alby", ("festival",))]
    # "parken": alby's authors are fittja's, so the published counts add up to more than "all"
    # (6 > 4); only the sets show the one person in norsborg, recently
    rows += [(9, "norsborg", 16, ("parken",), "sv", False)]
    # "torget": every author of "all" is in a published neighbourhood row: kept
    rows += [r for a in (1, 2, 3) for r in _both_windows(a, "fittja", ("torget",))]
    rows += [r for a in (4, 5, 6) for r in _both_windows(a, "alby", ("torget",))]
    posts = _posts(rows)
    out = shifts_of_terms(_by_partition(posts, tmp_path), _last(posts), min_authors=3)
    shown = set(zip(out["neighbourhood_id"], out["term"], strict=True))
    assert {("fittja", "festival"), ("fittja", "parken"), ("alby", "parken")} <= shown
    assert ("alby", "festival") not in shown  # 2 authors: under the floor
    assert ("all", "festival") not in shown and ("all", "parken") not in shown
    assert ("all", "torget") in shown
    counts = out.set_index(["neighbourhood_id", "term"]).loc[("all", "torget")]
    assert counts["n_authors_recent"] == 6 and counts["n_authors_before"] == 6
    pd.testing.assert_frame_equal(out, reference_term_shifts(posts, min_authors=3, top=20))


def test_terms_tied_at_the_cut_go_to_the_alphabetically_first(tmp_path):
    # "buss" and "torget": the same 2 authors in both windows, so the same shift (+1/12);
    # "festival" falls (2 recent authors of 6 pairs against 4 of 8 before)
    rows = [r for a in (1, 2) for r in _both_windows(a, "fittja", ("torget", "buss"))]
    rows += [(a, "fittja", 5, ("festival",), "sv", False) for a in (1, 2, 3, 4)]
    rows += [(a, "fittja", 16, ("festival",), "sv", False) for a in (1, 2)]
    posts = _posts(rows)
    files, last = _by_partition(posts, tmp_path), _last(posts)
    one = shifts_of_terms(files, last, min_authors=2, top=1)
    fittja = one[one["neighbourhood_id"] == "fittja"]
    assert fittja["term"].tolist() == ["festival", "buss"]  # "torget" ties "buss": left out
    assert fittja["shift"].iat[1] == 2 / 6 - 2 / 8
    two = shifts_of_terms(files, last, min_authors=2, top=2)
    assert two.loc[two["neighbourhood_id"] == "fittja", "term"].tolist() == [
        "festival", "buss", "torget",
    ]  # fmt: skip
    for top, got in ((1, one), (2, two)):
        pd.testing.assert_frame_equal(got, reference_term_shifts(posts, min_authors=2, top=top))


@settings(max_examples=15, deadline=None)
@given(records, st.integers(1, 3), st.integers(1, 3))
def test_any_floor_and_cut_equal_the_pandas_reference(tmp_path_factory, rows, k, top):
    posts = _posts(rows)
    if posts.empty or posts["is_repost"].all():
        return
    folder = tmp_path_factory.mktemp("terms")
    merged = shifts_of_terms(_by_partition(posts, folder), _last(posts), min_authors=k, top=top)
    expected = reference_term_shifts(posts, min_authors=k, top=top)
    if expected.empty:
        assert merged.empty
        return
    pd.testing.assert_frame_equal(merged, expected)


def test_a_repeated_text_is_split_by_the_language_of_each_post() -> None:
    """Texts are normalised once per distinct (text, language): the same words in a Turkish
    and a Swedish post are lower-cased each by its own rule (Turkish dotless ı), a repeated
    text counts for every author who posted it, and a post without text has no terms."""
    posts = _posts(
        [
            (1, "fittja", 0, ("IRMAK", "Köprü"), "tr", False),
            (2, "alby", 0, ("IRMAK", "Köprü"), "sv", False),
            (3, "fittja", 1, ("IRMAK", "Köprü"), "tr", False),
            (4, None, 1, ("IRMAK", "Köprü"), None, False),
            (5, "fittja", 1, ("IRMAK", "Köprü"), "tr", True),  # a repost: not counted
        ]
    )
    posts.loc[5] = posts.loc[0]
    posts.loc[5, ["author_pseudonym", "text"]] = ["p6", None]
    found = author_terms(posts)
    rows = zip(found["author_pseudonym"], found["lang"].fillna("-"), found["term"], strict=True)
    got = sorted(rows)
    assert got == [
        ("p1", "tr", "köprü"), ("p1", "tr", "ırmak"),
        ("p2", "sv", "irmak"), ("p2", "sv", "köprü"),
        ("p3", "tr", "köprü"), ("p3", "tr", "ırmak"),
        ("p4", "-", "irmak"), ("p4", "-", "köprü"),
    ]  # fmt: skip
    # row order: posts in order, each post's words in order (as one row per post gave)
    assert found["term"].tolist()[:2] == ["ırmak", "köprü"]
