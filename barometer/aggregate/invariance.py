"""Measurement invariance of the survey's trust scale across origin groups.

Before trust is compared between residents born in Sweden and born abroad, the trust items
must measure the same thing in both groups. :func:`trust_scale_invariance` fits the one-factor
trust scale (:data:`TRUST_SCALE`) as a configural, metric and scalar multi-group CFA
(:func:`barometer.stats.invariance.measurement_invariance`) on every wave's respondents
together, unweighted (the usual practice: invariance is a property of the measurement, not a
population estimate). Published as the ``measurement_invariance`` table; comparisons of origin
groups' scale means are meaningful only where the ``scalar`` row ``holds``
(:func:`group_comparison_allowed`).
"""

from __future__ import annotations

import pandas as pd

from barometer.stats.invariance import INVARIANCE_COLUMNS, measurement_invariance

#: the trust scale: ESS generalised trust (ppltrst, pplfair, pplhlp) and trust in neighbours
TRUST_SCALE = {"social_trust": ["ppltrst", "pplfair", "pplhlp", "trust_neighbours"]}
ORIGIN = "born_abroad"
ORIGIN_LABELS: dict[object, str] = {False: "born_in_sweden", True: "born_abroad"}


def trust_scale_invariance(responses: pd.DataFrame) -> pd.DataFrame:
    """The ``measurement_invariance`` table (``groups, level, holds, cfi, rmsea, delta_cfi,
    n``) for the trust scale across origin groups; empty when a group has too few complete
    answers (no more than the number of items) or the columns are absent."""
    items = TRUST_SCALE["social_trust"]
    if responses.empty or any(c not in responses.columns for c in [*items, ORIGIN]):
        return pd.DataFrame(columns=INVARIANCE_COLUMNS)
    complete = responses.dropna(subset=[*items, ORIGIN])
    sizes = complete.groupby(ORIGIN).size()
    if len(sizes) < 2 or (sizes <= len(items)).any():
        return pd.DataFrame(columns=INVARIANCE_COLUMNS)
    data = complete.assign(**{ORIGIN: complete[ORIGIN].astype(bool)})
    table = measurement_invariance(data, TRUST_SCALE, ORIGIN, group_labels=ORIGIN_LABELS)
    return table[INVARIANCE_COLUMNS].astype({"holds": bool, "n": "int64"})


def group_comparison_allowed(invariance: pd.DataFrame | None) -> bool:
    """True when scalar invariance holds, so origin groups' scale means may be compared."""
    if invariance is None or invariance.empty:
        return False
    scalar = invariance[invariance["level"] == "scalar"]
    return bool(len(scalar) == 1 and scalar["holds"].iloc[0])
