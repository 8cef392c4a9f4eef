"""The index map: polygons coloured by class with a real legend, labels (name and value) that
never overlap and keep their contrast, and a companion "how sure" map of the interval widths.

Labels are placed here, not by Vega: each starts at its polygon's representative point in a
Web-Mercator frame fitted to the chart, and moves to the first nearby free spot when it would
overlap a label already placed (a leader line then joins it to its area). They are drawn black
on a white halo, readable on every fill.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import shapely
from i18n import num, t
from shapely.geometry.polygon import orient
from ui import NO_VALUE, VIRIDIS

WIDTH, HEIGHT = 520, 430  # chart size in pixels (the label layout is computed for it)
FONT = 11
CHAR_W = 0.62 * FONT  # average width of a bold sans-serif character, in pixels
LINE_H = FONT + 3
# 5 classes of 20 index points, low -> high (viridis); grey = no value
BINS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
# interval half-width classes (index points) for "how sure": dark = sure
SURE = [(0, 5), (5, 10), (10, math.inf)]
SURE_COLOURS = ["#08519c", "#6baed6", "#deebf7"]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box, gap: float = 2.0) -> bool:
        return (
            abs(self.x - other.x) * 2 < self.w + other.w + 2 * gap
            and abs(self.y - other.y) * 2 < self.h + other.h + 2 * gap
        )


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    return math.radians(lon), -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _inverse(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x), math.degrees(2 * math.atan(math.exp(-y)) - math.pi / 2)


def fit(geoms: Sequence[shapely.Geometry], width: float, height: float):  # type: ignore[no-untyped-def]
    """(to_pixels, to_lonlat): a Mercator projection fitted to the geometries' bounds."""
    lon0, lat0, lon1, lat1 = shapely.total_bounds(list(geoms))
    x0, y1 = _mercator(lon0, lat0)
    x1, y0 = _mercator(lon1, lat1)
    scale = min(width / max(x1 - x0, 1e-12), height / max(y1 - y0, 1e-12))
    dx = (width - scale * (x1 - x0)) / 2
    dy = (height - scale * (y1 - y0)) / 2

    def to_pixels(lon: float, lat: float) -> tuple[float, float]:
        x, y = _mercator(lon, lat)
        return dx + scale * (x - x0), dy + scale * (y - y0)

    def to_lonlat(px: float, py: float) -> tuple[float, float]:
        return _inverse(x0 + (px - dx) / scale, y0 + (py - dy) / scale)

    return to_pixels, to_lonlat


def _clockwise(geom: shapely.Geometry) -> shapely.Geometry:
    if isinstance(geom, shapely.MultiPolygon):
        return shapely.MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    return orient(geom, sign=-1.0) if isinstance(geom, shapely.Polygon) else geom


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    width: float,
    height: float,
) -> list[tuple[float, float]]:
    """Label centres (pixels) that do not overlap, each as near its anchor as possible.

    Labels are placed in the given order; each takes the first candidate (its anchor, then
    points on rings of growing radius around it) whose box overlaps no label placed before and
    stays inside the chart. When no candidate is free (a crowded map) the one with the least
    overlap is used.
    """
    placed: list[Box] = []
    centres = []
    for (ax, ay), (w, h) in zip(anchors, sizes, strict=True):
        candidates = [(ax, ay)]
        for radius in (16, 28, 42, 58, 76, 96, 120):
            for step in range(16):
                angle = 2 * math.pi * step / 16 - math.pi / 2
                candidates.append((ax + radius * math.cos(angle), ay + radius * math.sin(angle)))
        best, best_cost = candidates[0], math.inf
        for cx, cy in candidates:
            cx = min(max(cx, w / 2), width - w / 2)
            cy = min(max(cy, h / 2), height - h / 2)
            box = Box(cx, cy, w, h)
            cost = sum(box.overlaps(other) for other in placed)
            if cost == 0:
                best, best_cost = (cx, cy), 0
                break
            if cost < best_cost:
                best, best_cost = (cx, cy), cost
        placed.append(Box(best[0], best[1], w, h))
        centres.append(best)
    return centres


def label_size(lines: Sequence[str]) -> tuple[float, float]:
    return max(len(line) for line in lines) * CHAR_W + 6, LINE_H * len(lines) + 4


def _as_shown(value: float) -> float:
    """``value`` rounded as the map writes it (whole points), so that an area's colour never
    contradicts its label (59.6 is written "60" and coloured 60–80, like every other "60")."""
    return float(f"{value:.0f}")


def index_class(value: float) -> int | None:
    """The class of an index value as shown: 0-19 -> 0, 20-39 -> 1, ..., 80-100 -> 4."""
    if pd.isna(value):
        return None
    return max(0, min(int(_as_shown(value) // 20), len(BINS) - 1))


def class_labels() -> list[str]:
    """``0–19``, ``20–39``, ..., ``80–100``: the whole points each colour stands for."""
    last = len(BINS) - 1
    return [f"{num(lo, 0)}–{num(hi if i == last else hi - 1, 0)}" for i, (lo, hi) in
            enumerate(BINS)]  # fmt: skip


def sure_labels() -> list[str]:
    return [
        t("sure_high", hi=num(SURE[0][1], 0)),
        t("sure_mid", lo=num(SURE[1][0] + 1, 0), hi=num(SURE[1][1], 0)),
        t("sure_low", lo=num(SURE[2][0], 0)),
    ]


def sure_class(half_width: float) -> int | None:
    """The "how sure" class of a half-width as shown (``±5 or less``, ``±6–10``, ``more than
    ±10``, in whole points)."""
    if pd.isna(half_width):
        return None
    shown = _as_shown(half_width)
    return next(i for i, (lo, hi) in enumerate(SURE) if shown <= hi or i == len(SURE) - 1)


def map_data(areas: pd.DataFrame, current: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """(polygon features, label rows) for the map of ``current`` (indexed by
    neighbourhood id, columns value, lower, upper)."""
    # Vega (d3-geo) reads a ring as the inside when it runs clockwise: rewind every polygon so,
    # or a counter-clockwise GeoJSON ring fills the whole globe except the neighbourhood.
    geoms = [_clockwise(shapely.from_geojson(g)) for g in areas["geojson"]]
    to_pixels, to_lonlat = fit(geoms, WIDTH, HEIGHT)
    classes = class_labels()
    sure = sure_labels()
    features, labels, anchors, sizes = [], [], [], []
    for row, geom in zip(areas.itertuples(), geoms, strict=True):
        cell = current.loc[row.neighbourhood_id] if row.neighbourhood_id in current.index else None
        value = float(cell["value"]) if cell is not None else math.nan
        lower = float(cell["lower"]) if cell is not None else math.nan
        upper = float(cell["upper"]) if cell is not None else math.nan
        half = (upper - lower) / 2
        k, s = index_class(value), sure_class(half)
        value_text = t("no_value") if math.isnan(value) else num(value, 0)
        interval = "" if math.isnan(lower) else f"{num(lower, 0)}–{num(upper, 0)}"
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(geom)),
                "properties": {
                    "name": row.name,
                    "value": value_text,
                    "interval": interval,
                    "class": classes[k] if k is not None else t("no_value"),
                    "fill": VIRIDIS[k] if k is not None else NO_VALUE,
                    "sure": sure[s] if s is not None else t("no_value"),
                    "sure_fill": SURE_COLOURS[s] if s is not None else NO_VALUE,
                    "half": "" if math.isnan(half) else f"±{num(half, 0)}",
                },
            }
        )
        point = geom.representative_point()
        anchors.append(to_pixels(point.x, point.y))
        lines = [str(row.name), value_text]
        sizes.append(label_size(lines))
        labels.append(
            {"name": row.name, "value": value_text, "lon": point.x, "lat": point.y,
             "half": "" if math.isnan(half) else f"±{num(half, 0)}"}
        )  # fmt: skip
    order = sorted(range(len(labels)), key=lambda i: anchors[i][1])
    centres = place_labels([anchors[i] for i in order], [sizes[i] for i in order], WIDTH, HEIGHT)
    for i, (cx, cy) in zip(order, centres, strict=True):
        lon, lat = to_lonlat(cx, cy)
        moved = math.dist((cx, cy), anchors[i]) > 6
        labels[i].update(label_lon=lon, label_lat=lat, moved=moved)
    return features, labels


def _labels_layer(labels: list[dict], second: str) -> alt.LayerChart:
    frame = pd.DataFrame(labels).assign(text=lambda f: f["name"] + "\n" + f[second])
    leaders = (
        alt.Chart(frame[frame["moved"]])
        .mark_rule(aria=False, color="#333333", strokeWidth=1)
        .encode(longitude="lon:Q", latitude="lat:Q", longitude2="label_lon:Q",
                latitude2="label_lat:Q")
    )  # fmt: skip
    base = alt.Chart(frame).encode(longitude="label_lon:Q", latitude="label_lat:Q", text="text:N")
    style = {"fontSize": FONT, "fontWeight": "bold", "lineBreak": "\n", "baseline": "middle"}
    halo = base.mark_text(**style, stroke="white", strokeWidth=4, strokeJoin="round")
    ink = base.mark_text(**style, color="#111111")
    return alt.layer(leaders, halo, ink)


def index_map(features: list[dict], labels: list[dict], title: str) -> alt.LayerChart:
    """The index map: fill by class, a legend of the classes, name and value on each area."""
    domain = class_labels()
    colours = list(VIRIDIS)
    if any(f["properties"]["class"] == t("no_value") for f in features):
        domain, colours = [*domain, t("no_value")], [*colours, NO_VALUE]
    shapes = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=1.5)
        .encode(
            color=alt.Color(
                "properties.class:N",
                title=title,
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom", direction="horizontal", columns=6),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title=t("neighbourhood")),
                alt.Tooltip("properties.value:N", title=t("index")),
                alt.Tooltip("properties.interval:N", title=t("interval")),
            ],
        )
    )
    return (
        alt.layer(shapes, _labels_layer(labels, "value"))
        .project(type="mercator")
        .properties(width=WIDTH, height=HEIGHT)
    )


def sure_map(features: list[dict], labels: list[dict]) -> alt.LayerChart:
    """How sure: the half-width of each 95% interval, dark = narrow (sure), pale = wide."""
    domain, colours = sure_labels(), list(SURE_COLOURS)
    if any(f["properties"]["sure"] == t("no_value") for f in features):
        domain, colours = [*domain, t("no_value")], [*colours, NO_VALUE]
    shapes = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=1.5)
        .encode(
            color=alt.Color(
                "properties.sure:N",
                title=t("sure_title"),
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom", direction="horizontal", columns=4),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title=t("neighbourhood")),
                alt.Tooltip("properties.half:N", title=t("interval_half")),
            ],
        )
    )
    return (
        alt.layer(shapes, _labels_layer(labels, "half"))
        .project(type="mercator")
        .properties(width=WIDTH, height=HEIGHT)
    )
