"""Publish step: indicator cells -> the tables the app reads (aggregates only, never raw text).

Suppression happens here: a cell built from fewer units than its indicator's ``min_cell`` (and
never fewer than the pipeline's ``min_cell_size``), a share whose numerator or complement counts
fewer people than that, and a part of a total that differencing could single out keep their key
and ``n_effective`` but lose their value and interval (:mod:`barometer.disclosure`). The
composite index is computed from unsuppressed components only.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import shapely

from barometer.config import PipelineConfig
from barometer.disclosure import drop_disclosure_columns, small_sides, suppress_differencing
from barometer.indicators import CATALOGUE, catalogue_table, families
from barometer.privacy import suppress_small_cells
from barometer.registry import list_models, version_dir
from barometer.schema import INDICATORS
from barometer.stats.trends import alerts


def suppress_cells(
    cells: pd.DataFrame, *, min_cell_size: int, overrides: dict[str, int] | None = None
) -> pd.DataFrame:
    """Apply each indicator's minimum cell size ``k``, on both sides of a share, then guard
    totals against differencing (:mod:`barometer.disclosure`).

    ``k`` is the catalogue's ``min_cell`` (or the config's override for that indicator). For
    indicators counting people (respondents, authors) it is never below the pipeline's
    ``min_cell_size`` privacy floor, and a share of people is also suppressed when its
    numerator or its complement counts fewer than ``k`` people; days of sensing and
    observation sessions count no person, so only their own minimum applies. The columns that
    carry people counts for this are dropped from the result.
    """
    overrides = overrides or {}
    frames = []
    thresholds: dict[str, int] = {}
    for indicator, group in cells.groupby("indicator", sort=False):
        name = str(indicator)
        entry = CATALOGUE[name]
        threshold = overrides.get(name, entry.min_cell)
        if entry.protects_people:
            threshold = max(threshold, min_cell_size)
        if name == "composite_trust_index":
            threshold = 0  # built from already-suppressed components
        thresholds[name] = threshold
        marked = group.assign(suppressed=small_sides(group, threshold) if entry.protects_people
                              else False)  # fmt: skip
        frames.append(suppress_small_cells(marked, min_cell_size=threshold))
    if not frames:
        return drop_disclosure_columns(cells.assign(suppressed=pd.Series(dtype=bool)))
    out = suppress_differencing(pd.concat(frames, ignore_index=True), families(), thresholds)
    return drop_disclosure_columns(out)


def indicators_table(cells: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """Cells (with ``suppressed``) -> the canonical ``indicators`` table, sorted."""
    out = cells.assign(run_id=run_id)
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.date
    out = out.sort_values(["indicator", "neighbourhood_id", "period_start"], ignore_index=True)
    return out[INDICATORS.columns]


def neighbourhoods_published(table: pd.DataFrame) -> pd.DataFrame:
    """Neighbourhoods with their polygon as a GeoJSON geometry string (for maps)."""
    geoms = shapely.from_wkt(table["geometry_wkt"].to_numpy())
    return pd.DataFrame(
        {
            "neighbourhood_id": table["neighbourhood_id"],
            "name": table["name"],
            "population": table["population"],
            "geojson": [shapely.to_geojson(g) for g in geoms],
        }
    )


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows counted by source, file, field and reason (no raw content)."""
    if quarantine.empty:
        return pd.DataFrame(
            {"source": [], "file": [], "field": [], "reason": [], "rows": []}
        ).astype({"rows": "int64"})
    return (
        quarantine.groupby(["source", "file", "field", "reason"], as_index=False)
        .size()
        .rename(columns={"size": "rows"})
    )


def actions_table(config: PipelineConfig) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "action_id": a.id,
                "title": a.title,
                "title_sv": a.title_sv,
                "neighbourhoods": ",".join(a.neighbourhoods),
                "start": a.start,
                "end": a.end,
            }
            for a in config.actions
        ],
        columns=["action_id", "title", "title_sv", "neighbourhoods", "start", "end"],
    )


def runs_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """One row describing the run: when, which code, row counts, which tasks were not scored,
    whether it used the public demo key (``demo_key``), the keyed fingerprint of its key
    (``key_fingerprint``, never the key) and the configured sources without data
    (``sources_missing``, a JSON list such as ``["sensing", "reddit"]``)."""
    return pd.DataFrame(
        [
            {
                "run_id": manifest["run_id"],
                "started_at": manifest["started_at"],
                "finished_at": manifest.get("finished_at"),
                "code_version": manifest["code_version"],
                "row_counts": json.dumps(manifest.get("row_counts", {}), sort_keys=True),
                "tasks_not_scored": json.dumps(
                    manifest.get("tasks_not_scored", {}), sort_keys=True
                ),
                "demo_key": bool(manifest.get("demo_key", False)),
                "key_fingerprint": manifest.get("key_fingerprint"),
                "sources_missing": json.dumps(manifest.get("sources_missing", [])),
            }
        ]
    ).astype({"demo_key": bool, "key_fingerprint": "string", "sources_missing": "string"})


#: indicators watched for alerts: deseasonalised or model-based series (raw digital shares
#: move with the seasons, so a recent-mean alert on them would mostly report winter)
ALERT_INDICATORS = ("composite_trust_index", "survey_ppltrst_fh", "sensing_footfall_index")


def alerts_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """Alerts (declines, rises, change points) of the watched indicators, newest first."""
    frames = [
        alerts(indicators, name)
        for name in ALERT_INDICATORS
        if (indicators["indicator"] == name).any()
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(
            columns=["neighbourhood_id", "indicator", "period_start", "kind", "basis",
                     "magnitude", "p_value", "message_en", "message_sv"]
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True).sort_values(
        ["period_start", "indicator", "neighbourhood_id"], ascending=[False, True, True]
    )


def model_cards_table() -> pd.DataFrame:
    """Every trained model version with its card, metrics and audit, for the transparency page.

    Cards describe the models and the public corpora they were trained on; they contain no
    resident's text. ``audit_markdown`` is the card's "Audit results" section when present;
    ``audit_passed`` the bias audit's verdict (``audit.json``), null when not audited.
    """
    rows = []
    for entry in list_models().itertuples():
        folder = version_dir(str(entry.task), str(entry.version))
        card = (
            (folder / "card.md").read_text(encoding="utf-8")
            if (folder / "card.md").exists()
            else ""
        )
        metrics = folder / "metrics.json"
        audit_file = folder / "audit.json"
        passed = json.loads(audit_file.read_text(encoding="utf-8")).get("passed") if (
            audit_file.exists()) else None  # fmt: skip
        audit = ""
        if "## Audit results" in card:
            audit = card.split("## Audit results", 1)[1].split("\n## ", 1)[0].strip()
        rows.append(
            {
                "task": entry.task,
                "version": entry.version,
                "active": bool(entry.active),
                "card_markdown": card,
                "metrics_json": metrics.read_text(encoding="utf-8") if metrics.exists() else "{}",
                "audit_markdown": audit,
                "audit_passed": None if passed is None else bool(passed),
            }
        )
    columns = ["task", "version", "active", "card_markdown", "metrics_json", "audit_markdown",
               "audit_passed"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def build_published(
    *,
    indicators: pd.DataFrame,
    neighbourhoods: pd.DataFrame,
    coverage: pd.DataFrame,
    quarantine: pd.DataFrame,
    config: PipelineConfig,
    manifest: dict[str, Any],
) -> dict[str, pd.DataFrame]:
    """Every table of the DuckDB file, by name."""
    return {
        "indicators": indicators,
        "alerts": alerts_table(indicators),
        "indicator_catalogue": pd.DataFrame(catalogue_table()),
        "neighbourhoods": neighbourhoods_published(neighbourhoods),
        "coverage": coverage,
        "quarantine_summary": quarantine_summary(quarantine),
        "actions": actions_table(config),
        "runs": runs_table(manifest),
        "model_cards": model_cards_table(),
    }
