"""A corpus of malformed files: each gets one clear InputError naming the file and the problem,
or loads with every record accounted for; never another exception. The pipeline reports a bad
file in one line and goes on with the others."""

import gzip
import json
import shutil

import pandas as pd
import pytest
from conftest import FIXTURES
from ingest_readers import CSV_READERS, JSON_READERS, READERS
from typer.testing import CliRunner

from barometer.cli import app
from barometer.config import load_config
from barometer.exceptions import InputError
from barometer.ingest.social import read_crowdtangle, read_mastodon, read_x_v2
from barometer.ingest.survey import read_survey_file
from barometer.pipeline import run_ingest, run_pipeline
from barometer.schema import POSTS
from barometer.warehouse import Warehouse

CORPUS: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b"  \n\n\t ",
    "truncated_json": b'{"data": [{"id": "1", "text": "Hej Westby", "created_at": "2024-0',
    "truncated_array": b'[{"id": "1", "content": "<p>Hej</p>"',
    "json_scalar": b"42",
    "binary_nul": b"\x00\x01\x02PK\x03\x04 not text \x00",
    "zip_header": b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    "cp1252_text": "id,time,text\n1,2024-03-05T10:00:00+01:00,Östby är fint\n".encode("cp1252"),
    "undecodable": b"id,time,text\n1,2024-03-05,\x81\x8d\x8f\x90\x9d\n",
    "utf16": "id,time,text\n1,2024-03-05T10:00:00+01:00,x\n".encode("utf-16"),
    "header_only": b"a,b,c\n",
    "wrong_columns": b"a,b\n1,2\n3,4\n",
    "ragged": b"id,time,text\n1,2\n3,4,5,6\n",
    "unclosed_quote": b'id,time,text\n1,"2024-03-05,abc\n',
    "deep_json": b"[" * 5000 + b"]" * 5000,
}


def _expect_clean(reader, path) -> None:
    try:
        result = reader(path)
    except InputError as exc:
        message = str(exc)
        assert str(path) in message, message
        assert "\n" not in message and "Traceback" not in message
        return
    assert result.reconciles(), (path.name, result.n_read, len(result.rows), result.quarantined)


@pytest.mark.parametrize("name,suffix,reader", READERS, ids=[r[0] for r in READERS])
@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_input_corpus(tmp_path, name, suffix, reader, case) -> None:
    path = tmp_path / f"{case}{suffix}"
    path.write_bytes(CORPUS[case])
    _expect_clean(reader, path)


@pytest.mark.parametrize("name,suffix,reader", READERS, ids=[r[0] for r in READERS])
def test_missing_and_empty_files_name_the_problem(tmp_path, name, suffix, reader) -> None:
    with pytest.raises(InputError, match="not found"):
        reader(tmp_path / f"nope{suffix}")
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty|not a readable|no rows"):
        reader(empty)


@pytest.mark.parametrize("name,suffix,reader", JSON_READERS, ids=[r[0] for r in JSON_READERS])
def test_json_in_a_legacy_encoding_is_named(tmp_path, name, suffix, reader) -> None:
    path = tmp_path / f"latin{suffix}"
    path.write_bytes(json.dumps({"text": "Östby"}, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(InputError, match=r"not valid UTF-8 \(byte 0xd6 at offset 10\)"):
        reader(path)


def test_truncated_json_document_is_named(tmp_path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(CORPUS["truncated_array"])
    with pytest.raises(InputError, match=r"m.json: not valid JSON at line 1.*\(truncated\?\)"):
        read_mastodon(path)


def test_truncated_gzip_is_named(tmp_path) -> None:
    packed = gzip.compress((FIXTURES / "x_page.jsonl").read_bytes())
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        read_x_v2(path)


def test_bom_changes_nothing(tmp_path) -> None:
    for name, reader in (("x_page.jsonl", read_x_v2), ("crowdtangle.csv", read_crowdtangle)):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / name).read_bytes())
        pd.testing.assert_frame_equal(reader(path).rows, reader(FIXTURES / name).rows)


def test_cp1252_csv_is_decoded_with_a_note(tmp_path) -> None:
    path = tmp_path / "ct.csv"
    path.write_bytes((FIXTURES / "crowdtangle.csv").read_text().encode("cp1252"))
    result = read_crowdtangle(path)
    assert result.rows["text"].iloc[0].startswith("Välkomna till grannfesten")
    assert result.notes == ["decoded as cp1252 (the file is not UTF-8)"]


def test_semicolon_csv_from_swedish_excel(tmp_path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text((FIXTURES / "survey.csv").read_text().replace(",", ";"), encoding="cp1252")
    assert read_survey_file(path).shape == pd.read_csv(FIXTURES / "survey.csv").shape


def test_sav_that_is_not_a_sav(tmp_path) -> None:
    path = tmp_path / "survey.sav"
    path.write_text("RID,WAVE\nA1,1\n")
    with pytest.raises(InputError, match=r"survey.sav: not a readable SPSS .sav file \("):
        read_survey_file(path)
    path = tmp_path / "survey.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(InputError, match=r"survey.xlsx: not a readable Excel .xlsx workbook"):
        read_survey_file(path)


@pytest.mark.parametrize("name,suffix,reader", CSV_READERS, ids=[r[0] for r in CSV_READERS])
def test_missing_required_column(tmp_path, name, suffix, reader) -> None:
    path = tmp_path / f"cols{suffix}"
    path.write_text("something,else\n1,2\n")
    with pytest.raises(InputError, match=r"missing|no 'timestamp'|not in the file"):
        reader(path)


# -- the pipeline goes on after a bad file ---------------------------------------------------


@pytest.fixture
def broken_config(tmp_path):
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    (folder / "zz_broken.jsonl").write_bytes(CORPUS["binary_nul"])  # sorted after x_page
    (folder / "survey.csv").write_bytes(b"")
    text = (folder / "mini.toml").read_text()
    text = text.replace('path = "x_page.jsonl"', 'path = "*.jsonl"')
    text = text.replace("../../../shared", str(FIXTURES.parents[2] / "shared"))
    (folder / "mini.toml").write_text(text)
    return load_config(folder / "mini.toml")


def test_pipeline_reports_a_bad_file_and_loads_the_others(broken_config, tmp_path) -> None:
    report = run_pipeline(broken_config, warehouse=tmp_path / "wh", show_progress=False)
    entries = {e["path"].rsplit("/", 1)[-1]: e for e in report.manifest["inputs"]}
    assert "binary data (NUL bytes)" in entries["zz_broken.jsonl"]["error"]
    assert "the file is empty" in entries["survey.csv"]["error"]
    assert "ingested" not in entries["zz_broken.jsonl"]  # a later run tries again
    assert entries["x_page.jsonl"]["n_kept"] == 4 and entries["kobo.csv"]["n_kept"] == 2
    assert report.manifest["row_counts"]["posts"] == 6


def test_ingest_command_prints_counts_and_errors(broken_config, tmp_path) -> None:
    config_path = broken_config.base_dir / "mini.toml"
    root = tmp_path / "wh"
    result = CliRunner().invoke(app, ["ingest", str(config_path), "--warehouse", str(root)])
    assert result.exit_code == 1  # a file could not be read
    output = " ".join(result.output.split())
    assert "x_page.jsonl: read 8 = 4 accepted + 1 duplicates + 3 quarantined" in output
    assert "footfall_wide.csv: read 142 = 140 accepted + 0 duplicates + 2 quarantined" in output
    assert "zz_broken.jsonl: binary data (NUL bytes)" in output
    assert "Traceback" not in result.output
    assert Warehouse(root).count(POSTS) == 6
    again = run_ingest(broken_config, warehouse=root)
    assert sum(again.new_rows.values()) == 0
