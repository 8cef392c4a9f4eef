"""The installable package: packaged defaults found without a checkout, a city's own models
folder over them, and what the CLI prints (version, sample, errors, help).

`.ci/run` also builds the wheel and runs `barometer sample/run/models/app` from it in an empty
folder (`.ci/check_wheel.sh`); these tests cover the same code from the checkout.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from conftest import FIXTURES, MODELS_DIR, SAMPLE_DIR, SHARED_DATA
from typer.testing import CliRunner

from barometer import locations, registry
from barometer.cli import app
from barometer.config import load_config
from barometer.exceptions import ConfigError, ModelError, ModelIntegrityError
from barometer.model_store import city_models_dir, use_models_dir

BAROMETER = Path(locations.__file__).parent


def _runner(**env: str) -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", **env})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- packaged files --------------------------------------------------------------------------


def test_version_is_the_installed_distributions() -> None:
    result = _runner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"barometer {metadata.version('barometer')}"


def test_packaged_files_live_inside_the_package() -> None:
    for path in (SAMPLE_DIR, MODELS_DIR, locations.app_entry(), locations.sample_config()):
        assert path.exists() and BAROMETER in path.resolve().parents, path
    assert locations.training_config("hostility").is_file()
    with pytest.raises(ConfigError, match="missing from the installed barometer package"):
        locations.package_path("data", "no_such_file.toml")


def test_no_module_walks_up_to_a_checkout_or_shared_folder() -> None:
    """Package data comes from importlib.resources, corpora from --data / the environment."""
    walking = re.compile(r"parents\[\d\]|\.parent\.parent|/\s*\"shared\"|\"\.\./shared")
    offenders = [
        f"{path.relative_to(BAROMETER)}:{n}"
        for path in sorted(BAROMETER.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if walking.search(line.split("#")[0])
    ]
    assert offenders == []


def test_shared_data_folder_comes_from_the_option_or_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(locations.DATA_ENV, raising=False)
    with pytest.raises(ConfigError, match=r"no shared data folder given: pass --data DIR"):
        locations.shared_data_dir()
    with pytest.raises(ConfigError, match=r"\(from --data\) does not exist"):
        locations.shared_data_dir(tmp_path / "nowhere")
    monkeypatch.setenv(locations.DATA_ENV, str(tmp_path))
    assert locations.shared_data_dir() == tmp_path
    assert locations.shared_data_dir(SHARED_DATA) == SHARED_DATA


# -- barometer sample ------------------------------------------------------------------------


def test_sample_out_writes_the_sample_and_a_ready_config(tmp_path: Path) -> None:
    out = tmp_path / "city"
    result = _runner().invoke(app, ["sample", "--out", str(out)])
    assert result.exit_code == 0, result.output
    packaged = sorted(
        p.relative_to(SAMPLE_DIR)
        for p in SAMPLE_DIR.rglob("*")
        if p.is_file() and "warehouse" not in p.parts
    )
    assert Path("pipeline.toml") in packaged and Path("GROUND_TRUTH.json") in packaged
    for name in packaged:
        assert _digest(out / name) == _digest(SAMPLE_DIR / name), name
    truth = json.loads((SAMPLE_DIR / "GROUND_TRUTH.json").read_text(encoding="utf-8"))
    assert json.dumps(truth["counts"], indent=2) in result.output
    assert f"barometer run {out / 'pipeline.toml'}" in result.output
    config = load_config(out / "pipeline.toml")
    assert config.resolve(config.store.path) == (out / "warehouse").resolve()
    assert config.resolve(config.sources.survey.path).is_file()  # type: ignore[union-attr]
    assert [p.parent for _, p in config.social_files()] == [(out / "social").resolve()] * 6


def test_sample_regenerate_needs_the_municipality_polygons(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(locations.DATA_ENV, raising=False)
    result = _runner().invoke(app, ["sample", "--out", str(tmp_path), "--regenerate"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no shared data folder given: pass --data DIR")
    empty = tmp_path / "data"
    empty.mkdir()
    result = _runner().invoke(
        app, ["sample", "--out", str(tmp_path), "--regenerate", "--data", str(empty)]
    )
    assert result.exit_code == 1
    assert "geo/swedish_municipalities.geojson not found" in result.output
    assert not (tmp_path / "GROUND_TRUTH.json").exists()


# -- errors and help -------------------------------------------------------------------------


def test_an_error_naming_a_config_table_prints_it_intact(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(
        (FIXTURES / "mini.toml")
        .read_text(encoding="utf-8")
        .replace('format = "x_v2"', 'format = "tabular"'),
        encoding="utf-8",
    )
    result = _runner().invoke(app, ["run", str(config), "--quiet"])
    assert result.exit_code == 1
    assert "needs a [sources.social.column_mapping] table" in result.output
    assert result.output.startswith(f"error: {config}: ")
    assert len(result.output.strip().splitlines()) == 1  # one line, no traceback


def test_every_command_prints_a_barometer_error_as_one_line(tmp_path: Path) -> None:
    """A missing file, through each family of commands; none of them shows a traceback."""
    missing = str(tmp_path / "[nope].toml")
    commands = [
        ["run", missing],
        ["ingest", missing],
        ["impact", "x", "--config", missing],
        ["survey-estimates", missing],
        ["status", "--warehouse", str(tmp_path / "[empty]")],
        ["agreement", str(tmp_path / "[labels].csv")],
        ["activate", "toy", "v1", "--models-dir", str(tmp_path / "[models]")],
        ["fetch", missing],
        ["erase", "--source", "x", "--author-id", "1", "--config", missing],
        ["prune", "--before", "2024-01-01", "--config", missing],
    ]
    for command in commands:
        result = _runner().invoke(app, command)
        assert result.exit_code == 1, command
        assert result.output.startswith("error: "), (command, result.output)
        assert "[" in result.output and "Traceback" not in result.output, command


def test_help_strings_show_the_config_tables_they_name() -> None:
    expected = {
        "run": "[store] path of the config",
        "ingest": "[store] path of the config",
        "impact": "[[actions]] entry",
        "audit": "[audit] table",
        "survey-estimates": "[output] csv of the config",
        "fetch": "[[sources.live]] tables",
    }
    for command, text in expected.items():
        result = _runner().invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert text in re.sub(r"[\s│]+", " ", result.output), command


# -- models: the city's folder over the packaged defaults ------------------------------------


def test_models_list_the_packaged_defaults_from_an_empty_folder(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("BAROMETER_MODELS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    result = _runner().invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    for task, version in registry.active_versions().items():
        assert re.search(rf"{task}\s+│\s+{re.escape(version)}\s+│\s+\*", result.output), task
    assert f"searched: {MODELS_DIR}" in result.output


def test_writes_need_a_city_folder_and_never_touch_the_package(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("BAROMETER_MODELS_DIR", raising=False)
    task, version = "hostility", registry.active_versions()["hostility"]
    packaged = MODELS_DIR / task / version
    before = {p.name: _digest(p) for p in packaged.iterdir()}
    with pytest.raises(ModelError, match="default models inside the package are read-only"):
        registry.activate(task, version)
    city = tmp_path / "city_models"
    registry.activate(task, version, force=True, reason="a test", models_dir=city)
    assert registry.read_registry(city) == {task: version}  # only what the city chose
    assert registry.active_versions(city) == registry.active_versions()
    record = {"passed": True, "reasons": []}
    registry.record_audit(task, version, record, "re-audited", models_dir=city)
    copy = city / task / version
    assert registry.version_dir(task, version, city) == copy  # the city's copy stands for it
    assert "re-audited" in (copy / "card.md").read_text(encoding="utf-8")
    assert registry.verify_model(task, version, city) == copy / "model.skops"
    assert {p.name: _digest(p) for p in packaged.iterdir()} == before


def test_models_dir_from_a_pipeline_config_is_the_folder_a_run_uses(tmp_path: Path) -> None:
    """``[models] dir`` of the config: the run reads the city's active version of hostility
    from there (refused while its model file is altered, used once it is restored)."""
    task, version = "hostility", registry.active_versions()["hostility"]
    city = tmp_path / "models"
    mine = city / task / "city-1"
    shutil.copytree(MODELS_DIR / task / version, mine)
    manifest = json.loads((mine / "manifest.json").read_text(encoding="utf-8"))
    (mine / "manifest.json").write_text(json.dumps({**manifest, "version": "city-1"}), "utf-8")
    with (mine / "model.skops").open("ab") as model:
        model.write(b"tampered")
    (city / "registry.toml").write_text(f'[active]\n{task} = "city-1"\n', encoding="utf-8")
    for name in FIXTURES.iterdir():
        if name.is_file():
            shutil.copy(name, tmp_path / name.name)
    text = (tmp_path / "mini.toml").read_text(encoding="utf-8")
    (tmp_path / "mini.toml").write_text(text + '\n[models]\ndir = "models"\n', encoding="utf-8")
    config = load_config(tmp_path / "mini.toml")
    assert config.models_dir() == city.resolve()
    from barometer.pipeline import run_pipeline
    from barometer.read import table

    where = re.escape(f"{city.resolve() / task / 'city-1' / 'model.skops'}: SHA-256")
    with pytest.raises(ModelIntegrityError, match=where):
        run_pipeline(config, warehouse=tmp_path / "wh", show_progress=False)
    shutil.copy(MODELS_DIR / task / version / "model.skops", mine / "model.skops")
    report = run_pipeline(config, warehouse=tmp_path / "wh", show_progress=False)
    assert report.manifest["model_versions"][task] == f"{task}-city-1"
    cards = table(report.warehouse, "model_cards")
    assert cards.loc[cards["active"] & (cards["task"] == task), "version"].tolist() == ["city-1"]
    assert city_models_dir() != city  # the config's folder is in use during the run only


def test_use_models_dir_sets_the_city_folder_within_its_block(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("BAROMETER_MODELS_DIR", raising=False)
    assert city_models_dir() is None
    with use_models_dir(tmp_path):
        assert city_models_dir() == tmp_path
        assert city_models_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert city_models_dir() is None
    monkeypatch.setenv("BAROMETER_MODELS_DIR", str(tmp_path / "env"))
    assert city_models_dir() == tmp_path / "env"


def test_a_language_list_of_the_wrong_length_is_one_barometer_error() -> None:
    from barometer.exceptions import BarometerError, LanguageMismatchError
    from barometer.nlp.lexicons import LexiconSentimentScorer
    from barometer.nlp.rumours import RumourMatcher
    from barometer.nlp.text import normalise_texts
    from barometer.nlp.themes import ThemeTagger
    from barometer.nlp.trust import TrustExpressionMatcher

    texts = ["hej", "hello"]
    calls = [
        lambda: normalise_texts(texts, ["sv"]),
        lambda: LexiconSentimentScorer().fit().decision_function(texts, ["sv"]),
        lambda: RumourMatcher().fit().similarity(texts, ["sv"]),
        lambda: ThemeTagger().fit().predict_indicator(texts, ["sv"]),
        lambda: TrustExpressionMatcher().fit().match(texts, ["sv"]),
    ]
    for call in calls:
        with pytest.raises(LanguageMismatchError, match=r"one language per text \(2\), got 1"):
            call()
    assert issubclass(LanguageMismatchError, BarometerError)
    assert issubclass(LanguageMismatchError, ValueError)  # as scikit-learn expects
