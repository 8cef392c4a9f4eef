"""The ``barometer`` command line: thin wrappers that parse arguments, call a library function
and print the result. Expected errors print as one plain line, without a traceback
(:func:`barometer.commands.output.show_errors`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

import barometer
from barometer.commands import fetch as fetch_commands
from barometer.commands import impact as impact_commands
from barometer.commands import ingest as ingest_commands
from barometer.commands import models as models_commands
from barometer.commands import nlp_tools
from barometer.commands import privacy as privacy_commands
from barometer.commands import survey as survey_commands
from barometer.commands.output import (
    console,
    help_text,
    plain_table,
    print_error,
    say,
    show_errors,
)
from barometer.exceptions import BarometerError, WarehouseError
from barometer.synthetic import DEFAULT_SEED

app = typer.Typer(
    name="barometer",
    help="Social Trust Barometer: neighbourhood trust indicators from social media, "
    "footfall sensing, observation of public spaces and surveys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        say(f"barometer {barometer.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    pass


@app.command()
@show_errors()
def run(
    config: Annotated[
        Path, typer.Argument(help="pipeline config, e.g. the pipeline.toml of `barometer sample`")
    ],
    warehouse: Annotated[
        Path | None,
        typer.Option(help=help_text("warehouse folder (default: [store] path of the config)")),
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
    ingest_workers: ingest_commands.IngestWorkers = None,
    workers_read: Annotated[
        str | None,
        typer.Option(
            help="fsspec URL the Dask workers read the warehouse from (e.g. s3://bucket/wh); "
            "the driver mirrors its parts there"
        ),
    ] = None,
) -> None:
    """Fetch the live sources (if any), then ingest, enrich, score, aggregate and publish one
    pipeline into its warehouse; exits with status 1 when an input file could not be read or
    stored, or a live source failed (everything else is published)."""
    from barometer.config import load_config
    from barometer.engine import make_engine
    from barometer.live.fetch import FetchOptions
    from barometer.pipeline import run_pipeline

    loaded = load_config(config)
    if scheduler is not None and engine != "dask":
        raise BarometerError("--scheduler needs --engine dask")
    with make_engine(engine, scheduler, workers, workers_read) as runner:
        report = run_pipeline(
            loaded,
            warehouse=warehouse,
            show_progress=not quiet,
            allow_demo_key=allow_demo_key,
            fetch=None if no_fetch else FetchOptions(),
            engine=runner,
            ingest_workers=ingest_workers,
        )
    if "fetch" in report.manifest:
        fetch_commands.print_fetch(report.manifest["fetch"])
    _print_run(report.manifest, report.new_rows)
    say(f"warehouse: {report.warehouse}")
    if report.failed_inputs:
        names = ", ".join(Path(e["path"]).name for e in report.failed_inputs)
        print_error(
            f"{len(report.failed_inputs)} input file(s) could not be read or stored: {names}; "
            "everything else was published. Fix them and run again: the next run reads them"
        )
    if report.manifest.get("fetch", {}).get("errors"):
        print_error("a live source failed: the barometer was built from what is stored")
    if report.failed_inputs or report.manifest.get("fetch", {}).get("errors"):
        raise typer.Exit(code=1)


def _print_run(manifest: dict[str, Any], new_rows: dict[str, int]) -> None:
    rows = [
        (name, f"{count:,}", f"{new_rows.get(name, 0):,}")
        for name, count in manifest["row_counts"].items()
    ]
    columns = ["table", "rows stored", "new this run"]
    console.print(plain_table(f"run {manifest['run_id']}", columns, rows, right=columns[1:]))


@app.command()
@show_errors()
def status(
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
) -> None:
    """Show the last run of a warehouse: inputs, row counts and quarantined rows (reads only:
    creates, repairs and locks nothing)."""
    from barometer.warehouse import Warehouse
    from barometer.warehouse_folder import is_warehouse

    if not is_warehouse(warehouse):
        raise WarehouseError(f"no warehouse at {warehouse}: run 'barometer run CONFIG'")
    manifests = Warehouse(warehouse).manifests()
    if not manifests:
        raise WarehouseError(f"{warehouse} has no completed run yet")
    last = manifests[-1]
    say(f"{len(manifests)} run(s); last: {last['run_id']} ({last['code_version']})")
    if last.get("demo_key"):
        print_error(
            "built with the public demo key: its pseudonyms protect nobody; for synthetic data "
            "only",
            label="warning",
        )
    for warning in last.get("warnings", []):
        print_error(warning, label="warning")
    counts = ("n_read", "n_kept", "n_quarantined", "n_duplicates")
    rows = [
        (entry["source"], Path(entry["path"]).name, *(str(entry.get(k, "")) for k in counts),
         str(entry.get("skipped", entry.get("error", ""))))
        for entry in last["inputs"]
    ]  # fmt: skip
    columns = ["source", "file", "read", "kept", "quarantined", "duplicates", "note"]
    console.print(plain_table("inputs of the last run", columns, rows))
    if "fetch" in last:
        fetch_commands.print_fetch(last["fetch"])
    _print_run(last, last.get("new_rows", {}))


@app.command()
@show_errors()
def sample(
    out: Annotated[Path, typer.Option(help="folder for the sample and its pipeline.toml")],
    regenerate: Annotated[
        bool,
        typer.Option(help="run the seeded generator instead of copying the packaged sample"),
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            help="shared data folder with geo/swedish_municipalities.geojson (for "
            "--regenerate; default $BAROMETER_DATA_DIR)"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed of --regenerate")] = DEFAULT_SEED,
) -> None:
    """Write the synthetic sample municipality (files, GROUND_TRUTH.json and a ready
    pipeline.toml) into a folder: `barometer run OUT/pipeline.toml` then builds it."""
    from barometer.synthetic import write_sample

    config, truth = write_sample(out, regenerate=regenerate, data=data, seed=seed)
    say(json.dumps(truth.get("counts", {}), indent=2))
    say(f"sample municipality written to {out}; build it with: barometer run {config}")


@app.command(name="app")
@show_errors()
def open_app(
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8501,
) -> None:
    """Open the Streamlit app on a warehouse (needs the 'app' extra)."""
    from barometer.commands.app_server import streamlit_command, streamlit_environment

    command = streamlit_command(port=port)
    raise typer.Exit(subprocess.call(command, env=streamlit_environment(warehouse)))


@app.command()
@show_errors()
def demo(
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8501,
) -> None:
    """Build the sample municipality's barometer and open the app on it."""
    from barometer.locations import sample_config

    run(sample_config(), warehouse=warehouse, quiet=False)
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
