"""Runs the steps in order from a config: ingest -> enrich -> score -> aggregate -> indicators
-> publish.

Incremental: an input file whose SHA-256 an earlier run already ingested is not read again, and
only posts without scores from the active model versions are scored. Idempotent: re-running on the
same inputs adds no row and republishes the same numbers (all resampling is seeded).

Safe to interrupt and to repeat: the config, the key and every source's file list are checked
before the warehouse folder is touched; the run holds the warehouse's write lock throughout; a
file that cannot be read or stored is that file's error (recorded in the manifest, retried by
the next run) and the other files go on; a step that cannot be computed is skipped with a
warning. A run killed at any point leaves the warehouse as the last completed write left it,
and the next run finishes the work.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import barometer
from barometer.aggregate.post_summaries import (
    PostSummaries,
    merge_summaries,
    term_window_start,
)
from barometer.audit.validity import model_validity_table
from barometer.config import PipelineConfig, SocialSource
from barometer.derive import SourceTables, derive_indicators
from barometer.engine import Engine, LocalEngine
from barometer.engine.tasks import score_partition, summarise
from barometer.enrich import (
    enrich_observations,
    enrich_sensor_readings,
    enrich_survey,
)
from barometer.enrich_stream import enrich_social_batches
from barometer.erasure import (
    drop_erased,
    erased_pseudonyms,
    frozen_cells,
    frozen_coverage,
    pruned_before,
)
from barometer.exceptions import InputError, WarehouseError
from barometer.geo import Boundaries, Gazetteer
from barometer.impact.tables import impact_tables
from barometer.ingest.base import IngestResult
from barometer.ingest.files import one_line
from barometer.ingest.observation import read_kobo_sessions, read_sites
from barometer.ingest.pldp import read_pldp_sessions
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.sensing import read_footfall_long, read_footfall_wide, read_sensor_metadata
from barometer.ingest.social import (
    read_crowdtangle,
    read_mastodon,
    read_reddit,
    read_tabular,
    read_telegram,
)
from barometer.ingest.social.x import iter_x_v2
from barometer.ingest.survey import load_codebook, read_survey
from barometer.live.fetch import FetchOptions, FetchReport, fetch_sources
from barometer.live.landing import LandedPage
from barometer.model_store import city_models_dir, use_models_dir
from barometer.partitions import month_of, post_partitions
from barometer.privacy import Pseudonymiser, redact_quoted
from barometer.publish import build_published
from barometer.read import table as published_table
from barometer.run_plan import RunPlan, input_entry, missing_sources, plan_run
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
    empty_frame,
    to_arrow,
)
from barometer.scoring import (
    active_gates,
    model_versions,
)
from barometer.summary_cache import SummaryCache
from barometer.warehouse import Warehouse

_T = TypeVar("_T")


def _whole(reader: Callable[..., IngestResult]) -> Callable[..., Iterator[IngestResult]]:
    """A reader of whole files as a stream of one batch."""

    def stream(path: Path, **options: Any) -> Iterator[IngestResult]:
        yield reader(path, **options)

    return stream


#: format -> reader yielding batches of the file (X streams; the others read whole files)
SOCIAL_READERS: dict[str, Callable[..., Iterator[IngestResult]]] = {
    "x_v2": iter_x_v2,
    "mastodon": _whole(read_mastodon),
    "reddit": _whole(read_reddit),
    "crowdtangle": _whole(read_crowdtangle),
    "telegram": _whole(read_telegram),
    "tabular": _whole(read_tabular),
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

    @property
    def failed_inputs(self) -> list[dict[str, Any]]:
        """Manifest entries of the input files that could not be read or stored this run."""
        return [entry for entry in self.manifest["inputs"] if "error" in entry]


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


class _Run:
    """State of one pipeline run (kept out of the public API)."""

    def __init__(
        self, plan: RunPlan, store: Warehouse, console: Console, engine: Engine | None = None
    ) -> None:
        self.config = plan.config
        #: where the per-partition tasks of the score and aggregate steps run
        self.engine: Engine = engine or LocalEngine()
        self.store = store
        self.console = console
        self.key = plan.key
        self.started = datetime.now(UTC)
        self.run_id = f"{self.started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
        self.inputs: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self.step_seconds: dict[str, float] = {}
        #: partitions of posts read by the score and aggregate steps (the rest were current)
        self.partitions_read: dict[str, int] = {"scored": 0, "summarised": 0, "total": 0}
        self.new_rows: dict[str, int] = {name: 0 for name in TABLES}
        self.pseudonymiser = Pseudonymiser(plan.key.key)
        #: every text value of the config: quoted in a message, these are not data
        self.config_strings = _strings(self.config.model_dump(mode="json"))
        self.boundaries: Boundaries = plan.boundaries
        self.gazetteer = Gazetteer(self.boundaries)
        self.social_files = plan.social_files
        self.fetch_report: FetchReport | None = None
        #: tasks this run cannot score -> why (e.g. sentiment without its lexicon packages)
        self.unavailable = plan.unavailable
        self.lexicon_dir = plan.lexicon_dir
        legacy = store.claim_key(plan.key.fingerprint)
        self.seen = store.seen_input_hashes()
        self.erased = erased_pseudonyms(store)
        #: ``sources_missing`` of the run before, for a republish that reads no input file
        self.carried_missing: list[str] | None = None
        if plan.key.demo:
            self.warn(
                "built with the public demo key: its pseudonyms protect nobody (anyone can "
                "recompute them from public ids); for synthetic data only"
            )
        if legacy:
            self.warn(legacy)
        for task, why in self.unavailable.items():
            self.warn(f"{task} not scored: {why}")
        if plan.lexicon_warning:
            self.warn(plan.lexicon_warning)

    def warn(self, message: str) -> None:
        """Print a warning and keep it for the manifest (values quoted from data redacted)."""
        message = self.redact(message)
        self.warnings.append(message)
        self.console.print(
            f"[bold yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True
        )

    def timed(self, label: str, step: Callable[[], _T]) -> _T:
        started = time.perf_counter()
        result = step()
        self.step_seconds[label] = round(time.perf_counter() - started, 3)
        return result

    def _load(
        self, entry: dict[str, Any], table: Table, read: Callable[[], tuple[IngestResult, Any]]
    ) -> None:
        """Read, enrich and store one input file (see :meth:`_load_batches`)."""
        self._load_batches(entry, table, lambda: iter([read()]))

    def _load_batches(
        self,
        entry: dict[str, Any],
        table: Table,
        batches: Callable[[], Iterator[tuple[IngestResult, pd.DataFrame]]],
    ) -> None:
        """Read, enrich and store one input file, batch by batch (posts go to their
        partitions, :mod:`barometer.partitions`). Any error while doing so is this file's
        error: recorded in the manifest entry as ``error`` and reported in one line (values
        from the file redacted); the run goes on with the other files, and a later run tries
        the file again (it is not marked ingested; batches stored before the error are not
        stored twice)."""
        total: IngestResult | None = None
        added = 0
        try:
            for result, rows in batches():
                rows, dropped = drop_erased(table, rows, self.erased)
                if dropped:
                    result.notes.append(f"{dropped} row(s) of erased people not stored")
                added += self._store(table, rows)
                total = _add_counts(total, result)
                self.new_rows["quarantine"] += self.store.append(
                    QUARANTINE, result.quarantine.to_frame(self.run_id)
                )
            if total is None:
                raise InputError(f"{entry['path']}: the reader gave no batch; please report this")
            if not total.reconciles():
                raise InputError(
                    f"{entry['path']}: counts do not reconcile: read {total.n_read}, kept "
                    f"{total.n_kept}, quarantined {total.quarantined}, duplicates "
                    f"{total.n_duplicates}; please report this as a bug"
                )
            self._record(entry, total, table.name, added)
        except InputError as exc:
            self._file_error(entry, str(exc))
        except Exception as exc:
            self._file_error(
                entry,
                f"{entry['path']}: could not be read or stored ({type(exc).__name__}: "
                f"{one_line(exc)}); the other files went on, and the next run tries it again",
            )

    def _store(self, table: Table, rows: pd.DataFrame) -> int:
        """Append ``rows`` (posts into their partitions); how many were new."""
        if table.name != POSTS.name:
            return self.store.append(table, rows)
        if rows.empty:
            return 0
        where = post_partitions(rows)
        return sum(
            self.store.append(POSTS, rows.iloc[index], partition=str(name))
            for name, index in pd.Series(range(len(rows))).groupby(where, sort=True)
        )

    def _file_error(self, entry: dict[str, Any], message: str) -> None:
        entry.pop("ingested", None)
        entry["error"] = self.redact(message)
        self.console.print(
            f"[bold red]error:[/] {escape(entry['error'])}", highlight=False, soft_wrap=True
        )

    def redact(self, message: str) -> str:
        """``message`` with values quoted from input files redacted (values that the pipeline
        config holds, such as column names, are kept)."""
        return redact_quoted(message, keep_identifiers=True, keep=self.config_strings)

    def _record(self, entry: dict[str, Any], result: IngestResult, table: str, added: int) -> None:
        entry.update(
            ingested=True,
            n_read=result.n_read,
            n_kept=result.n_kept,
            n_quarantined=result.quarantined,
            n_duplicates=result.n_duplicates,
            n_new=added,
        )
        if result.notes:
            entry["notes"] = [self.redact(n) for n in result.notes]
        self.new_rows[table] += added
        self.console.print(
            f"{Path(entry['path']).name}: read {result.n_read:,} = {result.n_kept:,} accepted"
            f" + {result.n_duplicates:,} duplicates + {result.quarantined:,} quarantined",
            highlight=False,
            soft_wrap=True,
        )

    def _todo(self, path: Path, source: str) -> dict[str, Any] | None:
        entry = self._describe(path, source)
        if "error" in entry:
            return None
        if entry["sha256"] in self.seen:
            entry.update(ingested=True, skipped="already ingested by an earlier run")
            self.console.print(f"{path.name}: already ingested by an earlier run", highlight=False)
            return None
        return entry

    def _describe(self, path: Path, source: str) -> dict[str, Any]:
        """The manifest entry of an input file (hash and size, or why it cannot be read)."""
        entry = input_entry(path, source)
        self.inputs.append(entry)
        if "error" in entry:
            self.console.print(
                f"[bold red]error:[/] {escape(entry['error'])}", highlight=False, soft_wrap=True
            )
        return entry

    def ingest_reference(self) -> None:
        self.store.replace(NEIGHBOURHOODS, self.boundaries.to_table())
        margins_path = self.config.boundaries.margins
        if margins_path is not None:
            margins = pd.read_csv(self.config.resolve(margins_path))
            margins["born_abroad"] = margins["born_abroad"].astype(bool)
            self.store.replace(POPULATION_MARGINS, margins[POPULATION_MARGINS.columns])

    def ingest_social(self, progress: Progress) -> None:
        files = self.social_files
        task = progress.add_task("ingest social media", total=len(files))
        for source, path in files:
            entry = self._todo(path, f"social:{source.format}")
            if entry is not None:
                self._load_batches(entry, POSTS, partial(self._read_social, source, path))
            progress.advance(task)

    def _read_social(
        self, source: SocialSource, path: Path
    ) -> Iterator[tuple[IngestResult, pd.DataFrame]]:
        """The file's batches (:data:`SOCIAL_READERS`), each capped and enriched, languages
        decided on the whole file (:mod:`barometer.enrich_stream`)."""
        options = social_reader_options(source, self.config.timezone)
        yield from enrich_social_batches(
            SOCIAL_READERS[source.format](path, **options),
            boundaries=self.boundaries,
            pseudonymiser=self.pseudonymiser,
            gazetteer=self.gazetteer,
            language_prior=self.config.nlp.language_prior,
            spill_dir=self.store.root,
        )

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
        entry = input_entry(page.path, f"live:{page.source}")
        self.inputs.append(entry)
        extra = {"server": server} if server is not None else {}  # Mastodon ids are per server
        source = SocialSource(format=adapter, path=str(page.path), **extra)  # type: ignore[arg-type]
        self._load_batches(entry, POSTS, partial(self._read_social, source, page.path))
        return entry

    def ingest_survey(self) -> None:
        survey = self.config.sources.survey
        if survey is None:
            return
        path = self.config.resolve(survey.path)
        codebook_path = self.config.resolve(survey.codebook)
        entry = self._todo(path, "survey")
        self._describe(codebook_path, "survey codebook")
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
        self._describe(sensors_path, "sensing metadata")
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
        self._describe(sites_path, "observation sites")
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
        """Score, per task, the posts without a row of that task's active model version, one
        partition of posts at a time (:func:`barometer.engine.tasks.score_partition`, run by
        the run's engine): memory holds one partition's posts and scores, whatever the number
        of posts. Partitions left fully scored by an earlier run, and unchanged since, are not
        read (:mod:`barometer.summary_cache`)."""
        cache = self.summary_cache()
        partitions = self.store.partitions(POSTS)
        todo = [p for p in partitions if not cache.is_scored(p)]
        lexicon_dir = str(self.lexicon_dir) if self.lexicon_dir is not None else None
        models_dir = city_models_dir()  # the config's folder, for workers in other processes
        results = self.engine.map(
            score_partition,
            todo,
            str(self.store.root),
            lexicon_dir,
            frozenset(self.unavailable),
            str(models_dir) if models_dir else None,
        )
        for partition, rows in zip(todo, results, strict=True):
            self.new_rows["post_scores"] += self.store.append(
                POST_SCORES, rows, partition=partition
            )
            self.store.release_keys(POST_SCORES, partition)
            cache.mark_scored(partition)
        self.partitions_read["scored"] = len(todo)
        self.partitions_read["total"] = len(partitions)

    def summary_cache(self) -> SummaryCache:
        """The per-partition records of this warehouse for the active models."""
        return SummaryCache(
            self.store, model_versions(self.unavailable), active_gates(), self.config.timezone
        )

    def indicators(self) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
        """The ``indicators`` table and the other derived tables to publish. Posts are read
        one partition at a time into their summaries
        (:mod:`barometer.aggregate.post_summaries`); texts only of the months the term
        shifts compare."""
        settings = self.config.indicators
        versions = model_versions(self.unavailable)
        cache = self.summary_cache()
        partitions = self.store.partitions(POSTS)
        found = {p: cache.load(p) for p in partitions}
        todo = [p for p, summary in found.items() if summary is None]
        results = self.engine.map(
            summarise, todo, str(self.store.root), versions, self.config.timezone
        )
        for partition, summary in zip(todo, results, strict=True):
            cache.save(partition, summary)
            found[partition] = summary
        self.partitions_read["summarised"] = len(todo)
        parts = [s for s in found.values() if s is not None]
        cache.keep_only(partitions)
        summaries = merge_summaries(parts)  # city months: a cell may span two UTC months
        sources = SourceTables(
            posts=self._term_posts(summaries),
            scores=empty_frame(POST_SCORES),
            responses=self.store.read(SURVEY_RESPONSES),
            readings=self.store.read(SENSOR_READINGS),
            sessions=self.store.read(OBSERVATIONS),
            margins=self.store.read(POPULATION_MARGINS) if settings.rake_survey else None,
            model_validity=model_validity_table(versions),
            summaries=summaries,
        )
        skipped: list[str] = []
        out = derive_indicators(
            sources, self.config, self.run_id, frozen=frozen_cells(self.store), skipped=skipped
        )
        for reason in skipped:
            self.warn(reason)
        return out

    def _term_posts(self, summaries: PostSummaries) -> pd.DataFrame:
        """The posts (with their text) of the months the term shifts compare."""
        start = term_window_start(summaries.coverage)
        if start is None:
            return empty_frame(POSTS)
        # partitions are UTC months: the month before may hold the window's first local hours
        first = f"{start - pd.DateOffset(months=1):%Y-%m}"
        months = {p: month_of(p) for p in self.store.partitions(POSTS)}
        wanted = [p for p, month in months.items() if month is None or month >= first]
        frames = [self.store.read(POSTS, partition=p) for p in wanted]
        return pd.concat(frames, ignore_index=True) if frames else empty_frame(POSTS)

    def manifest(self, finished: bool) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "pipeline": self.config.name,
            "started_at": self.started.isoformat(),
            "finished_at": datetime.now(UTC).isoformat() if finished else None,
            "code_version": code_version(),
            "config": self.config.model_dump(mode="json", exclude_unset=True),
            "demo_key": self.key.demo,
            "key_fingerprint": self.key.fingerprint,
            "model_versions": model_versions(self.unavailable),
            "tasks_not_scored": dict(self.unavailable),
            "inputs": self.inputs,
            "sources_missing": self.carried_missing
            if self.carried_missing is not None
            else missing_sources(
                self.config, self.inputs, {n: self.store.count(t) for n, t in TABLES.items()}
            ),
            "warnings": list(self.warnings),
            "new_rows": self.new_rows,
            "step_seconds": dict(self.step_seconds),
            "partitions_read": dict(self.partitions_read),
            "row_counts": {name: self.store.count(table) for name, table in TABLES.items()},
            **({"fetch": self.fetch_report.to_dict()} if self.fetch_report is not None else {}),
        }

    def impact(self, indicators: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """The impact tables, or none (with a warning) when they cannot be computed."""
        try:
            return impact_tables(indicators, self.config.actions, seed=self.config.indicators.seed)
        except Exception as exc:
            self.warn(f"impact of the actions not evaluated ({type(exc).__name__}: {exc})")
            return {}

    def derive_and_publish(self) -> dict[str, Any]:
        """Aggregate, compute the indicators, publish them and write the manifest; returns it."""
        store = self.store
        indicators, derived = self.timed("aggregate and indicators", self.indicators)
        self.check_derived(derived)
        started = time.perf_counter()
        indicators = _keep_stored_if_unchanged(store, indicators)
        store.replace(TABLES["indicators"], indicators)
        manifest = self.manifest(finished=True)
        coverage = derived.pop("coverage")
        cutoff = pruned_before(store)
        if cutoff is not None and store.duckdb_path.is_file():
            coverage = frozen_coverage(coverage, published_table(store.root, "coverage"), cutoff)
        published = build_published(
            indicators=indicators,
            neighbourhoods=store.read(NEIGHBOURHOODS),
            coverage=coverage,
            quarantine=store.read(QUARANTINE),
            config=self.config,
            manifest=manifest,
        )
        published.update(derived)
        published.update(self.impact(indicators))
        manifest["warnings"] = list(self.warnings)
        store.publish(published)
        manifest["step_seconds"]["publish"] = round(time.perf_counter() - started, 3)
        store.write_manifest(manifest)
        return manifest

    def check_derived(self, derived: dict[str, pd.DataFrame]) -> None:
        """Warn about derived steps that could not be computed."""
        summary = derived.get("nowcast_summary")
        if self.config.sources.survey is not None and summary is not None and not summary.empty:
            method = str(summary["method"].iloc[0])
            if method.startswith("not fitted"):
                self.warn(f"nowcast skipped: {method.removeprefix('not fitted: ')}")


def _add_counts(total: IngestResult | None, batch: IngestResult) -> IngestResult:
    """The counts and notes of a file's batches so far (rows and quarantine not kept)."""
    if total is None:
        total = IngestResult(batch.rows.iloc[0:0], Quarantine(batch.quarantine.source), 0)
        total.n_kept = total.n_quarantined = 0
    total.n_read += batch.n_read
    total.n_duplicates += batch.n_duplicates
    total.n_kept += batch.n_kept
    total.n_quarantined = (total.n_quarantined or 0) + batch.quarantined
    total.notes.extend(batch.notes)
    return total


def _strings(value: object) -> frozenset[str]:
    """Every string (value or key) inside a JSON-like value."""
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, dict):
        return frozenset().union(*(_strings(k) | _strings(v) for k, v in value.items()))
    if isinstance(value, list):
        return frozenset().union(*(_strings(v) for v in value))
    return frozenset()


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
    allow_demo_key: bool = False,
    fetch: FetchOptions | None = None,
    engine: Engine | None = None,
) -> RunReport:
    """Run every step of ``config`` into ``warehouse`` (default: the config's store path).

    With ``fetch``, the live sources (``[[sources.live]]``) are fetched first. ``engine``:
    where the per-partition score and aggregate tasks run (default: this process,
    :mod:`barometer.engine`); the caller closes it.
    ``allow_demo_key`` lets ``demo_key = true`` build from files that are not marked synthetic
    (:mod:`barometer.keys`); the manifest records it either way.
    """
    console = console or Console(stderr=True)
    root = Path(warehouse) if warehouse is not None else config.resolve(config.store.path)
    plan = plan_run(config, root, allow_demo_key=allow_demo_key)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with (
        use_models_dir(config.models_dir()),
        Warehouse.open_for_writing(root) as store,
        Progress(*columns, console=console, disable=not show_progress) as progress,
    ):
        run = _Run(plan, store, console, engine)
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
        manifest = run.derive_and_publish()
        progress.advance(task)
    return RunReport(run.run_id, root, manifest, run.new_rows, run.fetch_report)


def run_ingest(
    config: PipelineConfig,
    *,
    warehouse: Path | None = None,
    console: Console | None = None,
    allow_demo_key: bool = False,
) -> RunReport:
    """Ingest, enrich and store the inputs of ``config`` only (no scoring, no indicators).

    Prints ``read = accepted + duplicates + quarantined`` per file and one line per file that
    cannot be read; writes a run manifest, so a later ``run`` does not read the files again.
    """
    console = console or Console(stderr=True)
    root = Path(warehouse) if warehouse is not None else config.resolve(config.store.path)
    plan = plan_run(config, root, allow_demo_key=allow_demo_key)
    with Warehouse.open_for_writing(root) as store, Progress(console=console, disable=True) as bar:
        run = _Run(plan, store, console)
        run.timed("ingest reference", run.ingest_reference)
        run.timed("ingest social", lambda: run.ingest_social(bar))
        run.timed("ingest survey", run.ingest_survey)
        run.timed("ingest sensing", run.ingest_sensing)
        run.timed("ingest observation", run.ingest_observation)
        manifest = run.manifest(finished=True)
        manifest["steps"] = ["ingest"]
        store.write_manifest(manifest)
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
    root = Path(warehouse) if warehouse is not None else config.resolve(config.store.path)
    previous = Warehouse(root).manifests()
    if not previous:
        raise WarehouseError(f"no barometer has been built in {root}; nothing to {step}")
    plan = plan_run(config, root, allow_demo_key=allow_demo_key, need_inputs=False)
    with Warehouse.open_for_writing(root) as store:
        run = _Run(plan, store, console)
        details = run.timed(step, lambda: change(store, run.pseudonymiser))
        run.carried_missing = previous[-1].get("sources_missing", [])
        manifest = run.derive_and_publish()
        manifest["steps"] = [step, "publish"]
        manifest[step] = details
        store.write_manifest(manifest)
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
    root = Path(warehouse) if warehouse is not None else config.resolve(config.store.path)
    plan = plan_run(config, root, allow_demo_key=allow_demo_key, need_inputs=False)
    with Warehouse.open_for_writing(root) as store:
        run = _Run(plan, store, console)
        run.timed("ingest reference", run.ingest_reference)
        run.timed("fetch live sources", partial(run.fetch_live, options or FetchOptions()))
        manifest = run.manifest(finished=True)
        manifest["steps"] = ["fetch"]
        store.write_manifest(manifest)
    return RunReport(run.run_id, root, manifest, run.new_rows, run.fetch_report)
