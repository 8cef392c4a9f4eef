"""Annotation files as training rows: majority labels, ties, agreement, the card section.

The CSV that ``barometer sample-for-annotation`` writes (:mod:`barometer.annotation.sampling`),
once a team filled its ``label`` column (or one ``label_NAME`` column per annotator), is read by
:func:`read_annotations` into training rows for :func:`barometer.training.train.train` (which
re-exports both functions); :func:`annotations_markdown` writes the card's "Annotations"
section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer import registry
from barometer.annotation.agreement import agreement
from barometer.exceptions import EstimationError, InputError
from barometer.training.config import TaskConfig, TrainingConfig
from barometer.training.corpora import GROUP_HOSTILITY_LABELS, HOSTILITY_LABELS, TARGET_LABELS


def _task_labels(task: TaskConfig, known: list[str]) -> list[str]:
    """The class names an annotation may use: ``task.labels``, else the corpus label scheme."""
    schemes = {
        "hostility": HOSTILITY_LABELS, "group_hostility": GROUP_HOSTILITY_LABELS,
        "target": TARGET_LABELS,
    }  # fmt: skip
    return list(task.labels or schemes.get(task.label_column, ()) or known)


def read_annotations(
    path: str | Path, config: TrainingConfig, *, known: list[str] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Training rows from a labelled annotation CSV (``barometer sample-for-annotation``).

    Annotator columns are ``label`` and every ``label_NAME`` column that holds a value (one per
    annotator). A row's label is the majority of its annotators; rows nobody labelled and ties
    are dropped. Labels are the task's classes (case and spaces ignored: ``task.labels``, else
    the corpus scheme, e.g. hateful / offensive / not_hostile, else ``known``); a task with
    ``bins`` also takes numbers, binned like the corpus scores. ``lang`` defaults to "und".

    Returns
    -------
    rows : DataFrame
        ``text, lang, source ("annotations:<file stem>"), split ("train"), label, value``.
    summary : dict
        file, sha256, annotators, n_rows, n_labelled, n_ties, n_used, label_counts and, with two
        or more annotators, ``agreement`` (Krippendorff's alpha and pairwise Cohen's kappa rows,
        nominal) or ``agreement_note`` when it is undefined.
    """
    path = Path(path)
    raw, columns = _read_labelled(path)
    cells, values = _cells(raw[columns], config.task)
    labels = _task_labels(config.task, known or [])
    lookup = {str(name).lower(): str(name) for name in labels}
    long = (
        cells.rename_axis("_row")
        .reset_index()
        .melt(id_vars="_row", var_name="_annotator", value_name="_value")
        .dropna(subset=["_value"])
    )
    unknown = sorted(set(long["_value"]) - set(lookup))
    if unknown:
        numbers = f" or numbers (binned at {config.task.bins})" if config.task.bins else ""
        raise InputError(
            f"annotation file {path}: labels {unknown[:10]} are not classes of task "
            f"{config.task.name!r}; expected {labels}{numbers}"
        )
    mapped = cells.apply(lambda c: c.map(lookup))
    counts = pd.crosstab(long["_row"], long["_value"].map(lookup))
    tie = counts.eq(counts.max(axis=1), axis=0).sum(axis=1) > 1
    winner = counts.idxmax(axis=1)[~tie]
    agree = mapped.loc[winner.index].eq(winner, axis=0)
    lang = raw["lang"].fillna("und") if "lang" in raw.columns else pd.Series("und", raw.index)
    rows = pd.DataFrame(
        {"text": raw.loc[winner.index, "text"].fillna("").to_numpy(),
         "lang": lang.loc[winner.index].to_numpy(), "source": f"annotations:{path.stem}",
         "split": "train", "label": winner.to_numpy(dtype=object),
         "value": values.loc[winner.index].where(agree).mean(axis=1).to_numpy(float)}
    )  # fmt: skip
    summary: dict[str, Any] = {
        "file": path.name, "sha256": registry.sha256(path), "annotators": columns,
        "n_rows": len(raw), "n_labelled": len(counts), "n_ties": int(tie.sum()),
        "n_used": len(rows), "label_counts": rows["label"].value_counts().sort_index().to_dict(),
    }  # fmt: skip
    return rows, summary | _agreement(mapped)


def _read_labelled(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The file and its annotator columns (``label`` and ``label_NAME`` with a value)."""
    if not path.is_file():
        raise InputError(f"annotation file {path} not found")
    raw = pd.read_csv(path, dtype=str)
    columns = [c for c in raw.columns
               if (c == "label" or c.startswith("label_")) and raw[c].notna().any()]  # fmt: skip
    if "text" not in raw.columns or not columns:
        raise InputError(
            f"annotation file {path}: expected a text column and a filled label column ('label', "
            f"or one 'label_NAME' per annotator); got columns {list(raw.columns)}"
        )
    return raw, columns


def _cells(labels: pd.DataFrame, task: TaskConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lower-cased labels, blank = missing, numbers binned into the task's classes; the
    numbers themselves)."""
    cells = labels.apply(lambda c: c.str.strip().str.lower()).replace("", np.nan)
    values = cells.apply(pd.to_numeric, errors="coerce")
    if task.bins:  # numbers binned into the ordered classes, as load_task_data does
        codes = np.digitize(values.fillna(0).to_numpy(float), np.asarray(task.bins, dtype=float))
        names = np.asarray(task.labels, dtype=object)[codes]
        cells = cells.mask(values.notna(), pd.DataFrame(names, cells.index, cells.columns))
    return cells, values


def _agreement(mapped: pd.DataFrame) -> dict[str, Any]:
    """``agreement`` rows (nominal) with two or more annotators, or why it is undefined."""
    if mapped.shape[1] < 2:
        return {}
    try:
        return {"agreement": agreement(mapped, level="nominal").to_dict("records")}
    except EstimationError as exc:
        return {"agreement_note": f"agreement undefined: {exc}"}


def annotations_markdown(summaries: list[dict[str, Any]]) -> str:
    """The "Annotations" section of a card: what each annotation file added, and agreement."""
    lines = [
        "Extra training rows from annotation files (majority label over the annotator columns, "
        "ties dropped; training split only, so the test metrics stay comparable).",
        "",
        "| file | SHA-256 | annotators | rows | labelled | ties dropped | used | labels |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        labels = ", ".join(f"{k} {v}" for k, v in s["label_counts"].items())
        lines.append(
            f"| {s['file']} | {s['sha256'][:12]} | {', '.join(s['annotators'])} | {s['n_rows']} "
            f"| {s['n_labelled']} | {s['n_ties']} | {s['n_used']} | {labels} |"
        )
    agreement = [(s["file"], r) for s in summaries for r in s.get("agreement", [])]
    if agreement:
        lines += ["", "Agreement between annotators (nominal):", ""]
        lines += ["| file | measure | annotators | value | items |", "|---|---|---|---|---|"]
        lines += [
            f"| {f} | {r['measure']} | {r['annotators'].replace('|', ' / ')} | {r['value']:.3f} "
            f"| {r['n_items']} |"
            for f, r in agreement
        ]
    lines += [f"- {s['file']}: {s['agreement_note']}" for s in summaries if "agreement_note" in s]
    return "\n".join(lines) + "\n"
