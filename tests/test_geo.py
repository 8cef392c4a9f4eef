import numpy as np
import pandas as pd
import pytest

from barometer.exceptions import InputError
from barometer.geo import Gazetteer, assign_neighbourhoods, assign_points, load_boundaries


@pytest.fixture
def boundaries(fixtures):
    return load_boundaries(fixtures / "neighbourhoods.geojson")


def test_points_in_polygons(boundaries) -> None:
    lon = np.array([17.05, 17.15, 18.0, np.nan])
    lat = np.array([59.05, 59.05, 59.05, 59.05])
    assert assign_points(boundaries, lon, lat).tolist() == ["west", "east", None, None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fest i Westby centrum ikväll", "west"),
        ("#westby är bäst", "west"),
        ("Westbys bibliotek", "west"),
        ("Ostby torg", "east"),
        ("ÖSTBY!", "east"),
        ("Westby och Östby möts", None),  # ambiguous
        ("Westbyvägen 3", None),  # part of another word
        ("inget ställe", None),
        (None, None),
    ],
)
def test_gazetteer(boundaries, text, expected) -> None:
    assert Gazetteer(boundaries).match(text) == expected


def test_assign_prefers_coords_then_place_then_text(boundaries) -> None:
    posts = pd.DataFrame(
        {
            "lon": [17.15, np.nan, np.nan, np.nan],
            "lat": [59.05, np.nan, np.nan, np.nan],
            "place_name": [None, "Östby, Sverige", None, None],
            "text": ["i Westby", "i Westby", "i Westby", "ingenstans"],
        }
    )
    out = assign_neighbourhoods(posts, boundaries)
    assert out["neighbourhood_id"].tolist() == ["east", "east", "west", None]
    assert out["geo_method"].tolist() == ["coords", "place", "gazetteer", "none"]


def test_bad_boundary_files(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_boundaries(tmp_path / "missing.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {"name": "x"}}]}')
    with pytest.raises(InputError, match="feature 1 has no property 'neighbourhood_id'"):
        load_boundaries(bad)
    bowtie = tmp_path / "bowtie.geojson"
    bowtie.write_text(
        '{"type": "FeatureCollection", "features": [{"properties": {"neighbourhood_id": "a", '
        '"name": "A"}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}]}"
    )
    with pytest.raises(InputError, match="geometry is invalid"):
        load_boundaries(bowtie)
