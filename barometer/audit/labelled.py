"""Validity of a rule-based scorer on a city's own labelled posts (``barometer validate
sentiment --labelled FILE.csv``).

The rule-based scorers have no test split of their own, so :mod:`barometer.audit.validity`
publishes them as ``no_test_set``. A city that labels its own posts (the CSV of ``barometer
sample-for-annotation`` with its ``label`` column, or one ``label_NAME`` column per annotator,
filled) can validate the lexicon sentiment scorer per language:

1. :func:`read_labelled` checks every row (``text``, ``lang`` and a label that is one of the
   scorer's classes; the majority label over the annotators, ties dropped, as training does);
2. :func:`labelled_rows` scores the texts through
   :class:`barometer.batch_scoring.BatchScorer`, the pipeline's own scorer with the same
   lexicons and per-language neutral bands, and computes per language macro-F1 over
   negative / neutral / positive with a 95 % percentile bootstrap interval
   (:func:`barometer.training.metrics.bootstrap`, over
   :func:`barometer.stats.intervals.percentile_interval`), checked against the ``[validity]``
   table of ``configs/sentiment.toml``: at least ``min_n_test`` posts and a lower bound of at
   least :meth:`~barometer.training.config.ValidityCriteria.metric_limit` of the language
   (reasons ``test_set_too_small``, ``metric_below_threshold``). ``neutral_flag_rate`` is the
   share of posts labelled neutral that the scorer calls negative (reported, not a criterion:
   macro-F1 already counts them); there is no functional suite and no bias audit of the lexicon
   (``audit_verdict`` ``not_run``, not a reason: the rule-based scorers are audited separately by
   ``barometer audit sentiment``);
3. :func:`validate_labelled` writes the rows to ``<models dir>/<task>/<scorer version>/
   validity.json`` in the city's models folder (never the package), keyed by the
   ``model_version`` the scorer writes to ``post_scores``, and
   :func:`stored_labelled` gives them back for that version only: a new scorer version is not
   validated by an old file. Languages the scorer covers but the file does not test stay
   ``no_test_set``.

Only sentiment is supported: the other rule-based tasks (trust expressions, rumours, themes)
have no labelled class scheme a city annotates, so :func:`check_task` refuses them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.exceptions import InputError, ModelError
from barometer.training.config import TrainingConfig, ValidityCriteria

#: Tasks that can be validated on labelled posts -> their classes (labels of ``post_scores``).
LABELLED_TASKS: dict[str, tuple[str, ...]] = {"sentiment": ("negative", "neutral", "positive")}
VALIDITY_FILE = "validity.json"


def check_task(task: str, models_dir: str | Path | None = None) -> str:
    """The ``post_scores`` model version of rule-based ``task``; raises :class:`ModelError`
    when the task cannot be validated on labelled posts (not sentiment, or replaced by a
    trained model, which is validated on its own held-out rows)."""
    from barometer import registry
    from barometer.scoring import RULE_BASED

    if task not in LABELLED_TASKS:
        kind = "a rule-based task" if task in RULE_BASED else "not a rule-based task"
        raise ModelError(
            f"--labelled validates rule-based sentiment only; '{task}' is {kind} without a "
            "labelled class scheme (trained models are validated on their held-out test rows: "
            f"`barometer validate {task}`)"
        )
    active = registry.active_versions(models_dir).get(task)
    if active is not None:
        raise ModelError(
            f"'{task}' is scored by the trained model {active}, not the rule-based scorer; "
            f"validate it with `barometer validate {task}` (its held-out annotations)"
        )
    return RULE_BASED[task][0]


def criteria_for(task: str, overrides: list[str] | None = None) -> ValidityCriteria:
    """The ``[validity]`` table of the packaged ``configs/TASK.toml`` with ``validity.KEY=VALUE``
    overrides applied."""
    from barometer.exceptions import ConfigError
    from barometer.locations import training_config
    from barometer.training.config import load_training_config

    bad = [item for item in overrides or [] if not item.strip().startswith("validity.")]
    if bad:
        raise ConfigError(f"--set {bad[0]!r}: only validity.KEY=VALUE can be set here")
    config: TrainingConfig = load_training_config(training_config(task), overrides)
    return config.validity if config.validity is not None else ValidityCriteria()


def read_labelled(path: str | Path, task: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(``text, lang, label`` of each labelled row, a summary), from a labelled CSV.

    Columns: ``text``, ``lang`` and ``label`` (or ``label_NAME`` per annotator; a row's label is
    their majority, rows nobody labelled and ties are dropped). Labels are the task's classes
    (case and spaces ignored).

    Raises
    ------
    InputError
        One line naming the file, the line and the field of the first bad row: a missing
        column, an empty text or language, a label that is not a class.
    """
    from barometer.locations import training_config
    from barometer.training.annotations import read_annotations
    from barometer.training.config import load_training_config

    path = Path(path)
    if not path.is_file():
        raise InputError(f"labelled file {path} not found")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"labelled file {path}: not a readable CSV ({exc})") from None
    annotators = [c for c in raw.columns if c == "label" or c.startswith("label_")]
    missing = [c for c in ("text", "lang") if c not in raw.columns] + ([] if annotators else
                                                                      ["label"])  # fmt: skip
    if missing:
        raise InputError(
            f"labelled file {path}: missing column {missing[0]!r} (expected text, lang, label; "
            f"got {list(raw.columns)})"
        )
    classes = LABELLED_TASKS[task]
    for i, row in enumerate(raw.to_dict("records")):
        where = f"labelled file {path}, line {i + 2}"
        values = [str(row[c]).strip().lower() for c in annotators]
        if not any(values):
            continue  # nobody labelled it: not a test row
        if not str(row["text"]).strip():
            raise InputError(f"{where}, field 'text': empty")
        if not str(row["lang"]).strip():
            raise InputError(f"{where}, field 'lang': empty (a language code such as sv)")
        for column, value in zip(annotators, values, strict=True):
            if value and value not in classes:
                raise InputError(
                    f"{where}, field {column!r}: {row[column]!r} is not a {task} class "
                    f"({', '.join(classes)})"
                )
    config = load_training_config(training_config(task))  # its [task] labels are the classes
    rows, summary = read_annotations(path, config)
    rows = rows.assign(lang=rows["lang"].astype(str).str.strip())
    return rows[["text", "lang", "label"]].reset_index(drop=True), summary


def score_labelled(
    texts: list[str], langs: list[str], task: str, lexicon_dir: Path | None = None
) -> np.ndarray:
    """The labels the pipeline's rule-based scorer of ``task`` gives (None where it gives the
    post no row, e.g. a language without lexicons); ``lexicon_dir``: the city's own word lists
    (``[nlp] lexicon_dir``), as the pipeline scores with."""
    from barometer.batch_scoring import BatchScorer

    posts = pd.DataFrame({"post_id": [str(i) for i in range(len(texts))], "text": texts,
                          "lang": langs})  # fmt: skip
    scores = BatchScorer(lexicon_dir=lexicon_dir, tasks={task}).score(posts)
    mine = scores[scores["task"] == task].set_index("post_id")["label"]
    return posts["post_id"].map(mine).astype(object).where(lambda s: s.notna(), None).to_numpy()


def labelled_rows(
    task: str,
    version: str,
    rows: pd.DataFrame,
    criteria: ValidityCriteria,
    *,
    test_set: str,
    lexicon_dir: Path | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """One ``model_validity`` row per language of ``rows`` (``text, lang, label``) that the
    scorer covers (languages it gives no row are left out: it does not measure them)."""
    from barometer.audit.validity import COLUMNS
    from barometer.training.metrics import bootstrap, encode, macro_f1

    classes = list(LABELLED_TASKS[task])
    predicted = score_labelled(rows["text"].tolist(), rows["lang"].tolist(), task, lexicon_dir)
    scored = rows.assign(predicted=predicted).dropna(subset=["predicted"])
    out = []
    for lang, part in scored.groupby("lang", sort=True):
        truth = encode(part["label"].to_numpy(dtype=object), classes)
        pred = encode(part["predicted"].to_numpy(dtype=object), classes)
        value, lower, upper = bootstrap(macro_f1(len(classes)), truth, pred, n_boot=n_boot,
                                        level=0.95, seed=seed)  # fmt: skip
        neutral = part["label"] == "neutral"
        flagged = float((part.loc[neutral, "predicted"] == "negative").mean()) if neutral.any() \
            else np.nan  # fmt: skip
        reasons = []
        if len(part) < criteria.min_n_test:
            reasons.append("test_set_too_small")
        if not (lower >= criteria.metric_limit(str(lang))):
            reasons.append("metric_below_threshold")
        out.append(
            {"task": task, "model_version": version, "language": str(lang), "test_set": test_set,
             "n_test": len(part), "metric": "macro_f1", "value": value, "lower": lower,
             "upper": upper, "functional_pass_rate": np.nan, "neutral_flag_rate": flagged,
             "audit_verdict": "not_run", "validated": not reasons,
             "reason": ",".join(reasons) or None}
        )  # fmt: skip
    return pd.DataFrame(out, columns=list(COLUMNS))


def validate_labelled(
    task: str,
    path: str | Path,
    *,
    models_dir: str | Path | None = None,
    overrides: list[str] | None = None,
    lexicon_dir: Path | None = None,
    n_boot: int = 1000,
) -> pd.DataFrame:
    """Validate rule-based ``task`` on the labelled CSV ``path``; the rows are written to
    ``validity.json`` of the scorer's version in the city's models folder (which must be set:
    ``--models-dir``, ``[models] dir`` or ``$BAROMETER_MODELS_DIR``)."""
    from barometer import registry
    from barometer.audit.validity import _records

    version = check_task(task, models_dir)
    root = registry.models_root(models_dir)  # refuses before scoring when there is none
    criteria = criteria_for(task, overrides)
    rows, summary = read_labelled(path, task)
    if rows.empty:
        raise InputError(f"labelled file {path}: no labelled row")
    table = labelled_rows(task, version, rows, criteria, test_set=f"labelled:{Path(path).name}",
                          lexicon_dir=lexicon_dir, n_boot=n_boot)  # fmt: skip
    if table.empty:
        raise InputError(
            f"labelled file {path}: no row in a language the {task} scorer covers "
            f"(languages in the file: {sorted(rows['lang'].unique())})"
        )
    folder = root / task / version
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "task": task, "scorer_version": version, "labelled_file": summary["file"],
        "labelled_sha256": summary["sha256"], "n_labelled": summary["n_used"],
        "n_ties": summary["n_ties"],
        "lexicon_dir": str(lexicon_dir) if lexicon_dir is not None else None,
        "criteria": criteria.model_dump(),
        "validated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows": _records(table),
    }  # fmt: skip
    registry.write_atomic(folder / VALIDITY_FILE, json.dumps(payload, indent=1) + "\n")
    return table


def stored_labelled(task: str, version: str, models_dir: str | Path | None = None) -> pd.DataFrame:
    """The rows of the city's ``validity.json`` for rule-based ``task`` at scorer ``version``
    (empty when there is none, or when it records another version)."""
    from barometer.audit.validity import COLUMNS
    from barometer.model_store import city_models_dir

    root = city_models_dir(models_dir)
    path = root / task / version / VALIDITY_FILE if root is not None else None
    if path is None or not path.is_file():
        return pd.DataFrame(columns=list(COLUMNS))
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON ({exc}); run the validation again") from None
    if payload.get("task") != task or payload.get("scorer_version") != version:
        return pd.DataFrame(columns=list(COLUMNS))
    rows = pd.DataFrame(payload.get("rows", []), columns=list(COLUMNS))
    return rows[(rows["task"] == task) & (rows["model_version"] == version)]
