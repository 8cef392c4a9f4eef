"""Runs the steps in order from a config: ingest -> enrich -> score -> aggregate -> indicators
-> publish.

Incremental: an input file whose SHA-256 an earlier run already ingested is not read again, and
only posts without scores from the active model versions are scored. Idempotent: re-running on the
same inputs adds no row and republishes the same numbers (all resampling is seeded).
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import barometer
from barometer.audit.validity import model_validity_table
from barometer.config import PipelineConfig, SocialSource
from barometer.derive import SourceTables, derive_indicators
from barometer.enrich import (
    enrich_observations,
    enrich_posts,
    enrich_sensor_readings,
    enrich_survey,
)
from barometer.exceptions import InputError
from barometer.geo import Boundaries, Gazetteer, load_boundaries
from barometer.impact.tables import impact_tables
from barometer.ingest.base import IngestResult
from barometer.ingest.observation import read_kobo_sessions, read_sites
from barometer.ingest.pldp import read_pldp_sessions
from barometer.ingest.sensing import read_footfall_long, read_footfall_wide, read_sensor_metadata
from barometer.ingest.social import (
    read_crowdtangle,
    read_mastodon,
    read_reddit,
    read_tabular,
    read_telegram,
    read_x_v2,
)
from barometer.ingest.survey import load_codebook, read_survey
from barometer.live.fetch import FetchOptions, FetchReport, fetch_sources
from barometer.live.landing import LandedPage
from barometer.privacy import Pseudonymiser, load_key
from barometer.publish import build_published
from barometer.schema import (
    NEIGHBOURHOODS,
    OBSERVATIONS,
    POPULATION_MARGINS,
    POST_SCORES,
    POSTS,
    QUARANTINE,
    SENSOR_READINGS,
    SURVEY_RESPONSES,
    TABLES,
    Table,
    to_arrow,
)
from barometer.scoring import (
    BatchScorer,
    city_lexicon_dir,
    current_scores,
    gate,
    model_versions,
    score_task,
    unavailable_tasks,
)
from barometer.warehouse import Warehouse, file_sha256

_T = TypeVar("_T")
SCORE_BATCH = 20_000  # posts per scoring batch: bounds memory on large imports

SOCIAL_READERS: dict[str, Callable[..., IngestResult]] = {
    "x_v2": read_x_v2,
    "mastodon": read_mastodon,
    "reddit": read_reddit,
    "crowdtangle": read_crowdtangle,
    "telegram": read_telegram,
    "tabular": read_tabular,
}


def social_reader_options(source: SocialSource, pipeline_timezone: str) -> dict[str, Any]:
    """The keyword arguments the source's reader takes from its config section."""
    if source.format in ("crowdtangle", "tabular"):
        options: dict[str, Any] = {
            "timezone_abbreviations": dict(source.timezone_abbreviations),
            "decimal_separator": source.decimal_separator,
        }
        if source.format == "tabular":
            options["mapping"] = source.column_mapping
        return options
    if source.format == "telegram":
        options = {"timezone": source.timezone or pipeline_timezone}
        if source.chat_types is not None:
            options["chat_types"] = tuple(source.chat_types)
        return options
    if source.format == "mastodon":
        return {"server": source.server}
    return {}


@dataclass
class RunReport:
    """What a run did: its manifest and where the warehouse is."""

    run_id: str
    warehouse: Path
    manifest: dict[str, Any]
    new_rows: dict[str, int] = field(default_factory=dict)
    fetch: FetchReport | None = None


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    return f"{barometer.__version__}+{commit}" if commit else barometer.__version__


def _input_entry(path: Path, source: str) -> dict[str, Any]:
    return {
        "source": source,
        "path": str(path),
        "sha256": file_sha256(path),
        "bytes": path.stat().st_size,
    }


class _Run:
    """State of one pipeline run (kept out of the public API)."""

    def __init__(self, config: PipelineConfig, store: Warehouse, console: Console) -> None:
        self.config = config
        self.store = store
        self.console = console
        self.started = datetime.now(UTC)
        stamp = self.started.strftime("%Y%m%dT%H%M%S")
        self.run_id = f"{stamp}-{hashlib.sha256(stamp.encode()).hexdigest()[:6]}"
        self.inputs: list[dict[str, Any]] = []
        self.step_seconds: dict[str, float] = {}
        self.new_rows: dict[str, int] = {name: 0 for name in TABLES}
        self.seen = store.seen_input_hashes()
        privacy = config.privacy
        key_file = config.resolve(privacy.key_file) if privacy.key_file else None
        self.pseudonymiser = Pseudonymiser(
            load_key(env_var=privacy.key_env, key_file=key_file, demo=privacy.demo_key)
        )
        self.boundaries: Boundaries = load_boundaries(config.resolve(config.boundaries.path))
        self.gazetteer = Gazetteer(self.boundaries)
        self.fetch_report: FetchReport | None = None
        #: tasks this run cannot score -> why (e.g. sentiment without its lexicon packages)
        self.unavailable = unavailable_tasks()
        for task, why in self.unavailable.items():
            console.print(f"[bold yellow]warning:[/] {task} not scored: {why}", highlight=False)
        configured = config.nlp.lexicon_dir
        self.lexicon_dir, lexicon_warning = city_lexicon_dir(
            config.resolve(configured) if configured is not None else None
        )
        if lexicon_warning:
            console.print(f"[bold yellow]warning:[/] {lexicon_warning}", highlight=False)

    def timed(self, label: str, step: Callable[[], _T]) -> _T:
        started = time.perf_counter()
        result = step()
        self.step_seconds[label] = round(time.perf_counter() - started, 3)
        return result

    def _load(
        self, entry: dict[str, Any], table: Table, read: Callable[[], tuple[IngestResult, Any]]
    ) -> None:
        """Read, enrich and store one input file. A file that cannot be read (InputError) is
        recorded in the manifest entry as ``error`` and reported in one line; the run goes on
        with the other files, and a later run tries the file again."""
        try:
            result, rows = read()
            if not result.reconciles():
                raise InputError(
                    f"{entry['path']}: counts do not reconcile: read {result.n_read}, kept "
                    f"{len(result.rows)}, quarantined {result.quarantined}, duplicates "
                    f"{result.n_duplicates}; please report this as a bug"
                )
        except InputError as exc:
            entry["error"] = str(exc)
            self.console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            return
        self._record(entry, result, table.name, self.store.append(table, rows))

    def _record(self, entry: dict[str, Any], result: IngestResult, table: str, added: int) -> None:
        self.new_rows["quarantine"] += self.store.append(
            QUARANTINE, result.quarantine.to_frame(self.run_id)
        )
        entry.update(
            ingested=True,
            n_read=result.n_read,
            n_kept=len(result.rows),
            n_quarantined=result.quarantined,
            n_duplicates=result.n_duplicates,
            n_new=added,
        )
        if result.notes:
            entry["notes"] = list(result.notes)
        self.new_rows[table] += added
        self.console.print(
            f"{Path(entry['path']).name}: read {result.n_read:,} = {len(result.rows):,} accepted"
            f" + {result.n_duplicates:,} duplicates + {result.quarantined:,} quarantined",
            highlight=False,
            soft_wrap=True,
        )

    def _todo(self, path: Path, source: str) -> dict[str, Any] | None:
        entry = _input_entry(path, source)
        self.inputs.append(entry)
        if entry["sha256"] in self.seen:
            entry.update(ingested=True, skipped="already ingested by an earlier run")
            self.console.print(f"{path.name}: already ingested by an earlier run", highlight=False)
            return None
        return entry

    def ingest_reference(self) -> None:
        self.store.replace(NEIGHBOURHOODS, self.boundaries.to_table())
        margins_path = self.config.boundaries.margins
        if margins_path is not None:
            margins = pd.read_csv(self.config.resolve(margins_path))
            margins["born_abroad"] = margins["born_abroad"].astype(bool)
            self.store.replace(POPULATION_MARGINS, margins[POPULATION_MARGINS.columns])

    def ingest_social(self, progress: Progress) -> None:
        files = self.config.social_files()
        task = progress.add_task("ingest social media", total=len(files))
        for source, path in files:
            entry = self._todo(path, f"social:{source.format}")
            if entry is not None:
                self._load(entry, POSTS, partial(self._read_social, source, path))
            progress.advance(task)

    def _read_social(self, source: SocialSource, path: Path) -> tuple[IngestResult, pd.DataFrame]:
        options = social_reader_options(source, self.config.timezone)
        result = SOCIAL_READERS[source.format](path, **options)
        posts = enrich_posts(
            result.rows,
            boundaries=self.boundaries,
            pseudonymiser=self.pseudonymiser,
            gazetteer=self.gazetteer,
            language_prior=self.config.nlp.language_prior,
        )
        return result, posts

    def fetch_live(self, options: FetchOptions) -> None:
        """Fetch the live sources: each new page is landed, then ingested by
        :meth:`ingest_page`, then its cursor stored (:mod:`barometer.live.fetch`)."""
        self.fetch_report = fetch_sources(
            self.config.sources.live,
            self.config.fetch,
            self.store.root,
            ingest=self.ingest_page,
            options=options,
            say=lambda line: self.console.print(
                line, markup=False, highlight=False, soft_wrap=True
            ),
        )

    def ingest_page(self, page: LandedPage, adapter: str, server: str | None) -> dict[str, Any]:
        """Read, enrich and store one landed page, like an exported file of that format."""
        entry = _input_entry(page.path, f"live:{page.source}")
        self.inputs.append(entry)
        extra = {"server": server} if server is not None else {}  # Mastodon ids are per server
        source = SocialSource(format=adapter, path=str(page.path), **extra)  # type: ignore[arg-type]
        self._load(entry, POSTS, partial(self._read_social, source, page.path))
        return entry

    def ingest_survey(self) -> None:
        survey = self.config.sources.survey
        if survey is None:
            return
        path = self.config.resolve(survey.path)
        codebook_path = self.config.resolve(survey.codebook)
        entry = self._todo(path, "survey")
        self.inputs.append(_input_entry(codebook_path, "survey codebook"))
        if entry is None:
            return

        def read() -> tuple[IngestResult, pd.DataFrame]:
            result = read_survey(path, load_codebook(codebook_path))
            return result, enrich_survey(result.rows, self.pseudonymiser)

        self._load(entry, SURVEY_RESPONSES, read)

    def ingest_sensing(self) -> None:
        sensing = self.config.sources.sensing
        if sensing is None:
            return
        sensors_path = self.config.resolve(sensing.sensors)
        self.inputs.append(_input_entry(sensors_path, "sensing metadata"))
        paths = self.config.files(sensing.readings, "sensing", "[sources.sensing] readings")
        reader = read_footfall_long if sensing.layout == "long" else read_footfall_wide
        for path in paths:
            entry = self._todo(path, "sensing")
            if entry is None:
                continue

            def read(path: Path = path) -> tuple[IngestResult, pd.DataFrame]:
                sensors = read_sensor_metadata(sensors_path)
                result = reader(path, sensors, sensing)
                return result, enrich_sensor_readings(result.rows, sensors, self.boundaries)

            self._load(entry, SENSOR_READINGS, read)

    def ingest_observation(self) -> None:
        observation = self.config.sources.observation
        if observation is None:
            return
        sites_path = self.config.resolve(observation.sites)
        self.inputs.append(_input_entry(sites_path, "observation sites"))
        key = "[sources.observation] sessions"
        for path in self.config.files(observation.sessions, "observation", key):
            entry = self._todo(path, "observation")
            if entry is None:
                continue

            def read(path: Path = path) -> tuple[IngestResult, pd.DataFrame]:
                sites = read_sites(sites_path)
                if observation.format == "pldp":
                    result = read_pldp_sessions(
                        path,
                        sites,
                        timezone=observation.timezone,
                        fields=observation.pldp_fields,
                    )
                else:
                    result = read_kobo_sessions(
                        path, sites, fields=observation.fields, timezone=observation.timezone
                    )
                rows = enrich_observations(result.rows, sites, self.boundaries, self.pseudonymiser)
                return result, rows

            self._load(entry, OBSERVATIONS, read)

    def score(self) -> None:
        """Score, per task, the posts without a row of that task's active model version.

        Posts no task has scored yet go through :class:`~barometer.scoring.BatchScorer` in
        batches (shared normalisation and hashing; same rows as per task); the rest, per task.
        """
        posts = self.store.read(POSTS, columns=["post_id", "text", "lang"])
        columns = ["post_id", "task", "model_version", "label"]
        scored = self.store.read(POST_SCORES, columns=columns)
        lexicon_dir = self.lexicon_dir
        versions = model_versions(self.unavailable)
        current = scored[scored["model_version"].isin(set(versions.values()))]
        fresh = posts[~posts["post_id"].isin(set(current["post_id"]))]
        if not fresh.empty:
            scorer = BatchScorer(lexicon_dir=lexicon_dir, skip=self.unavailable)
            for start in range(0, len(fresh), SCORE_BATCH):
                rows = scorer.score(fresh.iloc[start : start + SCORE_BATCH])
                self.new_rows["post_scores"] += self.store.append(POST_SCORES, rows)
                scored = pd.concat([scored, rows[columns]], ignore_index=True)
        done = set(fresh["post_id"])
        for task, version in versions.items():
            mine = scored[(scored["task"] == task) & (scored["model_version"] == version)]
            seen = done | set(mine["post_id"])
            todo = gate(task, posts[~posts["post_id"].isin(seen)], scored)
            if todo.empty:
                continue
            rows = score_task(task, todo, lexicon_dir=lexicon_dir)
            self.new_rows["post_scores"] += self.store.append(POST_SCORES, rows)
            scored = pd.concat([scored, rows[columns]], ignore_index=True)

    def indicators(self) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
        """The ``indicators`` table and the other derived tables to publish."""
        settings = self.config.indicators
        versions = model_versions(self.unavailable)
        sources = SourceTables(
            posts=self.store.read(POSTS),
            scores=current_scores(self.store.read(POST_SCORES), versions),
            responses=self.store.read(SURVEY_RESPONSES),
            readings=self.store.read(SENSOR_READINGS),
            sessions=self.store.read(OBSERVATIONS),
            margins=self.store.read(POPULATION_MARGINS) if settings.rake_survey else None,
            model_validity=model_validity_table(versions),
        )
        return derive_indicators(sources, self.config, self.run_id)

    def manifest(self, finished: bool) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "pipeline": self.config.name,
            "started_at": self.started.isoformat(),
            "finished_at": datetime.now(UTC).isoformat() if finished else None,
            "code_version": code_version(),
            "model_versions": model_versions(self.unavailable),
            "tasks_not_scored": dict(self.unavailable),
            "inputs": self.inputs,
            "new_rows": self.new_rows,
            "step_seconds": dict(self.step_seconds),
            "row_counts": {name: self.store.count(table) for name, table in TABLES.items()},
            **({"fetch": self.fetch_report.to_dict()} if self.fetch_report is not None else {}),
        }


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


def run_pipeline(
    config: PipelineConfig,
    *,
    warehouse: Path | None = None,
    console: Console | None = None,
    show_progress: bool = True,
    fetch: FetchOptions | None = None,
) -> RunReport:
    """Run every step of ``config`` into ``warehouse`` (default: the config's store path).

    With ``fetch``, the live sources (``[[sources.live]]``) are fetched first.
    """
    console = console or Console(stderr=True)
    root = warehouse if warehouse is not None else config.resolve(config.store.path)
    store = Warehouse(root)
    run = _Run(config, store, console)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not show_progress) as progress:
        run.timed("ingest reference", run.ingest_reference)
        if fetch is not None and config.sources.live:
            run.timed("fetch live sources", partial(run.fetch_live, fetch))
        run.timed("ingest social", lambda: run.ingest_social(progress))
        steps: list[tuple[str, Callable[[], object]]] = [
            ("ingest survey", run.ingest_survey),
            ("ingest sensing", run.ingest_sensing),
            ("ingest observation", run.ingest_observation),
            ("score posts", run.score),
        ]
        for label, step in steps:
            task = progress.add_task(label, total=1)
            run.timed(label, step)
            progress.advance(task)
        task = progress.add_task("aggregate, indicators and publish", total=1)
        indicators, derived = run.timed("aggregate and indicators", run.indicators)
        started = time.perf_counter()
        indicators = _keep_stored_if_unchanged(store, indicators)
        store.replace(TABLES["indicators"], indicators)
        manifest = run.manifest(finished=True)
        published = build_published(
            indicators=indicators,
            neighbourhoods=store.read(NEIGHBOURHOODS),
            coverage=derived.pop("coverage"),
            quarantine=store.read(QUARANTINE),
            config=config,
            manifest=manifest,
        )
        published.update(derived)
        published.update(impact_tables(indicators, config.actions, seed=config.indicators.seed))
        store.publish(published)
        manifest["step_seconds"]["publish"] = round(time.perf_counter() - started, 3)
        store.write_manifest(manifest)
        progress.advance(task)
    return RunReport(run.run_id, root, manifest, run.new_rows, run.fetch_report)


def run_ingest(
    config: PipelineConfig, *, warehouse: Path | None = None, console: Console | None = None
) -> RunReport:
    """Ingest, enrich and store the inputs of ``config`` only (no scoring, no indicators).

    Prints ``read = accepted + duplicates + quarantined`` per file and one line per file that
    cannot be read; writes a run manifest, so a later ``run`` does not read the files again.
    """
    console = console or Console(stderr=True)
    root = warehouse if warehouse is not None else config.resolve(config.store.path)
    store = Warehouse(root)
    run = _Run(config, store, console)
    with Progress(console=console, disable=True) as progress:
        run.timed("ingest reference", run.ingest_reference)
        run.timed("ingest social", lambda: run.ingest_social(progress))
        run.timed("ingest survey", run.ingest_survey)
        run.timed("ingest sensing", run.ingest_sensing)
        run.timed("ingest observation", run.ingest_observation)
    manifest = run.manifest(finished=True)
    manifest["steps"] = ["ingest"]
    store.write_manifest(manifest)
    return RunReport(run.run_id, root, manifest, run.new_rows)


def run_fetch(
    config: PipelineConfig,
    *,
    warehouse: Path | None = None,
    console: Console | None = None,
    options: FetchOptions | None = None,
) -> RunReport:
    """Fetch the live sources of ``config`` into ``warehouse`` and store their posts (no
    scoring, no indicators); writes a run manifest with a ``fetch`` section."""
    console = console or Console(stderr=True)
    root = warehouse if warehouse is not None else config.resolve(config.store.path)
    store = Warehouse(root)
    run = _Run(config, store, console)
    run.timed("ingest reference", run.ingest_reference)
    run.timed("fetch live sources", partial(run.fetch_live, options or FetchOptions()))
    manifest = run.manifest(finished=True)
    manifest["steps"] = ["fetch"]
    store.write_manifest(manifest)
    return RunReport(run.run_id, root, manifest, run.new_rows, run.fetch_report)
