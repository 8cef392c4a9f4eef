"""What the planted effect of the sample municipality means on each published indicator.

``GROUND_TRUTH.json`` (``action.expected_effect``) gives the action's effect *in the generating
model*: for ``digital_negative_share`` the change in the generator's post-level probability
``P(negative | T)``, for ``observation_mixed_rate`` the change in ``100 * p_mixed(T)``, both
averaged over Fittja's post-start months. A published indicator measures something else:

- ``digital_negative_share`` is the *author-weighted* share of located, original posts that
  the *active sentiment scorer* labels negative, among the posts it scores (no Somali or
  ``und`` posts with the lexicons). Planted-neutral Swedish posts that the lexicon reads as
  negative, negative posts it misses, and the language mix of the scored posts all change
  the size of the effect.
- ``observation_mixed_rate`` pools interactions over a month's sessions, so its expected
  change is close to the model's, up to the ratio-estimator bias.

:func:`measured_effects` computes the effect on the measured indicator by simulation through
the active scorer (:mod:`barometer.impact.textbank`, :mod:`barometer.impact.simcity`): the
indicator with the action minus the same indicator without it, from the same random numbers,
over Fittja's post-start months, averaged over ``n_cities`` simulated municipalities, with its
Monte Carlo standard error. This is the truth the calibration study and the end-to-end test
judge the estimators against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from barometer.impact.calibration import realised_effect
from barometer.impact.simcity import OUTCOMES, CitySetting, simulate_city
from barometer.impact.textbank import sentiment_bank
from barometer.synthetic import municipality
from barometer.synthetic.truth import expected_effects


def model_effects() -> dict[str, float]:
    """The generator's expected effects in Fittja (as in ``GROUND_TRUTH.json``)."""
    trust = municipality.latent_trust()
    trust0 = municipality.latent_trust(with_action=False)
    margins = municipality.population_margins()
    out = expected_effects(trust, trust0, margins, str(municipality.ACTION["neighbourhood_id"]))
    return {k: float(v) for k, v in out.items() if isinstance(v, float | int)}


def measured_effects(
    lexicon_dir: Path,
    *,
    n_cities: int = 40,
    first_seed: int = 0,
    setting: CitySetting | None = None,
) -> dict[str, dict[str, Any]]:
    """Per outcome of :data:`~barometer.impact.simcity.OUTCOMES`: ``model_effect`` (the
    generator's), ``measured_effect`` (mean over simulated cities of the effect on the
    published indicator), ``mc_se``, ``n_cities`` and the ``scorer`` version."""
    bank = sentiment_bank(Path(lexicon_dir))
    draws: dict[str, list[float]] = {o: [] for o in OUTCOMES}
    for seed in range(first_seed, first_seed + n_cities):
        city = simulate_city(seed, bank, setting)
        for outcome in OUTCOMES:
            draws[outcome].append(
                realised_effect(city["with_action"], city["without_action"], outcome)
            )
    model = model_effects()
    return {
        outcome: {
            "model_effect": model[outcome],
            "measured_effect": float(np.mean(values)),
            "mc_se": float(np.std(values, ddof=1) / np.sqrt(len(values))),
            "n_cities": n_cities,
            "scorer": bank.scorer,
        }
        for outcome, values in draws.items()
    }
