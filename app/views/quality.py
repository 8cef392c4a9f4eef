"""Data quality: coverage per source, neighbourhood and month; freshness; quarantined rows and
why; suppressed cells; sensor outages."""

import json

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import dimension, t

st.title(t("nav_quality"))
root = ui.warehouse()
names = ui.area_names(root)


def heatmap(cells: pd.DataFrame, key: str) -> None:
    """Rows per neighbourhood x month: viridis (dark = few) with the count written in."""
    cells = cells.assign(
        neighbourhood=cells["neighbourhood_id"].map(names).fillna(t("unassigned")),
        month=pd.to_datetime(cells["period_start"]).dt.strftime("%Y-%m"),
    )
    base = alt.Chart(cells).encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("neighbourhood:N", title=None),
    )
    chart = base.mark_rect().encode(
        color=alt.Color("rows:Q", title=t("rows"), scale=alt.Scale(scheme="viridis")),
        tooltip=["neighbourhood", "month", "rows"],
    ) + base.mark_text(fontSize=8).encode(
        text=alt.Text("rows:Q", format=".0f"),
        color=alt.condition(
            alt.datum.rows
            < cells["rows"].min() + 0.6 * (cells["rows"].max() - cells["rows"].min()),
            alt.value("white"),
            alt.value("black"),
        ),
    )
    st.altair_chart(chart.properties(height=26 * cells["neighbourhood"].nunique() + 60),
                    key=f"{key}_chart", width="stretch")  # fmt: skip
    st.caption(t("heatmap_caption"))
    ui.show_table(cells[["neighbourhood", "month", "rows"]], key=key, file_name=key)


st.subheader(t("coverage"))
coverage = data.table(root, "coverage")
if coverage.empty:
    ui.not_published(t("coverage"))
else:
    sources = sorted(coverage["source"].unique())
    source = st.selectbox(
        t("source"),
        sources,
        index=sources.index("social") if "social" in sources else 0,
        format_func=dimension,
        key="quality_source",
    )
    heatmap(coverage[coverage["source"] == source], key=f"quality_coverage_{source}")

st.subheader(t("freshness"))
runs = data.runs(root)
if not runs.empty:
    last = runs.iloc[0]
    st.markdown(t("last_run", when=str(last["finished_at"])[:16].replace("T", " "),
                  code=last["code_version"]))  # fmt: skip
    skipped = json.loads(last.get("tasks_not_scored") or "{}")
    if skipped:
        st.warning(t("tasks_not_scored", tasks=", ".join(skipped), why="; ".join(skipped.values())))
freshness = data.source_freshness(root)
if not freshness.empty:
    ui.show_table(
        freshness.assign(
            source=freshness["source"].map(dimension),
            first_month=pd.to_datetime(freshness["first_month"]).dt.strftime("%Y-%m"),
            latest_month=pd.to_datetime(freshness["latest_month"]).dt.strftime("%Y-%m"),
        ).rename(
            columns={
                "source": t("source"),
                "first_month": t("first_month"),
                "latest_month": t("latest_month"),
                "rows": t("rows"),
            }
        ),
        key="quality_freshness",
        file_name="freshness",
    )
ui.show_table(runs.drop(columns=["row_counts"], errors="ignore"), key="quality_runs",
              file_name="runs")  # fmt: skip

st.subheader(t("quarantine"))
quarantine = data.table(root, "quarantine_summary")
if quarantine.empty:
    ui.not_published(t("quarantine"))
else:
    bars = alt.Chart(quarantine).encode(
        y=alt.Y("reason:N", title=None, sort="-x", axis=alt.Axis(labelLimit=480)),
        x=alt.X("sum(rows):Q", title=t("rows")),
    )
    chart = bars.mark_bar(color=ui.MORE) + bars.mark_text(align="left", dx=3).encode(
        text="sum(rows):Q"
    )
    st.altair_chart(chart.properties(height=24 * quarantine["reason"].nunique() + 40),
                    key="quality_quarantine_chart", width="stretch")  # fmt: skip
    ui.show_table(quarantine, key="quality_quarantine", file_name="quarantine_summary")

st.subheader(t("suppressed"))
suppressed = data.suppressed_counts(root)
ui.show_table(
    suppressed.assign(indicator=suppressed["indicator"].map(lambda i: ui.label(root, i))),
    key="quality_suppressed",
    file_name="suppressed_cells",
)

st.subheader(t("outages"))
outages = coverage[coverage["source"] == "sensing_flagged_hours"] if not coverage.empty else None
if outages is None or outages.empty:
    st.info(t("no_outages"))
else:
    heatmap(outages, key="quality_outages")
