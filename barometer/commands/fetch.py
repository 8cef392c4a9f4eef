"""``barometer fetch CONFIG``: pull what is new on the live sources since the stored cursors.

Each page is landed in the warehouse (``landing/``), ingested through the platform's adapter and
only then is its cursor stored. Prints one line per page (``read = accepted + duplicates +
quarantined``) and a table per source and stream; exits with status 1 when a source failed
(the others are still fetched).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from barometer.exceptions import BarometerError

console = Console()
errors = Console(stderr=True)


def print_fetch(summary: dict[str, Any], out: Console = console) -> None:
    """The ``fetch`` section of a run manifest as a table: one row per source and stream."""
    table = Table(title="live sources")
    for column in ("source", "stream", "pages", "new posts", "status"):
        table.add_column(column, justify="right" if column in ("pages", "new posts") else "left")
    for source in summary.get("sources", []):
        streams = source.get("streams") or [{"stream": "-", "status": "error"}]
        for stream in streams:
            table.add_row(
                escape(str(source.get("source", ""))),
                escape(str(stream.get("stream", ""))),
                str(stream.get("pages", 0)),
                f"{stream.get('posts_new', 0):,}",
                escape(str(stream.get("status", ""))),
            )
    out.print(table)
    for key, what in (("recovered_pages", "recovered"), ("replayed_pages", "re-ingested")):
        if summary.get(key):
            out.print(f"{summary[key]} landed page(s) {what} from the landing folder")
    for error in summary.get("errors", []):
        errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)


def fetch(
    config: Annotated[Path, typer.Argument(help="pipeline config with [[sources.live]] tables")],
    warehouse: Annotated[
        Path | None, typer.Option(help="warehouse folder (default: [store] path of the config)")
    ] = None,
    max_pages: Annotated[
        int | None, typer.Option(min=1, help="page cap per stream for this run")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(help="fetch only this live source (by name; repeatable)")
    ] = None,
    from_landing: Annotated[
        bool,
        typer.Option(
            "--from-landing",
            help="re-ingest every page already in the landing folder, without the network",
        ),
    ] = False,
) -> None:
    """Fetch what is new on the live sources since the stored cursors, land each page in the
    warehouse and ingest it; exits with status 1 when a source failed."""
    from barometer.config import load_config
    from barometer.live.fetch import FetchOptions, select_sources
    from barometer.pipeline import run_fetch

    options = FetchOptions(max_pages=max_pages, only=source or None, from_landing=from_landing)
    try:
        pipeline = load_config(config)
        if not pipeline.sources.live:
            raise BarometerError(
                f"{config}: no [[sources.live]] table: nothing to fetch (see docs/OPERATIONS.md)"
            )
        select_sources(pipeline.sources.live, options.only)  # unknown names: before any write
        report = run_fetch(pipeline, warehouse=warehouse, console=console, options=options)
    except BarometerError as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    summary = report.manifest.get("fetch", {})
    print_fetch(summary)
    console.print(f"warehouse: {report.warehouse}", highlight=False)
    if summary.get("errors"):
        raise typer.Exit(code=1)
