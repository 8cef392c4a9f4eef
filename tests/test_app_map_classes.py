"""The map's colour classes agree with the numbers written on it: an area labelled "60" is
coloured like every other "60", and a "±10" is in the class its legend says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType

import pandas as pd
import pytest
from conftest import REPO_ROOT


@pytest.fixture()
def mapview(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    import i18n
    import mapview

    with i18n.using("en"):  # whatever language an earlier test's app run left behind
        yield mapview


@pytest.mark.parametrize(
    ("value", "label"),
    [(0.0, "0–19"), (19.4, "0–19"), (19.6, "20–39"), (59.4, "40–59"), (59.6, "60–79"),
     (80.0, "80–100"), (100.0, "80–100")],
)  # fmt: skip
def test_an_index_value_is_coloured_as_it_is_written(mapview, value, label) -> None:
    assert mapview.class_labels()[mapview.index_class(value)] == label


@pytest.mark.parametrize(
    ("half", "label"),
    [(0.3, "±5 or less"), (5.4, "±5 or less"), (5.6, "±6–10"), (10.4, "±6–10"),
     (10.6, "more than ±10")],
)  # fmt: skip
def test_a_half_width_is_in_the_class_its_legend_names(mapview, half, label) -> None:
    assert mapview.sure_labels()[mapview.sure_class(half)] == label


def test_two_areas_written_alike_share_a_colour(mapview) -> None:
    square = {"type": "Polygon", "coordinates": [[[18.0, 59.0], [18.1, 59.0], [18.1, 59.1],
                                                  [18.0, 59.1], [18.0, 59.0]]]}  # fmt: skip
    moved = {"type": "Polygon", "coordinates": [[[x + 0.2, y] for x, y in
                                                 square["coordinates"][0]]]}  # fmt: skip
    areas = pd.DataFrame({"neighbourhood_id": ["a", "b"], "name": ["Tumba", "Vårsta"],
                          "geojson": [json.dumps(square), json.dumps(moved)]})  # fmt: skip
    current = pd.DataFrame({"value": [59.6, 60.3], "lower": [50.0, 52.0],
                            "upper": [69.2, 68.6]}, index=["a", "b"])  # fmt: skip
    features, _ = mapview.map_data(areas, current)
    shown = [(f["properties"]["value"], f["properties"]["fill"]) for f in features]
    assert shown[0] == shown[1] and shown[0][0] == "60"
