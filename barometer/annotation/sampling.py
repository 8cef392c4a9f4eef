"""Annotation support: choose posts for a city team to label, and measure their agreement.

Sampling (:func:`sample_for_annotation`) mixes two parts:

* **uncertainty sampling**: the posts the model is least sure about. For a task with one
  probability per post (binary) the uncertainty is ``1 - |2p - 1|`` (1 at p = 0.5); for several
  labels per post it is the entropy of the label distribution divided by ``log(k)``
  (1 = uniform). See :func:`uncertainty_from_scores`.
* **stratified random sampling** of the rest by neighbourhood x language, with proportional
  allocation (largest remainder) or equal allocation, so small neighbourhoods and languages are
  represented and the labelled set can be weighted back to the population.

The output is shuffled (so annotators do not meet all uncertain posts in a row), texts are
PII-scrubbed again (:func:`barometer.privacy.scrub_texts`) and empty label columns are added.

Agreement:

* :func:`cohen_kappa` for two annotators (unweighted, linear or quadratic weights), equal to
  :func:`sklearn.metrics.cohen_kappa_score` on complete pairs;
* :func:`krippendorff_alpha` for any number of annotators with missing values, at nominal,
  ordinal, interval or ratio level, through the coincidence matrix of Krippendorff (2011,
  "Computing Krippendorff's alpha-reliability"); it reproduces that paper's example C
  (4 coders, 12 units, missing data): nominal 0.743, ordinal 0.815, interval 0.849,
  ratio 0.797 (3 decimals).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError, InputError
from barometer.privacy import scrub_texts

Level = Literal["nominal", "ordinal", "interval", "ratio"]
ANNOTATION_COLUMNS: tuple[str, ...] = ("post_id", "text", "lang", "neighbourhood_id")


# -- sampling ----------------------------------------------------------------------------------


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


# -- agreement ---------------------------------------------------------------------------------


def cohen_kappa(a: Any, b: Any, *, weights: str | None = None) -> float:
    """Cohen's kappa of two annotators over the items both labelled (missing = None/NaN).

    ``weights``: None (unweighted), "linear" or "quadratic" (categories must then be ordered
    numbers or sortable labels).
    """
    x, y = pd.Series(list(a), dtype=object), pd.Series(list(b), dtype=object)
    if len(x) != len(y):
        raise InputError(f"expected two label lists of equal length, got {len(x)} and {len(y)}")
    both = x.notna() & y.notna()
    x, y = x[both], y[both]
    if len(x) == 0:
        raise EstimationError("no item was labelled by both annotators")
    categories = sorted(set(x) | set(y), key=lambda v: (str(type(v)), v))
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    table = np.zeros((k, k))
    np.add.at(table, (x.map(index).to_numpy(int), y.map(index).to_numpy(int)), 1)
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    grid = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    if weights is None:
        w = (grid > 0).astype(float)
    elif weights in ("linear", "quadratic"):
        w = grid if weights == "linear" else grid**2
    else:
        raise InputError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    denominator = (w * expected).sum()
    if denominator == 0:
        raise EstimationError("kappa is undefined: both annotators used a single category")
    return float(1 - (w * table).sum() / denominator)


def _delta2(values: np.ndarray, totals: np.ndarray, level: Level) -> np.ndarray:
    """Squared difference function of Krippendorff's alpha between all pairs of values."""
    v, k = values[:, None], values[None, :]
    if level == "nominal":
        return (v != k).astype(float)
    if level == "interval":
        return (v - k) ** 2
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = ((v - k) / (v + k)) ** 2
        return np.nan_to_num(out)
    if level == "ordinal":
        cum = np.cumsum(totals)
        i, j = np.meshgrid(np.arange(len(values)), np.arange(len(values)), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cum[hi] - np.where(lo > 0, cum[lo - 1], 0) - (totals[i] + totals[j]) / 2
        return between**2
    raise InputError(f"level must be nominal, ordinal, interval or ratio, got {level!r}")


def krippendorff_alpha(data: Any, *, level: Level = "nominal") -> float:
    """Krippendorff's alpha of a (coders x units) table with missing values (NaN / None).

    Parameters
    ----------
    data : array-like or DataFrame
        One row per coder, one column per unit. Units coded by fewer than two coders are not
        pairable and are ignored. Values must be numbers for ordinal/interval/ratio levels.
    level : {"nominal", "ordinal", "interval", "ratio"}

    Examples
    --------
    >>> krippendorff_alpha([[1, 2, 3], [1, 2, 3]])
    1.0
    """
    table = pd.DataFrame(data)
    stacked = table.stack()
    long = pd.DataFrame(
        {"unit": stacked.index.get_level_values(1), "value": stacked.to_numpy()}
    ).dropna()
    counts = pd.crosstab(long["unit"], long["value"])  # units x values, n_uv
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.empty:
        raise EstimationError("alpha needs at least one unit coded by two or more coders")
    n_uv = counts.to_numpy(float)
    m_u = n_uv.sum(axis=1)
    values = counts.columns.to_numpy()
    # coincidence matrix o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)
    o = np.einsum("uc,uk->ck", n_uv / (m_u - 1)[:, None], n_uv)
    o -= np.diag((n_uv / (m_u - 1)[:, None]).sum(axis=0))
    totals = o.sum(axis=1)
    n = totals.sum()
    numeric = values.astype(float) if level != "nominal" else values
    d2 = _delta2(np.asarray(numeric), totals, level)
    expected = (np.outer(totals, totals) * d2).sum() / (n - 1)
    if expected == 0:
        raise EstimationError("alpha is undefined: all pairable values are identical")
    return float(1 - (o * d2).sum() / expected)


def agreement(labels: pd.DataFrame, *, level: Level = "nominal") -> pd.DataFrame:
    """Agreement of a labelled file: alpha over all annotators and kappa for each pair.

    ``labels`` has one column per annotator and one row per item (missing = NaN). Returns
    ``measure, annotators, value, n_items`` rows.
    """
    if labels.shape[1] < 2:
        raise InputError(f"expected at least two annotator columns, got {list(labels.columns)}")
    rows = [("krippendorff_alpha_" + level, "all", krippendorff_alpha(labels.T, level=level),
             int((labels.notna().sum(axis=1) >= 2).sum()))]  # fmt: skip
    names = list(labels.columns)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            pair = labels[[first, second]].dropna()
            kappa = cohen_kappa(pair[first], pair[second]) if len(pair) else np.nan
            rows.append(("cohen_kappa", f"{first}|{second}", kappa, len(pair)))
    return pd.DataFrame(rows, columns=["measure", "annotators", "value", "n_items"])
