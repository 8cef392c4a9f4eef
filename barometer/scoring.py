"""Score step: canonical posts -> ``post_scores`` rows from the active text models.

First version: the lexicon sentiment scorer and the trust-expression patterns (both rule-based,
no training data needed at run time). Each model writes its own ``model_version``, so a post is
re-scored only when a model changes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barometer.nlp.lexicons import MODEL_VERSION as SENTIMENT_VERSION
from barometer.nlp.lexicons import LexiconSentimentScorer
from barometer.nlp.trust import MODEL_VERSION as TRUST_VERSION
from barometer.nlp.trust import TrustExpressionMatcher
from barometer.schema import POST_SCORES

#: task -> model version currently active in the pipeline
MODEL_VERSIONS: dict[str, str] = {
    "sentiment": SENTIMENT_VERSION,
    "trust_expression": TRUST_VERSION,
}


def score_posts(posts: pd.DataFrame, *, lexicon_dir: Path) -> pd.DataFrame:
    """Score posts (``post_id``, ``text``, ``lang``) with every active model."""
    sentiment = LexiconSentimentScorer(lexicon_dir=lexicon_dir).fit().score_posts(posts)
    trust = TrustExpressionMatcher().fit().score_posts(posts)
    return pd.concat([sentiment, trust], ignore_index=True)[POST_SCORES.columns]
