"""``barometer audit``, ``barometer sample-for-annotation`` and ``barometer agreement``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from barometer.commands.models import DataOption, ModelsDirOption
from barometer.commands.output import help_text, say, show_errors
from barometer.exceptions import InputError
from barometer.locations import DATA_ENV, shared_data_dir


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix in (".csv", ".txt"):
        return pd.read_csv(path, dtype={"post_id": str})
    raise InputError(f"expected a .parquet or .csv file, got {path.name}")


@show_errors()
def audit(
    task: Annotated[
        str, typer.Argument(help="task: hostility, immigration_attitude, sentiment, rumour, ...")
    ],
    version: Annotated[
        str | None, typer.Option(help="model version of a registry task (default: the active one)")
    ] = None,
    models_dir: ModelsDirOption = None,
    shared_data: DataOption = None,
    config: Annotated[
        Path | None,
        typer.Option(help=help_text("TOML with an [audit] table (default: the model's config)")),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(help="CSV/Parquet with y_true, y_pred, lang, target_group for parity"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="write the model-card Markdown here")] = None,
    dialect_argmax: Annotated[
        bool, typer.Option(help="split dialects by AA vs White argmax instead of > 0.8")
    ] = False,
    n_boot: Annotated[
        int | None,
        typer.Option(help=help_text("bootstrap replicates (default: [audit] n_boot or 1000)")),
    ] = None,
    seed: Annotated[int, typer.Option(help="bootstrap seed")] = 0,
    strict: Annotated[bool, typer.Option(help="exit with code 1 when a threshold fails")] = False,
) -> None:
    """Bias audit: counterfactual group-term swaps, error-rate parity, dialect flag rates.

    A task of the model registry is audited on the held-out test split its config names; the
    verdict is written to the card ("Audit results") and to audit.json beside the model, where
    `barometer activate` reads it.
    """
    from barometer.audit import (
        audit_markdown,
        audit_model,
        audit_passes,
        load_audit_thresholds,
        run_audit,
    )
    from barometer.audit.tasks import audit_kind, rule_based_scorer

    shared = shared_data_dir(shared_data) if shared_data or os.environ.get(DATA_ENV) else None
    if audit_kind(task, version, models_dir) == "model":
        results, thresholds = audit_model(
            task, version, models_dir=models_dir, shared_data=shared,
            thresholds=load_audit_thresholds(config) if config is not None else None,
            n_boot=n_boot, dialect_argmax=dialect_argmax or None, seed=seed,
        )  # fmt: skip
        say(f"audit of {results.model_version} written to its card and audit.json")
    else:
        thresholds = load_audit_thresholds(config)
        rule = rule_based_scorer(task)
        results = run_audit(
            rule.scorer, task=task, model_version=rule.model_version, shared_data=shared,
            flag=rule.flag, predictions=_read_table(predictions) if predictions else None,
            dialect_threshold=None if dialect_argmax else 0.8, n_boot=n_boot or 1000, seed=seed,
        )  # fmt: skip
    passed, reasons = audit_passes(results, thresholds)
    markdown = audit_markdown(results, thresholds)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown, encoding="utf-8")
        say(f"audit section written to {out}")
    else:
        typer.echo(markdown)
    say(f"verdict: {'PASS' if passed else 'FAIL'}" + "".join(f"\n- {r}" for r in reasons))
    if strict and not passed:
        raise typer.Exit(code=1)


@show_errors()
def sample_for_annotation(
    out: Annotated[Path, typer.Option(help="CSV to write for the annotators")],
    warehouse: Annotated[Path, typer.Option(help="warehouse folder")] = Path("warehouse"),
    posts: Annotated[
        Path | None, typer.Option(help="posts file (.parquet/.csv) instead of the warehouse")
    ] = None,
    scores: Annotated[
        Path | None, typer.Option(help="post_scores file (.parquet/.csv) instead of the warehouse")
    ] = None,
    task: Annotated[str, typer.Option(help="task whose probabilities drive uncertainty")] = (
        "hostility"
    ),
    n: Annotated[int, typer.Option(help="posts to sample")] = 200,
    uncertain_share: Annotated[float, typer.Option(help="share chosen by uncertainty")] = 0.5,
    allocation: Annotated[str, typer.Option(help="proportional or equal per stratum")] = (
        "proportional"
    ),
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
) -> None:
    """Write a CSV of posts to label: most uncertain for the model + stratified by
    neighbourhood and language."""
    from barometer.annotation import sample_for_annotation as sample
    from barometer.annotation import uncertainty_from_scores
    from barometer.schema import POST_SCORES, POSTS
    from barometer.scoring import current_scores, model_versions
    from barometer.warehouse import Warehouse

    if posts is not None:
        post_frame = _read_table(posts)
    elif warehouse.is_dir():
        post_frame = Warehouse(warehouse).read(POSTS)
    else:
        raise InputError(f"no warehouse at {warehouse}: pass --warehouse or --posts")
    if scores is not None:
        score_frame = _read_table(scores)
    elif posts is None:  # the warehouse keeps every version's rows: use the current ones
        stored = Warehouse(warehouse).read(POST_SCORES)
        score_frame = current_scores(stored, model_versions())
    else:
        score_frame = None
    uncertainty = None
    mine = score_frame[score_frame["task"] == task] if score_frame is not None else None
    if uncertain_share > 0 and mine is not None and mine["probability"].notna().any():
        uncertainty = uncertainty_from_scores(mine)
    elif uncertain_share > 0:
        say(
            f"no '{task}' probabilities (none scored, or a rule-based scorer such as the "
            "sentiment lexicon, which gives none): the sample is stratified only"
        )
    sampled = sample(
        post_frame, n, uncertainty=uncertainty, uncertain_share=uncertain_share,
        allocation=allocation, seed=seed,
    )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    sampled.to_csv(out, index=False)
    reasons = sampled["sample_reason"].value_counts().to_dict()
    say(f"{len(sampled)} posts written to {out} ({reasons})")


@show_errors()
def agreement(
    labels: Annotated[Path, typer.Argument(help="labelled CSV: one column per annotator")],
    columns: Annotated[
        list[str] | None, typer.Option(help="annotator columns (default: label_* columns)")
    ] = None,
    level: Annotated[str, typer.Option(help="nominal, ordinal, interval or ratio")] = "nominal",
) -> None:
    """Inter-annotator agreement: Krippendorff's alpha and pairwise Cohen's kappa."""
    from barometer.annotation import agreement as compute

    frame = _read_table(labels)
    chosen = columns or [c for c in frame.columns if c.startswith("label_")]
    missing = [c for c in chosen if c not in frame.columns]
    if missing:
        raise InputError(f"columns {missing} not in {labels.name}: {list(frame.columns)}")
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise InputError(f"level must be nominal, ordinal, interval or ratio, got {level!r}")
    table = compute(frame[chosen], level=level)  # type: ignore[arg-type]
    say(table.to_string(index=False))
