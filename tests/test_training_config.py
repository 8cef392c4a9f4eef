"""Typed training configs: every shipped config validates, bad values are refused by key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.exceptions import ConfigError
from barometer.model_store import REPO_ROOT
from barometer.training import TrainingConfig, dump_config, load_training_config

CONFIGS = REPO_ROOT / "models" / "configs"


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_configs_validate_and_dump_back_as_themselves(path: Path, tmp_path: Path) -> None:
    config = load_training_config(path)
    assert isinstance(config, TrainingConfig) and config.task.name == path.stem
    again = tmp_path / "again.toml"
    again.write_text(dump_config(config), encoding="utf-8")
    assert load_training_config(again) == config
    assert dump_config(load_training_config(again)) == dump_config(config)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("classifier.C=abc", r"classifier\.C = 'abc' \(overridden\): .*valid number"),
        ("features.n_features=-5", r"features\.n_features = -5 \(overridden\): .*greater than 0"),
        ("calibration.method=magic", r"calibration\.method = 'magic' \(overridden\)"),
        ("evaluation.level=1.5", r"evaluation\.level = 1\.5 \(overridden\)"),
        ("classifier.gamma=1", r"no key classifier\.gamma .*keys of \[classifier\]"),
        ("C=2", r"section\.key=value"),
    ],
)
def test_bad_overrides_are_refused_naming_the_key(override: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_training_config(CONFIGS / "hostility.toml", [override])


def test_bad_file_values_name_the_file_and_key(tmp_path: Path) -> None:
    text = (CONFIGS / "hostility.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("[features]", "[features]\nunknown_key = 3", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: features\.unknown_key = 3: Extra inputs"):
        load_training_config(bad)
    bad.write_text("[task\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml is not valid TOML"):
        load_training_config(bad)
    with pytest.raises(ConfigError, match=r"training config .*missing\.toml not found"):
        load_training_config(tmp_path / "missing.toml")


def test_cli_train_refuses_a_bad_override_in_one_line(tmp_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(
        app, ["train", "hostility", "--output", str(tmp_path), "--set", "classifier.C=abc"]
    )
    assert result.exit_code == 1
    assert "classifier.C" in result.output and "abc" in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())  # nothing trained or registered
