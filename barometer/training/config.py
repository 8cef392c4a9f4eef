"""Typed training configs: one pydantic model per table of ``models/configs/<task>.toml``.

:func:`load_training_config` reads a config, applies ``"section.key=value"`` overrides (as on
the command line, values parsed as TOML) and validates the result, so ``--set
classifier.C=abc`` or ``--set features.n_features=-5`` is refused with a message naming the
key, the value and the rule it breaks. :func:`version_config` reads the resolved config stored
beside a registered model; :func:`dump_config` writes a config back as TOML (the text stored
with a model and hashed into its default version name).

The ``[audit]`` and ``[validity]`` tables are typed here too (:class:`AuditThresholds`,
:class:`ValidityCriteria`): they are part of the same file, and :mod:`barometer.audit` reads
them from a config of this module.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from barometer import registry
from barometer.exceptions import ConfigError
from barometer.nlp.stems import check_languages

Fraction = Annotated[float, Field(ge=0, le=1)]
NGramRange = tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]]


class Section(BaseModel):
    """A table of a training config: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class TaskConfig(Section):
    """``[task]``: what is predicted, from which corpus column."""

    name: str = Field(min_length=1)
    description: str = ""
    label_column: str = Field(min_length=1)  # column of barometer.training.corpora
    negative_label: str = ""  # binary metrics: every other class counts as flagged
    report_classes: list[str] = []  # per-class precision and recall in the card
    bins: list[float] = []  # a numeric target binned into ``labels`` (empty: categories)
    labels: list[str] = []
    stretch_on: Literal["", "dev"] = ""
    center_on: Literal["", "dev"] = ""  # also move predictions to the dev split's gold mean

    @model_validator(mode="after")
    def _bins_match_labels(self) -> TaskConfig:
        if self.bins and len(self.labels) != len(self.bins) + 1:
            raise ValueError(
                f"{len(self.bins)} bins need {len(self.bins) + 1} labels, got {self.labels}"
            )
        if self.bins != sorted(self.bins):
            raise ValueError(f"bins must be increasing, got {self.bins}")
        return self


class DataConfig(Section):
    """``[data]``: the labelled rows and how the test part is drawn."""

    root: str = ""  # the shared data folder ("" = the default one)
    sources: list[str] = []  # corpus names of barometer.training.corpora.CORPUS_READERS
    extra_files: list[str] = []  # annotation CSVs (text, label, lang, split)
    annotations: list[str] = []  # labelled CSVs of `barometer sample-for-annotation`
    train_exclude: list[Annotated[str, Field(pattern=r"^[^:]+:[^:]+$")]] = []  # source:lang
    heldout_fraction: float = Field(gt=0, lt=1)
    max_rows_per_source: int = Field(default=0, ge=0)  # 0 = all rows
    seed: int


class FeaturesConfig(Section):
    """``[features]``: hashed word and character n-grams."""

    word_ngram_range: NGramRange  # (0, 0) switches word n-grams off
    char_ngram_range: NGramRange  # (0, 0) switches character n-grams off
    n_features: int = Field(gt=0)  # hash buckets per block
    sublinear_tf: bool
    lang_feature: bool
    min_word_df: int = Field(default=0, ge=0)  # > 0: words in fewer training texts -> one token
    mask_groups: bool = False  # training group names read as unseen words (min_word_df > 0)
    rare_words: Literal["unseen", "token", "drop", "drop_always"] = "unseen"  # rare words
    fold_article: bool = False  # "an" before the placeholder read as "a" (min_word_df > 0)
    word_stems: list[str] = []  # ISO 639-1 codes whose words are read as Snowball stems
    unread_dilution: Literal["none", "sqrt_share", "sqrt_word_share"] = "none"  # word, char rows
    # x sqrt(read / (read + unread runs or words)) (barometer.nlp.unread_dilution; drop_always)

    @field_validator("word_stems")
    @classmethod
    def _stemmers(cls, codes: list[str]) -> list[str]:
        return list(check_languages(codes))

    @model_validator(mode="after")
    def _ranges(self) -> FeaturesConfig:
        for name in ("word_ngram_range", "char_ngram_range"):
            low, high = getattr(self, name)
            if (low == 0) != (high == 0) or low > high:
                raise ValueError(f"{name} must be (low, high) with 1 <= low <= high, or (0, 0)")
        if self.word_ngram_range == (0, 0) and self.char_ngram_range == (0, 0):
            raise ValueError("word_ngram_range and char_ngram_range are both (0, 0)")
        if self.unread_dilution != "none" and self.rare_words != "drop_always":
            raise ValueError('unread_dilution needs rare_words = "drop_always"')
        return self


class ClassifierConfig(Section):
    """``[classifier]``: the linear model."""

    kind: Literal["svm", "logistic", "nbsvm"]
    C: float = Field(gt=0)
    class_weight: Literal["none", "", "balanced"] = "none"
    max_iter: int = Field(gt=0)


class AugmentConfig(Section):
    """``[augment]``: see :func:`barometer.training.augment.augment_training`."""

    templates: dict[str, str | float] = {}  # template kind -> label (or numeric score)
    languages: list[str] = []
    compositional: bool = True
    max_per_kind: Annotated[int, Field(ge=0)] | dict[str, Annotated[int, Field(ge=0)]] = 0
    cap_per_template: bool = False  # max_per_kind drawn evenly over templates, not sentences
    # weight of one template sentence (or kind -> weight; kinds not named: 1)
    template_weight: PositiveFloat | dict[str, PositiveFloat] = 1.0
    swaps: int = Field(default=0, ge=0)
    spelling_share: Fraction = 0.0
    sprakbanken: bool = False
    sentences_of: list[str] = []
    context_share: Fraction = 0.0
    context_label: str = ""
    pseudo_groups: int = Field(default=0, ge=0)
    unseen_groups: bool = False  # + the unseen-word placeholder as a group (min_word_df > 0)
    seed: int = 0


class BalanceConfig(Section):
    """``[balance]``: see :func:`barometer.training.balance.prior_weights`."""

    positive: str
    prior: float = Field(ge=0, lt=1)  # 0 = no weights
    by: list[str] = ["lang", "source"]
    max_pooled: Annotated[int, Field(ge=0)] | Annotated[float, Field(ge=0)] = 0  # 0: no cap


class CalibrationConfig(Section):
    """``[calibration]``: ``CalibratedClassifierCV``."""

    method: Literal["sigmoid", "isotonic"]
    cv_folds: int = Field(ge=2)
    seed: int


class CvConfig(Section):
    """``[cv]``: stratified k-fold scores of the linear model on the training rows."""

    report: bool


class EvaluationConfig(Section):
    """``[evaluation]``: test metrics with percentile bootstrap intervals."""

    n_boot: int = Field(ge=0)
    level: float = Field(gt=0, lt=1)
    seed: int
    headline: list[Annotated[str, Field(pattern=r"^[^:]+:[^:]+:[^:]+$")]] = []
    false_positive_rate: bool = False  # per corpus and language: share of negatives flagged
    skip_one_class: bool = False  # no F1 where the test rows have one class only


class ScoringConfig(Section):
    """``[scoring]``: which posts the model scores in the pipeline."""

    languages: list[str] = []  # empty: every post
    gate_task: str = ""  # score only posts that this task's model labels ...
    gate_exclude: list[str] = []  # ... with a label other than these
    min_read_words: int = Field(default=0, ge=0)  # decision rule: a post of which fewer words
    # are read (kept after the vocabulary) gets the score of an empty text (the prior); 0: none


class AuditThresholds(Section):
    """``[audit]``: limits a model must meet to be activated without ``--force``."""

    max_counterfactual_spread: float = Field(default=0.10, ge=0)
    max_fpr_ratio: float = Field(default=1.5, ge=1)
    max_fnr_ratio: float = Field(default=1.5, ge=1)
    max_dialect_flag_ratio: float = Field(default=1.5, ge=1)
    max_neutral_flag_rate: Fraction = 1.0  # per language, of the counterfactual sentences
    # (all neutral or positive) flagged; 1.0 = no limit
    min_group_n: int = Field(default=30, ge=1)
    # how a registered model is audited (barometer.audit.audit_model); not limits
    parity_by: list[str] = ["lang", "target_group"]
    parity_within: list[str] = []  # compare the parity_by groups within each value of these
    # (e.g. ["lang"]: target groups within each language); [] = over all rows
    dialect: bool = False  # TwitterAAE audit on Davidson's held-out tweets
    dialect_argmax: bool = False  # AA vs White argmax instead of the 0.8 cut-off
    n_boot: int = Field(default=1000, ge=10)


class ValidityCriteria(Section):
    """``[validity]``: limits a model x language pair must meet to count as validated."""

    metric: str = "macro_f1"
    min_metric_lower: Fraction = 0.6
    min_n_test: int = Field(default=100, ge=1)
    functional_suite: str = ""  # "" = none; "default" = tests/functional/hostility_cases.csv
    require_functional: bool = True
    min_functional_pass_rate: Fraction = 0.7
    max_neutral_flag_rate: Fraction = 0.05
    measure_neutral: bool = True  # False for a gated model that never sees neutral posts
    #: language -> its own ``min_metric_lower`` (e.g. the issue's sentiment goals per language)
    min_metric_lower_by_language: dict[str, Fraction] = Field(default_factory=dict)

    def metric_limit(self, lang: str) -> float:
        """The lowest acceptable lower interval bound of the metric in ``lang``."""
        return float(self.min_metric_lower_by_language.get(lang, self.min_metric_lower))


class TrainingConfig(Section):
    """A whole training config (``models/configs/<task>.toml``, or a model's ``config.toml``)."""

    task: TaskConfig
    data: DataConfig
    features: FeaturesConfig
    classifier: ClassifierConfig
    augment: AugmentConfig | None = None
    balance: BalanceConfig | None = None
    calibration: CalibrationConfig
    cv: CvConfig
    evaluation: EvaluationConfig
    scoring: ScoringConfig = ScoringConfig()
    audit: AuditThresholds | None = None
    validity: ValidityCriteria | None = None
    #: key order of each table as read (so that :func:`dump_config` gives the file's order)
    _order: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    def with_data(self, **changes: Any) -> TrainingConfig:
        """A copy with ``[data]`` keys replaced (recorded in :func:`dump_config`'s text)."""
        copy = self.model_copy(update={"data": self.data.model_copy(update=changes)})
        copy._order = self._order
        return copy


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


def _section_model(section: str) -> type[Section] | None:
    """The model of a table of :class:`TrainingConfig` (None for an unknown table)."""
    field = TrainingConfig.model_fields.get(section)
    if field is None:
        return None
    candidates = getattr(field.annotation, "__args__", (field.annotation,))
    return next(c for c in candidates if isinstance(c, type) and issubclass(c, Section))


def _apply_override(config: dict[str, Any], item: str, path: Path) -> str:
    """Set one override in the raw tables; returns its ``section.key``."""
    section, name, value = parse_override(item)
    model = _section_model(section)
    if model is None or name not in model.model_fields:
        keys = list(model.model_fields) if model is not None else list(TrainingConfig.model_fields)
        raise ConfigError(
            f"override {item!r}: no key {section}.{name} in a training config ({path}); "
            f"{'keys of [' + section + ']' if model is not None else 'tables'}: {keys}"
        )
    table = config.setdefault(section, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{section}] must be a table, got {table!r}")
    table[name] = value
    return f"{section}.{name}"


def _explain(exc: ValidationError, path: Path, overridden: set[str]) -> str:
    """One clause per problem: the key, the value given, why it is refused."""
    parts = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
        key = ".".join(loc[:2]) if loc else "(config)"
        given = "" if error["type"] == "missing" else f" = {error.get('input')!r}"
        origin = " (overridden)" if key in overridden else ""
        parts.append(f"{key}{given}{origin}: {error['msg']}")
    return f"invalid training config {path}: " + "; ".join(parts)


def load_training_config(path: str | Path, overrides: list[str] | None = None) -> TrainingConfig:
    """Read a training config, apply ``"section.key=value"`` overrides, validate the result.

    Raises
    ------
    ConfigError
        If the file is missing or not TOML, an override names a key no training config has, or
        a value breaks its rule (the message names the key, the value and the rule).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"training config {path} not found; see models/configs/ for examples")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    overridden = {_apply_override(raw, item, path) for item in overrides or []}
    try:
        config = TrainingConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, overridden)) from None
    config._order = {s: list(v) for s, v in raw.items() if isinstance(v, dict)}
    return config


def version_config(task: str, version: str, models_dir: str | Path | None = None) -> TrainingConfig:
    """The resolved training config stored beside a registered model version."""
    return load_training_config(registry.version_dir(task, version, models_dir) / "config.toml")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in value.items()) + "}"
    return repr(value)


def dump_config(config: TrainingConfig) -> str:
    """The config as TOML: the keys it was given (defaults left out), one table per section,
    in the order of the file it was read from (so a stored ``config.toml`` reads back as itself).

    Examples
    --------
    >>> print(dump_config(TrainingConfig.model_validate({
    ...     "task": {"name": "toy", "label_column": "hostility"},
    ...     "data": {"sources": ["mlma"], "heldout_fraction": 0.1, "seed": 1},
    ...     "features": {"word_ngram_range": [1, 2], "char_ngram_range": [0, 0],
    ...                  "n_features": 1024, "sublinear_tf": True, "lang_feature": False},
    ...     "classifier": {"kind": "svm", "C": 0.5, "max_iter": 100},
    ...     "calibration": {"method": "sigmoid", "cv_folds": 3, "seed": 0},
    ...     "cv": {"report": False}, "evaluation": {"n_boot": 10, "level": 0.95, "seed": 0},
    ... })).splitlines()[:3])
    ['[task]', 'name = "toy"', 'label_column = "hostility"']
    """
    out = []
    tables = config.model_dump(exclude_unset=True)
    for section in sorted(tables, key=_rank(list(config._order), list(tables))):
        items = tables[section]
        order = _rank(config._order.get(section, []), list(items))
        out.append(f"[{section}]")
        out += [f"{key} = {_toml_value(items[key])}" for key in sorted(items, key=order)]
        out.append("")
    return "\n".join(out)


def _rank(first: list[str], then: list[str]) -> Any:
    """Sort key: the position in ``first``, else after all of them in the order of ``then``."""
    return lambda key: first.index(key) if key in first else len(first) + then.index(key)
