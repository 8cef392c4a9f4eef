"""Models & fairness: each text model's card, its metrics per language, the bias-audit results,
and how well the nowcast of survey trust did against the survey waves it did not see."""

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import t

st.title(t("nav_models"))
root = ui.warehouse()

st.subheader(t("model_cards"))
cards = data.table(root, "model_cards")
if cards.empty:
    ui.not_published(t("model_cards"))
else:
    keys = [f"{row.task} {row.version}" for row in cards.itertuples()]
    active = [k for k, a in zip(keys, cards["active"], strict=True) if a]
    st.session_state.setdefault("models_card", active[0] if active else keys[0])
    chosen = st.selectbox(
        t("task"),
        keys,
        format_func=lambda k: f"{k} ({t('active')})" if k in active else k,
        key="models_card",
    )
    card = cards.iloc[keys.index(chosen)]
    ui.show_table(cards[["task", "version", "active"]], key="models_cards",
                  file_name="model_cards")  # fmt: skip
    with st.expander(chosen, expanded=True):
        st.markdown(str(card["card_markdown"] or ""))

    st.subheader(t("per_language"))
    metrics = data.model_metrics(root)
    if not metrics.empty:
        metrics = metrics[(metrics["task"] == card["task"])
                          & (metrics["version"] == card["version"])]  # fmt: skip
    if metrics.empty:
        ui.not_published(t("per_language"))
    else:
        names = sorted(metrics["metric"].dropna().unique())
        metric = st.selectbox(t("metric"), names, key="models_metric")
        shown = metrics[metrics["metric"] == metric]
        base = alt.Chart(shown).encode(y=alt.Y("lang:N", title=None))
        chart = base.mark_point(filled=True, size=80, color=ui.MORE).encode(
            x=alt.X("value:Q", title=metric), tooltip=list(shown.columns)
        )
        if {"lower", "upper"} <= set(shown.columns):
            chart += base.mark_rule(color=ui.MORE).encode(x="lower:Q", x2="upper:Q")
        chart += base.mark_text(dy=-12).encode(x="value:Q", text=alt.Text("value:Q", format=".2f"))
        st.altair_chart(chart.properties(height=60 * shown["lang"].nunique() + 40),
                        key="models_metric_chart", width="stretch")  # fmt: skip
        ui.show_table(metrics.round(3), key="models_metrics", file_name=f"metrics_{chosen}")

    st.subheader(t("audit"))
    audit = str(card.get("audit_markdown") or "")
    if audit.strip():
        st.markdown(audit)
    else:
        st.info(t("no_audit"))

st.subheader(t("nowcast"))
summary = data.table(root, "nowcast_summary")
validation = data.table(root, "nowcast_validation")
if summary.empty and validation.empty:
    ui.not_published(t("nowcast"))
else:
    if not summary.empty:
        ui.show_table(summary, key="models_nowcast_summary", file_name="nowcast_summary")
    if not validation.empty:
        st.caption(t("nowcast_help"))
        names = ui.area_names(root)
        validation = validation.assign(
            neighbourhood=validation["neighbourhood_id"].map(names),
            period_start=pd.to_datetime(validation["period_start"]).dt.strftime("%Y-%m"),
        )
        base = alt.Chart(validation).encode(
            x=alt.X("observed:Q", title=t("observed"), scale=alt.Scale(zero=False)),
        )
        chart = (
            base.mark_rule(color=ui.MORE, opacity=0.5).encode(y="lower:Q", y2="upper:Q")
            + base.mark_point(filled=True, color=ui.MORE).encode(
                y=alt.Y("predicted:Q", title=t("predicted"), scale=alt.Scale(zero=False)),
                tooltip=["neighbourhood", "period_start", "observed", "predicted"],
            )
            + base.mark_line(color="grey", strokeDash=[4, 4]).encode(y="observed:Q")
        )
        st.altair_chart(chart, key="models_nowcast_chart", width="stretch")
        ui.show_table(
            validation.drop(columns="neighbourhood_id").round(3),
            key="models_nowcast",
            file_name="nowcast_validation",
        )
