"""Shared page furniture: the warehouse check, selections kept across pages, tables with a CSV
download, and the colour-blind-safe palettes.

Selections live in ``st.session_state`` under :data:`PERIOD`, :data:`FOCUS` and
:data:`COMPARE`; each page's own widget starts from them and writes back on change, so a month
or neighbourhood chosen on one page is the one shown on the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import data
import pandas as pd
import streamlit as st
from i18n import indicator_label, month, t

PERIOD = "period"  # date: the month chosen last, on any page
FOCUS = "neighbourhood"  # str: the neighbourhood chosen last (single-neighbourhood views)
COMPARE = "neighbourhoods"  # list[str]: up to four neighbourhoods to compare

# Viridis, 5 classes: colour-blind safe and readable in greyscale (low -> high).
VIRIDIS = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
# Okabe-Ito: the categorical palette for lines (colour-blind safe).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
# Blue (more) / orange (less): a diverging pair that survives every common colour blindness.
MORE, LESS = "#0072B2", "#E69F00"


def warehouse() -> Path:
    """The published warehouse, or stop the page after explaining how to build one."""
    root = data.warehouse()
    if not data.published(root):
        st.stop()
    return root


def _keep(widget_key: str, shared_key: str) -> None:
    st.session_state[shared_key] = st.session_state[widget_key]


def pick_month(months: Sequence[date], key: str, label: str | None = None) -> date:
    """A month slider that starts from (and updates) the month kept across pages.

    A kept month that this page lacks becomes the latest of its months at or before it.
    """
    kept = st.session_state.get(PERIOD)
    if kept not in months:
        earlier = [m for m in months if kept is not None and m <= kept]
        kept = earlier[-1] if earlier else months[-1]
    st.session_state[key] = kept
    chosen: date = st.select_slider(
        label or t("month"),
        options=list(months),
        format_func=lambda d: month(d, short=True),
        key=key,
        on_change=_keep,
        args=(key, PERIOD),
    )
    st.session_state.setdefault(PERIOD, chosen)
    return chosen


def pick_neighbourhood(names: dict[str, str], key: str) -> str:
    """A select box of one neighbourhood, kept across pages."""
    kept = st.session_state.get(FOCUS)
    st.session_state[key] = kept if kept in names else next(iter(names))
    chosen: str = st.selectbox(
        t("neighbourhood"),
        options=list(names),
        format_func=names.get,
        key=key,
        on_change=_keep,
        args=(key, FOCUS),
    )
    st.session_state.setdefault(FOCUS, chosen)
    return chosen


def pick_neighbourhoods(names: dict[str, str], key: str) -> list[str]:
    """Up to four neighbourhoods to compare, kept across pages."""
    kept = [n for n in st.session_state.get(COMPARE, []) if n in names]
    st.session_state[key] = kept if kept else list(names)[:2]
    chosen: list[str] = st.multiselect(
        t("neighbourhoods_4"),
        options=list(names),
        format_func=names.get,
        max_selections=4,
        key=key,
        on_change=_keep,
        args=(key, COMPARE),
    )
    st.session_state.setdefault(COMPARE, chosen)
    return chosen


def area_names(root: Path) -> dict[str, str]:
    areas = data.neighbourhoods(root)
    return dict(zip(areas["neighbourhood_id"], areas["name"], strict=True))


def label(root: Path, indicator: str) -> str:
    return indicator_label(indicator, data.labels(root))


def show_table(frame: pd.DataFrame, key: str, file_name: str) -> None:
    """A table and its CSV download (every table shown can be downloaded)."""
    st.dataframe(frame, hide_index=True, key=key, width="stretch")
    st.download_button(
        t("download_csv"),
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )


def not_published(what: str) -> None:
    st.info(t("not_published", what=what))


def fmt(value: object, digits: int = 2) -> str:
    """A number for display: at most ``digits`` decimals, '–' when missing."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "–"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{number:,.0f}"


def month_or_dash(day: object) -> str:
    """``2025-11`` for a date, '–' when missing."""
    if day is None or pd.isna(day):  # type: ignore[call-overload]
        return "–"
    return month(pd.Timestamp(day).date(), short=True)  # type: ignore[arg-type]
