"""Train, evaluate and register text classifiers from one TOML config per task.

``train(task, config_path, overrides)`` reads every hyperparameter from the config (overrides
``"section.key=value"`` as on the command line, values parsed as TOML), loads the corpora,
reports stratified k-fold scores of the linear model on the training split, fits the calibrated
:class:`~barometer.nlp.classifiers.TextClassifier`, evaluates it on the fixed test split per
corpus and language with bootstrap intervals, and saves it with its card to the registry.
``evaluate(task, version)`` recomputes the test metrics of a saved model from its stored config
and checks them against ``metrics.json`` and the card.

Annotation files (``data.annotations`` or ``barometer train TASK --annotations FILE.csv``): the
CSV that ``barometer sample-for-annotation`` writes, once a team filled its ``label`` column (or
one ``label_NAME`` column per annotator), adds training rows; see
:func:`barometer.training.annotations.read_annotations`.
"""

from __future__ import annotations

import hashlib
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from barometer import registry
from barometer.exceptions import ConfigError, ModelError
from barometer.nlp.classifiers import TextClassifier, strict_convergence
from barometer.training import metrics as M
from barometer.training.annotations import annotations_markdown, read_annotations
from barometer.training.cards import metrics_table, render_card
from barometer.training.corpora import can_hold_out, heldout_split, load_corpora

#: Absolute tolerance of `evaluate` when comparing reproduced with stored metrics.
TOLERANCE = 1e-6


def parse_override(item: str) -> tuple[str, str, Any]:
    """Parse ``"section.key=value"`` (value as TOML, else a plain string).

    Examples
    --------
    >>> parse_override("classifier.C=2.0")
    ('classifier', 'C', 2.0)
    >>> parse_override("data.sources=['dkhate']")
    ('data', 'sources', ['dkhate'])
    """
    key, sep, raw = item.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or not section or not name:
        raise ConfigError(
            f"override {item!r} must look like section.key=value, e.g. classifier.C=2.0"
        )
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return section, name, value


def load_config(path: str | Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """Read a training config and apply overrides; unknown sections or keys raise ConfigError."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"training config {path} not found; see models/configs/ for examples")
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    for item in overrides or []:
        section, name, value = parse_override(item)
        if name not in config.get(section, {}):
            known = [f"{s}.{k}" for s, v in config.items() if isinstance(v, dict) for k in v]
            raise ConfigError(
                f"override {item!r}: no key {section}.{name} in {path}; keys: {known}"
            )
        config[section][name] = value
    return config


def dump_config(config: dict[str, Any]) -> str:
    """Write a config of flat sections back as TOML (the resolved config stored with a model)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return repr(v)

    out = []
    for section, items in config.items():
        out.append(f"[{section}]")
        out += [f"{key} = {value(v)}" for key, v in items.items()]
        out.append("")
    return "\n".join(out)


def build_estimator(config: dict[str, Any]) -> TextClassifier:
    """The unfitted estimator that a config describes."""
    feats, clf, cal, score = (
        config["features"], config["classifier"], config["calibration"], config["scoring"],
    )  # fmt: skip
    weight = clf.get("class_weight", "none")
    return TextClassifier(
        task=config["task"]["name"],
        word_ngram_range=tuple(feats["word_ngram_range"]),
        char_ngram_range=tuple(feats["char_ngram_range"]),
        n_features=int(feats["n_features"]),
        sublinear_tf=bool(feats["sublinear_tf"]),
        lang_feature=bool(feats["lang_feature"]),
        classifier=clf["kind"],
        C=float(clf["C"]),
        class_weight=None if weight in ("", "none") else weight,
        max_iter=int(clf["max_iter"]),
        calibration=cal["method"],
        cv=int(cal["cv_folds"]),
        languages=tuple(score["languages"]) or None,
        random_state=int(cal["seed"]),
    )


def load_task_data(config: dict[str, Any], data_root: str | Path | None = None) -> pd.DataFrame:
    """The labelled rows of a task: ``text, lang, source, split, label`` (and ``value``)."""
    data, task = config["data"], config["task"]
    df = load_corpora(
        list(data["sources"]),
        data_root if data_root is not None else data.get("root") or None,
        heldout_fraction=float(data["heldout_fraction"]),
        seed=int(data["seed"]),
        extra_files=list(data.get("extra_files", [])),
    )
    column = task["label_column"]
    bins = task.get("bins", [])
    if bins:  # a numeric target binned into ordered classes
        value = df[column].astype(float)
        df = df[value.notna()].assign(value=value[value.notna()])
        codes = np.digitize(df["value"].to_numpy(), np.asarray(bins, dtype=float), right=False)
        df["label"] = np.asarray(task["labels"], dtype=object)[codes]
    else:
        df = df[df[column].notna()].assign(label=lambda d: d[column].astype(str))
    excluded = {tuple(item.split(":", 1)) for item in data.get("train_exclude", [])}
    if excluded:  # "source:lang" pairs kept for testing only
        pairs = list(zip(df["source"], df["lang"], strict=True))
        drop = np.array([p in excluded for p in pairs]) & (df["split"] == "train").to_numpy()
        df = df[~drop]
    limit = int(data.get("max_rows_per_source", 0))
    if limit > 0:
        df = df.groupby(["source", "lang", "split"], group_keys=False).sample(
            frac=1.0, random_state=int(data["seed"])
        )
        df = df.groupby(["source", "lang", "split"], group_keys=False).head(limit)
    return df.reset_index(drop=True)


def load_training_rows(
    config: dict[str, Any], data_root: str | Path | None = None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Every labelled row of a task (corpora, ``extra_files`` and ``annotations``) and a summary
    per annotation file.

    Annotation rows (``data.annotations``, the CSVs of ``barometer sample-for-annotation``) are
    training rows, so that test metrics stay comparable with the published ones. A task with no
    corpus and no extra file (e.g. ``sentiment``, which only a city team's labels can train)
    has no other test rows: a stratified ``data.heldout_fraction`` of its annotation rows
    (seed ``data.seed``) is held out as the test split, as for corpora without a fixed one.
    """
    data = config["data"]
    if not (data.get("sources") or data.get("extra_files") or data.get("annotations")):
        raise ConfigError(
            f"task {config['task']['name']} has no training data: its config names no corpus "
            "(data.sources) and no file; pass a labelled annotation file with --annotations "
            "FILE.csv (see barometer sample-for-annotation)"
        )
    if data.get("sources") or data.get("extra_files"):
        df = load_task_data(config, data_root)
    else:
        df = pd.DataFrame(columns=["text", "lang", "source", "split", "label", "value"])
    summaries = []
    for item in data.get("annotations", []):
        extra, summary = read_annotations(item, config, known=sorted(df["label"].unique()))
        df = pd.concat([df, extra], ignore_index=True) if len(df) else extra
        summaries.append(summary)
    if summaries and not (df["split"] == "test").any():
        df = df.reset_index(drop=True)
        df["split"] = _heldout_annotations(df["label"], float(data["heldout_fraction"]),
                                           int(data["seed"]))  # fmt: skip
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
    train: pd.DataFrame, config: dict[str, Any]
) -> tuple[pd.DataFrame, np.ndarray | None, dict[str, Any]]:
    """The rows a model is fitted on, their sample weights and a summary for the card.

    ``[augment]`` (optional) adds counterfactual group-term swaps, template sentences and
    spelling variants (:func:`barometer.training.augment.augment_training`; numeric template scores
    are binned like the corpus scores); ``[balance]`` (optional, ``prior > 0``) gives every
    ``by`` group the positive share ``prior`` (:func:`barometer.training.balance.prior_weights`).
    Without either section the rows are returned unchanged with no weights.
    """
    from barometer.training.augment import augment_training
    from barometer.training.balance import prior_weights
    from barometer.training.corpora import DEFAULT_DATA_ROOT

    augment, balance, task = config.get("augment", {}), config.get("balance", {}), config["task"]
    if not augment and not float(balance.get("prior", 0) or 0):
        return train, None, {}
    rows = train
    if augment:
        root = config["data"].get("root") or DEFAULT_DATA_ROOT
        rows = augment_training(train, augment, shared_data=root)
        if task.get("bins") and "value" in rows.columns:
            missing = rows["label"].isna() & rows["value"].notna()
            codes = np.digitize(rows.loc[missing, "value"].to_numpy(float),
                                np.asarray(task["bins"], dtype=float))  # fmt: skip
            rows.loc[missing, "label"] = np.asarray(task["labels"], dtype=object)[codes]
    weights = rows["weight"].to_numpy(float) if "weight" in rows.columns else None
    unbalanced: list[str] = []
    if float(balance.get("prior", 0) or 0) > 0:
        cap = balance.get("max_pooled", 0)
        weights, unbalanced = prior_weights(
            rows, positive=str(balance["positive"]), prior=float(balance["prior"]),
            by=list(balance.get("by", ["lang", "source"])), max_pooled=float(cap) if cap else None,
        )  # fmt: skip
    counts = rows.groupby(["lang", "source", "label"]).size()
    mass = pd.Series(weights if weights is not None else np.ones(len(rows)), index=rows.index)
    mass = mass.groupby([rows["lang"], rows["source"], rows["label"]]).sum()
    note = {
        "rows": len(rows), "original_rows": len(train),
        "groups": [
            {"lang": k[0], "source": k[1], "label": k[2], "rows": int(counts[k]),
             "weight": round(float(mass[k]), 1)}
            for k in counts.index
        ],
        "unbalanced": unbalanced,
    }  # fmt: skip
    return rows.reset_index(drop=True), weights, note


def evaluate_predictions(
    estimator: TextClassifier, test: pd.DataFrame, config: dict[str, Any]
) -> list[dict[str, Any]]:
    """Tidy metric rows of a fitted estimator on test rows, per corpus and language."""
    ev, task = config["evaluation"], config["task"]
    boot = {"n_boot": int(ev["n_boot"]), "level": float(ev["level"]), "seed": int(ev["seed"])}
    classes = [str(c) for c in estimator.classes_]
    k = len(classes)
    proba = estimator.predict_proba(test[["text", "lang"]])
    y_true = M.encode(test["label"], classes)
    y_pred = np.argmax(proba, axis=1)
    values = None
    if estimator.class_values:
        values = estimator.predict_value(test[["text", "lang"]])
    negative = task.get("negative_label", "")
    pairs = test[["source", "lang"]].drop_duplicates().sort_values(["source", "lang"])
    groups: list[tuple[str, str]] = list(pairs.itertuples(index=False, name=None))
    groups += [("all", lg) for lg in sorted(test["lang"].unique())]
    rows = []
    for source, lang in groups:
        mask = (test["lang"] == lang).to_numpy().copy()
        if source != "all":
            mask &= (test["source"] == source).to_numpy()
        if source == "all" and test.loc[mask, "source"].nunique() < 2:
            continue
        t, p = y_true[mask], y_pred[mask]
        where: dict[str, Any] = {"source": source, "lang": lang, **boot}
        one_class = len(np.unique(t)) < 2
        if not (one_class and ev.get("skip_one_class", False)):
            rows.append(M.metric_row("macro_f1", M.macro_f1(k), t, p, **where))
            rows.append(M.metric_row("weighted_f1", M.weighted_f1(k), t, p, **where))
        if negative in classes:
            neg = classes.index(negative)
            tb, pb = (t != neg).astype(np.int64), (p != neg).astype(np.int64)
            if not (one_class and ev.get("skip_one_class", False)):
                rows.append(M.metric_row("binary_macro_f1", M.macro_f1(2), tb, pb, **where))
            if ev.get("false_positive_rate", False) and (tb == 0).any():
                rows.append(
                    M.metric_row("false_positive_rate", M.false_positive_rate(0), tb, pb, **where)
                )
        for name in task.get("report_classes", []):
            if name in classes and (t == classes.index(name)).any():
                code = classes.index(name)
                rows.append(
                    M.metric_row(f"precision_{name}", M.class_precision(k, code), t, p, **where)
                )
                rows.append(M.metric_row(f"recall_{name}", M.class_recall(k, code), t, p, **where))
        if values is not None:
            gold = test["value"].to_numpy(dtype=float)[mask]
            alpha = M.metric_row(
                "krippendorff_alpha_interval",
                M.krippendorff_alpha_interval,
                gold,
                values[mask],
                **where,
            )
            rows.append(alpha)
    return rows


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
        ``"section.key=value"`` items applied on top of the config.
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
        :func:`read_annotations`); the card reports their counts and agreement.
    """
    config = load_config(config_path, overrides)
    if config["task"]["name"] != task:
        raise ConfigError(
            f"config {config_path} is for task {config['task']['name']!r}, not {task!r}"
        )
    files = [*config["data"].get("annotations", []), *map(str, annotations or [])]
    if files:
        config["data"]["annotations"] = files
    if data_root is not None:
        config["data"]["root"] = str(data_root)
    config_text = dump_config(config)
    if version is None:
        digest = hashlib.sha256(config_text.encode()).hexdigest()[:8]
        version = f"{datetime.now(UTC):%Y%m%d}-{digest}"
    df, summaries = load_training_rows(config)
    train_df = df[df["split"] == "train"]
    if train_df.empty or not (df["split"] == "test").any():
        raise ConfigError(f"task {task}: the data has no train or no test rows; check data.sources")
    estimator = build_estimator(config).set_params(model_version=f"{task}-{version}")
    if config["task"].get("bins"):
        means = train_df.groupby("label")["value"].mean()
        estimator.set_params(class_values={str(k): float(v) for k, v in means.items()})
    n_train = len(train_df)
    train_df, weights, balance_note = training_set(train_df, config)
    estimator.fit(train_df[["text", "lang"]], train_df["label"], sample_weight=weights)
    cv = {}
    if config["cv"]["report"]:
        cv = _cross_validate(
            estimator,
            train_df,
            int(config["calibration"]["cv_folds"]),
            int(config["calibration"]["seed"]),
            weights,
        )
    dev = df[df["split"] == "dev"]
    if config["task"].get("stretch_on") == "dev" and estimator.class_values and len(dev) > 1:
        raw = estimator.predict_value(dev[["text", "lang"]])
        estimator.set_params(
            value_center=float(raw.mean()),
            value_scale=float(dev["value"].std(ddof=0) / max(raw.std(ddof=0), 1e-12)),
        )
    rows = evaluate_predictions(estimator, df[df["split"] == "test"], config)
    metrics = {
        "task": task, "version": version, "test": rows, "cv": cv,
        "n_train": n_train, "n_test": int((df["split"] == "test").sum()),
        "training_set": balance_note,
        "classes": [str(c) for c in estimator.classes_],
        "headline": _headline(rows, config),
        "values": {
            "class_values": estimator.class_values, "value_center": estimator.value_center,
            "value_scale": estimator.value_scale,
        } if estimator.class_values else {},
    }  # fmt: skip
    card = render_card(task, version, config, metrics, config_text)
    if summaries:
        section = annotations_markdown(summaries)
        card = card.replace("\n## Model\n", f"\n## Annotations\n\n{section}\n## Model\n", 1)
    scoring = config["scoring"]
    gate = {"task": scoring["gate_task"], "exclude": list(scoring.get("gate_exclude", []))}
    registry.save_model(
        estimator, task, version, metrics=metrics, card=card, config_text=config_text,
        gate=gate if scoring.get("gate_task") else None, models_dir=output_dir,
    )  # fmt: skip
    if activate:
        registry.activate(task, version, models_dir=output_dir)
    return version


def _headline(rows: list[dict[str, Any]], config: dict[str, Any]) -> str:
    """The card's headline: the metric rows named ``source:lang:metric`` in
    ``evaluation.headline`` (``*`` matches any source or language)."""
    wanted = config["evaluation"].get("headline", [])
    parts = []
    for item in wanted:
        pattern = item.split(":")
        for r in rows:
            found = (r["source"], r["lang"], r["metric"])
            if all(p in ("*", f) for p, f in zip(pattern, found, strict=True)):
                parts.append(f"{found[0]}/{found[1]} {found[2]} {r['value']:.3f}")
    return "; ".join(parts)


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
    config = tomllib.loads((folder / "config.toml").read_text(encoding="utf-8"))
    stored = pd.read_json(folder / "metrics.json", typ="series")["test"]
    df, _ = load_training_rows(config, data_root)
    rows = evaluate_predictions(estimator, df[df["split"] == "test"], config)
    again = {(r["source"], r["lang"], r["metric"]): r for r in rows}
    out = []
    for s in stored:
        key = (s["source"], s["lang"], s["metric"])
        r = again.get(key)
        ok = (
            r is not None
            and all(
                np.isclose(r[f], s[f], atol=TOLERANCE, equal_nan=True)
                for f in ("value", "lower", "upper")
            )
            and r["n"] == s["n"]
        )
        out.append({"source": key[0], "lang": key[1], "metric": key[2], "stored": s["value"],
                    "reproduced": None if r is None else r["value"], "ok": bool(ok)})  # fmt: skip
    card = (folder / "card.md").read_text(encoding="utf-8")
    out.append({"source": "card.md", "lang": "", "metric": "card", "stored": np.nan,
                "reproduced": np.nan, "ok": metrics_table(rows, config) in card})  # fmt: skip
    return pd.DataFrame(out)
