"""The per-partition work of the score and aggregate steps, as plain functions of the
warehouse's root and a partition name, so that any engine can run them where the data is
(:mod:`barometer.engine.local` in this process, :mod:`barometer.engine.dask` on a cluster's
workers). The root is a folder path or an fsspec URL (``s3://bucket/warehouse``: the driver's
warehouse as the workers see it, :mod:`barometer.warehouse_view`). They only read; the
driver, which holds the writers' lock, stores what they return.

Models are loaded once per process and set of active models (:func:`scorer`), however many
partitions it scores; the city's models folder travels with each task, so a worker on another
machine reads the same models as the driver.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import cache
from pathlib import Path

import pandas as pd

from barometer.aggregate.cells import in_zone
from barometer.aggregate.post_summaries import (
    SUMMARY_COLUMNS,
    PartitionSummary,
    summarise_partition,
)
from barometer.aggregate.terms import author_terms
from barometer.batch_scoring import SCORE_BATCH, BatchScorer, score_missing
from barometer.ids import isin_ids
from barometer.model_store import city_models_dir, use_models_dir
from barometer.schema import POST_SCORES, POSTS
from barometer.scoring import current_scores, model_versions
from barometer.warehouse_view import WarehouseView

#: columns of ``posts`` the term summary reads
TERM_COLUMNS = ["author_pseudonym", "neighbourhood_id", "lang", "created_at", "text", "is_repost"]

_SCORE_COLUMNS = ["post_id", "task", "model_version", "label"]


def scorer(lexicon_dir: str | None, skip: frozenset[str]) -> BatchScorer:
    """The batch scorer of the active models, built once per process for each models folder
    and set of active versions (a model activated, or a city folder used, between two runs of
    one process gets a scorer of its own, loaded and verified from its files)."""
    folder = city_models_dir()
    versions = tuple(sorted(model_versions(skip).items()))
    return _scorer(lexicon_dir, skip, str(folder) if folder else None, versions)


@cache
def _scorer(
    lexicon_dir: str | None,
    skip: frozenset[str],
    models_dir: str | None,
    versions: tuple[tuple[str, str], ...],
) -> BatchScorer:
    return BatchScorer(lexicon_dir=Path(lexicon_dir) if lexicon_dir else None, skip=skip)


def release_scorers() -> None:
    """Drop this process's batch scorers (their models and their token caches, which grow
    with the vocabulary, up to two million words and bigrams), once the
    score step is done; :func:`scorer` builds one again on its next use."""
    _scorer.cache_clear()


def partition_scores(store: WarehouseView, partition: str, post_ids: pd.Series) -> pd.DataFrame:
    """The stored scores of one partition's posts (and of its posts scored before partitions,
    at the table's top level)."""
    scores = store.read(POST_SCORES, partition)
    if partition and store.parts(POST_SCORES, ""):
        legacy = store.read(POST_SCORES, "")
        scores = pd.concat([scores, legacy[isin_ids(legacy["post_id"], post_ids)]])
    return scores


def score_partition(
    partition: str,
    root: str,
    lexicon_dir: str | None,
    skip: frozenset[str],
    models_dir: str | None = None,
) -> pd.DataFrame:
    """The new ``post_scores`` rows of one partition: for each of its posts, the tasks with no
    row of their active model version yet (every task for a new post; one task after its new
    model version is activated), scored by :func:`~barometer.batch_scoring.score_missing`.
    ``models_dir``: the city's models folder the driver uses (None: this process's own
    default)."""
    with use_models_dir(models_dir) if models_dir else nullcontext():
        store = WarehouseView(root)
        posts = store.read(POSTS, partition, ["post_id", "text", "lang"], required=True)
        scored = partition_scores(store, partition, posts["post_id"])[_SCORE_COLUMNS]
        return score_missing(scorer(lexicon_dir, skip), posts, scored, batch_size=SCORE_BATCH)


def summarise(
    partition: str, root: str, versions: dict[str, str], timezone: str
) -> PartitionSummary:
    """The :class:`PartitionSummary` of one partition's posts and current scores, in the
    city's months (``timezone``: the config's, see :func:`barometer.aggregate.cells.in_zone`)."""
    store = WarehouseView(root)
    posts = in_zone(
        store.read(POSTS, partition, SUMMARY_COLUMNS, required=True), "created_at", timezone
    )
    scores = partition_scores(store, partition, posts["post_id"])
    return summarise_partition(posts, current_scores(scores, versions))


def summarise_terms(partition: str, root: str, timezone: str, lemmas: bool) -> pd.DataFrame:
    """The term summary (:func:`barometer.aggregate.terms.author_terms`) of one partition's
    posts, in the city's months; ``lemmas``: the config's ``term_lemmas``."""
    store = WarehouseView(root)
    posts = in_zone(
        store.read(POSTS, partition, TERM_COLUMNS, required=True), "created_at", timezone
    )
    return author_terms(posts, lemmas=lemmas)
