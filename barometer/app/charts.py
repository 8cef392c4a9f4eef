"""Chart pieces in the chosen language: month axes with Swedish or English month names, number
axes with the decimal comma, and the trend chart (lines, 95% bands, actions, alerts) shared by
Overview and Trends. Hover texts are formatted here, never by Vega's English defaults."""

from __future__ import annotations

import altair as alt
import pandas as pd
from i18n import month, t, vega_month_expr, vega_number_expr
from units import Unit

MONTH_TICKS = {"interval": "month", "step": 3}


def month_axis(title: str | None = None) -> alt.Axis:
    """A time axis labelled ``jan. 2025`` / ``Jan 2025`` every three months."""
    return alt.Axis(
        title=title, labelExpr=vega_month_expr(), tickCount=MONTH_TICKS, labelOverlap=True,
        labelAngle=0, grid=False,
    )  # fmt: skip


def number_axis(unit: Unit, title: str | None = None) -> alt.Axis:
    digits, percent = unit.axis_format()
    return alt.Axis(title=title, labelExpr=vega_number_expr(digits, percent))


def trend_chart(
    cells: pd.DataFrame,
    names: dict[str, str],
    ids: list[str],
    unit: Unit,
    title: str,
    actions: pd.DataFrame | None = None,
    alerts: pd.DataFrame | None = None,
    height: int = 320,
) -> alt.LayerChart:
    """Lines with 95% bands per neighbourhood (Okabe-Ito colours, a legend), dashed rules where
    actions start, triangles at alerts; hover shows month, value and interval as written."""
    from ui import OKABE_ITO

    cells = cells.assign(
        neighbourhood=cells["neighbourhood_id"].map(names),
        period_start=pd.to_datetime(cells["period_start"]),
        month_text=[month(pd.Timestamp(d).date()) for d in cells["period_start"]],
        value_text=cells["value"].map(unit.value),
        interval_text=[f"{unit.value(lo)} – {unit.value(hi)}" for lo, hi in zip(
            cells["lower"], cells["upper"], strict=True)],
    )  # fmt: skip
    colour = alt.Color(
        "neighbourhood:N",
        title=t("neighbourhood"),
        scale=alt.Scale(domain=[names[i] for i in ids], range=OKABE_ITO),
        legend=alt.Legend(orient="top", symbolOpacity=1),  # not the bands' pale fill
    )
    tooltip = [
        alt.Tooltip("neighbourhood:N", title=t("neighbourhood")),
        alt.Tooltip("month_text:N", title=t("month")),
        alt.Tooltip("value_text:N", title=t("value")),
        alt.Tooltip("interval_text:N", title=t("interval")),
    ]
    base = alt.Chart(cells).encode(x=alt.X("period_start:T", axis=month_axis()), color=colour)
    layers = [
        base.mark_area(opacity=0.18).encode(
            y=alt.Y("lower:Q", axis=number_axis(unit, title), scale=alt.Scale(zero=False)),
            y2="upper:Q",
        ),
        base.mark_line(point=True).encode(y="value:Q", tooltip=tooltip),
    ]
    if alerts is not None and not alerts.empty:
        layers.append(_alert_marks(alerts, cells, colour))
    if actions is not None and not actions.empty:
        layers.append(_action_rules(actions))
    return alt.layer(*layers).properties(height=height)


def _alert_marks(alerts: pd.DataFrame, cells: pd.DataFrame, colour: alt.Color) -> alt.Chart:
    """A triangle at each alert's cell, its sentence on hover."""
    marks = alerts.merge(
        cells[["neighbourhood_id", "period_start", "value", "neighbourhood"]],
        on=["neighbourhood_id", "period_start"],
    )
    return (
        alt.Chart(marks)
        .mark_point(shape="triangle-up", size=170, filled=True, stroke="black")
        .encode(
            x="period_start:T",
            y="value:Q",
            color=colour,
            tooltip=[alt.Tooltip("sentence:N", title=t("alert"))],
        )
    )


def _action_rules(actions: pd.DataFrame) -> alt.Chart:
    """A dashed rule where each action starts, its title and start month on hover."""
    shown = actions.assign(
        start=pd.to_datetime(actions["start"]),
        start_text=[month(pd.Timestamp(d).date()) for d in actions["start"]],
    )
    return (
        alt.Chart(shown)
        .mark_rule(aria=False, strokeDash=[5, 4], color="#333333")
        .encode(
            x="start:T",
            tooltip=[
                alt.Tooltip("title_shown:N", title=t("action")),
                alt.Tooltip("start_text:N", title=t("starts")),
            ],
        )
    )
