"""Aggregate step: canonical tables -> indicator cells per neighbourhood x month, with intervals.

Pure functions, one module per source; each returns a long frame with the columns in
:data:`~barometer.aggregate.cells.CELL_COLUMNS`. Suppression and the run id are added at
publish time. Months are the city's calendar months (``period = "M"``, ``period_start`` = the
first day of the month): the functions read each timestamp on its own clock, and
:func:`barometer.derive.derive_indicators` converts the canonical UTC timestamps to the config's
``timezone`` first.
"""

from barometer.aggregate.cells import CELL_COLUMNS, month_start
from barometer.aggregate.coverage import coverage_table
from barometer.aggregate.digital import aggregate_digital
from barometer.aggregate.observation import aggregate_observation, quasi_poisson_rates
from barometer.aggregate.sensing import aggregate_sensing, footfall_baseline
from barometer.aggregate.survey import aggregate_survey, small_area_cells

__all__ = [
    "CELL_COLUMNS",
    "aggregate_digital",
    "aggregate_observation",
    "aggregate_sensing",
    "aggregate_survey",
    "coverage_table",
    "footfall_baseline",
    "month_start",
    "quasi_poisson_rates",
    "small_area_cells",
]
