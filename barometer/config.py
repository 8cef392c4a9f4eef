"""Pipeline configuration: pydantic models of ``pipelines/*.toml``.

Relative paths in a config are resolved against the folder of the config file, so a pipeline
runs the same from any working directory. Unknown keys are errors (a typo must not be ignored).
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from barometer.exceptions import ConfigError
from barometer.ingest.social.tabular import ColumnMapping
from barometer.live.config import FetchSettings, LiveSource, check_unique_names


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Strict):
    path: Path = Path("warehouse")


class BoundariesConfig(_Strict):
    path: Path
    margins: Path | None = None


class PrivacyConfig(_Strict):
    key_env: str = "BAROMETER_PSEUDONYM_KEY"
    key_file: Path | None = None
    demo_key: bool = False
    min_cell_size: int = Field(
        default=10,
        ge=1,
        description="privacy floor: no published cell counts fewer respondents or authors",
    )


class SocialSource(_Strict):
    format: Literal["x_v2", "mastodon", "reddit", "crowdtangle", "telegram", "tabular"]
    path: str = Field(description="file path or glob, relative to the config file")
    column_mapping: ColumnMapping | None = Field(
        default=None, description="which column holds which field (format 'tabular' only)"
    )

    @model_validator(mode="after")
    def _mapping_for_tabular(self) -> SocialSource:
        if (self.format == "tabular") != (self.column_mapping is not None):
            raise ValueError(
                "format 'tabular' needs a [sources.social.column_mapping] table "
                "(id, created_at, text, ...); the other formats take none"
            )
        return self


class SurveySource(_Strict):
    path: Path
    codebook: Path


class SensingSource(_Strict):
    readings: Path
    sensors: Path
    layout: Literal["wide", "long"] = "wide"
    timezone: str = "Europe/Stockholm"
    day_start_hour: int = Field(
        default=0, ge=0, le=23, description="wide date+hour exports whose day starts later"
    )


class ObservationSource(_Strict):
    sessions: Path
    sites: Path
    format: Literal["kobo", "pldp"] = "kobo"
    timezone: str = "Europe/Stockholm"


class SourcesConfig(_Strict):
    social: list[SocialSource] = []
    live: list[LiveSource] = Field(
        default=[], description="live connectors fetched by 'barometer fetch' (and 'run')"
    )
    survey: SurveySource | None = None
    sensing: SensingSource | None = None
    observation: ObservationSource | None = None

    @model_validator(mode="after")
    def _distinct_live_names(self) -> SourcesConfig:
        check_unique_names(self.live)
        return self


class NlpConfig(_Strict):
    lexicon_dir: Path | None = Field(
        default=None,
        description="optional folder of the city's own sentiment word lists (<lang>.tsv: "
        "word<TAB>valence on -1..1), used before the packaged lexicons",
    )
    language_prior: dict[str, float] = Field(
        default_factory=dict,
        description="expected share of posts per language (codes of "
        "barometer.nlp.language.LANGUAGE_CODES, 'other' for the rest) for language ID of "
        "short posts; empty: no prior",
    )

    @field_validator("language_prior")
    @classmethod
    def _known_languages(cls, prior: dict[str, float]) -> dict[str, float]:
        from barometer.nlp.language import prior_vector

        prior_vector(prior)  # raises ValueError naming the bad code or share
        return prior


class IndicatorsConfig(_Strict):
    period: Literal["M"] = "M"
    level: float = Field(default=0.95, gt=0.5, lt=1.0)
    bootstrap_reps: int = Field(default=199, ge=19)
    seed: int = 12345
    rake_survey: bool = Field(
        default=True,
        description="rake survey weights to the neighbourhood population margins "
        "([boundaries] margins) before estimating",
    )
    min_cell: dict[str, int] = Field(
        default_factory=dict,
        description="per-indicator minimum cell size, overriding the catalogue's "
        "(never below [privacy] min_cell_size for indicators counting people)",
    )
    term_lemmas: bool = Field(
        default=False,
        description="count term shifts by lemma (spacy-lookups-data lookup tables: sv, en, da, "
        "tr, es, de) rather than by word form; off by default because the lookup tables pick "
        "one lemma per form whatever its part of speech (Swedish 'buss' -> 'bussa')",
    )


class CompositeConfig(_Strict):
    normalisation: Literal["minmax", "rank", "zscore"] = "minmax"
    aggregation: Literal["arithmetic", "geometric"] = "arithmetic"
    weights: dict[str, float] = {"survey": 1.0, "digital": 1.0, "sensing": 1.0, "observation": 1.0}
    min_dimensions: int = Field(default=2, ge=1)
    monte_carlo_draws: int = Field(default=200, ge=20)


class ActionConfig(_Strict):
    id: str
    title: str
    title_sv: str = Field(default="", description="the title in Swedish, for the app")
    neighbourhoods: list[str]
    start: date
    end: date | None = None
    outcomes: list[str] = []
    comparison: list[str] = []


class PipelineConfig(_Strict):
    """A whole pilot: where the data is, how to score and aggregate it, which actions to track."""

    name: str
    municipality: str
    timezone: str = "Europe/Stockholm"
    store: StoreConfig = StoreConfig()
    boundaries: BoundariesConfig
    privacy: PrivacyConfig = PrivacyConfig()
    sources: SourcesConfig = SourcesConfig()
    fetch: FetchSettings = FetchSettings()
    nlp: NlpConfig = NlpConfig()
    indicators: IndicatorsConfig = IndicatorsConfig()
    composite: CompositeConfig = CompositeConfig()
    actions: list[ActionConfig] = []
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _unique_action_ids(self) -> PipelineConfig:
        ids = [a.id for a in self.actions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"action ids must be unique; repeated: {dupes}")
        return self

    def resolve(self, path: Path | str) -> Path:
        """Resolve a path from the config against the config file's folder."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate).resolve()

    def social_files(self) -> list[tuple[SocialSource, Path]]:
        """Every (source, file) pair matched by the social sources' paths or globs, sorted."""
        found: list[tuple[SocialSource, Path]] = []
        for source in self.sources.social:
            pattern = self.resolve(source.path)
            matches = sorted(pattern.parent.glob(pattern.name))
            if not matches:
                raise ConfigError(
                    f"social source '{source.format}': no file matches {pattern}; "
                    "check [[sources.social]] path in the pipeline config"
                )
            found.extend((source, m) for m in matches)
        return found


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; :class:`ConfigError` names the file when it is missing or invalid."""
    if not path.is_file():
        raise ConfigError(f"{what} {path} does not exist")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def validation_problems(exc: ValidationError) -> str:
    """One line listing each invalid key (dotted path) and what is wrong with it."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
        for err in exc.errors()
    )


def load_config(path: Path | str) -> PipelineConfig:
    """Read and validate a pipeline TOML file.

    Raises :class:`ConfigError` with the file name and the offending key on any problem.
    """
    path = Path(path)
    raw = read_toml(path, "pipeline config")
    raw["base_dir"] = path.resolve().parent
    try:
        return PipelineConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {validation_problems(exc)}") from exc
