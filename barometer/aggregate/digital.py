"""Digital indicators: author-weighted shares of post labels per neighbourhood x month."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from barometer.aggregate.cells import empty_cells, month_start, to_cells
from barometer.indicators import THEMES
from barometer.stats.resample import author_weighted_shares

#: (task, label test, indicator). A post counts for a share when the task scored it; it is
#: flagged when any of its labels for that task passes the test.
DIGITAL_SPECS: list[tuple[str, Callable[[pd.Series], pd.Series], str]] = [
    ("sentiment", lambda labels: labels == "negative", "digital_negative_share"),
    ("trust_expression", lambda labels: labels.str.startswith("trust_"), "digital_trust_share"),
    (
        "trust_expression",
        lambda labels: labels.str.startswith("distrust_"),
        "digital_distrust_share",
    ),
    ("rumour", lambda labels: labels != "none", "digital_rumour_share"),
    ("hostility", lambda labels: labels == "hostile", "digital_hostility_share"),
    *[
        ("theme", lambda labels, t=theme: labels == t, f"digital_theme_{theme}_share")
        for theme in THEMES
    ],
]


def aggregate_digital(
    posts: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    n_boot: int,
    level: float,
    seed: int,
) -> pd.DataFrame:
    """Author-weighted shares of post labels per neighbourhood x month (:data:`DIGITAL_SPECS`).

    Uses original posts only (reposts would count one voice twice) that are placed in a
    neighbourhood. A post enters a share only if that task scored it (e.g. no sentiment lexicon
    exists for Somali, so Somali posts are not in the negative share). Each author's posts in a
    cell are averaged first, so every author counts once. Trust labels are ``trust_<target>`` /
    ``distrust_<target>``; a post may carry several theme labels.
    """
    located = posts[~posts["is_repost"] & posts["neighbourhood_id"].notna()]
    base = located[["post_id", "author_pseudonym", "neighbourhood_id", "created_at"]].copy()
    base["period_start"] = month_start(base["created_at"])
    frames = []
    for offset, (task, test, indicator) in enumerate(DIGITAL_SPECS):
        task_scores = scores[scores["task"] == task]
        if task_scores.empty:
            continue
        passed = test(task_scores["label"].astype(str)).to_numpy(dtype=bool)
        flag = pd.Series(passed, index=task_scores["post_id"].to_numpy()).groupby(level=0).any()
        scored = base[base["post_id"].isin(flag.index)].copy()
        if scored.empty:
            continue
        scored["flag"] = scored["post_id"].map(flag).astype(float)
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
