"""The ingest steps of the other dimensions: reference tables (neighbourhoods, population
margins), the survey, footfall sensing and observed interactions, each file read, enriched
and stored through :mod:`barometer.pipeline.files`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barometer.enrich import enrich_observations, enrich_sensor_readings, enrich_survey
from barometer.ingest.base import IngestResult
from barometer.ingest.observation import read_kobo_sessions, read_sites
from barometer.ingest.pldp import read_pldp_sessions
from barometer.ingest.sensing import read_footfall_long, read_footfall_wide, read_sensor_metadata
from barometer.ingest.survey import load_codebook, read_survey
from barometer.pipeline.files import describe, load_file, todo
from barometer.pipeline.state import Run
from barometer.schema import (
    NEIGHBOURHOODS,
    OBSERVATIONS,
    POPULATION_MARGINS,
    SENSOR_READINGS,
    SURVEY_RESPONSES,
)


def ingest_reference(run: Run) -> None:
    """The neighbourhoods of the boundaries and, when configured, the population margins."""
    run.store.replace(NEIGHBOURHOODS, run.boundaries.to_table())
    margins_path = run.config.boundaries.margins
    if margins_path is not None:
        margins = pd.read_csv(run.config.resolve(margins_path))
        margins["born_abroad"] = margins["born_abroad"].astype(bool)
        run.store.replace(POPULATION_MARGINS, margins[POPULATION_MARGINS.columns])


def ingest_survey(run: Run) -> None:
    """The survey file with its codebook, when one is configured and new."""
    survey = run.config.sources.survey
    if survey is None:
        return
    path = run.config.resolve(survey.path)
    codebook_path = run.config.resolve(survey.codebook)
    entry = todo(run, path, "survey")
    describe(run, codebook_path, "survey codebook")
    if entry is None:
        return

    def read() -> tuple[IngestResult, pd.DataFrame]:
        result = read_survey(path, load_codebook(codebook_path))
        return result, enrich_survey(result.rows, run.pseudonymiser)

    load_file(run, entry, SURVEY_RESPONSES, read)


def ingest_sensing(run: Run) -> None:
    """Each new footfall file (long or wide layout), with the sensors' metadata."""
    sensing = run.config.sources.sensing
    if sensing is None:
        return
    sensors_path = run.config.resolve(sensing.sensors)
    describe(run, sensors_path, "sensing metadata")
    paths = run.config.files(sensing.readings, "sensing", "[sources.sensing] readings")
    reader = read_footfall_long if sensing.layout == "long" else read_footfall_wide
    for path in paths:
        entry = todo(run, path, "sensing")
        if entry is None:
            continue

        def read(path: Path = path) -> tuple[IngestResult, pd.DataFrame]:
            sensors = read_sensor_metadata(sensors_path)
            result = reader(path, sensors, sensing)
            return result, enrich_sensor_readings(result.rows, sensors, run.boundaries)

        load_file(run, entry, SENSOR_READINGS, read)


def ingest_observation(run: Run) -> None:
    """Each new file of observed sessions (KoBo or PLDP), with the observation sites."""
    observation = run.config.sources.observation
    if observation is None:
        return
    sites_path = run.config.resolve(observation.sites)
    describe(run, sites_path, "observation sites")
    key = "[sources.observation] sessions"
    for path in run.config.files(observation.sessions, "observation", key):
        entry = todo(run, path, "observation")
        if entry is None:
            continue

        def read(path: Path = path) -> tuple[IngestResult, pd.DataFrame]:
            sites = read_sites(sites_path)
            if observation.format == "pldp":
                result = read_pldp_sessions(
                    path, sites, timezone=observation.timezone, fields=observation.pldp_fields
                )
            else:
                result = read_kobo_sessions(
                    path, sites, fields=observation.fields, timezone=observation.timezone
                )
            rows = enrich_observations(result.rows, sites, run.boundaries, run.pseudonymiser)
            return result, rows

        load_file(run, entry, OBSERVATIONS, read)
