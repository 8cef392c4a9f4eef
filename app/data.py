"""Cached, read-only views of the published barometer for the app's pages.

A page render reads one publish: `published` opens a :class:`barometer.read.Published`
snapshot at the top of the render (one per session thread), every query of that render reads
through it, and the router closes it when the render ends (`close_snapshot`). The caches are
keyed on the snapshot's warehouse and run id, so a run that publishes while someone is looking
never mixes two publishes on one page, and the next render shows the new publish at once.
"""

import json
import threading
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from i18n import t

from barometer import read
from barometer.exceptions import BarometerError, WarehouseError

TTL_SECONDS = 300
#: a snapshot is hashed by what it reads (warehouse and publish), never by its connection
CACHE = {
    "ttl": TTL_SECONDS,
    "hash_funcs": {read.Published: lambda snap: (str(snap.root), snap.run_id)},
}
_render = threading.local()


def warehouse() -> Path:
    return read.default_warehouse()


def published(root: Path) -> read.Published | None:
    """The publish this render reads (a pinned snapshot of ``root``); ``None`` after showing
    how to build one when ``root`` holds no published barometer."""
    try:
        return snapshot(root)
    except WarehouseError:
        st.warning(t("no_warehouse_at", path=root))
        st.markdown(
            f"{t('no_warehouse')}\n\n"
            "```\nbarometer run pipelines/botkyrka_sample.toml\n```\n"
            f"{t('no_warehouse_after')}"
        )
        return None
    except (BarometerError, duckdb.Error) as exc:
        st.error(t("read_error", error=exc))
        return None


def snapshot(root: Path) -> read.Published:
    """The snapshot of ``root`` this render reads, opened on first use in the render."""
    snap: read.Published | None = getattr(_render, "snapshot", None)
    if snap is None or snap.root != Path(root):
        close_snapshot()
        snap = read.Published(root)
        _render.snapshot = snap
    return snap


def close_snapshot() -> None:
    """Close this thread's snapshot (the router calls it when a render ends)."""
    snap: read.Published | None = getattr(_render, "snapshot", None)
    _render.snapshot = None
    if snap is not None:
        snap.close()


@st.cache_data(**CACHE)
def neighbourhoods(root: read.Source) -> pd.DataFrame:
    return read.neighbourhoods(root)


@st.cache_data(**CACHE)
def catalogue(root: read.Source) -> pd.DataFrame:
    return read.indicator_catalogue(root)


@st.cache_data(**CACHE)
def values(root: read.Source, indicator: str) -> pd.DataFrame:
    return read.indicator_values(root, indicator)


@st.cache_data(**CACHE)
def periods(root: read.Source, indicator: str) -> list[date]:
    return read.periods(root, indicator)


@st.cache_data(**CACHE)
def actions(root: read.Source) -> pd.DataFrame:
    return read.actions(root)


@st.cache_data(**CACHE)
def table(root: read.Source, name: str) -> pd.DataFrame:
    """A published table by name; empty when this barometer does not have it (yet)."""
    return read.table(root, name)


@st.cache_data(**CACHE)
def labels(root: read.Source) -> dict[str, tuple[str, str]]:
    """Indicator name -> (English, Swedish) label from the published catalogue."""
    frame = read.indicator_catalogue(root)
    return {
        str(row.indicator): (str(row.label_en), str(row.label_sv)) for row in frame.itertuples()
    }


@st.cache_data(**CACHE)
def indicator_names(root: read.Source, like: str = "%") -> list[str]:
    return read.indicator_names(root, like)


@st.cache_data(**CACHE)
def series(root: read.Source, indicators: tuple[str, ...], ids: tuple[str, ...]) -> pd.DataFrame:
    return read.indicator_series(root, list(indicators), list(ids))


@st.cache_data(**CACHE)
def latest_changes(
    root: read.Source, neighbourhood_id: str, until: date, like: str = "%"
) -> pd.DataFrame:
    return read.latest_changes(root, neighbourhood_id, until, like)


@st.cache_data(**CACHE)
def recent_alerts(root: read.Source, until: date) -> pd.DataFrame:
    return read.recent_alerts(root, until)


@st.cache_data(**CACHE)
def source_positions(
    root: read.Source, indicators: tuple[str, ...], ids: tuple[str, ...]
) -> pd.DataFrame:
    return read.source_positions(root, list(indicators), list(ids))


@st.cache_data(**CACHE)
def top_term_shifts(root: read.Source, neighbourhood_id: str, period_start: date) -> pd.DataFrame:
    return read.top_term_shifts(root, neighbourhood_id, period_start)


@st.cache_data(**CACHE)
def term_shift_periods(root: read.Source) -> list[date]:
    return read.term_shift_periods(root)


@st.cache_data(**CACHE)
def suppressed_counts(root: read.Source) -> pd.DataFrame:
    return read.suppressed_counts(root)


@st.cache_data(**CACHE)
def source_freshness(root: read.Source) -> pd.DataFrame:
    return read.source_freshness(root)


@st.cache_data(**CACHE)
def runs(root: read.Source) -> pd.DataFrame:
    return read.runs(root)


@st.cache_data(**CACHE)
def model_metrics(root: read.Source) -> pd.DataFrame:
    """Per-language evaluation rows of every model card (``metrics_json``'s tidy rows that
    carry a ``lang``), with ``task`` and ``version``; empty when none are published."""
    cards = read.table(root, "model_cards")
    rows: list[dict[str, object]] = []
    for card in cards.itertuples():
        try:
            metrics = json.loads(card.metrics_json or "{}")
        except (TypeError, ValueError):
            continue
        for value in metrics.values() if isinstance(metrics, dict) else []:
            if isinstance(value, list):
                rows += [
                    {"task": card.task, "version": card.version, **item}
                    for item in value
                    if isinstance(item, dict) and "lang" in item
                ]
    return pd.DataFrame(rows)


@st.cache_data(**CACHE)
def composite_ranks(root: read.Source) -> pd.DataFrame:
    """``neighbourhood_id, period_start, rank_median, rank_lower, rank_upper`` (published as
    either ``rank_*`` or ``median/lower/upper`` columns); empty when not published."""
    frame = read.table(root, "composite_ranks")
    if frame.empty:
        return frame
    frame = frame.rename(columns={"median": "rank_median", "lower": "rank_lower",
                                  "upper": "rank_upper"})  # fmt: skip
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame[["neighbourhood_id", "period_start", "rank_median", "rank_lower", "rank_upper"]]


@st.cache_data(**CACHE)
def last_run(root: read.Source) -> dict[str, object]:
    """The newest ``runs`` row as a dict (empty when none)."""
    return read.last_run(root)


@st.cache_data(**CACHE)
def validity_flags(root: read.Source) -> pd.DataFrame:
    return read.validity_flags(root)
