"""The small trend line of a key-figure tile: an inline SVG that says its trend in words.

Drawn from the published monthly cells of one neighbourhood and indicator (the last
:data:`MONTHS` months up to the chosen one): the central values as a line, their 95% intervals
as a pale band, the chosen month as a dot. The line takes the tile's verdict colour (better /
worse when the last change is clear, grey otherwise). For screen readers and axe the SVG is an
image whose text alternative gives the first and last month with their values and the lowest
and highest value, in the chosen language. The page shows it as an ``<img>`` with that ``alt``
text and the SVG as a ``data:`` URI (``st.html`` sanitises to plain HTML and drops inline SVG;
an image is kept, and is what screen readers and axe expect). No script, no network.
"""

from __future__ import annotations

import base64
from datetime import date
from html import escape

import pandas as pd
from i18n import month, t
from units import Unit

MONTHS = 12
WIDTH, HEIGHT, PAD = 160.0, 36.0, 3.0
#: line colours: better / worse (the theme's green/red, blue and dark orange) and neutral grey
COLOURS = {"better": "#005A8C", "worse": "#A63D00", "": "#5f5f6e"}
BAND = "#c9d6e3"


def trend_words(cells: pd.DataFrame, unit: Unit) -> str:
    """``Trend from Jan 2025 to Dec 2025: from 47 to 44; lowest 40, highest 50.``"""
    first, last = cells.iloc[0], cells.iloc[-1]
    return t(
        "spark_alt",
        first_month=month(first["period_start"], short=True),
        last_month=month(last["period_start"], short=True),
        first=unit.value(first["value"]),
        last=unit.value(last["value"]),
        low=unit.value(cells["value"].min()),
        high=unit.value(cells["value"].max()),
    )


def _months(cells: pd.DataFrame, until: date) -> pd.DataFrame:
    """The last :data:`MONTHS` months with a value up to ``until``, in time order."""
    shown = cells[(cells["period_start"] <= until) & cells["value"].notna()]
    return shown.sort_values("period_start").tail(MONTHS)


def _points(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def sparkline_svg(cells: pd.DataFrame, until: date, unit: Unit, verdict: str = "") -> str:
    """The SVG of the trend up to ``until`` (``""`` when fewer than two months have a value).

    ``cells``: one neighbourhood's cells of one indicator (``period_start``, ``value``,
    ``lower``, ``upper``); ``verdict``: ``"better"``, ``"worse"`` or ``""`` (the line's colour).
    """
    shown = _months(cells, until)
    if len(shown) < 2:
        return ""
    values = shown["value"].astype(float).tolist()
    lows = shown["lower"].astype(float).fillna(shown["value"].astype(float)).tolist()
    highs = shown["upper"].astype(float).fillna(shown["value"].astype(float)).tolist()
    bottom, top = min(lows), max(highs)
    span = top - bottom or 1.0

    def y(value: float) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (1 - (value - bottom) / span)

    step = (WIDTH - 2 * PAD) / (len(values) - 1)
    xs = [PAD + i * step for i in range(len(values))]
    band = _points(xs + xs[::-1], [y(v) for v in highs] + [y(v) for v in lows[::-1]])
    colour = COLOURS.get(verdict, COLOURS[""])
    words = escape(trend_words(shown, unit))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{words}" '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" '
        f'width="{WIDTH:.0f}" height="{HEIGHT:.0f}" style="display:block">'
        f"<title>{words}</title>"
        '<g aria-hidden="true">'
        f'<polygon points="{band}" fill="{BAND}" stroke="none"/>'
        f'<polyline points="{_points(xs, [y(v) for v in values])}" fill="none" '
        f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{y(values[-1]):.1f}" r="3" fill="{colour}"/>'
        "</g></svg>"
    )


def sparkline_html(cells: pd.DataFrame, until: date, unit: Unit, verdict: str = "") -> str:
    """The trend as an ``<img>`` for ``st.html`` (``""`` when there is no trend to draw): the
    SVG of :func:`sparkline_svg` as a ``data:`` URI, its words as ``alt`` and hover ``title``."""
    svg = sparkline_svg(cells, until, unit, verdict)
    if not svg:
        return ""
    words = escape(trend_words(_months(cells, until), unit))
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img src="data:image/svg+xml;base64,{data}" alt="{words}" title="{words}" '
        f'width="{WIDTH:.0f}" height="{HEIGHT:.0f}" '
        f'style="display:block;width:100%;max-width:{WIDTH:.0f}px;height:auto"/>'
    )


__all__ = ["MONTHS", "sparkline_html", "sparkline_svg", "trend_words"]
