"""What a pipeline run checks before it touches the warehouse, and what it reports after.

:func:`plan_run` validates everything that can be validated up front (the key and its policy,
the boundaries, each social source's file list), so that a wrong config or key never leaves
an empty warehouse folder behind. :func:`missing_sources` lists the configured sources a run
ended without data for (the ``sources_missing`` column of the published ``runs`` table).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from barometer.config import PipelineConfig, SocialSource
from barometer.geo import Boundaries, load_boundaries
from barometer.keys import PseudonymKey, pipeline_key
from barometer.parquet_parts import file_sha256
from barometer.scoring import city_lexicon_dir, unavailable_tasks


def input_entry(path: Path, source: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": source, "path": str(path)}
    try:
        entry.update(sha256=file_sha256(path), bytes=path.stat().st_size)
    except OSError as exc:
        entry["error"] = f"{path}: cannot be read: {exc.strerror or type(exc).__name__}"
    return entry


def input_paths(config: PipelineConfig) -> list[Path]:
    """Every input file (or glob) a config names, resolved; for the demo-key check."""
    sources = config.sources
    paths = [config.resolve(s.path) for s in sources.social]
    if sources.survey is not None:
        paths += [config.resolve(sources.survey.path), config.resolve(sources.survey.codebook)]
    if sources.sensing is not None:
        paths += [config.resolve(sources.sensing.readings), config.resolve(sources.sensing.sensors)]
    if sources.observation is not None:
        obs = sources.observation
        paths += [config.resolve(obs.sessions), config.resolve(obs.sites)]
    paths.append(config.resolve(config.boundaries.path))
    if config.boundaries.margins is not None:
        paths.append(config.resolve(config.boundaries.margins))
    return paths


@dataclass(frozen=True)
class RunPlan:
    """What a run needs that can be checked before the warehouse is touched: the key, the
    boundaries, the social files matched by each source's glob, the tasks it cannot score."""

    config: PipelineConfig
    key: PseudonymKey
    boundaries: Boundaries
    social_files: list[tuple[SocialSource, Path]]
    unavailable: dict[str, str]
    lexicon_dir: Path | None
    lexicon_warning: str | None


def plan_run(
    config: PipelineConfig, root: Path, *, allow_demo_key: bool = False, need_inputs: bool = True
) -> RunPlan:
    """Check the key, the boundaries and (``need_inputs``) every source's file list of
    ``config`` for a run into the warehouse ``root``; nothing is written. Raises
    :class:`ConfigError` or :class:`InputError` with the problem in one line."""
    privacy = config.privacy
    sources = config.sources
    if need_inputs and sources.sensing is not None:
        config.files(sources.sensing.readings, "sensing", "[sources.sensing] readings")
    if need_inputs and sources.observation is not None:
        key_name = "[sources.observation] sessions"
        config.files(sources.observation.sessions, "observation", key_name)
    key = pipeline_key(
        env_var=privacy.key_env,
        key_file=config.resolve(privacy.key_file) if privacy.key_file else None,
        demo_key=privacy.demo_key,
        inputs=input_paths(config),
        warehouse=root,
        allow_demo_key=allow_demo_key,
    )
    configured = config.nlp.lexicon_dir
    lexicon_dir, lexicon_warning = city_lexicon_dir(
        config.resolve(configured) if configured is not None else None
    )
    return RunPlan(
        config=config,
        key=key,
        boundaries=load_boundaries(config.resolve(config.boundaries.path)),
        social_files=config.social_files() if need_inputs else [],
        unavailable=unavailable_tasks(),
        lexicon_dir=lexicon_dir,
        lexicon_warning=lexicon_warning,
    )


#: the name a social format goes by in ``sources_missing`` (the app's source labels)
SOURCE_NAMES = {"x_v2": "x"}


def missing_sources(
    config: PipelineConfig, inputs: list[dict[str, Any]], row_counts: dict[str, int]
) -> list[str]:
    """Configured sources with no data in the warehouse after a run: ``survey``, ``sensing``,
    ``observation`` (their table is empty), or a social format (``x``, ``mastodon``,
    ``reddit``, ``crowdtangle``, ``telegram``, ``tabular``) none of whose files was stored with
    at least one post (by this run, or by an earlier one: a file skipped as already ingested
    counts as stored)."""
    sources = config.sources
    missing = [
        SOURCE_NAMES.get(fmt, fmt)
        for fmt in dict.fromkeys(s.format for s in sources.social)
        if not any(
            e.get("ingested") and (e.get("skipped") or e.get("n_kept", 0) > 0)
            for e in inputs
            if e["source"] == f"social:{fmt}"
        )
    ]
    for name, configured, table in (
        ("survey", sources.survey, "survey_responses"),
        ("sensing", sources.sensing, "sensor_readings"),
        ("observation", sources.observation, "observations"),
    ):
        if configured is not None and row_counts.get(table, 0) == 0:
            missing.append(name)
    return missing
