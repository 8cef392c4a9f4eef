"""The pipeline's steps, declared: what each one runs, what it reads and what it writes, in
the order a run takes them. The engine (:meth:`barometer.engine.Engine.run_steps`) runs the
list; it also decides where the per-partition work of the score and aggregate steps runs
(this process, or a Dask cluster's workers).

Names in ``reads`` and ``writes`` are warehouse tables (:data:`barometer.schema.TABLES`),
``input:<kind>`` for the files and services the config names, and ``derived`` (the
indicators and every derived table, held in memory between the aggregate and the publish
step) and ``published`` (the DuckDB tables the app reads).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from barometer.engine.tasks import release_scorers
from barometer.nlp.detectors import release_detectors
from barometer.pipeline.indicators import aggregate_indicators
from barometer.pipeline.ingest import (
    ingest_observation,
    ingest_reference,
    ingest_sensing,
    ingest_survey,
)
from barometer.pipeline.manifest import publish
from barometer.pipeline.score import score_posts
from barometer.pipeline.social import fetch_live, ingest_social
from barometer.pipeline.state import Run


def _always(run: Run) -> bool:
    return True


#: Posts (or post scores) a run must store for the ingest step to drop the language detectors
#: and the score step the batch scorers once they are done (about 240 MiB together, most of it
#: lingua's ten language models; ``bench/bench_step_release.py``). Below it the models stay
#: loaded for the process's next run: loading them again takes 2 to 5 s.
RELEASE_MODELS_FROM_POSTS = 100_000


def _large(run: Run) -> bool:
    stored = max(run.new_rows.get("posts", 0), run.new_rows.get("post_scores", 0))
    return stored >= RELEASE_MODELS_FROM_POSTS


def _drop_detectors(run: Run) -> None:
    """After ``ingest social`` of a large run: language ID is done (lingua's models, fastText,
    the evidence cache)."""
    if _large(run):
        release_detectors()


def _drop_scorers(run: Run) -> None:
    """After ``score posts`` of a large run: the aggregate step scores nothing."""
    if _large(run):
        release_scorers()


def _fetching(run: Run) -> bool:
    return run.fetch_options is not None and bool(run.config.sources.live)


@dataclass(frozen=True)
class Step:
    """One step of a run: ``function(run)``, timed under ``name`` in the manifest's
    ``step_seconds``, advancing the progress bar ``bar`` (None: none, or a bar of its own)
    when it is done; skipped when ``when(run)`` is false. ``releases(run)``: drops what the
    step loaded and no later step needs (models and their caches), before the step's memory
    is handed back (:func:`barometer.memory_release.release_memory`); a later use rebuilds
    it."""

    name: str
    function: Callable[[Run], object]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    bar: str | None = None
    when: Callable[[Run], bool] = _always
    releases: Callable[[Run], None] | None = None

    def applies(self, run: Run) -> bool:
        """Whether this run takes the step."""
        return self.when(run)

    def run(self, run: Run) -> None:
        """Run the step on ``run``: timed, then its bar advanced."""
        bar = run.bar(self.bar) if self.bar else None
        run.timed(self.name, lambda: self._run_and_release(run))
        if bar is not None:
            run.progress.advance(bar)

    def _run_and_release(self, run: Run) -> None:
        self.function(run)
        if self.releases is not None:
            self.releases(run)


_PUBLISH_BAR = "aggregate, indicators and publish"

REFERENCE = Step(
    "ingest reference",
    ingest_reference,
    reads=("input:boundaries", "input:margins"),
    writes=("neighbourhoods", "population_margins"),
)
FETCH = Step(
    "fetch live sources",
    fetch_live,
    reads=("input:live",),
    writes=("posts", "quarantine"),
    when=_fetching,
)
SOCIAL = Step(
    "ingest social",
    ingest_social,
    reads=("input:social",),
    writes=("posts", "quarantine"),
    releases=_drop_detectors,
)
SURVEY = Step(
    "ingest survey",
    ingest_survey,
    reads=("input:survey",),
    writes=("survey_responses", "quarantine"),
    bar="ingest survey",
)
SENSING = Step(
    "ingest sensing",
    ingest_sensing,
    reads=("input:sensing",),
    writes=("sensor_readings", "quarantine"),
    bar="ingest sensing",
)
OBSERVATION = Step(
    "ingest observation",
    ingest_observation,
    reads=("input:observation",),
    writes=("observations", "quarantine"),
    bar="ingest observation",
)
SCORE = Step(
    "score posts",
    score_posts,
    reads=("posts", "post_scores"),
    writes=("post_scores",),
    bar="score posts",
    releases=_drop_scorers,
)
AGGREGATE = Step(
    "aggregate and indicators",
    aggregate_indicators,
    reads=(
        "posts", "post_scores", "survey_responses", "sensor_readings", "observations",
        "population_margins", "erasures",
    ),
    writes=("derived",),
    bar=_PUBLISH_BAR,
)  # fmt: skip
PUBLISH = Step(
    "publish",
    publish,
    reads=("derived", "indicators", "neighbourhoods", "quarantine"),
    writes=("indicators", "published"),
    bar=_PUBLISH_BAR,
)

#: ``barometer run``: every step, in order
STEPS: tuple[Step, ...] = (
    REFERENCE, FETCH, SOCIAL, SURVEY, SENSING, OBSERVATION, SCORE, AGGREGATE, PUBLISH,
)  # fmt: skip
#: ``barometer ingest``: the inputs only
INGEST_STEPS: tuple[Step, ...] = (REFERENCE, SOCIAL, SURVEY, SENSING, OBSERVATION)
#: ``barometer fetch``: the live sources only (fetched whatever the run's options)
FETCH_STEPS: tuple[Step, ...] = (REFERENCE, replace(FETCH, when=_always))
#: after a change to the warehouse (``erase``, ``prune``): recompute and publish
REPUBLISH_STEPS: tuple[Step, ...] = (AGGREGATE, PUBLISH)


def run_steps(run: Run, steps: Sequence[Step]) -> None:
    """Run ``steps`` on ``run`` through the run's engine, in their order."""
    run.bar_units = dict(Counter(s.bar for s in steps if s.bar is not None and s.applies(run)))
    run.engine.run_steps(steps, run)
