"""Score step: canonical posts -> ``post_scores`` rows from the active text models.

Two kinds of model:

- rule-based ones that need no training data at run time: lexicon sentiment, trust-expression
  patterns, the rumour catalogue matcher and the theme taxonomy;
- the trained classifiers active in ``models/registry.toml`` (hostility and its target group,
  attitude toward immigration), loaded from skops files after their SHA-256 is verified.

Each model writes its own ``model_version``; the pipeline scores, per task, only the posts that
have no row of that task's active version yet, so adding or upgrading one model re-scores that
model alone. Gated models (``hostility_target`` scores hostile posts only) see only the posts
their gate lets through.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from barometer import registry
from barometer.nlp.lexicons import MODEL_VERSION as SENTIMENT_VERSION
from barometer.nlp.lexicons import LexiconSentimentScorer
from barometer.nlp.rumours import MODEL_VERSION as RUMOUR_VERSION
from barometer.nlp.rumours import RumourMatcher
from barometer.nlp.themes import MODEL_VERSION as THEME_VERSION
from barometer.nlp.themes import ThemeTagger
from barometer.nlp.trust import MODEL_VERSION as TRUST_VERSION
from barometer.nlp.trust import TrustExpressionMatcher
from barometer.schema import POST_SCORES

#: task -> (model version, factory of a fitted scorer with ``score_posts``)
RULE_BASED: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "sentiment": (
        SENTIMENT_VERSION,
        lambda lexicon_dir: LexiconSentimentScorer(lexicon_dir=lexicon_dir).fit(),
    ),
    "trust_expression": (TRUST_VERSION, lambda _: TrustExpressionMatcher().fit()),
    "rumour": (RUMOUR_VERSION, lambda _: RumourMatcher().fit()),
    "theme": (THEME_VERSION, lambda _: ThemeTagger().fit()),
}


def model_versions() -> dict[str, str]:
    """Task -> active model version: rule-based models first, then the registry's, in the
    registry's order (a gate task comes before the tasks it gates)."""
    versions = {task: version for task, (version, _) in RULE_BASED.items()}
    versions.update(registry.active_model_versions())
    return versions


def gate(task: str, posts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The posts ``task``'s model should see, given the scores so far (all, unless gated)."""
    if task in RULE_BASED:
        return posts
    return registry.gate_posts(task, posts, scores)


def score_task(task: str, posts: pd.DataFrame, *, lexicon_dir: Path) -> pd.DataFrame:
    """Score posts (``post_id``, ``text``, ``lang``) with the active model of ``task``."""
    scorer = RULE_BASED[task][1](lexicon_dir) if task in RULE_BASED else registry.load_model(task)
    return scorer.score_posts(posts)[POST_SCORES.columns]
