"""Drivers: what moved in one neighbourhood: theme shares and their change, hostility by target
group, rumour prevalence, and the terms that shifted most (aggregates only, never a post)."""

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import month, t

st.title(t("nav_drivers"))
root = ui.warehouse()
names = ui.area_names(root)
months = data.periods(root, "digital_negative_share") or data.periods(root, "composite_trust_index")
if not months or not names:
    st.info(t("no_index"))
    st.stop()
left, right = st.columns([1, 2])
with left:
    focus = ui.pick_neighbourhood(names, key="drivers_neighbourhood")
with right:
    period = ui.pick_month(months, key="drivers_month")


def shares(like: str, key: str, title: str) -> None:
    """Latest share of each indicator matching ``like``, its interval and its change."""
    st.subheader(title)
    cells = data.latest_changes(root, focus, period, like)
    if cells.empty:
        ui.not_published(title)
        return
    cells = cells.assign(
        label=cells["indicator"].map(lambda i: ui.label(root, i)),
        text=cells["value"].map(lambda v: f"{100 * v:.0f}%"),
    )
    axis = alt.Axis(labelLimit=260, labelOverlap=False)
    bars = alt.Chart(cells).encode(y=alt.Y("label:N", title=None, sort="-x", axis=axis))
    chart = (
        bars.mark_bar(color=ui.MORE).encode(
            x=alt.X("value:Q", title=t("value"), axis=alt.Axis(format="%"))
        )
        + bars.mark_rule(color="black").encode(x="lower:Q", x2="upper:Q")
        + bars.mark_text(align="left", dx=4, dy=-7).encode(x="upper:Q", text="text:N")
    )
    st.altair_chart(chart.properties(height=34 * len(cells) + 50), key=f"{key}_chart",
                    width="stretch")  # fmt: skip
    ui.show_table(
        pd.DataFrame(
            {
                t("indicator"): cells["label"],
                t("month"): cells["period_start"].map(lambda d: month(d, short=True)),
                t("value"): cells["value"].round(3),
                t("interval"): cells["lower"].map(ui.fmt) + " – " + cells["upper"].map(ui.fmt),
                t("change"): cells["change"].round(3),
                f"{t('change')} {t('interval')}": cells["change_lower"].map(ui.fmt)
                + " – "
                + cells["change_upper"].map(ui.fmt),
            }
        ),
        key=key,
        file_name=f"{key}_{focus}_{period:%Y-%m}",
    )
    st.caption(t("change_caption"))


shares("digital_theme_%", "drivers_themes", t("themes"))
shares("digital_hostility%", "drivers_hostility", t("hostility"))
shares("digital_rumour%", "drivers_rumours", t("rumours"))

st.subheader(t("word_shift"))
shift_months = [m for m in data.term_shift_periods(root) if m <= period]
terms = data.top_term_shifts(root, focus, shift_months[-1]) if shift_months else pd.DataFrame()
if terms.empty:
    ui.not_published(t("word_shift"))
else:
    st.caption(t("word_shift_help") + f" ({month(shift_months[-1])})")
    terms = terms.assign(
        direction=terms["shift"].map(lambda s: t("more") if s > 0 else t("less")),
        text=terms["shift"].map(lambda s: f"{100 * s:+.1f}"),
    )
    bars = alt.Chart(terms).encode(
        y=alt.Y(
            "term:N",
            title=None,
            sort=list(terms.sort_values("shift", ascending=False)["term"]),
            axis=alt.Axis(labelOverlap=False),
        )
    )
    chart = bars.mark_bar().encode(
        x=alt.X("shift:Q", title=t("shift"), axis=alt.Axis(format="%")),
        color=alt.Color(
            "direction:N",
            title=None,
            scale=alt.Scale(domain=[t("more"), t("less")], range=[ui.MORE, ui.LESS]),
        ),
        tooltip=["term", "lang", "share_recent", "share_before", "shift"],
    ) + bars.mark_text(align="left", dx=4).encode(x=alt.value(4), text="text:N")
    st.altair_chart(chart.properties(height=22 * len(terms) + 30), key="drivers_terms_chart",
                    width="stretch")  # fmt: skip
    ui.show_table(
        terms.drop(columns=["direction", "text", "neighbourhood_id"]).assign(
            period_start=lambda f: pd.to_datetime(f["period_start"]).dt.strftime("%Y-%m")
        ),
        key="drivers_terms",
        file_name=f"term_shifts_{focus}_{shift_months[-1]:%Y-%m}",
    )
