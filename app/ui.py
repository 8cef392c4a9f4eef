"""Shared page furniture: the sign-in gate, the warehouse check and its banners, selections kept
across pages, headlines, validity notes, tables with a CSV download, and the colour-blind-safe
palettes.

Selections live in ``st.session_state`` under :data:`PERIOD`, :data:`FOCUS` and
:data:`COMPARE`; each page's own widget starts from them and writes back on change, so a month
or neighbourhood chosen on one page is the one shown on the next.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import data
import pandas as pd
import streamlit as st
from i18n import indicator_label, lang, month, t, task_label
from units import unit_of

from barometer import read

PERIOD = "period"  # date: the month chosen last, on any page
FOCUS = "neighbourhood"  # str: the neighbourhood chosen last (single-neighbourhood views)
COMPARE = "neighbourhoods"  # list[str]: up to four neighbourhoods to compare

# Viridis, 5 classes: colour-blind safe and readable in greyscale (low -> high).
VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
# Okabe-Ito: the categorical palette for lines (colour-blind safe).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
# Blue (more) / orange (less): a diverging pair that survives every common colour blindness.
MORE, LESS = "#0072B2", "#E69F00"
NO_VALUE = "#c8c8c8"


# --- sign-in -------------------------------------------------------------------------------


def auth_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an ``[auth]`` section (an OIDC provider)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def signed_in() -> bool:
    """True without ``[auth]`` (an open laptop demo), else whether the user has signed in."""
    return not auth_configured() or bool(st.user.get("is_logged_in", False))


def require_sign_in() -> None:
    """Stop the script with only a "Sign in" button until the user has signed in.

    The router calls it before any page; every page calls it again (through :func:`warehouse`),
    so no page script shows data before sign-in, however it is reached.
    """
    if signed_in():
        return
    st.title(t("app_title"))
    st.info(t("login_needed"))
    st.button(t("login"), on_click=st.login, key="login", type="primary")
    st.stop()


# --- the warehouse and its banners ---------------------------------------------------------


def warehouse() -> read.Published:
    """The publish this render shows (after the sign-in gate: a pinned snapshot, so every
    query of the page reads the same publish), with its banners; or stop the page after
    explaining how to build one."""
    require_sign_in()
    snap = data.published(data.warehouse())
    if snap is None:
        st.stop()
    banners(snap)
    return snap


def banners(root: read.Source) -> None:
    """Plain banners about how the last run was built: the public demo key, sources or text
    models that gave no data."""
    run = data.last_run(root)
    if not run:
        return
    if bool(run.get("demo_key")):
        st.warning(t("banner_demo_key"), icon=":material/key:")
    missing = _json_list(run.get("sources_missing"))
    if missing:
        st.info(t("banner_sources_missing", sources=_join([source_label(s) for s in missing])))
    skipped = _json_dict(run.get("tasks_not_scored"))
    if skipped:
        tasks = _join([task_label(k) for k in skipped])
        why = "; ".join(str(v) for v in skipped.values())
        st.warning(t("tasks_not_scored", tasks=tasks, why=why))


def _json_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    try:
        parsed = json.loads(str(value))
    except ValueError:
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


def _json_dict(value: object) -> dict[str, object]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return {}
    try:
        parsed = json.loads(str(value))
    except ValueError:
        return {}
    return dict(parsed) if isinstance(parsed, dict) else {}


def _join(items: Sequence[str]) -> str:
    """``a, b and c`` / ``a, b och c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {t('and')} " + items[-1]


join = _join


def source_label(name: str) -> str:
    """A configured source or dimension in words (``social`` -> Social media)."""
    from i18n import dimension

    return dimension(name)


# --- selections ------------------------------------------------------------------------------


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
        placeholder=t("choose"),
        key=key,
        on_change=_keep,
        args=(key, COMPARE),
    )
    st.session_state.setdefault(COMPARE, chosen)
    return chosen


def area_names(root: read.Source) -> dict[str, str]:
    areas = data.neighbourhoods(root)
    return dict(zip(areas["neighbourhood_id"], areas["name"], strict=True))


def label(root: read.Source, indicator: str) -> str:
    return indicator_label(indicator, data.labels(root))


def actions(root: read.Source) -> pd.DataFrame:
    """The configured actions with ``title_shown``: the title in the chosen language (the
    config's ``title_sv`` in Swedish when given, else its ``title``)."""
    frame = data.actions(root)
    if frame.empty:
        return frame.assign(title_shown=pd.Series(dtype=str))
    titles = frame["title"].astype(str)
    if lang() == "sv" and "title_sv" in frame:
        swedish = frame["title_sv"].fillna("").astype(str)
        titles = swedish.where(swedish != "", titles)
    return frame.assign(title_shown=titles)


def unit(root: read.Source, indicator: str):  # type: ignore[no-untyped-def]
    """The :class:`units.Unit` of ``indicator`` (from the published catalogue)."""
    catalogue = data.catalogue(root)
    row = catalogue[catalogue["indicator"] == indicator]
    return unit_of(str(row["unit"].iloc[0]) if not row.empty else "")


# --- headline, validity, tables ----------------------------------------------------------


def headline(text: str, details: Callable[[], None] | None = None) -> None:
    """The page's answer in one or two sentences, with the method and numbers one click away."""
    st.markdown(f"#### {text}")
    if details is not None:
        with st.expander(t("how_computed"), icon=":material/info:"):
            details()


def _failing_codes(
    root: read.Source, indicator: str | Sequence[str], neighbourhood_id: str | None = None
) -> list[str]:
    """The ``validity_note`` codes of the published cells of ``indicator`` (one name or
    several; in one neighbourhood) that rest on a model that is not validated."""
    flags = data.validity_flags(root)
    if flags.empty:
        return []
    names = [indicator] if isinstance(indicator, str) else list(indicator)
    rows = flags[flags["indicator"].isin(names)]
    if neighbourhood_id is not None:
        rows = rows[
            rows["neighbourhood_id"].isna() | (rows["neighbourhood_id"] == neighbourhood_id)
        ]
    codes = [c for note in rows["validity_note"] for c in str(note or "").split(";")]
    return [c for c in codes if c and not c.endswith(":validated")] or codes


def validity_note(
    root: read.Source, indicator: str | Sequence[str], neighbourhood_id: str | None = None
) -> str:
    """``Not validated: <reasons>`` when a published cell of ``indicator`` (one name or several,
    in one neighbourhood) rests on a model that is not validated, else ``""``; the languages that
    share a model and a reason are named together, and the composite names its components."""
    from i18n import parse_validity, validity_reason

    codes = _failing_codes(root, indicator, neighbourhood_id)
    parts = _components(codes)
    groups: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], str] = {}
    for code in codes:
        if code.split(":")[0] in parts:
            continue
        task, language, reason = parse_validity(code)
        first.setdefault((task, reason), code)
        languages = groups.setdefault((task, reason), [])
        if language and language not in languages:
            languages.append(language)
    reasons = [validity_reason(first[key], languages) for key, languages in groups.items()]
    if parts:
        labels = _join([label(root, name) for name in parts])
        reasons.insert(0, t("component_not_validated", labels=labels))
    return t("not_validated", reason="; ".join(reasons)) if reasons else ""


def _components(codes: Sequence[str]) -> list[str]:
    """The indicators named by the composite's codes (``indicator:status``, two parts)."""
    names = [c.split(":")[0] for c in codes if len(c.split(":")) == 2]
    return list(dict.fromkeys(n for n in names if n))


def validity_caption(root: read.Source, indicator: str, neighbourhood_id: str | None) -> None:
    """The short "not validated" line under a key-figure tile, the reasons on its ``?``."""
    note = validity_note(root, indicator, neighbourhood_id)
    if not note:
        return
    from i18n import model_name, parse_validity

    codes = _failing_codes(root, indicator, neighbourhood_id)
    parts = _components(codes)
    if parts:
        what = t("component_short", labels=_join([label(root, name) for name in parts]))
    else:
        tasks = dict.fromkeys(parse_validity(c)[0] for c in codes)
        what = _join([model_name(task) for task in tasks])
    st.caption(f":orange[{t('not_validated_tile', models=what)}]", help=note)


def show_validity(root: read.Source, indicator: str, neighbourhood_id: str | None = None) -> str:
    """Show the "not validated" note (as a warning) where it applies; return it."""
    note = validity_note(root, indicator, neighbourhood_id)
    if note:
        st.warning(note, icon=":material/warning:")
    return note


def show_table(
    frame: pd.DataFrame,
    key: str,
    file_name: str,
    columns: Mapping[str, str] | None = None,
    raw: pd.DataFrame | None = None,
) -> None:
    """A table and its CSV download (every table shown can be downloaded).

    ``columns`` maps the frame's columns to the headers shown (columns not named are dropped);
    the CSV holds ``raw`` (default: the same frame) under the same readable headers.
    """
    shown = frame if columns is None else frame[list(columns)].rename(columns=dict(columns))
    download = shown if raw is None else raw
    if columns is not None and raw is not None:
        download = raw[list(columns)].rename(columns=dict(columns))
    st.dataframe(shown, hide_index=True, key=key, width="stretch")
    st.download_button(
        t("download_csv"),
        download.to_csv(index=False).encode("utf-8"),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )


def not_published(what: str) -> None:
    st.info(t("not_published", what=what))


def month_or_dash(day: object) -> str:
    """``Nov 2025`` for a date, '–' when missing."""
    if day is None or pd.isna(day):  # type: ignore[call-overload]
        return "–"
    return month(pd.Timestamp(day).date(), short=True)  # type: ignore[arg-type]
