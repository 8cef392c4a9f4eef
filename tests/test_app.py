"""The Streamlit app, driven headless with AppTest."""

from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest

APP = str(REPO_ROOT / "app" / "main.py")


def _run(monkeypatch: pytest.MonkeyPatch, warehouse: Path) -> AppTest:
    monkeypatch.setenv("BAROMETER_WAREHOUSE", str(warehouse))
    monkeypatch.syspath_prepend(str(REPO_ROOT / "app"))
    at = AppTest.from_file(APP, default_timeout=60)
    return at.run()


def test_empty_warehouse_explains_how_to_build(monkeypatch, tmp_path) -> None:
    at = _run(monkeypatch, tmp_path / "nothing")
    assert not at.exception
    assert "build it first" in at.warning[0].value
    assert any("barometer run" in m.value for m in at.markdown)


def test_overview_shows_map_table_and_trend(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    assert not at.exception, at.exception
    assert at.title[0].value == "Social Trust Barometer"
    month = at.select_slider(key="overview_month")
    assert str(month.value) == "2024-05-01"  # the last month with an index value
    table = at.dataframe[0].value
    assert set(table["Neighbourhood"]) == {"Westby", "Östby"}
    assert table["Index"].notna().any()
    chosen = at.multiselect(key="overview_neighbourhoods")
    chosen.set_value(["east"]).run()
    assert not at.exception


def test_month_change_updates_table(monkeypatch, mini_warehouse) -> None:
    at = _run(monkeypatch, mini_warehouse)
    slider = at.select_slider(key="overview_month")
    assert slider.options == ["2024-03", "2024-05"]
    assert "May 2024" in at.caption[0].value
    slider.set_value(date(2024, 3, 1)).run()
    assert not at.exception
    assert "March 2024" in at.caption[0].value
