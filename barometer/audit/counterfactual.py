"""Bias audit of text scorers: counterfactual term swaps, error-rate parity, dialect flag rates.

Any scorer with ``predict_proba`` or ``decision_function`` can be audited (the lexicon sentiment
scorer, the rumour matcher, the hostility classifier, a researcher's own pipeline); see
:func:`score_texts` for how a score is read from it.

* **Counterfactual term swaps** (:func:`counterfactual_audit`): templates of
  ``barometer/data/audit_templates.toml`` (sv, en) are filled with every group term:
  Swedish nationalities from Språkbanken's ``nationaliteter.csv`` plus our own religion and
  ethnicity lists, English lists of our own. Sentences of one template differ only in the
  group; the spread (max - min, standard deviation) of their scores is the bias.
* **Error-rate parity** (:func:`error_rates`): false-positive and false-negative rates per
  group (language, target group, dialect, ...) with percentile bootstrap intervals. The
  bootstrap redraws the four confusion-matrix cells of each group from a multinomial with the
  observed shares, which is the same distribution as resampling the group's items with
  replacement (the rates depend on the items only through those counts), vectorised.
* **Flag-rate ratio** (:func:`flag_rate_ratio`): share of flagged texts in two groups (e.g.
  African-American-English-aligned vs white-aligned tweets, :mod:`barometer.audit.dialect`) and
  their ratio, with a bootstrap interval (independent binomial redraws of each group).
* **Thresholds** (:class:`AuditThresholds`, :func:`audit_passes`) turn the numbers into a
  pass / fail with reasons; :func:`audit_markdown` writes the section a model card includes
  (both in :mod:`barometer.audit.report`, re-exported here).
* **Registered models** (:func:`audit_model`): a version of the model registry is audited on
  the held-out test split its own config names, with the ``[audit]`` table of that config
  (else of ``models/configs/<task>.toml``); the verdict goes to ``audit.json`` beside the
  artefact and to the card's "Audit results" section, and gates
  :func:`barometer.registry.activate` (in :mod:`barometer.audit.model_audit`, re-exported here).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.audit.model_audit import (
    FlagView,
    audit_card_section,
    audit_model,
    audit_record,
    model_audit_thresholds,
)
from barometer.audit.report import (
    AuditResults,
    AuditThresholds,
    audit_markdown,
    audit_passes,
    load_audit_thresholds,
    markdown_table,
    rate_ratios,
)
from barometer.data import read_data_toml
from barometer.exceptions import InputError

__all__ = [
    "BOOTSTRAP",
    "NATIONALITIES_FILE",
    "AuditResults",
    "AuditThresholds",
    "FlagView",
    "audit_card_section",
    "audit_groups",
    "audit_markdown",
    "audit_model",
    "audit_passes",
    "audit_record",
    "counterfactual_audit",
    "counterfactual_sentences",
    "error_rates",
    "flag_rate_ratio",
    "load_audit_thresholds",
    "load_swedish_nationalities",
    "load_templates",
    "markdown_table",
    "model_audit_thresholds",
    "rate_ratios",
    "run_audit",
    "score_texts",
]

NATIONALITIES_FILE = Path("lexicons") / "sprakbanken" / "nationaliteter.csv"
BOOTSTRAP = "percentile bootstrap"


def _interval(boot: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of bootstrap draws (NaN draws dropped; inf allowed; no warnings)."""
    draws = np.sort(boot[~np.isnan(boot)])
    if not len(draws):
        return np.nan, np.nan
    alpha = (1 - level) / 2
    last = len(draws) - 1
    return float(draws[int(np.floor(alpha * last))]), float(draws[int(np.ceil((1 - alpha) * last))])


# -- scoring any estimator ----------------------------------------------------------------------


def score_texts(
    scorer: Any,
    texts: Any,
    langs: Any,
    *,
    positive_label: str | None = None,
) -> np.ndarray:
    """Return one score per text from any scorer.

    ``predict_proba`` is preferred: the column of ``positive_label`` in ``scorer.classes_``,
    or the second column of a binary model. Otherwise ``decision_function`` (1-d). The texts
    are passed as a list of str, with ``langs=`` when the method accepts that argument.
    """
    method = getattr(scorer, "predict_proba", None) or getattr(scorer, "decision_function", None)
    if method is None:
        raise InputError(
            f"cannot audit {type(scorer).__name__}: expected a scorer with predict_proba or "
            "decision_function"
        )
    kwargs = {"langs": list(langs)} if "langs" in inspect.signature(method).parameters else {}
    out = np.asarray(method(list(texts), **kwargs), dtype=float)
    if out.ndim == 2:
        classes = list(getattr(scorer, "classes_", []))
        if positive_label is not None:
            if positive_label not in classes:
                raise InputError(f"positive_label {positive_label!r} not in classes {classes}")
            out = out[:, classes.index(positive_label)]
        elif out.shape[1] == 2:
            out = out[:, 1]
        else:
            raise InputError(
                f"the scorer has {out.shape[1]} classes {classes}: pass positive_label"
            )
    return out


# -- counterfactual term swaps ------------------------------------------------------------------


def load_templates(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (templates: id, lang, tone, text; groups: lang, group_type, plural, singular, adj)."""
    data = read_data_toml("audit_templates.toml", "audit templates", path)
    templates = pd.DataFrame(data.get("templates", []), columns=["id", "lang", "tone", "text"])
    rows = [
        (lang, group_type, *forms)
        for lang, types in data.get("groups", {}).items()
        for group_type, entries in types.items()
        for forms in entries
    ]
    groups = pd.DataFrame(rows, columns=["lang", "group_type", "plural", "singular", "adj"])
    return templates, groups


def load_swedish_nationalities(shared_data: str | Path) -> pd.DataFrame:
    """Swedish nationality terms (plural, singular, plural adjective) from nationaliteter.csv."""
    path = Path(shared_data) / NATIONALITIES_FILE
    if not path.is_file():
        raise InputError(f"nationality list not found: expected '{path}' (see data/README.md)")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)

    def first(cell: str) -> str:
        value = ast.literal_eval(cell) if cell.startswith("[") else cell.split(",")
        return re.sub(r"\(.*?\)", "", str(value[0])).strip() if len(value) else ""

    adjective = raw["adjective"].map(first)
    out = pd.DataFrame(
        {
            "lang": "sv",
            "group_type": "nationality",
            "plural": raw["resident_plural"].map(first),
            "singular": raw["resident_singular"].map(first),
            "adj": adjective.where(adjective.str.endswith("a"), adjective + "a"),
        }
    )
    return out[(out["plural"] != "") & (out["singular"] != "") & (adjective != "")]


def counterfactual_sentences(templates: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Fill every template with every group of its language (one row per sentence)."""
    pairs = templates.merge(groups, on="lang", how="inner")
    if pairs.empty:
        raise InputError("no template shares a language with the group terms")
    article = np.where(pairs["singular"].str[0].str.lower().isin(list("aeiou")), "An ", "A ")
    text = [
        t.format(plural=p, singular=s, adj_pl=a, adj=a, a_singular=art + s)
        for t, p, s, a, art in zip(
            pairs["text"], pairs["plural"], pairs["singular"], pairs["adj"], article, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "lang": pairs["lang"],
            "group_type": pairs["group_type"],
            "group": pairs["plural"],
            "template_id": pairs["id"],
            "text": text,
        }
    )


def counterfactual_audit(
    scorer: Any, sentences: pd.DataFrame, *, positive_label: str | None = None
) -> dict[str, pd.DataFrame]:
    """Score counterfactual sentences and summarise the spread across groups.

    Returns
    -------
    dict of DataFrame
        ``scores`` (one row per sentence with ``score``); ``by_template`` (lang, group_type,
        template_id, n_groups, mean, min, max, spread = max - min, std, lowest, highest);
        ``by_group`` (lang, group_type, group, mean_score, deviation from the mean of its
        language and group type, n_templates).
    """
    scores = sentences.assign(
        score=score_texts(
            scorer, sentences["text"], sentences["lang"], positive_label=positive_label
        )
    )
    keys = ["lang", "group_type", "template_id"]
    grouped = scores.groupby(keys, sort=True)["score"]
    by_template = grouped.agg(
        n_groups="count", mean="mean", min="min", max="max", std=lambda s: s.std(ddof=0)
    ).reset_index()
    by_template["spread"] = by_template["max"] - by_template["min"]
    by_template["lowest"] = scores.loc[grouped.idxmin().to_numpy(), "group"].to_numpy()
    by_template["highest"] = scores.loc[grouped.idxmax().to_numpy(), "group"].to_numpy()
    by_group = (
        scores.groupby(["lang", "group_type", "group"], sort=True)["score"]
        .agg(mean_score="mean", n_templates="count")
        .reset_index()
    )
    centre = by_group.groupby(["lang", "group_type"])["mean_score"].transform("mean")
    by_group.insert(4, "deviation", by_group["mean_score"] - centre)
    return {"scores": scores, "by_template": by_template, "by_group": by_group}


# -- error-rate parity and flag rates -----------------------------------------------------------


def error_rates(
    frame: pd.DataFrame,
    *,
    y_true: str,
    y_pred: str,
    by: Sequence[str],
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """False-positive and false-negative rates per group with percentile bootstrap intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per item with boolean (or 0/1) columns ``y_true`` and ``y_pred`` and the
        grouping columns ``by``.
    by : sequence of str
        Grouping columns, each audited separately (e.g. ``["lang", "target_group"]``).

    Returns
    -------
    DataFrame
        ``by, group, metric (fpr | fnr), value, lower, upper, n_effective, method``;
        ``n_effective`` is the number of negatives (FPR) or positives (FNR) of the group;
        a rate without any such item is NaN.
    """
    missing = [c for c in (y_true, y_pred, *by) if c not in frame.columns]
    if missing:
        raise InputError(f"error_rates: missing columns {missing}; got {list(frame.columns)}")
    truth = frame[y_true].astype(bool).to_numpy()
    pred = frame[y_pred].astype(bool).to_numpy()
    cell = 2 * truth.astype(int) + pred.astype(int)  # 0 TN, 1 FP, 2 FN, 3 TP
    rng = np.random.default_rng(seed)
    rows = []
    for column in by:
        for group, idx in frame.groupby(column, sort=True).indices.items():
            counts = np.bincount(cell[idx], minlength=4)
            draws = rng.multinomial(counts.sum(), counts / counts.sum(), size=n_boot)
            for metric, bad, good in (("fpr", 1, 0), ("fnr", 2, 3)):
                n = counts[bad] + counts[good]
                value = counts[bad] / n if n else np.nan
                denom = draws[:, bad] + draws[:, good]
                boot = np.divide(draws[:, bad], denom, out=np.full(n_boot, np.nan), where=denom > 0)
                lo, hi = _interval(boot, level) if n else (np.nan, np.nan)
                rows.append((column, str(group), metric, value, lo, hi, float(n)))
    out = pd.DataFrame(
        rows, columns=["by", "group", "metric", "value", "lower", "upper", "n_effective"]
    )
    out["method"] = f"{BOOTSTRAP} ({n_boot}, level {level})"
    return out


def flag_rate_ratio(
    flags: Any,
    groups: Any,
    *,
    numerator: str,
    denominator: str,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Flag rates of two groups and their ratio (numerator / denominator) with intervals.

    Returns rows ``quantity (flag_rate | ratio), group, value, lower, upper, n_effective,
    method``.
    """
    flags, groups = np.asarray(flags, dtype=bool), np.asarray(groups, dtype=object)
    rng = np.random.default_rng(seed)
    rows, boots, points = [], [], []
    for name in (numerator, denominator):
        members = flags[groups == name]
        if not len(members):
            raise InputError(f"no item in group {name!r}; groups present: {sorted(set(groups))}")
        rate = members.mean()
        boot = rng.binomial(len(members), rate, size=n_boot) / len(members)
        lo, hi = _interval(boot, level)
        rows.append(("flag_rate", name, rate, lo, hi, float(len(members))))
        boots.append(boot)
        points.append(rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_boot = boots[0] / boots[1]
        ratio = points[0] / points[1] if points[1] > 0 else np.inf
    lo, hi = _interval(ratio_boot, level)
    rows.append(("ratio", f"{numerator}/{denominator}", ratio, lo, hi, np.nan))
    out = pd.DataFrame(
        rows, columns=["quantity", "group", "value", "lower", "upper", "n_effective"]
    )
    out["method"] = f"{BOOTSTRAP} ({n_boot}, level {level})"
    return out


# -- one call for the CLI and for model activation ----------------------------------------------


def run_audit(
    scorer: Any,
    *,
    task: str,
    model_version: str,
    shared_data: str | Path | None = None,
    flag: Any = None,
    positive_label: str | None = None,
    predictions: pd.DataFrame | None = None,
    parity_by: Sequence[str] = ("lang", "target_group"),
    dialect_threshold: float | None = 0.8,
    n_boot: int = 1000,
    seed: int = 0,
) -> AuditResults:
    """Run every audit part that the inputs allow and collect the results.

    Counterfactual swaps always run (Swedish nationalities are added when ``shared_data`` has
    them). The dialect audit runs when ``shared_data`` has Davidson + TwitterAAE and ``flag``
    (scores -> bool array) is given. Error-rate parity runs on ``predictions`` (columns
    ``y_true``, ``y_pred`` and any of ``parity_by``).
    """
    results = AuditResults(task=task, model_version=model_version)
    sentences = _audit_sentences(shared_data, (), results.notes)
    results.counterfactual = counterfactual_audit(scorer, sentences, positive_label=positive_label)
    if predictions is not None:
        by = [c for c in parity_by if c in predictions.columns]
        results.error_rates = error_rates(
            predictions, y_true="y_true", y_pred="y_pred", by=by, n_boot=n_boot, seed=seed
        )
    from barometer.audit.dialect import DAVIDSON_FILE, dialect_audit, load_davidson_dialects

    if (
        flag is not None
        and shared_data is not None
        and (Path(shared_data) / DAVIDSON_FILE).is_file()
    ):
        tweets = load_davidson_dialects(shared_data)
        scores = score_texts(scorer, tweets["text"], ["en"] * len(tweets),
                             positive_label=positive_label)  # fmt: skip
        results.dialect = dialect_audit(
            flag(scores), tweets, threshold=dialect_threshold, n_boot=n_boot, seed=seed
        )
    else:
        results.notes.append("dialect audit not run (needs shared data and a flag rule)")
    return results


def audit_groups(shared_data: str | Path | None, notes: list[str] | None = None) -> pd.DataFrame:
    """The audit's group terms, disjoint from every training term.

    The packaged lists of ``audit_templates.toml`` plus, when ``shared_data`` has them, the
    Swedish nationalities of Språkbanken with an odd row id (training uses the even ones, see
    :func:`barometer.training.augment.sprakbanken_groups`); any group with a form that training uses
    (:func:`barometer.training.augment.training_forms`, in any language) is dropped, so a model
    cannot pass the audit because it saw the audit's groups swapped in training.
    """
    from barometer.training.augment import sprakbanken_groups, training_forms

    notes = notes if notes is not None else []
    _, groups = load_templates()
    have_shared = shared_data is not None and (Path(shared_data) / NATIONALITIES_FILE).is_file()
    if have_shared:
        odd = sprakbanken_groups(shared_data, "odd")  # type: ignore[arg-type]
        odd = odd.assign(adj=odd["adj_pl"])[["lang", "group_type", "plural", "singular", "adj"]]
        groups = pd.concat([groups, odd], ignore_index=True)
    else:
        notes.append("Swedish nationality terms not available: counterfactuals use "
                     "the packaged religion and ethnicity terms only")  # fmt: skip
    used = {form for _, form in training_forms(shared_data=shared_data if have_shared else None)}
    forms = groups[["plural", "singular", "adj"]].apply(lambda c: c.str.lower())
    clash = forms.isin(used).any(axis=1)
    return (
        groups[~clash.to_numpy()].drop_duplicates(subset=["lang", "plural"]).reset_index(drop=True)
    )


def _audit_sentences(
    shared_data: str | Path | None, languages: Sequence[str], notes: list[str]
) -> pd.DataFrame:
    """Counterfactual sentences: the audit templates filled with :func:`audit_groups`."""
    templates, _ = load_templates()
    groups = audit_groups(shared_data, notes)
    if languages:  # a model that scores only some languages is audited in those
        templates = templates[templates["lang"].isin(list(languages))]
    return counterfactual_sentences(templates, groups)
