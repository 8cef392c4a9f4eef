"""Erasure (GDPR art. 17) and retention: a person's rows, and raw posts past their retention
period, removed from a warehouse.

- :func:`erase_person`: the person's pseudonym is computed with the warehouse's key from the id
  the platform gives (``--source x --author-id 123``), and their rows are deleted: posts and
  their scores (a social source), survey answers (``survey``), or the observer's pseudonym on
  observation sessions (``observer``; the counts of what they observed stay). The pseudonym is
  kept in the ``erasures`` table, so rows of theirs in files ingested later are not stored
  (:func:`drop_erased`). Raw pages of the live sources (``landing/``) that hold the id are
  deleted (the posts of others on those pages stay in the canonical tables; only a rebuild
  from the landing folder would lack them). Nothing here records the raw id.
- :func:`prune_posts`: posts created before a date, and their scores, are deleted, the
  shortened raw copies of rows quarantined by runs before it are blanked, and the raw pages of
  the live sources fetched before it (``landing/``) are deleted. The warehouse records
  ``pruned_before``; every later run keeps the published cells of those months as they were
  (:func:`frozen_cells`), so pruning raw posts never changes the published aggregates of the
  months it emptied.

The callers (``barometer erase`` / ``prune``, via :func:`barometer.pipeline.republish`) hold
the write lock and republish afterwards. Tables are rewritten with
:meth:`~barometer.warehouse.Warehouse.replace`, which swaps the whole table atomically.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.exceptions import BarometerError
from barometer.live.landing import META_SUFFIX, PAGE_SUFFIX
from barometer.partitions import partitions_of_ids, post_partitions
from barometer.privacy import Pseudonymiser
from barometer.schema import (
    ERASURES,
    INDICATORS,
    OBSERVATIONS,
    POST_SCORES,
    POSTS,
    QUARANTINE,
    SURVEY_RESPONSES,
    Table,
)
from barometer.warehouse import Warehouse

#: the column holding a person's pseudonym, per canonical table
PERSON_COLUMNS = {
    POSTS.name: "author_pseudonym",
    SURVEY_RESPONSES.name: "respondent_pseudonym",
    OBSERVATIONS.name: "observer_pseudonym",
}
NON_SOCIAL = {"survey": SURVEY_RESPONSES, "observer": OBSERVATIONS}


def erased_pseudonyms(store: Warehouse) -> set[str]:
    """Pseudonyms of every person erased from this warehouse."""
    return set(store.read(ERASURES, columns=["pseudonym"])["pseudonym"])


def drop_erased(table: Table, rows: pd.DataFrame, erased: set[str]) -> tuple[pd.DataFrame, int]:
    """(``rows`` without the rows of erased people, how many were theirs). Observation sessions
    are kept with the observer's pseudonym removed."""
    column = PERSON_COLUMNS.get(table.name)
    if column is None or not erased or rows.empty:
        return rows, 0
    theirs = rows[column].isin(erased).to_numpy()
    if table.name == OBSERVATIONS.name:
        return rows.assign(**{column: rows[column].where(~theirs, None)}), int(theirs.sum())
    return rows[~theirs], int(theirs.sum())


def erase_person(
    store: Warehouse, pseudonymiser: Pseudonymiser, *, source: str, person_id: str
) -> dict[str, Any]:
    """Delete every row of one person; returns what was removed, by table.

    ``source`` is the namespace of the person's id: a social source as stored in
    ``posts.source`` (``x``, ``mastodon``, ``reddit``, ``telegram``, ``crowdtangle``, or a
    tabular source's name), ``survey`` (a respondent id) or ``observer`` (an observer's name).
    ``person_id`` is the id as the source writes it (X and Mastodon account ids, Reddit user
    names, Telegram ``from_id`` values such as ``user123``).
    """
    person_id = person_id.strip()
    if not person_id:
        raise BarometerError("give the person's id as the source writes it (--author-id)")
    sources = set(store.read(POSTS, columns=["source"])["source"])
    if source not in sources and source not in NON_SOCIAL:
        known = ", ".join(sorted(sources | set(NON_SOCIAL)))
        raise BarometerError(f"unknown source '{source}': this warehouse holds {known}")
    pseudonym = pseudonymiser.pseudonym(source, person_id)
    removed: dict[str, int] = {}
    if source in NON_SOCIAL:
        table = NON_SOCIAL[source]
        rows, removed[table.name] = drop_erased(table, store.read(table), {pseudonym})
        if removed[table.name]:
            store.replace(table, rows)
    else:
        posts = store.read(POSTS)
        theirs = (posts["author_pseudonym"] == pseudonym) & (posts["source"] == source)
        removed[POSTS.name] = int(theirs.sum())
        if removed[POSTS.name]:
            ids = set(posts.loc[theirs, "post_id"])
            scores = store.read(POST_SCORES)
            gone = scores["post_id"].isin(ids)
            removed[POST_SCORES.name] = int(gone.sum())
            _replace_posts(store, posts[~theirs], scores[~gone])
    needle = json.dumps(person_id).encode()
    removed["landing_pages"] = _delete_pages(store, lambda page: needle in page.read_bytes())
    now = pd.Timestamp(datetime.now(UTC))
    frame = pd.DataFrame({"namespace": [source], "pseudonym": [pseudonym], "erased_at": [now]})
    store.append(ERASURES, frame)
    return {"source": source, "removed": removed}


def prune_posts(store: Warehouse, before: date, timezone: str = "UTC") -> dict[str, Any]:
    """Delete posts created before midnight at the start of ``before`` on the city's clock
    (``timezone``, the config's: indicator months are the city's, so a pruned month is whole)
    and their scores, blank the raw copies of rows quarantined by runs before it, and record
    ``pruned_before``; returns the counts."""
    cutoff = pd.Timestamp(before).tz_localize(timezone)
    posts = store.read(POSTS)
    old = (posts["created_at"] < cutoff).to_numpy()
    removed = {POSTS.name: int(old.sum()), POST_SCORES.name: 0, "quarantine_raw": 0}
    stamp = before.strftime("%Y%m%d")
    removed["landing_pages"] = _delete_pages(store, lambda page: page.name[:8] < stamp)
    if old.any():
        ids = set(posts.loc[old, "post_id"])
        scores = store.read(POST_SCORES)
        gone = scores["post_id"].isin(ids)
        removed[POST_SCORES.name] = int(gone.sum())
        _replace_posts(store, posts[~old], scores[~gone])
    quarantine = store.read(QUARANTINE)
    stamps = pd.to_datetime(quarantine["run_id"].str[:15], format="%Y%m%dT%H%M%S", errors="coerce")
    blank = (stamps.dt.tz_localize("UTC") < cutoff).to_numpy() & (quarantine["raw"] != "")
    if blank.any():
        removed["quarantine_raw"] = int(blank.sum())
        store.replace(QUARANTINE, quarantine.assign(raw=quarantine["raw"].where(~blank, "")))
    previous = store.metadata().get("pruned_before")
    latest = max(before, date.fromisoformat(previous)) if previous else before
    store.update_metadata(pruned_before=latest.isoformat())
    return {"before": before.isoformat(), "removed": removed}


def _replace_posts(store: Warehouse, posts: pd.DataFrame, scores: pd.DataFrame) -> None:
    """Rewrite ``posts`` and ``post_scores``, each row in its partition (a score in its
    post's, :mod:`barometer.partitions`)."""
    store.replace(POSTS, posts, partitions=post_partitions(posts))
    store.replace(POST_SCORES, scores, partitions=partitions_of_ids(posts, scores["post_id"]))


def _delete_pages(store: Warehouse, doomed: Callable[[Path], bool]) -> int:
    """Delete the landed pages (and their meta files) for which ``doomed(page)``; how many.
    Page names start with the UTC time they were fetched (``20261130T060102...``)."""
    deleted = 0
    for page in sorted((store.root / "landing").glob(f"*/*/*{PAGE_SUFFIX}")):
        if doomed(page):
            page.with_name(page.name.removesuffix(PAGE_SUFFIX) + META_SUFFIX).unlink(
                missing_ok=True
            )
            page.unlink()
            deleted += 1
    return deleted


def pruned_before(store: Warehouse) -> date | None:
    """The latest date raw posts were pruned before, or ``None``."""
    value = store.metadata().get("pruned_before")
    return date.fromisoformat(value) if value else None


def frozen_cells(store: Warehouse) -> pd.DataFrame | None:
    """The stored indicator cells of months before ``pruned_before`` (kept as published)."""
    cutoff = pruned_before(store)
    if cutoff is None:
        return None
    stored = store.read(INDICATORS)
    return stored[pd.to_datetime(stored["period_start"]).dt.date < cutoff]


def frozen_coverage(
    coverage: pd.DataFrame, published: pd.DataFrame, cutoff: date | None
) -> pd.DataFrame:
    """``coverage`` with the published social rows of months before ``cutoff`` kept."""
    if cutoff is None or published.empty:
        return coverage
    old = published[
        (published["source"] == "social")
        & (pd.to_datetime(published["period_start"]).dt.date < cutoff)
    ]
    old = old.assign(period_start=pd.to_datetime(old["period_start"]).dt.date)
    months = pd.to_datetime(coverage["period_start"]).dt.date
    recomputed = (coverage["source"] == "social") & (months < cutoff)
    return pd.concat([coverage[~recomputed], old[coverage.columns]], ignore_index=True)
