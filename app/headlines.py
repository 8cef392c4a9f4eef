"""The sentences the app writes from published numbers: each page's headline and the alerts.

Pure functions (frames in, text out) in the chosen language (`i18n.t`); the words live in
`app/i18n.py`. A change is "clear" when it exceeds its approximate 95% uncertainty: for two
cells with half-widths h1 and h0 (treated as independent), when ``|change| > sqrt(h1² + h0²)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import pandas as pd
from i18n import month, months_word, t
from units import Unit


def _half(row: Mapping[str, object]) -> float:
    lower, upper = row.get("lower"), row.get("upper")
    try:
        return (float(upper) - float(lower)) / 2  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def clear_change(change: float, half_now: float, half_before: float) -> bool:
    """Whether ``change`` exceeds its approximate 95% uncertainty (False when unknown)."""
    spread = math.hypot(half_now, half_before)
    return bool(math.isfinite(spread) and abs(change) > spread)


def streak(values: pd.Series) -> int:
    """How many consecutive steps the last values moved in the same direction: +n for n rises
    in a row up to the last value, -n for n falls, 0 when the last step is flat or missing."""
    steps = values.dropna().diff().dropna().to_numpy()
    if len(steps) == 0 or steps[-1] == 0:
        return 0
    sign = 1 if steps[-1] > 0 else -1
    n = 0
    for step in steps[::-1]:
        if step * sign <= 0:
            break
        n += 1
    return sign * n


def overview(
    current: pd.DataFrame, history: pd.DataFrame, names: Mapping[str, str], period: date
) -> str:
    """The Overview's answer: where trust is lowest and highest this month, how clearly, and
    whether the lowest has been falling (or rising) several months in a row.

    ``current``: this month's index cells (``neighbourhood_id, value, lower, upper``);
    ``history``: every published cell of the index (same columns plus ``period_start``).
    """
    cells = current.dropna(subset=["value"]).sort_values("value")
    if cells.empty:
        return t("hl_no_index", month=month(period))
    if len(cells) == 1:
        only = cells.iloc[0]
        return t("hl_one_area", name=names.get(only["neighbourhood_id"], ""),
                 value=Unit("index").value(only["value"]), month=month(period))  # fmt: skip
    low, second, high = cells.iloc[0], cells.iloc[1], cells.iloc[-1]
    low_name = names.get(str(low["neighbourhood_id"]), str(low["neighbourhood_id"]))
    clearly = float(low["upper"]) < float(second["lower"])
    mine = history[
        (history["neighbourhood_id"] == low["neighbourhood_id"])
        & (pd.to_datetime(history["period_start"]) <= pd.Timestamp(period))
    ].sort_values("period_start")
    run = streak(mine["value"])
    text = t(
        "hl_lowest",
        name=low_name,
        value=Unit("index").value(low["value"]),
        month=month(period),
        clearly=t("hl_clearly") if clearly else t("hl_not_clearly",
                                                   other=names.get(second["neighbourhood_id"])),
        streak=(t("hl_fallen", months=months_word(-run)) if run <= -2
                else t("hl_risen", months=months_word(run)) if run >= 2 else ""),
    )  # fmt: skip
    return (
        text
        + " "
        + t(
            "hl_highest",
            name=names.get(str(high["neighbourhood_id"]), ""),
            value=Unit("index").value(high["value"]),
        )
    )


def trends(
    cells: pd.DataFrame, names: Mapping[str, str], label: str, unit: Unit, months: int = 12
) -> str:
    """The Trends answer: per neighbourhood, the change over the last ``months`` months (from
    the first published value in that window to the latest), and whether it is clear."""
    clauses = {"up": [], "down": [], "flat": []}  # type: dict[str, list[str]]
    latest_month = None
    for nbh, group in cells.dropna(subset=["value"]).groupby("neighbourhood_id", sort=False):
        group = group.sort_values("period_start")
        last = group.iloc[-1]
        since = pd.Timestamp(last["period_start"]) - pd.DateOffset(months=months)
        window = group[pd.to_datetime(group["period_start"]) >= since]
        first = window.iloc[0]
        latest_month = max(latest_month or last["period_start"], last["period_start"])
        if len(window) < 2:
            continue
        change = float(last["value"]) - float(first["value"])
        what = t("hl_from_to", name=names.get(str(nbh), str(nbh)),
                 before=unit.value(first["value"]), after=unit.value(last["value"]))  # fmt: skip
        if clear_change(change, _half(last), _half(first)):
            clauses["up" if change > 0 else "down"].append(what)
        else:
            clauses["flat"].append(names.get(str(nbh), str(nbh)))
    if latest_month is None or not any(clauses.values()):
        return t("hl_trend_none", label=label)
    from ui import join

    parts = []
    if clauses["down"]:
        parts.append(t("hl_trend_down", areas=join(clauses["down"])))
    if clauses["up"]:
        parts.append(t("hl_trend_up", areas=join(clauses["up"])))
    if clauses["flat"]:
        parts.append(t("hl_trend_flat", areas=join(clauses["flat"])))
    return t("hl_trend", label=label, months=months_word(months),
             month=month(pd.Timestamp(latest_month).date()), parts="; ".join(parts))  # fmt: skip


def alert(row: Mapping[str, object], name: str, label: str, unit: Unit) -> str:
    """An alert in words: the neighbourhood, what moved, by how much, and since when."""
    size = unit.change(abs(float(row["magnitude"])), signed=False)  # type: ignore[arg-type]
    up = float(row["magnitude"]) > 0  # type: ignore[arg-type]
    when = month(pd.Timestamp(row["period_start"]).date())  # type: ignore[arg-type]
    basis = str(row.get("basis", ""))
    key = {
        "recent_mean": "alert_recent",
        "trend": "alert_trend",
        "change_point": "alert_shift",
    }.get(basis, "alert_recent")
    return t(key, label=label, name=name, size=size, month=when,
             moved=t("alert_up") if up else t("alert_down"),
             moved_trend=t("alert_rising") if up else t("alert_falling"),
             moved_shift=t("alert_jump_up") if up else t("alert_jump_down"))  # fmt: skip


__all__ = ["alert", "clear_change", "overview", "streak", "trends"]
