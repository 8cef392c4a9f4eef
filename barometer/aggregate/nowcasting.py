"""Nowcast of survey trust between waves, as indicator cells plus its validation tables.

Wraps :mod:`barometer.stats.nowcast`: the model is fitted on the published (unsuppressed)
cells, its monthly survey-scale estimates become the ``nowcast_ppltrst`` indicator, and its
held-out predictions and cross-validated error are published so nobody has to take the
nowcast on trust.
"""

from __future__ import annotations

import pandas as pd

from barometer.aggregate.cells import CELL_COLUMNS
from barometer.exceptions import EstimationError
from barometer.stats.nowcast import fit_nowcast, nowcast


def nowcast_outputs(
    cells: pd.DataFrame, *, level: float
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(nowcast cells, {"nowcast_validation", "nowcast_summary"}); empty when the survey has
    too few waves to validate a nowcast (the summary then says why)."""
    try:
        model = fit_nowcast(cells, level=level)
    except EstimationError as exc:
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
