"""``barometer ingest CONFIG``: read, enrich and store a pipeline's inputs, nothing more.

Prints one line per input file, ``read = accepted + duplicates + quarantined``, and one error
line per file that cannot be read (the other files still load). Scoring, indicators and
publishing are left to ``barometer run``, which will not read the stored files again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from barometer.exceptions import BarometerError

console = Console()
errors = Console(stderr=True)


def ingest(
    config: Annotated[Path, typer.Argument(help="pipeline config, e.g. pipelines/my_city.toml")],
    warehouse: Annotated[
        Path | None, typer.Option(help="warehouse folder (default: [store] path of the config)")
    ] = None,
    allow_demo_key: Annotated[
        bool, typer.Option(help="accept the public demo key for data not marked synthetic")
    ] = False,
) -> None:
    """Ingest, enrich and store the inputs of one pipeline (no scoring or indicators); exits
    with status 1 when a file could not be read (the other files are still stored)."""
    from barometer.config import load_config
    from barometer.pipeline import run_ingest

    try:
        report = run_ingest(
            load_config(config), warehouse=warehouse, console=console, allow_demo_key=allow_demo_key
        )
    except BarometerError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    inputs = report.manifest["inputs"]
    failed = [entry for entry in inputs if "error" in entry]
    skipped = [entry for entry in inputs if "skipped" in entry]
    stored = ", ".join(f"{n:,} {name}" for name, n in report.new_rows.items() if n)
    console.print(
        f"{len(inputs)} input file(s): {len(failed)} unreadable, {len(skipped)} already "
        f"ingested; new rows: {stored or 'none'}",
        highlight=False,
    )
    console.print(f"warehouse: {report.warehouse}", highlight=False)
    if failed:
        raise typer.Exit(code=1)
