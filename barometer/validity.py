"""Validity of published indicators: which text models and languages each number rests on.

Every digital indicator cell (neighbourhood x month) is computed from posts that some text
scorers labelled (:data:`barometer.aggregate.digital.DIGITAL_SPECS`: the task whose posts form
the denominator and, for the target-group shares, the task that labels them). For each cell,
:func:`indicator_validity` collects the (task, language) pairs of the located original posts in
it and looks them up in the ``model_validity`` table (:mod:`barometer.audit.validity`):

- ``validity`` is ``validated`` when every pair whose posts the scorer measured is validated,
  else ``not_validated``; NULL for indicators that rest on no text model (survey, sensing,
  observation);
- ``validity_note`` lists each pair as ``task:model_version:language:status`` joined by ``;``
  (sorted), status ``validated``, the first reason code of the table's ``reason`` (e.g.
  ``audit_failed``, ``no_test_set``), or ``language_not_supported`` for posts in a language the
  scorer does not cover (it gives them no row: the cell's share is of the other languages'
  posts only). Machine codes; the app words them.

:func:`composite_inputs` drops the not-validated digital cells before the composite is built
(``[composite] validated_only``, on by default), and :func:`composite_validity` marks each
composite cell by the digital components that entered it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barometer.aggregate.cells import month_start
from barometer.aggregate.digital import DIGITAL_SPECS
from barometer.audit.validity import ANY_LANGUAGE
from barometer.ids import isin_ids

VALIDATED, NOT_VALIDATED = "validated", "not_validated"
NOT_MEASURED = "language_not_supported"


def _short_version(task: str, version: str) -> str:
    """``hostility-2026.3`` -> ``2026.3`` (registry versions carry their task as a prefix)."""
    prefix = f"{task}-"
    return version[len(prefix) :] if version.startswith(prefix) else version


def _status_lookup(table: pd.DataFrame) -> dict[tuple[str, str], tuple[str, bool, str]]:
    """(task, language) -> (model_version, validated, status code)."""
    out = {}
    for row in table.itertuples(index=False):
        reason = str(row.reason).split(",")[0] if isinstance(row.reason, str) else ""
        status = VALIDATED if bool(row.validated) else (reason or NOT_VALIDATED)
        out[(str(row.task), str(row.language))] = (str(row.model_version), bool(row.validated),
                                                   status)  # fmt: skip
    return out


def _cell_languages(posts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``neighbourhood_id, period_start, task, lang, measured`` for every located original
    post and every task that scores posts (``measured``: the task gave the post a row)."""
    return merge_cell_languages([cell_language_part(posts, scores)])


#: one partition's part of :func:`_cell_languages`: (cell x language pairs, measured per
#: cell x language x task, the tasks that scored any of its posts)
LanguagePart = tuple[pd.DataFrame, pd.DataFrame, list[str]]


_LANG_KEYS = ["neighbourhood_id", "period_start", "lang"]


def cell_language_part(posts: pd.DataFrame, scores: pd.DataFrame) -> LanguagePart:
    """What :func:`_cell_languages` needs of one partition of posts: (the cell x language
    pairs of its located original posts, ``measured`` per cell x task x language for the tasks
    that scored any of its posts, those tasks); :func:`merge_cell_languages` combines
    partitions."""
    located = posts[~posts["is_repost"].astype(bool) & posts["neighbourhood_id"].notna()]
    base = located[["post_id", "neighbourhood_id", "created_at", "lang"]].copy()
    base["period_start"] = month_start(base["created_at"])
    base["lang"] = base["lang"].fillna("und").astype(str)
    frames = []
    tasks = sorted(scores["task"].unique())
    for task in tasks:
        ids = scores.loc[scores["task"] == task, "post_id"]
        frames.append(base.assign(task=task, measured=isin_ids(base["post_id"], ids)))
    combos = base[_LANG_KEYS].drop_duplicates()
    if not frames:
        return combos, pd.DataFrame(columns=[*_LANG_KEYS, "task", "measured"]), tasks
    both = pd.concat(frames, ignore_index=True)
    measured = both.groupby([*_LANG_KEYS, "task"])["measured"].any().reset_index()
    return combos, measured, tasks


def merge_cell_languages(parts: list[LanguagePart]) -> pd.DataFrame:
    """:func:`_cell_languages` from the :func:`cell_language_part` of every partition: every
    cell x language pair, for every task that scored a post anywhere."""
    keys = ["neighbourhood_id", "period_start", "task", "lang"]
    measured = pd.concat([m for _, m, _ in parts if not m.empty] or [parts[0][1]])
    tasks = sorted({task for _, _, found in parts for task in found})
    if not tasks:
        return pd.DataFrame(columns=[*keys, "measured"])
    combos = pd.concat([c for c, _, _ in parts]).drop_duplicates()
    if combos.empty:
        return pd.DataFrame(columns=[*keys, "measured"])
    grid = combos.merge(pd.DataFrame({"task": tasks}), how="cross")
    found = measured.groupby(keys)["measured"].any()
    grid = grid.join(found, on=keys)
    grid["measured"] = grid["measured"].fillna(False).astype(bool)
    return grid.sort_values(keys, ignore_index=True)[[*keys, "measured"]]


def indicator_validity(
    cells: pd.DataFrame,
    posts: pd.DataFrame,
    scores: pd.DataFrame,
    table: pd.DataFrame,
    languages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``cells`` with ``validity`` and ``validity_note`` (see the module docstring).

    ``posts`` need ``post_id, neighbourhood_id, created_at, lang, is_repost``; ``scores`` are
    the current ``post_scores`` rows; ``table`` is the ``model_validity`` table of the scorers
    that wrote them (:func:`barometer.audit.validity.model_validity_table`). ``languages``:
    their :func:`_cell_languages`, when computed already (partition by partition, see
    :func:`merge_cell_languages`); ``posts`` and ``scores`` are then not used.
    """
    out = cells.assign(validity=pd.Series(None, index=cells.index, dtype=object),
                       validity_note=pd.Series(None, index=cells.index, dtype=object))  # fmt: skip
    if languages is None:
        languages = _cell_languages(posts, scores) if not (scores.empty or posts.empty) else None
    if out.empty or languages is None or languages.empty:
        return out
    tasks_of = {spec.indicator: sorted({spec.task, spec.label_task or spec.task})
                for spec in DIGITAL_SPECS}  # fmt: skip
    lookup = _status_lookup(table)
    versions = dict(zip(table["task"].astype(str), table["model_version"].astype(str),
                        strict=True))  # fmt: skip
    langs = languages.copy()
    langs["period_start"] = pd.to_datetime(langs["period_start"])
    by_cell: dict[tuple[str, pd.Timestamp, str], list[tuple[str, bool]]] = {}
    for row in langs.itertuples(index=False):
        key = (str(row.neighbourhood_id), pd.Timestamp(str(row.period_start)), str(row.task))
        by_cell.setdefault(key, []).append((str(row.lang), bool(row.measured)))
    periods = pd.to_datetime(out["period_start"])
    validity: list[str | None] = []
    notes: list[str | None] = []
    for indicator, nbh, period in zip(out["indicator"], out["neighbourhood_id"], periods,
                                      strict=True):  # fmt: skip
        tasks = tasks_of.get(str(indicator))
        if tasks is None:
            validity.append(None)
            notes.append(None)
            continue
        entries, ok = [], True
        for task in tasks:
            version = _short_version(task, versions.get(task, "unknown"))
            for lang, measured in by_cell.get((str(nbh), pd.Timestamp(period), task), []):
                if not measured:
                    entries.append(f"{task}:{version}:{lang}:{NOT_MEASURED}")
                    continue
                found = lookup.get((task, lang)) or lookup.get((task, ANY_LANGUAGE))
                status = found[2] if found else "no_validity_record"
                ok &= bool(found and found[1])
                entries.append(f"{task}:{version}:{lang}:{status}")
        measured_any = any(not e.endswith(f":{NOT_MEASURED}") for e in entries)
        validity.append((VALIDATED if ok else NOT_VALIDATED) if measured_any else NOT_VALIDATED)
        notes.append(";".join(sorted(entries)) or None)
    out["validity"] = pd.Series(validity, index=out.index, dtype=object)
    out["validity_note"] = pd.Series(notes, index=out.index, dtype=object)
    return out


def composite_inputs(cells: pd.DataFrame, *, validated_only: bool) -> pd.DataFrame:
    """The cells the composite may use: with ``validated_only``, not-validated cells are
    dropped (cells of indicators resting on no text model have ``validity`` NULL and stay)."""
    if not validated_only or "validity" not in cells.columns:
        return cells
    return cells[(cells["validity"] != NOT_VALIDATED).to_numpy(dtype=bool)]


def composite_validity(
    index: pd.DataFrame, used: pd.DataFrame, components: list[str]
) -> pd.DataFrame:
    """Composite cells with ``validity`` (``not_validated`` when a digital component cell of the
    same neighbourhood and month that entered it is not validated, ``validated`` when all are,
    NULL when none entered) and ``validity_note`` (``indicator:status`` of those components)."""
    out = index.assign(validity=pd.Series(None, index=index.index, dtype=object),
                       validity_note=pd.Series(None, index=index.index, dtype=object))  # fmt: skip
    if out.empty or "validity" not in used.columns:
        return out
    digital = used[used["indicator"].isin(components) & used["validity"].notna()]
    if digital.empty:
        return out
    digital = digital.assign(period_start=pd.to_datetime(digital["period_start"]))
    grouped = {
        (str(k[0]), pd.Timestamp(str(k[1]))): part
        for k, part in digital.groupby(["neighbourhood_id", "period_start"])
    }
    validity: list[str | None] = []
    notes: list[str | None] = []
    for nbh, period in zip(out["neighbourhood_id"], pd.to_datetime(out["period_start"]),
                           strict=True):  # fmt: skip
        part = grouped.get((str(nbh), pd.Timestamp(period)))
        if part is None:
            validity.append(None)
            notes.append(None)
            continue
        ok = bool((part["validity"] == VALIDATED).all())
        validity.append(VALIDATED if ok else NOT_VALIDATED)
        notes.append(
            ";".join(
                sorted(f"{i}:{v}" for i, v in zip(part["indicator"], part["validity"], strict=True))
            )
        )
    out["validity"] = pd.Series(validity, index=out.index, dtype=object)
    out["validity_note"] = pd.Series(notes, index=out.index, dtype=object)
    return out


__all__ = [
    "NOT_MEASURED",
    "NOT_VALIDATED",
    "VALIDATED",
    "composite_inputs",
    "composite_validity",
    "indicator_validity",
    "publish_model_validity",
]


def publish_model_validity(root: str | Path, table: pd.DataFrame) -> None:
    """Replace the ``model_validity`` table of an already published warehouse (every other
    published table is kept as it is), in one atomic publish under the writers' lock."""
    from barometer.exceptions import WarehouseError
    from barometer.warehouse import Warehouse, open_published

    published = Warehouse(root).duckdb_path
    if not published.is_file():
        raise WarehouseError(
            f"no published barometer at {published}: run the pipeline first, or leave "
            "out --warehouse to only print and record the validity"
        )
    with Warehouse.open_for_writing(root) as store:
        with open_published(root) as con:
            names = [str(r[0]) for r in con.execute("SHOW TABLES").fetchall()]
            frames = {name: con.execute(f'SELECT * FROM "{name}"').df() for name in names}
        frames["model_validity"] = table
        store.publish(frames)
