"""Neighbourhood boundaries, point-in-polygon assignment and a place-name gazetteer.

Coordinates are WGS84 longitude/latitude degrees. A post is assigned to a neighbourhood by, in
order of preference:

1. ``coords``: its coordinates fall inside a neighbourhood polygon (shapely STRtree, vectorised);
2. ``place``: the platform's place tag names exactly one neighbourhood;
3. ``gazetteer``: its text names exactly one neighbourhood (name, alias, hashtag or Swedish
   genitive form, e.g. ``Fittja``, ``#fittja``, ``Fittjas``, ``Hallunda centrum``);
4. ``none``: otherwise it stays municipality-wide (``neighbourhood_id`` null). A text naming two
   different neighbourhoods is ambiguous and is *not* assigned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely import STRtree
from shapely.geometry import shape

from barometer.distinct import map_distinct
from barometer.exceptions import InputError
from barometer.schema import NEIGHBOURHOODS


@dataclass(frozen=True)
class Boundaries:
    """Neighbourhood polygons with their ids, names and aliases."""

    frame: pd.DataFrame  # neighbourhood_id, name, aliases, population, geometry (shapely)

    @property
    def ids(self) -> list[str]:
        return list(self.frame["neighbourhood_id"])

    def to_table(self) -> pd.DataFrame:
        """The canonical ``neighbourhoods`` table (geometry as WKT)."""
        out = self.frame.assign(geometry_wkt=shapely.to_wkt(self.frame["geometry"].to_numpy()))
        return out[NEIGHBOURHOODS.columns]


def load_boundaries(path: Path) -> Boundaries:
    """Read neighbourhood polygons from a GeoJSON FeatureCollection.

    Each feature needs properties ``neighbourhood_id`` and ``name``; ``aliases`` (list of
    strings) and ``population`` (int) are optional. Raises :class:`InputError` naming the file and
    feature number for a missing property or an invalid geometry.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: boundary file not found") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid GeoJSON (line {exc.lineno}): {exc.msg}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not features:
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection with features")
    rows = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        for key in ("neighbourhood_id", "name"):
            if not props.get(key):
                raise InputError(f"{path}: feature {number} has no property '{key}'")
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{path}: feature {number} has no valid geometry: {exc}") from exc
        if not geometry.is_valid or geometry.is_empty:
            raise InputError(
                f"{path}: feature {number} ('{props['name']}') geometry is invalid: "
                f"{shapely.is_valid_reason(geometry)}"
            )
        rows.append(
            {
                "neighbourhood_id": str(props["neighbourhood_id"]),
                "name": str(props["name"]),
                "aliases": [str(a) for a in props.get("aliases") or []],
                "population": int(props.get("population") or 0),
                "geometry": geometry,
            }
        )
    frame = pd.DataFrame(rows)
    repeated = frame["neighbourhood_id"][frame["neighbourhood_id"].duplicated()].tolist()
    if repeated:
        raise InputError(f"{path}: neighbourhood ids repeated: {repeated}")
    return Boundaries(frame)


def assign_points(boundaries: Boundaries, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Neighbourhood id for each point (object array; ``None`` outside every polygon or NaN).

    Uses one STRtree query for all points. A point on a shared border goes to the first
    neighbourhood in file order.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    result = np.full(lon.shape, None, dtype=object)
    valid = ~(np.isnan(lon) | np.isnan(lat))
    if not valid.any():
        return result
    points = shapely.points(lon[valid], lat[valid])
    tree = STRtree(boundaries.frame["geometry"].to_numpy())
    point_idx, poly_idx = tree.query(points, predicate="intersects")
    order = np.lexsort((poly_idx, point_idx))
    point_idx, poly_idx = point_idx[order], poly_idx[order]
    first = np.unique(point_idx, return_index=True)[1]
    ids = np.asarray(boundaries.ids, dtype=object)
    valid_positions = np.flatnonzero(valid)
    result[valid_positions[point_idx[first]]] = ids[poly_idx[first]]
    return result


class Gazetteer:
    """Matches neighbourhood names in free text; unambiguous matches only."""

    def __init__(self, boundaries: Boundaries) -> None:
        self._lookup: dict[str, str] = {}
        frame = boundaries.frame
        for nid, name, aliases in zip(
            frame["neighbourhood_id"], frame["name"], frame["aliases"], strict=True
        ):
            for alias in [name, *aliases]:
                for form in self._forms(str(alias)):
                    self._lookup[form] = str(nid)
        names = sorted(self._lookup, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        self._pattern = re.compile(rf"(?<![\w#])#?({alternatives})(?!\w)", re.IGNORECASE)

    @staticmethod
    def _forms(name: str) -> set[str]:
        base = name.lstrip("#").casefold()
        forms = {base, base.replace(" ", "")}
        if not base.endswith("s"):
            forms.add(base + "s")  # Swedish genitive: Fittjas, Albys
        return forms

    def match(self, text: object) -> str | None:
        """The one neighbourhood ``text`` names, or ``None`` (no name, several, or no text)."""
        if not isinstance(text, str) or not text:
            return None
        found = {self._lookup[m.group(1).casefold()] for m in self._pattern.finditer(text)}
        return found.pop() if len(found) == 1 else None

    def match_many(self, texts: pd.Series) -> pd.Series:
        """:meth:`match` of each text (once per distinct text)."""
        return map_distinct(texts, self.match)


def assign_neighbourhoods(
    posts: pd.DataFrame, boundaries: Boundaries, gazetteer: Gazetteer | None = None
) -> pd.DataFrame:
    """Add ``neighbourhood_id`` and ``geo_method`` to social raw rows (``lat``, ``lon``,
    ``place_name``, ``text``). Returns a new frame."""
    gazetteer = gazetteer or Gazetteer(boundaries)
    out = posts.copy()
    by_coords = pd.Series(
        assign_points(boundaries, out["lon"].to_numpy(), out["lat"].to_numpy()), index=out.index
    )
    by_place = gazetteer.match_many(out["place_name"])
    by_text = gazetteer.match_many(out["text"])
    out["neighbourhood_id"] = by_coords.fillna(by_place).fillna(by_text)
    out["geo_method"] = np.select(
        [by_coords.notna(), by_place.notna(), by_text.notna()],
        ["coords", "place", "gazetteer"],
        default="none",
    )
    ids = out["neighbourhood_id"].astype("object")
    out["neighbourhood_id"] = ids.where(ids.notna(), None)
    return out
