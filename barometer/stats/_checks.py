"""Checks shared by the design-based estimators of :mod:`barometer.stats.survey` and
:mod:`barometer.stats.design`, and the columns of their result frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError

RESULT_COLUMNS = [
    "variable",
    "category",
    "value",
    "se",
    "lower",
    "upper",
    "df",
    "n",
    "n_effective",
    "method",
]


def require_columns(df: pd.DataFrame, columns: Sequence[str | None]) -> None:
    """Raise :class:`EstimationError` naming the columns (``None`` skipped) that are absent."""
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise EstimationError(
            f"expected columns {missing} in the data frame; found {list(df.columns)}"
        )


def positive_weights(df: pd.DataFrame, weight: str) -> np.ndarray:
    """The ``weight`` column as floats, checked to be numeric, finite and positive."""
    if not pd.api.types.is_numeric_dtype(df[weight]):
        raise EstimationError(f"weight column '{weight}' must be numeric; got {df[weight].dtype}")
    w = df[weight].to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        first = df.index[int(np.flatnonzero(bad)[0])]
        raise EstimationError(
            f"weight column '{weight}' must hold finite positive numbers; "
            f"row {first!r} has {w[bad][0]}"
        )
    return w
