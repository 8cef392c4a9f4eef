"""``barometer audit``, ``barometer sample-for-annotation`` and ``barometer agreement``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape

from barometer.exceptions import BarometerError, InputError

console = Console()
errors = Console(stderr=True)
DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def _fail(exc: BarometerError) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _load_scorer(task: str, shared: Path) -> tuple[Any, str, Callable[[np.ndarray], Any]]:
    """Return (scorer, model_version, flag rule) of an unregistered scorer (sentiment, rumour).

    Models of the registry (hostility, immigration_attitude, ...) are audited by
    :func:`barometer.audit.audit_model` instead.
    """
    if task == "sentiment":
        from barometer.nlp.lexicons import MODEL_VERSION, LexiconSentimentScorer

        scorer = LexiconSentimentScorer().fit()
        return scorer, MODEL_VERSION, lambda s: s <= -scorer.neutral_bands_["en"]
    if task == "rumour":
        from barometer.nlp.rumours import MODEL_VERSION as RUMOUR_VERSION
        from barometer.nlp.rumours import RumourMatcher

        matcher = RumourMatcher().fit()
        return matcher, RUMOUR_VERSION, lambda s: s >= matcher.threshold_
    from barometer.registry import active_versions

    raise InputError(
        f"no auditable scorer for task {task!r}: expected 'sentiment', 'rumour' or a task of "
        f"the model registry {sorted(active_versions())}"
    )


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix in (".csv", ".txt"):
        return pd.read_csv(path, dtype={"post_id": str})
    raise InputError(f"expected a .parquet or .csv file, got {path.name}")


def audit(
    task: Annotated[
        str, typer.Argument(help="task: hostility, immigration_attitude, sentiment, rumour, ...")
    ],
    version: Annotated[
        str | None, typer.Option(help="model version of a registry task (default: the active one)")
    ] = None,
    models_dir: Annotated[Path | None, typer.Option(help="models folder (default models/)")] = None,
    shared_data: Annotated[
        Path, typer.Option(help="shared data folder (test data, lexicons, Davidson, TwitterAAE)")
    ] = DEFAULT_SHARED,
    config: Annotated[
        Path | None,
        typer.Option(help="TOML with an [audit] table (default: the model's config)"),
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
        int | None, typer.Option(help="bootstrap replicates (default: [audit] n_boot or 1000)")
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
    from barometer.registry import active_versions, models_root

    try:
        # a trained model of a rule-based task's name (e.g. supervised sentiment) is audited as
        # a registry model when it is named (--version) or active; else the rule-based scorer
        trained = (models_root(models_dir) / task).is_dir() and (
            task not in ("sentiment", "rumour")
            or version is not None
            or task in active_versions(models_dir)
        )
        if trained:
            results, thresholds = audit_model(
                task, version, models_dir=models_dir, shared_data=shared_data,
                thresholds=load_audit_thresholds(config) if config is not None else None,
                n_boot=n_boot, dialect_argmax=dialect_argmax or None, seed=seed,
            )  # fmt: skip
            console.print(f"audit of {results.model_version} written to its card and audit.json")
        else:
            thresholds = load_audit_thresholds(config)
            scorer, name, flag = _load_scorer(task, shared_data)
            preds = _read_table(predictions) if predictions is not None else None
            results = run_audit(
                scorer, task=task, model_version=name, shared_data=shared_data, flag=flag,
                predictions=preds, dialect_threshold=None if dialect_argmax else 0.8,
                n_boot=n_boot or 1000, seed=seed,
            )  # fmt: skip
    except BarometerError as exc:
        raise _fail(exc) from None
    passed, reasons = audit_passes(results, thresholds)
    markdown = audit_markdown(results, thresholds)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown, encoding="utf-8")
        console.print(f"audit section written to {out}")
    else:
        typer.echo(markdown)
    verdict = f"verdict: {'PASS' if passed else 'FAIL'}" + "".join(f"\n- {r}" for r in reasons)
    console.print(verdict, markup=False, highlight=False)
    if strict and not passed:
        raise typer.Exit(code=1)


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

    try:
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
            console.print(
                f"no '{task}' probabilities (none scored, or a rule-based scorer such as the "
                "sentiment lexicon, which gives none): the sample is stratified only"
            )
        sampled = sample(
            post_frame, n, uncertainty=uncertainty, uncertain_share=uncertain_share,
            allocation=allocation, seed=seed,
        )  # fmt: skip
    except BarometerError as exc:
        raise _fail(exc) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    sampled.to_csv(out, index=False)
    reasons = sampled["sample_reason"].value_counts().to_dict()
    console.print(f"{len(sampled)} posts written to {out} ({reasons})")


def agreement(
    labels: Annotated[Path, typer.Argument(help="labelled CSV: one column per annotator")],
    columns: Annotated[
        list[str] | None, typer.Option(help="annotator columns (default: label_* columns)")
    ] = None,
    level: Annotated[str, typer.Option(help="nominal, ordinal, interval or ratio")] = "nominal",
) -> None:
    """Inter-annotator agreement: Krippendorff's alpha and pairwise Cohen's kappa."""
    from barometer.annotation import agreement as compute

    try:
        frame = _read_table(labels)
        chosen = columns or [c for c in frame.columns if c.startswith("label_")]
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise InputError(f"columns {missing} not in {labels.name}: {list(frame.columns)}")
        if level not in ("nominal", "ordinal", "interval", "ratio"):
            raise InputError(f"level must be nominal, ordinal, interval or ratio, got {level!r}")
        table = compute(frame[chosen], level=level)  # type: ignore[arg-type]
    except BarometerError as exc:
        raise _fail(exc) from None
    console.print(table.to_string(index=False), markup=False, highlight=False)
