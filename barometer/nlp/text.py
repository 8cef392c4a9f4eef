"""Social-media text normalisation and tokenisation.

:func:`normalise_text` applies, in this order:

1. Unicode NFC; typographic apostrophe ``’`` -> ``'``; emoji variation selectors (U+FE0F) and
   skin-tone modifiers are dropped, so ``❤️`` becomes ``❤`` and ``👍🏽`` becomes ``👍``; each emoji
   is surrounded by spaces so it is its own token.
2. URLs (``http(s)://...``, ``www....``) -> ``<url>``; @mentions (also Mastodon
   ``@user@instance``) -> ``<user>``.
3. Hashtags keep their word without ``#``; CamelCase hashtags are split
   (``#TryggaBotkyrka`` -> ``Trygga Botkyrka``, ``#fittjafestival`` -> ``fittjafestival``).
4. Arabic-script diacritics (harakat) and tatweel are removed; for ``lang="ar"`` also the
   usual orthographic folding: alef variants -> ``ا``, ``ى`` -> ``ي``, ``ؤ``/``ئ`` -> ``ء``.
5. Lower-casing; ``İ`` -> ``i`` always and, for ``lang="tr"``, ``I`` -> ``ı``.
6. Elongations: a letter repeated 3+ times is folded to 2 (``jättebraaaa`` -> ``jättebraa``).
   Digits and punctuation are not folded.

:func:`tokenise` uses spaCy's rule-based tokeniser from ``spacy.blank(lang)`` (no trained
pipeline, no download), with special cases so that ``<url>``, ``<user>`` and common emoticons
stay single tokens. Languages spaCy has no class for (e.g. Somali, ``"und"``) use the
multi-language ``spacy.blank("xx")``. Pipelines are built once per language and cached.

Lemmas come from spaCy's lookup lemmatiser with the tables of ``spacy-lookups-data`` (sv, en,
da, tr, es, de have a ``lemma_lookup`` table; ar, fa, fi and so have none, and their words are
kept as they are). :func:`lemmatise` runs the spaCy pipeline (``spacy.blank(lang)`` plus the
``lemmatizer`` pipe in lookup mode, batched with ``nlp.pipe``); :func:`lemmatise_words` gives
the same lemmas for words that are already tokens, looking each distinct word up once, which is
what the hot paths use (no ``Doc`` per post). Loading a table takes 0.2 s (en) to 5 s (tr) once
per process. A lookup table gives one lemma per word form, whatever its part of speech, and the
Swedish one often picks a verb: "buss" -> "bussa" (while "bussen" -> "buss"), "kväll" ->
"kvälla", "bil" -> "bila"; English "evening" -> "even". So lemmas are opt-in where they are
shown to people (term shifts, ``[indicators] term_lemmas``).

Throughput on 2 CPU cores: normalisation about 80,000 posts/s; tokenisation about 30,000
posts/s once the per-language pipelines are built (50,000 posts in about 2 s).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@\w+(?:@[\w.-]+\w)?")
HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
EMOJI_RE = re.compile(
    "[\U0001f000-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff]"
)
_EMOJI_MODIFIERS_RE = re.compile("[\ufe0f\ufe0e\u200d\U0001f3fb-\U0001f3ff]")
_CAMEL_RE = re.compile(r"(?<=[a-zåäöéü])(?=[A-ZÅÄÖÉÜ])")
_ARABIC_MARKS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {"إ": "ا", "أ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ؤ": "ء", "ئ": "ء"}
)
_ELONGATION_RE = re.compile(r"([^\W\d_])\1{2,}")
_SPACES_RE = re.compile(r"\s+")

URL_TOKEN = "<url>"
USER_TOKEN = "<user>"

#: Emoticons kept as one token by :func:`tokenise` (lower-case, as after normalisation).
EMOTICONS: tuple[str, ...] = (
    ":)", ":(", ":-)", ":-(", ":d", ":-d", ":p", ":-p", ";)", ";-)", ":/", ":-/", ":'(",
    ":|", ":-|", ":))", ":((", ":-))", ":-((", ":o)", "(:", "):", "<3", "<33", "</3", "xd",
    ":s", "=(", "=)", ":*", ":-*", ":]", ":[",
)  # fmt: skip


def _split_hashtag(match: re.Match[str]) -> str:
    return f" {_CAMEL_RE.sub(' ', match.group(1))} "


def _lower(text: str, lang: str | None) -> str:
    text = text.replace("İ", "i")
    if lang == "tr":
        text = text.replace("I", "ı")
    return text.lower()


def normalise_text(text: str, *, lang: str | None = None) -> str:
    """Return ``text`` normalised for lexicon and pattern matching (see module docstring).

    Parameters
    ----------
    text : str
        A raw post text; ``None`` or NaN count as the empty string.
    lang : str, optional
        ISO 639-1 code; only changes lower-casing (Turkish dotless ``ı``).

    Examples
    --------
    >>> normalise_text("JÄTTEBRAAAA fest i #Fittja 😍😍 https://t.co/x @kommunen")
    'jättebraa fest i fittja 😍 😍 <url> <user>'
    """
    if not isinstance(text, str) or not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    text = _EMOJI_MODIFIERS_RE.sub("", text)
    text = URL_RE.sub(f" {URL_TOKEN} ", text)
    text = MENTION_RE.sub(f" {USER_TOKEN} ", text)
    text = HASHTAG_RE.sub(_split_hashtag, text)
    text = EMOJI_RE.sub(r" \g<0> ", text)
    text = _ARABIC_MARKS_RE.sub("", text)
    if lang == "ar":
        text = text.translate(_ARABIC_LETTERS)
    text = _lower(text, lang)
    text = _ELONGATION_RE.sub(r"\1\1", text)
    return _SPACES_RE.sub(" ", text).strip()


def normalise_texts(
    texts: Sequence[str], langs: Sequence[str | None] | str | None = None
) -> list[str]:
    """Return :func:`normalise_text` of each text; ``langs`` is one code or one per text."""
    if langs is None or isinstance(langs, str):
        return [normalise_text(t, lang=langs) for t in texts]
    if len(langs) != len(texts):
        raise ValueError(f"expected one language per text ({len(texts)}), got {len(langs)}")
    return [normalise_text(t, lang=lg) for t, lg in zip(texts, langs, strict=True)]


@lru_cache(maxsize=32)
def build_blank_pipeline(lang: str) -> Language:
    """Return a cached ``spacy.blank`` pipeline for ``lang`` (``"xx"`` if spaCy lacks it)."""
    return _blank_with_special_cases(lang)


def _blank_with_special_cases(lang: str) -> Language:
    """A new ``spacy.blank(lang)`` whose tokeniser keeps placeholders and emoticons whole."""
    import spacy
    from spacy.symbols import ORTH

    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError, ValueError):
        nlp = spacy.blank("xx")
    for special in (URL_TOKEN, USER_TOKEN, *EMOTICONS):
        nlp.tokenizer.add_special_case(special, [{ORTH: special}])  # type: ignore[union-attr]
    return nlp


def tokenise(texts: Sequence[str], lang: str | Sequence[str]) -> list[list[str]]:
    """Split each text into tokens with the spaCy blank tokeniser of its language.

    Parameters
    ----------
    texts : sequence of str
        Texts, usually already passed through :func:`normalise_text`.
    lang : str or sequence of str
        One ISO 639-1 code for all texts, or one per text.

    Returns
    -------
    list of list of str
        The tokens of each text, in input order.

    Examples
    --------
    >>> tokenise(["inte bra :( <url>"], "sv")
    [['inte', 'bra', ':(', '<url>']]
    """
    out: list[list[str]] = [[] for _ in texts]
    for code, idx in _indices_by_language(texts, lang).items():
        tokenizer: Any = build_blank_pipeline(code).tokenizer
        for i, doc in zip(idx, tokenizer.pipe(_as_str(texts[i]) for i in idx), strict=True):
            out[i] = [tok.text for tok in doc if not tok.is_space]
    return out


@lru_cache(maxsize=16)
def lemma_table(lang: str) -> Any | None:
    """The ``lemma_lookup`` table of ``spacy-lookups-data`` for ``lang`` (word -> lemma, looked
    up by the lower-cased word form), or None where the package has no table for it."""
    from spacy.lookups import load_lookups

    try:
        return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, KeyError, ImportError, OSError):
        return None


def lemmatise_words(words: Sequence[str], lang: str) -> list[str]:
    """The lemma of each word (a token of normalised, lower-cased text) in ``lang``.

    Each distinct word is looked up once; a word without an entry, and every word of a language
    without a table, is its own lemma.

    Examples
    --------
    >>> lemmatise_words(["grannarna", "litar", "fittja"], "sv")
    ['granne', 'lita', 'fittja']
    >>> lemmatise_words(["xeeb"], "so")
    ['xeeb']
    """
    table = lemma_table(lang)
    if table is None:
        return list(words)
    lemmas = {word: str(table.get(word, word)) for word in set(words)}
    return [lemmas[word] for word in words]


@lru_cache(maxsize=32)
def build_lemma_pipeline(lang: str) -> Language:
    """A cached blank pipeline of ``lang`` (tokeniser special cases as in
    :func:`build_blank_pipeline`) with the lookup ``lemmatizer`` (tables from
    ``spacy-lookups-data``); languages without a table get the plain blank pipeline."""
    if lemma_table(lang) is None:
        return build_blank_pipeline(lang)
    nlp = _blank_with_special_cases(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def lemmatise(texts: Sequence[str], lang: str | Sequence[str]) -> list[list[str]]:
    """Lemmas of the tokens of each text with spaCy (``nlp.pipe``, batched per language).

    Builds a ``Doc`` per text, so it is for research use and for checking
    :func:`lemmatise_words`; texts are usually passed through :func:`normalise_text` first.

    Examples
    --------
    >>> lemmatise(["grannarna litar på polisen", "the neighbours trusted us"], ["sv", "en"])
    [['granne', 'lita', 'på', 'polis'], ['the', 'neighbour', 'trust', 'us']]
    """
    out: list[list[str]] = [[] for _ in texts]
    for code, idx in _indices_by_language(texts, lang).items():
        nlp = build_lemma_pipeline(code)
        for i, doc in zip(idx, nlp.pipe(_as_str(texts[i]) for i in idx), strict=True):
            out[i] = [tok.lemma_ or tok.text for tok in doc if not tok.is_space]
    return out


def _indices_by_language(texts: Sequence[str], lang: str | Sequence[str]) -> dict[str, list[int]]:
    """Positions of the texts per language code (``"xx"`` for a missing one), so that each
    language's pipeline runs once over its texts; ``lang`` is one code or one per text."""
    n = len(texts)
    langs = [lang] * n if isinstance(lang, str) else list(lang)
    if len(langs) != n:
        raise ValueError(f"expected one language per text ({n}), got {len(langs)}")
    by_lang: dict[str, list[int]] = {}
    for i, code in enumerate(langs):
        by_lang.setdefault(code if isinstance(code, str) and code else "xx", []).append(i)
    return by_lang


def _as_str(text: object) -> str:
    return text if isinstance(text, str) else ""
