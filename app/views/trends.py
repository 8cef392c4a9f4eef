"""Trends: one indicator across up to four neighbourhoods (the answer in a sentence, bands,
alerts, actions); then every source side by side, with the months where the sources disagree
flagged."""

import altair as alt
import charts
import data
import headlines
import pandas as pd
import streamlit as st
import ui
from i18n import method_text, month, num, t

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
label = ui.label(root, indicator)
unit = ui.unit(root, indicator)
cells = data.series(root, (indicator,), ids)
catalogue = data.catalogue(root).set_index("indicator")


def _details() -> None:
    method = str(catalogue.loc[indicator, "method"]) if indicator in catalogue.index else ""
    st.markdown(t("method_line", method=method_text(indicator, method)))
    st.markdown(t("clear_rule"))
    shown = cells.assign(
        name=cells["neighbourhood_id"].map(names),
        month_text=[month(d, short=True) for d in cells["period_start"]],
        value_text=cells["value"].map(unit.value),
        interval_text=[f"{unit.value(lo)} – {unit.value(hi)}" for lo, hi in zip(
            cells["lower"], cells["upper"], strict=True)],
        n_text=cells["n_effective"].map(lambda n: num(n, 0)),
    )  # fmt: skip
    columns = {"name": t("neighbourhood"), "month_text": t("month"), "value_text": t("value"),
               "interval_text": t("interval"), "n_text": t("n_effective")}  # fmt: skip
    raw = cells.assign(name=shown["name"], month_text=shown["month_text"], value_text=cells[
        "value"], interval_text=cells["lower"].astype(str) + " – " + cells["upper"].astype(
        str), n_text=cells["n_effective"])  # fmt: skip
    ui.show_table(shown, key="trends_table", file_name=indicator, columns=columns, raw=raw)


if cells.empty:
    ui.not_published(label)
    st.stop()
ui.headline(headlines.trends(cells, names, label, unit), _details)
ui.show_validity(root, indicator)

alerts = data.table(root, "alerts")
if not alerts.empty:
    alerts = alerts[(alerts["indicator"] == indicator) & alerts["neighbourhood_id"].isin(ids)]
    alerts = alerts.assign(
        period_start=pd.to_datetime(alerts["period_start"]),
        sentence=[headlines.alert(r, names.get(r["neighbourhood_id"], ""), label, unit)
                  for r in alerts.to_dict("records")],
    )  # fmt: skip
st.altair_chart(
    charts.trend_chart(cells, names, list(ids), unit, label, ui.actions(root), alerts),
    key="trends_chart",
    width="stretch",
    alt=t("trends_alt", label=label),
)
st.caption(t("trends_caption"))
if not alerts.empty:
    st.markdown("\n".join(f"- {s}" for s in alerts["sentence"]))

# the whole panel, title and legend included (Streamlit fits the chart to it): about 170 px of
# plot under the title and the legend
SOURCE_HEIGHT = 300
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
colour = alt.Color(
    "neighbourhood:N",
    title=t("neighbourhood"),
    scale=alt.Scale(domain=[names[i] for i in ids], range=ui.OKABE_ITO),
    legend=alt.Legend(orient="top", symbolOpacity=1),
)
grid = st.columns(2)
for i, source in enumerate(s for s in present if s in set(placed["indicator"])):
    mine = placed[placed["indicator"] == source]
    source_unit = ui.unit(root, source)
    mine = mine.assign(
        month_text=[month(d.date()) for d in mine["period_start"]],
        value_text=mine["value"].map(source_unit.value),
    )
    tooltip = [
        alt.Tooltip("neighbourhood:N", title=t("neighbourhood")),
        alt.Tooltip("month_text:N", title=t("month")),
        alt.Tooltip("value_text:N", title=t("value")),
    ]
    base = alt.Chart(mine).encode(x=alt.X("period_start:T", axis=charts.month_axis()))
    layers = alt.layer(
        base.mark_rule(aria=False, color="#D55E00", strokeWidth=2, opacity=0.6)
        .transform_filter("datum.disagree")
        .encode(tooltip=[alt.Tooltip("month_text:N", title=t("disagree"))]),
        base.mark_area(opacity=0.18).encode(
            y=alt.Y("lower:Q", axis=charts.number_axis(source_unit), scale=alt.Scale(zero=False)),
            y2="upper:Q",
            color=colour,
        ),
        base.mark_line(point=True).encode(y="value:Q", color=colour, tooltip=tooltip),
    ).properties(title=ui.label(root, source), height=SOURCE_HEIGHT)
    with grid[i % 2]:
        st.altair_chart(layers, key=f"trends_source_{source}", width="stretch",
                        alt=t("source_alt", label=ui.label(root, source)))  # fmt: skip

st.markdown(f"**{t('disagree_months')}**")
detail = placed[placed["disagree"]]
if detail.empty:
    st.info(t("no_disagreement"))
else:
    position = {1: t("above"), 0: t("level"), -1: t("below")}
    shown = detail.assign(
        month_text=[month(d.date(), short=True) for d in detail["period_start"]],
        value_text=[ui.unit(root, i).value(v) for i, v in zip(
            detail["indicator"], detail["value"], strict=True)],
        position_text=detail["position"].map(position),
    )  # fmt: skip
    ui.show_table(
        shown,
        key="trends_disagree",
        file_name="sources_disagree",
        columns={"month_text": t("month"), "neighbourhood": t("neighbourhood"),
                 "source": t("source"), "value_text": t("value"),
                 "position_text": t("position")},
    )  # fmt: skip
