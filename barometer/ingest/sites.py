"""Site and sensor metadata: where each observation site or counter is.

A CSV or an Excel workbook (its ``LOCATIONS`` sheet when it has one, as in the PLDP 1.0
template, else its first sheet) with one row per site. Columns are found by name, ignoring case,
spaces, ``_`` and ``-`` (the first of each list that is present):

==================  =====================================================================
field               columns
==================  =====================================================================
id (required)       ``site_id`` / ``sensor_id`` (whichever the file is for), ``location_id``,
                    ``id``
name                ``name``, ``location_name_primary``, ``site_name``, ``sensor_name``
                    (the id when absent)
site_type           ``site_type``, ``location_character``, ``location_type``, ``type``
                    (``unknown`` when absent)
place               ``lat`` + ``lon`` (or ``latitude``/``longitude``/``lng``) in WGS84
                    degrees; or a ``geometry`` / ``location_geometry`` (GeoJSON, as PLDP
                    writes it, or WKT: its centroid); or a ``neighbourhood`` (id or name of
                    a neighbourhood of the boundary file; also ``neighbourhood_id``,
                    ``location_neighbourhood``, ``location_neighborhood``, ``district``)
==================  =====================================================================

Every row needs an id and a place; a coordinate that is not a number, or a geometry that cannot
be read, is an :class:`InputError` naming the file, row and field. A named neighbourhood wins
over coordinates (it is the city's own statement of where the site belongs).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from barometer.exceptions import InputError
from barometer.ingest.columns import Header
from barometer.ingest.files import CsvTable, read_csv_text
from barometer.ingest.workbooks import find_sheet, read_sheet, sheet_names

NAMES: dict[str, tuple[str, ...]] = {
    "name": ("name", "locationnameprimary", "sitename", "sensorname", "locationname"),
    "site_type": ("sitetype", "locationcharacter", "locationtype", "type", "category"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "longitude", "long"),
    "geometry": ("geometry", "locationgeometry", "geojson", "wkt"),
    "neighbourhood": ("neighbourhoodid", "neighbourhood", "neighborhoodid", "neighborhood",
                      "locationneighbourhood", "locationneighborhood", "district"),
}  # fmt: skip
SITE_COLUMNS = ["name", "site_type", "lat", "lon", "neighbourhood"]


def _table(path: Path) -> CsvTable:
    if path.suffix.lower() == ".xlsx":
        names = sheet_names(path)
        return read_sheet(path, find_sheet(names, "LOCATIONS") or names[0])
    return read_csv_text(path)


def _centroid(text: str) -> tuple[float, float] | None:
    try:
        geometry = (
            shape(json.loads(text)) if text.lstrip().startswith("{") else shapely.from_wkt(text)
        )
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        return None
    if geometry is None or geometry.is_empty:
        return None
    point = geometry.centroid
    return float(point.y), float(point.x)


def _coordinates(
    path: Path, table: CsvTable, found: dict[str, str | None], out: pd.DataFrame
) -> None:
    """Set ``out``'s ``lat`` and ``lon`` (degrees, NaN where empty); refuse text that is not a
    number."""
    frame = table.frame
    for field in ("lat", "lon"):
        column = found[field]
        text = frame[column].astype(str).str.strip() if column else pd.Series("", frame.index)
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            row = table.lines[int(np.flatnonzero(bad.to_numpy())[0])]
            raise InputError(f"{path}: row {row}, field '{column}': not a number")
        out[field] = values.astype("float64")


def _place_by_geometry(
    path: Path, table: CsvTable, geometry: str | None, out: pd.DataFrame
) -> None:
    """Place a site without coordinates at its geometry's centroid (GeoJSON or WKT)."""
    if not geometry:
        return
    lat, lon = out["lat"].to_numpy(copy=True), out["lon"].to_numpy(copy=True)
    for position, cell in enumerate(table.frame[geometry].astype(str).tolist()):
        if not cell.strip() or not np.isnan(lat[position]):
            continue
        point = _centroid(cell)
        if point is None:
            row = table.lines[position]
            raise InputError(
                f"{path}: row {row}, field '{geometry}': not a GeoJSON or WKT geometry"
            )
        lat[position], lon[position] = point
    out["lat"], out["lon"] = lat, lon


def read_site_table(path: Path, id_column: str) -> pd.DataFrame:
    """Read site or sensor metadata: ``id_column``, ``name``, ``site_type``, ``lat``, ``lon``
    (NaN where the site is placed by its neighbourhood) and ``neighbourhood`` (text or None)."""
    table = _table(path)
    if table.bad_rows:
        line, reason = table.bad_rows[0]
        raise InputError(f"{path}: line {line}: {reason}")
    header = Header(path, list(table.frame.columns), "")
    id_names = (id_column.replace("_", ""), "locationid", "id", "siteid", "sensorid")
    id_found = header.conventional(id_names)
    if id_found is None:
        raise InputError(
            f"{path}: no '{id_column}' (or 'location_id', 'id') column; {header.found()}"
        )
    if table.frame.empty:
        raise InputError(f"{path}: no rows below the header")
    frame = table.frame
    out = pd.DataFrame({id_column: frame[id_found].astype(str).str.strip()})
    found = {field: header.conventional(names) for field, names in NAMES.items()}
    out["name"] = frame[found["name"]].astype(str) if found["name"] else out[id_column]
    out["site_type"] = frame[found["site_type"]].astype(str) if found["site_type"] else "unknown"
    out["site_type"] = out["site_type"].where(out["site_type"].str.strip() != "", "unknown")
    _coordinates(path, table, found, out)
    _place_by_geometry(path, table, found["geometry"], out)
    named = (
        frame[found["neighbourhood"]].astype(str).str.strip() if found["neighbourhood"] else None
    )
    out["neighbourhood"] = named.where(named != "", None) if named is not None else None
    unplaced = (out["lat"].isna() | out["lon"].isna()) & out["neighbourhood"].isna()
    if unplaced.any():
        row = table.lines[int(np.flatnonzero(unplaced.to_numpy())[0])]
        raise InputError(
            f"{path}: row {row}: no place for the site; give 'lat' and 'lon', a 'geometry', or a "
            f"'neighbourhood'; {header.found()}"
        )
    repeated = out[id_column][out[id_column].duplicated()].tolist()
    if repeated:
        raise InputError(f"{path}: {id_column}s {repeated[:5]} appear more than once")
    return out[[id_column, *SITE_COLUMNS]].reset_index(drop=True)
