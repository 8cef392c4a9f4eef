"""Data quality: what the last run holds, in a sentence; coverage per source, neighbourhood and
month; freshness; quarantined rows and why (in plain words); suppressed cells; sensor
outages."""

import json
import re

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import day, dimension, lang, month, num, pct, t

st.title(t("nav_quality"))
root = ui.warehouse()
names = ui.area_names(root)

# Quarantine reasons (free text from the readers) -> a category said in plain words.
REASONS = [
    (r"timestamp|date|time", "reason_time"),
    (r"json|not an object|nested", "reason_json"),
    (r"no text", "reason_no_text"),
    (r"no id|no post url|no survey_id", "reason_no_id"),
    (r"outside|must be|not a number|whole number|under \d+", "reason_range"),
    (r"unknown|not in the", "reason_unknown_code"),
    (r"ends before|more .* than", "reason_inconsistent"),
    (r"duplicate", "reason_duplicate"),
    (r"missing", "reason_missing"),
]


def reason_category(reason: object) -> str:
    text = str(reason).lower()
    return next((key for pattern, key in REASONS if re.search(pattern, text)), "reason_other")


def heatmap(cells: pd.DataFrame, key: str) -> None:
    """Rows per neighbourhood x month: viridis (dark = few) with the count written in."""
    cells = cells.assign(
        neighbourhood=cells["neighbourhood_id"].map(names),
        period=pd.to_datetime(cells["period_start"]),
    )
    cells = cells.assign(
        month=cells["period"].dt.strftime("%Y-%m"),
        month_text=[month(d.date(), short=True) for d in cells["period"]],
        rows_text=cells["rows"].map(lambda v: num(v, 0)),
    )
    order = list(dict.fromkeys(cells.sort_values("period")["month_text"]))
    base = alt.Chart(cells).encode(
        x=alt.X("month_text:O", title=None, sort=order, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("neighbourhood:N", title=None),
    )
    high = cells["rows"].min() + 0.6 * (cells["rows"].max() - cells["rows"].min())
    chart = base.mark_rect().encode(
        color=alt.Color("rows:Q", title=t("rows"), scale=alt.Scale(scheme="viridis")),
        tooltip=[alt.Tooltip("neighbourhood:N", title=t("neighbourhood")),
                 alt.Tooltip("month_text:N", title=t("month")),
                 alt.Tooltip("rows_text:N", title=t("rows"))],
    ) + base.mark_text(fontSize=8).encode(
        text="rows_text:N",
        color=alt.condition(alt.datum.rows < high, alt.value("white"), alt.value("black")),
    )  # fmt: skip
    st.altair_chart(chart.properties(height=26 * cells["neighbourhood"].nunique() + 60),
                    key=f"{key}_chart", width="stretch", alt=t("heatmap_alt"))  # fmt: skip
    st.caption(t("heatmap_caption"))
    with st.expander(t("numbers")):
        ui.show_table(cells, key=key, file_name=key,
                      columns={"neighbourhood": t("neighbourhood"), "month_text": t("month"),
                               "rows_text": t("rows")},
                      raw=cells.assign(rows_text=cells["rows"]))  # fmt: skip


runs = data.runs(root)
quarantine = data.table(root, "quarantine_summary")
coverage = data.table(root, "coverage")
last = runs.iloc[0] if not runs.empty else None
if last is not None:
    counts = json.loads(str(last.get("row_counts") or "{}"))
    held = [
        t(f"count_{k}", n=num(counts[k], 0))
        for k in ("posts", "survey_responses", "sensor_readings", "observations")
        if counts.get(k)
    ]
    n_bad = int(quarantine["rows"].sum()) if not quarantine.empty else 0
    finished = pd.Timestamp(last["finished_at"])
    when = day(finished.date()) if not pd.isna(finished) else "–"
    text = t("hl_quality", when=when, held=ui.join(held))
    if n_bad:
        top = quarantine.assign(c=quarantine["reason"].map(reason_category)).groupby("c")[
            "rows"].sum().idxmax()  # fmt: skip
        text += " " + t("hl_quarantine", n=num(n_bad, 0), reason=t(top))
    ui.headline(text)

st.subheader(t("coverage"))
if coverage.empty:
    ui.not_published(t("coverage"))
else:
    sources = sorted(s for s in coverage["source"].unique() if s != "sensing_flagged_hours")
    source = st.selectbox(
        t("source"),
        sources,
        index=sources.index("social") if "social" in sources else 0,
        format_func=dimension,
        key="quality_source",
    )
    chosen = coverage[coverage["source"] == source]
    unplaced = chosen[chosen["neighbourhood_id"].isna()]
    if not unplaced.empty:
        total = chosen["rows"].sum()
        st.markdown(t("unplaced", n=num(unplaced["rows"].sum(), 0),
                      share=pct(unplaced["rows"].sum() / total)))  # fmt: skip
    placed = chosen[chosen["neighbourhood_id"].notna()]
    if placed.empty:
        ui.not_published(dimension(source))
    else:
        heatmap(placed, key=f"quality_coverage_{source}")

st.subheader(t("freshness"))
freshness = data.source_freshness(root)
if not freshness.empty:
    freshness = freshness.assign(
        source_text=freshness["source"].map(dimension),
        first_text=pd.to_datetime(freshness["first_month"]).map(ui.month_or_dash),
        latest_text=pd.to_datetime(freshness["latest_month"]).map(ui.month_or_dash),
        rows_text=freshness["rows"].map(lambda v: num(v, 0)),
    )
    ui.show_table(
        freshness, key="quality_freshness", file_name="freshness",
        columns={"source_text": t("source"), "first_text": t("first_month"),
                 "latest_text": t("latest_month"), "rows_text": t("rows")},
        raw=freshness.assign(rows_text=freshness["rows"]),
    )  # fmt: skip
if last is not None:
    with st.expander(t("runs_table")):
        shown = runs.assign(
            started=runs["started_at"].astype(str).str[:16].str.replace("T", " "),
            finished=runs["finished_at"].astype(str).str[:16].str.replace("T", " "),
        )
        columns = {"run_id": t("run"), "started": t("started"), "finished": t("finished"),
                   "code_version": t("code_version")}  # fmt: skip
        ui.show_table(shown, key="quality_runs", file_name="runs", columns=columns)

st.subheader(t("quarantine"))
if quarantine.empty:
    st.info(t("no_quarantine"))
else:
    quarantine = quarantine.assign(
        category=quarantine["reason"].map(lambda r: t(reason_category(r))),
        source_text=quarantine["source"].map(dimension),
        rows_text=quarantine["rows"].map(lambda v: num(v, 0)),
    )
    bars = alt.Chart(quarantine).encode(
        y=alt.Y("category:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
        x=alt.X("sum(rows):Q", title=t("rows")),
    )
    chart = bars.mark_bar(color=ui.MORE) + bars.mark_text(align="left", dx=3).encode(
        text="sum(rows):Q"
    )
    # room on the left: Vega measures the labels in its own font, a little narrower than the
    # page's, and would clip the longest reason's first letters
    chart = chart.properties(
        height=28 * quarantine["category"].nunique() + 40,
        padding={"left": 24, "top": 5, "right": 5, "bottom": 5},
    )
    st.altair_chart(chart, key="quality_quarantine_chart", width="stretch",
                    alt=t("quarantine_alt"))  # fmt: skip
    columns = {"source_text": t("source"), "file": t("file"), "field": t("field"),
               "category": t("reason"), "rows_text": t("rows")}  # fmt: skip
    if lang() == "en":
        columns["reason"] = t("reason_detail")
    ui.show_table(quarantine, key="quality_quarantine", file_name="quarantine_summary",
                  columns=columns, raw=quarantine.assign(rows_text=quarantine["rows"]))  # fmt: skip

st.subheader(t("suppressed"))
suppressed = data.suppressed_counts(root)
suppressed = suppressed.assign(
    label=suppressed["indicator"].map(lambda i: ui.label(root, i)),
    cells_text=suppressed["cells"].map(lambda v: num(v, 0)),
    suppressed_text=suppressed["suppressed"].map(lambda v: num(v, 0)),
    share_text=(suppressed["suppressed"] / suppressed["cells"]).map(pct),
)
ui.show_table(
    suppressed, key="quality_suppressed", file_name="suppressed_cells",
    columns={"label": t("indicator"), "cells_text": t("cells"),
             "suppressed_text": t("suppressed_cells"), "share_text": t("share")},
    raw=suppressed.assign(cells_text=suppressed["cells"],
                          suppressed_text=suppressed["suppressed"]),
)  # fmt: skip

st.subheader(t("outages"))
outages = coverage[coverage["source"] == "sensing_flagged_hours"] if not coverage.empty else None
if outages is None or outages.empty:
    st.info(t("no_outages"))
else:
    heatmap(outages[outages["neighbourhood_id"].notna()], key="quality_outages")
