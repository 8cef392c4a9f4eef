"""Trends: one indicator across up to four neighbourhoods with bands, alerts and actions; then
every source side by side, with the months where the sources disagree flagged."""

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import kind_label, lang, t

# One series per source: survey direct and small-area, nowcast, digital, sensing, observation.
SOURCES = [
    "survey_ppltrst_mean",
    "survey_ppltrst_fh",
    "nowcast_ppltrst",
    "digital_negative_share",
    "sensing_footfall_index",
    "observation_mixed_rate",
]

st.title(t("nav_trends"))
root = ui.warehouse()
names = ui.area_names(root)
indicators = data.indicator_names(root)
if not indicators or not names:
    st.info(t("no_index"))
    st.stop()

st.subheader(t("trends_compare"))
left, right = st.columns([2, 3])
with left:
    default = "composite_trust_index" if "composite_trust_index" in indicators else indicators[0]
    st.session_state.setdefault("trends_indicator", default)
    indicator = st.selectbox(
        t("indicator"),
        options=indicators,
        format_func=lambda i: ui.label(root, i),
        key="trends_indicator",
    )
with right:
    chosen = ui.pick_neighbourhoods(names, key="trends_neighbourhoods")
if not chosen:
    st.info(t("nothing_selected"))
    st.stop()

ids = tuple(chosen)
cells = data.series(root, (indicator,), ids).assign(
    neighbourhood=lambda f: f["neighbourhood_id"].map(names),
    period_start=lambda f: pd.to_datetime(f["period_start"]),
)
colour = alt.Color(
    "neighbourhood:N", title=None, scale=alt.Scale(domain=[names[i] for i in ids],
                                                   range=ui.OKABE_ITO)
)  # fmt: skip
base = alt.Chart(cells).encode(x=alt.X("period_start:T", title=t("month")), color=colour)
chart = base.mark_area(opacity=0.2).encode(
    y=alt.Y("lower:Q", title=ui.label(root, indicator)), y2="upper:Q"
) + base.mark_line(point=True).encode(
    y="value:Q", tooltip=["neighbourhood", "period_start:T", "value", "lower", "upper"]
)
alerts = data.table(root, "alerts")
if not alerts.empty:
    alerts = alerts[(alerts["indicator"] == indicator) & alerts["neighbourhood_id"].isin(ids)]
    alerts = (
        alerts.assign(period_start=pd.to_datetime(alerts["period_start"]))
        .merge(cells[["neighbourhood_id", "period_start", "value"]], how="left")
        .assign(
            neighbourhood=lambda f: f["neighbourhood_id"].map(names),
            kind=lambda f: f["kind"].map(kind_label),
            message=lambda f: f[f"message_{lang()}"],
        )
    )
    chart += (
        alt.Chart(alerts)
        .mark_point(shape="triangle-up", size=160, filled=True, stroke="black")
        .encode(x="period_start:T", y="value:Q", color=colour, tooltip=["kind", "message"])
    )
actions = data.actions(root)
if not actions.empty:
    chart += (
        alt.Chart(actions.assign(start=pd.to_datetime(actions["start"])))
        .mark_rule(strokeDash=[4, 4], color="black")
        .encode(x="start:T", tooltip=["title"])
    )
st.altair_chart(chart, key="trends_chart", width="stretch")
st.caption(t("trends_caption"))
ui.show_table(
    pd.DataFrame(
        {
            t("neighbourhood"): cells["neighbourhood"],
            t("month"): cells["period_start"].dt.strftime("%Y-%m"),
            t("value"): cells["value"].round(3),
            t("lower"): cells["lower"].round(3),
            t("upper"): cells["upper"].round(3),
            t("n_effective"): cells["n_effective"].round(1),
        }
    ),
    key="trends_table",
    file_name=f"{indicator}",
)

st.subheader(t("sources"))
st.markdown(t("sources_help"))
present = [s for s in SOURCES if s in indicators]
placed = data.source_positions(root, tuple(present), ids)
if placed.empty:
    st.info(t("no_sources"))
    st.stop()
placed = placed.assign(
    neighbourhood=lambda f: f["neighbourhood_id"].map(names),
    source=lambda f: f["indicator"].map(lambda i: ui.label(root, i)),
    period_start=lambda f: pd.to_datetime(f["period_start"]),
)
flags = placed[placed["disagree"]]
panel = alt.Chart().encode(x=alt.X("period_start:T", title=None))
rule = (
    panel.mark_rule(color="#D55E00", strokeWidth=2, opacity=0.6)
    .transform_filter("datum.disagree")
    .encode(tooltip=["neighbourhood", "period_start:T"])
)
band = panel.mark_area(opacity=0.2).encode(
    y=alt.Y("lower:Q", title=None, scale=alt.Scale(zero=False)), y2="upper:Q", color=colour
)
line = panel.mark_line(point=True).encode(
    y="value:Q",
    color=colour,
    tooltip=["neighbourhood", "source", "period_start:T", "value", "lower", "upper"],
)
grid = (
    alt.layer(rule, band, line, data=placed)
    .properties(height=110, width=760)
    .facet(row=alt.Row("source:N", title=None, header=alt.Header(labelAngle=0,
                                                               labelAlign="left")))
    .resolve_scale(y="independent")
)  # fmt: skip
st.altair_chart(grid, key="trends_sources", width="stretch")
st.markdown(f"**{t('disagree_months')}**")
if flags.empty:
    st.info(t("no_disagreement"))
else:
    position = {1: t("above"), 0: t("level"), -1: t("below")}
    detail = placed[placed["disagree"]]
    ui.show_table(
        pd.DataFrame(
            {
                t("month"): detail["period_start"].dt.strftime("%Y-%m"),
                t("neighbourhood"): detail["neighbourhood"],
                t("source"): detail["source"],
                t("value"): detail["value"].round(3),
                t("interval"): detail["lower"].map(ui.fmt) + " – " + detail["upper"].map(ui.fmt),
                t("position"): detail["position"].map(position),
            }
        ),
        key="trends_disagree",
        file_name="sources_disagree",
    )
