import pytest
from conftest import REPO_ROOT

from barometer.config import load_config
from barometer.exceptions import ConfigError

SAMPLE = REPO_ROOT / "pipelines" / "botkyrka_sample.toml"


def test_sample_config_loads_and_resolves_paths() -> None:
    config = load_config(SAMPLE)
    assert config.name == "botkyrka_sample"
    assert config.resolve(config.boundaries.path) == (
        REPO_ROOT / "data_samples" / "neighbourhoods.geojson"
    )
    assert [a.id for a in config.actions] == ["fittja-meeting-place"]


def test_unknown_key_is_an_error(tmp_path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(SAMPLE.read_text().replace("min_cell_size = 10", "min_cel_size = 10"))
    with pytest.raises(ConfigError, match=r"privacy.min_cel_size: Extra inputs"):
        load_config(path)


def test_bad_toml_and_missing_file(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "none.toml")
    path = tmp_path / "p.toml"
    path.write_text("name = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_duplicate_action_ids(tmp_path) -> None:
    text = SAMPLE.read_text()
    block = text[text.index("[[actions]]") :]
    path = tmp_path / "p.toml"
    path.write_text(text + "\n" + block)
    with pytest.raises(ConfigError, match="action ids must be unique"):
        load_config(path)


def test_social_glob_without_match(tmp_path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(SAMPLE.read_text())
    config = load_config(path)
    with pytest.raises(ConfigError, match="no file matches"):
        config.social_files()


def test_language_prior_is_read_and_checked(tmp_path) -> None:
    config = load_config(SAMPLE)
    assert config.nlp.lexicon_dir is None  # packaged lexicons; a city folder is optional
    assert max(config.nlp.language_prior, key=config.nlp.language_prior.__getitem__) == "sv"
    path = tmp_path / "p.toml"
    path.write_text(SAMPLE.read_text().replace("fi = 0.02", "pt = 0.02"))
    with pytest.raises(ConfigError, match=r"nlp.language_prior: .*names \['pt'\]"):
        load_config(path)


def test_the_nlp_section_may_be_left_out(tmp_path) -> None:
    text = SAMPLE.read_text()
    start = text.index("[nlp]")
    end = text.index("[indicators]")
    path = tmp_path / "p.toml"
    path.write_text(text[:start] + text[end:])
    config = load_config(path)
    assert config.nlp.lexicon_dir is None and config.nlp.language_prior == {}
