"""Difference-in-differences on a link scale, reported on the indicator's own scale.

When an outcome is a share (or a rate per 100) driven by a latent level through a logistic
curve, as the mixed-interaction rate and the negative-post share are, parallel trends can hold
on the logit scale and fail on the share's scale: the same change in the latent level moves a
share near 0.5 more than one near 0.2, so a common season or trend looks like an effect. Here
the collapsed DiD (:func:`~barometer.impact.did.twfe_did`, unit-level pooled t) is estimated on
``logit(value / scale)`` (or ``log(value)``), giving ``beta`` on the link scale, and reported as
the average effect on the treated in the indicator's unit::

    effect(beta) = scale * mean_{treated, post} [ p_it - g^-1( g(p_it) - beta ) ]

(the observed treated post-period values minus their counterfactual without the action); the
interval maps the link-scale interval's endpoints through the same increasing function.
Values are clipped to ``[clip, 1 - clip]`` of the scale before the logit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from barometer.exceptions import EstimationError
from barometer.impact.did import COLUMNS, twfe_did
from barometer.impact.panel import PERIOD, UNIT, VALUE, check_panel


def link_did(
    panel: pd.DataFrame,
    treated_units: Iterable[str],
    start: Any,
    *,
    link: Literal["logit", "log"] = "logit",
    scale: float = 1.0,
    clip: float = 0.005,
    level: float = 0.95,
) -> pd.DataFrame:
    """Collapsed DiD on the ``link`` scale, effect and interval on the indicator's scale.

    Parameters
    ----------
    link
        ``"logit"`` for shares/rates bounded by ``scale`` (1 for a proportion, 100 for "per
        100"), ``"log"`` for positive rates or counts.
    scale
        Upper bound of the indicator (``logit`` only).

    Returns
    -------
    DataFrame
        One row with the columns of :func:`~barometer.impact.did.twfe_did`, ``inference``
        ``"collapsed, <link> scale"``.
    """
    check_panel(panel)
    treated = sorted({str(u) for u in treated_units})
    values = panel[VALUE].to_numpy(float)
    if link == "logit":
        p = np.clip(values / scale, clip, 1 - clip)
        z = logit(p)

        def back(b: float) -> float:
            return float(scale * np.mean(p_post - expit(logit(p_post) - b)))
    elif link == "log":
        if np.nanmin(values) <= 0:
            raise EstimationError("link='log' needs positive values")
        z = np.log(values)

        def back(b: float) -> float:
            return float(np.mean(y_post - y_post * np.exp(-b)))
    else:
        raise EstimationError(f"link must be 'logit' or 'log'; got {link!r}")
    transformed = panel.assign(**{VALUE: z})
    row = twfe_did(transformed, treated, start, n_boot=0, level=level).iloc[-1]
    post = panel[UNIT].astype(str).isin(treated) & (panel[PERIOD] >= pd.Timestamp(start))
    y_post = values[post.to_numpy()]
    p_post = np.clip(y_post / scale, clip, 1 - clip)
    out = {c: row[c] for c in COLUMNS}
    out.update(
        {
            "inference": f"collapsed, {link} scale",
            "estimate": back(float(row["estimate"])),
            "se": np.nan,
            "lower": back(float(row["lower"])),
            "upper": back(float(row["upper"])),
            "note": f"collapsed DiD on the {link} scale (beta = {row['estimate']:.4g}, "
            f"t interval {row['lower']:.4g} to {row['upper']:.4g}), mapped to the "
            "indicator's scale over the treated post-start cells",
        }
    )
    return pd.DataFrame([out], columns=COLUMNS)
