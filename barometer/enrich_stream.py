"""Enrich one social file batch by batch, with each post's language decided on the whole file.

A reader streams a file as batches (:data:`barometer.ingest.base.STREAM_BATCH` records). Each
batch is capped, enriched (:func:`~barometer.enrich.enrich_posts`) and its language evidence
observed (:class:`~barometer.nlp.file_languages.FileLanguages`: a post's prior is its author's
language mix over the whole file); only after the file's last batch are the languages resolved
and the batches handed on. So a file's posts get the same languages whether it is read whole or
in batches of any size.

Memory stays one batch: with ``spill_dir`` (the pipeline gives the warehouse folder, whose
posts are already pseudonymised and scrubbed), a file of more than one batch keeps its enriched
batches in a temporary folder there (Parquet and ``numpy`` arrays, never pickles) until they
are resolved, and the folder is removed when the file is done or fails. Without it, the batches
stay in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.enrich import enrich_posts, post_hints
from barometer.geo import Boundaries, Gazetteer
from barometer.ingest.base import IngestResult
from barometer.ingest.limits import MAX_TEXT_CHARS, cap_texts
from barometer.nlp.file_languages import FileLanguages, PendingLanguages
from barometer.privacy import Pseudonymiser
from barometer.schema import POSTS

_Batch = tuple[IngestResult, pd.DataFrame, PendingLanguages]


class _HeldBatches:
    """A file's enriched batches until their languages can be resolved: the first in memory,
    all of them on disk under ``spill_dir`` once there is a second."""

    def __init__(self, spill_dir: Path | None, stack: ExitStack) -> None:
        self._spill_dir = spill_dir
        self._stack = stack
        self._folder: Path | None = None
        self._memory: list[_Batch] = []
        self._spilled: list[IngestResult] = []

    def add(self, batch: _Batch) -> None:
        if self._spill_dir is None or (not self._memory and not self._spilled):
            self._memory.append(batch)
            return
        if self._folder is None:
            self._spill_dir.mkdir(parents=True, exist_ok=True)
            self._folder = Path(
                self._stack.enter_context(
                    tempfile.TemporaryDirectory(prefix=".enrich-", dir=self._spill_dir)
                )
            )
        for held in [*self._memory, batch]:
            self._spill(self._folder, held)
        self._memory = []

    def _spill(self, folder: Path, batch: _Batch) -> None:
        result, posts, pending = batch
        name = folder / f"batch-{len(self._spilled):06d}"
        table = pa.Table.from_pandas(posts, schema=POSTS.schema, preserve_index=False)
        pq.write_table(table, name.with_suffix(".parquet"))
        np.savez(
            name.with_suffix(".npz"),
            likelihood=pending.likelihood,
            hinted=pending.hinted,
            authors=pending.authors,
            own=pending.own,
        )
        self._spilled.append(result)

    def __iter__(self) -> Iterator[_Batch]:
        yield from self._memory
        if self._folder is None:
            return
        for index, result in enumerate(self._spilled):
            name = self._folder / f"batch-{index:06d}"
            posts = pq.read_table(name.with_suffix(".parquet")).to_pandas()
            with np.load(name.with_suffix(".npz"), allow_pickle=False) as arrays:
                pending = PendingLanguages(
                    arrays["likelihood"], arrays["hinted"], arrays["authors"], arrays["own"]
                )
            yield result, posts, pending


def enrich_social_batches(
    results: Iterable[IngestResult],
    *,
    boundaries: Boundaries,
    pseudonymiser: Pseudonymiser,
    gazetteer: Gazetteer | None = None,
    language_prior: Mapping[str, float] | None = None,
    spill_dir: Path | None = None,
) -> Iterator[tuple[IngestResult, pd.DataFrame]]:
    """``(result, posts)`` per batch of one file's reader ``results``: texts capped at
    :data:`~barometer.ingest.limits.MAX_TEXT_CHARS` (noted in the result), rows enriched into
    ``posts`` (``result.n_kept`` set, its raw rows dropped), languages decided with the whole
    file's author context (see the module docstring)."""
    languages = FileLanguages(prior=language_prior)
    with ExitStack() as stack:
        held = _HeldBatches(spill_dir, stack)
        for result in results:
            if "text" in result.rows.columns:
                result.rows["text"], cut = cap_texts(result.rows["text"])
                if cut:
                    result.notes.append(f"{cut} post text(s) cut to {MAX_TEXT_CHARS:,} characters")
            posts = enrich_posts(
                result.rows,
                boundaries=boundaries,
                pseudonymiser=pseudonymiser,
                gazetteer=gazetteer,
                language_prior=language_prior,
                detect_language=False,
            )
            pending = languages.observe(
                posts["text"].tolist(),
                post_hints(posts["lang_hint"]),
                posts["author_pseudonym"].tolist(),
            )
            result.n_kept = len(result.rows)
            result.rows = result.rows.iloc[0:0]  # the raw rows are not needed any more
            held.add((result, posts, pending))
        for result, posts, pending in held:
            posts["lang"] = languages.resolve(pending)
            yield result, posts
