"""Digital indicators: author-weighted shares of post labels per neighbourhood x month.

Besides the share, each cell carries what disclosure control needs (dropped before
publication, see :mod:`barometer.disclosure`): ``n_numerator``, the authors with at least one
flagged post, ``n_complement``, those with at least one post not flagged, and, for the
hostility total and its target-group parts, ``flagged_authors``, the set of flagged authors'
pseudonyms (to check that the total minus the published parts singles out nobody).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from barometer.aggregate.cells import empty_cells, month_start, to_cells
from barometer.indicators import TARGET_GROUPS, THEMES
from barometer.stats.resample import author_weighted_shares


@dataclass(frozen=True)
class DigitalSpec:
    """One digital share: posts scored by ``task`` form the denominator; a post is flagged when
    any of its ``label_task`` labels (default: the same task) passes ``test``."""

    task: str
    test: Callable[[pd.Series], pd.Series]
    indicator: str
    label_task: str | None = None


#: labels counted as hostile: ``hostile`` (hostility toward a group, the current scheme) and the
#: ``hateful`` / ``offensive`` of hostility versions before 2026.3
HOSTILE = ("hostile", "hateful", "offensive")


def _equals(value: str) -> Callable[[pd.Series], pd.Series]:
    return lambda labels: labels == value


DIGITAL_SPECS: list[DigitalSpec] = [
    DigitalSpec("sentiment", lambda labels: labels == "negative", "digital_negative_share"),
    DigitalSpec(
        "trust_expression", lambda labels: labels.str.startswith("trust_"), "digital_trust_share"
    ),
    DigitalSpec(
        "trust_expression",
        lambda labels: labels.str.startswith("distrust_"),
        "digital_distrust_share",
    ),
    DigitalSpec("rumour", lambda labels: labels != "none", "digital_rumour_share"),
    DigitalSpec("hostility", lambda labels: labels.isin(HOSTILE), "digital_hostility_share"),
    # the target model scores hostile posts only, so these shares are of all scored posts
    *[
        DigitalSpec(
            "hostility",
            _equals(group),
            f"digital_hostility_{group}_share",
            label_task="hostility_target",
        )
        for group in TARGET_GROUPS
    ],
    DigitalSpec(
        "immigration_attitude",
        lambda labels: labels == "negative",
        "digital_immigration_negative_share",
    ),
    *[DigitalSpec("theme", _equals(theme), f"digital_theme_{theme}_share") for theme in THEMES],
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
    for offset, spec in enumerate(DIGITAL_SPECS):
        denominator = scores.loc[scores["task"] == spec.task, "post_id"].unique()
        labelled = scores[scores["task"] == (spec.label_task or spec.task)]
        if len(denominator) == 0:
            continue
        passed = spec.test(labelled["label"].astype(str)).to_numpy(dtype=bool)
        flagged = set(labelled["post_id"].to_numpy()[passed])
        scored = base[base["post_id"].isin(set(denominator))].copy()
        if scored.empty:
            continue
        scored["flag"] = scored["post_id"].isin(flagged).astype(float)
        shares = author_weighted_shares(
            scored,
            by=["neighbourhood_id", "period_start"],
            cluster="author_pseudonym",
            indicator="flag",
            n_boot=n_boot,
            level=level,
            seed=seed + offset,
        )
        cells = to_cells(shares, spec.indicator)
        frames.append(cells.join(_people(scored, keep_sets=spec.task == "hostility"), on=_KEYS))
    return pd.concat(frames, ignore_index=True) if frames else empty_cells()


_KEYS = ["neighbourhood_id", "period_start"]


def _people(scored: pd.DataFrame, *, keep_sets: bool) -> pd.DataFrame:
    """Per cell: authors with a flagged post, authors with an unflagged one (and, with
    ``keep_sets``, the set of flagged authors)."""
    by_author = scored.groupby([*_KEYS, "author_pseudonym"], observed=True)["flag"]
    per_author = by_author.agg(["max", "min"]).reset_index()
    per_author["flagged"] = per_author["max"] > 0
    per_author["unflagged"] = per_author["min"] < 1
    grouped = per_author.groupby(_KEYS, observed=True)
    out = pd.DataFrame(
        {
            "n_numerator": grouped["flagged"].sum().astype(float),
            "n_complement": grouped["unflagged"].sum().astype(float),
        }
    )
    if keep_sets:
        flagged = per_author[per_author["flagged"]].groupby(_KEYS, observed=True)
        sets = flagged["author_pseudonym"].agg(frozenset)
        out["flagged_authors"] = sets.reindex(out.index)
        out["flagged_authors"] = out["flagged_authors"].map(
            lambda s: s if isinstance(s, frozenset) else frozenset()
        )
    return out
