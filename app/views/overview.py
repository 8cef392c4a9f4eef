"""Overview: the answer in one sentence, the Social Trust Index on a map (value and "how sure"),
a ranked table, key figures for one neighbourhood with direction and a small trend line, the
active alerts in words, a printable brief, and the index trend."""

import charts
import data
import headlines
import mapview
import pandas as pd
import streamlit as st
import ui
from brief import brief_html
from i18n import dimension, lang, method_text, month, t
from sparkline import sparkline_html
from units import direction_word

INDEX = "composite_trust_index"

st.title(t("app_title"))
root = ui.warehouse()

catalogue = data.catalogue(root).set_index("indicator")
months = data.periods(root, INDEX)
if not months:
    st.info(t("no_index"))
    st.stop()

index = data.values(root, INDEX)
areas = data.neighbourhoods(root)
names = ui.area_names(root)
index_unit = ui.unit(root, INDEX)
period = ui.pick_month(months, key="overview_month")
current = index[(index["period_start"] == period) & ~index["suppressed"]].set_index(
    "neighbourhood_id"
)

# The ranked table: rank by the published value (1 = most trust, ties share a rank) with the
# plausible ranks from the Monte-Carlo sensitivity analysis, widened to hold the value's rank.
table = (
    areas[["neighbourhood_id", "name"]]
    .merge(current[["value", "lower", "upper"]].reset_index(), how="left")
    .sort_values("value", ascending=False, na_position="last")
)
table["rank"] = table["value"].rank(ascending=False, method="min")
ranks = data.composite_ranks(root)
if not ranks.empty:
    table = table.merge(ranks[ranks["period_start"] == period], how="left", on="neighbourhood_id")
    low = table[["rank_lower", "rank"]].min(axis=1)
    high = table[["rank_upper", "rank"]].max(axis=1)
    table["plausible"] = [
        "–" if pd.isna(a) else (f"{a:.0f}" if a == b else f"{a:.0f}–{b:.0f}")
        for a, b in zip(low, high, strict=True)
    ]
table_shown = table.assign(
    value_text=table["value"].map(index_unit.value),
    interval_text=[
        "–" if pd.isna(lo) else f"{index_unit.value(lo)} – {index_unit.value(hi)}"
        for lo, hi in zip(table["lower"], table["upper"], strict=True)
    ],
    rank_text=table["rank"].map(lambda r: "–" if pd.isna(r) else f"{r:.0f}"),
)
table_columns = {
    "name": t("neighbourhood"),
    "value_text": t("index"),
    "interval_text": t("interval"),
    "rank_text": t("rank"),
}
if "plausible" in table_shown:
    table_columns["plausible"] = t("rank_plausible")


def _details() -> None:
    st.markdown(t("index_method", method=method_text(INDEX, str(catalogue.loc[INDEX, "method"]))))
    raw = table.assign(value=table["value"].round(1), lower=table["lower"].round(1),
                       upper=table["upper"].round(1))  # fmt: skip
    ui.show_table(
        table_shown,
        key="overview_table",
        file_name=f"index_{period:%Y-%m}",
        columns=table_columns,
        raw=raw.assign(value_text=raw["value"], interval_text=raw["lower"].astype(str) + " – "
                       + raw["upper"].astype(str), rank_text=raw["rank"]),
    )  # fmt: skip


ui.headline(headlines.overview(current.reset_index(), index, names, period), _details)
ui.show_validity(root, INDEX)

features, labels = mapview.map_data(areas, current)
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('map_title', month=month(period))}**")
    st.altair_chart(
        mapview.index_map(features, labels, t("index_legend")),
        key="overview_map",
        alt=t("map_alt", month=month(period)),
    )
with right:
    st.markdown(f"**{t('sure_heading')}**")
    st.altair_chart(mapview.sure_map(features, labels), key="overview_sure_map", alt=t("sure_alt"))
st.caption(t("map_caption"))

# Key figures of one neighbourhood: the index and each dimension's composite indicator.
focus = ui.pick_neighbourhood(names, key="overview_neighbourhood")
st.subheader(t("kpis", name=names[focus]))
tiles = [INDEX, *catalogue.index[catalogue["in_composite"].astype(bool)]]
kpis = data.latest_changes(root, focus, period).set_index("indicator")
kpis = kpis.loc[[i for i in tiles if i in kpis.index]]
if kpis.empty:
    st.info(t("no_kpis"))
history = data.series(root, tuple(str(i) for i in kpis.index), (focus,))
for column, (name, cell) in zip(st.columns(max(len(kpis), 1)), kpis.iterrows(), strict=False):
    unit = ui.unit(root, str(name))
    direction = int(catalogue.loc[name, "direction"])
    delta, colour, trend_colour = None, "off", ""
    if pd.notna(cell["change"]):
        clear = headlines.clear_change(
            float(cell["change"]), (cell["upper"] - cell["lower"]) / 2,
            (cell["previous_upper"] - cell["previous_lower"]) / 2,
        )  # fmt: skip
        verdict = direction_word(float(cell["change"]), direction) if clear else ""
        delta = unit.change(cell["change"]) + (
            f", {verdict}" if verdict else f" ({t('within_uncertainty')})"
        )
        if clear and direction:
            colour = "normal" if direction > 0 else "inverse"
            if cell["change"] != 0:
                trend_colour = "better" if cell["change"] * direction > 0 else "worse"
    with column, st.container(border=True):
        st.metric(
            dimension(str(catalogue.loc[name, "dimension"])),
            unit.value_with_unit(cell["value"]),
            delta,
            delta_color=colour,
            delta_arrow="auto" if colour != "off" else "off",
            help=t("kpi_help", label=ui.label(root, str(name)),
                   month=month(cell["period_start"]), lower=unit.value(cell["lower"]),
                   upper=unit.value(cell["upper"]),
                   previous=ui.month_or_dash(cell["previous_start"])),
        )  # fmt: skip
        trend = sparkline_html(history[history["indicator"] == name], period, unit, trend_colour)
        if trend:
            st.html(trend)
        if ui.label(root, str(name)) != dimension(str(catalogue.loc[name, "dimension"])):
            st.caption(ui.label(root, str(name)))
        ui.validity_caption(root, str(name), focus)

st.subheader(t("alerts"))
alerts = data.recent_alerts(root, period)
sentences: list[str] = []
if alerts.empty:
    st.info(t("no_alerts", month=month(period)))
else:
    sentences = [
        headlines.alert(row, names.get(row["neighbourhood_id"], ""),
                        ui.label(root, row["indicator"]), ui.unit(root, row["indicator"]))
        for row in alerts.to_dict("records")
    ]  # fmt: skip
    st.markdown("\n".join(f"- {s}" for s in sentences))
    st.caption(t("alerts_help", month=month(period)))

st.subheader(t("trend"))
chosen = ui.pick_neighbourhoods(names, key="overview_neighbourhoods")
series = index[index["neighbourhood_id"].isin(chosen) & ~index["suppressed"]]
actions = ui.actions(root)
if chosen and not series.empty:
    st.altair_chart(
        charts.trend_chart(series, names, chosen, index_unit, t("index_axis"), actions),
        key="overview_trend",
        width="stretch",
        alt=t("trend_alt"),
    )
    st.caption(t("trend_caption"))

mine = alerts[alerts["neighbourhood_id"] == focus] if not alerts.empty else alerts
focus_sentences = [s for s, r in zip(sentences, alerts.to_dict("records"), strict=False)
                   if r["neighbourhood_id"] == focus]  # fmt: skip
runs = data.runs(root)
st.download_button(
    t("brief", name=names[focus]),
    brief_html(
        name=names[focus],
        period=period,
        headline=headlines.overview(current.reset_index(), index, names, period),
        tiles=kpis.reset_index(),
        catalogue=catalogue,
        alerts=focus_sentences,
        areas=areas,
        current=current,
        focus=focus,
        history=index[(index["neighbourhood_id"] == focus) & ~index["suppressed"]],
        run_id=str(runs["run_id"].iloc[0]) if not runs.empty else "–",
    ),
    file_name=f"brief_{focus}_{period:%Y-%m}_{lang()}.html",
    mime="text/html",
    key="overview_brief",
    icon=":material/print:",
)
