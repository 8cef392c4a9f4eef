"""Model cards: markdown documents rendered from a training config and its metrics."""

from __future__ import annotations

import math
from typing import Any

from barometer.training.config import AugmentConfig, BalanceConfig, TrainingConfig

#: corpus -> (description, licence, published result on the same split)
CORPUS_INFO: dict[str, tuple[str, str, str]] = {
    "absabank_imm": (
        "ABSAbank-Imm (SuperLim-2; sv editorials and Flashback posts), fixed train/dev/test",
        "CC BY 4.0",
        "test Krippendorff alpha (interval): SVM 0.286, KB-BERT 0.529",
    ),
    "davidson2017": (
        "Davidson et al. 2017 (en tweets; hate / offensive / neither), stratified 10 % held out",
        "MIT",
        "L2 logistic regression: weighted F1 0.90; hate class P 0.44, R 0.59",
    ),
    "dkhate": (
        "DKHate / OffensEval-2020 Danish (da; OFF / NOT), fixed train/test",
        "CC BY 4.0",
        "OffensEval-2020 da sub-task A: best macro-F1 ~0.81; Sigurbergsson & Derczynski ~0.70",
    ),
    "offenseval2020_tr": (
        "OffensEval-2020 Turkish (tr tweets; OFF / NOT), fixed train/test",
        "CC BY",
        "OffensEval-2020 tr sub-task A: best macro-F1 ~0.83",
    ),
    "mlma": (
        "MLMA (Ousidhoum et al. 2019; en/fr/ar tweets; hostility type, target), stratified "
        "10 % held out",
        "MIT",
        "Ousidhoum et al. 2019 (multi-task; not directly comparable)",
    ),
}

#: classifier.kind of a training config -> how the card names the linear model
CLASSIFIER_NAMES = {
    "svm": "`LinearSVC`",
    "logistic": "`LogisticRegression` (L2)",
    "nbsvm": (
        "NB-SVM (Wang & Manning 2012: one-vs-rest `LinearSVC` over features scaled by "
        "naive-Bayes log-count ratios, `barometer.nlp.nbsvm`)"
    ),
}

INTENDED_USE = {
    "hostility": (
        "Share of public posts hostile toward a group of people (derogation, dehumanisation, "
        "threats, calls for exclusion, slurs aimed at a group) per neighbourhood and period, "
        "aggregated with uncertainty; profanity, insults of one person and anger without a "
        "group target are not counted. Not for judging or moderating individual posts or people."
    ),
    "hostility_target": (
        "Which group hostile posts target (origin, religion, gender, ...), aggregated. Only "
        "applied to posts the hostility model labels hostile."
    ),
    "immigration_attitude": (
        "Balance of negative / neutral / positive attitude toward immigration in Swedish posts, "
        "aggregated per neighbourhood and period. Not for individual decisions."
    ),
}

COMMON_LIMITS = (
    "- Trained on other platforms, periods and countries than Botkyrka's posts; shares need "
    "checking against local annotations before use (`barometer sample-for-annotation`).\n"
    "- Probabilities are calibrated on the training corpora's label shares, not on a new "
    "population; aggregate them with the uncertainty of that transfer in mind.\n"
    "- Bag-of-n-grams models miss irony, quotation and counter-speech that repeats slurs."
)
TASK_LIMITS = {
    "hostility": (
        "- Swedish and Turkish have no real labelled hostile posts in the shared corpora: the "
        "hostile examples in these languages are template sentences (`barometer/data/"
        "augmentation.toml`); what is measured there is the false-positive rate on real "
        "not-hostile text (ABSAbank-Imm paragraphs, OffensEval NOT tweets) and the functional "
        "suite, so these languages are not validated (see Validity).\n"
        "- Languages outside `scoring.languages` (Somali, Persian, Danish, undetermined) are not "
        "scored: their posts get no row and the indicator says they were not measured.\n"
        "- MLMA's labels are noisy and its English tweets are stop-word-stripped; Davidson et "
        "al.'s hate class is small (6 %) and slur-driven. Both were sampled by keywords: their "
        "label shares are no estimate of prevalence.\n"
        "- Probabilities are calibrated to a world where every language x corpus has the "
        "hostile share `balance.prior`, not to Botkyrka's prevalence; the indicator counts the "
        "most probable class.\n"
        "- A bag of n-grams reads words, not who they are aimed at: counter-speech that quotes "
        "hate and negated hate are the weakest functionalities (see the functional table)."
    ),
    "hostility_target": (
        "- Trained on MLMA only (en/fr/ar; 'religion' and 'sexual_orientation' are rare in fr "
        "and ar); the target of a Swedish post is a cross-lingual guess.\n"
        "- Scores only posts that the active hostility model labels hostile, so its errors "
        "add to that model's."
    ),
    "immigration_attitude": (
        "- ABSAbank-Imm holds editorial and forum paragraphs (median ~200 characters); short "
        "posts are out of domain. Forum sarcasm ('berikare') is read literally at times.\n"
        "- The numeric prediction (expected bin value) is stretched on the dev split to the "
        "spread of the gold scores (value_center / value_scale below), which maximises "
        "Krippendorff's alpha but also the variance of single predictions."
    ),
}


def _fmt(x: Any) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def metrics_table(rows: list[dict[str, Any]], config: TrainingConfig) -> str:
    """The markdown table of test metrics (what `evaluate` checks in the card)."""
    level = config.evaluation.level
    lines = [
        f"| corpus | lang | metric | value | {level:.0%} interval | n |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        interval = f"{_fmt(r['lower'])} – {_fmt(r['upper'])}"
        lines.append(
            f"| {r['source']} | {r['lang']} | {r['metric']} | {_fmt(r['value'])} | {interval} "
            f"| {r['n']} |"
        )
    return "\n".join(lines)


def _augment_line(augment: AugmentConfig) -> str:
    kinds = ", ".join(f"{k} -> {v}" for k, v in augment.templates.items())
    return (
        f"- augmentation (`barometer.training.augment`): {augment.swaps} "
        "counterfactual group-term swaps per training text naming a training group; "
        f"templates ({kinds}) in {', '.join(augment.languages)}; spelling variants in "
        f"{augment.spelling_share:.0%} of the templates; "
        f"{augment.context_share:.0%} of the templates joined with a real "
        "text of their language."
    )


def _balance_line(balance: BalanceConfig, note: dict[str, Any]) -> str:
    return (
        f"- weights (`barometer.training.balance.prior_weights`): every "
        f"{' x '.join(balance.by)} group has the {balance.positive} share "
        f"{balance.prior:.2f}; one-class corpora pooled with their language's "
        f"templates (at most {balance.max_pooled or 'all'} rows' weight). "
        f"Unbalanced groups: {', '.join(note.get('unbalanced', [])) or 'none'}."
    )


def _training_section(config: TrainingConfig, note: dict[str, Any]) -> str:
    """Augmentation and weighting of the training rows (empty when neither was used)."""
    if not note:
        return ""
    lines = ["", "Training set (`barometer.training.data.training_set`):", ""]
    if config.augment is not None:
        lines.append(_augment_line(config.augment))
    if config.balance is not None and config.balance.prior > 0:
        lines.append(_balance_line(config.balance, note))
    lines += ["", "| lang | source | label | rows | weight |", "|---|---|---|---|---|"]
    lines += [f"| {g['lang']} | {g['source']} | {g['label']} | {g['rows']} | {g['weight']} |"
              for g in note.get("groups", [])]  # fmt: skip
    lines.append(
        f"\nRows fitted: {note.get('rows')} (from {note.get('original_rows')} corpus rows)."
    )
    return "\n".join(lines) + "\n"


def _data_section(config: TrainingConfig, metrics: dict[str, Any]) -> str:
    """Corpora with licences, row counts and the training-set table."""
    sources = list(config.data.sources) + list(config.data.extra_files)
    data_lines = []
    for name in sources:
        desc, licence, _ = CORPUS_INFO.get(name, (f"annotation file {name}", "see file", ""))
        data_lines.append(f"- **{name}**: {desc}. Licence: {licence}.")
    training = _training_section(config, metrics.get("training_set") or {})
    return f"""{chr(10).join(data_lines)}

Label mapping: see `barometer/training/corpora.py` (module docstring).
Training rows: {metrics["n_train"]}; test rows: {metrics["n_test"]}.
The corpora text is not stored in this repository.
{training}"""


def _model_section(config: TrainingConfig, metrics: dict[str, Any]) -> str:
    """The classifier, its calibration, the numeric prediction and cross-validation."""
    clf, cal = config.classifier, config.calibration
    cv = metrics.get("cv") or {}
    cv_line = (
        f"{cv['folds']}-fold stratified CV on train, {cv['metric']}: "
        f"{cv['mean']:.3f} (sd {cv['sd']:.3f})"
        if cv
        else "not run"
    )
    lang_block = ", a one-hot block of the language" if config.features.lang_feature else ""
    lang_block += _vocabulary_note(config) + _read_rule_note(config)
    linear_model = CLASSIFIER_NAMES.get(clf.kind, f"`{clf.kind}`")
    values = ""
    if metrics.get("values") and metrics["values"].get("value_center") is not None:
        v = metrics["values"]
        bins = ", ".join(f"{k} {x:.3f}" for k, x in v["class_values"].items())
        values = (
            f"\nNumeric prediction: expected value of the class values ({bins}) on 1..5, then "
            f"value_center + value_scale * (expected - value_center) with value_center = "
            f"{v['value_center']:.4f} and value_scale = {v['value_scale']:.4f} (fitted on dev)."
        )
        if config.task.center_on == "dev":
            values += (
                " The class values are the training means of each class moved by one shift, so "
                "that the predictions on dev have the mean of the dev gold scores."
            )
    name = "`barometer.nlp.classifiers.TextClassifier`"
    return f"""Calibrated linear classifier ({name}): social-media
normalisation, hashed word and character n-grams with TF-IDF weights{lang_block},
{linear_model} with C = {clf.C}, probabilities from `CalibratedClassifierCV`
({cal.method}, {cal.cv_folds} folds).{values}
Cross-validation: {cv_line}."""


def _metrics_section(
    task: str, version: str, config: TrainingConfig, metrics: dict[str, Any]
) -> str:
    """The card's test-split metrics, how to reproduce them and the published baselines."""
    sources = list(config.data.sources) + list(config.data.extra_files)
    baselines = [f"- {name}: {CORPUS_INFO[name][2]}" for name in sources if name in CORPUS_INFO]
    ev = config.evaluation
    binary = ""
    if config.task.negative_label:
        negative = config.task.negative_label
        binary = f"`binary_macro_f1`: any class but `{negative}` vs `{negative}`. "
    return f"""## Metrics (test split)

Intervals: percentile bootstrap over test items ({ev.n_boot} replicates, seed {ev.seed}).
{binary}Reproduce with `barometer evaluate {task} --version {version}`.

{metrics_table(metrics["test"], config)}

Published results on the same data:

{chr(10).join(baselines) or "- none"}
"""


def _read_rule_note(config: TrainingConfig) -> str:
    """What the card says about the ``scoring.min_read_words`` decision rule (none at 0)."""
    k = config.scoring.min_read_words
    if k <= 0:
        return ""
    return (
        f"; decision rule: a post of which the model reads fewer than {k} words (kept after "
        "the vocabulary) scores at most the model's prior (its score of an empty text), so it "
        "is not flagged on one or two kept words; it keeps its row and counts as scored, and "
        "short hostile posts are missed for the same reason (recall cost: see the metrics)"
    )


def _vocabulary_note(config: TrainingConfig) -> str:
    """What the card says about the training vocabulary (``features.min_word_df`` > 0)."""
    feats = config.features
    stems = ""
    if feats.word_stems:
        stems = (
            f"; words in {', '.join(feats.word_stems)} are read as their Snowball stems first, "
            "so inflected forms share one feature and count together (an unseen inflected "
            "group name can then read as a trained stem: the audit measures it)"
        )
    if feats.min_word_df <= 0:
        return stems
    rare = f"; words found in fewer than {feats.min_word_df} training texts are "
    if feats.rare_words == "drop_always":
        note = rare + (
            "dropped in training and prediction, so an unseen word (a group name the model "
            "never saw) adds no feature"
        )
    else:
        note = rare + (
            "replaced by one placeholder word before both featurisers, so every unseen word "
            "(a group name the model never saw) gives the same features"
        )
        if feats.rare_words in ("token", "drop"):
            how = "read as a token of their own" if feats.rare_words == "token" else "dropped"
            note += (
                f"; in training, the rare words of the training texts are {how} instead, so the "
                "placeholder learns only from the augmentation rows that carry it"
            )
    if feats.fold_article:
        note += '; "an" before an unseen word is read as "a"'
    if feats.unread_dilution != "none":
        unread = (
            "runs of dropped words" if feats.unread_dilution == "sqrt_share" else "dropped words"
        )
        note += (
            "; each text's word and character rows are then scaled by sqrt(read / (read + "
            f"unread)), read = the terms it keeps, unread = its {unread}, so that "
            "words the model cannot read dilute the ones it reads instead of vanishing"
        )
    return note + stems


def render_card(
    task: str, version: str, config: TrainingConfig, metrics: dict[str, Any], config_text: str
) -> str:
    """Render the model card of a trained model."""
    return f"""# Model card: {task} {version}

## Task

{config.task.description or task}

Classes: {", ".join(metrics["classes"])}. Headline: {metrics.get("headline") or "–"}.

## Intended use

{INTENDED_USE.get(task, "Aggregated indicators of public posts; not for individual decisions.")}

## Data

{_data_section(config, metrics)}
## Model

{_model_section(config, metrics)}

{_metrics_section(task, version, config, metrics)}
## Limits

{COMMON_LIMITS}
{TASK_LIMITS.get(task, "")}

## Audit results

Not audited yet (run `barometer audit {task}`).

## Training config

```toml
{config_text.strip()}
```
"""
