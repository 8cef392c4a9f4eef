"""Survey files from a fieldwork agency (SPSS ``.sav``, Stata ``.dta``, Excel, CSV) + a codebook.

The codebook (TOML) maps the agency's variables to the canonical 0-10 items::

    [design]
    respondent_id = "RESP_ID"      # raw id, pseudonymised by the enrich step
    wave = "WAVE"
    interview_date = "INT_DATE"    # a date, ISO 8601 text, yyyymmdd number (detected), or:
    # interview_date_format = "%d.%m.%Y"      # text (or numbers) in this strptime format
    # interview_date_origin = 1960-01-01      # numbers counting days since this date
    neighbourhood = "DISTRICT"
    weight = "WEIGHT"
    stratum = "STRATUM"
    psu = "PSU"
    [design.neighbourhood_codes]   # code in the file -> neighbourhood_id
    "1" = "alby"

    [items.ppltrst]                # one table per canonical item
    source = "Q1_PPLTRST"
    scale_min = 0                  # the source scale
    scale_max = 10
    reverse = false                # true: the highest source code means the least trust
    missing_codes = [77, 88, 99]   # refusal / don't know / no answer -> missing

    [demographics]
    age = "AGE"                    # years; banded into 16-29, 30-44, 45-64, 65+
    sex = "SEX"
    born_abroad = "BORN_ABROAD"
    [demographics.sex_codes]
    "1" = "male"
    [demographics.born_abroad_codes]
    "1" = true

Rescaling is linear: ``10 * (x - scale_min) / (scale_max - scale_min)``, then ``10 - value`` when
``reverse``; so a 1-5 agreement scale maps 1 -> 0, 3 -> 5, 5 -> 10. A value outside its scale that
is not a missing code quarantines the whole row, naming the variable and the value.

A respondent whose age is missing is kept, without an age group (the weighting treats the
missing answer as a category of its own); one whose age is under 16 is outside the surveyed
population and quarantined. Interview dates: see
:func:`~barometer.ingest.survey_files.interview_dates`; a row whose date cannot be read, or
lies outside 1990-2099, is quarantined.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from barometer.exceptions import ConfigError, InputError
from barometer.ingest.base import IngestResult
from barometer.ingest.quarantine import Quarantine
from barometer.ingest.survey_files import interview_dates, read_survey_file
from barometer.schema import AGE_GROUPS, SEXES, SURVEY_ITEMS

SOURCE = "survey"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemMapping(_Strict):
    source: str
    scale_min: float
    scale_max: float
    reverse: bool = False
    missing_codes: list[float] = []

    @model_validator(mode="after")
    def _scale_order(self) -> ItemMapping:
        if self.scale_max <= self.scale_min:
            raise ValueError(f"scale_max must exceed scale_min for {self.source}")
        return self


class DesignMapping(_Strict):
    respondent_id: str
    wave: str
    interview_date: str
    neighbourhood: str
    weight: str
    stratum: str
    psu: str
    neighbourhood_codes: dict[str, str]
    interview_date_format: str | None = None
    interview_date_origin: date | None = None


class DemographicsMapping(_Strict):
    age: str
    sex: str
    born_abroad: str
    sex_codes: dict[str, str]
    born_abroad_codes: dict[str, bool]


class Codebook(_Strict):
    design: DesignMapping
    items: dict[str, ItemMapping]
    demographics: DemographicsMapping

    @model_validator(mode="after")
    def _known_items(self) -> Codebook:
        unknown = sorted(set(self.items) - set(SURVEY_ITEMS))
        if unknown:
            raise ValueError(f"unknown canonical items {unknown}; known: {list(SURVEY_ITEMS)}")
        bad_sex = sorted(set(self.demographics.sex_codes.values()) - set(SEXES))
        if bad_sex:
            raise ValueError(f"sex codes must map to {list(SEXES)}; got {bad_sex}")
        return self


def load_codebook(path: Path) -> Codebook:
    """Read a codebook TOML file; :class:`ConfigError` names the file and the bad key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: codebook not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Codebook.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc


def _code_key(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def age_group(age: pd.Series) -> pd.Series:
    """Band ages (years) into :data:`~barometer.schema.AGE_GROUPS`; < 16 or missing -> None."""
    bins = [16, 30, 45, 65, np.inf]
    return pd.cut(age, bins=bins, labels=list(AGE_GROUPS), right=False).astype(object)


def rescale(values: pd.Series, item: ItemMapping) -> tuple[pd.Series, pd.Series]:
    """Map source codes to 0-10. Returns (rescaled values, mask of out-of-scale values)."""
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    missing = numeric.isin(item.missing_codes) | numeric.isna()
    out_of_scale = ~missing & ((numeric < item.scale_min) | (numeric > item.scale_max))
    scaled = 10 * (numeric - item.scale_min) / (item.scale_max - item.scale_min)
    if item.reverse:
        scaled = 10 - scaled
    return scaled.where(~missing & ~out_of_scale), out_of_scale


def _check_variables(path: Path, raw: pd.DataFrame, codebook: Codebook) -> None:
    """Refuse a file that lacks a variable the codebook names."""
    design, demo = codebook.design, codebook.demographics
    needed = [
        *(getattr(design, f) for f in ("respondent_id", "wave", "interview_date")),
        design.neighbourhood, design.weight, design.stratum, design.psu,
        demo.age, demo.sex, demo.born_abroad,
        *(m.source for m in codebook.items.values()),
    ]  # fmt: skip
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        found = [str(c)[:40] for c in raw.columns[:25]]
        raise InputError(
            f"{path}: variables {missing} named in the codebook are not in the file; found "
            f"variables {found}{' and more' if len(raw.columns) > 25 else ''}"
        )


class _Problems:
    """The first problem found in each row, and the field it is in."""

    def __init__(self, index: pd.Index):
        self.reasons = pd.Series("", index=index, dtype=object)
        self.fields = pd.Series("", index=index, dtype=object)

    def flag(self, mask: pd.Series, field_name: str, reasons: pd.Series | str) -> None:
        """Record ``reasons`` for the rows in ``mask`` that have no problem yet."""
        fresh = mask & (self.reasons == "")
        self.reasons[fresh] = reasons if isinstance(reasons, str) else reasons[fresh]
        self.fields[fresh] = field_name


def _design_columns(
    path: Path, raw: pd.DataFrame, codebook: Codebook, problems: _Problems
) -> pd.DataFrame:
    """Respondent, wave, date, district and the design variables (weight, stratum, PSU)."""
    design = codebook.design
    out = pd.DataFrame(index=raw.index)
    out["respondent_id"] = raw[design.respondent_id].map(_code_key)
    problems.flag(raw[design.respondent_id].isna(), design.respondent_id, "no respondent id")
    out["wave"] = raw[design.wave].map(_code_key)
    dates, date_problems = interview_dates(
        path,
        design.interview_date,
        raw[design.interview_date],
        date_format=design.interview_date_format,
        origin=design.interview_date_origin,
    )
    out["interview_date"] = dates
    problems.flag(date_problems != "", design.interview_date, date_problems)
    out["neighbourhood_id"] = (
        raw[design.neighbourhood].map(_code_key).map(design.neighbourhood_codes)
    )
    problems.flag(
        out["neighbourhood_id"].isna(), design.neighbourhood, "district code not in the codebook"
    )
    weight = pd.to_numeric(raw[design.weight], errors="coerce")
    problems.flag(~(weight > 0), design.weight, "design weight missing or not positive")
    out["weight"] = weight
    out["stratum"] = raw[design.stratum].map(_code_key)
    out["psu"] = raw[design.psu].map(_code_key)
    return out


def _item_columns(
    out: pd.DataFrame, raw: pd.DataFrame, codebook: Codebook, problems: _Problems
) -> None:
    """The trust items rescaled to 0-10 (an item the codebook lacks is all missing)."""
    for name, mapping in codebook.items.items():
        values, out_of_scale = rescale(raw[mapping.source], mapping)
        reasons = raw[mapping.source].map(
            lambda v, m=mapping: (
                f"value {v!r} outside {m.scale_min:g}-{m.scale_max:g} "
                f"and not a missing code {m.missing_codes}"
            )
        )
        problems.flag(out_of_scale, mapping.source, reasons)
        out[name] = values
    for name in SURVEY_ITEMS:
        if name not in out.columns:
            out[name] = np.nan


def _demographic_columns(
    out: pd.DataFrame, raw: pd.DataFrame, codebook: Codebook, problems: _Problems
) -> None:
    """Age group, sex and born abroad; a respondent under 16 is outside the population."""
    demo = codebook.demographics
    age = pd.to_numeric(raw[demo.age], errors="coerce")
    out["age_group"] = age_group(age)
    problems.flag(age < 16, demo.age, "age under 16: outside the surveyed population")
    out["sex"] = raw[demo.sex].map(_code_key).map(demo.sex_codes)
    out["born_abroad"] = raw[demo.born_abroad].map(_code_key).map(demo.born_abroad_codes)


def read_survey(path: Path, codebook: Codebook) -> IngestResult:
    """Read a survey file into canonical ``survey_responses`` rows (raw ``respondent_id``)."""
    raw = read_survey_file(path)
    _check_variables(path, raw, codebook)
    problems = _Problems(raw.index)
    out = _design_columns(path, raw, codebook, problems)
    _item_columns(out, raw, codebook, problems)
    _demographic_columns(out, raw, codebook, problems)
    quarantine = Quarantine(source=SOURCE)
    bad = problems.reasons != ""
    for index in np.flatnonzero(bad.to_numpy()):
        field_name = str(problems.fields.iloc[index])
        quarantine.reject(
            path.name,
            int(index) + 1,
            field_name,
            str(problems.reasons.iloc[index]),
            f"{field_name}={raw.iloc[index][field_name]}",  # never the respondent id
        )
    kept = out[~bad.to_numpy()]
    duplicated = kept.duplicated(subset=["respondent_id", "wave"])
    return IngestResult(
        kept[~duplicated.to_numpy()].reset_index(drop=True),
        quarantine,
        n_read=len(raw),
        n_duplicates=int(duplicated.sum()),
    )
