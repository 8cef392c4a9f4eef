"""Read-only queries on a published barometer (the DuckDB file), for the app and reports.

Nothing here can see raw posts: the DuckDB file holds aggregates only.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd

from barometer.warehouse import open_published

WAREHOUSE_ENV = "BAROMETER_WAREHOUSE"


def default_warehouse() -> Path:
    """The warehouse the app shows: ``$BAROMETER_WAREHOUSE`` or ``./warehouse``."""
    return Path(os.environ.get(WAREHOUSE_ENV, "warehouse"))


def _query(root: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with open_published(root) as con:
        return con.execute(sql, params or []).df()


def neighbourhoods(root: Path) -> pd.DataFrame:
    """``neighbourhood_id, name, population, geojson`` (GeoJSON geometry string, WGS84)."""
    return _query(root, "SELECT * FROM neighbourhoods ORDER BY name")


def indicator_catalogue(root: Path) -> pd.DataFrame:
    return _query(root, "SELECT * FROM indicator_catalogue")


def indicator_values(
    root: Path, indicator: str, neighbourhood_ids: list[str] | None = None
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


def periods(root: Path, indicator: str) -> list[date]:
    """Months with at least one unsuppressed value of ``indicator``, oldest first."""
    frame = _query(
        root,
        "SELECT DISTINCT period_start FROM indicators WHERE indicator = ? AND NOT suppressed "
        "ORDER BY period_start",
        [indicator],
    )
    return [pd.Timestamp(v).date() for v in frame["period_start"]]


def actions(root: Path) -> pd.DataFrame:
    return _query(root, "SELECT * FROM actions ORDER BY start")


def last_run(root: Path) -> dict[str, object]:
    frame = _query(root, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
    return {str(k): v for k, v in frame.iloc[0].items()} if not frame.empty else {}


def indicators_all(root: Path) -> pd.DataFrame:
    """The whole published ``indicators`` table (for evaluators' tools)."""
    frame = _query(
        root, "SELECT * FROM indicators ORDER BY indicator, neighbourhood_id, period_start"
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def table(root: Path, name: str) -> pd.DataFrame:
    """A published table by name; an empty frame when this barometer has no such table."""
    with open_published(root) as con:
        names = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if name not in names:
            return pd.DataFrame()
        return con.execute(f'SELECT * FROM "{name}"').df()
