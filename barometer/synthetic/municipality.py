"""The sample municipality: districts, Voronoi polygons, population margins and latent trust.

Latent trust ``T[n, m]`` is on the 0-10 scale of the ESS ``ppltrst`` item and drives every
simulated source (see the sample's ``README.md`` (``barometer/data/sample``))::

    T[n, m] = base[n] + season(m) + decline[n] * years_since_start(m) + effect * active(n, m)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

from barometer.exceptions import InputError
from barometer.synthetic._common import months

BOTKYRKA_ID = "0127"
#: Latitude of the local equirectangular projection used for Voronoi cells and distances.
LAT0 = 59.2
KX = float(np.cos(np.radians(LAT0)))


@dataclass(frozen=True)
class District:
    """One neighbourhood: id, display name, centre (WGS84 degrees), population, base trust.

    ``born_abroad`` is the share (0-1) of residents aged 16+ born abroad; ``base_trust`` is on
    the 0-10 scale; ``decline`` is in trust points per year.
    """

    neighbourhood_id: str
    name: str
    lat: float
    lon: float
    population: int
    born_abroad: float
    base_trust: float
    aliases: tuple[str, ...]
    decline: float = 0.0


DISTRICTS: tuple[District, ...] = (
    District(
        "alby",
        "Alby",
        59.239,
        17.848,
        12500,
        0.66,
        5.2,
        ("Alby", "Alby centrum", "Albys", "#alby", "Albyberget"),
    ),
    District(
        "eriksberg",
        "Eriksberg",
        59.233,
        17.862,
        4200,
        0.45,
        5.9,
        ("Eriksberg", "Eriksbergs", "#eriksberg", "Eriksbergsskolan"),
    ),
    District(
        "fittja",
        "Fittja",
        59.247,
        17.861,
        8100,
        0.70,
        4.8,
        ("Fittja", "Fittja centrum", "Fittjas", "#fittja", "Fittja gård"),
    ),
    District(
        "hallunda",
        "Hallunda",
        59.243,
        17.825,
        8600,
        0.62,
        6.2,
        ("Hallunda", "Hallunda centrum", "Hallundas", "#hallunda", "Hallunda torg"),
        -0.6,
    ),
    District(
        "norsborg",
        "Norsborg",
        59.244,
        17.805,
        9400,
        0.60,
        5.4,
        ("Norsborg", "Norsborgs", "Norsborg centrum", "#norsborg"),
    ),
    District(
        "tumba",
        "Tumba",
        59.199,
        17.833,
        16300,
        0.30,
        6.4,
        ("Tumba", "Tumba centrum", "Tumbas", "#tumba", "Tumba bruk"),
    ),
    District(
        "storvreten",
        "Storvreten",
        59.187,
        17.845,
        8200,
        0.35,
        6.1,
        ("Storvreten", "Storvretens", "#storvreten", "Storvretens centrum"),
    ),
    District(
        "tullinge",
        "Tullinge",
        59.205,
        17.903,
        17200,
        0.17,
        7.0,
        ("Tullinge", "Tullinge centrum", "Tullinges", "#tullinge"),
    ),
    District(
        "varsta",
        "Vårsta",
        59.165,
        17.792,
        5600,
        0.19,
        6.7,
        ("Vårsta", "Varsta", "Vårstas", "#vårsta", "#varsta", "Vårsta centrum"),
    ),
    District(
        "grodinge",
        "Grödinge",
        59.140,
        17.835,
        4900,
        0.15,
        6.9,
        ("Grödinge", "Grodinge", "Grödinges", "#grödinge", "#grodinge"),
    ),
)
IDS: tuple[str, ...] = tuple(d.neighbourhood_id for d in DISTRICTS)
HIGH_IMMIGRATION: frozenset[str] = frozenset(
    d.neighbourhood_id for d in DISTRICTS if d.born_abroad >= 0.55
)

#: Season amplitude in trust points (peak in July) and the intercultural action.
SEASON_AMPLITUDE = 0.4
ACTION: dict[str, Any] = {
    "id": "fittja-meeting-place",
    "title": "Fittja intercultural meeting place and anti-rumour campaign",
    "neighbourhood_id": "fittja",
    "start": "2024-06-01",
    "effect_latent": 1.0,
}
PLACEBO: dict[str, str] = {"neighbourhood_id": "tullinge", "start": "2024-06-01"}
AGE_GROUPS: tuple[str, ...] = ("16-29", "30-44", "45-64", "65+")
SEXES: tuple[str, ...] = ("female", "male")


def _project(geom: Any) -> Any:
    """WGS84 degrees -> local equirectangular units (longitude scaled by ``cos(59.2°)``)."""
    return shapely.transform(geom, lambda xy: xy * np.array([KX, 1.0]))


def _unproject(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: xy / np.array([KX, 1.0]))


def load_botkyrka(geojson_path: Path) -> Polygon | MultiPolygon:
    """Read the Botkyrka polygon (id ``0127``) from the Swedish municipalities GeoJSON."""
    data = json.loads(geojson_path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"].get("id") == BOTKYRKA_ID:
            geom = shape(feature["geometry"])
            if not isinstance(geom, Polygon | MultiPolygon):
                raise InputError(f"{geojson_path}: Botkyrka's geometry is a {geom.geom_type}")
            return geom
    raise InputError(f"no municipality with id {BOTKYRKA_ID!r} in {geojson_path}")


def district_polygons(boundary: Polygon | MultiPolygon) -> dict[str, Polygon | MultiPolygon]:
    """Voronoi cells around the district centres, clipped to ``boundary`` (WGS84 degrees).

    Cells are computed in a local equirectangular projection (longitude scaled by
    ``cos(59.2°)``) so that the cell edges are perpendicular bisectors in metres, then projected
    back and rounded to 6 decimals (about 0.1 m).
    """
    local_boundary = _project(boundary)
    centres = [Point(d.lon * KX, d.lat) for d in DISTRICTS]
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(centres), extend_to=local_boundary.buffer(0.5)
    )
    out: dict[str, Polygon | MultiPolygon] = {}
    for district, centre in zip(DISTRICTS, centres, strict=True):
        cell = next(c for c in cells.geoms if c.contains(centre))
        clipped = _unproject(cell.intersection(local_boundary))
        rounded = shapely.set_precision(clipped, 1e-6)
        out[district.neighbourhood_id] = rounded
    return out


def neighbourhoods_geojson(polygons: dict[str, Polygon | MultiPolygon]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the districts with id, name, aliases and population."""
    features = []
    for d in DISTRICTS:
        geom = mapping(polygons[d.neighbourhood_id])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "neighbourhood_id": d.neighbourhood_id,
                    "name": d.name,
                    "aliases": list(d.aliases),
                    "population": d.population,
                },
                "geometry": _round_coords(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _round_coords(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        if obj and isinstance(obj[0], float | int) and not isinstance(obj[0], bool):
            return [round(float(v), 6) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


def population_margins() -> pd.DataFrame:
    """Residents aged 16+ by neighbourhood x age group x sex x born abroad (0/1), in persons.

    About 77 % (high-immigration districts) or 81 % (others) of residents are 16+; the share
    born abroad is the district's, tilted towards working ages (x1.1 at 30-64, x0.7 at 65+).
    """
    rows = []
    for d in DISTRICTS:
        young = d.neighbourhood_id in HIGH_IMMIGRATION
        adults = d.population * (0.77 if young else 0.81)
        age_shares = (0.26, 0.30, 0.29, 0.15) if young else (0.19, 0.24, 0.32, 0.25)
        abroad_tilt = (1.0, 1.1, 1.1, 0.7)
        for age, a_share, tilt in zip(AGE_GROUPS, age_shares, abroad_tilt, strict=True):
            abroad = min(0.9, d.born_abroad * tilt)
            male_share = 0.52 if age == "16-29" else (0.44 if age == "65+" else 0.50)
            for sex in SEXES:
                s_share = male_share if sex == "male" else 1 - male_share
                for flag, b_share in ((0, 1 - abroad), (1, abroad)):
                    rows.append(
                        (
                            d.neighbourhood_id,
                            age,
                            sex,
                            flag,
                            round(adults * a_share * s_share * b_share),
                        )
                    )
    return pd.DataFrame(
        rows, columns=["neighbourhood_id", "age_group", "sex", "born_abroad", "population"]
    )


def season(month: str) -> float:
    """Seasonal trust term in points: ``0.4 * cos(2 pi (month_of_year - 7) / 12)``."""
    moy = int(month[5:7])
    return SEASON_AMPLITUDE * float(np.cos(2 * np.pi * (moy - 7) / 12))


def action_active(neighbourhood_id: str, month: str) -> bool:
    """Whether the action is active in ``neighbourhood_id`` during ``month`` (from its start)."""
    return neighbourhood_id == ACTION["neighbourhood_id"] and month >= ACTION["start"][:7]


def latent_trust(*, with_action: bool = True) -> pd.DataFrame:
    """Latent trust ``T`` (0-10 points) as a frame: one row per neighbourhood, one column per month.

    ``with_action=False`` gives the counterfactual without the intercultural action.
    """
    ms = months()
    data = {}
    for d in DISTRICTS:
        values = []
        for i, m in enumerate(ms):
            t = d.base_trust + season(m) + d.decline * i / 12
            if with_action and action_active(d.neighbourhood_id, m):
                t += ACTION["effect_latent"]
            values.append(t)
        data[d.neighbourhood_id] = values
    return pd.DataFrame(data, index=ms).T


def random_points_in(
    rng: np.random.Generator,
    polygon: Polygon | MultiPolygon,
    n: int,
    *,
    near: Point | None = None,
    spread_deg: float = 0.006,
) -> np.ndarray:
    """``n`` random (lon, lat) points inside ``polygon``, degrees.

    Points are drawn around ``near`` (normal, ``spread_deg`` standard deviation) when given,
    else uniformly in the bounding box, and rejected until they fall inside the polygon.
    """
    out = np.empty((0, 2))
    minx, miny, maxx, maxy = polygon.bounds
    while len(out) < n:
        k = max(2 * (n - len(out)), 16)
        if near is not None:
            cand = np.column_stack(
                [rng.normal(near.x, spread_deg / KX, k), rng.normal(near.y, spread_deg, k)]
            )
        else:
            cand = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        inside = shapely.contains_xy(polygon, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[inside]])
    return np.round(out[:n], 6)
