"""``barometer survey-estimates CONFIG``: direct and Fay-Herriot area estimates from microdata."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from barometer.exceptions import BarometerError

console = Console()
errors = Console(stderr=True)


def survey_estimates(
    config: Annotated[
        Path, typer.Argument(help="area-estimates config, e.g. pipelines/ess_norway_regions.toml")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="CSV to write (default: [output] csv of the config, else ./<name>.csv)"),
    ] = None,
) -> None:
    """Estimate survey items per area (direct design-based and Fay-Herriot EBLUP), print the
    table and write it as CSV."""
    from barometer.survey_estimates import estimate_regions, load_area_config

    try:
        settings, _ = load_area_config(config)
        table = estimate_regions(config)
    except BarometerError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    if out is not None:
        target = out
    elif settings.output.csv is not None:
        target = settings.resolve(settings.output.csv)
    else:
        target = Path(f"{settings.name}.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(target, index=False)
    view = Table(title=settings.description or settings.name)
    for column in ("item", "area", "area_label", "estimator", "value", "95% interval", "n"):
        view.add_column(column, justify="right" if column in ("value", "n") else "left")
    level = f"{settings.estimates.level:.0%}"
    view.columns[5].header = f"{level} interval"
    for row in table.to_dict(orient="records"):
        view.add_row(
            *(str(row[c]) for c in ("item", "area", "area_label", "estimator")),
            f"{row['value']:.2f}",
            f"{row['lower']:.2f} - {row['upper']:.2f}",
            f"{int(row['n']):,}",
        )
    console.print(view)
    console.print(f"written: {target}")
