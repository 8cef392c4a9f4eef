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

from barometer.commands.output import console, help_text, plain_table, print_error, say, show_errors
from barometer.exceptions import ConfigError


def print_fetch(summary: dict[str, Any]) -> None:
    """The ``fetch`` section of a run manifest as a table: one row per source and stream."""
    rows = [
        (str(source.get("source", "")), str(stream.get("stream", "")),
         str(stream.get("pages", 0)), f"{stream.get('posts_new', 0):,}",
         str(stream.get("status", "")))
        for source in summary.get("sources", [])
        for stream in source.get("streams") or [{"stream": "-", "status": "error"}]
    ]  # fmt: skip
    columns = ["source", "stream", "pages", "new posts", "status"]
    console.print(plain_table("live sources", columns, rows, right=["pages", "new posts"]))
    for key, what in (("recovered_pages", "recovered"), ("replayed_pages", "re-ingested")):
        if summary.get(key):
            say(f"{summary[key]} landed page(s) {what} from the landing folder")
    for error in summary.get("errors", []):
        print_error(str(error))


@show_errors()
def fetch(
    config: Annotated[
        Path, typer.Argument(help=help_text("pipeline config with [[sources.live]] tables"))
    ],
    warehouse: Annotated[
        Path | None,
        typer.Option(help=help_text("warehouse folder (default: [store] path of the config)")),
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
    pipeline = load_config(config)
    if not pipeline.sources.live:
        raise ConfigError(
            f"{config}: no [[sources.live]] table: nothing to fetch (see docs/OPERATIONS.md)"
        )
    select_sources(pipeline.sources.live, options.only)  # unknown names: before any write
    report = run_fetch(pipeline, warehouse=warehouse, console=console, options=options)
    summary = report.manifest.get("fetch", {})
    print_fetch(summary)
    say(f"warehouse: {report.warehouse}")
    if summary.get("errors"):
        raise typer.Exit(code=1)
