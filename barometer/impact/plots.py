"""PNG plots of an impact report (matplotlib, Agg backend; no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd


def plot_event_study(result: dict[str, Any], path: Path) -> None:
    """Event-study coefficients with pointwise intervals, reference k = -1 at zero."""
    rows = pd.DataFrame(result["event_study"]).astype({"estimate": float})
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    ok = rows["lower"].notna()
    ax.vlines(rows.loc[ok, "event_time"], rows.loc[ok, "lower"], rows.loc[ok, "upper"], lw=1.5)
    ax.plot(rows["event_time"], rows["estimate"], "o", color="black")
    ax.set_xlabel("periods relative to start")
    ax.set_ylabel(f"effect on {result['outcome']}")
    ax.set_title(f"Event study: {result['action']['title']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_synth_gap(result: dict[str, Any], path: Path) -> None:
    """Treated minus synthetic gap over time, with each placebo's gap in grey."""
    sc = result["synthetic_control"]
    fig, ax = plt.subplots(figsize=(7, 4))
    for gaps in sc["placebo_gaps"].values():
        series = pd.Series(gaps, dtype=float)
        ax.plot(pd.to_datetime(series.index), series.to_numpy(), color="0.75", lw=0.8)
    gap = pd.Series(sc["gap"], dtype=float)
    ax.plot(pd.to_datetime(gap.index), gap.to_numpy(), color="black", lw=2, label="treated")
    ax.axhline(0, color="grey", lw=0.8)
    start = mdates.date2num(pd.Timestamp(result["action"]["start"]).to_pydatetime())
    ax.axvline(float(start), color="grey", ls="--", lw=0.8)
    ax.set_ylabel(f"gap in {result['outcome']} (treated - synthetic)")
    ax.set_title("Synthetic control gap and in-space placebos")
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
