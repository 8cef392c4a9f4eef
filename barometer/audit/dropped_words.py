"""Benign text a vocabulary model barely reads: flag rates binned by the share of words it drops.

A model trained with ``min_word_df`` and ``rare_words = "drop_always"`` (hostility 2026.4) reads
only the words found in at least ``min_word_df`` training texts. In a language with few training
texts and a rich morphology (Arabic), most words of a short everyday post are dropped, and the
one or two words left (a function word such as "كل", "all") can carry the weight the corpus's
hostile generalisations gave them: "مكان جميل في الحي وفيه محبة وتعاون" reads "مكان في" and is
flagged. A suite's pass rate pools such cases with well-read ones, so this module bins benign
cases by their dropped share (:meth:`~barometer.nlp.classifiers.TextClassifier.dropped_word_share`,
0-1) and reports the flag rate per language and bin, with Wilson intervals.

Benign = every case whose label is not the flagged class (neutral and positive mentions,
negated hate, counter-speech, untargeted profanity, insults of non-protected targets). The
audit's counterfactual sentences are all neutral or positive and count as benign.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from barometer.audit.functional import SUITE_COLUMNS, run_suite

#: Bin edges of the dropped share; the last bin is closed ([0.75, 1.00]).
DROPPED_SHARE_EDGES: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
#: A text of which at least this share of words is dropped counts as "barely read".
HIGH_DROPPED_SHARE = 0.5


def dropped_share_bins(
    shares: np.ndarray, edges: tuple[float, ...] = DROPPED_SHARE_EDGES
) -> np.ndarray:
    """The bin label of each share, ``"[0.25, 0.50)"`` style (the last bin closed; ``"no words"``
    for NaN).

    Examples
    --------
    >>> dropped_share_bins(np.array([0.0, 0.5, 1.0, np.nan])).tolist()
    ['[0.00, 0.25)', '[0.50, 0.75)', '[0.75, 1.00]', 'no words']
    """
    labels = [
        f"[{lo:.2f}, {hi:.2f}" + ("]" if i == len(edges) - 2 else ")")
        for i, (lo, hi) in enumerate(itertools.pairwise(edges))
    ]
    index = np.clip(np.searchsorted(edges, shares, side="right") - 1, 0, len(labels) - 1)
    out = np.asarray(labels, dtype=object)[index]
    out[np.isnan(shares)] = "no words"
    return out


def with_dropped_share(
    model: Any, suite: pd.DataFrame, *, positive: str = "hostile"
) -> pd.DataFrame:
    """:func:`~barometer.audit.functional.run_suite` of ``suite`` plus ``dropped_share`` (0-1)
    and its bin ``dropped_bin``."""
    results = run_suite(model, suite, positive=positive)
    shares = model.dropped_word_share(suite["text"].tolist(), suite["lang"].tolist())
    return results.assign(dropped_share=shares, dropped_bin=dropped_share_bins(shares))


def sentences_as_cases(sentences: pd.DataFrame) -> pd.DataFrame:
    """The audit's counterfactual sentences (``lang, group_type, group, template_id, text``) as
    benign suite cases (``neutral_mention``), to run through :func:`with_dropped_share`."""
    ids = sentences["template_id"].astype(str) + ":" + sentences["group"].astype(str)
    cases = pd.DataFrame(
        {"case_id": ids, "lang": sentences["lang"], "functionality": "neutral_mention",
         "label": "not_hostile", "target": sentences["group_type"], "text": sentences["text"]}
    )  # fmt: skip
    return cases[list(SUITE_COLUMNS)].reset_index(drop=True)


def _benign_scored(results: pd.DataFrame, positive: str) -> pd.DataFrame:
    benign = results[(results["label"] != positive) & results["scored"].astype(bool)]
    return benign.assign(flagged=(benign["predicted"] == positive).to_numpy())


def _rate_row(flagged: pd.Series, level: float) -> dict[str, float]:
    n, k = len(flagged), int(flagged.sum())
    if n == 0:
        return {"n": 0, "flagged": 0, "flag_rate": np.nan, "lower": np.nan, "upper": np.nan}
    lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    return {"n": n, "flagged": k, "flag_rate": k / n, "lower": float(lo), "upper": float(hi)}


def benign_flags_by_dropped_share(
    results: pd.DataFrame, *, positive: str = "hostile", level: float = 0.95
) -> pd.DataFrame:
    """Flag rate of the scored benign cases of :func:`with_dropped_share` per language and
    dropped-share bin: ``lang, dropped_bin, n, flagged, flag_rate, lower, upper`` (Wilson
    interval at ``level``)."""
    benign = _benign_scored(results, positive)
    rows = [
        {"lang": lang, "dropped_bin": bin_, **_rate_row(part["flagged"], level)}
        for (lang, bin_), part in benign.groupby(["lang", "dropped_bin"], sort=True)
    ]
    return pd.DataFrame(
        rows, columns=["lang", "dropped_bin", "n", "flagged", "flag_rate", "lower", "upper"]
    )


def high_dropped_flag_rates(
    results: pd.DataFrame,
    *,
    threshold: float = HIGH_DROPPED_SHARE,
    positive: str = "hostile",
    level: float = 0.95,
) -> pd.DataFrame:
    """Per language, the flag rate of the scored benign cases with ``dropped_share >=
    threshold``: ``lang, n, flagged, flag_rate, lower, upper``."""
    benign = _benign_scored(results, positive)
    high = benign[benign["dropped_share"].to_numpy(dtype=float) >= threshold]
    rows = [
        {"lang": lang, **_rate_row(part["flagged"], level)}
        for lang, part in high.groupby("lang", sort=True)
    ]
    return pd.DataFrame(rows, columns=["lang", "n", "flagged", "flag_rate", "lower", "upper"])
