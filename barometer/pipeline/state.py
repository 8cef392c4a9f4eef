"""The state of one pipeline run: its plan, store, console, counters and warnings, and the
report a run returns. The steps (:mod:`barometer.pipeline.steps`) read and change it."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID

import barometer
from barometer.engine import Engine, LocalEngine
from barometer.erasure import erased_pseudonyms
from barometer.geo import Boundaries, Gazetteer
from barometer.live.fetch import FetchOptions, FetchReport
from barometer.memory_release import release_memory
from barometer.privacy import Pseudonymiser, redact_quoted
from barometer.run_plan import RunPlan
from barometer.schema import TABLES
from barometer.warehouse import Warehouse

_T = TypeVar("_T")


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


class Run:
    """State of one pipeline run (what the steps share; kept out of the public API)."""

    def __init__(
        self,
        plan: RunPlan,
        store: Warehouse,
        console: Console,
        engine: Engine | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.config = plan.config
        #: where the per-partition tasks of the score and aggregate steps run
        self.engine: Engine = engine or LocalEngine()
        self.store = store
        self.console = console
        #: the progress display (disabled when None); bars by label, see :meth:`advance`
        self.progress = progress or Progress(console=console, disable=True)
        self.bars: dict[str, TaskID] = {}
        #: label -> how many steps of this run advance that bar (set by ``run_steps``)
        self.bar_units: dict[str, int] = {}
        self.key = plan.key
        self.started = datetime.now(UTC)
        self.run_id = f"{self.started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
        self.inputs: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self.step_seconds: dict[str, float] = {}
        #: partitions of posts read by the score and aggregate steps (the rest were current)
        self.partitions_read: dict[str, int] = {"scored": 0, "summarised": 0, "total": 0}
        #: digital cells whose bootstrap was drawn, and those whose cached interval was reused
        self.bootstrap_cells: dict[str, int] = {"drawn": 0, "reused": 0}
        #: digital cells merged again from the partitions' rows, and those kept from the last
        #: run (:mod:`barometer.aggregate.merged_cells`)
        self.merged_cells: dict[str, int] = {"merged": 0, "reused": 0}
        self.new_rows: dict[str, int] = {name: 0 for name in TABLES}
        self.pseudonymiser = Pseudonymiser(plan.key.key)
        #: every text value of the config: quoted in a message, these are not data
        self.config_strings = _strings(self.config.model_dump(mode="json"))
        self.boundaries: Boundaries = plan.boundaries
        self.gazetteer = Gazetteer(self.boundaries)
        self.social_files = plan.social_files
        #: processes reading and enriching social files (:mod:`barometer.pipeline.social_pool`)
        self.ingest_workers = plan.config.run.ingest_workers
        self.fetch_options: FetchOptions | None = None
        self.fetch_report: FetchReport | None = None
        #: tasks this run cannot score -> why (e.g. sentiment without its lexicon packages)
        self.unavailable = plan.unavailable
        self.lexicon_dir = plan.lexicon_dir
        legacy = store.claim_key(plan.key.fingerprint)
        self.seen = store.seen_input_hashes()
        self.erased = erased_pseudonyms(store)
        #: ``sources_missing`` of the run before, for a republish that reads no input file
        self.carried_missing: list[str] | None = None
        #: what the publish step built: the manifest to write, and the derived tables
        self.manifest: dict[str, Any] = {}
        self.derived: dict[str, Any] = {}
        self._startup_warnings(plan, legacy)

    def _startup_warnings(self, plan: RunPlan, legacy: str) -> None:
        if plan.key.demo:
            self.warn(
                "built with the public demo key: its pseudonyms protect nobody (anyone can "
                "recompute them from public ids); for synthetic data only"
            )
        if legacy:
            self.warn(legacy)
        if self.store.removed_leftovers:
            names = ", ".join(self.store.removed_leftovers)
            self.say(
                f"removed the temporary ingest folders a killed run left in {self.store.root} "
                f"({names}); the files they held were never stored, and this run reads them again"
            )
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

    def error(self, message: str) -> None:
        """Print one error line (already redacted)."""
        self.console.print(
            f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True
        )

    def say(self, line: str) -> None:
        """Print a plain line (no markup)."""
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def redact(self, message: str) -> str:
        """``message`` with values quoted from input files redacted (values that the pipeline
        config holds, such as column names, are kept)."""
        return redact_quoted(message, keep_identifiers=True, keep=self.config_strings)

    def timed(self, label: str, step: Callable[[], _T]) -> _T:
        """Run ``step`` and keep its wall-clock seconds under ``label`` (the manifest's
        ``step_seconds``)."""
        started = time.perf_counter()
        result = step()
        release_memory()  # what the step freed, so that the next one starts low
        self.step_seconds[label] = round(time.perf_counter() - started, 3)
        return result

    def bar(self, label: str, total: int | None = None) -> TaskID:
        """The progress bar called ``label``, added on first use with ``total`` units
        (default: the number of this run's steps that advance it)."""
        if label not in self.bars:
            units = total if total is not None else self.bar_units.get(label, 1)
            self.bars[label] = self.progress.add_task(label, total=units)
        return self.bars[label]


def _strings(value: object) -> frozenset[str]:
    """Every string (value or key) inside a JSON-like value."""
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, dict):
        return frozenset().union(*(_strings(k) | _strings(v) for k, v in value.items()))
    if isinstance(value, list):
        return frozenset().union(*(_strings(v) for v in value))
    return frozenset()
