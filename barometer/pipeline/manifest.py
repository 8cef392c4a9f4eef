"""The publish step and the run's manifest: the indicators stored (kept as they were when
their numbers did not change), every published table built and written to DuckDB, and the
manifest that records what the run read, wrote and how long each step took."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from barometer.blas_threads import one_blas_thread
from barometer.erasure import frozen_coverage, pruned_before
from barometer.impact.tables import impact_tables
from barometer.pipeline.state import Run, code_version
from barometer.publish import build_published
from barometer.read import table as published_table
from barometer.run_plan import missing_sources
from barometer.schema import NEIGHBOURHOODS, QUARANTINE, TABLES, to_arrow
from barometer.scoring import model_versions
from barometer.warehouse import Warehouse


def manifest(run: Run, finished: bool) -> dict[str, Any]:
    """The run's manifest as it stands (``finished``: with the finishing time)."""
    config, store = run.config, run.store
    return {
        "run_id": run.run_id,
        "pipeline": config.name,
        "started_at": run.started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat() if finished else None,
        "code_version": code_version(),
        "config": config.model_dump(mode="json", exclude_unset=True),
        "demo_key": run.key.demo,
        "key_fingerprint": run.key.fingerprint,
        "model_versions": model_versions(run.unavailable),
        "tasks_not_scored": dict(run.unavailable),
        "inputs": run.inputs,
        "sources_missing": run.carried_missing
        if run.carried_missing is not None
        else missing_sources(config, run.inputs, {n: store.count(t) for n, t in TABLES.items()}),
        "warnings": list(run.warnings),
        "new_rows": run.new_rows,
        "step_seconds": dict(run.step_seconds),
        "ingest_workers": run.ingest_workers,
        "partitions_read": dict(run.partitions_read),
        "bootstrap_cells": dict(run.bootstrap_cells),
        "merged_cells": dict(run.merged_cells),
        "row_counts": {name: store.count(table) for name, table in TABLES.items()},
        **({"fetch": run.fetch_report.to_dict()} if run.fetch_report is not None else {}),
    }


@one_blas_thread
def publish(run: Run) -> None:
    """Store the indicators, build every published table from ``run.derived`` (see
    :mod:`barometer.pipeline.indicators`) and the manifest, and publish them; the manifest
    is kept in ``run.manifest`` for :func:`write_manifest`."""
    store, derived = run.store, dict(run.derived)
    indicators = _keep_stored_if_unchanged(store, derived.pop("indicators"))
    store.replace(TABLES["indicators"], indicators)
    run.manifest = manifest(run, finished=True)
    coverage = derived.pop("coverage")
    cutoff = pruned_before(store)
    if cutoff is not None and store.duckdb_path.is_file():
        coverage = frozen_coverage(coverage, published_table(store.root, "coverage"), cutoff)
    published = build_published(
        indicators=indicators,
        neighbourhoods=store.read(NEIGHBOURHOODS),
        coverage=coverage,
        quarantine=store.read(QUARANTINE),
        config=run.config,
        manifest=run.manifest,
    )
    published.update(derived)
    published.update(_impact(run, indicators))
    run.manifest["warnings"] = list(run.warnings)
    store.publish(published)


def write_manifest(run: Run, steps: list[str] | None = None, **details: Any) -> dict[str, Any]:
    """Write the run's manifest (the one :func:`publish` built, with the publish time, or a
    fresh one for a run that publishes nothing), with ``steps`` and ``details`` when given;
    returns it."""
    if run.manifest:
        run.manifest["step_seconds"] = dict(run.step_seconds)
    else:
        run.manifest = manifest(run, finished=True)
    if steps is not None:
        run.manifest["steps"] = steps
    run.manifest.update(details)
    run.store.write_manifest(run.manifest)
    return run.manifest


def _impact(run: Run, indicators: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The impact tables, or none (with a warning) when they cannot be computed."""
    try:
        return impact_tables(indicators, run.config.actions, seed=run.config.indicators.seed)
    except Exception as exc:
        run.warn(f"impact of the actions not evaluated ({type(exc).__name__}: {exc})")
        return {}


def _keep_stored_if_unchanged(store: Warehouse, fresh: pd.DataFrame) -> pd.DataFrame:
    """Return the stored indicators when ``fresh`` has the same numbers (only the run id
    differs), so that re-running on the same inputs changes nothing."""
    stored = store.read(TABLES["indicators"])
    fresh = to_arrow(fresh.reset_index(drop=True), TABLES["indicators"]).to_pandas()
    columns = [c for c in fresh.columns if c != "run_id"]
    if len(stored) == len(fresh) and stored[columns].reset_index(drop=True).equals(
        fresh[columns].reset_index(drop=True)
    ):
        return stored
    return fresh
