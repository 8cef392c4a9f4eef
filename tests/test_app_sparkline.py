"""The key-figure tiles' trend line: an SVG image that says its trend in words (both languages),
drawn from the months up to the chosen one, coloured by the tile's verdict."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from types import ModuleType

import pandas as pd
import pytest
from conftest import REPO_ROOT

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType, ModuleType]]:
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    import i18n
    import sparkline
    import units

    with i18n.using("en"):  # whatever language an earlier test's app run left behind
        yield sparkline, i18n, units


def _cells(values: list[float], start_month: int = 1, half: float = 2.0) -> pd.DataFrame:
    months = [date(2025, start_month + i, 1) for i in range(len(values))]
    return pd.DataFrame(
        {
            "period_start": months,
            "value": values,
            "lower": [v - half for v in values],
            "upper": [v + half for v in values],
        }
    )


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_trend_is_said_in_words_in_both_languages(app) -> None:
    sparkline, i18n, units = app
    cells = _cells([47.0, 40.0, 50.0, 44.0])
    svg = sparkline.sparkline_svg(cells, date(2025, 4, 1), units.Unit("index"))
    root = _parse(svg)
    english = "Trend from Jan 2025 to Apr 2025: from 47 to 44; lowest 40, highest 50."
    assert root.get("role") == "img"
    assert root.get("aria-label") == english
    assert root.find(f"{SVG}title").text == english  # shown on hover as well
    assert root.find(f"{SVG}g").get("aria-hidden") == "true"  # the drawing itself is silent
    with i18n.using("sv"):
        scale = _cells([6.25, 5.5, 7.0], half=0.3)
        swedish = sparkline.sparkline_svg(scale, date(2025, 3, 1), units.Unit("scale10"))
    assert _parse(swedish).get("aria-label") == (
        "Utvecklingen från jan 2025 till mars 2025: från 6,2 till 7,0; lägst 5,5, högst 7,0."
    )


def test_the_line_follows_the_values_up_to_the_chosen_month(app) -> None:
    sparkline, _, units = app
    cells = _cells([40.0, 60.0, 50.0, 99.0])  # April is after the chosen month
    root = _parse(sparkline.sparkline_svg(cells, date(2025, 3, 1), units.Unit("index")))
    line = root.find(f"{SVG}g/{SVG}polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == 3
    xs, ys = zip(*points, strict=True)
    assert list(xs) == sorted(xs)  # left to right in time
    assert ys[1] < ys[2] < ys[0]  # SVG y grows downwards: 60 highest, 40 lowest
    dot = root.find(f"{SVG}g/{SVG}circle")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == points[-1]  # the chosen month
    band = root.find(f"{SVG}g/{SVG}polygon").get("points").split()
    assert len(band) == 2 * 3  # upper and lower bound of every month
    assert "99" not in root.get("aria-label")


def test_at_most_a_year_and_nothing_for_a_single_month(app) -> None:
    sparkline, _, units = app
    many = pd.DataFrame(
        {
            "period_start": pd.date_range("2023-01-01", periods=24, freq="MS").date,
            "value": [float(v) for v in range(24)],
            "lower": float("nan"),
            "upper": float("nan"),
        }
    )
    root = _parse(sparkline.sparkline_svg(many, date(2024, 12, 1), units.Unit("index")))
    assert len(root.find(f"{SVG}g/{SVG}polyline").get("points").split()) == sparkline.MONTHS
    assert root.get("aria-label").startswith("Trend from Jan 2024 to Dec 2024: from 12 to 23")
    assert sparkline.sparkline_svg(_cells([5.0]), date(2025, 1, 1), units.Unit("index")) == ""


@pytest.mark.parametrize(
    ("verdict", "colour"), [("better", "#005A8C"), ("worse", "#A63D00"), ("", "#5f5f6e")]
)
def test_the_line_takes_the_tiles_verdict_colour(app, verdict, colour) -> None:
    sparkline, _, units = app
    index = units.Unit("index")
    svg = sparkline.sparkline_svg(_cells([1.0, 2.0]), date(2025, 2, 1), index, verdict)
    assert _parse(svg).find(f"{SVG}g/{SVG}polyline").get("stroke") == colour


def test_the_page_shows_it_as_an_image_with_the_words_as_its_text(app) -> None:
    sparkline, i18n, units = app
    cells = _cells([47.0, 40.0, 50.0, 44.0])
    with i18n.using("sv"):
        tag = sparkline.sparkline_html(cells, date(2025, 4, 1), units.Unit("index"), "worse")
        svg = sparkline.sparkline_svg(cells, date(2025, 4, 1), units.Unit("index"), "worse")
    image = ET.fromstring(tag)
    words = "Utvecklingen från jan 2025 till apr 2025: från 47 till 44; lägst 40, högst 50."
    assert image.get("alt") == words and image.get("title") == words
    prefix = "data:image/svg+xml;base64,"
    assert image.get("src").startswith(prefix)
    assert base64.b64decode(image.get("src")[len(prefix) :]).decode() == svg  # a standalone SVG
    assert _parse(svg).tag == f"{SVG}svg"
    assert sparkline.sparkline_html(_cells([5.0]), date(2025, 1, 1), units.Unit("index")) == ""
