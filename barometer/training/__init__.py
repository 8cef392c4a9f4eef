"""Training, corpora, evaluation and model cards of the text models.

The researchers' side of the text models: typed training configs (:mod:`.config`), the public
corpora (:mod:`.corpora`), the labelled rows of a task (:mod:`.data`), augmentation
(:mod:`.groups`, :mod:`.templates`, :mod:`.augment`) and weights (:mod:`.balance`) of the
training rows, annotation files as training rows (:mod:`.annotations`), fitting and registering
a model (:mod:`.train`), its test metrics with intervals (:mod:`.metrics`,
:mod:`.evaluation`), its card (:mod:`.cards`) and the calibration of the lexicon scorer's
neutral band (:mod:`.sentiment_calibration`). The runtime scorers it trains live in
:mod:`barometer.nlp`; this package may import them and :mod:`barometer.annotation`, never
:mod:`barometer.audit`.
"""

from barometer.training.annotations import annotations_markdown, read_annotations
from barometer.training.config import (
    TrainingConfig,
    dump_config,
    load_training_config,
    parse_override,
    version_config,
)
from barometer.training.corpora import load_corpora
from barometer.training.data import load_task_data, load_training_rows, training_set
from barometer.training.evaluation import evaluate, evaluate_predictions
from barometer.training.train import build_estimator, train

__all__ = [
    "TrainingConfig",
    "annotations_markdown",
    "build_estimator",
    "dump_config",
    "evaluate",
    "evaluate_predictions",
    "load_corpora",
    "load_task_data",
    "load_training_config",
    "load_training_rows",
    "parse_override",
    "read_annotations",
    "train",
    "training_set",
    "version_config",
]
