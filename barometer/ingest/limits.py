"""Limits that keep one hostile or broken input from stalling a run.

A post's text is cut to :data:`MAX_TEXT_CHARS` characters before it is scrubbed, its language
identified and scored: the longest post any supported platform allows is about 63,000
characters (Facebook; X allows 25,000, Reddit 40,000, Telegram 4,096), so only spam or an
attack is longer, and a 20 MB single-token "post" would otherwise cost every later step time
in proportion to its length. The post itself is kept (counts still reconcile) and the run's
notes say how many texts were cut.
"""

from __future__ import annotations

import pandas as pd

MAX_TEXT_CHARS = 100_000


def cap_texts(texts: pd.Series, max_chars: int = MAX_TEXT_CHARS) -> tuple[pd.Series, int]:
    """(texts cut to ``max_chars`` characters, how many were longer); missing stay missing."""
    too_long = texts.map(lambda t: isinstance(t, str) and len(t) > max_chars).astype(bool)
    if not too_long.any():
        return texts, 0
    capped = texts.copy()
    capped[too_long] = texts[too_long].str.slice(0, max_chars)
    return capped, int(too_long.sum())
