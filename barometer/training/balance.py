"""Sample weights that give every language (and corpus) the same class shares.

The corpora a multilingual model learns from differ in their base rates for reasons that have
nothing to do with the language: MLMA's Arabic tweets were collected by hateful keywords (about
half are hostile toward a group), Davidson et al.'s English ones by a slur lexicon (6 %), the
Swedish ABSAbank paragraphs are mostly not hostile at all. Any feature that identifies a
language or a corpus (a script, function words, a platform's conventions) then learns that base
rate, and posts in that language are flagged by how they are written rather than by what they
say. Dropping the one-hot language block removes the explicit intercept, but not these proxies.

:func:`prior_weights` removes them: within every group (``lang`` x ``source`` by default) the
positive rows get total weight ``prior * n`` and the others ``(1 - prior) * n`` (``n`` the group's
rows, times their incoming weights), so every group has the same weighted positive share and no
group-identifying feature carries information about the label. A group with one class only (a
corpus of non-hostile texts) cannot be balanced on its own: it is pooled with the group named
``pool_source`` of its language (the augmentation templates, which have both classes) before
balancing. One-class groups with nothing to pool with keep their weights and are reported.

Probabilities of a model trained with these weights are calibrated to a world where every
language has the positive share ``prior``; the training card says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def prior_weights(
    frame: pd.DataFrame,
    *,
    positive: str,
    prior: float,
    by: Sequence[str] = ("lang", "source"),
    pool_source: str = "augment",
    weight: str | None = "weight",
    max_pooled: float | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Weights (mean 1) giving every group of ``by`` the positive share ``prior``.

    Parameters
    ----------
    frame : DataFrame
        Training rows with ``label``, the ``by`` columns and (optionally) incoming weights.
    positive : str
        The positive label (e.g. ``"hostile"``); every other label is negative.
    prior : float
        Target weighted share of positives in each group, in (0, 1).
    by : sequence of str
        Grouping columns; ``"lang"`` must be one of them for pooling.
    pool_source : str
        ``source`` of the rows one-class groups are pooled with (per language).
    weight : str or None
        Column of incoming weights (e.g. swap copies sharing one text's weight); None: 1 each.
    max_pooled : float, optional
        Cap on the total incoming weight of one one-class group pooled into its language's
        ``pool_source`` group (its rows are scaled down): a corpus of 26,000 non-hostile tweets
        would otherwise give the few hundred template rows it is pooled with a weight of 30
        each.

    Returns
    -------
    weights : ndarray of float64
        One weight per row, mean 1.
    unbalanced : list of str
        Groups (``"lang:source"``) left unbalanced: one class and nothing to pool with.

    Examples
    --------
    >>> df = pd.DataFrame({"label": ["h", "n", "n", "n", "n", "n"], "lang": ["en"] * 3 + ["sv"] * 3,
    ...                    "source": ["a"] * 3 + ["b"] * 3})
    >>> w, left = prior_weights(df, positive="h", prior=0.5, weight=None)
    >>> w.round(2).tolist(), left
    ([1.5, 0.75, 0.75, 1.0, 1.0, 1.0], ['sv:b'])
    """
    if not 0 < prior < 1:
        raise ValueError(f"prior must lie in (0, 1), got {prior}")
    base = (
        frame[weight].to_numpy(dtype=np.float64, copy=True) if weight and weight in frame.columns
        else np.ones(len(frame))
    )  # fmt: skip
    if not len(frame):
        return base, []
    is_pos = (frame["label"].astype(str) == positive).to_numpy()
    keys = frame[list(by)].astype(str).agg(":".join, axis=1).to_numpy(dtype=object)
    if "lang" in by and "source" in by:
        keys = _pooled_keys(frame, keys, is_pos, base, pool_source, max_pooled)
    out = base.copy()
    unbalanced = []
    for key, members in pd.Series(range(len(keys))).groupby(keys).indices.items():
        idx = np.asarray(members, dtype=np.int64)
        pos, w = is_pos[idx], base[idx]
        total, w_pos, w_neg = w.sum(), w[pos].sum(), w[~pos].sum()
        if w_pos == 0 or w_neg == 0:
            unbalanced.append(str(key))
            continue
        out[idx[pos]] = w[pos] * prior * total / w_pos
        out[idx[~pos]] = w[~pos] * (1 - prior) * total / w_neg
    return out / out.mean(), sorted(unbalanced)


def _pooled_keys(
    frame: pd.DataFrame,
    keys: np.ndarray,
    is_pos: np.ndarray,
    base: np.ndarray,
    pool_source: str,
    max_pooled: float | None,
) -> np.ndarray:
    """Group keys with every one-class ``lang:source`` group moved into its language's
    ``pool_source`` group (where that has both classes); ``base`` weights of a pooled group
    above ``max_pooled`` in total are scaled down in place."""
    has_both = {
        key: bool(is_pos[idx].any() and (~is_pos[idx]).any())
        for key, idx in pd.Series(range(len(keys))).groupby(keys).indices.items()
    }
    pools = {str(k).split(":")[0] for k, ok in has_both.items()
             if ok and str(k).endswith(f":{pool_source}")}  # fmt: skip
    lang = frame["lang"].astype(str).to_numpy()
    pooled = np.array(
        [not has_both[key] and lang[i] in pools for i, key in enumerate(keys)], dtype=bool
    )
    if max_pooled is not None and pooled.any():
        for key in set(keys[pooled]):
            idx = np.flatnonzero(keys == key)
            total = base[idx].sum()
            if total > max_pooled:
                base[idx] = base[idx] * (max_pooled / total)
    keys = keys.copy()
    keys[pooled] = [f"{lang[i]}:{pool_source}" for i in np.flatnonzero(pooled)]
    return keys
