"""Partitions of the post tables: by source and month, so that no step holds every post.

``posts`` and ``post_scores`` are stored as ``parquet/<table>/source=<s>/month=<YYYY-MM>/``
folders of parts (hive layout, readable by DuckDB, pyarrow and Dask as they are); a score
lives in the partition of its post. A post's partition follows from its own columns (its
``source`` and the UTC month of ``created_at``), so the same post read from two files lands in
the same partition and is stored once (:meth:`barometer.warehouse.Warehouse.append` keeps keys
unique within a partition).

Parts written before partitions existed lie at the table's top level (partition ``""``); they
are read with the others, and the first rewrite of the table (erasure, pruning) moves them into
their partitions.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: partition of a row whose partition cannot be told (a score without its post)
UNPARTITIONED = ""
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _folder_name(value: object) -> str:
    """A value as a safe folder name (``%XX`` for anything but letters, digits, ``_.-``)."""
    text = str(value) or "_"
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text)


def post_partitions(posts: pd.DataFrame) -> np.ndarray:
    """The partition (``source=<s>/month=<YYYY-MM>``) of each row of ``posts`` (``source``,
    ``created_at`` in UTC)."""
    if posts.empty:
        return np.array([], dtype=object)
    created = pd.to_datetime(posts["created_at"], utc=True)
    months = created.dt.strftime("%Y-%m").fillna("unknown").to_numpy(dtype=object)
    sources = posts["source"].astype(str).to_numpy(dtype=object)
    names = {s: _folder_name(s) for s in set(sources.tolist())}
    return np.array(
        [f"source={names[s]}/month={m}" for s, m in zip(sources, months, strict=True)],
        dtype=object,
    )


def partitions_of_ids(posts: pd.DataFrame, post_ids: pd.Series) -> np.ndarray:
    """The partition of the post of each of ``post_ids`` (:data:`UNPARTITIONED` where the post
    is not in ``posts``)."""
    lookup = pd.Series(post_partitions(posts), index=posts["post_id"].to_numpy(), dtype=object)
    lookup = lookup[~lookup.index.duplicated()]
    found = post_ids.map(lookup)
    return found.fillna(UNPARTITIONED).to_numpy(dtype=object)


def month_of(partition: str) -> str | None:
    """The ``YYYY-MM`` month a partition holds, or ``None`` (:data:`UNPARTITIONED`)."""
    for piece in partition.split("/"):
        if piece.startswith("month="):
            return piece.removeprefix("month=")
    return None
