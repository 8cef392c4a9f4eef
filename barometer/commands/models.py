"""CLI commands of the text models: ``train``, ``evaluate``, ``models`` and ``activate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from barometer.commands.output import console, plain_table, say, show_errors
from barometer.exceptions import ModelError

#: The models folder a command reads first and writes to.
ModelsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="the city's models folder, searched before the packaged default models; written "
        "to by train, audit and activate (default: $BAROMETER_MODELS_DIR)",
    ),
]
#: The shared corpora folder (test splits, audit data).
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        "--data-root",
        "--shared-data",
        help="shared data folder: corpora, test splits, audit data (default: $BAROMETER_DATA_DIR)",
    ),
]


@show_errors()
def train(
    task: Annotated[str, typer.Argument(help="task name, e.g. hostility")],
    config: Annotated[
        Path | None,
        typer.Option(help="training config (default: the packaged configs/TASK.toml)"),
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
    output: Annotated[
        Path | None,
        typer.Option(help="models folder to write to (default: $BAROMETER_MODELS_DIR)"),
    ] = None,
    version: Annotated[str | None, typer.Option(help="version name (default date-hash)")] = None,
    activate: Annotated[
        bool, typer.Option(help="audit the new version and make it active if the audit passes")
    ] = False,
    data_root: DataOption = None,
) -> None:
    """Train, evaluate and register a text model from its config."""
    from barometer.audit import audit_model
    from barometer.locations import training_config
    from barometer.registry import activate as activate_model
    from barometer.registry import models_root
    from barometer.training import train as train_model

    root = models_root(output)  # refuses before training when there is nowhere to write
    name = train_model(
        task, config or training_config(task), list(set_ or []), root,
        version=version, data_root=data_root, annotations=list(annotations or []),
    )  # fmt: skip
    say(f"trained {task} {name}; card: {root / task / name / 'card.md'}")
    if activate:
        audit_model(task, name, models_dir=root, shared_data=data_root)
        activate_model(task, name, models_dir=root)
        say(f"{task} {name} passed its audit and is active")


@show_errors()
def evaluate(
    task: Annotated[str, typer.Argument(help="task name")],
    version: Annotated[str | None, typer.Option(help="version (default: the active one)")] = None,
    models_dir: ModelsDirOption = None,
    data_root: DataOption = None,
) -> None:
    """Re-run a model's test evaluation and check every number of its card."""
    from barometer.training import evaluate as evaluate_model

    report = evaluate_model(task, version, models_dir=models_dir, data_root=data_root)
    rows = [
        (str(row.source), str(row.lang), str(row.metric), f"{row.stored:.4f}",
         f"{row.reproduced:.4f}", "yes" if row.ok else Text("NO", style="red"))
        for row in report.itertuples()
    ]  # fmt: skip
    columns = ["corpus", "lang", "metric", "stored", "reproduced", "ok"]
    console.print(plain_table("evaluation", columns, rows, right=["stored", "reproduced"]))
    if not report["ok"].all():
        raise ModelError(f"{(~report['ok']).sum()} numbers were not reproduced")
    say(f"all {len(report)} numbers reproduced")


@show_errors()
def models(models_dir: ModelsDirOption = None) -> None:
    """List the model versions (the city's and the packaged defaults) and the active one per
    task."""
    from barometer.registry import list_models, model_stores

    frame = list_models(models_dir)
    rows = [
        (str(row.task), str(row.version), "*" if row.active else "", str(row.created_at),
         f"{row.size_mb:.1f}", str(row.headline))
        for row in frame.itertuples()
    ]  # fmt: skip
    columns = ["task", "version", "active", "created", "MB", "headline"]
    console.print(plain_table("models", columns, rows, right=["MB"]))
    say("searched: " + ", then ".join(str(store) for store in model_stores(models_dir)))


@show_errors()
def activate(
    task: Annotated[str, typer.Argument(help="task name, e.g. hostility")],
    version: Annotated[str, typer.Argument(help="model version to make active")],
    force: Annotated[
        bool, typer.Option(help="activate although the bias audit is missing or failed")
    ] = False,
    reason: Annotated[
        str, typer.Option(help="why it is activated with --force (written to its card)")
    ] = "",
    models_dir: ModelsDirOption = None,
) -> None:
    """Make a model version active; refused unless its bias audit passed (or --force)."""
    from barometer.registry import activate as activate_model
    from barometer.registry import audit_problems

    problems = audit_problems(task, version, models_dir)
    activate_model(task, version, force=force, reason=reason, models_dir=models_dir)
    if problems:
        say(f"{task} {version} is active (--force; its card says why)")
    else:
        say(f"{task} {version} passed its audit and is active")


@show_errors()
def validate(
    tasks: Annotated[
        list[str] | None,
        typer.Argument(help="tasks to validate (default: every active trained model)"),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="version to validate (one task only; default: active)")
    ] = None,
    models_dir: ModelsDirOption = None,
    shared_data: DataOption = None,
    suite: Annotated[
        Path | None,
        typer.Option(help="functional test suite (default: the packaged hostility_cases.csv)"),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(help="publish the model_validity table into this built warehouse"),
    ] = None,
    labelled: Annotated[
        Path | None,
        typer.Option(
            help="the city's labelled posts (CSV: text, lang, label or label_NAME; e.g. a "
            "filled `barometer sample-for-annotation` file) to validate the rule-based "
            "sentiment scorer on, per language"
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="with --labelled: override a limit, validity.KEY=VALUE"),
    ] = None,
    lexicon_dir: Annotated[
        Path | None,
        typer.Option(help="with --labelled: the city's own word lists, as [nlp] lexicon_dir"),
    ] = None,
) -> None:
    """Validate text models per language and print (and publish) the model x language table:
    test data, metric with interval, functional-test pass rate, neutral-text flag rate, audit
    verdict, validated or why not."""
    from barometer import registry
    from barometer.audit.labelled import validate_labelled
    from barometer.audit.validity import current_versions, model_validity_table, validate_model
    from barometer.validity import publish_model_validity

    active = registry.active_versions(models_dir)
    names = list(tasks or sorted(active))
    if version is not None and len(names) != 1:
        raise ModelError("--version needs exactly one task")
    if labelled is not None:
        if len(names) != 1 or version is not None:
            raise ModelError("--labelled needs exactly one task (sentiment) and no --version")
        measured = validate_labelled(names[0], labelled, models_dir=models_dir,
                                     overrides=list(set_ or []),
                                     lexicon_dir=lexicon_dir)  # fmt: skip
        passed = ", ".join(sorted(measured.loc[measured["validated"].astype(bool), "language"]))
        say(f"{names[0]} {measured['model_version'].iloc[0]} measured on {labelled.name} in "
            f"{', '.join(measured['language'])}; validated in {passed or 'none'}")  # fmt: skip
        names = []
    elif set_ or lexicon_dir is not None:
        raise ModelError("--set and --lexicon-dir go with --labelled")
    for task in names:
        if task not in active and version is None:
            raise ModelError(f"no active version of '{task}'; name one with --version")
        validate_model(task, version, models_dir=models_dir, shared_data=shared_data,
                       suite_path=suite)  # fmt: skip
    table = model_validity_table(current_versions(models_dir), models_dir=models_dir)
    if warehouse is not None:
        publish_model_validity(warehouse, table)
    console.print(validity_table(table))
    if warehouse is not None:
        say(f"published model_validity ({len(table)} rows) to {warehouse}")


def validity_table(frame: Any) -> Table:
    """The model x language table as a rich table (cells as plain text)."""

    def number(value: Any, digits: int = 2) -> str:
        return "–" if value is None or value != value else f"{float(value):.{digits}f}"

    rows = []
    for row in frame.itertuples(index=False):
        data = "–" if not isinstance(row.test_set, str) else f"{row.test_set} ({row.n_test})"
        metric = "–"
        if isinstance(row.metric, str):
            metric = (f"{row.metric} {number(row.value)} "
                      f"[{number(row.lower)}, {number(row.upper)}]")  # fmt: skip
        verdict = Text("yes") if row.validated else Text.assemble(("no", "red"), f" ({row.reason})")
        rows.append((
            str(row.task), str(row.model_version), str(row.language), data, metric,
            number(row.functional_pass_rate), number(row.neutral_flag_rate),
            str(row.audit_verdict), verdict,
        ))  # fmt: skip
    columns = ["task", "version", "lang", "data (n)", "metric [95% interval]", "functional",
               "neutral flagged", "audit", "validated"]  # fmt: skip
    return plain_table("model validity", columns, rows)
