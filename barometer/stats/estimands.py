"""What a design-based estimate is made of, shared by the linearised and replicate designs.

A mean, total or ratio is a ratio of two weighted totals, ``sum w num / sum w den`` (a total
has no denominator), computed per *column*: one column per variable, factor level and domain.
Rows outside a column's domain, or with a missing value, have ``num = den = 0`` there, so the
full design is kept (as R's ``svyby`` / ``na.rm=TRUE``). This module builds those columns and
the tidy result frames; the designs supply the variances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats._checks import RESULT_COLUMNS, require_columns


@dataclass(frozen=True)
class Columns:
    """Estimands as columns: labels (domain columns, ``variable``, ``category``) and data."""

    labels: pd.DataFrame  # one row per column
    num: np.ndarray  # (n, k) numerator values, 0 where not used
    den: np.ndarray | None  # (n, k) denominator values, None for totals
    used: np.ndarray  # (n, k) rows that enter each column


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    """A column name or a sequence of them as a list (``None`` -> ``[]``)."""
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def domain_codes(data: pd.DataFrame, domain: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Per row the domain code (-1 where a domain column is missing) and the domain labels."""
    if not domain:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=[0])
    require_columns(data, domain)
    grouped = data.groupby(domain, sort=True, dropna=True)
    codes = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
    labels = grouped.size().index.to_frame(index=False)
    return np.where(np.isnan(codes), -1, codes).astype(np.int64), labels


def outcome_levels(data: pd.DataFrame, y: str) -> list[tuple[str | None, np.ndarray]]:
    """``[(category, values)]``: one numeric vector, or one 0/1 dummy per level of a factor."""
    column = data[y]
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return [(None, column.to_numpy(dtype=float, na_value=np.nan))]
    codes, levels = pd.factorize(column, sort=True)
    missing = codes < 0
    return [(str(lvl), np.where(missing, np.nan, codes == k)) for k, lvl in enumerate(levels)]


def build_columns(
    data: pd.DataFrame,
    y: str | Sequence[str],
    domain: list[str],
    kind: str,
    x: str | None = None,
) -> Columns:
    """The columns of ``kind`` ``"mean"``, ``"total"`` or ``"ratio"`` (numerator ``y``,
    denominator ``x``) for every variable, factor level and domain."""
    ys = as_list(y)
    if not ys:
        raise EstimationError("expected at least one outcome variable; got none")
    require_columns(data, [*ys, x])
    dom, labels = domain_codes(data, domain)
    n_dom = len(labels)
    xv = None
    if x is not None:
        if not pd.api.types.is_numeric_dtype(data[x]):
            raise EstimationError(f"ratio denominator '{x}' must be numeric; got {data[x].dtype}")
        xv = data[x].to_numpy(dtype=float, na_value=np.nan)
    nums, dens, used, rows = [], [], [], []
    for name in ys:
        for category, values in outcome_levels(data, name):
            if xv is not None and category is not None:
                raise EstimationError(
                    f"ratio numerator '{name}' must be numeric; got {data[name].dtype}"
                )
            ok = ~np.isnan(values) if xv is None else ~np.isnan(values) & ~np.isnan(xv)
            for d in range(n_dom):
                inside = ok & (dom == d)
                used.append(inside)
                nums.append(np.where(inside, values, 0.0))
                if kind == "mean":
                    dens.append(inside.astype(float))
                elif kind == "ratio":
                    dens.append(np.where(inside, xv, 0.0))  # type: ignore[arg-type]
                label = labels.iloc[d].to_dict() if domain else {}
                label["variable"] = name if xv is None else f"{name}/{x}"
                label["category"] = category
                rows.append(label)
    return Columns(
        labels=pd.DataFrame(rows, columns=[*domain, "variable", "category"]),
        num=np.column_stack(nums),
        den=np.column_stack(dens) if dens else None,
        used=np.column_stack(used),
    )


def ratio_values(columns: Columns, weights: np.ndarray) -> np.ndarray:
    """Point estimates of every column for one weight vector (NaN for an empty column)."""
    numerator = weights @ columns.num
    if columns.den is None:
        return np.where(columns.used.any(axis=0), numerator, np.nan)
    denominator = weights @ columns.den
    return np.divide(
        numerator, denominator, out=np.full(numerator.shape, np.nan), where=denominator != 0
    )


def check_denominators(columns: Columns, weights: np.ndarray, x: str | None) -> None:
    """Raise when a used column's weighted denominator is zero (a ratio's undefined)."""
    if columns.den is None:
        return
    zero = (weights @ columns.den == 0) & columns.used.any(axis=0)
    if zero.any():
        raise EstimationError(
            f"the weighted sum of '{x}' is zero in a domain; expected a non-zero ratio denominator"
            if x is not None
            else "a domain has zero total weight"
        )


def influence_values(columns: Columns, weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Linearisation (influence) values ``z`` (n x k) of every column's estimate."""
    wz = weights[:, None] * columns.num
    if columns.den is None:
        return wz
    denominator = weights @ columns.den
    safe_value = np.nan_to_num(values)
    safe_den = np.where(denominator == 0, 1.0, denominator)
    return weights[:, None] * (columns.num - safe_value * columns.den) / safe_den


def critical_value(level: float, df: float) -> float:
    """Two-sided critical value: Student t on ``df`` degrees of freedom (normal if inf)."""
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    if df <= 0:
        raise EstimationError(
            f"the design has {df:g} degrees of freedom (#PSUs - #strata); expected >= 1"
        )
    q = 0.5 + level / 2.0
    return float(stats.norm.ppf(q) if np.isinf(df) else stats.t.ppf(q, df))


def result_frame(
    labels: pd.DataFrame,
    values: np.ndarray,
    se: np.ndarray,
    df: float,
    level: float,
    used: np.ndarray,
    weights: np.ndarray,
    method: str,
) -> pd.DataFrame:
    """The tidy frame: domain columns, then :data:`RESULT_COLUMNS`."""
    crit = critical_value(level, df)
    n = used.sum(axis=0)
    sw = weights @ used
    sw2 = (weights**2) @ used
    se = np.where(n > 0, se, np.nan)
    out = labels.copy()
    out["value"] = values
    out["se"] = se
    out["lower"] = values - crit * se
    out["upper"] = values + crit * se
    out["df"] = df
    out["n"] = n
    out["n_effective"] = np.divide(sw**2, sw2, out=np.zeros(len(n)), where=sw2 > 0)
    out["method"] = method
    domain = [c for c in labels.columns if c not in ("variable", "category")]
    return out[[*domain, *RESULT_COLUMNS]].reset_index(drop=True)
