"""The labelled rows of a task, and the rows a model is fitted on.

:func:`load_task_data` reads the corpora and extra files a training config names and maps
them to the task's labels; :func:`load_training_rows` adds the annotation files (a city team's
labels); :func:`training_set` adds augmentation and sample weights to the training split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.exceptions import ConfigError
from barometer.training.annotations import read_annotations
from barometer.training.config import TaskConfig, TrainingConfig
from barometer.training.corpora import (
    DEFAULT_DATA_ROOT,
    can_hold_out,
    heldout_split,
    load_corpora,
)

#: Columns of an empty frame of labelled rows.
ROW_COLUMNS = ["text", "lang", "source", "split", "label", "value"]


def bin_labels(values: np.ndarray, task: TaskConfig) -> np.ndarray:
    """The class of each numeric value: ``task.labels[i]`` for values in the ``i``-th bin."""
    codes = np.digitize(np.asarray(values, dtype=float), np.asarray(task.bins, dtype=float))
    return np.asarray(task.labels, dtype=object)[codes]


def load_task_data(config: TrainingConfig, data_root: str | Path | None = None) -> pd.DataFrame:
    """The labelled rows of a task: ``text, lang, source, split, label`` (and ``value``)."""
    data, task = config.data, config.task
    df = load_corpora(
        list(data.sources),
        data_root if data_root is not None else data.root or None,
        heldout_fraction=data.heldout_fraction,
        seed=data.seed,
        extra_files=list(data.extra_files),
    )
    column = task.label_column
    if task.bins:  # a numeric target binned into ordered classes
        value = df[column].astype(float)
        df = df[value.notna()].assign(value=value[value.notna()])
        df["label"] = bin_labels(df["value"].to_numpy(), task)
    else:
        df = df[df[column].notna()].assign(label=lambda d: d[column].astype(str))
    excluded = {tuple(item.split(":", 1)) for item in data.train_exclude}
    if excluded:  # "source:lang" pairs kept for testing only
        pairs = list(zip(df["source"], df["lang"], strict=True))
        drop = np.array([p in excluded for p in pairs]) & (df["split"] == "train").to_numpy()
        df = df[~drop]
    if data.max_rows_per_source > 0:
        keys = ["source", "lang", "split"]
        df = df.groupby(keys, group_keys=False).sample(frac=1.0, random_state=data.seed)
        df = df.groupby(keys, group_keys=False).head(data.max_rows_per_source)
    return df.reset_index(drop=True)


def load_training_rows(
    config: TrainingConfig, data_root: str | Path | None = None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Every labelled row of a task (corpora, ``extra_files`` and ``annotations``) and a summary
    per annotation file.

    Annotation rows (``data.annotations``, the CSVs of ``barometer sample-for-annotation``) are
    training rows, so that test metrics stay comparable with the published ones. A task with no
    corpus and no extra file (e.g. ``sentiment``, which only a city team's labels can train)
    has no other test rows: a stratified ``data.heldout_fraction`` of its annotation rows
    (seed ``data.seed``) is held out as the test split, as for corpora without a fixed one.
    """
    data = config.data
    if not (data.sources or data.extra_files or data.annotations):
        raise ConfigError(
            f"task {config.task.name} has no training data: its config names no corpus "
            "(data.sources) and no file; pass a labelled annotation file with --annotations "
            "FILE.csv (see barometer sample-for-annotation)"
        )
    if data.sources or data.extra_files:
        df = load_task_data(config, data_root)
    else:
        df = pd.DataFrame(columns=ROW_COLUMNS)
    summaries = []
    for item in data.annotations:
        extra, summary = read_annotations(item, config, known=sorted(df["label"].unique()))
        df = pd.concat([df, extra], ignore_index=True) if len(df) else extra
        summaries.append(summary)
    if summaries and not (df["split"] == "test").any():
        df = df.reset_index(drop=True)
        df["split"] = _heldout_annotations(df["label"], data.heldout_fraction, data.seed)
    return df, summaries


def _heldout_annotations(labels: pd.Series, fraction: float, seed: int) -> np.ndarray:
    counts = labels.value_counts()
    if not can_hold_out(labels, fraction):
        raise ConfigError(
            f"the annotations are the only labelled data, so {fraction:.0%} of them are held out "
            f"for testing, but a stratified test part needs at least 2 rows per class and one "
            f"test row per class (label counts {counts.to_dict()}); label more rows or raise "
            "data.heldout_fraction"
        )
    return heldout_split(labels, fraction, seed).to_numpy()


def training_set(
    train: pd.DataFrame, config: TrainingConfig
) -> tuple[pd.DataFrame, np.ndarray | None, dict[str, Any]]:
    """The rows a model is fitted on, their sample weights and a summary for the card.

    ``[augment]`` (optional) adds counterfactual group-term swaps, template sentences and
    spelling variants (:func:`barometer.training.augment.augment_training`; numeric template
    scores are binned like the corpus scores); ``[balance]`` (optional, ``prior > 0``) gives
    every ``by`` group the positive share ``prior``
    (:func:`barometer.training.balance.prior_weights`). Without either section the rows are
    returned unchanged with no weights.
    """
    from barometer.training.augment import augment_training
    from barometer.training.balance import prior_weights

    augment, balance = config.augment, config.balance
    balanced = balance is not None and balance.prior > 0
    if augment is None and not balanced:
        return train, None, {}
    rows = train
    if augment is not None:
        rows = augment_training(train, augment, shared_data=config.data.root or DEFAULT_DATA_ROOT)
        if config.task.bins and "value" in rows.columns:
            missing = rows["label"].isna() & rows["value"].notna()
            values = rows["value"].to_numpy(float)[missing.to_numpy()]
            rows.loc[missing.to_numpy(), "label"] = bin_labels(values, config.task)
    weights = rows["weight"].to_numpy(float) if "weight" in rows.columns else None
    unbalanced: list[str] = []
    if balance is not None and balanced:
        weights, unbalanced = prior_weights(
            rows, positive=balance.positive, prior=balance.prior, by=list(balance.by),
            max_pooled=float(balance.max_pooled) or None,
        )  # fmt: skip
    return rows.reset_index(drop=True), weights, _summary(rows, train, weights, unbalanced)


def _summary(
    rows: pd.DataFrame, train: pd.DataFrame, weights: np.ndarray | None, unbalanced: list[str]
) -> dict[str, Any]:
    """Rows and total weight per language x source x label (the card's training table)."""
    counts = rows.groupby(["lang", "source", "label"]).size()
    mass = pd.Series(weights if weights is not None else np.ones(len(rows)), index=rows.index)
    mass = mass.groupby([rows["lang"], rows["source"], rows["label"]]).sum()
    groups = [
        {"lang": k[0], "source": k[1], "label": k[2], "rows": int(counts[k]),
         "weight": round(float(mass[k]), 1)}
        for k in counts.index
    ]  # fmt: skip
    return {"rows": len(rows), "original_rows": len(train), "groups": groups,
            "unbalanced": unbalanced}  # fmt: skip
