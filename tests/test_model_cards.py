"""Every code path a committed model card names exists in the package (cards outlive refactors)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import barometer
from barometer import locations

PACKAGE_ROOT = Path(barometer.__file__).parent
DOTTED = re.compile(r"`(barometer(?:\.[A-Za-z_]\w*)+)`")
FILE = re.compile(r"`(barometer/[\w/]+\.(?:py|toml))`")


def _cards() -> list[Path]:
    return sorted(locations.packaged_models_dir().glob("*/*/card.md"))


def _resolves(dotted: str) -> bool:
    """True when ``dotted`` is a module, or an attribute of the longest importable prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_there_are_cards_to_check() -> None:
    assert len(_cards()) >= 6


@pytest.mark.parametrize("card", _cards(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_card_names_only_existing_code(card: Path) -> None:
    text = card.read_text(encoding="utf-8")
    missing = [name for name in DOTTED.findall(text) if not _resolves(name)]
    missing += [name for name in FILE.findall(text) if not (PACKAGE_ROOT.parent / name).is_file()]
    assert not missing, f"{card}: names code that does not exist: {missing}"


def test_the_check_catches_a_moved_module() -> None:
    assert not _resolves("barometer.nlp.training.training_set")
    assert _resolves("barometer.training.data.training_set")
