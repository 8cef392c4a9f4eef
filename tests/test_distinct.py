"""map_distinct equals Series.map and calls the function once per distinct string."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.distinct import map_distinct
from barometer.privacy import scrub_pii, scrub_texts

VALUES = st.lists(
    st.sampled_from(["a", "b", "Fittja", "@anna hej", "", None, math.nan, 3]) | st.text(max_size=4),
    max_size=40,
)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_equals_series_map_with_one_call_per_distinct_string(values: list[object]) -> None:
    series = pd.Series(values, index=range(100, 100 + len(values)), dtype=object)
    calls: list[object] = []

    def func(v: object) -> object:
        calls.append(v)
        return f"<{v}>" if isinstance(v, str) else v

    got = map_distinct(series, func)
    expected = series.map(lambda v: f"<{v}>" if isinstance(v, str) else v)
    assert list(got.index) == list(series.index)
    assert all(same(a, b) for a, b in zip(got, expected, strict=True))
    assert got.dtype == expected.dtype
    strings = [v for v in values if isinstance(v, str)]
    assert sorted(c for c in calls if isinstance(c, str)) == sorted(set(strings))


def test_scrub_texts_scrubs_each_repeat() -> None:
    texts = pd.Series(
        ["@anna ring 070-123 45 67", "hej i Fittja", None, "@anna ring 070-123 45 67"]
    )
    got = scrub_texts(texts)
    expected = texts.map(lambda t: scrub_pii(t) if isinstance(t, str) else t)
    assert got[0] == got[3] == "<user> ring <phone>"
    assert got[1] == "hej i Fittja" and math.isnan(got[2])
    pd.testing.assert_series_equal(got, expected)
