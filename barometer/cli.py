"""The ``barometer`` command line: thin wrappers that parse arguments, call a library function
and print the result. Expected errors print as one plain line, without a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from barometer.commands import fetch as fetch_commands
from barometer.commands import impact as impact_commands
from barometer.commands import ingest as ingest_commands
from barometer.commands import models as models_commands
from barometer.commands import nlp_tools
from barometer.commands import privacy as privacy_commands
from barometer.commands import survey as survey_commands
from barometer.exceptions import BarometerError

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = REPO_ROOT / "pipelines" / "botkyrka_sample.toml"
APP_ENTRY = REPO_ROOT / "app" / "main.py"

app = typer.Typer(
    name="barometer",
    help="Social Trust Barometer: neighbourhood trust indicators from social media, "
    "footfall sensing, observation of public spaces and surveys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


def _fail(exc: BarometerError) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


@app.command()
def run(
    config: Annotated[
        Path, typer.Argument(help="pipeline config, e.g. pipelines/botkyrka_sample.toml")
    ],
    warehouse: Annotated[
        Path | None, typer.Option(help="warehouse folder (default: [store] path of the config)")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bars")] = False,
    allow_demo_key: Annotated[
        bool, typer.Option(help="accept the public demo key for data not marked synthetic")
    ] = False,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="do not fetch the live sources first")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(help="where the per-partition score and aggregate tasks run: local or dask"),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (default: a LocalCluster on this machine)"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="workers of the LocalCluster (--engine dask)")
    ] = None,
) -> None:
    """Fetch the live sources (if any), then ingest, enrich, score, aggregate and publish one
    pipeline into its warehouse; exits with status 1 when an input file could not be read or
    stored, or a live source failed (everything else is published)."""
    from barometer.config import load_config
    from barometer.engine import make_engine
    from barometer.live.fetch import FetchOptions
    from barometer.pipeline import run_pipeline

    try:
        loaded = load_config(config)
        if scheduler is not None and engine != "dask":
            raise BarometerError("--scheduler needs --engine dask")
        with make_engine(engine, scheduler=scheduler, workers=workers) as runner:
            report = run_pipeline(
                loaded,
                warehouse=warehouse,
                show_progress=not quiet,
                allow_demo_key=allow_demo_key,
                fetch=None if no_fetch else FetchOptions(),
                engine=runner,
            )
    except BarometerError as exc:
        raise _fail(exc) from None
    if "fetch" in report.manifest:
        fetch_commands.print_fetch(report.manifest["fetch"])
    _print_run(report.manifest, report.new_rows)
    console.print(f"warehouse: {report.warehouse}")
    if report.failed_inputs:
        names = ", ".join(Path(e["path"]).name for e in report.failed_inputs)
        errors.print(
            f"[bold red]error:[/] {len(report.failed_inputs)} input file(s) could not be read "
            f"or stored: {names}; everything else was published. Fix them and run again: "
            "the next run reads them",
            highlight=False,
            soft_wrap=True,
        )
    if report.manifest.get("fetch", {}).get("errors"):
        errors.print("a live source failed: the barometer was built from what is stored")
    if report.failed_inputs or report.manifest.get("fetch", {}).get("errors"):
        raise typer.Exit(code=1)


def _print_run(manifest: dict[str, object], new_rows: dict[str, int]) -> None:
    table = Table(title=f"run {manifest['run_id']}")
    table.add_column("table")
    table.add_column("rows stored", justify="right")
    table.add_column("new this run", justify="right")
    counts = manifest["row_counts"]
    assert isinstance(counts, dict)
    for name, count in counts.items():
        table.add_row(name, f"{count:,}", f"{new_rows.get(name, 0):,}")
    console.print(table)


@app.command()
def status(
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
) -> None:
    """Show the last run of a warehouse: inputs, row counts and quarantined rows (reads only:
    creates, repairs and locks nothing)."""
    from barometer.warehouse import Warehouse, is_warehouse

    if not is_warehouse(warehouse):
        raise _fail(BarometerError(f"no warehouse at {warehouse}: run 'barometer run CONFIG'"))
    manifests = Warehouse(warehouse).manifests()
    if not manifests:
        raise _fail(BarometerError(f"{warehouse} has no completed run yet"))
    last = manifests[-1]
    console.print(f"{len(manifests)} run(s); last: {last['run_id']} ({last['code_version']})")
    if last.get("demo_key"):
        console.print(
            "[bold yellow]built with the public demo key:[/] its pseudonyms protect nobody; "
            "for synthetic data only",
            highlight=False,
        )
    for warning in last.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    inputs = Table(title="inputs of the last run")
    for column in ("source", "file", "read", "kept", "quarantined", "duplicates", "note"):
        inputs.add_column(column)
    for entry in last["inputs"]:
        inputs.add_row(
            entry["source"],
            Path(entry["path"]).name,
            *(str(entry.get(k, "")) for k in ("n_read", "n_kept", "n_quarantined", "n_duplicates")),
            str(entry.get("skipped", entry.get("error", ""))),
        )
    console.print(inputs)
    if "fetch" in last:
        fetch_commands.print_fetch(last["fetch"])
    _print_run(last, last.get("new_rows", {}))


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="output folder")] = REPO_ROOT / "data_samples",
    seed: Annotated[int, typer.Option(help="random seed")] = 20261127,
) -> None:
    """Generate the synthetic sample municipality (files + GROUND_TRUTH.json)."""
    from barometer.synthetic import generate_sample

    truth = generate_sample(out, seed=seed)
    console.print(json.dumps(truth.get("counts", {}), indent=2))
    console.print(f"sample municipality written to {out}")


@app.command(name="app")
def open_app(
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8501,
) -> None:
    """Open the Streamlit app on a warehouse (needs the 'app' extra)."""
    if not APP_ENTRY.is_file():
        raise _fail(BarometerError(f"app not found at {APP_ENTRY}; run from a checkout"))
    env = {**os.environ, "BAROMETER_WAREHOUSE": str(warehouse.resolve())}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_ENTRY),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    raise typer.Exit(subprocess.call(command, env=env))


@app.command()
def demo(
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8501,
) -> None:
    """Build the sample municipality's barometer and open the app on it."""
    run(SAMPLE_CONFIG, warehouse=warehouse, quiet=False)
    open_app(warehouse=warehouse, port=port)


# -- commands of the subsystems (one line each: app.command(name=...)(function)) --------------
app.command(name="train")(models_commands.train)
app.command(name="evaluate")(models_commands.evaluate)
app.command(name="models")(models_commands.models)
app.command(name="activate")(models_commands.activate)
app.command(name="validate")(models_commands.validate)
app.command(name="impact")(impact_commands.impact)
app.command(name="survey-estimates")(survey_commands.survey_estimates)
app.command(name="audit")(nlp_tools.audit)
app.command(name="sample-for-annotation")(nlp_tools.sample_for_annotation)
app.command(name="agreement")(nlp_tools.agreement)
app.command(name="ingest")(ingest_commands.ingest)
app.command(name="erase")(privacy_commands.erase)
app.command(name="prune")(privacy_commands.prune)
app.command(name="fetch")(fetch_commands.fetch)


def main() -> None:
    """Console-script entry point."""
    app()
