"""No personal data in any published table, manifest or printed line (issue 11, deliverable 2).

A name, a phone number, an e-mail address and a personnummer are planted, together, in every
field of every reader's input: for each field of a record, one more record that is a copy of
the first with only that field replaced (and its id made unique, so it is not a duplicate).
The planted files then go through the pipeline, and every DuckDB table, every manifest,
``warehouse.json``, every line the run and ``barometer status`` print are searched for any
piece of the planted identifiers. Stored post texts and quarantined raw copies must not hold
the phone number, e-mail or personnummer either (a name cannot be told from other words).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyreadstat
import pytest
from conftest import FIXTURES
from rich.console import Console
from typer.testing import CliRunner

from barometer.cli import app
from barometer.config import load_config
from barometer.pipeline import run_ingest, run_pipeline
from barometer.schema import POSTS, QUARANTINE
from barometer.warehouse import Warehouse

NAME, PHONE, EMAIL, PNR = "Anna Svensson", "070-123 45 67", "anna.svensson@gmail.com", "850709-1232"
PLANTED = f"ring {NAME} {PHONE} {EMAIL} pnr {PNR}"
#: any of these anywhere is a leak: the name in parts, the number in parts
PIECES = ("Anna", "Svensson", "070-123", "123 45 67", "anna.svensson", "gmail", "850709", "1232")
IDENTIFYING = (PHONE, EMAIL, PNR, "anna.svensson")  # scrubbed from stored texts too

Path_ = tuple[object, ...]


def _leaves(obj: object, prefix: Path_ = ()) -> Iterator[Path_]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _leaves(value, (*prefix, key))
    elif isinstance(obj, list) and obj:
        for index, value in enumerate(obj):
            yield from _leaves(value, (*prefix, index))
    else:
        yield prefix


def _set(obj: Any, path: Path_, value: object) -> None:
    for step in path[:-1]:
        obj = obj[step]
    obj[path[-1]] = value


def _get(obj: Any, path: Path_) -> Any:
    for step in path:
        obj = obj[step]
    return obj


def _variants(
    record: Any, ids: list[Path_], unique: Callable[[object, int], object] | None = None
) -> list[Any]:
    """One copy of ``record`` per leaf with that leaf planted; ``ids`` made unique."""
    out = []
    for n, path in enumerate(_leaves(record)):
        copied = copy.deepcopy(record)
        for id_path in ids:
            if id_path != path[: len(id_path)]:
                old = _get(copied, id_path)
                _set(copied, id_path, unique(old, n) if unique else f"{old}p{n:03d}")
        _set(copied, path, PLANTED)
        out.append(copied)
    return out


def _plant_json_files(folder: Path) -> None:
    x_lines = (FIXTURES / "x_page.jsonl").read_text(encoding="utf-8").splitlines()
    pages = [json.loads(line) for line in x_lines[:2]]
    # X pages: only the tweet ids need to be unique
    for page_no, page in enumerate(pages):
        variants = []
        for n, path in enumerate(_leaves(page)):
            copied = copy.deepcopy(page)
            for i, tweet in enumerate(copied["data"]):
                if path[:3] != ("data", i, "id"):
                    tweet["id"] = f"{tweet['id']}{page_no}{n:03d}"
            _set(copied, path, PLANTED)
            variants.append(json.dumps(copied, ensure_ascii=False))
        x_lines += variants
    (folder / "x_page.jsonl").write_text("\n".join(x_lines) + "\n", encoding="utf-8")

    statuses = json.loads((FIXTURES / "mastodon.json").read_text(encoding="utf-8"))
    statuses += _variants(statuses[0], [("id",)])
    (folder / "mastodon.json").write_text(json.dumps(statuses, ensure_ascii=False), "utf-8")

    dump = (FIXTURES / "reddit_dump.ndjson").read_text(encoding="utf-8").splitlines()
    thing = json.loads(dump[0])
    dump += [json.dumps(v, ensure_ascii=False) for v in _variants(thing, [("id",)])]
    (folder / "reddit_dump.ndjson").write_text("\n".join(dump) + "\n", encoding="utf-8")

    listing = json.loads((FIXTURES / "reddit_listing.json").read_text(encoding="utf-8"))
    child = listing[0]["data"]["children"][0]
    listing[0]["data"]["children"] += _variants(child, [("data", "id"), ("data", "name")])
    (folder / "reddit_listing.json").write_text(json.dumps(listing, ensure_ascii=False), "utf-8")

    export = json.loads((FIXTURES / "telegram_result.json").read_text(encoding="utf-8"))
    message = next(m for m in export["messages"] if m.get("type") == "message")
    export["messages"] += _variants(message, [("id",)], lambda old, n: int(old) * 1000 + n)
    (folder / "telegram_result.json").write_text(json.dumps(export, ensure_ascii=False), "utf-8")
    for key in ("id", "name"):  # the chat itself: a personal chat is named after the person
        chat = {k: v for k, v in export.items() if k not in ("id", "name")}
        chat[key] = PLANTED
        chat["messages"] = [message]
        (folder / f"telegram_chat_{key}.json").write_text(json.dumps(chat), encoding="utf-8")


def _plant_csv(folder: Path, name: str, ids: list[str], fresh: Callable[[str, int], str]) -> None:
    """One row per column with that cell planted; ``ids`` columns get ``fresh`` values."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    delimiter = max([",", ";", "\t"], key=text.split("\n", 1)[0].count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, first = rows[0], rows[1]
    for n, column in enumerate(header):
        row = list(first)
        for id_column in ids:
            if id_column != column:
                row[header.index(id_column)] = fresh(row[header.index(id_column)], n)
        row[n] = PLANTED
        rows.append(row)
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    (folder / name).write_text(out.getvalue(), encoding="utf-8")


def _suffix(old: str, n: int) -> str:
    return f"{old}p{n:03d}"


def _hour(_: str, n: int) -> str:
    return (pd.Timestamp("2024-06-01T00:00:00+02:00") + pd.Timedelta(hours=n)).isoformat()


def _plant_all(folder: Path) -> None:
    shutil.copytree(FIXTURES, folder)
    _plant_json_files(folder)
    for name, ids, fresh in (
        ("crowdtangle.csv", ["URL"], _suffix),
        ("instagram_crowdtangle.csv", ["URL"], _suffix),
        ("posts_tabular.csv", ["msg_id"], _suffix),
        ("survey.csv", ["RID"], _suffix),
        ("kobo.csv", ["_id", "_uuid"], _suffix),
        ("pldp.csv", ["survey_id"], _suffix),
        ("footfall_wide.csv", ["timestamp"], _hour),
        ("footfall_long.csv", ["timestamp"], _hour),
    ):
        _plant_csv(folder, name, ids, fresh)
    survey = pd.read_csv(folder / "survey.csv", dtype=str)
    pyreadstat.write_dta(survey, str(folder / "survey.dta"))
    for name, ids in (("sensors.csv", ["sensor_id"]), ("sites.csv", ["site_id"])):
        planted = folder / "metadata"
        planted.mkdir(exist_ok=True)
        shutil.copy(FIXTURES / "SYNTHETIC.txt", planted)
        _plant_csv(folder, name, ids, _suffix)
        shutil.move(folder / name, planted / name)
        shutil.copy(FIXTURES / name, folder / name)


SOCIAL = """
[[sources.social]]
format = "x_v2"
path = "x_page.jsonl"
[[sources.social]]
format = "mastodon"
path = "mastodon.json"
[[sources.social]]
format = "reddit"
path = "reddit_*"
[[sources.social]]
format = "crowdtangle"
path = "*crowdtangle.csv"
[[sources.social]]
format = "telegram"
path = "telegram_*.json"
[[sources.social]]
format = "tabular"
path = "posts_tabular.csv"
[sources.social.column_mapping]
source = "forum"
id = "msg_id"
created_at = "posted"
timezone = "Europe/Stockholm"
text = "body"
author = "user"
lang = "language"
lat = "latitude"
lon = "longitude"
"""

HEAD = """
name = "planted"
municipality = "Testby"
[boundaries]
path = "neighbourhoods.geojson"
[privacy]
demo_key = true
min_cell_size = 1
[indicators]
bootstrap_reps = 19
min_cell = { digital_negative_share = 1, digital_trust_share = 1, digital_distrust_share = 1, digital_hostility_share = 1, sensing_footfall_index = 1, observation_mixed_rate = 1, observation_conflict_rate = 1, survey_ppltrst_mean = 1, survey_trust_neighbours_mean = 1 }
[composite]
min_dimensions = 1
monte_carlo_draws = 20
"""  # noqa: E501  (publish every cell: the more that is published, the more could leak)

CONFIGS = {
    "social_and_csv": SOCIAL
    + """
[sources.survey]
path = "survey.csv"
codebook = "codebook.toml"
[sources.sensing]
readings = "footfall_wide.csv"
sensors = "sensors.csv"
[sources.observation]
sessions = "kobo.csv"
sites = "sites.csv"
""",
    "other_formats": """
[sources.survey]
path = "survey.dta"
codebook = "codebook.toml"
[sources.sensing]
readings = "footfall_long.csv"
sensors = "sensors.csv"
layout = "long"
[sources.observation]
sessions = "pldp.csv"
sites = "sites.csv"
format = "pldp"
""",
    "planted_metadata": """
[sources.sensing]
readings = "footfall_wide.csv"
sensors = "metadata/sensors.csv"
[sources.observation]
sessions = "kobo.csv"
sites = "metadata/sites.csv"
""",
}


def _leaks(text: str) -> list[str]:
    """The planted pieces found in ``text`` as words (``Anna``, not the ``anna`` of
    ``grannar``), ignoring case."""
    return [
        piece
        for piece in PIECES
        if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text, flags=re.IGNORECASE)
    ]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each config run over the planted files: (warehouse, everything it printed)."""
    folder = tmp_path_factory.mktemp("planted") / "cfg"
    _plant_all(folder)
    out: dict[str, tuple[Path, str]] = {}
    for name, sources in CONFIGS.items():
        path = folder / f"{name}.toml"
        path.write_text(HEAD + sources, encoding="utf-8")
        root = folder.parent / f"wh_{name}"
        printed = StringIO()
        console = Console(file=printed, width=400, soft_wrap=True)
        config = load_config(path)
        if name == "planted_metadata":
            run_ingest(config, warehouse=root, console=console)
        else:
            run_pipeline(config, warehouse=root, console=console, show_progress=False)
        status = CliRunner().invoke(app, ["status", "--warehouse", str(root)])
        assert "Traceback" not in status.output
        out[name] = (root, printed.getvalue() + status.output)
    return out


def test_the_planted_files_really_plant_every_field(planted) -> None:
    root, _ = planted["social_and_csv"]
    quarantine = Warehouse(root).read(QUARANTINE)
    fields = set(zip(quarantine["file"], quarantine["field"], strict=True))
    # a planted value is rejected with a reason in many fields of every reader
    for file, field in [
        ("x_page.jsonl", "created_at"),
        ("mastodon.json", "created_at"),
        ("reddit_dump.ndjson", "created_utc"),
        ("telegram_result.json", "date_unixtime"),
        ("crowdtangle.csv", "Post Created"),
        ("posts_tabular.csv", "posted"),
        ("survey.csv", "Q1"),
        ("footfall_wide.csv", "timestamp"),
        ("kobo.csv", "site_id"),
    ]:
        assert (file, field) in fields, (file, field)
    posts = Warehouse(root).read(POSTS)
    assert posts["text"].str.contains(NAME).any()  # and accepted where it is plain text
    assert "telegram:chat-" in " ".join(posts["post_id"])  # the planted chat id is hidden
    _, printed_metadata = planted["planted_metadata"]
    assert "sensors.csv" in printed_metadata and "error" in printed_metadata


@pytest.mark.parametrize("name", list(CONFIGS))
def test_no_planted_identifier_in_any_published_table(planted, name) -> None:
    root, _ = planted[name]
    if not (root / "barometer.duckdb").exists():
        assert name == "planted_metadata"  # ingest only: nothing published
        return
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        tables = [row[0] for row in con.execute("SHOW TABLES").fetchall()]
        assert "quarantine_summary" in tables
        for table in tables:
            blob = con.execute(f'SELECT * FROM "{table}"').df().to_csv(index=False)
            assert not _leaks(blob), (table, _leaks(blob))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_no_planted_identifier_in_any_manifest_or_printed_line(planted, name) -> None:
    root, printed = planted[name]
    assert printed.strip()
    assert not _leaks(printed), [line for line in printed.splitlines() if _leaks(line)]
    for path in [*(root / "manifests").glob("*.json"), root / "warehouse.json"]:
        text = path.read_text(encoding="utf-8")
        assert not _leaks(text), (path.name, _leaks(text))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_stored_texts_and_raw_copies_are_scrubbed(planted, name) -> None:
    root, _ = planted[name]
    store = Warehouse(root)
    quarantine = store.read(QUARANTINE)
    stored = "\n".join([*store.read(POSTS)["text"], *quarantine["raw"], *quarantine["reason"]])
    for secret in IDENTIFYING:
        assert secret not in stored, secret
