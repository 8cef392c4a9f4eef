"""A printable one-page brief of one neighbourhood: the headline, the index map, the
neighbourhood's trend chart, its key figures and alerts, in the chosen language.

Self-contained HTML (the map and the chart are inline SVG drawn with matplotlib, no script, no
network), laid out for A4: print it from the browser to get a PDF.
"""

from __future__ import annotations

import io
import json
from datetime import date
from html import escape

import pandas as pd
from i18n import dimension, lang, month, t
from mapview import index_class
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from units import unit_of

STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; font-size: 10.5pt; }
h1 { font-size: 17pt; margin: 0 0 2pt 0; } h2 { font-size: 12pt; margin: 10pt 0 4pt 0; }
.headline { font-size: 12.5pt; font-weight: bold; margin: 6pt 0; }
.figures { display: flex; gap: 8pt; } .figures > div { flex: 1; }
svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #bbb;
padding: 2pt 4pt; text-align: left; vertical-align: top; } th { background: #eee; }
.muted { color: #444; font-size: 8.5pt; }
"""
VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def map_svg(areas: pd.DataFrame, current: pd.DataFrame, focus: str) -> str:
    """The index map: each area in its viridis class, the focus outlined, name and value on a
    white box (readable on every fill)."""
    figure = Figure(figsize=(4.2, 3.6))
    axes = figure.add_subplot()
    for row in areas.itertuples():
        geometry = json.loads(row.geojson)
        rings = (
            [geometry["coordinates"][0]]
            if geometry["type"] == "Polygon"
            else [p[0] for p in geometry["coordinates"]]
        )
        value = current["value"].get(row.neighbourhood_id) if not current.empty else None
        k = None if value is None else index_class(float(value))  # as the app's map
        fill = "#c8c8c8" if k is None else VIRIDIS[k]
        for ring in rings:
            axes.add_patch(
                Polygon(ring, closed=True, facecolor=fill, edgecolor="#111" if
                        row.neighbourhood_id == focus else "white",
                        linewidth=2.2 if row.neighbourhood_id == focus else 0.8)
            )  # fmt: skip
        xs = [p[0] for ring in rings for p in ring]
        ys = [p[1] for ring in rings for p in ring]
        text = row.name if value is None or pd.isna(value) else f"{row.name}\n{value:.0f}"
        axes.text(
            sum(xs) / len(xs), sum(ys) / len(ys), text, ha="center", va="center", fontsize=6.5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
        )  # fmt: skip
    axes.autoscale_view()
    axes.set_aspect(1.8)
    axes.set_axis_off()
    return _svg(figure)


def trend_svg(history: pd.DataFrame, label: str) -> str:
    """The neighbourhood's index by month with its 95% band; months in the chosen language."""
    figure = Figure(figsize=(4.6, 2.6))
    axes = figure.add_subplot()
    frame = history.sort_values("period_start")
    when = pd.to_datetime(frame["period_start"])
    axes.fill_between(when, frame["lower"], frame["upper"], color="#0072B2", alpha=0.2, lw=0)
    axes.plot(when, frame["value"], color="#0072B2", marker="o", markersize=2.5, lw=1.5)
    ticks = list(when.iloc[:: max(1, len(when) // 5)])
    axes.set_xticks(ticks, [month(d.date(), short=True) for d in ticks], fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_ylabel(label, fontsize=7.5)
    axes.spines[["top", "right"]].set_visible(False)
    if lang() == "sv":
        axes.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}".replace("-", "−"))
    return _svg(figure)


def brief_html(
    *,
    name: str,
    period: date,
    headline: str,
    tiles: pd.DataFrame,
    catalogue: pd.DataFrame,
    alerts: list[str],
    areas: pd.DataFrame,
    current: pd.DataFrame,
    focus: str,
    history: pd.DataFrame,
    run_id: str,
) -> str:
    """The brief. ``tiles``: the key figures (``latest_changes`` rows with ``indicator``);
    ``catalogue``: indexed by indicator; ``alerts``: sentences about this neighbourhood;
    ``current``: this month's index cells indexed by neighbourhood id; ``history``: the
    neighbourhood's published index cells."""
    rows = []
    for cell in tiles.itertuples():
        unit = unit_of(str(catalogue.loc[cell.indicator, "unit"]))
        change = "–" if pd.isna(cell.change) else unit.change(cell.change)
        rows.append(
            (
                dimension(str(catalogue.loc[cell.indicator, "dimension"])),
                f"{unit.value(cell.value)} ({unit.words()})",
                f"{unit.value(cell.lower)} – {unit.value(cell.upper)}",
                change,
                month(cell.period_start, short=True),
            )
        )
    head = "".join(
        f"<th>{escape(t(k))}</th>" for k in ("dimension", "value", "interval", "change", "month")
    )
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    items = "".join(f"<li>{escape(s)}</li>" for s in alerts)
    title = escape(t("brief_title", name=name))
    return f"""<!doctype html>
<html lang="{lang()}"><head><meta charset="utf-8"><title>{title}</title>
<style>{STYLE}</style></head><body>
<h1>{title}</h1>
<p class="muted">{escape(t("app_title"))} · {escape(month(period))}</p>
<p class="headline">{escape(headline)}</p>
<div class="figures">
<div><h2>{escape(t("map_title", month=month(period)))}</h2>{map_svg(areas, current, focus)}</div>
<div><h2>{escape(t("brief_trend", name=name))}</h2>{trend_svg(history, t("index_axis"))}</div>
</div>
<h2>{escape(t("kpis", name=name))}</h2>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>{escape(t("alerts"))}</h2>
{f"<ul>{items}</ul>" if items else f"<p>{escape(t('no_alerts', month=month(period)))}</p>"}
<p class="muted">{escape(t("brief_note", run=run_id))}</p>
</body></html>
"""
