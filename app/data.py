"""Cached, read-only views of the published barometer for the app's pages."""

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from i18n import t

from barometer import read
from barometer.exceptions import BarometerError, WarehouseError

TTL_SECONDS = 300


def warehouse() -> Path:
    return read.default_warehouse()


def published(root: Path) -> bool:
    """Whether ``root`` holds a published barometer; if not, show how to build one."""
    try:
        read.last_run(root)
    except WarehouseError:
        st.warning(t("no_warehouse_at", path=root))
        st.markdown(
            f"{t('no_warehouse')}\n\n"
            "```\nbarometer run pipelines/botkyrka_sample.toml\n```\n"
            f"{t('no_warehouse_after')}"
        )
        return False
    except (BarometerError, duckdb.Error) as exc:
        st.error(t("read_error", error=exc))
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


@st.cache_data(ttl=TTL_SECONDS)
def table(root: Path, name: str) -> pd.DataFrame:
    """A published table by name; empty when this barometer does not have it (yet)."""
    return read.table(root, name)


@st.cache_data(ttl=TTL_SECONDS)
def labels(root: Path) -> dict[str, tuple[str, str]]:
    """Indicator name -> (English, Swedish) label from the published catalogue."""
    frame = read.indicator_catalogue(root)
    return {
        str(row.indicator): (str(row.label_en), str(row.label_sv)) for row in frame.itertuples()
    }


@st.cache_data(ttl=TTL_SECONDS)
def indicator_names(root: Path, like: str = "%") -> list[str]:
    return read.indicator_names(root, like)


@st.cache_data(ttl=TTL_SECONDS)
def series(root: Path, indicators: tuple[str, ...], ids: tuple[str, ...]) -> pd.DataFrame:
    return read.indicator_series(root, list(indicators), list(ids))


@st.cache_data(ttl=TTL_SECONDS)
def latest_changes(root: Path, neighbourhood_id: str, until: date, like: str = "%") -> pd.DataFrame:
    return read.latest_changes(root, neighbourhood_id, until, like)


@st.cache_data(ttl=TTL_SECONDS)
def recent_alerts(root: Path, until: date) -> pd.DataFrame:
    return read.recent_alerts(root, until)


@st.cache_data(ttl=TTL_SECONDS)
def source_positions(root: Path, indicators: tuple[str, ...], ids: tuple[str, ...]) -> pd.DataFrame:
    return read.source_positions(root, list(indicators), list(ids))


@st.cache_data(ttl=TTL_SECONDS)
def top_term_shifts(root: Path, neighbourhood_id: str, period_start: date) -> pd.DataFrame:
    return read.top_term_shifts(root, neighbourhood_id, period_start)


@st.cache_data(ttl=TTL_SECONDS)
def term_shift_periods(root: Path) -> list[date]:
    return read.term_shift_periods(root)


@st.cache_data(ttl=TTL_SECONDS)
def suppressed_counts(root: Path) -> pd.DataFrame:
    return read.suppressed_counts(root)


@st.cache_data(ttl=TTL_SECONDS)
def source_freshness(root: Path) -> pd.DataFrame:
    return read.source_freshness(root)


@st.cache_data(ttl=TTL_SECONDS)
def runs(root: Path) -> pd.DataFrame:
    return read.runs(root)


@st.cache_data(ttl=TTL_SECONDS)
def model_metrics(root: Path) -> pd.DataFrame:
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


@st.cache_data(ttl=TTL_SECONDS)
def composite_ranks(root: Path) -> pd.DataFrame:
    """``neighbourhood_id, period_start, rank_median, rank_lower, rank_upper`` (published as
    either ``rank_*`` or ``median/lower/upper`` columns); empty when not published."""
    frame = read.table(root, "composite_ranks")
    if frame.empty:
        return frame
    frame = frame.rename(columns={"median": "rank_median", "lower": "rank_lower",
                                  "upper": "rank_upper"})  # fmt: skip
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame[["neighbourhood_id", "period_start", "rank_median", "rank_lower", "rank_upper"]]


@st.cache_data(ttl=TTL_SECONDS)
def last_run(root: Path) -> dict[str, object]:
    """The newest ``runs`` row as a dict (empty when none)."""
    return read.last_run(root)


@st.cache_data(ttl=TTL_SECONDS)
def validity_flags(root: Path) -> pd.DataFrame:
    return read.validity_flags(root)
