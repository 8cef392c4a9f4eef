"""Privacy of residents: keyed pseudonyms, PII scrubbing and small-cell suppression.

- Author, respondent and observer ids are replaced by keyed HMAC-SHA256 pseudonyms before
  anything is stored. The key comes from an environment variable or a key file kept outside the
  warehouse; without one the pipeline refuses to run, except with the explicit demo key (for the
  synthetic sample municipality only). Pseudonyms are stable for one key, so one author counts
  once per period, and cannot be reversed without the key.
- Stored text has e-mail addresses, phone numbers, Swedish personal identity numbers
  (personnummer and samordningsnummer, recognised by their Luhn checksum), @handles and profile
  URLs replaced by placeholders.
- Published cells built from fewer than ``min_cell_size`` units are suppressed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.exceptions import ConfigError

#: The key used with ``demo_key = true``: public, so pseudonyms made with it protect nothing.
DEMO_KEY = b"barometer-demo-key-NOT-SECRET-synthetic-data-only"
MIN_KEY_BYTES = 16


def load_key(
    *, env_var: str = "BAROMETER_PSEUDONYM_KEY", key_file: Path | None = None, demo: bool = False
) -> bytes:
    """Return the pseudonymisation key.

    Looks first at the environment variable ``env_var``, then at ``key_file``. With neither,
    returns :data:`DEMO_KEY` only when ``demo`` is true, and otherwise raises
    :class:`ConfigError` explaining how to provide a key.
    """
    value = os.environ.get(env_var, "")
    if value:
        key = value.encode("utf-8")
    elif key_file is not None:
        if not key_file.is_file():
            raise ConfigError(f"pseudonym key file {key_file} does not exist")
        key = key_file.read_bytes().strip()
    elif demo:
        return DEMO_KEY
    else:
        raise ConfigError(
            f"no pseudonymisation key: set the environment variable {env_var} or "
            "[privacy] key_file in the pipeline config (keep the key outside the warehouse); "
            "only the synthetic sample may use demo_key = true"
        )
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"pseudonymisation key is {len(key)} bytes; use at least {MIN_KEY_BYTES} random bytes"
        )
    return key


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


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PROFILE_URL = re.compile(
    r"https?://(?:www\.)?(?:twitter\.com|x\.com|facebook\.com|instagram\.com|t\.me|"
    r"reddit\.com/u(?:ser)?|tiktok\.com/@|[\w.-]+/@)[/\w.@-]*",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}(?:@[\w.-]+)?")
# Swedish personal identity numbers: (YY)YYMMDD[-+]NNNC
_PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?(\d{6})[-+ ]?(\d{4})(?!\d)")
# Swedish phone numbers: +46 / 0046 / 0, then digit groups with optional separators; a match
# must hold 9-12 digits (a number with area code) and not sit inside a date, time or longer
# number ("2024-07-02 09:00" is not a phone number)
_PHONE = re.compile(r"(?<![\w+\-:/.])(?:\+46|0046|0)[\s-]?\d{1,3}(?:[\s-]?\d{2,4}){1,4}(?![\d:])")


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
    before phone numbers (a personnummer with a failing checksum is left alone).
    """
    text = _PROFILE_URL.sub("<profile_url>", text)
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub("<url>", text)
    text = _HANDLE.sub("<user>", text)
    text = _PERSONNUMMER.sub(_replace_personnummer, text)
    return _PHONE.sub(_replace_phone, text)


def scrub_texts(texts: pd.Series) -> pd.Series:
    """Vector form of :func:`scrub_pii`; missing texts stay missing."""
    return texts.map(lambda t: scrub_pii(t) if isinstance(t, str) else t)


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
