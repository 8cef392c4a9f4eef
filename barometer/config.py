"""Pipeline configuration: pydantic models of a pipeline TOML (e.g. the sample's
``barometer/data/sample/pipeline.toml``).

Relative paths in a config are resolved against the folder of the config file, so a pipeline
runs the same from any working directory. Unknown keys are errors (a typo must not be ignored).
"""

from __future__ import annotations

import tomllib
import zoneinfo
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from barometer.exceptions import ConfigError
from barometer.ingest.footfall_layout import FootfallFormat
from barometer.ingest.numbers import DecimalSeparator
from barometer.ingest.observation import KoboFields
from barometer.ingest.pldp import PldpFields
from barometer.ingest.social.tabular import ColumnMapping
from barometer.ingest.social.telegram import CHAT_TYPES
from barometer.ingest.timezones import zone_setting_problem
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


#: source options -> the formats that take them
SOCIAL_OPTIONS: dict[str, tuple[str, ...]] = {
    "column_mapping": ("tabular",),
    "timezone_abbreviations": ("crowdtangle", "tabular"),
    "decimal_separator": ("crowdtangle", "tabular"),
    "timezone": ("telegram",),
    "chat_types": ("telegram",),
    "server": ("mastodon",),
}


def _known_zone(value: str | None) -> str | None:
    if value is not None:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
    return value


class SocialSource(_Strict):
    format: Literal["x_v2", "mastodon", "reddit", "crowdtangle", "telegram", "tabular"]
    path: str = Field(description="file path or glob, relative to the config file")
    column_mapping: ColumnMapping | None = Field(
        default=None, description="which column holds which field (format 'tabular' only)"
    )
    timezone_abbreviations: dict[str, str] = Field(
        default_factory=dict,
        description="zone abbreviation -> UTC offset ('+05:30') or IANA zone, overriding "
        "barometer.ingest.timezones (crowdtangle, tabular); ambiguous ones (IST, CST) need it",
    )
    decimal_separator: DecimalSeparator = Field(
        default="auto", description="number format of counts: '.', ',' or 'auto' (detected)"
    )
    timezone: str | None = Field(
        default=None,
        description="telegram: zone of the exporting computer, for exports without "
        "date_unixtime (default: the pipeline's time zone)",
    )
    chat_types: list[str] | None = Field(
        default=None,
        description="telegram account exports: chat types to read (default: public ones)",
    )
    server: str | None = Field(
        default=None, description="mastodon: the server the statuses were fetched from"
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _known_zone(value)

    @field_validator("timezone_abbreviations")
    @classmethod
    def _abbreviations(cls, value: dict[str, str]) -> dict[str, str]:
        for zone, setting in value.items():
            problem = zone_setting_problem(setting)
            if problem is not None:
                raise ValueError(f"{zone}: {problem}")
        return value

    @field_validator("chat_types")
    @classmethod
    def _chat_types(cls, value: list[str] | None) -> list[str] | None:
        unknown = sorted(set(value or []) - set(CHAT_TYPES))
        if unknown:
            raise ValueError(f"unknown chat types {unknown}; Telegram writes {list(CHAT_TYPES)}")
        return value

    @model_validator(mode="after")
    def _options_fit_the_format(self) -> SocialSource:
        if (self.format == "tabular") != (self.column_mapping is not None):
            raise ValueError(
                "format 'tabular' needs a [sources.social.column_mapping] table "
                "(id, created_at, text, ...); the other formats take none"
            )
        for option, formats in SOCIAL_OPTIONS.items():
            if option in self.model_fields_set and self.format not in formats:
                raise ValueError(
                    f"{option} is for format {' or '.join(repr(f) for f in formats)}, "
                    f"not {self.format!r}"
                )
        return self


class SurveySource(_Strict):
    path: Path
    codebook: Path


class SensingSource(FootfallFormat):
    """A footfall source: where its files are, plus how they are laid out
    (:class:`~barometer.ingest.footfall_layout.FootfallFormat`)."""

    readings: str = Field(description="counter export file or glob, relative to the config")
    sensors: Path


class ObservationSource(_Strict):
    sessions: str = Field(description="sessions file or glob (Kobo API pages, say)")
    sites: Path
    format: Literal["kobo", "pldp"] = "kobo"
    timezone: str = "Europe/Stockholm"
    fields: KoboFields = Field(
        default_factory=KoboFields, description="kobo: canonical field -> form field"
    )
    pldp_fields: PldpFields = Field(
        default_factory=PldpFields, description="pldp: PLDP field -> column (PLDP 1.0 names)"
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _known_zone(value) or value

    @model_validator(mode="after")
    def _mapping_fits_the_format(self) -> ObservationSource:
        if self.format == "kobo" and "pldp_fields" in self.model_fields_set:
            raise ValueError("pldp_fields is for format 'pldp'; format 'kobo' takes fields")
        if self.format == "pldp" and "fields" in self.model_fields_set:
            raise ValueError("fields is for format 'kobo'; format 'pldp' takes pldp_fields")
        return self


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


class ModelsConfig(_Strict):
    dir: Path | None = Field(
        default=None,
        description="the city's own models folder (barometer/data/models layout), searched "
        "before the default models shipped with the package; training and activation write "
        "there. Unset: $BAROMETER_MODELS_DIR, else the defaults alone",
    )


class RunSettings(_Strict):
    ingest_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="processes that read and enrich the social files, one file each at a "
        "time (barometer.pipeline.social_pool); 1: all in the run's own process. Each "
        "worker loads the language detectors (about 0.9 GB); results are the same",
    )


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
    validated_only: bool = Field(
        default=True,
        description="build the composite from validated components only: a digital cell "
        "resting on a model x language pair that is not validated does not enter it",
    )


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
    run: RunSettings = RunSettings()
    nlp: NlpConfig = NlpConfig()
    models: ModelsConfig = ModelsConfig()
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

    def models_dir(self) -> Path | None:
        """``[models] dir`` resolved against the config's folder (None when unset)."""
        return self.resolve(self.models.dir) if self.models.dir is not None else None

    def files(self, pattern: str, what: str, key: str) -> list[Path]:
        """The files a path or glob of the config matches, sorted; :class:`ConfigError`
        naming ``key`` when none does."""
        resolved = self.resolve(pattern)
        matches = sorted(p for p in resolved.parent.glob(resolved.name) if p.is_file())
        if not matches:
            raise ConfigError(
                f"{what}: no file matches {resolved}; check {key} in the pipeline config"
            )
        return matches

    def social_files(self) -> list[tuple[SocialSource, Path]]:
        """Every (source, file) pair matched by the social sources' paths or globs, sorted."""
        found: list[tuple[SocialSource, Path]] = []
        for source in self.sources.social:
            what = f"social source '{source.format}'"
            matches = self.files(source.path, what, "[[sources.social]] path")
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
