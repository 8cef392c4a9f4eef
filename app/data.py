"""Cached, read-only views of the published barometer for the app's pages."""

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from barometer import read
from barometer.exceptions import WarehouseError

TTL_SECONDS = 300


def warehouse() -> Path:
    return read.default_warehouse()


def published(root: Path) -> bool:
    """Whether ``root`` holds a published barometer; if not, show how to build one."""
    try:
        read.last_run(root)
    except WarehouseError as exc:
        st.warning(str(exc))
        st.markdown(
            "Build the sample municipality's barometer with\n\n"
            "```\nbarometer run pipelines/botkyrka_sample.toml\n```\n"
            "(or `make demo`), then reload this page."
        )
        return False
    return True


@st.cache_data(ttl=TTL_SECONDS)
def neighbourhoods(root: Path) -> pd.DataFrame:
    return read.neighbourhoods(root)


@st.cache_data(ttl=TTL_SECONDS)
def catalogue(root: Path) -> pd.DataFrame:
    return read.indicator_catalogue(root)


@st.cache_data(ttl=TTL_SECONDS)
def values(root: Path, indicator: str) -> pd.DataFrame:
    return read.indicator_values(root, indicator)


@st.cache_data(ttl=TTL_SECONDS)
def periods(root: Path, indicator: str) -> list[date]:
    return read.periods(root, indicator)


@st.cache_data(ttl=TTL_SECONDS)
def actions(root: Path) -> pd.DataFrame:
    return read.actions(root)
