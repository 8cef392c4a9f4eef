"""The aggregate step: per-partition summaries of the posts (on the run's engine, cached per
partition), the other dimensions' tables, and every derived table to publish."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from barometer.aggregate.cell_stats import empty_cell_stats
from barometer.aggregate.interval_cache import INTERVAL_DIR, IntervalCache
from barometer.aggregate.merged_cells import MERGED_DIR, MergedCells
from barometer.aggregate.post_summaries import PostSummaries, merge_summaries, term_window_start
from barometer.audit.validity import model_validity_table
from barometer.blas_threads import one_blas_thread
from barometer.derive import SourceTables, derive_indicators
from barometer.engine.tasks import summarise, summarise_terms
from barometer.erasure import frozen_cells
from barometer.partitions import month_of
from barometer.pipeline.score import summary_cache
from barometer.pipeline.state import Run
from barometer.schema import (
    OBSERVATIONS,
    POPULATION_MARGINS,
    POST_SCORES,
    POSTS,
    SENSOR_READINGS,
    SURVEY_RESPONSES,
    empty_frame,
)
from barometer.scoring import model_versions


@one_blas_thread
def aggregate_indicators(run: Run) -> None:
    """The ``indicators`` table and the other derived tables, kept in ``run.derived``
    (``indicators`` among them); warns about derived steps that could not be computed."""
    indicators, derived = _indicators(run)
    summary = derived.get("nowcast_summary")
    if run.config.sources.survey is not None and summary is not None and not summary.empty:
        method = str(summary["method"].iloc[0])
        if method.startswith("not fitted"):
            run.warn(f"nowcast skipped: {method.removeprefix('not fitted: ')}")
    run.derived = {"indicators": indicators, **derived}


def _summaries(run: Run, versions: dict[str, str]) -> PostSummaries:
    """The posts' summaries of every partition: cached ones loaded, the rest computed on the
    run's engine and cached."""
    cache = summary_cache(run)
    partitions = run.store.partitions(POSTS)
    found = {p: cache.load(p, cell_stats=False) for p in partitions}
    todo = [p for p, summary in found.items() if summary is None]
    root = run.engine.worker_root(run.store, (POSTS, POST_SCORES)) if todo else ""
    results = run.engine.map(summarise, todo, root, versions, run.config.timezone)
    for partition, summary in zip(todo, results, strict=True):
        cache.save(partition, summary)
        found[partition] = replace(summary, cell_stats=empty_cell_stats())  # kept on disk
    run.partitions_read["summarised"] = len(todo)
    parts = [s for s in found.values() if s is not None]
    cache.keep_only(partitions)
    # the small summaries merged here; cell_stats merged out of core where they are read
    # (city months: a cell may span two UTC months)
    merged = merge_summaries(parts)
    settings = run.config.indicators
    paths = [cache.cell_stats_path(p) for p in partitions]
    kept = MergedCells(cache.root / MERGED_DIR, {cache.cell_stats_path(p): cache.fingerprint(p)
                                                 for p in partitions})  # fmt: skip
    intervals = IntervalCache(
        cache.root / INTERVAL_DIR, settings.bootstrap_reps, settings.level, merged=kept
    )
    return replace(merged, cell_stats=paths, intervals=intervals)


def _indicators(run: Run) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The ``indicators`` table and the other derived tables to publish. Posts are read
    one partition at a time into their summaries
    (:mod:`barometer.aggregate.post_summaries`); texts only of the months the term
    shifts compare, once per partition into its term summary."""
    settings = run.config.indicators
    versions = model_versions(run.unavailable)
    summaries = _summaries(run, versions)
    store = run.store
    sources = SourceTables(
        posts=empty_frame(POSTS),
        scores=empty_frame(POST_SCORES),
        responses=store.read(SURVEY_RESPONSES),
        readings=store.read(SENSOR_READINGS),
        sessions=store.read(OBSERVATIONS),
        margins=store.read(POPULATION_MARGINS) if settings.rake_survey else None,
        model_validity=model_validity_table(versions),
        summaries=summaries,
        terms=_term_parts(run, summaries),
    )
    skipped: list[str] = []
    out = derive_indicators(
        sources, run.config, run.run_id, frozen=frozen_cells(store), skipped=skipped
    )
    for reason in skipped:
        run.warn(reason)
    if summaries.intervals is not None:
        run.bootstrap_cells = {
            "drawn": summaries.intervals.drawn,
            "reused": summaries.intervals.reused,
        }
        if summaries.intervals.merged is not None:
            merged = summaries.intervals.merged
            run.merged_cells = {"merged": merged.merged, "reused": merged.reused}
    return out


def _term_parts(run: Run, summaries: PostSummaries) -> list[Path]:
    """The term summaries of the partitions of the months the term shifts compare, built (on
    the run's engine) and cached for those that have none current."""
    start = term_window_start(summaries.coverage)
    if start is None:
        return []
    # partitions are UTC months: the month before may hold the window's first local hours
    first = f"{start - pd.DateOffset(months=1):%Y-%m}"
    months = {p: month_of(p) for p in run.store.partitions(POSTS)}
    wanted = [p for p, month in months.items() if month is None or month >= first]
    cache = summary_cache(run)
    lemmas = run.config.indicators.term_lemmas
    found = {p: cache.terms_path(p, lemmas) for p in wanted}
    todo = [p for p, path in found.items() if path is None]
    root = run.engine.worker_root(run.store, (POSTS,)) if todo else ""
    results = run.engine.map(summarise_terms, todo, root, run.config.timezone, lemmas)
    for partition, terms in zip(todo, results, strict=True):
        found[partition] = cache.save_terms(partition, terms, lemmas)
    run.partitions_read["terms"] = len(todo)
    return [path for path in found.values() if path is not None]
