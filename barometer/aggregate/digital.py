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

import numpy as np
import pandas as pd

from barometer import indicators as catalogue
from barometer.aggregate.cell_stats import cell_stats
from barometer.aggregate.cells import empty_cells, to_cells
from barometer.indicators import TARGET_GROUPS, THEMES
from barometer.stats.resample import shares_from_clusters


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
    DigitalSpec("sentiment", lambda labels: labels == "negative", catalogue.DIGITAL_NEGATIVE),
    DigitalSpec(
        "trust_expression", lambda labels: labels.str.startswith("trust_"), catalogue.DIGITAL_TRUST
    ),
    DigitalSpec(
        "trust_expression",
        lambda labels: labels.str.startswith("distrust_"),
        catalogue.DIGITAL_DISTRUST,
    ),
    DigitalSpec("rumour", lambda labels: labels != "none", catalogue.DIGITAL_RUMOUR),
    DigitalSpec("hostility", lambda labels: labels.isin(HOSTILE), catalogue.DIGITAL_HOSTILITY),
    # the target model scores hostile posts only, so these shares are of all scored posts
    *[
        DigitalSpec(
            "hostility",
            _equals(group),
            catalogue.hostility_target_share(group),
            label_task="hostility_target",
        )
        for group in TARGET_GROUPS
    ],
    DigitalSpec(
        "immigration_attitude",
        lambda labels: labels == "negative",
        catalogue.DIGITAL_IMMIGRATION_NEGATIVE,
    ),
    *[DigitalSpec("theme", _equals(theme), catalogue.theme_share(theme)) for theme in THEMES],
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
    ``distrust_<target>``; a post may carry several theme labels. Computed from the posts'
    :func:`~barometer.aggregate.cell_stats.cell_stats` (see :func:`digital_from_stats`).
    """
    return digital_from_stats(cell_stats(posts, scores), n_boot=n_boot, level=level, seed=seed)


def digital_from_stats(
    stats: pd.DataFrame, *, n_boot: int, level: float, seed: int
) -> pd.DataFrame:
    """The digital cells from the ``cell_stats`` table (one row per cell x author x
    indicator, :mod:`barometer.aggregate.cell_stats`): the bootstrap resamples its author
    rows, as it resampled the authors of the posts; indicator ``k`` of :data:`DIGITAL_SPECS`
    draws from ``seed + k``."""
    frames = []
    by_indicator = dict(tuple(stats.groupby("indicator", sort=False))) if len(stats) else {}
    for offset, spec in enumerate(DIGITAL_SPECS):
        rows = by_indicator.get(spec.indicator)
        if rows is None or rows.empty:
            continue
        rows = rows.sort_values([*_KEYS, "author_pseudonym"], kind="stable")
        per_cluster = pd.DataFrame(
            {
                **{c: rows[c].to_numpy() for c in [*_KEYS, "author_pseudonym"]},
                "mean": rows["n_flagged"].to_numpy(dtype=float) / rows["n_posts"].to_numpy(),
                "size": rows["n_posts"].to_numpy(dtype=np.int64),
            }
        )
        shares = shares_from_clusters(
            per_cluster, _KEYS, n_boot=n_boot, level=level, seed=seed + offset
        )
        cells = to_cells(shares, spec.indicator)
        frames.append(cells.join(_people(rows, keep_sets=spec.task == "hostility"), on=_KEYS))
    return pd.concat(frames, ignore_index=True) if frames else empty_cells()


_KEYS = ["neighbourhood_id", "period_start"]


def _people(rows: pd.DataFrame, *, keep_sets: bool) -> pd.DataFrame:
    """Per cell, from its ``cell_stats`` rows: authors with a flagged post, authors with an
    unflagged one (and, with ``keep_sets``, the set of flagged authors)."""
    per_author = rows.assign(
        flagged=rows["n_flagged"] > 0, unflagged=rows["n_flagged"] < rows["n_posts"]
    )
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
