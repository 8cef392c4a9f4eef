"""A printable one-page brief of one neighbourhood (self-contained HTML, prints on A4)."""

from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd
from i18n import lang, month, t

STYLE = """
@page { size: A4; margin: 16mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; font-size: 11pt; }
h1 { font-size: 18pt; margin-bottom: 0; } h2 { font-size: 13pt; margin-top: 14pt; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #bbb;
padding: 3pt 5pt; text-align: left; vertical-align: top; } th { background: #eee; }
.muted { color: #555; font-size: 9pt; }
"""


def brief_html(
    name: str,
    period: date,
    kpis: pd.DataFrame,
    alerts: pd.DataFrame,
    run_id: str,
) -> str:
    """The brief: key figures with intervals and change, then the neighbourhood's alerts.

    ``kpis`` has columns indicator label, period, value, interval, change (already formatted
    text); ``alerts`` has period and message (text in the chosen language).
    """
    head = "".join(f"<th>{escape(str(c))}</th>" for c in kpis.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in kpis.itertuples(index=False)
    )
    items = "".join(
        f"<li>{escape(str(row.period))}: {escape(str(row.message))}</li>"
        for row in alerts.itertuples(index=False)
    )
    return f"""<!doctype html>
<html lang="{lang()}"><head><meta charset="utf-8"><title>{escape(t("brief_title", name=name))}
</title><style>{STYLE}</style></head><body>
<h1>{escape(t("brief_title", name=name))}</h1>
<p class="muted">{escape(t("app_title"))} · {escape(month(period))}</p>
<h2>{escape(t("kpis", name=name))}</h2>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>{escape(t("alerts"))}</h2>
{f"<ul>{items}</ul>" if items else f"<p>{escape(t('no_alerts'))}</p>"}
<p class="muted">{escape(t("brief_note", run=run_id))}</p>
</body></html>
"""
