"""Read-only queries on a published barometer (the DuckDB file), for the app and reports.

Nothing here can see raw posts: the DuckDB file holds aggregates only.

Every query takes a ``source``: a warehouse folder (each query opens the current publish on its
own), or a :class:`Published` snapshot (``with read.Published(root) as snap: ...``), which pins
one publish for all its queries, so a page rendered from one snapshot never mixes two publishes
even when a run publishes a new barometer halfway through the render. A run replaces the DuckDB
file atomically, and an open connection keeps reading the file it opened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd

from barometer.warehouse import open_published

WAREHOUSE_ENV = "BAROMETER_WAREHOUSE"


def default_warehouse() -> Path:
    """The warehouse the app shows: ``$BAROMETER_WAREHOUSE`` or ``./warehouse``."""
    return Path(os.environ.get(WAREHOUSE_ENV, "warehouse"))


class Published:
    """One publish of a barometer, pinned: every query made through it reads the same publish.

    Open one per page render (or per report) and close it after; ``run_id`` names the publish
    (use it as a cache key, so that cached results of two publishes are never mixed).
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.con = open_published(self.root)
        found = self.con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1")
        row = found.fetchone()
        self.run_id = str(row[0]) if row else ""

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Published:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


#: where a query reads: a warehouse folder (the current publish) or a pinned snapshot
Source = Path | Published


@contextmanager
def _connection(source: Source) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(source, Published):
        yield source.con
    else:
        with open_published(source) as con:
            yield con


def _query(root: Source, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with _connection(root) as con:
        return con.execute(sql, params or []).df()


def neighbourhoods(root: Source) -> pd.DataFrame:
    """``neighbourhood_id, name, population, geojson`` (GeoJSON geometry string, WGS84)."""
    return _query(root, "SELECT * FROM neighbourhoods ORDER BY name")


def indicator_catalogue(root: Source) -> pd.DataFrame:
    return _query(root, "SELECT * FROM indicator_catalogue")


def indicator_values(
    root: Source, indicator: str, neighbourhood_ids: list[str] | None = None
) -> pd.DataFrame:
    """All published cells of one indicator (optionally some neighbourhoods), by time."""
    sql = "SELECT * FROM indicators WHERE indicator = ?"
    params: list[object] = [indicator]
    if neighbourhood_ids:
        sql += " AND list_contains(?, neighbourhood_id)"
        params.append(neighbourhood_ids)
    frame = _query(root, sql + " ORDER BY neighbourhood_id, period_start", params)
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def periods(root: Source, indicator: str) -> list[date]:
    """Months with at least one unsuppressed value of ``indicator``, oldest first."""
    frame = _query(
        root,
        "SELECT DISTINCT period_start FROM indicators WHERE indicator = ? AND NOT suppressed "
        "ORDER BY period_start",
        [indicator],
    )
    return [pd.Timestamp(v).date() for v in frame["period_start"]]


def actions(root: Source) -> pd.DataFrame:
    return _query(root, "SELECT * FROM actions ORDER BY start")


def last_run(root: Source) -> dict[str, object]:
    frame = _query(root, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
    return {str(k): v for k, v in frame.iloc[0].items()} if not frame.empty else {}


def indicators_all(root: Source) -> pd.DataFrame:
    """The whole published ``indicators`` table (for evaluators' tools)."""
    frame = _query(
        root, "SELECT * FROM indicators ORDER BY indicator, neighbourhood_id, period_start"
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def table(root: Source, name: str) -> pd.DataFrame:
    """A published table by name; an empty frame when this barometer has no such table."""
    with _connection(root) as con:
        names = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if name not in names:
            return pd.DataFrame()
        return con.execute(f'SELECT * FROM "{name}"').df()


# --- Queries for the app's pages (SQL only; each returns a tidy frame, empty when absent). ---


def table_names(root: Source) -> set[str]:
    """Names of the tables this published barometer holds."""
    with _connection(root) as con:
        return {row[0] for row in con.execute("SHOW TABLES").fetchall()}


def _query_if(
    root: Source, needs: str, sql: str, params: list[object] | None = None
) -> pd.DataFrame:
    """``sql`` when the table ``needs`` is published, else an empty frame."""
    if needs not in table_names(root):
        return pd.DataFrame()
    return _query(root, sql, params)


def indicator_series(
    root: Source, indicators: list[str], neighbourhood_ids: list[str]
) -> pd.DataFrame:
    """Unsuppressed cells of several indicators for several neighbourhoods, by time."""
    frame = _query(
        root,
        "SELECT * FROM indicators WHERE list_contains(?, indicator) "
        "AND list_contains(?, neighbourhood_id) AND NOT suppressed "
        "ORDER BY indicator, neighbourhood_id, period_start",
        [indicators, neighbourhood_ids],
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def indicator_names(root: Source, like: str = "%") -> list[str]:
    """Published indicator names matching the SQL pattern ``like``, sorted."""
    frame = _query(
        root,
        "SELECT DISTINCT indicator FROM indicators WHERE indicator LIKE ? ORDER BY indicator",
        [like],
    )
    return [str(v) for v in frame["indicator"]]


def latest_changes(
    root: Source, neighbourhood_id: str, until: date, like: str = "%"
) -> pd.DataFrame:
    """Per indicator matching ``like``: the latest unsuppressed cell at or before ``until`` and
    the change from the cell before it.

    ``change_lower/upper`` is a 95% interval for the change under a normal approximation that
    treats the two cells as independent: half-width sqrt(h1^2 + h0^2), with h the half-widths
    of the two published intervals.
    """
    return _query(
        root,
        """
        WITH cells AS (
            SELECT indicator, period_start, value, lower, upper, n_effective,
                   lag(period_start) OVER w AS previous_start,
                   lag(value) OVER w AS previous_value,
                   lag(lower) OVER w AS previous_lower,
                   lag(upper) OVER w AS previous_upper
            FROM indicators
            WHERE neighbourhood_id = ? AND NOT suppressed AND period_start <= ?
              AND indicator LIKE ?
            WINDOW w AS (PARTITION BY indicator ORDER BY period_start)
        )
        SELECT *, value - previous_value AS change,
               value - previous_value - sqrt(pow((upper - lower) / 2, 2)
                   + pow((previous_upper - previous_lower) / 2, 2)) AS change_lower,
               value - previous_value + sqrt(pow((upper - lower) / 2, 2)
                   + pow((previous_upper - previous_lower) / 2, 2)) AS change_upper
        FROM cells
        QUALIFY row_number() OVER (PARTITION BY indicator ORDER BY period_start DESC) = 1
        ORDER BY indicator
        """,
        [neighbourhood_id, until, like],
    )


def recent_alerts(root: Source, until: date, months: int = 3) -> pd.DataFrame:
    """Alerts dated in the ``months`` months up to and including ``until``, newest first."""
    return _query_if(
        root,
        "alerts",
        "SELECT * FROM alerts WHERE period_start <= ? "
        "AND period_start > ?::DATE - to_months(?) ORDER BY period_start DESC, neighbourhood_id",
        [until, until, months],
    )


def source_positions(
    root: Source, indicators: list[str], neighbourhood_ids: list[str]
) -> pd.DataFrame:
    """Where each source places a neighbourhood against the municipality, month by month.

    ``position`` is +1 when the cell's 95% interval lies wholly on the more-trusting side of that
    month's median across neighbourhoods (direction from the catalogue; +1 when not catalogued),
    -1 when wholly on the less-trusting side, else 0. ``disagree`` is true for a neighbourhood
    and month where one source says +1 and another -1.
    """
    return _query(
        root,
        """
        WITH cells AS (
            SELECT i.neighbourhood_id, i.period_start, i.indicator, i.value, i.lower, i.upper,
                   coalesce(c.direction, 1) AS direction,
                   median(i.value) OVER (PARTITION BY i.indicator, i.period_start) AS median
            FROM indicators i LEFT JOIN indicator_catalogue c USING (indicator)
            WHERE list_contains(?, i.indicator) AND NOT i.suppressed
        ), placed AS (
            SELECT neighbourhood_id, period_start, indicator, value, lower, upper, median,
                   CASE WHEN lower > median THEN direction
                        WHEN upper < median THEN -direction ELSE 0 END AS position
            FROM cells WHERE list_contains(?, neighbourhood_id)
        )
        SELECT *,
               max(position) OVER m = 1 AND min(position) OVER m = -1 AS disagree
        FROM placed
        WINDOW m AS (PARTITION BY neighbourhood_id, period_start)
        ORDER BY neighbourhood_id, period_start, indicator
        """,
        [indicators, neighbourhood_ids],
    )


def top_term_shifts(
    root: Source, neighbourhood_id: str, period_start: date, n: int = 20
) -> pd.DataFrame:
    """The ``n`` terms whose share shifted most (either way) in one neighbourhood and month."""
    return _query_if(
        root,
        "term_shifts",
        "SELECT * FROM term_shifts WHERE neighbourhood_id = ? AND period_start = ? "
        "ORDER BY abs(shift) DESC, term LIMIT ?",
        [neighbourhood_id, period_start, n],
    )


def term_shift_periods(root: Source) -> list[date]:
    """Months with published term shifts, oldest first."""
    frame = _query_if(
        root, "term_shifts", "SELECT DISTINCT period_start FROM term_shifts ORDER BY 1"
    )
    return [pd.Timestamp(v).date() for v in frame.get("period_start", [])]


def suppressed_counts(root: Source) -> pd.DataFrame:
    """Cells per indicator: published, suppressed (below the minimum cell size)."""
    return _query(
        root,
        "SELECT indicator, count(*) AS cells, count(*) FILTER (suppressed) AS suppressed "
        "FROM indicators GROUP BY indicator ORDER BY indicator",
    )


def source_freshness(root: Source) -> pd.DataFrame:
    """Per source in ``coverage``: first and latest month with rows, and total rows."""
    return _query_if(
        root,
        "coverage",
        "SELECT source, min(period_start) AS first_month, max(period_start) AS latest_month, "
        "sum(rows) AS rows FROM coverage WHERE rows > 0 GROUP BY source ORDER BY source",
    )


def runs(root: Source) -> pd.DataFrame:
    """Every published run, newest first."""
    return _query(root, "SELECT * FROM runs ORDER BY started_at DESC")


def columns(root: Source, name: str) -> set[str]:
    """Column names of a published table (empty when the table is absent)."""
    with _connection(root) as con:
        found = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
        ).fetchall()
    return {str(row[0]) for row in found}


def validity_flags(root: Source) -> pd.DataFrame:
    """Published cells that rest on a model that is not validated: ``indicator,
    neighbourhood_id, period_start, validity_note`` (``indicators.validity = 'not_validated'``);
    a barometer that publishes no validity (an older warehouse) gets the flags of its active
    models' failed bias audits instead (``model_cards.audit_passed``), for every cell of the
    indicators they score (``neighbourhood_id`` and ``period_start`` null = every cell)."""
    if not {"validity", "validity_note"} <= columns(root, "indicators"):
        return _audit_flags(root)
    frame = _query(
        root,
        "SELECT indicator, neighbourhood_id, period_start, validity_note FROM indicators "
        "WHERE validity = 'not_validated' AND NOT suppressed",
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


#: indicators (name prefixes) that rest on each text model's scores
MODEL_INDICATORS = {
    "hostility": ("digital_hostility_",),
    "hostility_target": ("digital_hostility_",),
    "immigration_attitude": ("digital_immigration_",),
}


def _audit_flags(root: Source) -> pd.DataFrame:
    flags = pd.DataFrame(columns=["indicator", "neighbourhood_id", "period_start", "validity_note"])
    if "audit_passed" not in columns(root, "model_cards"):
        return flags
    failed = _query(
        root, "SELECT task, version FROM model_cards WHERE active AND audit_passed = false"
    )
    names = indicator_names(root)
    rows = [
        {"indicator": name, "neighbourhood_id": None, "period_start": None,
         "validity_note": f"{task}:{version}::audit_failed"}
        for task, version in failed.itertuples(index=False)
        for name in names
        if name.startswith(MODEL_INDICATORS.get(str(task), ("\0",)))
        and not (task == "hostility_target" and name == "digital_hostility_share")
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=flags.columns) if rows else flags
