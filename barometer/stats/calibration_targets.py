"""Model matrices and population totals for calibration: post-strata, raking margins and
formulas (R: ``postStratify``, ``rake``, ``calibrate(formula, population)``).

Impossible targets raise :class:`EstimationError` naming the margin and category: a category
with population > 0 but no respondents, respondents in a category without population,
negative or missing totals, or margins whose grand totals disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import patsy

from barometer.exceptions import EstimationError

MarginSpec = pd.Series | pd.DataFrame | Mapping[object, float]


def _check_totals(totals: np.ndarray, labels: Sequence[object], what: str) -> None:
    bad = ~np.isfinite(totals) | (totals < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise EstimationError(
            f"{what}: population of category {labels[k]!r} must be a finite number >= 0; "
            f"got {totals[k]}"
        )


def align(sample_keys: pd.Series, targets: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each respondent into ``targets`` (index = category) and the target vector."""
    if sample_keys.isna().any():
        row = sample_keys.index[int(np.flatnonzero(sample_keys.isna().to_numpy())[0])]
        raise EstimationError(f"{what}: row {row!r} has no category; fill or drop it first")
    if targets.index.has_duplicates:
        dup = targets.index[targets.index.duplicated()][0]
        raise EstimationError(f"{what}: category {dup!r} is listed more than once")
    values = targets.to_numpy(dtype=float, na_value=np.nan)
    _check_totals(values, list(targets.index), what)
    codes = targets.index.get_indexer(pd.Index(sample_keys))
    if (codes < 0).any():
        row = sample_keys.index[int(np.flatnonzero(codes < 0)[0])]
        raise EstimationError(
            f"{what}: respondents in category {sample_keys.loc[row]!r} (row {row!r}) have no "
            f"population total; expected one of {list(targets.index)}"
        )
    count = np.bincount(codes, minlength=len(targets))
    empty = (count == 0) & (values > 0)
    if empty.any():
        k = int(np.flatnonzero(empty)[0])
        raise EstimationError(
            f"{what}: category {targets.index[k]!r} has population {values[k]:g} but no "
            "respondents; merge it with a neighbouring category"
        )
    zero = (count > 0) & (values == 0)
    if zero.any():
        k = int(np.flatnonzero(zero)[0])
        raise EstimationError(
            f"{what}: category {targets.index[k]!r} has respondents but a population of 0; "
            "check the population table or drop those respondents"
        )
    return codes, values


def _dummies(codes: np.ndarray, n_levels: int) -> np.ndarray:
    out = np.zeros((len(codes), n_levels))
    out[np.arange(len(codes)), codes] = 1.0
    return out


def cell_keys(data: pd.DataFrame, cells: list[str]) -> pd.Series:
    """One tuple per respondent of its ``cells`` values (NaN where one is missing)."""
    keys = pd.Series(list(zip(*(data[c] for c in cells), strict=True)), index=data.index)
    if data[cells].isna().any(axis=None):
        keys[data[cells].isna().any(axis=1)] = np.nan
    return keys


def poststrat_targets(
    data: pd.DataFrame, cells: list[str], population: pd.DataFrame | pd.Series | Mapping
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Cell indicators (n x cells with respondents), their population counts and labels.

    ``population``: a frame with the ``cells`` columns and ``"population"`` (or ``"Freq"``)
    per cell, or (one cell column) a Series / mapping category -> count.
    """
    missing = [c for c in cells if c not in data.columns]
    if not cells or missing:
        raise EstimationError(f"expected post-stratification columns {cells}; missing {missing}")
    if isinstance(population, pd.DataFrame):
        count = "Freq" if "Freq" in population.columns else "population"
        absent = [c for c in [*cells, count] if c not in population.columns]
        if absent:
            raise EstimationError(
                f"the population table needs columns {[*cells, 'population']}; missing {absent}"
            )
        index = pd.Index(list(zip(*(population[c] for c in cells), strict=True)))
        targets = pd.Series(population[count].to_numpy(), index=index)
    else:
        if len(cells) != 1:
            raise EstimationError("give a population frame for more than one cell column")
        series = population if isinstance(population, pd.Series) else pd.Series(dict(population))
        targets = pd.Series(series.to_numpy(), index=pd.Index([(k,) for k in series.index]))
    codes, values = align(cell_keys(data, cells), targets, f"cells {cells}")
    present = np.bincount(codes, minlength=len(values)) > 0
    remap = np.cumsum(present) - 1
    return _dummies(remap[codes], int(present.sum())), values[present], targets.index[present]


def margin_series(name: str, spec: MarginSpec) -> pd.Series:
    """One raking margin as a Series category -> population."""
    if isinstance(spec, pd.DataFrame):
        if name in spec.columns and "population" in spec.columns:
            return pd.Series(spec["population"].to_numpy(), index=pd.Index(spec[name]))
        if name in spec.columns and "Freq" in spec.columns:
            return pd.Series(spec["Freq"].to_numpy(), index=pd.Index(spec[name]))
        if spec.shape[1] == 1:
            return spec.iloc[:, 0]
        raise EstimationError(
            f"margin '{name}': expected a frame with columns ['{name}', 'population'] (or a "
            f"Series category -> total); got columns {list(spec.columns)}"
        )
    if isinstance(spec, pd.Series):
        return spec
    return pd.Series(dict(spec))


def margin_targets(
    data: pd.DataFrame, margins: Mapping[str, MarginSpec], total_tol: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, list[str], list[tuple[str, pd.Index, np.ndarray, np.ndarray]]]:
    """A full-rank model matrix of one-way margins, its totals, their labels
    (``"margin=category"``), and per margin ``(name, categories, respondent codes, targets)``
    for diagnostics."""
    if not margins:
        raise EstimationError("expected at least one margin to rake to; got none")
    parsed = []
    for name, spec in margins.items():
        if name not in data.columns:
            raise EstimationError(
                f"margin '{name}' is not a column of the sample; found {list(data.columns)}"
            )
        targets = margin_series(name, spec)
        codes, values = align(data[name], targets, f"margin '{name}'")
        parsed.append((name, targets.index, codes, values))
    grand = [float(v.sum()) for *_, v in parsed]
    if max(grand) - min(grand) > total_tol * max(grand):
        raise EstimationError(
            "margins must describe the same population; their totals differ: "
            + ", ".join(f"'{p[0]}' {g:g}" for p, g in zip(parsed, grand, strict=True))
        )
    blocks, totals, names = [], [], []
    for k, (name, index, codes, values) in enumerate(parsed):
        present = np.flatnonzero(np.bincount(codes, minlength=len(values)) > 0)
        dummies = _dummies(codes, len(values))[:, present]
        keep = slice(None) if k == 0 else slice(1, None)  # drop one level: full rank
        blocks.append(dummies[:, keep])
        totals.append(values[present][keep])
        names += [f"{name}={index[j]}" for j in present[keep]]
    return np.column_stack(blocks), np.concatenate(totals), names, parsed


def formula_targets(
    data: pd.DataFrame, formula: str, population: Mapping[str, float] | Sequence[float]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Model matrix of a one-sided formula (``"~ api99"``, ``"~ stype + sch_wide"``; patsy,
    treatment coding with an intercept unless ``- 1``) and the totals in its column order.

    ``population`` maps column names to totals (patsy names such as ``"stype[T.H]"``, or R's
    ``"stypeH"``), or lists them in column order.
    """
    rhs = formula if formula.strip().startswith("~") else f"~ {formula}"
    try:
        matrix = patsy.dmatrix(rhs, data, return_type="dataframe", NA_action="raise")
    except patsy.PatsyError as exc:
        raise EstimationError(
            f"cannot evaluate the calibration formula {formula!r}: {exc}"
        ) from exc
    names = [str(c) for c in matrix.columns]
    if isinstance(population, Mapping):
        lookup = {_r_name(k): float(v) for k, v in population.items()}
        missing = [n for n in names if _r_name(n) not in lookup]
        if missing:
            raise EstimationError(
                f"population totals are missing for model-matrix columns {missing}; "
                f"expected totals for {names}"
            )
        totals = np.array([lookup[_r_name(n)] for n in names])
    else:
        totals = np.asarray(list(population), dtype=float)
        if totals.shape != (len(names),):
            raise EstimationError(
                f"expected {len(names)} population totals for columns {names}; got "
                f"{totals.shape[0] if totals.ndim else 1}"
            )
    return matrix.to_numpy(dtype=float), totals, names


def _r_name(name: str) -> str:
    """``"stype[T.H]"`` and ``"stypeH"`` -> ``"stypeH"``; ``"Intercept"`` -> ``"(Intercept)"``."""
    name = str(name).replace("[T.", "").replace("]", "")
    return "(Intercept)" if name == "Intercept" else name
