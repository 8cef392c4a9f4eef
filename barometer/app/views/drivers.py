"""Drivers: what moved in one neighbourhood: theme shares and their change, hostility by target
group, rumour prevalence, and the terms that shifted most (aggregates only, never a post).
Every share that rests on an unvalidated text model says so beside it."""

import altair as alt
import charts
import data
import pandas as pd
import streamlit as st
import ui
from i18n import language_name, month, pct, t, vega_number_expr
from units import Unit

from barometer.read import catalogue

st.title(t("nav_drivers"))
root = ui.warehouse()
names = ui.area_names(root)
months = data.periods(root, data.names.DIGITAL_NEGATIVE) or data.periods(
    root, data.names.COMPOSITE_INDEX
)
if not months or not names:
    st.info(t("no_index"))
    st.stop()
left, right = st.columns([1, 2])
with left:
    focus = ui.pick_neighbourhood(names, key="drivers_neighbourhood")
with right:
    period = ui.pick_month(months, key="drivers_month")
SHARE = Unit("share")


def cells_of(like: str) -> pd.DataFrame:
    cells = data.latest_changes(root, focus, period, like)
    if cells.empty:
        return cells
    notes = {i: ui.validity_note(root, i, focus) for i in cells["indicator"]}
    return cells.assign(
        label=cells["indicator"].map(lambda i: ui.label(root, i)),
        value_text=cells["value"].map(SHARE.value),
        interval_text=[f"{SHARE.value(lo)} – {SHARE.value(hi)}" for lo, hi in zip(
            cells["lower"], cells["upper"], strict=True)],
        change_text=cells["change"].map(lambda c: "–" if pd.isna(c) else SHARE.change(c)),
        month_text=cells["period_start"].map(lambda d: month(d, short=True)),
        validity=cells["indicator"].map(lambda i: t("not_validated_short") if notes[i] else ""),
        note=cells["indicator"].map(notes),
    )  # fmt: skip


def headline_text(themes: pd.DataFrame, hostile: pd.DataFrame) -> str:
    parts = [t("hl_drivers_where", name=names[focus], month=month(period))]
    if not themes.empty:
        top = themes.sort_values("value", ascending=False).iloc[0]
        theme = str(top["label"]).split(": ", 1)[-1]
        parts.append(t("hl_top_theme", theme=theme.lower(), share=pct(top["value"])))
    overall = hostile[hostile["indicator"] == data.names.DIGITAL_HOSTILITY]
    if not overall.empty:
        row = overall.iloc[0]
        text = t("hl_hostile", share=pct(row["value"]))
        parts.append(text + (" " + t("hl_not_validated_tail") if row["note"] else "."))
    if len(parts) == 1:
        return t("hl_drivers_none", name=names[focus], month=month(period))
    return " ".join(parts)


def shares(cells: pd.DataFrame, key: str, title: str) -> None:
    """Latest share of each indicator, its interval and its change (bars with intervals)."""
    st.subheader(title)
    if cells.empty:
        ui.not_published(title)
        return
    note = ui.validity_note(root, tuple(cells["indicator"]), focus)  # one note for all bars
    if note:
        st.warning(note, icon=":material/warning:")
    cells = cells.assign(bar_text=cells["value_text"] + cells["validity"].map(
        lambda v: f" ({v})" if v else ""))  # fmt: skip
    axis = alt.Axis(labelLimit=300, labelOverlap=False, title=None)
    tooltip = [
        alt.Tooltip("label:N", title=t("indicator")),
        alt.Tooltip("value_text:N", title=t("value")),
        alt.Tooltip("interval_text:N", title=t("interval")),
        alt.Tooltip("change_text:N", title=t("change")),
    ]
    bars = alt.Chart(cells).encode(y=alt.Y("label:N", sort="-x", axis=axis))
    chart = (
        bars.mark_bar(color=ui.MORE).encode(
            x=alt.X("value:Q", title=t("share_of_authors"), axis=charts.number_axis(SHARE)),
            tooltip=tooltip,
        )
        + bars.mark_rule(aria=False, color="black").encode(x="lower:Q", x2="upper:Q")
        + bars.mark_text(align="left", dx=4, dy=-7).encode(x="upper:Q", text="bar_text:N")
    )
    st.altair_chart(chart.properties(height=34 * len(cells) + 50), key=f"{key}_chart",
                    width="stretch", alt=t("bars_alt", title=title))  # fmt: skip
    with st.expander(t("numbers")):
        ui.show_table(
            cells,
            key=key,
            file_name=f"{key}_{focus}_{period:%Y-%m}",
            columns={"label": t("indicator"), "month_text": t("month"),
                     "value_text": t("value"), "interval_text": t("interval"),
                     "change_text": t("change"), "validity": t("validity")},
            raw=cells.assign(value_text=cells["value"], interval_text=cells["lower"].astype(
                str) + " – " + cells["upper"].astype(str), change_text=cells["change"]),
        )  # fmt: skip
        st.caption(t("change_caption"))


themes = cells_of(f"{catalogue.THEME_PREFIX}%")
hostile = cells_of(f"{catalogue.DIGITAL_HOSTILITY.removesuffix(catalogue.SHARE_SUFFIX)}%")
rumours = cells_of(f"{catalogue.DIGITAL_RUMOUR.removesuffix(catalogue.SHARE_SUFFIX)}%")
ui.headline(headline_text(themes, hostile))
shares(themes, "drivers_themes", t("themes"))
shares(hostile, "drivers_hostility", t("hostility"))
shares(rumours, "drivers_rumours", t("rumours"))

st.subheader(t("word_shift"))
shift_months = [m for m in data.term_shift_periods(root) if m <= period]
terms = data.top_term_shifts(root, focus, shift_months[-1]) if shift_months else pd.DataFrame()
if terms.empty:
    ui.not_published(t("word_shift"))
else:
    st.caption(t("word_shift_help") + f" ({month(shift_months[-1])})")
    terms = terms.assign(
        direction=terms["shift"].map(lambda s: t("more") if s > 0 else t("less")),
        shift_text=terms["shift"].map(SHARE.change),
        shift_pp=100 * terms["shift"],  # drawn in percentage points, as its axis says
        recent_text=terms["share_recent"].map(SHARE.value),
        before_text=terms["share_before"].map(SHARE.value),
        language=terms["lang"].map(language_name),
    )
    bars = alt.Chart(terms).encode(
        y=alt.Y("term:N", title=None,
                sort=list(terms.sort_values("shift", ascending=False)["term"]),
                axis=alt.Axis(labelOverlap=False))
    )  # fmt: skip
    chart = bars.mark_bar().encode(
        # shifts are often under one point: two decimals, so no two ticks read alike
        x=alt.X("shift_pp:Q", title=t("shift"), axis=alt.Axis(labelExpr=vega_number_expr(2))),
        color=alt.Color(
            "direction:N",
            title=None,
            scale=alt.Scale(domain=[t("more"), t("less")], range=[ui.MORE, ui.LESS]),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("term:N", title=t("term")),
            alt.Tooltip("language:N", title=t("language_col")),
            alt.Tooltip("recent_text:N", title=t("share_recent")),
            alt.Tooltip("before_text:N", title=t("share_before")),
            alt.Tooltip("shift_text:N", title=t("shift")),
        ],
    )
    st.altair_chart(chart.properties(height=22 * len(terms) + 40), key="drivers_terms_chart",
                    width="stretch", alt=t("bars_alt", title=t("word_shift")))  # fmt: skip
    with st.expander(t("numbers")):
        ui.show_table(
            terms,
            key="drivers_terms",
            file_name=f"term_shifts_{focus}_{shift_months[-1]:%Y-%m}",
            columns={"term": t("term"), "language": t("language_col"),
                     "recent_text": t("share_recent"), "before_text": t("share_before"),
                     "shift_text": t("shift")},
            raw=terms.assign(recent_text=terms["share_recent"],
                             before_text=terms["share_before"], shift_text=terms["shift"]),
        )  # fmt: skip
