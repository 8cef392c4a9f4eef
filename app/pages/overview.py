"""Overview: the Social Trust Index on a map for one month, key figures per dimension with their
change, the active alerts, a printable brief, and the index trend."""

import json

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from brief import brief_html
from i18n import dimension, kind_label, lang, month, t

INDEX = "composite_trust_index"

st.title(t("app_title"))
root = ui.warehouse()

catalogue = data.catalogue(root).set_index("indicator")
months = data.periods(root, INDEX)
if not months:
    st.info(t("no_index"))
    st.stop()

period = ui.pick_month(months, key="overview_month")
index = data.values(root, INDEX)
areas = data.neighbourhoods(root)
names = ui.area_names(root)
current = index[index["period_start"] == period].set_index("neighbourhood_id")
label_col = "label_en" if lang() == "en" else "label_sv"

st.caption(
    t(
        "map_caption",
        label=catalogue.loc[INDEX, label_col],
        unit=catalogue.loc[INDEX, "unit"],
        month=month(period),
        method=catalogue.loc[INDEX, "method"],
    )
)


def colour(value: float) -> str:
    """Viridis class colour (5 classes of 20 index points); grey where there is no value."""
    if pd.isna(value):
        return "#c8c8c8"
    step = min(int(value // 20), len(ui.VIRIDIS) - 1)
    return "#{:02x}{:02x}{:02x}".format(*ui.VIRIDIS[step])


features = []
for row in areas.itertuples():
    cell = current.loc[row.neighbourhood_id] if row.neighbourhood_id in current.index else None
    value = float(cell["value"]) if cell is not None else float("nan")
    text = t("no_value") if pd.isna(value) else (
        f"{value:.0f} ({cell['lower']:.0f}-{cell['upper']:.0f})"
    )  # fmt: skip
    features.append(
        {
            "type": "Feature",
            "geometry": json.loads(row.geojson),
            "properties": {"name": row.name, "label": text, "fill": colour(value)},
        }
    )
# Vega-Lite geoshapes: the polygons alone, no tile server, no WebGL (renders headless, prints)
shapes = alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="white", strokeWidth=1.5)
polygons = shapes.encode(
    color=alt.Color("properties.fill:N", scale=None),
    tooltip=[
        alt.Tooltip("properties.name:N", title=t("neighbourhood")),
        alt.Tooltip("properties.label:N", title=t("index")),
    ],
)
labels = (
    alt.Chart(alt.Data(values=features))
    .transform_calculate(centroid="geoCentroid(null, datum)")
    .transform_calculate(lon="datum.centroid[0]", lat="datum.centroid[1]")
    .mark_text(fontSize=10, fontWeight="bold", color="black", stroke="white", strokeWidth=0.3)
    .encode(longitude="lon:Q", latitude="lat:Q", text="properties.name:N")
)
left, right = st.columns([3, 2])
with left:
    st.altair_chart(
        (polygons + labels).project(type="mercator").properties(height=420),
        key="overview_map",
        width="stretch",
    )
    bins = " · ".join(f"{20 * i}-{20 * (i + 1)}" for i in range(5))
    st.caption(t("legend", bins=bins))
with right:
    table = (
        areas[["neighbourhood_id", "name"]]
        .merge(current[["value", "lower", "upper"]].reset_index(), how="left")
        .sort_values("value", ascending=False)
    )
    ranks = data.composite_ranks(root)
    if not ranks.empty:
        ranks = ranks[ranks["period_start"] == period]
        ranks = ranks.assign(
            rank=ranks["rank_median"].map("{:.0f}".format)
            + " ("
            + ranks["rank_lower"].map("{:.0f}".format)
            + "-"
            + ranks["rank_upper"].map("{:.0f}".format)
            + ")"
        )
        table = table.merge(ranks[["neighbourhood_id", "rank"]], how="left")
    table = table.drop(columns="neighbourhood_id").rename(
        columns={
            "name": t("neighbourhood"),
            "value": t("index"),
            "lower": t("lower"),
            "upper": t("upper"),
            "rank": t("rank"),
        }
    )
    ui.show_table(table.round(1), key="overview_table", file_name=f"index_{period:%Y-%m}")

# Key figures of one neighbourhood: the index and each dimension's composite indicator.
focus = ui.pick_neighbourhood(names, key="overview_neighbourhood")
st.subheader(t("kpis", name=names[focus]))
tiles = [INDEX, *catalogue.index[catalogue["in_composite"].astype(bool)]]
kpis = data.latest_changes(root, focus, period).set_index("indicator")
kpis = kpis.loc[[i for i in tiles if i in kpis.index]]
if kpis.empty:
    st.info(t("no_kpis"))
for column, (name, cell) in zip(st.columns(max(len(kpis), 1)), kpis.iterrows(), strict=False):
    with column:
        delta = None
        if pd.notna(cell["change"]):
            delta = t(
                "kpi_change",
                change=f"{cell['change']:+.2f}",
                lower=ui.fmt(cell["change_lower"]),
                upper=ui.fmt(cell["change_upper"]),
            )
        st.metric(
            dimension(str(catalogue.loc[name, "dimension"])),
            ui.fmt(cell["value"]),
            delta,
            delta_color="off",
            help=t("kpi_help", previous=ui.month_or_dash(cell["previous_start"])),
        )
        st.caption(
            ui.label(root, name)
            + " · "
            + t(
                "kpi_interval",
                month=month(cell["period_start"], short=True),
                lower=ui.fmt(cell["lower"]),
                upper=ui.fmt(cell["upper"]),
            )
        )

st.subheader(t("alerts"))
st.caption(t("alerts_help", month=month(period)))
alerts = data.recent_alerts(root, period)
if alerts.empty:
    st.info(t("no_alerts"))
else:
    shown = pd.DataFrame(
        {
            t("month"): pd.to_datetime(alerts["period_start"]).dt.strftime("%Y-%m"),
            t("neighbourhood"): alerts["neighbourhood_id"].map(names),
            t("indicator"): alerts["indicator"].map(lambda i: ui.label(root, i)),
            t("kind"): alerts["kind"].map(kind_label),
            t("message"): alerts[f"message_{lang()}"],
        }
    )
    ui.show_table(shown, key="overview_alerts", file_name=f"alerts_{period:%Y-%m}")

brief_rows = pd.DataFrame(
    {
        t("indicator"): [ui.label(root, i) for i in kpis.index],
        t("month"): [month(d, short=True) for d in kpis["period_start"]],
        t("value"): kpis["value"].map(ui.fmt),
        t("interval"): [f"{ui.fmt(lo)} – {ui.fmt(hi)}" for lo, hi in zip(
            kpis["lower"], kpis["upper"], strict=True)],
        t("change"): [f"{ui.fmt(c)} ({ui.fmt(lo)} – {ui.fmt(hi)})" for c, lo, hi in zip(
            kpis["change"], kpis["change_lower"], kpis["change_upper"], strict=True)],
    }
)  # fmt: skip
mine = alerts[alerts["neighbourhood_id"] == focus] if not alerts.empty else alerts
brief_alerts = pd.DataFrame(
    {
        "period": pd.to_datetime(mine.get("period_start", pd.Series())).dt.strftime("%Y-%m"),
        "message": mine.get(f"message_{lang()}", pd.Series()),
    }
)
runs = data.runs(root)
run_id = str(runs["run_id"].iloc[0]) if not runs.empty else "–"
st.download_button(
    t("brief", name=names[focus]),
    brief_html(names[focus], period, brief_rows, brief_alerts, run_id),
    file_name=f"brief_{focus}_{period:%Y-%m}_{lang()}.html",
    mime="text/html",
    key="overview_brief",
)

st.subheader(t("trend"))
chosen = ui.pick_neighbourhoods(names, key="overview_neighbourhoods")
series = index[index["neighbourhood_id"].isin(chosen) & ~index["suppressed"]].copy()
series["neighbourhood"] = series["neighbourhood_id"].map(names)
series["period_start"] = pd.to_datetime(series["period_start"])
base = alt.Chart(series).encode(
    x=alt.X("period_start:T", title=t("month")),
    color=alt.Color("neighbourhood:N", title=None, scale=alt.Scale(range=ui.OKABE_ITO)),
)
band = base.mark_area(opacity=0.2).encode(
    y=alt.Y("lower:Q", title=f"{t('index')} (0-100)"), y2="upper:Q"
)
line = base.mark_line(point=True).encode(
    y="value:Q", tooltip=["neighbourhood", "period_start:T", "value", "lower", "upper"]
)
actions = data.actions(root)
rules = (
    alt.Chart(actions.assign(start=pd.to_datetime(actions["start"])))
    .mark_rule(strokeDash=[4, 4])
    .encode(x="start:T", tooltip=["title"])
)
st.altair_chart(band + line + rules, key="overview_trend", width="stretch")
st.caption(t("trend_caption"))
