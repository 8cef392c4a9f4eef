"""Training, corpora, evaluation and model cards of the text models.

Researchers' side of the text models: the public corpora (:mod:`.corpora`), augmentation and
weights of the training rows (:mod:`.augment`, :mod:`.balance`), annotation files as training
rows (:mod:`.annotations`), fitting and registering a model (:mod:`.train`), its test metrics
with intervals (:mod:`.metrics`) and its card (:mod:`.cards`). The runtime scorers it trains
live in :mod:`barometer.nlp`; this package may import them, never the other way round.
"""

from barometer.training.annotations import annotations_markdown, read_annotations
from barometer.training.corpora import load_corpora
from barometer.training.train import (
    build_estimator,
    dump_config,
    evaluate,
    evaluate_predictions,
    load_config,
    load_task_data,
    load_training_rows,
    parse_override,
    train,
    training_set,
)

__all__ = [
    "annotations_markdown",
    "build_estimator",
    "dump_config",
    "evaluate",
    "evaluate_predictions",
    "load_config",
    "load_corpora",
    "load_task_data",
    "load_training_rows",
    "parse_override",
    "read_annotations",
    "train",
    "training_set",
]
