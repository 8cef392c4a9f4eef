"""Writing systems: the dominant script of each text, and the script a language code is written in.

Used by language identification (:mod:`barometer.nlp.language`) to check a platform language hint
against the text (X tags Latin-script English ``ja`` now and then) and to keep the detector to
languages that can be written in the text's script.

A text's dominant script is the script with the most letters (Unicode blocks below; digits,
punctuation, emoji and symbols count for none); ``"none"`` when the text has no letter.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Script names, in the order of the ids used internally; ``"none"``: no letter at all.
SCRIPTS: tuple[str, ...] = (
    "latin", "arabic", "cyrillic", "greek", "hebrew", "cjk", "other_script", "none",
)  # fmt: skip
_LATIN, _ARABIC, _CYRILLIC, _GREEK, _HEBREW, _CJK, _OTHER, _NONE = range(len(SCRIPTS))

#: Letter blocks (first code point, last code point, script id), sorted, non-overlapping.
_BLOCKS: tuple[tuple[int, int, int], ...] = (
    (0x41, 0x5A, _LATIN), (0x61, 0x7A, _LATIN),
    (0xC0, 0xD6, _LATIN), (0xD8, 0xF6, _LATIN), (0xF8, 0x24F, _LATIN),
    (0x370, 0x3FF, _GREEK), (0x400, 0x52F, _CYRILLIC), (0x531, 0x58F, _OTHER),
    (0x591, 0x5F4, _HEBREW), (0x600, 0x6FF, _ARABIC), (0x750, 0x77F, _ARABIC),
    (0x8A0, 0x8FF, _ARABIC), (0x900, 0xDFF, _OTHER), (0xE00, 0xE7F, _OTHER),
    (0x10A0, 0x10FF, _OTHER), (0x1100, 0x11FF, _CJK), (0x1200, 0x139F, _OTHER),
    (0x1E00, 0x1EFF, _LATIN), (0x3040, 0x30FF, _CJK), (0x3400, 0x4DBF, _CJK),
    (0x4E00, 0x9FFF, _CJK), (0xAC00, 0xD7AF, _CJK), (0xFB1D, 0xFB4F, _HEBREW),
    (0xFB50, 0xFDFF, _ARABIC), (0xFE70, 0xFEFF, _ARABIC),
)  # fmt: skip
_STARTS = np.array([b[0] for b in _BLOCKS], dtype=np.int64)
_ENDS = np.array([b[1] for b in _BLOCKS], dtype=np.int64)
_IDS = np.array([b[2] for b in _BLOCKS], dtype=np.int64)

_LATIN_CODES = (
    "af az bs ca cs cy da de en eo es et eu fi fil fo fr fy ga gl ha hr ht hu id in is it jv "
    "ku la lb lt lv mg ms mt nl nn no nb om pl pt ro rw sk sl sm so sq su sv sw tl tk tr uz "
    "vi wo xh yo zu"
)
#: ISO 639-1 code (and a few platform codes) -> the script(s) that language is written in.
LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    **{code: frozenset({"latin"}) for code in _LATIN_CODES.split()},
    **{code: frozenset({"arabic"}) for code in ("ar", "fa", "ur", "ps", "ckb", "sd", "ug")},
    **{code: frozenset({"cyrillic"}) for code in ("ru", "uk", "bg", "be", "mk", "kk", "ky")},
    **{code: frozenset({"cjk"}) for code in ("ja", "zh", "ko")},
    **{code: frozenset({"other_script"}) for code in (
        "am", "ti", "hy", "ka", "hi", "mr", "ne", "bn", "pa", "gu", "ta", "te", "kn", "ml",
        "si", "th",
    )},
    "el": frozenset({"greek"}),
    "he": frozenset({"hebrew"}),
    "iw": frozenset({"hebrew"}),
    "yi": frozenset({"hebrew"}),
    "sr": frozenset({"latin", "cyrillic"}),
    "mn": frozenset({"cyrillic"}),
}  # fmt: skip


def dominant_scripts(texts: Sequence[str]) -> np.ndarray:
    """Return the dominant script of each text (a name of :data:`SCRIPTS`), vectorised.

    Examples
    --------
    >>> dominant_scripts(["Hej då", "مرحبا بكم", "12 :)", "Привет"]).tolist()
    ['latin', 'arabic', 'none', 'cyrillic']
    """
    n = len(texts)
    if n == 0:
        return np.array([], dtype=object)
    joined = "\x00".join(t if isinstance(t, str) else "" for t in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    doc = np.cumsum(codes == 0)
    block = np.searchsorted(_STARTS, codes, side="right") - 1
    inside = (block >= 0) & (codes <= _ENDS[np.maximum(block, 0)])
    script = _IDS[np.maximum(block, 0)][inside]
    counts = np.bincount(doc[inside] * _NONE + script, minlength=n * _NONE).reshape(n, _NONE)
    best = np.where(counts.max(axis=1) > 0, counts.argmax(axis=1), _NONE)
    return np.asarray(SCRIPTS, dtype=object)[best]


def script_agrees(code: str | None, script: str) -> bool:
    """Whether a text of ``script`` can be in language ``code``: False for an unknown code (a
    hint that cannot be checked is not trusted) and True for a text without letters."""
    if code is None:
        return False
    scripts = LANGUAGE_SCRIPTS.get(code)
    if scripts is None:
        return False
    return script == "none" or script in scripts
