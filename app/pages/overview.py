"""Overview: the Social Trust Index per neighbourhood on a map for one month, and its trend."""

import json

import altair as alt
import data
import pandas as pd
import pydeck as pdk
import streamlit as st

INDEX = "composite_trust_index"
# Viridis, 5 classes: colour-blind safe and readable in greyscale (low -> high trust).
PALETTE = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]

st.title("Social Trust Barometer")
root = data.warehouse()
if not data.published(root):
    st.stop()

catalogue = data.catalogue(root).set_index("indicator")
months = data.periods(root, INDEX)
if not months:
    st.info("The barometer has no index values yet: every cell is suppressed or missing.")
    st.stop()

month = st.select_slider(
    "Month", options=months, value=months[-1], format_func=lambda d: d.strftime("%Y-%m"),
    key="overview_month",
)  # fmt: skip
index = data.values(root, INDEX)
areas = data.neighbourhoods(root)
current = index[index["period_start"] == month].set_index("neighbourhood_id")

st.caption(
    f"{catalogue.loc[INDEX, 'label_en']} ({catalogue.loc[INDEX, 'unit']}), "
    f"{month:%B %Y}. Method: {catalogue.loc[INDEX, 'method']}. "
    "Intervals are 95%; the map colours the central value."
)


def colour(value: float) -> list[int]:
    if pd.isna(value):
        return [200, 200, 200, 120]
    step = min(int(value // 20), len(PALETTE) - 1)
    return [*PALETTE[step], 200]


features = []
for row in areas.itertuples():
    cell = current.loc[row.neighbourhood_id] if row.neighbourhood_id in current.index else None
    value = float(cell["value"]) if cell is not None else float("nan")
    text = "no value" if pd.isna(value) else (
        f"{value:.0f} ({cell['lower']:.0f}-{cell['upper']:.0f})"
    )  # fmt: skip
    features.append(
        {
            "type": "Feature",
            "geometry": json.loads(row.geojson),
            "properties": {"name": row.name, "label": text, "fill": colour(value)},
        }
    )
layer = pdk.Layer(
    "GeoJsonLayer",
    {"type": "FeatureCollection", "features": features},
    pickable=True,
    stroked=True,
    filled=True,
    get_fill_color="properties.fill",
    get_line_color=[255, 255, 255],
    line_width_min_pixels=1,
)
view = pdk.ViewState(latitude=59.205, longitude=17.84, zoom=10.3)
left, right = st.columns([3, 2])
with left:
    st.pydeck_chart(
        pdk.Deck(
            layers=[layer],
            initial_view_state=view,
            map_style=None,
            tooltip={"text": "{name}: {label}"},
        ),
        key="overview_map",
    )
    st.caption(
        "Legend: "
        + " · ".join(f"{20 * i}-{20 * (i + 1)}" for i in range(5))
        + " (dark purple = lowest trust, yellow = highest); grey = no value."
    )
with right:
    table = (
        areas[["neighbourhood_id", "name"]]
        .merge(current[["value", "lower", "upper"]].reset_index(), how="left")
        .drop(columns="neighbourhood_id")
        .rename(columns={"name": "Neighbourhood", "value": "Index", "lower": "Lower",
                         "upper": "Upper"})
        .sort_values("Index", ascending=False)
    )  # fmt: skip
    st.dataframe(table, hide_index=True, key="overview_table", width="stretch")

st.subheader("Trend")
names = dict(zip(areas["neighbourhood_id"], areas["name"], strict=True))
chosen = st.multiselect(
    "Neighbourhoods (up to four)",
    options=list(names),
    default=list(names)[:2],
    format_func=names.get,
    max_selections=4,
    key="overview_neighbourhoods",
)
series = index[index["neighbourhood_id"].isin(chosen) & ~index["suppressed"]].copy()
series["neighbourhood"] = series["neighbourhood_id"].map(names)
series["period_start"] = pd.to_datetime(series["period_start"])
base = alt.Chart(series).encode(
    x=alt.X("period_start:T", title="Month"), color=alt.Color("neighbourhood:N", title=None)
)
band = base.mark_area(opacity=0.2).encode(y=alt.Y("lower:Q", title="Index (0-100)"), y2="upper:Q")
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
st.caption("Shaded bands: 95% intervals. Dashed lines: intercultural actions starting.")
