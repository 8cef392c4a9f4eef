import os

import duckdb
import pandas as pd
import pytest
from conftest import observation_rows

from barometer.exceptions import SchemaError, WarehouseError
from barometer.schema import INDICATORS, OBSERVATIONS, QUARANTINE
from barometer.warehouse import Warehouse, open_published


def test_append_is_idempotent(tmp_path) -> None:
    with Warehouse.open_for_writing(tmp_path / "wh") as store:
        _append_three(store)
    assert not list((tmp_path / "wh").rglob("*.tmp"))


def _append_three(store: Warehouse) -> None:
    assert store.append(OBSERVATIONS, observation_rows(["a", "b", "b"])) == 2
    assert store.append(OBSERVATIONS, observation_rows(["a", "b"])) == 0
    assert store.append(OBSERVATIONS, observation_rows(["b", "c"])) == 1
    assert store.count(OBSERVATIONS) == 3
    assert sorted(store.read(OBSERVATIONS)["observation_id"]) == ["a", "b", "c"]
    assert len(store.parts(OBSERVATIONS)) == 2


def test_read_empty_table_has_schema_columns(tmp_path) -> None:
    frame = Warehouse(tmp_path).read(QUARANTINE)
    assert frame.empty and list(frame.columns) == QUARANTINE.columns


def test_append_rejects_wrong_columns(tmp_path) -> None:
    with (
        Warehouse.open_for_writing(tmp_path) as store,
        pytest.raises(SchemaError, match="missing \\['n_conflicts'\\]"),
    ):
        store.append(OBSERVATIONS, observation_rows(["a"]).drop(columns="n_conflicts"))


def test_replace_swaps_whole_table_and_repairs_interrupted_swap(tmp_path) -> None:
    with Warehouse.open_for_writing(tmp_path) as store:
        store.replace(OBSERVATIONS, observation_rows(["a", "b"]))
        store.replace(OBSERVATIONS, observation_rows(["c"]))
        assert store.read(OBSERVATIONS)["observation_id"].tolist() == ["c"]
    # simulate a crash between the two renames of replace(): the table folder is retired
    os.replace(store.table_dir(OBSERVATIONS), store.parquet_dir / ".observations.old-dead")
    assert Warehouse(tmp_path).read(OBSERVATIONS).empty  # readers do not repair
    with Warehouse.open_for_writing(tmp_path) as reopened:
        assert reopened.read(OBSERVATIONS)["observation_id"].tolist() == ["c"]


def test_publish_and_open_read_only(tmp_path) -> None:
    with Warehouse.open_for_writing(tmp_path) as store:
        store.publish({"numbers": pd.DataFrame({"x": [1, 2]})})
    with open_published(tmp_path) as con:
        assert con.execute("SELECT sum(x) FROM numbers").fetchone() == (3,)
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE y (a INT)")


def test_open_published_without_build(tmp_path) -> None:
    with pytest.raises(WarehouseError, match="build it first"):
        open_published(tmp_path)


def test_manifests_and_seen_inputs(tmp_path) -> None:
    with Warehouse.open_for_writing(tmp_path) as store:
        store.write_manifest(
            {"run_id": "r1", "started_at": "2024", "inputs": [{"sha256": "abc", "ingested": True}]}
        )
    assert store.seen_input_hashes() == {"abc"}
    assert [m["run_id"] for m in store.manifests()] == ["r1"]


def test_indicator_schema_roundtrip(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "neighbourhood_id": ["west"],
            "period_start": [pd.Timestamp("2024-05-01").date()],
            "period": ["M"],
            "indicator": ["x"],
            "value": [1.0],
            "lower": [0.5],
            "upper": [1.5],
            "n_effective": [12.0],
            "method": ["m"],
            "suppressed": [False],
            "validity": ["not_validated"],
            "validity_note": ["hostility:2026.3:sv:no_test_set"],
            "run_id": ["r"],
        }
    )
    with Warehouse.open_for_writing(tmp_path) as store:
        store.replace(INDICATORS, frame)
    back = store.read(INDICATORS)
    assert back.iloc[0]["period_start"] == frame.iloc[0]["period_start"]
    assert back.iloc[0]["value"] == 1.0
