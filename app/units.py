"""How each kind of published unit is written for people: precision, unit words and changes.

The catalogue's ``unit`` strings (``index 0-100``, ``points 0-10``, ``share of authors' posts
0-1``, ``ratio to the sensor's own hour-of-week baseline (1 = baseline)``, ``... per 100 ...``)
map to a :class:`Unit`; values keep their published scale, only their text changes:

- index 0-100: whole points (``47``; change ``+3 points``);
- 0-10 scales: one decimal (``5.9``; ``+0.4 points``);
- shares 0-1: percentages (``12%``; change in percentage points);
- ratios to a baseline (1 = usual): percent of the usual level (``104%``);
- rates per 100: one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass

from i18n import num, pct, t


@dataclass(frozen=True)
class Unit:
    kind: str  # index | scale10 | share | ratio | per100 | other

    def value(self, value: object) -> str:
        """A value in this unit, with sensible precision (no unit words)."""
        if self.kind == "index":
            return num(value, 0)
        if self.kind in ("share", "ratio"):
            return pct(value)
        if self.kind in ("scale10", "per100"):
            return num(value, 1)
        return num(value, 2)

    def value_with_unit(self, value: object) -> str:
        """A value with a compact unit: ``44 / 100``, ``6.6 / 10``, ``51%``, ``18.3 per 100``."""
        text = self.value(value)
        suffix = {"index": " / 100", "scale10": " / 10", "per100": " " + t("unit_per100")}
        return text + suffix.get(self.kind, "") if text != "–" else text

    def change(self, value: object, signed: bool = True) -> str:
        """A difference in this unit, in words: ``+3 points``, ``−4 percentage points``."""
        if self.kind == "index":  # whole points, one decimal under 10
            digits = 1 if abs(float(value)) < 9.95 else 0  # type: ignore[arg-type]
            return t("points", n=num(value, digits, signed))
        if self.kind == "scale10":
            return t("points", n=num(value, 1, signed))
        if self.kind in ("share", "ratio"):
            scaled = 100 * float(value)  # type: ignore[arg-type]
            digits = 1 if abs(scaled) < 9.95 else 0
            return t("pp", n=num(scaled, digits, signed))
        if self.kind == "per100":
            return t("per100_change", n=num(value, 1, signed))
        return num(value, 2, signed)

    def words(self) -> str:
        """What the numbers are: ``points of 100``, ``% of authors`` ..."""
        return t(f"unit_{self.kind}")

    def axis_format(self) -> tuple[int, bool]:
        """(decimals, as percent) for a chart axis in this unit."""
        return {
            "index": (0, False),
            "scale10": (1, False),
            "share": (0, True),
            "ratio": (0, True),
            "per100": (1, False),
        }.get(self.kind, (2, False))

    def scale(self, value: float) -> float:
        """The value as written (percent for shares and ratios), e.g. for hover text."""
        return 100 * value if self.kind in ("share", "ratio") else value


def unit_of(unit: str) -> Unit:
    """The :class:`Unit` of a catalogue ``unit`` string."""
    text = unit.lower()
    if text.startswith("index"):
        return Unit("index")
    if "0-10" in text and not text.startswith("share"):
        return Unit("scale10")
    if text.startswith("share"):
        return Unit("share")
    if text.startswith("ratio"):
        return Unit("ratio")
    if "per 100" in text:
        return Unit("per100")
    return Unit("other")


def direction_word(change: float, direction: int) -> str:
    """``better`` / ``worse`` for a change of an indicator with catalogue ``direction``
    (+1: higher = more trust, -1: higher = less trust, 0: neither)."""
    if direction == 0 or change == 0:
        return ""
    return t("better") if change * direction > 0 else t("worse")


__all__ = ["Unit", "direction_word", "unit_of"]
