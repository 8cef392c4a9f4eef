"""Disclosure control of published shares: small cells on both sides, and differencing.

A share of people can single someone out in three ways, and each is suppressed:

1. **Few people in all** (``n_effective`` below the cell's minimum ``k``): the denominator rule
   of :func:`barometer.privacy.suppress_small_cells`.
2. **Few people on one side** (:func:`small_sides`): an author-weighted share of hostile
   posts among 200 authors still points at the one or two authors behind it when only one or
   two of them posted anything hostile; and a share near 1 points at the few who did *not*.
   A share is suppressed when its numerator (authors with at least one flagged post) or its
   complement (authors with at least one post not flagged) counts fewer than ``k`` people.
   ``0`` counts as fewer: a share of exactly 0 or 1 says something about every author of the
   cell.
3. **Differencing** (:func:`suppress_differencing`): a published total minus its published
   parts (hostility toward all groups minus hostility toward each target group) must not rest
   on between 1 and ``k - 1`` people: the authors of a flagged post in an unpublished part, or
   in no part at all. While it would, the published part with the fewest people is suppressed
   too (secondary suppression).

Cells carry the people counts (``n_numerator``, ``n_complement``) and, for totals and their
parts, the set of flagged authors' pseudonyms (``flagged_authors``) from the aggregate step;
:data:`DISCLOSURE_COLUMNS` are dropped before anything is published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DISCLOSURE_COLUMNS = ("n_numerator", "n_complement", "flagged_authors")
_CELL = ["neighbourhood_id", "period_start"]


def small_sides(cells: pd.DataFrame, threshold: int) -> np.ndarray:
    """Cells whose numerator or complement counts fewer than ``threshold`` people (cells
    without those counts, e.g. survey means, are never flagged here)."""
    flagged = np.zeros(len(cells), dtype=bool)
    for column in ("n_numerator", "n_complement"):
        if column in cells.columns:
            counts = pd.to_numeric(cells[column], errors="coerce").to_numpy(dtype=float)
            flagged |= ~np.isnan(counts) & (counts < threshold)
    return flagged


def suppress_differencing(
    cells: pd.DataFrame, families: dict[str, list[str]], thresholds: dict[str, int]
) -> pd.DataFrame:
    """Secondary suppression: for each total -> parts family and each neighbourhood x month
    where the total is published, suppress published parts (fewest people first) until the
    people behind the total minus the published parts are 0 or at least ``k``."""
    if "flagged_authors" not in cells.columns:
        return cells
    out = cells.copy()
    for total, parts in families.items():
        family = out[out["indicator"].isin([total, *parts])]
        if family.empty:
            continue
        k = thresholds.get(total, 1)
        for _, group in family.groupby(_CELL, sort=False):
            head = group[(group["indicator"] == total) & ~group["suppressed"]]
            if head.empty:
                continue
            members = group[group["indicator"] != total]
            sets = {index: _authors(s) for index, s in members["flagged_authors"].items()}
            in_no_part = _authors(head["flagged_authors"].iloc[0]).difference(*sets.values())
            shown = sorted(
                (i for i in members.index if not out.loc[i, "suppressed"]),
                key=lambda i: len(sets[i]),
            )
            while shown:
                behind = in_no_part.union(*(sets[i] for i in sets if i not in shown))
                if len(behind) == 0 or len(behind) >= k:
                    break
                out.loc[shown.pop(0), "suppressed"] = True
    hidden = out["suppressed"].to_numpy(dtype=bool)
    for column in ("value", "lower", "upper"):
        out[column] = np.where(hidden, np.nan, out[column].to_numpy(dtype=float))
    return out


def _authors(value: object) -> frozenset[str]:
    return value if isinstance(value, frozenset) else frozenset()


def drop_disclosure_columns(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` without the columns that exist only for disclosure control."""
    return cells.drop(columns=[c for c in DISCLOSURE_COLUMNS if c in cells.columns])
