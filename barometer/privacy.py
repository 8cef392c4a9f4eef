"""Privacy of residents: keyed pseudonyms, PII scrubbing and small-cell suppression.

- Author, respondent and observer ids are replaced by keyed HMAC-SHA256 pseudonyms before
  anything is stored (the key: :mod:`barometer.keys`). Pseudonyms are stable for one key, so
  one author counts once per period, and cannot be reversed without the key.
- Stored text has e-mail addresses, phone numbers, Swedish personal identity numbers
  (personnummer and samordningsnummer, recognised by their Luhn checksum), @handles, Reddit
  ``u/`` mentions and profile URLs replaced by placeholders.
- Messages about input (quarantine reasons, file errors) never quote a cell in full:
  :func:`redact_quoted` scrubs each quoted value and cuts it to a few characters.
- Published cells built from fewer than ``min_cell_size`` units are suppressed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection

import numpy as np
import pandas as pd

from barometer.distinct import map_distinct


class Pseudonymiser:
    """Keyed, stable pseudonyms: ``HMAC-SHA256(key, namespace + ':' + id)``, 20 hex characters.

    The namespace (e.g. ``"x"``, ``"survey"``) keeps equal raw ids of different sources apart.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, namespace: str, raw_id: str) -> str:
        digest = hmac.new(self._key, f"{namespace}:{raw_id}".encode(), hashlib.sha256)
        return f"{namespace}-{digest.hexdigest()[:20]}"

    def pseudonymise(self, namespace: str, raw_ids: pd.Series) -> pd.Series:
        """Pseudonymise a column of raw ids; missing ids stay missing."""
        mapping = {raw: self.pseudonym(namespace, str(raw)) for raw in pd.unique(raw_ids.dropna())}
        return raw_ids.map(mapping).astype("object")


# Every pattern runs in linear time on adversarial input (tests/test_security_scrub.py): each
# has bounded quantifiers or a look-behind that lets a match start only at the first character
# of a run, so the engine never rescans a long token from every position.
# E-mail: local part of at most 64 characters (RFC 5321) starting a run of local-part
# characters, domain labels of at most 63 characters
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_PROFILE_URL = re.compile(
    r"https?://(?:www\.)?(?:twitter\.com|x\.com|facebook\.com|instagram\.com|t\.me|"
    r"reddit\.com/u(?:ser)?|tiktok\.com/@|[\w.-]{1,253}/@)[/\w.@-]*",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}(?:@[\w.-]{1,253})?")
# Reddit user mentions: u/name and /u/name (3-20 letters, digits, _ or -)
_REDDIT_USER = re.compile(r"(?<![\w/])/?[uU]/[A-Za-z0-9_-]{3,20}(?![\w-])")
# Swedish personal identity numbers: (YY)YYMMDD[-+]NNNC
_PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?(\d{6})[-+ ]?(\d{4})(?!\d)")
# Swedish phone numbers: +46 / 0046 / 0, then digit groups with optional separators; a match
# must hold 9-12 digits (a number with area code) and not sit inside a date, time or longer
# number ("2024-07-02 09:00" is not a phone number)
_PHONE = re.compile(r"(?<![\w+\-:/.])(?:\+46|0046|0)[\s-]?\d{1,3}(?:[\s-]?\d{2,4}){1,4}(?![\d:])")

_WWW = re.compile(r"www\.", re.IGNORECASE)  # what a URL without "/" holds
_DIGIT = re.compile(r"\d")  # Unicode digits, as the number patterns' \d

#: every pattern of this module, for the linear-time tests and benchmark
PATTERNS: dict[str, re.Pattern[str]] = {
    "email": _EMAIL,
    "profile_url": _PROFILE_URL,
    "url": _URL,
    "handle": _HANDLE,
    "reddit_user": _REDDIT_USER,
    "personnummer": _PERSONNUMMER,
    "phone": _PHONE,
}


#: the placeholders :func:`scrub_pii` writes in place of what it removes
PLACEHOLDERS: tuple[str, ...] = (
    "<profile_url>", "<email>", "<url>", "<user>", "<personnummer>", "<phone>",
)  # fmt: skip


def _replace_phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "<phone>" if 9 <= digits <= 13 else match.group(0)


def luhn_valid(digits: str) -> bool:
    """Return whether ``digits`` (the 10 digits YYMMDDNNNC) pass the Luhn checksum."""
    total = 0
    for i, char in enumerate(digits):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _is_personnummer(date_part: str, serial: str) -> bool:
    month, day = int(date_part[2:4]), int(date_part[4:6])
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31 and luhn_valid(date_part + serial)


def _replace_personnummer(match: re.Match[str]) -> str:
    if _is_personnummer(match.group(1), match.group(2)):
        return "<personnummer>"
    return match.group(0)


def scrub_pii(text: str) -> str:
    """Replace identifying details in ``text`` with placeholders.

    Order matters: profile URLs before other URLs, e-mails before @handles, personnummer
    before phone numbers (a personnummer with a failing checksum is left alone). Runs in time
    linear in ``len(text)``.
    """
    # Each pattern runs only where the text holds what every match of it holds ("/" in a
    # URL and a u/ mention, "@" in an e-mail and a handle, a digit in a number), so most posts
    # are not scanned seven times; the result is the same.
    if "/" in text:
        text = _PROFILE_URL.sub("<profile_url>", text)
    if "@" in text:
        text = _EMAIL.sub("<email>", text)
    if "/" in text or _WWW.search(text):
        text = _URL.sub("<url>", text)
    if "@" in text:
        text = _HANDLE.sub("<user>", text)
    if "/" in text:
        text = _REDDIT_USER.sub("<user>", text)
    if _DIGIT.search(text):
        text = _PERSONNUMMER.sub(_replace_personnummer, text)
        text = _PHONE.sub(_replace_phone, text)
    return text


#: characters of a quoted value kept by :func:`redact_quoted` (then "…")
QUOTE_KEEP = 3
#: messages are cut to this many characters before redaction (a cell can be megabytes long)
MESSAGE_MAX_CHARS = 2000
_SHAPE = re.compile(r"(?:[\d\s:.,/+\-TZ]|<[a-z_]{1,14}>){0,40}")  # numbers, dates, placeholders
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}")
_OPENERS = frozenset(" \t([{,=:")


def _redacted(value: str, keep_identifiers: bool, keep: Collection[str]) -> str:
    if value in keep:
        return value
    value = scrub_pii(value)
    if _SHAPE.fullmatch(value) or (keep_identifiers and _IDENTIFIER.fullmatch(value)):
        return value
    return value if len(value) <= QUOTE_KEEP else value[:QUOTE_KEEP] + "…"


def redact_quoted(
    message: str, *, keep_identifiers: bool = False, keep: Collection[str] = ()
) -> str:
    """``message`` with every quoted value (``'...'`` or ``"..."`` as ``repr`` writes them)
    PII-scrubbed and cut to :data:`QUOTE_KEEP` characters, and the rest PII-scrubbed.

    A value is kept whole when it holds only digits, separators and the letters of a timestamp
    (``'2024-13-01'``, ``'1,5'``: what a reader needs to see a format problem), or, with
    ``keep_identifiers``, when it is one short token such as a column name (``'created_at'``);
    for file-level errors, whose values are mostly the file's header. Values in ``keep`` (what
    the operator wrote in the pipeline config, say) are kept as they are. A quote mark that follows
    a letter is an apostrophe, not a quote. A message longer than :data:`MESSAGE_MAX_CHARS`
    is cut first; a quote left open by the cut runs to the end. Linear in ``len(message)``.

    >>> redact_quoted("unreadable timestamp 'ring Anna Svensson 070-123 45 67'")
    "unreadable timestamp 'rin…'"
    >>> redact_quoted("found '2024-13-45' in the file's header")
    "found '2024-13-45' in the file's header"
    """
    text = message[:MESSAGE_MAX_CHARS]
    out: list[str] = []
    plain_start = 0
    i = 0
    while i < len(text):
        quote = text[i]
        if quote in "'\"" and (i == 0 or text[i - 1] in _OPENERS):
            j = i + 1
            while j < len(text) and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(scrub_pii(text[plain_start:i]))
            value = text[i + 1 : min(j, len(text))]
            out.append(f"{quote}{_redacted(value, keep_identifiers, keep)}{quote}")
            i = plain_start = j + 1
            continue
        i += 1
    out.append(scrub_pii(text[plain_start:]))
    return "".join(out)


def scrub_texts(texts: pd.Series) -> pd.Series:
    """Vector form of :func:`scrub_pii` (once per distinct text); missing texts stay missing."""
    return map_distinct(texts, lambda t: scrub_pii(t) if isinstance(t, str) else t)


def suppress_small_cells(
    frame: pd.DataFrame, *, min_cell_size: int, size_column: str = "n_effective"
) -> pd.DataFrame:
    """Mark cells built from fewer than ``min_cell_size`` units as suppressed.

    Suppressed rows keep their keys and ``n_effective`` (so coverage can be reported) but lose
    ``value``, ``lower`` and ``upper``. Returns a new frame; the input is not changed.
    """
    out = frame.copy()
    small = out[size_column].fillna(0).to_numpy() < min_cell_size
    previously = out["suppressed"].fillna(False).to_numpy(dtype=bool)
    out["suppressed"] = small | previously
    for column in ("value", "lower", "upper"):
        out[column] = np.where(out["suppressed"], np.nan, out[column])
    return out
