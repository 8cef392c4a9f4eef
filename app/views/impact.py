"""Impact: one action and outcome: each method's estimate with its interval, the event-study,
synthetic-control gap and placebo charts, and the plain-language summary."""

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import lang, t

st.title(t("nav_impact"))
root = ui.warehouse()
estimates = data.table(root, "impact_estimates")
actions = data.actions(root)
if estimates.empty or actions.empty:
    st.info(t("no_impact"))
    st.stop()

titles = dict(zip(actions["action_id"], actions["title"], strict=True))
left, right = st.columns(2)
with left:
    options = [a for a in titles if a in set(estimates["action_id"])] or list(titles)
    action = st.selectbox(t("action"), options, format_func=titles.get, key="impact_action")
mine = estimates[estimates["action_id"] == action]
with right:
    outcomes = list(dict.fromkeys(mine["outcome"]))
    if not outcomes:
        st.info(t("no_impact"))
        st.stop()
    outcome = st.selectbox(
        t("outcome"), outcomes, format_func=lambda i: ui.label(root, i), key="impact_outcome"
    )

summaries = data.table(root, "impact_summaries")
summary = summaries[(summaries["action_id"] == action) & (summaries["outcome"] == outcome)]
st.subheader(t("summary"))
if not summary.empty and summary["error"].fillna("").iloc[0]:
    st.error(t("impact_error", error=summary["error"].iloc[0]))
elif not summary.empty:
    st.markdown(str(summary[f"summary_{lang()}"].iloc[0]))

st.subheader(t("estimates"))
rows = mine[mine["outcome"] == outcome]
ui.show_table(
    rows.drop(columns=["action_id", "outcome"]).round(4),
    key="impact_estimates",
    file_name=f"impact_{action}_{outcome}",
)

series = data.table(root, "impact_series")
series = series[(series["action_id"] == action) & (series["outcome"] == outcome)]
study = series[series["series"] == "event_study"].assign(x=lambda f: f["x"].astype(int))
if study.empty:
    ui.not_published(t("event_study"))
else:
    st.subheader(t("event_study"))
    base = alt.Chart(study).encode(x=alt.X("x:Q", title=t("event_time")))
    chart = (
        base.mark_rule(color=ui.MORE).encode(y=alt.Y("lower:Q", title=t("effect")), y2="upper:Q")
        + base.mark_point(filled=True, color=ui.MORE, size=50).encode(
            y="value:Q", tooltip=["x", "value", "lower", "upper"]
        )
        + alt.Chart(pd.DataFrame({"x": [-0.5]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
        + alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="grey").encode(y="y:Q")
    )
    st.altair_chart(chart, key="impact_event_study", width="stretch")
    ui.show_table(study.drop(columns=["action_id", "outcome"]), key="impact_event_table",
                  file_name=f"event_study_{action}_{outcome}")  # fmt: skip

gaps = series[(series["series"] == "synth_gap") | series["series"].str.startswith("placebo:")]
if gaps.empty:
    ui.not_published(t("synth_gap"))
else:
    st.subheader(t("synth_gap"))
    table = gaps.drop(columns=["action_id", "outcome"])
    gaps = gaps.assign(
        x=pd.to_datetime(gaps["x"]),
        kind=gaps["series"].map(lambda s: t("treated") if s == "synth_gap" else t("placebo")),
        unit=gaps["series"].str.removeprefix("placebo:"),
    )
    chart = alt.Chart(gaps).mark_line().encode(
        x=alt.X("x:T", title=t("month")),
        y=alt.Y("value:Q", title=t("gap")),
        detail="series:N",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=[t("treated"), t("placebo")], range=[ui.MORE, "#BBBBBB"])),
        strokeWidth=alt.condition(alt.datum.series == "synth_gap", alt.value(3), alt.value(1)),
        tooltip=["unit", "x:T", "value"],
    )  # fmt: skip
    start = actions.loc[actions["action_id"] == action, "start"].iloc[0]
    chart += (
        alt.Chart(pd.DataFrame({"x": [pd.Timestamp(start)]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x="x:T")
    )
    st.altair_chart(chart, key="impact_synth", width="stretch")
    ui.show_table(table, key="impact_synth_table", file_name=f"synth_gap_{action}_{outcome}")
st.caption(t("impact_caption"))
