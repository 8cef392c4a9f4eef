"""The pseudonymisation key (issue 11, deliverable 3): fingerprint, refusal of another key,
the demo-key policy, and key files that others can read or that sit inside the warehouse."""

import json
import shutil

import duckdb
import pytest
from conftest import FIXTURES, REPO_ROOT
from typer.testing import CliRunner

from barometer.cli import app
from barometer.config import load_config
from barometer.exceptions import ConfigError, WarehouseError
from barometer.keys import (
    DEMO_KEY,
    SYNTHETIC_MARKER,
    check_key_file,
    key_fingerprint,
    pipeline_key,
)
from barometer.pipeline import run_ingest
from barometer.run_plan import input_paths
from barometer.schema import POSTS, SURVEY_RESPONSES
from barometer.warehouse import Warehouse

KEY_A = "a-secret-key-of-32-random-bytes!"
KEY_B = "another-key-of-32-random-bytes!!"


def test_fingerprint_is_keyed_stable_and_reveals_nothing() -> None:
    assert key_fingerprint(KEY_A.encode()) == key_fingerprint(KEY_A.encode())
    assert key_fingerprint(KEY_A.encode()) != key_fingerprint(KEY_B.encode())
    assert len(key_fingerprint(KEY_A.encode())) == 16
    assert KEY_A[:8] not in key_fingerprint(KEY_A.encode())


def test_a_run_with_another_key_is_refused_and_changes_nothing(tmp_path, monkeypatch) -> None:
    root = tmp_path / "wh"
    config = load_config(FIXTURES / "mini.toml")
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", KEY_A)
    first = run_ingest(config, warehouse=root)
    assert first.manifest["key_fingerprint"] == key_fingerprint(KEY_A.encode())
    assert first.manifest["demo_key"] is False
    recorded = json.loads((root / "warehouse.json").read_text())
    assert recorded["key_fingerprint"] == key_fingerprint(KEY_A.encode())
    before = Warehouse(root).count(SURVEY_RESPONSES), Warehouse(root).count(POSTS)
    # the same inputs, changed so that they would be read again
    shutil.copytree(FIXTURES, tmp_path / "cfg")
    (tmp_path / "cfg" / "survey.csv").write_text(
        (FIXTURES / "survey.csv").read_text() + "\n", encoding="utf-8"
    )
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", KEY_B)
    with pytest.raises(WarehouseError, match="another pseudonymisation key") as refused:
        run_ingest(load_config(tmp_path / "cfg" / "mini.toml"), warehouse=root)
    assert "Run with the key it was built with" in str(refused.value)
    assert "new, empty warehouse folder" in str(refused.value)
    assert (Warehouse(root).count(SURVEY_RESPONSES), Warehouse(root).count(POSTS)) == before
    assert len(Warehouse(root).manifests()) == 1
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", KEY_A)
    again = run_ingest(load_config(tmp_path / "cfg" / "mini.toml"), warehouse=root)
    assert Warehouse(root).count(SURVEY_RESPONSES) == before[0]  # same people, same pseudonyms
    assert again.manifest["key_fingerprint"] == first.manifest["key_fingerprint"]


def test_the_key_itself_is_stored_nowhere(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", KEY_A)
    root = tmp_path / "wh"
    run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=root)
    for path in root.rglob("*"):
        if path.is_file():
            assert KEY_A.encode() not in path.read_bytes(), path


def test_demo_key_is_refused_for_data_not_marked_synthetic(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    folder = tmp_path / "real"
    shutil.copytree(FIXTURES, folder)
    (folder / SYNTHETIC_MARKER).unlink()
    config = load_config(folder / "mini.toml")
    root = tmp_path / "wh"
    with pytest.raises(ConfigError, match="demo pseudonym key is public") as refused:
        run_ingest(config, warehouse=root)
    assert "re-identify" in str(refused.value) and "--allow-demo-key" in str(refused.value)
    assert not root.exists()  # refused before any folder was created
    # the demo key's bytes given as a "real" key are the demo key all the same
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", DEMO_KEY.decode())
    with pytest.raises(ConfigError, match="demo pseudonym key is public"):
        run_ingest(config, warehouse=root)
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY")
    report = run_ingest(config, warehouse=root, allow_demo_key=True)  # the explicit flag
    assert report.manifest["demo_key"] is True
    assert report.manifest["key_fingerprint"] == key_fingerprint(DEMO_KEY)


def test_demo_key_command_line_flag_and_warning(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    folder = tmp_path / "real"
    shutil.copytree(FIXTURES, folder)
    (folder / SYNTHETIC_MARKER).unlink()
    args = ["ingest", str(folder / "mini.toml"), "--warehouse", str(tmp_path / "wh")]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "demo pseudonym key is public" in " ".join(refused.output.split())
    allowed = CliRunner().invoke(app, [*args, "--allow-demo-key"])
    assert allowed.exit_code == 0, allowed.output
    assert "public demo key" in " ".join(allowed.output.split())


def test_the_sample_municipality_may_use_the_demo_key(monkeypatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    config = load_config(REPO_ROOT / "pipelines" / "botkyrka_sample.toml")
    key = pipeline_key(
        env_var="BAROMETER_PSEUDONYM_KEY",
        key_file=None,
        demo_key=True,
        inputs=input_paths(config),
        warehouse=None,
    )
    assert key.demo and key.key == DEMO_KEY


def test_demo_key_is_published_in_the_runs_table(mini_warehouse) -> None:
    with duckdb.connect(str(mini_warehouse / "barometer.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT demo_key, key_fingerprint, sources_missing FROM runs").df()
        types = {row[0]: row[1] for row in con.execute("DESCRIBE runs").fetchall()}
    assert bool(runs["demo_key"].iloc[0]) is True
    assert runs["key_fingerprint"].iloc[0] == key_fingerprint(DEMO_KEY)
    assert json.loads(runs["sources_missing"].iloc[0]) == []
    assert types["demo_key"] == "BOOLEAN" and types["key_fingerprint"] == "VARCHAR"
    assert types["sources_missing"] == "VARCHAR"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_key_files_others_can_read_are_refused(tmp_path, mode, monkeypatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text(KEY_A)
    key_file.chmod(mode)
    with pytest.raises(ConfigError, match="chmod 600"):
        check_key_file(key_file, None)
    key_file.chmod(0o600)
    check_key_file(key_file, None)


def test_a_key_file_inside_the_warehouse_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    root = tmp_path / "wh"
    root.mkdir()
    key_file = root / "key"
    key_file.write_text(KEY_A)
    key_file.chmod(0o600)
    with pytest.raises(ConfigError, match="inside the warehouse"):
        pipeline_key(
            env_var="BAROMETER_PSEUDONYM_KEY",
            key_file=key_file,
            demo_key=False,
            inputs=[],
            warehouse=root,
        )
    outside = tmp_path / "key"
    outside.write_text(KEY_A)
    outside.chmod(0o600)
    key = pipeline_key(
        env_var="BAROMETER_PSEUDONYM_KEY",
        key_file=outside,
        demo_key=False,
        inputs=[],
        warehouse=root,
    )
    assert key.key == KEY_A.encode() and not key.demo
