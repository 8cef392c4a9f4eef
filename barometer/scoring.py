"""Score step: canonical posts -> ``post_scores`` rows from the active text models.

Rule-based models that need no training data at run time: lexicon sentiment, trust-expression
patterns, the rumour catalogue matcher and the theme taxonomy. Each model writes its own
``model_version``; the pipeline scores, per task, only the posts that have no row of that
task's active version yet, so adding or upgrading one model re-scores that model alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.nlp.lexicons import MODEL_VERSION as SENTIMENT_VERSION
from barometer.nlp.lexicons import LexiconSentimentScorer
from barometer.nlp.rumours import MODEL_VERSION as RUMOUR_VERSION
from barometer.nlp.rumours import RumourMatcher
from barometer.nlp.themes import MODEL_VERSION as THEME_VERSION
from barometer.nlp.themes import ThemeTagger
from barometer.nlp.trust import MODEL_VERSION as TRUST_VERSION
from barometer.nlp.trust import TrustExpressionMatcher
from barometer.schema import POST_SCORES

#: task -> (active model version, factory of a fitted scorer with ``score_posts``)
SCORERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "sentiment": (
        SENTIMENT_VERSION,
        lambda lexicon_dir: LexiconSentimentScorer(lexicon_dir=lexicon_dir).fit(),
    ),
    "trust_expression": (TRUST_VERSION, lambda _: TrustExpressionMatcher().fit()),
    "rumour": (RUMOUR_VERSION, lambda _: RumourMatcher().fit()),
    "theme": (THEME_VERSION, lambda _: ThemeTagger().fit()),
}

#: task -> model version currently active in the pipeline
MODEL_VERSIONS: dict[str, str] = {task: version for task, (version, _) in SCORERS.items()}


def score_posts(
    posts: pd.DataFrame, *, lexicon_dir: Path, tasks: Iterable[str] | None = None
) -> pd.DataFrame:
    """Score posts (``post_id``, ``text``, ``lang``) with the active model of each task."""
    frames = [
        SCORERS[task][1](lexicon_dir).score_posts(posts)
        for task in (tasks if tasks is not None else SCORERS)
    ]
    if not frames:
        return pd.DataFrame(columns=POST_SCORES.columns)
    return pd.concat(frames, ignore_index=True)[POST_SCORES.columns]
