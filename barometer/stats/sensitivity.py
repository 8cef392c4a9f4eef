"""Uncertainty and sensitivity analysis of the composite index (OECD/JRC handbook, COINr style).

Each Monte-Carlo draw builds the index under one random set of modelling assumptions:

- ``normalisation``: uniform over ``normalisations`` (default minmax, zscore, rank), fitted over
  all units and periods together as in :func:`~barometer.stats.composite.composite_index`;
- ``weights``: Dirichlet with mean the configured weights ``w / sum(w)`` and concentration
  ``c`` (``alpha_d = c w_d / sum(w)``): a weight ``p`` has sd ``sqrt(p (1 - p) / (c + 1))``,
  so the default ``c = 100`` gives equal weights of 0.25 a relative sd of 17% (about the
  spread of COINr's default +/-25% uniform noise);
- ``aggregation``: uniform over ``aggregations`` (default arithmetic, geometric). Geometric
  aggregation needs positive factors, while z-scores are signed and min-max/rank scores can be
  0 (which zeroes a geometric mean): so, in every draw, dimension scores are first mapped
  linearly onto ``[1, 100]`` over all units and periods (a monotone map per dimension, which
  keeps every ordering within a dimension);
- ``dropped_indicator`` (``drop_indicators=True``): none, or one of the indicators, uniformly;
  a dimension left without indicators is missing for that draw and the weights re-normalise
  over the others, as in the nominal index.

Per draw, scores are rescaled to 0-100 (min-max over all units and periods of that draw) and
ranked within each period (rank 1 = highest trust, ties share the best rank). Outputs are the
median and percentile interval of scores and ranks across draws, next to the nominal index (the
configured normalisation and aggregation, the configured weights, nothing dropped).

Sensitivity: the first-order index of each assumption ``X_i`` is the share of rank (and score)
variance explained by it, ``S_i = Var(E[R | X_i]) / Var(R)`` (summed over units before
dividing), estimated by a one-way analysis of variance over the draws, grouped by the level of
``X_i`` (by deciles of the draw for each dimension's weight), with the bias-corrected
``(SS_between - (G - 1) MS_within) / SS_total``, floored at 0. ``1 - sum S_i`` is what
interactions leave unexplained. The mean absolute rank shift from the nominal rank is also
given per assumption level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats import composite_math
from barometer.stats.composite_math import (
    aggregate_matrix,
    dimension_scores,
    fit_scale,
    normalise_columns,
    pivot,
)
from barometer.stats.intervals import draw_quantiles
from barometer.stats.sensitivity_indices import assumption_table, nanmean

_NORMALISATIONS = ("minmax", "zscore", "rank")
_AGGREGATIONS = ("arithmetic", "geometric")


def _check(
    indicators: pd.DataFrame,
    spec: Mapping[str, tuple[str, int]],
    weights: Mapping[str, float],
    n_draws: int,
    drawn_from: tuple[Sequence[str], Sequence[str]],
    nominal: tuple[str, str],
    concentration: float,
    level: float,
) -> list[str]:
    """Refuse bad arguments in one plain line; return the unit keys of ``indicators``."""
    normalisations, aggregations = drawn_from
    keys = ["neighbourhood_id", "period_start"]
    keys += ["period"] if "period" in indicators.columns else []
    needed = [*keys, "indicator", "value"]
    missing = [c for c in needed if c not in indicators.columns]
    if missing:
        raise EstimationError(f"indicators frame lacks columns {missing}; expected {needed}")
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 2:
        raise EstimationError(f"n_draws must be an integer >= 2; got {n_draws!r}")
    dims = sorted({dim for dim, _ in spec.values()})
    if sorted(weights) != dims:
        raise EstimationError(f"weights must name the dimensions {dims}; got {sorted(weights)}")
    w = np.array([weights[d] for d in dims], dtype=float)
    if not np.isfinite(w).all() or (w <= 0).any():
        raise EstimationError(
            f"weights must be finite and > 0 (drop zero-weight dimensions); got {dict(weights)}"
        )
    bad = [m for m in normalisations if m not in _NORMALISATIONS] or not normalisations
    if bad:
        raise EstimationError(f"normalisations must be among {_NORMALISATIONS}; got {bad}")
    bad = [m for m in aggregations if m not in _AGGREGATIONS] or not aggregations
    if bad:
        raise EstimationError(f"aggregations must be among {_AGGREGATIONS}; got {bad}")
    if not np.isfinite(concentration) or concentration <= 0:
        raise EstimationError(f"concentration must be > 0; got {concentration}")
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be strictly between 0 and 1; got {level}")
    if nominal[0] not in _NORMALISATIONS or nominal[1] not in _AGGREGATIONS:
        raise EstimationError(
            f"nominal normalisation/aggregation must be among {_NORMALISATIONS} and "
            f"{_AGGREGATIONS}; got {nominal[0]!r}, {nominal[1]!r}"
        )
    return keys


def _nan_extremes(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """``nanmin, nanmax`` along ``axis`` (keepdims), NaN where everything is NaN, no warning."""
    empty = np.isnan(x).all(axis=axis, keepdims=True)
    low = np.where(np.isnan(x), np.inf, x).min(axis=axis, keepdims=True)
    high = np.where(np.isnan(x), -np.inf, x).max(axis=axis, keepdims=True)
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _positive(scores: np.ndarray) -> np.ndarray:
    """Map each dimension (last axis) linearly onto [1, 100] over all rows (NaN stays NaN)."""
    low, high = _nan_extremes(scores, axis=0)
    span = np.where(high > low, high - low, 1.0)
    return 1.0 + 99.0 * (scores - low) / span


def _rescale(scores: np.ndarray) -> np.ndarray:
    """Per draw (row), min-max the scores onto 0-100 (a constant draw maps to 50)."""
    low, high = _nan_extremes(scores, axis=1)
    span = high - low
    safe = np.where(span > 0, span, 1.0)
    scaled = np.clip(100.0 * (scores - low) / safe, 0.0, 100.0)  # clip rounding only
    return np.where(span > 0, scaled, 50.0 + 0.0 * scores)


def _ranks(scores: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = highest) within each period, per draw; NaN scores get NaN."""
    ranks = np.full(scores.shape, np.nan)
    for p in np.unique(period):
        cols = np.flatnonzero(period == p)
        block = scores[:, cols]
        ranked = stats.rankdata(-block, method="min", axis=1, nan_policy="omit")
        ranks[:, cols] = np.where(np.isnan(block), np.nan, ranked)
    return ranks


def composite_sensitivity(
    indicators: pd.DataFrame,
    spec: Mapping[str, tuple[str, int]],
    weights: Mapping[str, float],
    n_draws: int = 500,
    seed: int | np.random.Generator | None = None,
    normalisation: str = "minmax",
    aggregation: str = "arithmetic",
    normalisations: Sequence[str] = _NORMALISATIONS,
    aggregations: Sequence[str] = _AGGREGATIONS,
    concentration: float = 100.0,
    drop_indicators: bool = True,
    min_dimensions: int | None = None,
    level: float = 0.95,
) -> dict[str, pd.DataFrame]:
    """Monte-Carlo uncertainty and sensitivity analysis of the composite trust index.

    Parameters
    ----------
    indicators
        Long frame with ``neighbourhood_id, period_start, [period,] indicator, value``; one row
        per unit and indicator (suppressed cells should be left out or have NaN values).
    spec
        Indicator -> ``(dimension, direction)``, as for
        :func:`~barometer.stats.composite.composite_index`.
    weights
        Dimension -> positive configured weight (the Dirichlet mean after normalising).
    n_draws, seed
        Monte-Carlo draws and random seed (same seed, same output).
    normalisation, aggregation
        The nominal (published) choices, used for the ``value`` columns.
    normalisations, aggregations
        The alternatives drawn from (uniformly).
    concentration
        Dirichlet concentration ``c`` of the weights (larger = closer to the configured ones).
    drop_indicators
        Also draw "leave one indicator out" (none or each indicator, uniformly).
    min_dimensions
        Units with fewer dimensions available get no score in that draw (default: half).
    level
        Width of the score and rank intervals (0.95: the 2.5 and 97.5 percentiles).

    Returns
    -------
    dict of pandas.DataFrame
        ``"scores"``: unit keys, ``value`` (nominal score, 0-100), ``median, lower, upper``
        (0-100 across draws), ``n_draws``, ``method``. ``"ranks"``: unit keys, ``value``
        (nominal rank, 1 = highest trust in its period), ``median, lower, upper``,
        ``mean_abs_shift`` (mean |draw rank - nominal rank|), ``n_units`` (ranked units in the
        period). ``"assumptions"``: one row per varied assumption with ``levels``,
        ``rank_variance_share`` and ``score_variance_share`` (first-order indices, 0-1; a last
        row ``interactions`` holds ``1 - sum``) and ``mean_abs_rank_shift`` (per level, as
        text).
    """
    keys = _check(indicators, spec, weights, n_draws, (normalisations, aggregations),
                  (normalisation, aggregation), concentration, level)  # fmt: skip
    setup = _setup(indicators, spec, weights, keys, min_dimensions)
    # every (normalisation, dropped indicator) combination, precomputed once
    norm_levels = sorted(set(normalisations) | {normalisation})
    drop_levels = ["none", *setup.names] if drop_indicators else ["none"]
    dim_scores = _dimension_score_table(
        setup.values, setup.names, spec, setup.members, norm_levels, drop_levels
    )

    def aggregate(method: str, dropped: str, agg: str, w: np.ndarray) -> np.ndarray:
        """Raw composite (draws x units) for one assumption combination, ``w`` (draws x dims)."""
        scores = dim_scores[method, dropped]
        if agg == "geometric":
            scores = _positive(scores)
        return aggregate_matrix(scores[None, :, :], w[:, None, :], agg, setup.k)

    rng = np.random.default_rng(seed)
    draws = {
        "normalisation": rng.choice(np.array(list(normalisations)), n_draws),
        "aggregation": rng.choice(np.array(list(aggregations)), n_draws),
        "dropped_indicator": rng.choice(np.array(drop_levels), n_draws),
    }
    draw_w = rng.dirichlet(concentration * setup.w0, n_draws)
    raw = np.empty((n_draws, len(setup.units)))
    combos = pd.DataFrame({"n": draws["normalisation"], "d": draws["dropped_indicator"],
                           "a": draws["aggregation"]})  # fmt: skip
    for key, members_of in combos.groupby(["n", "d", "a"]).indices.items():
        method, dropped, agg = (str(part) for part in key)  # type: ignore[attr-defined]
        raw[members_of] = aggregate(method, dropped, agg, draw_w[members_of])
    scores = _rescale(raw)
    ranks = _ranks(scores, setup.period)
    nominal = _rescale(aggregate(normalisation, "none", aggregation, setup.w0[None, :]))
    nominal_rank = _ranks(nominal, setup.period)[0]
    method = (
        f"Monte-Carlo sensitivity ({n_draws} draws): normalisation {'/'.join(normalisations)}, "
        f"Dirichlet weights (concentration {concentration:g}), aggregation "
        f"{'/'.join(aggregations)}{', one indicator dropped' if drop_indicators else ''}; "
        f"nominal {normalisation}/{aggregation}; scores rescaled to 0-100 per draw"
    )
    scores_out, ranks_out = _summaries(
        setup, (scores, ranks), (nominal[0], nominal_rank), level, method
    )
    if not drop_indicators:
        del draws["dropped_indicator"]
    factors = [*draws.items(), *_weight_factors(setup.dims, draw_w)]
    assumptions = assumption_table(factors, ranks, scores, nominal_rank)
    return {"scores": scores_out, "ranks": ranks_out, "assumptions": assumptions}


@dataclass
class _Setup:
    """The indicators as a units x indicators matrix, and the weights and dimension layout."""

    names: list[str]  # indicators, sorted
    dims: list[str]  # dimensions, sorted
    k: int  # fewest dimensions a unit needs for a score
    values: np.ndarray  # units x indicators
    units: pd.DataFrame  # the unit keys, one row per unit
    period: np.ndarray  # each unit's period, as a code
    members: np.ndarray  # indicators x dimensions, 1 where the indicator is in the dimension
    w0: np.ndarray  # the configured weights, summing to 1


def _setup(
    indicators: pd.DataFrame,
    spec: Mapping[str, tuple[str, int]],
    weights: Mapping[str, float],
    keys: list[str],
    min_dimensions: int | None,
) -> _Setup:
    """Pivot the indicators of ``spec`` into units x indicators; refuse no rows or repeats."""
    data = indicators[indicators["indicator"].isin(list(spec))]
    if data.empty:
        raise EstimationError(f"no rows for the indicators in spec {sorted(spec)}")
    if data.duplicated([*keys, "indicator"]).any():
        raise EstimationError(f"indicators frame repeats an indicator for one unit of {keys}")
    names = sorted(data["indicator"].unique())
    dims = sorted(weights)
    units = data.pivot(index=keys, columns="indicator", values="value").index.to_frame(index=False)
    w0 = np.array([weights[d] for d in dims], dtype=float)
    return _Setup(
        names=names,
        dims=dims,
        k=composite_math.min_dimensions(min_dimensions, len(dims)),
        values=pivot(data, keys, names, "value"),
        units=units,
        period=pd.factorize(units["period_start"])[0],
        members=np.array([[spec[n][0] == d for d in dims] for n in names], dtype=float),
        w0=w0 / w0.sum(),
    )


def _summaries(
    setup: _Setup,
    drawn: tuple[np.ndarray, np.ndarray],
    nominal: tuple[np.ndarray, np.ndarray],
    level: float,
    method: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``scores`` and ``ranks`` tables: nominal value, median and interval across draws."""
    scores, ranks = drawn
    nominal_score, nominal_rank = nominal
    alpha = 1.0 - level
    q = [alpha / 2, 0.5, 1 - alpha / 2]
    s_lo, s_med, s_hi = draw_quantiles(scores, q, skip_nan=True)
    r_lo, r_med, r_hi = draw_quantiles(ranks, q, method="inverted_cdf", skip_nan=True)  # ranks
    n_draws = len(scores)
    scores_out = setup.units.assign(
        value=nominal_score, median=s_med, lower=s_lo, upper=s_hi, n_draws=n_draws, method=method
    )
    period = setup.period
    n_units = pd.Series(period).map(pd.Series(period[~np.isnan(nominal_score)]).value_counts())
    shift = nanmean(np.abs(ranks - nominal_rank), axis=0)
    ranks_out = setup.units.assign(
        value=nominal_rank,
        median=r_med,
        lower=r_lo,
        upper=r_hi,
        mean_abs_shift=shift,
        n_units=n_units.fillna(0).astype(int).to_numpy(),
        method=method,
    )
    return scores_out, ranks_out


def _weight_factors(dims: list[str], draw_w: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each dimension's drawn weight as a factor with ten levels (its deciles over the draws)."""
    factors = []
    for j, dim in enumerate(dims):
        edges = np.quantile(draw_w[:, j], np.linspace(0, 1, 11)[1:-1])
        factors.append((f"weight:{dim}", np.searchsorted(edges, draw_w[:, j]).astype(str)))
    return factors


def _dimension_score_table(
    values: np.ndarray,
    names: list[str],
    spec: Mapping[str, tuple[str, int]],
    members: np.ndarray,
    norm_levels: list[str],
    drop_levels: list[str],
) -> dict[tuple[str, str], np.ndarray]:
    """Dimension scores (units x dimensions) for every (normalisation, dropped indicator)."""
    dim_scores: dict[tuple[str, str], np.ndarray] = {}
    for method in norm_levels:
        scales = [fit_scale(values[:, i], method, spec[n][1], None) for i, n in enumerate(names)]
        normed = normalise_columns(values, scales)
        for dropped in drop_levels:
            x = normed.copy()
            if dropped != "none":
                x[:, names.index(dropped)] = np.nan
            dim_scores[method, dropped] = dimension_scores(x, members)
    return dim_scores
