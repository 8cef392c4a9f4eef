"""Choose posts for a city team to label.

:func:`sample_for_annotation` mixes two parts:

* **uncertainty sampling**: the posts the model is least sure about. For a task with one
  probability per post (binary) the uncertainty is ``1 - |2p - 1|`` (1 at p = 0.5); for several
  labels per post it is the entropy of the label distribution divided by ``log(k)``
  (1 = uniform). See :func:`uncertainty_from_scores`.
* **stratified random sampling** of the rest by neighbourhood x language, with proportional
  allocation (largest remainder) or equal allocation, so small neighbourhoods and languages are
  represented and the labelled set can be weighted back to the population.

The output is shuffled (so annotators do not meet all uncertain posts in a row), texts are
PII-scrubbed again (:func:`barometer.privacy.scrub_texts`) and empty label columns are added.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from barometer.exceptions import InputError
from barometer.privacy import scrub_texts

ANNOTATION_COLUMNS: tuple[str, ...] = ("post_id", "text", "lang", "neighbourhood_id")


def uncertainty_from_scores(scores: pd.DataFrame, *, task: str | None = None) -> pd.Series:
    """Return each post's uncertainty in [0, 1] from post_scores rows (index post_id).

    A post with one row is read as binary: ``1 - |2p - 1|``. A post with several rows (one per
    label) gets the normalised entropy of its probabilities (renormalised to sum to 1).
    Rows with a missing probability are ignored.
    """
    rows = scores if task is None else scores[scores["task"] == task]
    rows = rows.dropna(subset=["probability"])
    if rows.empty:
        raise InputError(
            f"no post_scores with a probability{f' for task {task!r}' if task else ''}"
        )
    p = rows["probability"].clip(0, 1).to_numpy()
    ids = rows["post_id"].astype(str).to_numpy()
    frame = pd.DataFrame({"post_id": ids, "p": p})
    sizes = frame.groupby("post_id", sort=False)["p"].transform("size").to_numpy()
    totals = frame.groupby("post_id", sort=False)["p"].transform("sum").to_numpy()
    q = np.divide(p, totals, out=np.zeros_like(p), where=totals > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(q > 0, -q * np.log(q), 0.0)
    frame["h"] = plogp / np.log(np.maximum(sizes, 2))
    frame["binary"] = 1 - np.abs(2 * p - 1)
    entropy = frame.groupby("post_id", sort=False)["h"].sum()
    binary = frame.groupby("post_id", sort=False)["binary"].first()
    counts = frame.groupby("post_id", sort=False).size()
    return binary.where(counts == 1, entropy).clip(0, 1).rename("uncertainty")


def allocate(sizes: pd.Series, n: int, *, allocation: str = "proportional") -> pd.Series:
    """Split ``n`` draws over strata of the given sizes (largest remainder, capped at size)."""
    sizes = sizes[sizes > 0]
    n = min(n, int(sizes.sum()))
    if allocation == "proportional":
        share = sizes / sizes.sum() * n
    elif allocation == "equal":
        share = pd.Series(n / len(sizes), index=sizes.index)
    else:
        raise InputError(f"allocation must be 'proportional' or 'equal', got {allocation!r}")
    alloc = np.minimum(np.floor(share), sizes).astype(int)
    while alloc.sum() < n:  # at most one pass per stratum: hand out the remainders
        room = sizes - alloc
        remainder = (share - alloc).where(room > 0, -np.inf)
        alloc[remainder.idxmax()] += 1
    return alloc


def sample_for_annotation(
    posts: pd.DataFrame,
    n: int,
    *,
    uncertainty: pd.Series | None = None,
    uncertain_share: float = 0.5,
    strata: Sequence[str] = ("neighbourhood_id", "lang"),
    allocation: str = "proportional",
    label_columns: Sequence[str] = ("label", "annotator", "comment"),
    seed: int = 0,
) -> pd.DataFrame:
    """Choose ``n`` posts to label: the most uncertain, then a stratified random sample.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts (``post_id, text, lang, neighbourhood_id``).
    uncertainty : Series, optional
        Per ``post_id`` uncertainty in [0, 1] (:func:`uncertainty_from_scores`); without it the
        whole sample is stratified.
    uncertain_share : float, default 0.5
        Share of ``n`` taken by uncertainty (highest first; ties broken at random).

    Returns
    -------
    DataFrame
        ``post_id, text (scrubbed), lang, neighbourhood_id, sample_reason (uncertainty |
        stratified), uncertainty`` and the empty ``label_columns``, shuffled.
    """
    missing = [c for c in (*ANNOTATION_COLUMNS, *strata) if c not in posts.columns]
    if missing:
        raise InputError(f"posts need columns {list(ANNOTATION_COLUMNS)}; missing {missing}")
    if n < 1 or not 0 <= uncertain_share <= 1:
        raise InputError(
            f"expected n >= 1 and 0 <= uncertain_share <= 1, got {n}, {uncertain_share}"
        )
    rng = np.random.default_rng(seed)
    pool = posts.drop_duplicates("post_id").reset_index(drop=True)
    pool["post_id"] = pool["post_id"].astype(str)
    pool["_key"] = rng.random(len(pool))
    pool["uncertainty"] = (
        pool["post_id"].map(uncertainty).astype(float) if uncertainty is not None else np.nan
    )
    n = min(n, len(pool))
    n_uncertain = round(n * uncertain_share) if uncertainty is not None else 0
    ranked = pool[pool["uncertainty"].notna()].sort_values(["uncertainty", "_key"], ascending=False)
    chosen_u = ranked.head(n_uncertain).assign(sample_reason="uncertainty")
    rest = pool[~pool["post_id"].isin(chosen_u["post_id"])]
    # posts with no neighbourhood (or language) form a stratum of their own
    cells = rest[list(strata)].astype(object).fillna("unassigned").astype(str).agg("|".join, axis=1)
    alloc = allocate(cells.value_counts(), n - len(chosen_u), allocation=allocation)
    rank = (
        rest.assign(_cell=cells).sort_values("_key").groupby("_cell").cumcount().reindex(rest.index)
    )
    keep = rank.to_numpy() < cells.map(alloc).fillna(0).to_numpy()
    chosen_s = rest[keep].assign(sample_reason="stratified")
    out = pd.concat([chosen_u, chosen_s]).sort_values("_key").reset_index(drop=True)
    out["text"] = scrub_texts(out["text"])
    columns = [*ANNOTATION_COLUMNS, "sample_reason", "uncertainty"]
    out = out[columns]
    for column in label_columns:
        out[column] = ""
    return out
