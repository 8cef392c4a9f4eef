"""Nowcast of survey trust between waves, as indicator cells plus its validation tables.

Wraps :mod:`barometer.stats.nowcast`: the model is fitted on the published (unsuppressed)
cells, its monthly survey-scale estimates become the ``nowcast_ppltrst`` indicator, and its
held-out predictions and cross-validated error are published so nobody has to take the
nowcast on trust.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barometer.aggregate.cells import CELL_COLUMNS
from barometer.exceptions import EstimationError
from barometer.stats.nowcast import DEFAULT_PREDICTORS, fit_nowcast, nowcast


def nowcast_outputs(
    cells: pd.DataFrame, *, level: float
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(nowcast cells, {"nowcast_validation", "nowcast_summary"}); empty when the survey has
    too few waves to validate a nowcast, or no predictor is published at all (the summary then
    says why). Predictors with no published cell (all suppressed, or a source not configured)
    are left out of the model."""
    values = cells.dropna(subset=["value"])
    predictors = [p for p in DEFAULT_PREDICTORS if (values["indicator"] == p).any()]
    try:
        if not predictors:
            raise EstimationError(f"none of the predictors {list(DEFAULT_PREDICTORS)} is published")
        model = fit_nowcast(cells, predictors=predictors, level=level)
    except (EstimationError, np.linalg.LinAlgError, ValueError) as exc:
        summary = pd.DataFrame(
            [{"rmse": None, "mae": None, "r2": None, "coverage": None,
              "baseline_rmse": None, "n_waves": 0, "method": f"not fitted: {exc}"}]
        )  # fmt: skip
        return pd.DataFrame(columns=CELL_COLUMNS), {"nowcast_summary": summary}
    estimates = nowcast(cells, model)
    validation = model.predictions[
        ["neighbourhood_id", "period_start", "observed", "predicted", "lower", "upper"]
    ]
    cv = model.cv
    summary = pd.DataFrame(
        [
            {
                "rmse": cv["rmse"],
                "mae": cv["mae"],
                "r2": cv["r2"],
                "coverage": cv["coverage"],
                "baseline_rmse": cv["baseline_rmse"],
                "n_waves": cv["n_waves"],
                "method": model.method,
            }
        ]
    )
    return estimates[CELL_COLUMNS], {"nowcast_validation": validation, "nowcast_summary": summary}
