"""Runs the steps in order from a config: ingest -> enrich -> score -> aggregate -> indicators
-> publish, as a declared list (:data:`barometer.pipeline.steps.STEPS`) that the run's engine
takes in order.

Incremental: an input file whose SHA-256 an earlier run already ingested is not read again, and
only posts without scores from the active model versions are scored. Idempotent: re-running on the
same inputs adds no row and republishes the same numbers (all resampling is seeded).

Safe to interrupt and to repeat: the config, the key and every source's file list are checked
before the warehouse folder is touched; the run holds the warehouse's write lock throughout; a
file that cannot be read or stored is that file's error (recorded in the manifest, retried by
the next run) and the other files go on; a step that cannot be computed is skipped with a
warning. A run killed at any point leaves the warehouse as the last completed write left it,
and the next run finishes the work.

Modules: :mod:`~barometer.pipeline.state` (the run's state and report),
:mod:`~barometer.pipeline.files` (input-file bookkeeping), :mod:`~barometer.pipeline.social`
and :mod:`~barometer.pipeline.ingest` (the ingest steps), :mod:`~barometer.pipeline.score`,
:mod:`~barometer.pipeline.indicators` (aggregate), :mod:`~barometer.pipeline.manifest`
(publish and the manifest), :mod:`~barometer.pipeline.steps` (the declared lists) and
:mod:`~barometer.pipeline.runs` (the four kinds of run).
"""

from __future__ import annotations

from barometer.pipeline.runs import republish, run_fetch, run_ingest, run_pipeline
from barometer.pipeline.social import SOCIAL_READERS, social_reader_options
from barometer.pipeline.state import RunReport, code_version
from barometer.pipeline.steps import STEPS, Step

__all__ = [
    "SOCIAL_READERS",
    "STEPS",
    "RunReport",
    "Step",
    "code_version",
    "republish",
    "run_fetch",
    "run_ingest",
    "run_pipeline",
    "social_reader_options",
]
