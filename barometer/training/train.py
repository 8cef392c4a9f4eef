"""Train and register a text classifier from one TOML config per task.

:func:`train` reads every hyperparameter from the config (:mod:`barometer.training.config`,
overrides ``"section.key=value"`` as on the command line), loads the labelled rows
(:mod:`barometer.training.data`), optionally reports stratified k-fold scores of the linear
model on the training split, fits the calibrated
:class:`~barometer.nlp.classifiers.TextClassifier`, evaluates it on the fixed test split per
corpus and language with bootstrap intervals (:mod:`barometer.training.evaluation`), and saves
it with its card (:mod:`barometer.training.cards`) to the registry.

Annotation files (``data.annotations`` or ``barometer train TASK --annotations FILE.csv``): the
CSV that ``barometer sample-for-annotation`` writes, once a team filled its ``label`` column (or
one ``label_NAME`` column per annotator), adds training rows; see
:func:`barometer.training.annotations.read_annotations`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from barometer import registry
from barometer.exceptions import ConfigError
from barometer.nlp.classifiers import TextClassifier
from barometer.nlp.linear_models import strict_convergence
from barometer.training import metrics as M
from barometer.training.annotations import annotations_markdown
from barometer.training.cards import render_card
from barometer.training.config import TrainingConfig, dump_config, load_training_config
from barometer.training.data import load_training_rows, training_set
from barometer.training.evaluation import evaluate_predictions, headline


def _group_words(config: TrainingConfig) -> tuple[str, ...]:
    """The training group names of the config's languages (Språkbanken's when augmenting with
    them), read as unseen words by ``features.mask_groups``."""
    from barometer.locations import shared_data_dir
    from barometer.training.groups import group_name_words

    augment = config.augment
    languages = list(config.scoring.languages or (augment.languages if augment else []))
    shared = None
    if augment is not None and augment.sprakbanken:
        shared = shared_data_dir(config.data.root or None)
    return group_name_words(languages, shared_data=shared)


def build_estimator(config: TrainingConfig) -> TextClassifier:
    """The unfitted estimator that a config describes."""
    feats, clf, cal = config.features, config.classifier, config.calibration
    return TextClassifier(
        task=config.task.name,
        word_ngram_range=feats.word_ngram_range,
        char_ngram_range=feats.char_ngram_range,
        n_features=feats.n_features,
        sublinear_tf=feats.sublinear_tf,
        lang_feature=feats.lang_feature,
        min_word_df=feats.min_word_df,
        unseen_words=_group_words(config) if feats.mask_groups else (),
        rare_words=feats.rare_words,
        fold_article=feats.fold_article,
        word_stems=tuple(feats.word_stems),
        min_read_words=config.scoring.min_read_words,
        unread_dilution=feats.unread_dilution,
        classifier=clf.kind,
        C=clf.C,
        class_weight=None if clf.class_weight in ("", "none") else clf.class_weight,
        max_iter=clf.max_iter,
        calibration=cal.method,
        cv=cal.cv_folds,
        languages=tuple(config.scoring.languages) or None,
        random_state=cal.seed,
    )


def _cross_validate(
    estimator: TextClassifier,
    train: pd.DataFrame,
    folds: int,
    seed: int,
    weights: np.ndarray | None = None,
) -> dict[str, Any]:
    features = estimator.featurise(train[["text", "lang"]])
    labels = train["label"].to_numpy(dtype=object)
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    params = {} if weights is None else {"sample_weight": weights}
    with strict_convergence():
        predicted = cross_val_predict(
            estimator.build_linear_model(), features, labels, cv=split, params=params
        )
    classes = [str(c) for c in estimator.classes_]
    scores = []
    for _, test_idx in split.split(features, labels):
        t, p = M.encode(labels[test_idx], classes), M.encode(predicted[test_idx], classes)
        scores.append(M.macro_f1(len(classes))(t, p))
    return {
        "metric": "macro_f1 (uncalibrated linear model, features weighted on all of train)",
        "folds": folds, "mean": float(np.mean(scores)), "sd": float(np.std(scores, ddof=1)),
        "per_fold": [float(s) for s in scores],
    }  # fmt: skip


def _resolved_config(
    task: str,
    config_path: str | Path,
    overrides: list[str] | None,
    data_root: str | Path | None,
    annotations: list[str | Path] | None,
) -> TrainingConfig:
    """The config with its overrides, extra annotation files and data root applied."""
    config = load_training_config(config_path, overrides)
    if config.task.name != task:
        raise ConfigError(f"config {config_path} is for task {config.task.name!r}, not {task!r}")
    changes: dict[str, Any] = {}
    files = [*config.data.annotations, *map(str, annotations or [])]
    if files:
        changes["annotations"] = files
    if data_root is not None:
        changes["root"] = str(data_root)
    return config.with_data(**changes) if changes else config


def _fit(
    config: TrainingConfig, df: pd.DataFrame, model_version: str
) -> tuple[TextClassifier, dict[str, Any], dict[str, Any]]:
    """The fitted estimator, its cross-validation summary and the training-set summary."""
    train_df = df[df["split"] == "train"]
    estimator = build_estimator(config).set_params(model_version=model_version)
    if config.task.bins:
        means = train_df.groupby("label")["value"].mean()
        estimator.set_params(class_values={str(k): float(v) for k, v in means.items()})
    train_df, weights, balance_note = training_set(train_df, config)
    estimator.fit(train_df[["text", "lang"]], train_df["label"], sample_weight=weights)
    cv = {}
    if config.cv.report:
        cal = config.calibration
        cv = _cross_validate(estimator, train_df, cal.cv_folds, cal.seed, weights)
    dev = df[df["split"] == "dev"]
    if config.task.stretch_on == "dev" and estimator.class_values and len(dev) > 1:
        raw = estimator.predict_value(dev[["text", "lang"]])
        shift = float(dev["value"].mean() - raw.mean()) if config.task.center_on == "dev" else 0.0
        estimator.set_params(  # a shift of every class value and the centre moves all by `shift`
            class_values={k: v + shift for k, v in estimator.class_values.items()},
            value_center=float(raw.mean()) + shift,
            value_scale=float(dev["value"].std(ddof=0) / max(raw.std(ddof=0), 1e-12)),
        )
    return estimator, cv, balance_note


def _metrics_record(
    task: str, version: str, estimator: TextClassifier, df: pd.DataFrame, config: TrainingConfig,
    cv: dict[str, Any], balance_note: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """The content of ``metrics.json``: test metrics, CV, row counts, headline, class values."""
    rows = evaluate_predictions(estimator, df[df["split"] == "test"], config)
    values = {}
    if estimator.class_values:
        values = {"class_values": estimator.class_values, "value_center": estimator.value_center,
                  "value_scale": estimator.value_scale}  # fmt: skip
    return {
        "task": task, "version": version, "test": rows, "cv": cv,
        "n_train": int((df["split"] == "train").sum()),
        "n_test": int((df["split"] == "test").sum()), "training_set": balance_note,
        "classes": [str(c) for c in estimator.classes_], "headline": headline(rows, config),
        "values": values,
    }  # fmt: skip


def train(
    task: str,
    config_path: str | Path,
    overrides: list[str] | None = None,
    output_dir: str | Path | None = None,
    *,
    version: str | None = None,
    activate: bool = False,
    data_root: str | Path | None = None,
    annotations: list[str | Path] | None = None,
) -> str:
    """Train, evaluate and save a model of ``task``; return its version name.

    Parameters
    ----------
    task : str
        Task name; must equal ``task.name`` in the config.
    config_path : path
        TOML config holding every hyperparameter (see ``models/configs/``).
    overrides : list of str, optional
        ``"section.key=value"`` items applied on top of the config (then validated).
    output_dir : path, optional
        Models folder (default: the registry's, ``models/``).
    version : str, optional
        Version name; default ``<UTC date>-<first 8 hex of the config's SHA-256>``.
    activate : bool, default False
        Make the new version the active one; :func:`barometer.registry.activate` refuses a
        version without a passing bias audit, so audit it first
        (:func:`barometer.audit.audit_model`; ``barometer train --activate`` does both).
    data_root : path, optional
        Overrides ``data.root`` (the shared data folder).
    annotations : list of path, optional
        Labelled annotation CSVs added to ``data.annotations`` (extra training rows, see
        :func:`~barometer.training.annotations.read_annotations`); the card reports their
        counts and agreement.
    """
    config = _resolved_config(task, config_path, overrides, data_root, annotations)
    config_text = dump_config(config)
    if version is None:
        digest = hashlib.sha256(config_text.encode()).hexdigest()[:8]
        version = f"{datetime.now(UTC):%Y%m%d}-{digest}"
    df, summaries = load_training_rows(config)
    if not (df["split"] == "train").any() or not (df["split"] == "test").any():
        raise ConfigError(f"task {task}: the data has no train or no test rows; check data.sources")
    estimator, cv, balance_note = _fit(config, df, f"{task}-{version}")
    metrics = _metrics_record(task, version, estimator, df, config, cv, balance_note)
    card = render_card(task, version, config, metrics, config_text)
    if summaries:
        section = annotations_markdown(summaries)
        card = card.replace("\n## Model\n", f"\n## Annotations\n\n{section}\n## Model\n", 1)
    scoring = config.scoring
    gate = {"task": scoring.gate_task, "exclude": list(scoring.gate_exclude)}
    registry.save_model(
        estimator, task, version, metrics=metrics, card=card, config_text=config_text,
        gate=gate if scoring.gate_task else None, models_dir=output_dir,
    )  # fmt: skip
    if activate:
        registry.activate(task, version, models_dir=output_dir)
    return version
