"""The social-media steps: exported files of each configured source, and the live sources'
pages, read by the format's reader, capped, enriched (pseudonyms, places, languages) and
stored in their partitions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from barometer.config import SocialSource
from barometer.enrich_stream import enrich_social_batches
from barometer.geo import Boundaries, Gazetteer
from barometer.ingest.base import IngestResult
from barometer.ingest.social.crowdtangle import iter_crowdtangle
from barometer.ingest.social.mastodon import iter_mastodon
from barometer.ingest.social.reddit import iter_reddit
from barometer.ingest.social.tabular import iter_tabular
from barometer.ingest.social.telegram_stream import iter_telegram
from barometer.ingest.social.x import iter_x_v2
from barometer.live.fetch import FetchOptions, fetch_sources
from barometer.live.landing import LandedPage
from barometer.pipeline.files import load_batches, todo
from barometer.pipeline.social_pool import ingest_social_in_pool
from barometer.pipeline.state import Run
from barometer.privacy import Pseudonymiser
from barometer.run_plan import input_entry
from barometer.schema import POSTS

#: format -> reader yielding batches of the file, each streaming its records (JSON Lines line
#: by line, CSV row by row, Telegram's JSON document message by message); the formats'
#: JSON documents (Mastodon, Reddit listings, CrowdTangle API bodies) and Parquet tables
#: are read whole, as one batch
SOCIAL_READERS: dict[str, Callable[..., Iterator[IngestResult]]] = {
    "x_v2": iter_x_v2,
    "mastodon": iter_mastodon,
    "reddit": iter_reddit,
    "crowdtangle": iter_crowdtangle,
    "telegram": iter_telegram,
    "tabular": iter_tabular,
}


def social_reader_options(source: SocialSource, pipeline_timezone: str) -> dict[str, Any]:
    """The keyword arguments the source's reader takes from its config section."""
    if source.format in ("crowdtangle", "tabular"):
        options: dict[str, Any] = {
            "timezone_abbreviations": dict(source.timezone_abbreviations),
            "decimal_separator": source.decimal_separator,
        }
        if source.format == "tabular":
            options["mapping"] = source.column_mapping
        return options
    if source.format == "telegram":
        options = {"timezone": source.timezone or pipeline_timezone}
        if source.chat_types is not None:
            options["chat_types"] = tuple(source.chat_types)
        return options
    if source.format == "mastodon":
        return {"server": source.server}
    return {}


def ingest_social(run: Run) -> None:
    """Every exported social-media file not ingested before, with a bar of files: read and
    enriched here, or by ``run.ingest_workers`` processes when more than one
    (:mod:`barometer.pipeline.social_pool`), stored here in file order either way."""
    files = run.social_files
    if run.ingest_workers > 1 and len(files) > 1:
        ingest_social_in_pool(run, files, min(run.ingest_workers, len(files)))
        return
    bar = run.bar("ingest social media", total=len(files))
    for source, path in files:
        entry = todo(run, path, f"social:{source.format}")
        if entry is not None:
            load_batches(run, entry, POSTS, partial(_read_social, run, source, path))
        run.progress.advance(bar)


def _read_social(
    run: Run, source: SocialSource, path: Path
) -> Iterator[tuple[IngestResult, pd.DataFrame]]:
    return read_social_file(
        source,
        path,
        timezone=run.config.timezone,
        boundaries=run.boundaries,
        pseudonymiser=run.pseudonymiser,
        gazetteer=run.gazetteer,
        language_prior=run.config.nlp.language_prior,
        spill_dir=run.store.root,
    )


def read_social_file(
    source: SocialSource,
    path: Path,
    *,
    timezone: str,
    boundaries: Boundaries,
    pseudonymiser: Pseudonymiser,
    gazetteer: Gazetteer,
    language_prior: Mapping[str, float] | None,
    spill_dir: Path,
) -> Iterator[tuple[IngestResult, pd.DataFrame]]:
    """The file's batches (:data:`SOCIAL_READERS`), each capped and enriched, languages
    decided on the whole file (:mod:`barometer.enrich_stream`; batches wait in a temporary
    folder under ``spill_dir``); ``timezone``: the pipeline's, for readers that need one."""
    options = social_reader_options(source, timezone)
    yield from enrich_social_batches(
        SOCIAL_READERS[source.format](path, **options),
        boundaries=boundaries,
        pseudonymiser=pseudonymiser,
        gazetteer=gazetteer,
        language_prior=language_prior,
        spill_dir=spill_dir,
    )


def fetch_live(run: Run) -> None:
    """Fetch the live sources: each new page is landed, then ingested by
    :func:`ingest_page`, then its cursor stored (:mod:`barometer.live.fetch`)."""
    run.fetch_report = fetch_sources(
        run.config.sources.live,
        run.config.fetch,
        run.store.root,
        ingest=partial(ingest_page, run),
        options=run.fetch_options or FetchOptions(),
        say=run.say,
    )


def ingest_page(run: Run, page: LandedPage, adapter: str, server: str | None) -> dict[str, Any]:
    """Read, enrich and store one landed page, like an exported file of that format."""
    entry = input_entry(page.path, f"live:{page.source}")
    run.inputs.append(entry)
    extra = {"server": server} if server is not None else {}  # Mastodon ids are per server
    source = SocialSource(format=adapter, path=str(page.path), **extra)  # type: ignore[arg-type]
    load_batches(run, entry, POSTS, partial(_read_social, run, source, page.path))
    return entry
