"""``barometer ingest CONFIG``: read, enrich and store a pipeline's inputs, nothing more.

Prints one line per input file, ``read = accepted + duplicates + quarantined``, and one error
line per file that cannot be read (the other files still load). Scoring, indicators and
publishing are left to ``barometer run``, which will not read the stored files again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometer.commands.output import console, help_text, say, show_errors

#: ``--ingest-workers`` of ``barometer run`` and ``barometer ingest``
IngestWorkers = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=64,
        help=help_text(
            "processes reading and enriching the social files (default: [run] ingest_workers "
            "of the config, else 1)"
        ),
    ),
]


@show_errors()
def ingest(
    config: Annotated[Path, typer.Argument(help="pipeline config, e.g. my_city/pipeline.toml")],
    warehouse: Annotated[
        Path | None,
        typer.Option(help=help_text("warehouse folder (default: [store] path of the config)")),
    ] = None,
    allow_demo_key: Annotated[
        bool, typer.Option(help="accept the public demo key for data not marked synthetic")
    ] = False,
    ingest_workers: IngestWorkers = None,
) -> None:
    """Ingest, enrich and store the inputs of one pipeline (no scoring or indicators); exits
    with status 1 when a file could not be read (the other files are still stored)."""
    from barometer.config import load_config
    from barometer.pipeline import run_ingest

    report = run_ingest(
        load_config(config),
        warehouse=warehouse,
        console=console,
        allow_demo_key=allow_demo_key,
        ingest_workers=ingest_workers,
    )
    inputs = report.manifest["inputs"]
    failed = [entry for entry in inputs if "error" in entry]
    skipped = [entry for entry in inputs if "skipped" in entry]
    stored = ", ".join(f"{n:,} {name}" for name, n in report.new_rows.items() if n)
    say(
        f"{len(inputs)} input file(s): {len(failed)} unreadable, {len(skipped)} already "
        f"ingested; new rows: {stored or 'none'}"
    )
    say(f"warehouse: {report.warehouse}")
    if failed:
        raise typer.Exit(code=1)
