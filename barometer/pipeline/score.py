"""The score step: the posts without a row of each task's active model version, one
partition at a time, on the run's engine."""

from __future__ import annotations

from barometer.engine.tasks import score_partition
from barometer.model_store import city_models_dir
from barometer.pipeline.state import Run
from barometer.schema import POST_SCORES, POSTS
from barometer.scoring import active_gates, model_versions
from barometer.summary_cache import SummaryCache


def score_posts(run: Run) -> None:
    """Score, per task, the posts without a row of that task's active model version, one
    partition of posts at a time (:func:`barometer.engine.tasks.score_partition`, run by
    the run's engine): memory holds one partition's posts and scores, whatever the number
    of posts. Partitions left fully scored by an earlier run, and unchanged since, are not
    read (:mod:`barometer.summary_cache`)."""
    cache = summary_cache(run)
    partitions = run.store.partitions(POSTS)
    todo = [p for p in partitions if not cache.is_scored(p)]
    lexicon_dir = str(run.lexicon_dir) if run.lexicon_dir is not None else None
    models_dir = city_models_dir()  # the config's folder, for workers in other processes
    root = run.engine.worker_root(run.store, (POSTS, POST_SCORES)) if todo else ""
    results = run.engine.map(
        score_partition,
        todo,
        root,
        lexicon_dir,
        frozenset(run.unavailable),
        str(models_dir) if models_dir else None,
    )
    for partition, rows in zip(todo, results, strict=True):
        run.new_rows["post_scores"] += run.store.append(POST_SCORES, rows, partition=partition)
        run.store.release_keys(POST_SCORES, partition)
        cache.mark_scored(partition)
    run.partitions_read["scored"] = len(todo)
    run.partitions_read["total"] = len(partitions)


def summary_cache(run: Run) -> SummaryCache:
    """The per-partition records of this warehouse for the active models."""
    return SummaryCache(
        run.store, model_versions(run.unavailable), active_gates(), run.config.timezone
    )
