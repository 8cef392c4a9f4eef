"""A function of one text applied once per distinct text of a column.

Social exports repeat texts (reposts, copy-pasted messages, bots), and the per-post work of
ingest (PII scrubbing, the gazetteer's place names, language evidence) is a pure function of
the text: :func:`map_distinct` calls it once per distinct string and copies the answer to
the repeats, so the result equals ``Series.map(func)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def map_distinct(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``values.map(func)`` (same values, dtype and index) for a ``func`` whose answer
    depends on its argument only, called once per distinct string; values that are not
    strings (missing ones) are passed to ``func`` one by one, as ``Series.map`` does."""
    array = values.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in array), dtype=bool, count=len(array))
    codes, distinct = pd.factorize(array[is_text])
    answers = np.empty(len(distinct), dtype=object)
    answers[:] = [func(v) for v in distinct]
    out = np.empty(len(array), dtype=object)
    out[is_text] = answers[codes]
    others = np.flatnonzero(~is_text)
    out[others] = [func(v) for v in array[others]]
    # the identity through Series.map infers the result's dtype (and turns None into NaN) from
    # the same answers exactly as ``values.map(func)`` does
    return pd.Series(out, index=values.index, dtype=object).map(_same)


def _same(value: Any) -> Any:
    return value
