"""A composite index as a declared pipeline (the OECD/JRC handbook's steps, as COINr builds them).

    pipeline = CompositePipeline([
        Denominate(),                           # x / its denominator column
        Impute("mean", group="EurAsia_group"),  # group means
        Screen(min_coverage=0.9),               # drop units with < 90% of indicators
        Treat(winmax=5),                        # winsorise, else log (see outliers.py)
        Normalise("minmax"),                    # 0-100 with the indicators' directions
        Aggregate("arithmetic"),                # weighted means up the tree
    ])
    result = pipeline.run(indicators, framework, attributes=groups, denominators=denominators)
    result.scores["Index"], result.ranks(), result.group_ranks("GDPpc_group")

Each step's output is kept in ``result.datasets`` under its name (``"Denominated"``,
``"Imputed"``, ``"Screened"``, ``"Treated"``, ``"Normalised"``, ``"Aggregated"``; the input
is ``"Raw"``). Data are one row per unit, one column per indicator of the
:class:`~barometer.stats.composite_framework.IndexFramework`; ``attributes`` holds per-unit
columns the steps refer to (groups, a baseline flag).

Aggregation (:class:`Aggregate`) walks the tree level by level: a node is the weighted mean
(arithmetic or geometric, per level if wanted) of its children available for the unit, the
weights re-normalised over them, and missing when fewer than ``min_children`` are available.
Ranks: 1 = highest score, ties share the best rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from barometer.exceptions import EstimationError
from barometer.stats import outliers
from barometer.stats.composite_framework import IndexFramework
from barometer.stats.composite_math import (
    Aggregation,
    Normalisation,
    Scale,
    aggregate_matrix,
    fit_scale,
    normalise_columns,
)


@dataclass
class PipelineState:
    """What the steps pass along: the current data and everything learnt so far."""

    data: pd.DataFrame
    framework: IndexFramework
    attributes: pd.DataFrame
    denominators: pd.DataFrame | None
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    scales: list[Scale] | None = None
    treatment: pd.DataFrame | None = None
    screened_out: list[object] = field(default_factory=list)
    baseline_mask: np.ndarray | None = None  # (units x indicators) baseline cells, if given


class Step(Protocol):
    """One pipeline step: ``name`` labels its output data set."""

    @property
    def name(self) -> str:
        """The name of the step's output data set."""
        ...

    def apply(self, state: PipelineState) -> PipelineState:
        """Transform the state's data (and record what was learnt)."""
        ...


@dataclass(frozen=True)
class Denominate:
    """Divide each indicator with a ``denominator`` in the framework by that column of the
    ``denominators`` frame (infinite ratios become missing)."""

    name: str = "Denominated"

    def apply(self, state: PipelineState) -> PipelineState:
        by = state.framework.denominators()
        if by.empty:
            return state
        if state.denominators is None:
            raise EstimationError(f"indicators {by.index.tolist()} need a denominators frame")
        missing = sorted(set(by) - set(state.denominators.columns))
        if missing:
            raise EstimationError(f"denominators frame lacks columns {missing}")
        data = state.data.copy()
        den = state.denominators.reindex(data.index)
        for indicator, column in by.items():
            data[indicator] = (data[indicator] / den[column]).replace([np.inf, -np.inf], np.nan)
        state.data = data
        return state


@dataclass(frozen=True)
class Impute:
    """Fill missing values with the indicator's mean or median, overall or within the units'
    ``group`` (an attribute column; units without a group keep their missing values)."""

    method: Literal["mean", "median"] = "mean"
    group: str | None = None
    name: str = "Imputed"

    def apply(self, state: PipelineState) -> PipelineState:
        if self.method not in ("mean", "median"):
            raise EstimationError(f"imputation must be 'mean' or 'median'; got {self.method!r}")
        data = state.data.copy()
        if self.group is None:
            state.data = data.fillna(data.agg(self.method))
            return state
        if self.group not in state.attributes.columns:
            raise EstimationError(f"imputation group {self.group!r} is not a unit attribute")
        groups = state.attributes[self.group].reindex(data.index)
        state.data = data.fillna(data.groupby(groups).transform(self.method))
        return state


@dataclass(frozen=True)
class Screen:
    """Drop units whose share of non-missing indicators is below ``min_coverage``."""

    min_coverage: float = 0.9
    name: str = "Screened"

    def apply(self, state: PipelineState) -> PipelineState:
        if not 0.0 <= self.min_coverage <= 1.0:
            raise EstimationError(f"min_coverage must be in [0, 1]; got {self.min_coverage}")
        coverage = state.data.notna().mean(axis=1)
        keep = coverage >= self.min_coverage
        state.screened_out = state.data.index[~keep].tolist()
        state.data = state.data[keep]
        return state


@dataclass(frozen=True)
class Treat:
    """Winsorise outlying indicators, else log-transform them (:mod:`barometer.stats.outliers`);
    ``skip`` lists indicators to leave as they are. The record is ``result.treatment``."""

    winmax: int = 5
    skew_max: float = 2.0
    kurtosis_max: float = 3.5
    winmax_rule: outliers.WinmaxRule = "coinr"
    skip: tuple[str, ...] = ()
    name: str = "Treated"

    def apply(self, state: PipelineState) -> PipelineState:
        data = state.data.copy()
        rows = []
        for column in data.columns:
            if column in self.skip:
                continue
            values, record = outliers.treat(
                data[column].to_numpy(dtype=float),
                self.winmax,
                self.skew_max,
                self.kurtosis_max,
                self.winmax_rule,
            )
            data[column] = values
            rows.append({"indicator": column, **record.__dict__})
        state.data = data
        state.treatment = pd.DataFrame(rows)
        return state


@dataclass(frozen=True)
class Normalise:
    """Normalise every indicator with its direction (see :mod:`barometer.stats.composite_math`),
    fitted on the data at hand. For ``method="baseline"`` the baseline cells are a boolean
    unit attribute named by ``baseline``, or the ``baseline_mask`` given to
    :meth:`CompositePipeline.run`. Min-max scores are mapped onto ``bounds``."""

    method: Normalisation = "minmax"
    bounds: tuple[float, float] = (0.0, 100.0)
    baseline: str | None = None
    name: str = "Normalised"

    def fit(self, state: PipelineState) -> list[Scale]:
        """The fitted scale of every indicator."""
        directions = state.framework.direction()
        x = state.data.to_numpy(dtype=float)
        mask = state.baseline_mask
        if self.baseline is not None:
            if self.baseline not in state.attributes.columns:
                raise EstimationError(f"baseline attribute {self.baseline!r} is not given")
            unit = state.attributes[self.baseline].reindex(state.data.index).to_numpy(dtype=bool)
            mask = np.repeat(unit[:, None], x.shape[1], axis=1)
        return [
            fit_scale(
                x[:, i], self.method, int(directions[c]), None if mask is None else mask[:, i]
            )
            for i, c in enumerate(state.data.columns)
        ]

    def transform(self, x: np.ndarray, scales: list[Scale]) -> np.ndarray:
        """Normalise a (rows x indicators) matrix with fitted scales."""
        out = normalise_columns(x, scales)
        if self.method == "minmax" and tuple(self.bounds) != (0.0, 100.0):
            low, high = self.bounds
            out = low + (high - low) * out / 100.0
        return out

    def apply(self, state: PipelineState) -> PipelineState:
        state.scales = self.fit(state)
        values = self.transform(state.data.to_numpy(dtype=float), state.scales)
        state.data = pd.DataFrame(values, index=state.data.index, columns=state.data.columns)
        return state


@dataclass(frozen=True)
class Aggregate:
    """Aggregate up the tree: ``method`` and ``min_children`` for every level, or per level
    (``{level: value}``; levels not named use ``"arithmetic"`` and 1)."""

    method: Aggregation | Mapping[int, Aggregation] = "arithmetic"
    min_children: int | Mapping[int, int] = 1
    name: str = "Aggregated"

    def _for(self, level: int) -> tuple[str, int]:
        method = (
            self.method.get(level, "arithmetic")
            if isinstance(self.method, Mapping)
            else self.method
        )
        k = (
            self.min_children.get(level, 1)
            if isinstance(self.min_children, Mapping)
            else self.min_children
        )
        return str(method), int(k)

    def scores(self, x: np.ndarray, framework: IndexFramework) -> dict[str, np.ndarray]:
        """Node -> scores (rows,) from normalised indicator scores ``x`` (rows x indicators)."""
        out = {code: x[..., i] for i, code in enumerate(framework.indicators)}
        for level in framework.levels[1:]:
            method, k = self._for(level)
            if method not in ("arithmetic", "geometric"):
                raise EstimationError(
                    f"aggregation must be 'arithmetic' or 'geometric'; got {method!r}"
                )
            for code in framework.at_level(level):
                kids = framework.children(code)
                child = np.stack([out[c] for c in kids["code"]], axis=-1)
                if method == "geometric" and (child[~np.isnan(child)] < 0).any():
                    raise EstimationError(
                        f"geometric aggregation of {code!r} needs scores >= 0; use minmax or rank"
                    )
                if not 1 <= k <= child.shape[-1]:
                    raise EstimationError(
                        f"min_children for level {level} must be between 1 and the children of "
                        f"{code!r} ({child.shape[-1]}); got {k}"
                    )
                w = kids["weight"].to_numpy(dtype=float)
                out[code] = aggregate_matrix(child, w, method, k)
        return out

    def apply(self, state: PipelineState) -> PipelineState:
        scores = self.scores(state.data.to_numpy(dtype=float), state.framework)
        state.data = pd.DataFrame(scores, index=state.data.index)
        return state


@dataclass(frozen=True)
class CompositeResult:
    """Data sets after every step, the fitted scales, treatment and screening records."""

    framework: IndexFramework
    datasets: dict[str, pd.DataFrame]
    scales: list[Scale] | None
    treatment: pd.DataFrame | None
    screened_out: list[object]
    attributes: pd.DataFrame

    @property
    def scores(self) -> pd.DataFrame:
        """The last data set (``"Aggregated"``: every node's score per unit)."""
        return self.datasets[list(self.datasets)[-1]]

    def ranks(self, codes: Sequence[str] | None = None) -> pd.DataFrame:
        """Ranks of the units per node (1 = highest; ties share the best rank; NaN kept)."""
        scores = self.scores if codes is None else self.scores[list(codes)]
        return scores.apply(_rank)

    def group_ranks(self, group: str, code: str | None = None) -> pd.Series:
        """Ranks within each value of the attribute ``group`` for one node (the index)."""
        if group not in self.attributes.columns:
            raise EstimationError(f"group {group!r} is not a unit attribute")
        code = code or self.framework.root
        groups = self.attributes[group].reindex(self.scores.index)
        return self.scores[code].groupby(groups).transform(_rank).rename(f"{code}_rank_in_{group}")

    def results_table(self) -> pd.DataFrame:
        """One row per unit: rank and score of the index, then the aggregates by level from
        the top down, sorted by rank (COINr's ``get_results(tab_type="Aggs")``)."""
        fw = self.framework
        order = [c for level in reversed(fw.levels[1:]) for c in fw.at_level(level)]
        table = self.scores[order].copy()
        table.insert(0, "rank", _rank(table[fw.root]))
        return table.sort_values(["rank", fw.root], ascending=[True, False])


def _rank(values: pd.Series) -> pd.Series:
    ranks = np.full(len(values), np.nan)
    ok = values.notna().to_numpy()
    ranks[ok] = stats.rankdata(-values.to_numpy(dtype=float)[ok], method="min")
    return pd.Series(ranks, index=values.index)


@dataclass(frozen=True)
class CompositePipeline:
    """An ordered list of steps (see the module docstring)."""

    steps: Sequence[Step]

    def run(
        self,
        data: pd.DataFrame,
        framework: IndexFramework,
        attributes: pd.DataFrame | None = None,
        denominators: pd.DataFrame | None = None,
        baseline_mask: np.ndarray | None = None,
    ) -> CompositeResult:
        """Run every step on ``data`` (units x indicators; other columns are ignored).

        ``attributes``: per-unit columns (groups, baseline flags); ``denominators``: per-unit
        denominator columns; ``baseline_mask``: (units x indicators) booleans marking the
        baseline cells for baseline normalisation.
        """
        missing = [c for c in framework.indicators if c not in data.columns]
        if missing:
            raise EstimationError(f"the data lack indicator columns {missing}")
        raw = data[framework.indicators].apply(pd.to_numeric, errors="coerce").astype(float)
        state = PipelineState(
            data=raw,
            framework=framework,
            attributes=attributes if attributes is not None else pd.DataFrame(index=data.index),
            denominators=denominators,
            datasets={"Raw": raw},
            baseline_mask=baseline_mask,
        )
        for step in self.steps:
            state = step.apply(state)
            state.datasets[step.name] = state.data
        return CompositeResult(
            framework, state.datasets, state.scales, state.treatment, state.screened_out,
            state.attributes,
        )  # fmt: skip

    def transform(self, x: np.ndarray, result: CompositeResult) -> dict[str, np.ndarray]:
        """Scores of every node for new raw indicator values ``x`` (... x indicators, in the
        framework's order), with the normalisation fitted in ``result``; for pipelines of
        :class:`Normalise` and :class:`Aggregate` only (Monte-Carlo draws of the inputs)."""
        normaliser = [s for s in self.steps if isinstance(s, Normalise)]
        aggregator = [s for s in self.steps if isinstance(s, Aggregate)]
        others = [s.name for s in self.steps if not isinstance(s, Normalise | Aggregate)]
        if others or len(normaliser) != 1 or len(aggregator) != 1 or result.scales is None:
            raise EstimationError(
                "transform needs a fitted pipeline of one Normalise and one Aggregate step; "
                f"this one also has {others}"
            )
        normed = normaliser[0].transform(x, result.scales)
        return aggregator[0].scores(normed, result.framework)
