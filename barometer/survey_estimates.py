"""Area-level survey estimates from real microdata: direct design-based and Fay-Herriot.

A config (TOML, e.g. ``pipelines/ess_norway_regions.toml``) names a survey file, a codebook and
the estimates wanted; paths are relative to the config file::

    name = "ess_norway_regions"
    [survey]
    path = "../../shared/data/survey/ess/ESS9_NO_full.csv"
    codebook = "ess_norway_codebook.toml"
    [estimates]
    items = ["ppltrst", "pplfair", "pplhlp"]
    level = 0.95
    [fay_herriot]
    method = "REML"
    covariates = []                 # area covariates of the codebook; [] = intercept only
    [output]
    csv = "../warehouse/ess_norway_regions.csv"

The codebook maps the file's variables: ``[design]`` (``area``, ``weight``, optional
``stratum`` and ``psu``, ``area_labels``), one ``[items.<name>]`` per 0-10 item in the format
of :class:`barometer.ingest.survey.ItemMapping` (source scale, ``reverse``, ``missing_codes``),
and optional ``[covariates.<name>]``: the weighted share (0-1) per area of respondents whose
``source`` code is in ``true_codes`` (other valid codes count as 0, ``missing_codes`` as
missing), for use as a Fay-Herriot covariate.

Direct estimates come from one :class:`~barometer.stats.design.SurveyDesign` of the file
(Taylor linearisation, strata and PSUs nested in strata, t interval on the design df): per area
(``design.by("area").mean``) plus the whole-sample mean (``area = "all"``); Fay-Herriot EBLUPs
(:func:`~barometer.stats.sae.fit_fay_herriot`, ``method`` REML, ML or FH) use the direct
estimates with ``vardir = se^2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.config import read_toml, validation_problems
from barometer.exceptions import ConfigError, InputError
from barometer.ingest.survey import ItemMapping, read_survey_file, rescale
from barometer.stats.design import SurveyDesign
from barometer.stats.sae import fit_fay_herriot

DIRECT = "direct"
EBLUP = "Fay-Herriot EBLUP"
COLUMNS = [
    "item",
    "area",
    "area_label",
    "estimator",
    "value",
    "se",
    "lower",
    "upper",
    "n",
    "n_effective",
    "shrinkage",
    "method",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaDesign(_Strict):
    area: str
    weight: str
    stratum: str | None = None
    psu: str | None = None
    area_labels: dict[str, str] = {}


class AreaCovariate(_Strict):
    source: str
    true_codes: list[float]
    missing_codes: list[float] = []


class AreaCodebook(_Strict):
    """Variables of a survey file for area-level estimation (see the module docstring)."""

    design: AreaDesign
    items: dict[str, ItemMapping]
    covariates: dict[str, AreaCovariate] = {}


class SurveyInput(_Strict):
    path: Path
    codebook: Path


class EstimatesSettings(_Strict):
    items: list[str] = Field(min_length=1)
    level: float = Field(default=0.95, gt=0.5, lt=1.0)
    lonely_psu: Literal["fail", "certainty", "remove", "adjust", "average"] = "fail"


class FayHerriotSettings(_Strict):
    method: Literal["REML", "ML", "FH"] = "REML"
    covariates: list[str] = []


class OutputSettings(_Strict):
    csv: Path | None = None


class AreaEstimatesConfig(_Strict):
    """A whole area-estimation config (``pipelines/ess_norway_regions.toml``)."""

    name: str
    description: str = ""
    survey: SurveyInput
    estimates: EstimatesSettings
    fay_herriot: FayHerriotSettings = FayHerriotSettings()
    output: OutputSettings = OutputSettings()
    base_dir: Path = Path(".")

    def resolve(self, path: Path) -> Path:
        """A config path, resolved against the config file's folder."""
        path = path.expanduser()
        return path if path.is_absolute() else (self.base_dir / path).resolve()


def _validate(model: type[BaseModel], raw: dict[str, object], path: Path) -> BaseModel:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {validation_problems(exc)}") from exc


def load_area_config(path: Path | str) -> tuple[AreaEstimatesConfig, AreaCodebook]:
    """Read and validate a config and its codebook; :class:`ConfigError` names file and key."""
    path = Path(path)
    raw = read_toml(path, "survey-estimates config")
    raw["base_dir"] = path.resolve().parent
    config = _validate(AreaEstimatesConfig, raw, path)
    assert isinstance(config, AreaEstimatesConfig)
    book_path = config.resolve(config.survey.codebook)
    codebook = _validate(AreaCodebook, read_toml(book_path, "codebook"), book_path)
    assert isinstance(codebook, AreaCodebook)
    unknown = [i for i in config.estimates.items if i not in codebook.items]
    unknown += [c for c in config.fay_herriot.covariates if c not in codebook.covariates]
    if unknown:
        raise ConfigError(
            f"{path}: {unknown} are not items or covariates of the codebook {book_path.name} "
            f"(items {sorted(codebook.items)}, covariates {sorted(codebook.covariates)})"
        )
    return config, codebook


def prepare_responses(raw: pd.DataFrame, codebook: AreaCodebook, source: str) -> pd.DataFrame:
    """One row per respondent: area, weight, stratum, psu, items on 0-10, covariate 0/1."""
    design = codebook.design
    needed = [design.area, design.weight, design.stratum, design.psu]
    needed += [m.source for m in codebook.items.values()]
    needed += [c.source for c in codebook.covariates.values()]
    missing = sorted({c for c in needed if c is not None and c not in raw.columns})
    if missing:
        raise InputError(f"{source}: variables {missing} named in the codebook are not in it")
    out = pd.DataFrame({"area": raw[design.area].astype(str)})
    out["weight"] = pd.to_numeric(raw[design.weight], errors="coerce")
    for column, name in ((design.stratum, "stratum"), (design.psu, "psu")):
        out[name] = raw[column].astype(str) if column is not None else None
    for item, mapping in codebook.items.items():
        values, out_of_scale = rescale(raw[mapping.source], mapping)
        if out_of_scale.any():
            bad = raw.loc[out_of_scale, mapping.source].iloc[0]
            raise InputError(
                f"{source}: '{mapping.source}' has value {bad} outside "
                f"{mapping.scale_min:g}-{mapping.scale_max:g} that is not a missing code "
                f"{mapping.missing_codes}; add it to missing_codes in the codebook"
            )
        out[item] = values
    for name, cov in codebook.covariates.items():
        code = pd.to_numeric(raw[cov.source], errors="coerce")
        share = code.isin(cov.true_codes).astype(float)
        out[name] = share.where(code.notna() & ~code.isin(cov.missing_codes))
    return out


def area_design(
    responses: pd.DataFrame, codebook: AreaCodebook, settings: EstimatesSettings
) -> SurveyDesign:
    """The survey's design: weights, and strata and PSUs (nested in strata) where coded."""
    d = codebook.design
    return SurveyDesign(
        responses,
        ids="psu" if d.psu else None,
        strata="stratum" if d.stratum else None,
        weights="weight",
        nest=True,
        lonely_psu=settings.lonely_psu,
    )


def estimate_areas(
    responses: pd.DataFrame, config: AreaEstimatesConfig, codebook: AreaCodebook
) -> pd.DataFrame:
    """Direct and Fay-Herriot estimates per item and area from prepared responses (pure).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: one ``direct`` row per item and area plus the whole sample
        (``area="all"``), and one ``Fay-Herriot EBLUP`` row per item and area. ``value``,
        ``se``, ``lower``, ``upper`` are on the item's 0-10 scale; ``n`` counts respondents
        with an answer; ``n_effective`` is Kish's (direct) or ``n * vardir / mse`` (EBLUP);
        ``shrinkage`` is the weight ``gamma`` of the direct estimate in the EBLUP.
    """
    settings, labels = config.estimates, codebook.design.area_labels
    design = area_design(responses, codebook, settings)
    by_area = design.by("area")
    covariates = config.fay_herriot.covariates
    area_cov = pd.DataFrame()
    for name in covariates:
        est = by_area.mean(name, settings.level)
        area_cov[name] = est.set_index("area")["value"]
    frames = []
    for item in settings.items:
        direct = by_area.mean(item, settings.level)
        national = design.mean(item, settings.level)
        direct = pd.concat([direct, national.assign(area="all")], ignore_index=True)
        direct = direct.assign(item=item, estimator=DIRECT, shrinkage=np.nan)
        frames.append(direct)
        areas = direct[direct["area"] != "all"].set_index("area")
        fh_input = areas.assign(vardir=areas["se"] ** 2).join(area_cov)
        fh = fit_fay_herriot(
            fh_input.reset_index(),
            "value",
            "vardir",
            covariates,
            method=config.fay_herriot.method,
            area="area",
            n="n",
            level=settings.level,
        )
        terms = "intercept only" if not covariates else f"covariates {', '.join(covariates)}"
        fh_rows = fh.areas.assign(
            item=item,
            estimator=EBLUP,
            n=areas["n"].to_numpy(),
            shrinkage=fh.areas["gamma"],
            method=fh.areas["method"] + f"; {terms}; sigma_u^2 = {fh.refvar:.4g}",
        )
        frames.append(fh_rows)
    out = pd.concat([f[[c for c in COLUMNS if c != "area_label"]] for f in frames])
    out["area_label"] = out["area"].map({**labels, "all": "whole sample"}).fillna(out["area"])
    return out[COLUMNS].reset_index(drop=True)


def estimate_regions(config_path: Path | str) -> pd.DataFrame:
    """Read the config, its codebook and survey file; return :func:`estimate_areas`' table.

    Parameters
    ----------
    config_path
        An area-estimates TOML config such as ``pipelines/ess_norway_regions.toml``.

    Returns
    -------
    pandas.DataFrame
        Direct and Fay-Herriot estimates per item and area (columns :data:`COLUMNS`).
    """
    config, codebook = load_area_config(config_path)
    path = config.resolve(config.survey.path)
    raw = read_survey_file(path)
    responses = prepare_responses(raw, codebook, path.name)
    bad = ~(responses["weight"] > 0)
    if bad.any():
        raise InputError(
            f"{path.name}: weight '{codebook.design.weight}' is missing or not positive in "
            f"{int(bad.sum())} rows (first at line {int(np.flatnonzero(bad)[0]) + 2})"
        )
    return estimate_areas(responses, config, codebook)
