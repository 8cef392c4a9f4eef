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
  African-American-English-aligned vs white-aligned tweets, :mod:`barometer.nlp.dialect`) and
  their ratio, with a bootstrap interval (independent binomial redraws of each group).
* **Thresholds** (:class:`AuditThresholds`, :func:`audit_passes`) turn the numbers into a
  pass / fail with reasons; :func:`audit_markdown` writes the section a model card includes.
* **Registered models** (:func:`audit_model`): a version of the model registry is audited on
  the held-out test split its own config names, with the ``[audit]`` table of that config
  (else of ``models/configs/<task>.toml``); the verdict goes to ``audit.json`` beside the
  artefact and to the card's "Audit results" section, and gates
  :func:`barometer.registry.activate`.
"""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.exceptions import ConfigError, InputError, ModelError

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
    try:
        if path is None:
            raw = resources.files("barometer").joinpath("data/audit_templates.toml")
            data = tomllib.loads(raw.read_text("utf-8"))
        else:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        name = path or "audit_templates.toml"
        raise InputError(f"cannot read audit templates {name}: {exc}") from exc
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


def rate_ratios(rates: pd.DataFrame, *, min_n: int = 30) -> pd.DataFrame:
    """Highest / lowest rate across groups with at least ``min_n`` items, per (by, metric)."""
    kept = rates[(rates["n_effective"] >= min_n) & rates["value"].notna()]
    rows = []
    for (column, metric), part in kept.groupby(["by", "metric"], sort=True):
        values = part["value"].to_numpy(float)
        high, low = part.iloc[int(values.argmax())], part.iloc[int(values.argmin())]
        hi, lo = float(values.max()), float(values.min())
        ratio = 1.0 if hi == 0 else (hi / lo if lo > 0 else np.inf)
        rows.append((column, metric, high["group"], low["group"], hi, lo, ratio, len(part)))
    return pd.DataFrame(
        rows, columns=["by", "metric", "highest", "lowest", "high", "low", "ratio", "n_groups"]
    )


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


# -- thresholds, verdict and model-card section -------------------------------------------------


class AuditThresholds(BaseModel):
    """Limits a model must meet to be activated without ``--force`` ([audit] in a TOML)."""

    model_config = ConfigDict(extra="forbid")
    max_counterfactual_spread: float = Field(default=0.10, ge=0)
    max_fpr_ratio: float = Field(default=1.5, ge=1)
    max_fnr_ratio: float = Field(default=1.5, ge=1)
    max_dialect_flag_ratio: float = Field(default=1.5, ge=1)
    min_group_n: int = Field(default=30, ge=1)
    # how a registered model is audited (:func:`audit_model`); not limits
    parity_by: list[str] = Field(default_factory=lambda: ["lang", "target_group"])
    dialect: bool = False  # TwitterAAE audit on Davidson's held-out tweets
    dialect_argmax: bool = False  # AA vs White argmax instead of the 0.8 cut-off
    n_boot: int = Field(default=1000, ge=10)


def load_audit_thresholds(path: str | Path | None) -> AuditThresholds:
    """Read the ``[audit]`` table of a TOML file (defaults when ``path`` is None)."""
    if path is None:
        return AuditThresholds()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return AuditThresholds(**data.get("audit", {}))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"invalid [audit] thresholds in {path}: {exc}") from exc


@dataclass
class AuditResults:
    """What one audit run produced; every part is optional."""

    task: str
    model_version: str
    counterfactual: dict[str, pd.DataFrame] | None = None
    error_rates: pd.DataFrame | None = None
    dialect: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def audit_passes(results: AuditResults, thresholds: AuditThresholds) -> tuple[bool, list[str]]:
    """Return (passed, reasons): one reason per violated threshold (empty when passed)."""
    reasons: list[str] = []
    if results.counterfactual is not None:
        table = results.counterfactual["by_template"]
        worst = table.iloc[int(table["spread"].to_numpy().argmax())] if len(table) else None
        if worst is not None and float(worst["spread"]) > thresholds.max_counterfactual_spread:
            reasons.append(
                f"counterfactual spread {worst['spread']:.3f} > "
                f"{thresholds.max_counterfactual_spread} (template {worst['template_id']}, "
                f"{worst['group_type']}: {worst['lowest']} {worst['min']:.3f} vs "
                f"{worst['highest']} {worst['max']:.3f})"
            )
    if results.error_rates is not None:
        limits = {"fpr": thresholds.max_fpr_ratio, "fnr": thresholds.max_fnr_ratio}
        ratios = rate_ratios(results.error_rates, min_n=thresholds.min_group_n)
        for row in ratios.itertuples():
            if float(row.ratio) > limits[str(row.metric)]:  # type: ignore[arg-type]
                reasons.append(
                    f"{str(row.metric).upper()} ratio by {row.by} {row.ratio:.2f} > "
                    f"{limits[str(row.metric)]} ({row.highest} {row.high:.3f} vs "
                    f"{row.lowest} {row.low:.3f})"
                )
    if results.dialect is not None:
        ratio_rows = results.dialect[results.dialect["quantity"] == "ratio"]
        for row in ratio_rows.itertuples():
            if float(row.value) > thresholds.max_dialect_flag_ratio:  # type: ignore[arg-type]
                scope = getattr(row, "subset", "all")
                reasons.append(
                    f"dialect flag-rate ratio {row.group} ({scope}) {row.value:.2f} "
                    f"[{row.lower:.2f}, {row.upper:.2f}] > {thresholds.max_dialect_flag_ratio}"
                )
    return not reasons, reasons


def markdown_table(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """Render a small frame as a GitHub Markdown table (no extra dependency)."""

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, rule, *body])


def audit_markdown(results: AuditResults, thresholds: AuditThresholds) -> str:
    """Return the "Bias audit" section of a model card."""
    passed, reasons = audit_passes(results, thresholds)
    lines = [
        f"## Bias audit: {results.task} ({results.model_version})",
        "",
        f"**Verdict: {'PASS' if passed else 'FAIL'}** against thresholds "
        + ", ".join(
            f"{k} = {v}"
            for k, v in thresholds.model_dump().items()
            if k.startswith(("max_", "min_"))
        ),
        "",
    ]
    lines += [f"- {reason}" for reason in reasons] + ([""] if reasons else [])
    if results.counterfactual is not None:
        table = results.counterfactual["by_template"]
        summary = (
            table.groupby(["lang", "group_type"])
            .agg(templates=("template_id", "count"), groups=("n_groups", "max"),
                 max_spread=("spread", "max"), mean_spread=("spread", "mean"),
                 mean_std=("std", "mean"))
            .reset_index()
        )  # fmt: skip
        by_group = results.counterfactual["by_group"]
        extreme = by_group.loc[by_group["deviation"].abs().nlargest(5).index]
        lines += ["### Counterfactual term swaps", "", markdown_table(summary), "",
                  "Groups furthest from the mean of their language and type:", "",
                  markdown_table(extreme), ""]  # fmt: skip
    if results.error_rates is not None:
        lines += ["### Error-rate parity", "", markdown_table(results.error_rates), "",
                  markdown_table(rate_ratios(results.error_rates, min_n=thresholds.min_group_n)),
                  ""]  # fmt: skip
    if results.dialect is not None:
        lines += ["### Dialect (TwitterAAE on Davidson et al. 2017)", "",
                  markdown_table(results.dialect), ""]  # fmt: skip
    lines += [f"- {note}" for note in results.notes]
    return "\n".join(lines).rstrip() + "\n"


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
    from barometer.nlp.dialect import DAVIDSON_FILE, dialect_audit, load_davidson_dialects

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


def _audit_sentences(
    shared_data: str | Path | None, languages: Sequence[str], notes: list[str]
) -> pd.DataFrame:
    """Counterfactual sentences (packaged terms + Swedish nationalities when available)."""
    templates, groups = load_templates()
    if shared_data is not None and (Path(shared_data) / NATIONALITIES_FILE).is_file():
        groups = pd.concat([groups, load_swedish_nationalities(shared_data)], ignore_index=True)
    else:
        notes.append("Swedish nationality terms not available: counterfactuals use "
                     "the packaged religion and ethnicity terms only")  # fmt: skip
    if languages:  # a model that scores only some languages is audited in those
        templates = templates[templates["lang"].isin(list(languages))]
    return counterfactual_sentences(templates, groups)


# -- auditing a registered model ----------------------------------------------------------------


class FlagView:
    """A two-class view of a multi-class model: the probability that a text is *flagged*.

    Flagged means "any class but ``negative``" (hostility: hateful or offensive) or, without
    ``negative``, "class ``positive``" (immigration_attitude: negative). :meth:`flag` applies the
    model's own decision rule (most probable class), as scoring does.
    """

    classes_ = np.array(["not_flagged", "flagged"], dtype=object)

    def __init__(self, model: Any, *, negative: str = "", positive: str = "") -> None:
        classes = [str(c) for c in model.classes_]
        if (negative or positive) not in classes:
            raise InputError(
                f"flag class {negative or positive!r} is not a class of the model {classes}; "
                "check task.negative_label / task.report_classes in its config"
            )
        self.model, self.negative, self.positive = model, negative, positive
        self.column = classes.index(negative or positive)

    def predict_proba(self, texts: Any, langs: Any = None) -> np.ndarray:
        """``[1 - p, p]`` per text, ``p`` the probability of being flagged."""
        p = self.model.predict_proba(texts, langs)[:, self.column]
        p = 1.0 - p if self.negative else p
        return np.column_stack([1.0 - p, p])

    def is_flag(self, labels: Any) -> np.ndarray:
        """Whether each label counts as flagged."""
        labels = np.asarray(labels, dtype=object).astype(str)
        return labels != self.negative if self.negative else labels == self.positive

    def flag(self, texts: Any, langs: Any = None) -> np.ndarray:
        """Whether the model flags each text (its most probable class)."""
        return self.is_flag(self.model.predict(texts, langs))


def model_audit_thresholds(task: str, config: dict[str, Any]) -> AuditThresholds:
    """The ``[audit]`` table of a version's config, else of ``models/configs/<task>.toml``."""
    from barometer.registry import REPO_ROOT

    if "audit" in config:
        try:
            return AuditThresholds(**config["audit"])
        except ValidationError as exc:
            raise ConfigError(f"invalid [audit] table in the config of {task}: {exc}") from exc
    default = REPO_ROOT / "models" / "configs" / f"{task}.toml"
    if default.is_file() and "audit" in tomllib.loads(default.read_text(encoding="utf-8")):
        return load_audit_thresholds(default)
    raise ConfigError(
        f"no bias audit is defined for task {task!r}: neither its config.toml nor {default} has "
        "an [audit] table; add one (see models/configs/hostility.toml), or activate the model "
        "with force=True (`barometer activate TASK VERSION --force --reason ...`)"
    )


def audit_model(
    task: str,
    version: str | None = None,
    *,
    models_dir: str | Path | None = None,
    shared_data: str | Path | None = None,
    thresholds: AuditThresholds | None = None,
    n_boot: int | None = None,
    dialect_argmax: bool | None = None,
    seed: int = 0,
    record: bool = True,
) -> tuple[AuditResults, AuditThresholds]:
    """Audit a registered model version (the active one by default) and record the verdict.

    Counterfactual swaps over the sv and en templates (only the languages the model scores,
    ``scoring.languages``); false-positive and false-negative rates of the flag per
    ``parity_by`` group on the held-out test split of the model's config; with ``dialect``, the
    TwitterAAE flag rates on Davidson's held-out tweets. Thresholds: ``thresholds``, else
    :func:`model_audit_thresholds`; ``n_boot`` and ``dialect_argmax`` override theirs. With
    ``record``, :func:`barometer.registry.record_audit`
    writes ``audit.json`` and the card's "Audit results" section.

    Raises
    ------
    InputError
        If the shared data folder (default ``../shared/data`` next to the repository) is absent.
    ConfigError
        If no ``[audit]`` table is defined for the task.
    """
    from barometer import registry
    from barometer.nlp.corpora import DEFAULT_DATA_ROOT, read_davidson2017
    from barometer.nlp.dialect import dialect_audit, load_davidson_dialects
    from barometer.nlp.training import load_task_data

    version = version or registry.active_versions(models_dir).get(task)
    if version is None:
        raise ModelError(f"no active version of '{task}'; name one with --version")
    folder = registry.version_dir(task, version, models_dir)
    config = tomllib.loads((folder / "config.toml").read_text(encoding="utf-8"))
    limits = thresholds or model_audit_thresholds(task, config)
    changes = {"n_boot": n_boot, "dialect_argmax": dialect_argmax}
    limits = limits.model_copy(update={k: v for k, v in changes.items() if v is not None})
    root = Path(shared_data or config["data"].get("root") or DEFAULT_DATA_ROOT)
    if not root.is_dir():
        raise InputError(
            f"shared data folder {root} not found: the audit of {task} needs the held-out test "
            f"data of {config['data']['sources']}; pass --shared-data PATH (the folder holding "
            "text/ and lexicons/)"
        )
    negative = str(config["task"].get("negative_label", ""))
    positive = "" if negative else str((config["task"].get("report_classes") or [""])[0])
    view = FlagView(registry.load_model(task, version, models_dir=models_dir),
                    negative=negative, positive=positive)  # fmt: skip
    results = AuditResults(task=task, model_version=f"{task}-{version}")
    results.notes.append(
        f"flagged = {f'any class but {negative}' if negative else positive}; counterfactual "
        "score = probability of being flagged; error rates of the most probable class"
    )
    sentences = _audit_sentences(root, config["scoring"].get("languages", []), results.notes)
    results.counterfactual = counterfactual_audit(view, sentences, positive_label="flagged")
    data = load_task_data(config, root)
    test = data[data["split"] == "test"].reset_index(drop=True)
    frame = pd.DataFrame(
        {"y_true": view.is_flag(test["label"]), "y_pred": view.flag(test[["text", "lang"]]),
         "lang": test["lang"], "target_group": test["target"], "source": test["source"]}
    )  # fmt: skip
    by = [c for c in limits.parity_by if c in frame.columns]
    results.error_rates = error_rates(
        frame, y_true="y_true", y_pred="y_pred", by=by, n_boot=limits.n_boot, seed=seed
    )
    if limits.dialect:
        heldout = read_davidson2017(
            root, float(config["data"]["heldout_fraction"]), int(config["data"]["seed"])
        )["split"].to_numpy()
        tweets = load_davidson_dialects(root, keep=heldout == "test")
        cut = None if limits.dialect_argmax else 0.8
        try:
            flags = view.flag(tweets["text"].tolist(), ["en"] * len(tweets))
            results.dialect = dialect_audit(
                flags, tweets, threshold=cut, n_boot=limits.n_boot, seed=seed
            )
            gold = dialect_audit(
                (tweets["gold"] != "neither").to_numpy(), tweets, threshold=cut,
                n_boot=limits.n_boot, seed=seed,
            )  # fmt: skip
        except InputError as exc:
            raise InputError(
                f"dialect audit of {task}: {exc}; with few dialect-aligned tweets set "
                "dialect_argmax = true in the [audit] table"
            ) from exc
        ratio = gold[(gold["subset"] == "all") & (gold["quantity"] == "ratio")].iloc[0]
        results.notes.append(
            f"dialect audit on Davidson's held-out tweets ({len(tweets)}); the annotators' own "
            f"labels flag them at an aae/white ratio of {ratio['value']:.2f} "
            f"[{ratio['lower']:.2f}, {ratio['upper']:.2f}]"
        )
    if record:
        command = f"barometer audit {task} --version {version}"
        registry.record_audit(
            task, version, audit_record(results, limits),
            audit_card_section(results, limits, command=command), models_dir=models_dir,
        )  # fmt: skip
    return results, limits


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows (NaN and infinities as None, numpy scalars as Python ones)."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not np.isfinite(value):
                value = None
            clean[str(key)] = value
        out.append(clean)
    return out


def audit_record(results: AuditResults, thresholds: AuditThresholds) -> dict[str, Any]:
    """The verdict and every table of an audit as a JSON-ready dict (``audit.json``)."""
    passed, reasons = audit_passes(results, thresholds)
    record: dict[str, Any] = {
        "task": results.task, "model_version": results.model_version, "passed": passed,
        "reasons": reasons, "thresholds": thresholds.model_dump(), "notes": results.notes,
    }  # fmt: skip
    if results.counterfactual is not None:
        by_group = results.counterfactual["by_group"]
        extreme = by_group.loc[by_group["deviation"].abs().nlargest(10).index]
        record["counterfactual_by_template"] = _records(results.counterfactual["by_template"])
        record["counterfactual_extreme_groups"] = _records(extreme)
    if results.error_rates is not None:
        record["error_rates"] = _records(results.error_rates)
        ratios = rate_ratios(results.error_rates, min_n=thresholds.min_group_n)
        record["rate_ratios"] = _records(ratios)
    if results.dialect is not None:
        record["dialect"] = _records(results.dialect)
    return record


def audit_card_section(results: AuditResults, thresholds: AuditThresholds, *, command: str) -> str:
    """The body of a card's "Audit results" section (audit headings one level down)."""
    body = audit_markdown(results, thresholds).splitlines()
    body = ["#" + line if line.startswith("#") else line for line in body]
    intro = f"Run `{command}` to reproduce; every number is in `audit.json` beside the model."
    return "\n".join([intro, "", *body])
