"""Numbers written with a locale's separators: ``1,234.5`` (English), ``1.234,5`` (German,
Brazilian Portuguese, ...), ``1 234,5`` (Swedish, French: a space or no-break space groups the
digits), ``1'234.5`` (Swiss).

A source's ``decimal_separator`` is ``"."``, ``","`` or ``"auto"`` (the default). With ``auto``,
:func:`detect_decimal` looks at a whole column and decides where a value shows it:

- a value with both separators: the last one is the decimal separator (``1.234,5``);
- one separator followed by other than three digits, or after a lone ``0``: decimal (``2,5``,
  ``0.125``);
- the same separator twice: it groups thousands, so the other one is decimal (``1.234.567``).

When values disagree the column is ambiguous and :class:`InputError` asks for the setting. When
no value decides (every value is a whole number, perhaps grouped: ``407.137``, ``1,204``), a
separator followed by exactly three digits groups thousands: the only reading of a *count*
in any locale (a count has no decimals), so ``407.137`` is 407,137 people, not 407.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from barometer.exceptions import InputError

DecimalSeparator = Literal["auto", ".", ","]

#: characters that group digits whatever the decimal separator
_SPACES = " \u00a0\u202f'\u2019"
_CLEAN = re.compile(rf"^[+-]?[\d.,{_SPACES}]*\d[\d.,{_SPACES}]*$")


def _evidence(text: str) -> str | None:
    """'.' or ',' when ``text`` shows which is the decimal separator, else None."""
    digits = text.lstrip("+-")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    for sep, other in ((".", ","), (",", ".")):
        n = digits.count(sep)
        if n > 1:
            return other
        if n == 1:
            whole, fraction = digits.split(sep)
            if len(fraction) != 3 or whole.strip(_SPACES) in ("", "0"):
                return sep
    return None


class DecimalEvidence:
    """What a column's values show of their decimal separator, gathered value by value (a
    column read in batches): the first value showing each separator."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def add(self, value: object) -> None:
        if len(self.seen) > 1 or not isinstance(value, str) or not _CLEAN.match(value.strip()):
            return
        sep = _evidence(value.strip())
        if sep is not None:
            self.seen.setdefault(sep, value.strip())

    def separator(self) -> str | None:
        """'.' or ',' as the values show it, ``None`` when none shows one; ``ValueError``
        naming two values that disagree."""
        seen = self.seen
        if len(seen) > 1:
            raise ValueError(f"{seen['.']!r} has a decimal point, {seen[',']!r} a decimal comma")
        return next(iter(seen), None)


def detect_decimal(values: Iterable[object]) -> str | None:
    """The decimal separator the values show ('.' or ','), ``None`` when none shows one.

    Raises ``ValueError`` naming two values that disagree.
    """
    evidence = DecimalEvidence()
    for value in values:
        evidence.add(value)
    return evidence.separator()


def resolve_decimal(
    setting: DecimalSeparator,
    values: Iterable[object] | DecimalEvidence,
    *,
    path: Path,
    column: str,
) -> str | None:
    """The separator to parse ``column`` with: the setting, or what the values (or the
    evidence gathered from them) show (:func:`detect_decimal`)."""
    if setting != "auto":
        return setting
    try:
        if isinstance(values, DecimalEvidence):
            return values.separator()
        return detect_decimal(values)
    except ValueError as exc:
        raise InputError(
            f"{path}: column '{column}' mixes number formats ({exc}); set decimal_separator "
            '= "." or "," for this source in the pipeline config'
        ) from exc


def parse_number(value: object, decimal: str | None) -> float | None:
    """A number cell to a float; ``None`` when empty or not a number in that format.

    ``decimal`` is '.', ',' or ``None`` (no decimals seen: separators before three digits
    group thousands). JSON numbers pass through.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or not _CLEAN.match(text):
        return None
    sign = -1.0 if text.startswith("-") else 1.0
    digits = text.lstrip("+-")
    if decimal is None:
        grouped = re.fullmatch(rf"\d{{1,3}}([.,{_SPACES}])\d{{3}}(?:\1\d{{3}})*", digits)
        if grouped or digits.isdigit():
            return sign * float(re.sub(r"\D", "", digits))
        return None
    other = "," if decimal == "." else "."
    groups = re.escape(other + _SPACES)
    pattern = rf"(?:\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)(?:{re.escape(decimal)}\d+)?"
    if not re.fullmatch(pattern, digits):
        return None
    whole = re.sub(rf"[{groups}]", "", digits).replace(decimal, ".")
    return sign * float(whole)


#: counts from this size on are corrupt fields, not engagement
MAX_COUNT = 10**15


def parse_count(value: object, decimal: str | None) -> int | None:
    """A whole count >= 0 (``1,204``, ``407.137``, ``12.0``), ``None`` when not one."""
    number = parse_number(value, decimal)
    if number is None or number < 0 or number >= MAX_COUNT or number != int(number):
        return None
    return int(number)
