"""Aggregate and indicators steps as one pure function: canonical tables -> published tables.

From the stored canonical tables, :func:`derive_indicators` computes every indicator cell,
suppresses small cells, builds the composite index (with its sensitivity analysis), the nowcast,
term shifts and coverage. It touches no disk; the pipeline reads the inputs and publishes the
outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from barometer.aggregate import (
    aggregate_observation,
    aggregate_sensing,
    aggregate_survey,
    coverage_table,
)
from barometer.aggregate.cells import empty_cells, in_zone
from barometer.aggregate.digital import digital_from_stats
from barometer.aggregate.invariance import trust_scale_invariance
from barometer.aggregate.nowcasting import nowcast_outputs
from barometer.aggregate.post_summaries import PostSummaries, summarise_posts, term_window_start
from barometer.aggregate.terms import TERM_COLUMNS, TermSource, shifts_of_terms, term_shifts
from barometer.config import PipelineConfig
from barometer.exceptions import EstimationError
from barometer.indicators import COMPOSITE_INDEX, NOWCAST_TRUST, composite_spec
from barometer.publish import indicators_table, suppress_cells
from barometer.stats.composite import composite_index
from barometer.stats.sensitivity import composite_sensitivity
from barometer.validity import composite_inputs, composite_validity, indicator_validity


@dataclass(frozen=True)
class SourceTables:
    """The canonical tables the indicators are computed from (``scores``: the ``post_scores``
    rows of the current model versions only, see :func:`barometer.scoring.current_scores`;
    ``margins``: population margins to rake survey weights to, or ``None`` not to rake;
    ``model_validity``: the validity of the scorers of ``scores`` per language,
    :func:`barometer.audit.validity.model_validity_table`, or ``None`` to leave the indicators'
    ``validity`` empty)."""

    posts: pd.DataFrame
    scores: pd.DataFrame
    responses: pd.DataFrame
    readings: pd.DataFrame
    sessions: pd.DataFrame
    margins: pd.DataFrame | None = None
    model_validity: pd.DataFrame | None = None
    #: the posts' summaries when built partition by partition; ``posts`` then need hold only
    #: the months the term shifts compare (see :mod:`barometer.aggregate.post_summaries`)
    summaries: PostSummaries | None = None
    #: the term summaries of the months the term shifts compare, when built partition by
    #: partition (:func:`barometer.aggregate.terms.author_terms`); else they read ``posts``
    terms: TermSource | None = None

    def post_summaries(self) -> PostSummaries:
        """:attr:`summaries`, or those of all of :attr:`posts` and :attr:`scores`."""
        summaries = self.summaries
        if summaries is None:
            summaries = summarise_posts(self.posts, self.scores)
            object.__setattr__(self, "summaries", summaries)
        return summaries


#: the canonical timestamp column of each source table
_TIMES = {"posts": "created_at", "responses": "interview_date", "readings": "ts",
          "sessions": "start"}  # fmt: skip


def in_city_time(sources: SourceTables, timezone: str) -> SourceTables:
    """``sources`` with every timestamp on the city's clock (``timezone``, the config's), so
    that indicator months, coverage months, sensor days and hours of the week are the city's
    calendar, not UTC's (see :func:`barometer.aggregate.cells.month_start`)."""
    changes: dict[str, Any] = {
        name: in_zone(getattr(sources, name), column, timezone) for name, column in _TIMES.items()
    }
    return replace(sources, **changes)


def _computed(
    name: str, compute: Callable[[], pd.DataFrame], skipped: list[str] | None
) -> pd.DataFrame:
    """``compute()``, or (when ``skipped`` collects them) no cells and a note of why not."""
    try:
        return compute()
    except EstimationError as exc:
        if skipped is None:
            raise
        skipped.append(f"{name} indicators not computed: {exc}")
        return empty_cells()


def indicator_cells(
    sources: SourceTables, config: PipelineConfig, skipped: list[str] | None = None
) -> pd.DataFrame:
    """Every source's indicator cells, with small cells suppressed.

    With ``skipped``, a dimension whose data cannot be estimated (say, a survey wave of one
    respondent) is left out and the reason appended to ``skipped``; the others are computed.
    """
    settings = config.indicators
    level = settings.level
    sources = in_city_time(sources, config.timezone)
    digital = _computed(
        "digital",
        lambda: digital_from_stats(
            sources.post_summaries().cell_stats,
            n_boot=settings.bootstrap_reps,
            level=level,
            seed=settings.seed,
            intervals=sources.post_summaries().intervals,
        ),
        skipped,
    )
    cells = pd.concat(
        [
            frame
            for frame in (
                digital,
                _computed("survey", lambda: aggregate_survey(
                    sources.responses, digital, level=level, margins=sources.margins), skipped),
                _computed("sensing", lambda: aggregate_sensing(sources.readings, level=level),
                          skipped),
                _computed("observation",
                          lambda: aggregate_observation(sources.sessions, level=level), skipped),
            )
            if not frame.empty
        ]
        or [empty_cells()],
        ignore_index=True,
    )  # fmt: skip
    return suppress_cells(
        cells, min_cell_size=config.privacy.min_cell_size, overrides=settings.min_cell
    )


def composite_components(
    cells: pd.DataFrame, config: PipelineConfig
) -> tuple[dict[str, tuple[str, int]], dict[str, float]]:
    """Components and dimension weights of the composite that these cells can support
    (an indicator needs at least two distinct values to be normalised)."""
    settings = config.composite
    values = cells.dropna(subset=["value"]).groupby("indicator")["value"]
    usable = set(values.nunique()[lambda n: n >= 2].index)
    spec = {
        name: (dimension, direction)
        for name, (dimension, direction) in composite_spec().items()
        if settings.weights.get(dimension, 0) > 0 and name in usable
    }
    dimensions = {dimension for dimension, _ in spec.values()}
    weights = {d: w for d, w in settings.weights.items() if d in dimensions}
    return spec, weights


def composite_cells(cells: pd.DataFrame, config: PipelineConfig) -> pd.DataFrame:
    """The composite index over the dimensions weighted in the config (empty when none of its
    components has an unsuppressed cell)."""
    settings = config.composite
    spec, weights = composite_components(cells, config)
    if not spec:
        return cells.iloc[0:0].assign(suppressed=False)
    index = composite_index(
        cells,
        spec=spec,
        weights=weights,
        normalisation=settings.normalisation,
        aggregation=settings.aggregation,
        min_dimensions=settings.min_dimensions,
        n_draws=settings.monte_carlo_draws,
        level=config.indicators.level,
        seed=config.indicators.seed,
    )
    return index.assign(period="M", suppressed=False)


def sensitivity_tables(cells: pd.DataFrame, config: PipelineConfig) -> dict[str, pd.DataFrame]:
    """Rank intervals and the share of rank variance due to each assumption."""
    spec, weights = composite_components(cells, config)
    if not spec:
        return {}
    settings = config.composite
    result = composite_sensitivity(
        cells,
        spec=spec,
        weights=weights,
        n_draws=settings.monte_carlo_draws,
        seed=config.indicators.seed,
        normalisation=settings.normalisation,
        aggregation=settings.aggregation,
        min_dimensions=settings.min_dimensions,
        level=config.indicators.level,
    )
    ranks = result["ranks"].rename(
        columns={
            "value": "rank_nominal",
            "median": "rank_median",
            "lower": "rank_lower",
            "upper": "rank_upper",
        }
    )
    return {"composite_ranks": ranks, "composite_assumptions": result["assumptions"]}


_CELL_KEY = ["neighbourhood_id", "period_start", "period", "indicator"]
#: indicators computed from other indicators (recomputed over frozen cells, then frozen too)
_DERIVED = (COMPOSITE_INDEX, NOWCAST_TRUST)


def with_frozen(cells: pd.DataFrame, frozen: pd.DataFrame | None) -> pd.DataFrame:
    """``cells`` with every cell of ``frozen`` (stored cells of months whose posts were pruned,
    see :mod:`barometer.erasure`) in place of the recomputed one of the same key."""
    if frozen is None or frozen.empty:
        return cells
    frozen = frozen.assign(period_start=pd.to_datetime(frozen["period_start"]).dt.date)
    dates = pd.to_datetime(cells["period_start"]).dt.date
    keys = pd.MultiIndex.from_frame(cells[_CELL_KEY].assign(period_start=dates).astype(str))
    taken = keys.isin(pd.MultiIndex.from_frame(frozen[_CELL_KEY].astype(str)))
    kept = cells[~taken].assign(period_start=dates[~taken])
    return pd.concat([kept, frozen[cells.columns]], ignore_index=True)


def derive_indicators(
    sources: SourceTables,
    config: PipelineConfig,
    run_id: str,
    frozen: pd.DataFrame | None = None,
    skipped: list[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(the canonical ``indicators`` table, the other derived tables by name).

    ``frozen``: published cells to keep as they are (months whose raw posts were pruned); the
    composite and the nowcast are computed over them, so later months do not move either.
    ``skipped``: see :func:`indicator_cells`.
    """
    sources = in_city_time(sources, config.timezone)
    cells = indicator_cells(sources, config, skipped)
    if frozen is not None:
        cells = with_frozen(cells, frozen[~frozen["indicator"].isin(_DERIVED)])
    if sources.model_validity is not None:
        cells = indicator_validity(
            cells,
            sources.posts,
            sources.scores,
            sources.model_validity,
            languages=sources.post_summaries().languages,
        )
    else:
        cells = cells.assign(validity=None, validity_note=None)
    published = cells[~cells["suppressed"]]
    components = composite_inputs(published, validated_only=config.composite.validated_only)
    index = composite_validity(
        composite_cells(components, config), components, list(composite_spec())
    )
    nowcast_cells, nowcast_tables = nowcast_outputs(published, level=config.indicators.level)
    nowcast_cells = nowcast_cells.assign(suppressed=False, validity=None, validity_note=None)
    extra = [frame[cells.columns] for frame in (index, nowcast_cells) if not frame.empty]
    all_cells = with_frozen(pd.concat([cells, *extra], ignore_index=True), frozen)
    derived = {
        "coverage": coverage_table(
            sources.posts,
            sources.responses,
            sources.readings,
            sources.sessions,
            social=sources.post_summaries().coverage,
        ),
        "term_shifts": _term_shifts(sources, config),
        **nowcast_tables,
        **sensitivity_tables(components, config),
        "measurement_invariance": trust_scale_invariance(sources.responses),
    }
    if sources.model_validity is not None:
        derived["model_validity"] = sources.model_validity
    return indicators_table(all_cells, run_id), derived


def _term_shifts(sources: SourceTables, config: PipelineConfig) -> pd.DataFrame:
    """The term shifts, from the partitions' term summaries when the run built them, else
    from ``sources.posts`` (times on the city's clock either way)."""
    min_authors = max(10, config.privacy.min_cell_size)
    if sources.terms is None:
        return term_shifts(
            sources.posts, min_authors=min_authors, lemmas=config.indicators.term_lemmas
        )
    start = term_window_start(sources.post_summaries().coverage, months=1)
    if start is None:
        return pd.DataFrame(columns=TERM_COLUMNS)
    return shifts_of_terms(sources.terms, start, min_authors=min_authors)
