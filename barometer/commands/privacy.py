"""``barometer erase`` and ``barometer prune``: a person's data and old raw posts, removed.

Both take the warehouse's write lock, check the key against the warehouse's fingerprint,
republish, and print what they removed (counts only: never the id or its pseudonym). Without
``--config`` they use the pipeline config recorded by the warehouse's last run.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from barometer.exceptions import BarometerError, ConfigError

console = Console()
errors = Console(stderr=True)

WarehouseOption = Annotated[Path, typer.Option(help="warehouse folder")]
ConfigOption = Annotated[
    Path | None,
    typer.Option(help="pipeline config (default: the one recorded by the warehouse's last run)"),
]
DemoOption = Annotated[
    bool, typer.Option(help="accept the public demo key for data not marked synthetic")
]


def _config(config: Path | None, warehouse: Path) -> Any:
    from barometer.config import PipelineConfig, load_config, validation_problems
    from barometer.warehouse import Warehouse

    if config is not None:
        return load_config(config)
    manifests = Warehouse(warehouse).manifests()
    recorded = manifests[-1].get("config") if manifests else None
    if not recorded:
        raise ConfigError(
            f"{warehouse} records no pipeline config (built before configs were recorded, or "
            "never built); give it with --config"
        )
    try:
        return PipelineConfig.model_validate(recorded)
    except ValidationError as exc:
        raise ConfigError(
            f"the config recorded in {warehouse}: {validation_problems(exc)}"
        ) from exc


def _print_removed(what: str, details: dict[str, Any], run_id: str) -> None:
    removed = details["removed"]
    listed = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in removed.items())
    console.print(f"{what}: removed {listed or 'nothing'}; republished as run {run_id}")


def erase(
    source: Annotated[
        str,
        typer.Option(help="where the id comes from: x, mastodon, reddit, ..., survey, observer"),
    ],
    author_id: Annotated[
        str, typer.Option(help="the person's id as the source writes it (account id, user name)")
    ],
    warehouse: WarehouseOption = Path("warehouse"),
    config: ConfigOption = None,
    allow_demo_key: DemoOption = False,
) -> None:
    """Erase one person (GDPR art. 17): delete their posts and scores (or survey answers, or an
    observer's name), keep out their rows in files ingested later, and republish."""
    from barometer.erasure import erase_person
    from barometer.pipeline import republish

    try:
        report = republish(
            _config(config, warehouse),
            lambda store, pseudonymiser: erase_person(
                store, pseudonymiser, source=source, person_id=author_id
            ),
            step="erase",
            warehouse=warehouse,
            console=errors,
            allow_demo_key=allow_demo_key,
        )
    except BarometerError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    details = report.manifest["erase"]
    _print_removed(f"erased one {source} person", details, report.run_id)
    if not any(details["removed"].values()):
        console.print(
            "no rows matched: check --source and that the id is written as the source writes "
            "it; their rows in files ingested from now on will not be stored"
        )


def _date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date like 2024-01-31") from None


def prune(
    before: Annotated[
        str,
        typer.Option(help="delete raw posts created before this date (YYYY-MM-DD, city time)"),
    ],
    warehouse: WarehouseOption = Path("warehouse"),
    config: ConfigOption = None,
    allow_demo_key: DemoOption = False,
) -> None:
    """Retention: delete raw posts (and their scores) older than a date, keeping every
    published aggregate of those months as it was, and republish."""
    from barometer.erasure import prune_posts
    from barometer.pipeline import republish

    cutoff = _date(before)
    try:
        settings = _config(config, warehouse)
        report = republish(
            settings,
            lambda store, _: prune_posts(store, cutoff, settings.timezone),
            step="prune",
            warehouse=warehouse,
            console=errors,
            allow_demo_key=allow_demo_key,
        )
    except BarometerError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    _print_removed(f"pruned raw posts before {cutoff}", report.manifest["prune"], report.run_id)
