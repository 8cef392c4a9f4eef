"""Regional trust in Norway from the real ESS round 9 microdata: direct and Fay-Herriot."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PIPELINES_DIR, SHARED_DATA
from typer.testing import CliRunner

from barometer.cli import app
from barometer.exceptions import ConfigError, InputError
from barometer.survey_estimates import DIRECT, EBLUP, estimate_regions, load_area_config

CONFIG = PIPELINES_DIR / "ess_norway_regions.toml"
DATA = SHARED_DATA
ESS = DATA / "survey" / "ess" / "ESS9_NO_full.csv"
REGIONS = [f"NO0{i}" for i in range(1, 8)]

needs_ess = pytest.mark.skipif(
    not ESS.is_file(), reason=f"real ESS9 Norway microdata not found at {ESS}"
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    if not ESS.is_file():
        pytest.skip(f"real ESS9 Norway microdata not found at {ESS}")
    return estimate_regions(CONFIG)


def test_config_points_at_the_shared_file() -> None:
    config, codebook = load_area_config(CONFIG)
    assert config.survey_file(DATA) == ESS.resolve()
    assert codebook.design.weight == "anweight" and codebook.design.area == "region"
    assert codebook.items["ppltrst"].missing_codes == [77, 88, 99]


@needs_ess
def test_national_mean_matches_numpy(table: pd.DataFrame) -> None:
    raw = pd.read_csv(ESS, usecols=["ppltrst", "anweight"])
    y = raw["ppltrst"].where(~raw["ppltrst"].isin([77, 88, 99]))
    ok = y.notna().to_numpy()
    w = raw["anweight"].to_numpy()[ok]
    expected = float(np.sum(w * y.to_numpy()[ok]) / np.sum(w))
    national = table.query("item == 'ppltrst' and area == 'all'")
    assert len(national) == 1
    assert national["value"].iloc[0] == pytest.approx(expected, abs=1e-9)
    assert national["n"].iloc[0] == ok.sum()


@needs_ess
def test_every_region_and_interval(table: pd.DataFrame) -> None:
    numbers = table[["value", "se", "lower", "upper"]].to_numpy()
    assert np.isfinite(numbers).all()
    assert (table["lower"] < table["value"]).all() and (table["value"] < table["upper"]).all()
    for item in ("ppltrst", "pplfair", "pplhlp"):
        for estimator in (DIRECT, EBLUP):
            rows = table[(table["item"] == item) & (table["estimator"] == estimator)]
            assert sorted(set(rows["area"]) - {"all"}) == REGIONS
    assert table["value"].between(0, 10).all()
    assert table.loc[table["area"] == "NO01", "area_label"].iloc[0] == "Oslo og Akershus"


@needs_ess
def test_fay_herriot_shrinks(table: pd.DataFrame) -> None:
    """EBLUPs lie between the direct estimate and the pooled mean, and the leading MSE terms
    (g1 + g2, the MSE with sigma_u^2 known) are below the direct variance in every region.

    The full Prasad-Rao MSE adds 2 g3 for estimating sigma_u^2 from 7 regions; for the best
    sampled regions (Oslo og Akershus, Vestlandet) that makes it exceed the direct variance
    (e.g. ppltrst, where REML puts sigma_u^2 at 0). Over all regions it is still far smaller.
    """
    for item in ("ppltrst", "pplfair", "pplhlp"):
        direct = table[(table["item"] == item) & (table["estimator"] == DIRECT)]
        direct = direct[direct["area"] != "all"].set_index("area")
        fh = table[(table["item"] == item) & (table["estimator"] == EBLUP)].set_index("area")
        vardir = direct["se"] ** 2
        gamma = fh["shrinkage"]
        refvar = float(fh["method"].iloc[0].rsplit("= ", 1)[1])
        g1 = vardir * gamma
        g2 = (1 - gamma) ** 2 / (1 / (refvar + vardir)).sum()  # intercept only
        assert ((g1 + g2) <= vardir).all()
        assert (fh["se"] ** 2).sum() < vardir.sum()
        pooled = float(
            ((direct["value"] / (refvar + vardir)).sum()) / (1 / (refvar + vardir)).sum()
        )
        low = np.minimum(direct["value"], pooled) - 1e-9
        high = np.maximum(direct["value"], pooled) + 1e-9
        assert fh["value"].between(low, high).all()
        assert gamma.between(0, 1).all()


@needs_ess
def test_born_abroad_covariate_variant(tmp_path: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace(
        "covariates = []", 'covariates = ["born_abroad_share"]'
    )
    text = text.replace('codebook = "', f'codebook = "{CONFIG.parent}/')
    config = tmp_path / "with_covariate.toml"
    config.write_text(text, encoding="utf-8")
    out = estimate_regions(config)
    fh = out[out["estimator"] == EBLUP]
    assert fh["method"].str.contains("covariates born_abroad_share").all()
    assert np.isfinite(fh[["value", "lower", "upper"]].to_numpy()).all()


@needs_ess
def test_cli_prints_and_writes_csv(tmp_path: Path) -> None:
    target = tmp_path / "regions.csv"
    command = ["survey-estimates", str(CONFIG), "--data", str(DATA), "--out", str(target)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "Akershus" in result.output and "Fay-Herriot" in result.output  # rich wraps cells
    assert "regions.csv" in result.output
    written = pd.read_csv(target)
    assert len(written) == 3 * (7 + 1 + 7)


def test_config_errors(tmp_path: Path) -> None:
    shutil.copy(CONFIG.parent / "ess_norway_codebook.toml", tmp_path / "ess_norway_codebook.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.read_text(encoding="utf-8") + "\ntypo = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="typo: Extra inputs are not permitted"):
        load_area_config(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(
        CONFIG.read_text(encoding="utf-8").replace('"pplhlp"]', '"trstplc"]'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"\['trstplc'\] are not items or covariates"):
        load_area_config(unknown)
    with pytest.raises(ConfigError, match="does not exist"):
        load_area_config(tmp_path / "nope.toml")
    missing_file = tmp_path / "missing.toml"
    missing_file.write_text(
        CONFIG.read_text(encoding="utf-8").replace("ESS9_NO_full.csv", "absent.csv"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="survey file not found"):
        estimate_regions(missing_file)
    result = CliRunner().invoke(app, ["survey-estimates", str(bad)])
    assert result.exit_code == 1 and "error:" in result.output
