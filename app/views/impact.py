"""Impact: did an action change an outcome? One verdict that reconciles the methods (in words,
with the minimum detectable effect), a dot-and-interval chart per method with how well each
method's interval did on simulated cities, the event study and the synthetic-control gap;
the researchers' tables behind an expander."""

import altair as alt
import charts
import data
import pandas as pd
import streamlit as st
import ui
import verdict
from i18n import lang, month, num, t

st.title(t("nav_impact"))
root = ui.warehouse()
estimates = data.table(root, "impact_estimates")
actions = ui.actions(root)
if estimates.empty or actions.empty:
    st.info(t("no_impact"))
    st.stop()

titles = dict(zip(actions["action_id"], actions["title_shown"], strict=True))
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
label = ui.label(root, outcome)
unit = ui.unit(root, outcome)
rows = mine[mine["outcome"] == outcome]
start = pd.Timestamp(actions.loc[actions["action_id"] == action, "start"].iloc[0])

summaries = data.table(root, "impact_summaries")
errors = summaries[(summaries.get("action_id") == action) & (summaries.get("outcome") == outcome)
                   ] if not summaries.empty else summaries  # fmt: skip
if not errors.empty and errors["error"].fillna("").iloc[0]:
    st.error(t("impact_error", error=errors["error"].iloc[0]))

published = data.table(root, "impact_verdict")
if not published.empty:
    published = published[(published["action_id"] == action) & (published["outcome"] == outcome)]
found = verdict.from_table(published.iloc[0]) if not published.empty else verdict.reconcile(rows)
calibration = data.table(root, "impact_calibration")
if not calibration.empty:
    calibration = calibration[calibration["outcome"] == outcome]


def _details() -> None:
    st.markdown(t("verdict_rule_published" if not published.empty else "verdict_rule"))
    if not calibration.empty:
        st.markdown("\n".join(f"- {verdict.calibration_sentence(r)}"
                              for _, r in calibration.iterrows()))  # fmt: skip


st.caption(t("impact_where", title=titles[action], start=month(start.date())))
if found is not None:
    ui.headline(verdict.words(found, label, unit), _details)
ui.show_validity(root, outcome)

# One dot and interval per method (its lead inference); blue = a clear effect, grey = not.
per_method = verdict.one_per_method(rows)
if not per_method.empty:
    st.subheader(t("estimates"))
    per_method = per_method.assign(
        name=per_method["method"].map(verdict.method_name),
        clear_text=per_method.apply(
            lambda r: t("clear_effect") if verdict.is_clear(r) else t("not_clear_effect"), axis=1
        ),
        estimate_text=per_method["estimate"].map(unit.change),
        interval_text=[f"{unit.change(lo)} – {unit.change(hi)}" for lo, hi in zip(
            per_method["lower"], per_method["upper"], strict=True)],
    )  # fmt: skip
    colour = alt.Color("clear_text:N", title=None, legend=alt.Legend(orient="top"),
                       scale=alt.Scale(domain=[t("clear_effect"), t("not_clear_effect")],
                                       range=[ui.MORE, "#767676"]))  # fmt: skip
    base = alt.Chart(per_method).encode(y=alt.Y("name:N", title=None, axis=alt.Axis(
        labelLimit=320)), color=colour)  # fmt: skip
    tooltip = [alt.Tooltip("name:N", title=t("method")),
               alt.Tooltip("estimate_text:N", title=t("effect")),
               alt.Tooltip("interval_text:N", title=t("interval"))]  # fmt: skip
    dots = (
        base.mark_rule(aria=False, strokeWidth=3).encode(
            x=alt.X("lower:Q", title=t("effect_axis", label=label),
                    axis=charts.number_axis(unit)), x2="upper:Q")
        + base.mark_point(filled=True, size=120).encode(x="estimate:Q", tooltip=tooltip)
        + base.mark_text(dy=-14).encode(x="estimate:Q", text="estimate_text:N")
        + alt.Chart(pd.DataFrame({"x": [0]}))
        .mark_rule(aria=False, color="#333333", strokeDash=[4, 4])
        .encode(x="x:Q")
    )  # fmt: skip
    st.altair_chart(dots.properties(height=70 * len(per_method) + 40), key="impact_methods",
                    width="stretch", alt=t("methods_alt", label=label))  # fmt: skip
    if not calibration.empty:
        st.markdown("\n".join(f"- {verdict.calibration_sentence(r)}"
                              for _, r in calibration.iterrows()))  # fmt: skip

series = data.table(root, "impact_series")
if not series.empty:
    series = series[(series["action_id"] == action) & (series["outcome"] == outcome)]
study = series[series["series"] == "event_study"] if not series.empty else series
if study.empty:
    ui.not_published(t("event_study"))
else:
    st.subheader(t("event_study"))
    st.caption(t("event_study_help"))
    study = study.assign(
        x=study["x"].astype(int),
        value_text=study["value"].map(unit.change),
        interval_text=[
            "–" if pd.isna(lo) else f"{unit.change(lo)} – {unit.change(hi)}"
            for lo, hi in zip(study["lower"], study["upper"], strict=True)
        ],
    )
    base = alt.Chart(study).encode(x=alt.X("x:Q", title=t("event_time")))
    chart = (
        base.mark_rule(aria=False, color=ui.MORE).encode(
            y=alt.Y("lower:Q", title=t("effect_axis", label=label),
                    axis=charts.number_axis(unit)), y2="upper:Q")
        + base.mark_point(filled=True, color=ui.MORE, size=50).encode(
            y="value:Q", tooltip=[alt.Tooltip("x:Q", title=t("event_time")),
                                  alt.Tooltip("value_text:N", title=t("effect")),
                                  alt.Tooltip("interval_text:N", title=t("interval"))])
        + alt.Chart(pd.DataFrame({"x": [-0.5]}))
        .mark_rule(aria=False, strokeDash=[4, 4]).encode(x="x:Q")
        + alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(aria=False, color="#767676").encode(y="y:Q")
    )  # fmt: skip
    st.altair_chart(chart, key="impact_event_study", width="stretch",
                    alt=t("event_alt", label=label))  # fmt: skip

gaps = (
    series[(series["series"] == "synth_gap") | series["series"].str.startswith("placebo:")]
    if not series.empty
    else series
)
names = ui.area_names(root)
if gaps.empty:
    ui.not_published(t("synth_gap"))
else:
    st.subheader(t("synth_gap"))
    gaps = gaps.assign(
        x=pd.to_datetime(gaps["x"]),
        kind=gaps["series"].map(lambda s: t("treated") if s == "synth_gap" else t("placebo")),
        area=gaps["series"].map(lambda s: names.get(s.removeprefix("placebo:"), t("treated"))),
        value_text=gaps["value"].map(unit.change),
    )
    gaps = gaps.assign(month_text=[month(d.date()) for d in gaps["x"]])
    chart = alt.Chart(gaps).mark_line().encode(
        x=alt.X("x:T", axis=charts.month_axis()),
        y=alt.Y("value:Q", title=t("gap_axis", label=label), axis=charts.number_axis(unit)),
        detail="series:N",
        color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="top"), scale=alt.Scale(
            domain=[t("treated"), t("placebo")], range=[ui.MORE, "#9E9E9E"])),
        strokeWidth=alt.condition(alt.datum.series == "synth_gap", alt.value(3), alt.value(1)),
        tooltip=[alt.Tooltip("area:N", title=t("neighbourhood")),
                 alt.Tooltip("month_text:N", title=t("month")),
                 alt.Tooltip("value_text:N", title=t("gap"))],
    )  # fmt: skip
    chart += (
        alt.Chart(pd.DataFrame({"x": [start]}))
        .mark_rule(aria=False, strokeDash=[4, 4])
        .encode(x="x:T")
    )
    st.altair_chart(chart, key="impact_synth", width="stretch", alt=t("synth_alt"))
st.caption(t("impact_caption"))

with st.expander(t("for_researchers")):
    table = rows.assign(
        method_text=rows["method"].map(verdict.method_name),
        inference_text=rows["inference"].fillna("").map(lambda s: t("inference_" + next(
            (k for k in ("collapsed", "wild", "cluster", "newey", "placebo") if s.lower()
             .startswith(k)), "other"))),
        estimand_text=rows["estimand"].fillna("").map(lambda s: t("estimand_" + next(
            (k for k in ("att", "level", "slope", "mean") if s.lower().startswith(k)),
            "other"))),
        estimate_text=rows["estimate"].map(lambda v: num(v, 2)),
        interval_text=[f"{num(lo, 2)} – {num(hi, 2)}" for lo, hi in zip(
            rows["lower"], rows["upper"], strict=True)],
        p_text=rows["p_value"].map(lambda p: num(p, 3)),
    )  # fmt: skip
    columns = {"method_text": t("method"), "inference_text": t("inference"),
               "estimand_text": t("estimand"), "estimate_text": t("effect"),
               "interval_text": t("interval"), "p_text": t("p_value")}  # fmt: skip
    if lang() == "en":
        columns["note"] = t("note")
    ui.show_table(table, key="impact_estimates", file_name=f"impact_{action}_{outcome}",
                  columns=columns, raw=table.assign(estimate_text=rows["estimate"],
                  p_text=rows["p_value"], interval_text=rows["lower"].astype(str) + " – "
                  + rows["upper"].astype(str)))  # fmt: skip
