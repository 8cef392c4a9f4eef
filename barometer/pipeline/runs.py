"""The four kinds of run, each a declared list of steps (:mod:`barometer.pipeline.steps`) on
one warehouse under its write lock: ``run`` (everything), ``ingest`` (inputs only), ``fetch``
(live sources only) and a republish after a change (``erase``, ``prune``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from barometer.config import PipelineConfig
from barometer.engine import Engine
from barometer.exceptions import WarehouseError
from barometer.live.fetch import FetchOptions
from barometer.model_store import use_models_dir
from barometer.pipeline.manifest import write_manifest
from barometer.pipeline.state import Run, RunReport
from barometer.pipeline.steps import (
    FETCH_STEPS,
    INGEST_STEPS,
    REPUBLISH_STEPS,
    STEPS,
    Step,
    run_steps,
)
from barometer.privacy import Pseudonymiser
from barometer.run_plan import plan_run
from barometer.warehouse import Warehouse


def _root(config: PipelineConfig, warehouse: Path | None) -> Path:
    return Path(warehouse) if warehouse is not None else config.resolve(config.store.path)


def run_pipeline(
    config: PipelineConfig,
    *,
    warehouse: Path | None = None,
    console: Console | None = None,
    show_progress: bool = True,
    allow_demo_key: bool = False,
    fetch: FetchOptions | None = None,
    engine: Engine | None = None,
    ingest_workers: int | None = None,
) -> RunReport:
    """Run every step of ``config`` into ``warehouse`` (default: the config's store path).

    With ``fetch``, the live sources (``[[sources.live]]``) are fetched first. ``engine``:
    where the per-partition score and aggregate tasks run (default: this process,
    :mod:`barometer.engine`); the caller closes it. ``ingest_workers``: processes reading and
    enriching the social files (default ``[run] ingest_workers``).
    ``allow_demo_key`` lets ``demo_key = true`` build from files that are not marked synthetic
    (:mod:`barometer.keys`); the manifest records it either way.
    """
    console = console or Console(stderr=True)
    root = _root(config, warehouse)
    plan = plan_run(config, root, allow_demo_key=allow_demo_key)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with (
        use_models_dir(config.models_dir()),
        Warehouse.open_for_writing(root) as store,
        Progress(*columns, console=console, disable=not show_progress) as progress,
    ):
        run = Run(plan, store, console, engine, progress)
        run.fetch_options = fetch
        run.ingest_workers = ingest_workers or run.ingest_workers
        run_steps(run, STEPS)
        manifest = write_manifest(run)
    return RunReport(run.run_id, root, manifest, run.new_rows, run.fetch_report)


def run_ingest(
    config: PipelineConfig,
    *,
    warehouse: Path | None = None,
    console: Console | None = None,
    allow_demo_key: bool = False,
    ingest_workers: int | None = None,
) -> RunReport:
    """Ingest, enrich and store the inputs of ``config`` only (no scoring, no indicators);
    ``ingest_workers`` as in :func:`run_pipeline`.

    Prints ``read = accepted + duplicates + quarantined`` per file and one line per file that
    cannot be read; writes a run manifest, so a later ``run`` does not read the files again.
    """
    console = console or Console(stderr=True)
    root = _root(config, warehouse)
    plan = plan_run(config, root, allow_demo_key=allow_demo_key)
    with Warehouse.open_for_writing(root) as store:
        run = Run(plan, store, console)
        run.ingest_workers = ingest_workers or run.ingest_workers
        run_steps(run, INGEST_STEPS)
        manifest = write_manifest(run, steps=["ingest"])
    return RunReport(run.run_id, root, manifest, run.new_rows)


def republish(
    config: PipelineConfig,
    change: Callable[[Warehouse, Pseudonymiser], dict[str, Any]],
    *,
    step: str,
    warehouse: Path | None = None,
    console: Console | None = None,
    allow_demo_key: bool = False,
) -> RunReport:
    """Apply ``change`` to an existing warehouse under its write lock (``change`` gets the store
    and the pseudonymiser of the warehouse's key, and returns what it did), then recompute and
    publish everything; the manifest records the change under ``step``. Used by
    ``barometer erase`` and ``barometer prune``; input files are not read.
    """
    console = console or Console(stderr=True)
    root = _root(config, warehouse)
    previous = Warehouse(root).manifests()
    if not previous:
        raise WarehouseError(f"no barometer has been built in {root}; nothing to {step}")
    plan = plan_run(config, root, allow_demo_key=allow_demo_key, need_inputs=False)
    details: dict[str, Any] = {}

    def apply_change(run: Run) -> None:
        details.update(change(run.store, run.pseudonymiser))
        run.carried_missing = previous[-1].get("sources_missing", [])

    changing = Step(step, apply_change, reads=("posts",), writes=("erasures",))
    with Warehouse.open_for_writing(root) as store:
        run = Run(plan, store, console)
        run_steps(run, (changing, *REPUBLISH_STEPS))
        manifest = write_manifest(run, steps=[step, "publish"], **{step: details})
    return RunReport(run.run_id, root, manifest, run.new_rows)


def run_fetch(
    config: PipelineConfig,
    *,
    warehouse: Path | None = None,
    console: Console | None = None,
    options: FetchOptions | None = None,
    allow_demo_key: bool = False,
) -> RunReport:
    """Fetch the live sources of ``config`` into ``warehouse`` and store their posts (no
    scoring, no indicators); writes a run manifest with a ``fetch`` section. Holds the
    warehouse's write lock, like every writer."""
    console = console or Console(stderr=True)
    root = _root(config, warehouse)
    plan = plan_run(config, root, allow_demo_key=allow_demo_key, need_inputs=False)
    with Warehouse.open_for_writing(root) as store:
        run = Run(plan, store, console)
        run.fetch_options = options or FetchOptions()
        run_steps(run, FETCH_STEPS)
        manifest = write_manifest(run, steps=["fetch"])
    return RunReport(run.run_id, root, manifest, run.new_rows, run.fetch_report)
