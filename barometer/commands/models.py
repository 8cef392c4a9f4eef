"""CLI commands of the text models: ``train``, ``evaluate``, ``models`` and ``activate``."""

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
DEFAULT_CONFIGS = Path(__file__).resolve().parents[2] / "models" / "configs"


def _fail(exc: BarometerError) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def train(
    task: Annotated[str, typer.Argument(help="task name, e.g. hostility")],
    config: Annotated[
        Path | None, typer.Option(help="training config (default models/configs/TASK.toml)")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a config value: section.key=value (repeatable)"),
    ] = None,
    annotations: Annotated[
        list[Path] | None,
        typer.Option(
            help="labelled CSV of `barometer sample-for-annotation` (label or label_NAME "
            "columns; majority label, ties dropped) added as training rows (repeatable)"
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="models folder (default models/)")] = None,
    version: Annotated[str | None, typer.Option(help="version name (default date-hash)")] = None,
    activate: Annotated[
        bool, typer.Option(help="audit the new version and make it active if the audit passes")
    ] = False,
    data_root: Annotated[Path | None, typer.Option(help="shared data folder")] = None,
) -> None:
    """Train, evaluate and register a text model from its config."""
    from barometer.audit import audit_model
    from barometer.registry import activate as activate_model
    from barometer.registry import models_root
    from barometer.training import train as train_model

    try:
        name = train_model(
            task, config or DEFAULT_CONFIGS / f"{task}.toml", list(set_ or []), output,
            version=version, data_root=data_root, annotations=list(annotations or []),
        )  # fmt: skip
    except BarometerError as exc:
        raise _fail(exc) from None
    card = models_root(output) / task / name / "card.md"
    console.print(f"trained {task} {name}; card: {card}")
    if activate:
        try:
            audit_model(task, name, models_dir=output, shared_data=data_root)
            activate_model(task, name, models_dir=output)
        except BarometerError as exc:
            raise _fail(exc) from None
        console.print(f"{task} {name} passed its audit and is active")


def evaluate(
    task: Annotated[str, typer.Argument(help="task name")],
    version: Annotated[str | None, typer.Option(help="version (default: the active one)")] = None,
    models_dir: Annotated[Path | None, typer.Option(help="models folder")] = None,
    data_root: Annotated[Path | None, typer.Option(help="shared data folder")] = None,
) -> None:
    """Re-run a model's test evaluation and check every number of its card."""
    from barometer.training import evaluate as evaluate_model

    try:
        report = evaluate_model(task, version, models_dir=models_dir, data_root=data_root)
    except BarometerError as exc:
        raise _fail(exc) from None
    table = Table("corpus", "lang", "metric", "stored", "reproduced", "ok")
    for row in report.itertuples():
        table.add_row(
            str(row.source), str(row.lang), str(row.metric), f"{row.stored:.4f}",
            f"{row.reproduced:.4f}", "yes" if row.ok else "[red]NO[/]",
        )  # fmt: skip
    console.print(table)
    if not report["ok"].all():
        raise _fail(BarometerError(f"{(~report['ok']).sum()} numbers were not reproduced"))
    console.print(f"all {len(report)} numbers reproduced")


def models(
    models_dir: Annotated[Path | None, typer.Option(help="models folder")] = None,
) -> None:
    """List the trained model versions and which one is active per task."""
    from barometer.registry import list_models

    try:
        frame = list_models(models_dir)
    except BarometerError as exc:
        raise _fail(exc) from None
    table = Table("task", "version", "active", "created", "MB", "headline")
    for row in frame.itertuples():
        table.add_row(
            str(row.task), str(row.version), "*" if row.active else "", str(row.created_at),
            f"{row.size_mb:.1f}", str(row.headline),
        )  # fmt: skip
    console.print(table)


def activate(
    task: Annotated[str, typer.Argument(help="task name, e.g. hostility")],
    version: Annotated[str, typer.Argument(help="model version to make active")],
    force: Annotated[
        bool, typer.Option(help="activate although the bias audit is missing or failed")
    ] = False,
    reason: Annotated[
        str, typer.Option(help="why it is activated with --force (written to its card)")
    ] = "",
    models_dir: Annotated[Path | None, typer.Option(help="models folder")] = None,
) -> None:
    """Make a model version active; refused unless its bias audit passed (or --force)."""
    from barometer.registry import activate as activate_model
    from barometer.registry import audit_problems

    try:
        problems = audit_problems(task, version, models_dir)
        activate_model(task, version, force=force, reason=reason, models_dir=models_dir)
    except BarometerError as exc:
        raise _fail(exc) from None
    if problems:
        console.print(f"{task} {version} is active (--force; its card says why)")
    else:
        console.print(f"{task} {version} passed its audit and is active")


def validate(
    tasks: Annotated[
        list[str] | None,
        typer.Argument(help="tasks to validate (default: every active trained model)"),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="version to validate (one task only; default: active)")
    ] = None,
    models_dir: Annotated[Path | None, typer.Option(help="models folder")] = None,
    shared_data: Annotated[Path | None, typer.Option(help="shared data folder")] = None,
    suite: Annotated[
        Path | None, typer.Option(help="functional test suite (default tests/functional/...)")
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(help="publish the model_validity table into this built warehouse"),
    ] = None,
) -> None:
    """Validate text models per language and print (and publish) the model x language table:
    test data, metric with interval, functional-test pass rate, neutral-text flag rate, audit
    verdict, validated or why not."""
    from barometer import registry
    from barometer.audit.validity import current_versions, model_validity_table, validate_model
    from barometer.validity import publish_model_validity

    try:
        active = registry.active_versions(models_dir)
        names = list(tasks or sorted(active))
        if version is not None and len(names) != 1:
            raise BarometerError("--version needs exactly one task")
        for task in names:
            if task not in active and version is None:
                raise BarometerError(f"no active version of '{task}'; name one with --version")
            validate_model(task, version, models_dir=models_dir, shared_data=shared_data,
                           suite_path=suite)  # fmt: skip
        table = model_validity_table(current_versions(models_dir), models_dir=models_dir)
        if warehouse is not None:
            publish_model_validity(warehouse, table)
    except BarometerError as exc:
        raise _fail(exc) from None
    console.print(validity_table(table))
    if warehouse is not None:
        console.print(f"published model_validity ({len(table)} rows) to {warehouse}")


def validity_table(frame: Any) -> Table:
    """The model x language table as a rich table."""

    def number(value: Any, digits: int = 2) -> str:
        return "–" if value is None or value != value else f"{float(value):.{digits}f}"

    table = Table("task", "version", "lang", "data (n)", "metric [95% interval]", "functional",
                  "neutral flagged", "audit", "validated")  # fmt: skip
    for row in frame.itertuples(index=False):
        data = "–" if not isinstance(row.test_set, str) else f"{row.test_set} ({row.n_test})"
        metric = "–"
        if isinstance(row.metric, str):
            metric = (f"{row.metric} {number(row.value)} "
                      f"[{number(row.lower)}, {number(row.upper)}]")  # fmt: skip
        verdict = "yes" if row.validated else f"[red]no[/] ({escape(str(row.reason))})"
        table.add_row(
            str(row.task), str(row.model_version), str(row.language), escape(data), metric,
            number(row.functional_pass_rate), number(row.neutral_flag_rate),
            str(row.audit_verdict), verdict,
        )  # fmt: skip
    return table
