"""``barometer survey-estimates CONFIG``: direct and Fay-Herriot area estimates from microdata."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometer.commands.output import console, help_text, plain_table, say, show_errors


@show_errors()
def survey_estimates(
    config: Annotated[
        Path,
        typer.Argument(
            help="area-estimates config, e.g. the packaged ess_norway_regions.toml "
            "(barometer/data/pipelines)"
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help=help_text("CSV to write (default: [output] csv of the config, else ./NAME.csv)")
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="folder that the config's relative data paths are read from (default: "
            "$BAROMETER_DATA_DIR for a packaged config, else the config's folder)"
        ),
    ] = None,
) -> None:
    """Estimate survey items per area (direct design-based and Fay-Herriot EBLUP), print the
    table and write it as CSV."""
    from barometer.survey_estimates import estimate_regions, load_area_config

    settings, _ = load_area_config(config)
    table = estimate_regions(config, data=data)
    if out is not None:
        target = out
    elif settings.output.csv is not None:
        target = settings.resolve(settings.output.csv)
    else:
        target = Path(f"{settings.name}.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(target, index=False)
    interval = f"{settings.estimates.level:.0%} interval"
    columns = ["item", "area", "area_label", "estimator", "value", interval, "n"]
    rows = [
        (*(str(row[c]) for c in columns[:4]), f"{row['value']:.2f}",
         f"{row['lower']:.2f} - {row['upper']:.2f}", f"{int(row['n']):,}")
        for row in table.to_dict(orient="records")
    ]  # fmt: skip
    title = settings.description or settings.name
    console.print(plain_table(title, columns, rows, right=["value", "n"]))
    say(f"written: {target}")
