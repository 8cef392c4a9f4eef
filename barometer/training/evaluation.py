"""Test metrics of a text classifier, and the check that a saved model still reproduces them.

:func:`evaluate_predictions` computes tidy metric rows (per corpus and language, with
percentile bootstrap intervals, :mod:`barometer.training.metrics`) on the held-out test split;
:func:`evaluate` recomputes them for a registered version from its stored config and compares
them with its ``metrics.json`` and its card.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer import registry
from barometer.exceptions import ModelError
from barometer.nlp.classifiers import TextClassifier
from barometer.training import metrics as M
from barometer.training.cards import metrics_table
from barometer.training.config import TrainingConfig, version_config
from barometer.training.data import load_training_rows

#: Absolute tolerance of `evaluate` when comparing reproduced with stored metrics.
TOLERANCE = 1e-6


def _groups(test: pd.DataFrame) -> list[tuple[str, str]]:
    """(source, lang) of every corpus x language, then ("all", lang) of every language."""
    pairs = test[["source", "lang"]].drop_duplicates().sort_values(["source", "lang"])
    groups: list[tuple[str, str]] = list(pairs.itertuples(index=False, name=None))
    return groups + [("all", lg) for lg in sorted(test["lang"].unique())]


def _class_rows(
    t: np.ndarray, p: np.ndarray, classes: list[str], config: TrainingConfig, **where: Any
) -> list[dict[str, Any]]:
    """F1, binary (flagged vs negative) and per-class metric rows of one group's codes."""
    k, ev, negative = len(classes), config.evaluation, config.task.negative_label
    rows = []
    one_class = len(np.unique(t)) < 2
    keep_f1 = not (one_class and ev.skip_one_class)
    if keep_f1:
        rows.append(M.metric_row("macro_f1", M.macro_f1(k), t, p, **where))
        rows.append(M.metric_row("weighted_f1", M.weighted_f1(k), t, p, **where))
    if negative in classes:
        neg = classes.index(negative)
        tb, pb = (t != neg).astype(np.int64), (p != neg).astype(np.int64)
        if keep_f1:
            rows.append(M.metric_row("binary_macro_f1", M.macro_f1(2), tb, pb, **where))
        if ev.false_positive_rate and (tb == 0).any():
            rows.append(
                M.metric_row("false_positive_rate", M.false_positive_rate(0), tb, pb, **where)
            )
    for name in config.task.report_classes:
        if name in classes and (t == classes.index(name)).any():
            code = classes.index(name)
            rows.append(
                M.metric_row(f"precision_{name}", M.class_precision(k, code), t, p, **where)
            )
            rows.append(M.metric_row(f"recall_{name}", M.class_recall(k, code), t, p, **where))
    return rows


def evaluate_predictions(
    estimator: TextClassifier, test: pd.DataFrame, config: TrainingConfig
) -> list[dict[str, Any]]:
    """Tidy metric rows of a fitted estimator on test rows, per corpus and language."""
    ev = config.evaluation
    boot = {"n_boot": ev.n_boot, "level": ev.level, "seed": ev.seed}
    classes = [str(c) for c in estimator.classes_]
    proba = estimator.predict_proba(test[["text", "lang"]])
    y_true = M.encode(test["label"], classes)
    y_pred = np.argmax(proba, axis=1)
    values = None
    if estimator.class_values:
        values = estimator.predict_value(test[["text", "lang"]])
    rows = []
    for source, lang in _groups(test):
        mask = (test["lang"] == lang).to_numpy().copy()
        if source != "all":
            mask &= (test["source"] == source).to_numpy()
        if source == "all" and test.loc[mask, "source"].nunique() < 2:
            continue
        where: dict[str, Any] = {"source": source, "lang": lang, **boot}
        rows += _class_rows(y_true[mask], y_pred[mask], classes, config, **where)
        if values is not None:
            gold = test["value"].to_numpy(dtype=float)[mask]
            rows.append(
                M.metric_row("krippendorff_alpha_interval", M.krippendorff_alpha_interval,
                             gold, values[mask], **where)
            )  # fmt: skip
    return rows


def headline(rows: list[dict[str, Any]], config: TrainingConfig) -> str:
    """The card's headline: the metric rows named ``source:lang:metric`` in
    ``evaluation.headline`` (``*`` matches any source or language)."""
    parts = []
    for item in config.evaluation.headline:
        pattern = item.split(":")
        for r in rows:
            found = (r["source"], r["lang"], r["metric"])
            if all(p in ("*", f) for p, f in zip(pattern, found, strict=True)):
                parts.append(f"{found[0]}/{found[1]} {found[2]} {r['value']:.3f}")
    return "; ".join(parts)


def _same(reproduced: dict[str, Any] | None, stored: dict[str, Any]) -> bool:
    """Whether a reproduced metric row matches the stored one (values within TOLERANCE)."""
    return (
        reproduced is not None
        and all(
            np.isclose(reproduced[f], stored[f], atol=TOLERANCE, equal_nan=True)
            for f in ("value", "lower", "upper")
        )
        and reproduced["n"] == stored["n"]
    )


def evaluate(
    task: str,
    version: str | None = None,
    *,
    models_dir: str | Path | None = None,
    data_root: str | Path | None = None,
) -> pd.DataFrame:
    """Recompute a saved model's test metrics and compare them with metrics.json and its card.

    Returns one row per stored metric: source, lang, metric, stored, reproduced, ok. A last row
    (metric ``card``) says whether the card's metrics table is the one rendered from the
    reproduced numbers.
    """
    version = version or registry.active_versions(models_dir).get(task)
    if version is None:
        raise ModelError(f"no active version of '{task}'; name one with --version")
    folder = registry.version_dir(task, version, models_dir)
    estimator = registry.load_model(task, version, models_dir=models_dir)
    config = version_config(task, version, models_dir)
    stored = pd.read_json(folder / "metrics.json", typ="series")["test"]
    df, _ = load_training_rows(config, data_root)
    rows = evaluate_predictions(estimator, df[df["split"] == "test"], config)
    again = {(r["source"], r["lang"], r["metric"]): r for r in rows}
    out = []
    for s in stored:
        key = (s["source"], s["lang"], s["metric"])
        r = again.get(key)
        ok = bool(_same(r, s))
        out.append({"source": key[0], "lang": key[1], "metric": key[2], "stored": s["value"],
                    "reproduced": None if r is None else r["value"], "ok": ok})  # fmt: skip
    card = (folder / "card.md").read_text(encoding="utf-8")
    out.append({"source": "card.md", "lang": "", "metric": "card", "stored": np.nan,
                "reproduced": np.nan, "ok": metrics_table(rows, config) in card})  # fmt: skip
    return pd.DataFrame(out)
