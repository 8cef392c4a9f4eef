"""Digital indicators: author-weighted shares of post labels per neighbourhood x month."""

from __future__ import annotations

import pandas as pd

from barometer.aggregate.cells import empty_cells, month_start, to_cells
from barometer.stats.resample import author_weighted_shares


def aggregate_digital(
    posts: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    n_boot: int,
    level: float,
    seed: int,
) -> pd.DataFrame:
    """Author-weighted shares of negative, trust-expressing and distrust-expressing posts.

    Uses original posts only (reposts would count one voice twice) that are placed in a
    neighbourhood. A post enters the negative share only if the sentiment model scored it
    (e.g. no sentiment lexicon exists for Somali, so Somali posts are not in that share).
    Each author's posts in a cell are averaged first, so every author counts once. Trust
    labels are ``trust_<target>`` / ``distrust_<target>`` (interpersonal or institutional).
    """
    located = posts[~posts["is_repost"] & posts["neighbourhood_id"].notna()]
    base = located[["post_id", "author_pseudonym", "neighbourhood_id", "created_at"]].copy()
    base["period_start"] = month_start(base["created_at"])
    frames = []
    specs = [
        ("sentiment", "negative", "digital_negative_share"),
        ("trust_expression", "trust_", "digital_trust_share"),
        ("trust_expression", "distrust_", "digital_distrust_share"),
    ]
    for offset, (task, label_prefix, indicator) in enumerate(specs):
        task_scores = scores[scores["task"] == task]
        if task_scores.empty:
            continue
        best = task_scores.sort_values("probability", ascending=False).drop_duplicates("post_id")
        labels = best.set_index("post_id")["label"].astype(str)
        flag = labels.str.startswith(label_prefix).astype(float)
        scored = base[base["post_id"].isin(flag.index)].copy()
        if scored.empty:
            continue
        scored["flag"] = scored["post_id"].map(flag)
        shares = author_weighted_shares(
            scored,
            by=["neighbourhood_id", "period_start"],
            cluster="author_pseudonym",
            indicator="flag",
            n_boot=n_boot,
            level=level,
            seed=seed + offset,
        )
        frames.append(to_cells(shares, indicator))
    return pd.concat(frames, ignore_index=True) if frames else empty_cells()
