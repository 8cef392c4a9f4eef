"""Expected effects of the planted action on each published indicator, by expectation.

Every number is computed analytically from the generating model (no simulation noise): the
mean over the post-action months (or survey waves) of the indicator's expected value with the
action minus its expected value without it, in the indicator's own units.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from barometer.indicators import (
    DIGITAL_NEGATIVE,
    OBSERVATION_MIXED,
    SENSING_FOOTFALL,
    SURVEY_TRUST,
)
from barometer.synthetic import observation, sensing, social, survey
from barometer.synthetic._common import as_float
from barometer.synthetic.municipality import ACTION


def _post_months(trust: pd.DataFrame) -> list[str]:
    start = ACTION["start"][:7]
    return [m for m in trust.columns if m >= start]


def expected_rounded_clipped(mean: float, sd: float, lo: int = 0, hi: int = 10) -> float:
    """E[clip(round(X), lo, hi)] for X ~ N(mean, sd), in answer-scale points."""
    edges = np.arange(lo, hi + 1) + 0.5  # value v is taken on (v - 0.5, v + 0.5]
    cdf = norm.cdf((edges - mean) / sd)
    probs = np.diff(np.concatenate([[0.0], cdf[:-1], [1.0]]))
    return float(np.dot(np.arange(lo, hi + 1), probs))


def _survey_mean(t: float, margins: pd.DataFrame, nbh: str) -> float:
    cells = margins[margins["neighbourhood_id"] == nbh]
    share = (cells["population"] / cells["population"].sum()).to_numpy()
    eff = cells["age_group"].map(survey.PARAMS["age_effect"]).to_numpy()
    centred = eff - float(np.dot(share, eff))
    sd = float(
        np.sqrt(
            survey.PARAMS["sd_respondent"] ** 2
            + survey.PARAMS["sd_psu"] ** 2
            + survey.PARAMS["sd_item"] ** 2
        )
    )
    return float(
        sum(s * expected_rounded_clipped(t + a, sd) for s, a in zip(share, centred, strict=True))
    )


def expected_effects(
    trust: pd.DataFrame, trust0: pd.DataFrame, margins: pd.DataFrame, nbh: str
) -> dict[str, Any]:
    """Expected effect (with minus without the action) in ``nbh`` on each indicator.

    Keys: ``survey_ppltrst_mean`` (0-10 points, population mean over the post-action waves),
    ``digital_negative_share`` (proportion 0-1 of organic posts that are negative),
    ``observation_mixed_rate`` (mixed interactions per 100 interactions),
    ``sensing_footfall_index`` (footfall relative to the sensor's own no-action mean; ratio
    difference), ``sensing_footfall_ratio`` (relative change, with / without - 1).
    """
    pm = _post_months(trust)
    t1, t0 = trust.loc[nbh, pm].to_numpy(float), trust0.loc[nbh, pm].to_numpy(float)
    waves = [m for _, m in survey.WAVES if m in pm]
    survey_eff = (
        np.mean(
            [
                _survey_mean(as_float(trust.at[nbh, m]), margins, nbh)
                - _survey_mean(as_float(trust0.at[nbh, m]), margins, nbh)
                for m in waves
            ]
        )
        if waves
        else 0.0
    )
    neg = social.sentiment_probabilities
    centre = as_float(trust0.loc[nbh].mean())
    k = sensing.TRUST_ELASTICITY
    return {
        SURVEY_TRUST: round(float(survey_eff), 4),
        DIGITAL_NEGATIVE: round(float(np.mean(neg(t1)[:, 0] - neg(t0)[:, 0])), 4),
        OBSERVATION_MIXED: round(
            float(100 * np.mean(observation.p_mixed(t1) - observation.p_mixed(t0))), 4
        ),
        SENSING_FOOTFALL: round(
            float(np.mean(np.exp(k * (t1 - centre)) - np.exp(k * (t0 - centre)))), 4
        ),
        "sensing_footfall_ratio": round(float(np.mean(np.exp(k * (t1 - t0)) - 1)), 4),
        "post_months": [pm[0], pm[-1]] if pm else [],
        "post_survey_waves": waves,
    }
