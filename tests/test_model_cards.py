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


@pytest.mark.parametrize(
    ("overrides", "says", "never"),
    [
        ([], None, "placeholder"),
        (["features.min_word_df=10"], "replaced by one placeholder word", "dropped"),
        (["features.min_word_df=10", "features.rare_words=token"], "a token of their own",
         "adds no feature"),
        (["features.min_word_df=10", "features.rare_words=drop_always",
          "features.fold_article=true"], "dropped in training and prediction", "placeholder word"),
        (["features.min_word_df=10", "features.rare_words=drop_always",
          'features.word_stems=["sv","ar"]'], "words in ar, sv are read as their Snowball stems",
         "placeholder word"),
        (['features.word_stems=["sv"]'], "words in sv are read as their Snowball stems",
         "dropped"),
        (["features.min_word_df=10", "features.rare_words=drop_always",
          'features.unread_dilution="sqrt_share"'], "unread = its runs of dropped words",
         "placeholder word"),
        (["features.min_word_df=10", "features.rare_words=drop_always",
          'features.unread_dilution="sqrt_word_share"'], "unread = its dropped words",
         "runs of"),
        (["features.min_word_df=10", "features.rare_words=drop_always"],
         "dropped in training and prediction", "sqrt(read"),
    ],
)  # fmt: skip
def test_card_says_what_the_vocabulary_does(
    overrides: list[str], says: str | None, never: str
) -> None:
    from barometer.training.cards import _vocabulary_note
    from barometer.training.config import load_training_config

    plain = ["features.min_word_df=0", "features.rare_words=unseen", "features.fold_article=false"]
    config = load_training_config(
        Path(barometer.__file__).parent / "data/models/configs/hostility.toml", plain + overrides
    )
    note = _vocabulary_note(config)
    assert never not in note
    if says is None:
        assert note == ""
    else:
        assert says in note
        assert ('"an" before an unseen word' in note) == ("features.fold_article=true" in overrides)


@pytest.mark.parametrize("k", [0, 3])
def test_card_states_the_read_rule_and_its_cost(k: int) -> None:
    from barometer.training.cards import _read_rule_note
    from barometer.training.config import load_training_config

    config = load_training_config(
        Path(barometer.__file__).parent / "data/models/configs/hostility.toml",
        [f"scoring.min_read_words={k}"],
    )
    note = _read_rule_note(config)
    if k == 0:
        assert note == ""
    else:
        assert "fewer than 3 words" in note and "model's prior" in note
        assert "short hostile posts are missed" in note and "counts as scored" in note
