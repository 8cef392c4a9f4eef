"""The pseudonymisation key: where it comes from, which keys are refused, and its fingerprint.

- **Source.** The environment variable ``[privacy] key_env`` (default
  ``BAROMETER_PSEUDONYM_KEY``), else the file ``[privacy] key_file``. Without either, the
  pipeline refuses to run, except with the public demo key (below).
- **Key files** must be readable by their owner only (``chmod 600``) and lie outside the
  warehouse: a copy of the warehouse handed to someone must never carry the key that reverses
  its pseudonyms.
- **Fingerprint.** ``HMAC-SHA256(key, FINGERPRINT_LABEL)``, 16 hex characters: it identifies a
  key without revealing it (it cannot be inverted, and a key of 16+ random bytes cannot be
  guessed from it). The warehouse records the fingerprint of the key that built it and refuses
  a run with another key (see :meth:`barometer.warehouse.Warehouse.claim_key`).
- **Demo key.** :data:`DEMO_KEY` is public, so its pseudonyms protect nothing (X author ids are
  public: trying ids reverses them). ``demo_key = true`` is honoured only when every input file
  is synthetic (its folder, or the folder above, holds a :data:`SYNTHETIC_MARKER` file, as
  ``barometer sample`` writes) or with an explicit flag (``--allow-demo-key``). Either way the
  run manifest and the published ``runs`` table say ``demo_key = true``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from barometer.exceptions import ConfigError

#: The key used with ``demo_key = true``: public, so pseudonyms made with it protect nothing.
DEMO_KEY = b"barometer-demo-key-NOT-SECRET-synthetic-data-only"
MIN_KEY_BYTES = 16
FINGERPRINT_LABEL = b"barometer key fingerprint v1"
#: a file marking a folder's data as invented (no real person); written by ``barometer sample``
SYNTHETIC_MARKER = "SYNTHETIC.txt"
SYNTHETIC_TEXT = (
    "Every file in this folder is synthetic: invented people, invented posts. A pipeline whose\n"
    "inputs all lie in folders marked with this file may use the public demo pseudonym key\n"
    "([privacy] demo_key = true). Never put real data here.\n"
)


def key_fingerprint(key: bytes) -> str:
    """A keyed fingerprint of ``key``: 16 hex characters of ``HMAC-SHA256(key, label)``."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class PseudonymKey:
    """The key a run uses: ``key`` (never printed or stored), its ``fingerprint``, whether it
    is the public ``demo`` key, and where it came from (``source``, for messages)."""

    key: bytes
    fingerprint: str
    demo: bool
    source: str


def is_synthetic(path: Path) -> bool:
    """Whether ``path`` lies in a folder marked synthetic (its own folder or the one above)."""
    folder = path.resolve().parent
    return any((f / SYNTHETIC_MARKER).is_file() for f in (folder, folder.parent))


def check_key_file(key_file: Path, warehouse: Path | None) -> None:
    """Refuse a key file that others may read or that lies inside ``warehouse``."""
    if not key_file.is_file():
        raise ConfigError(f"pseudonym key file {key_file} does not exist")
    if warehouse is not None and key_file.resolve().is_relative_to(Path(warehouse).resolve()):
        raise ConfigError(
            f"pseudonym key file {key_file} is inside the warehouse {warehouse}: whoever gets "
            "a copy of the warehouse could reverse its pseudonyms; move the key outside it "
            "(and 'chmod 600' it)"
        )
    mode = stat.S_IMODE(key_file.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        raise ConfigError(
            f"pseudonym key file {key_file} can be read by other users (mode {mode:03o}); "
            f"make it private with 'chmod 600 {key_file}'"
        )


def load_key(
    *,
    env_var: str = "BAROMETER_PSEUDONYM_KEY",
    key_file: Path | None = None,
    demo: bool = False,
    warehouse: Path | None = None,
) -> bytes:
    """Return the pseudonymisation key.

    Looks first at the environment variable ``env_var``, then at ``key_file`` (checked with
    :func:`check_key_file`). With neither, returns :data:`DEMO_KEY` only when ``demo`` is true,
    and otherwise raises :class:`ConfigError` explaining how to provide a key.
    """
    value = os.environ.get(env_var, "")
    if value:
        key = value.encode("utf-8")
    elif key_file is not None:
        check_key_file(key_file, warehouse)
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


def pipeline_key(
    *,
    env_var: str,
    key_file: Path | None,
    demo_key: bool,
    inputs: Iterable[Path],
    warehouse: Path | None,
    allow_demo_key: bool = False,
) -> PseudonymKey:
    """The key of a pipeline run, with the demo-key policy applied.

    ``inputs`` are every input file of the pipeline; the demo key (from ``demo_key = true``,
    or the demo key's bytes given as a real key) is refused unless all of them are synthetic
    (:func:`is_synthetic`) or ``allow_demo_key`` is set.
    """
    key = load_key(env_var=env_var, key_file=key_file, demo=demo_key, warehouse=warehouse)
    source = "environment" if os.environ.get(env_var) else "key file" if key_file else "demo"
    demo = hmac.compare_digest(key, DEMO_KEY)
    if demo and not allow_demo_key:
        real = sorted(str(p) for p in inputs if not is_synthetic(p))
        if real:
            raise ConfigError(
                "the demo pseudonym key is public, so anyone could re-identify authors by "
                f"pseudonymising public ids with it, and {real[0]} is not synthetic data (no "
                f"{SYNTHETIC_MARKER} next to it); set a secret key of at least {MIN_KEY_BYTES} "
                f"random bytes in {env_var} or [privacy] key_file and remove demo_key = true "
                "(for a throw-away test on invented data: --allow-demo-key)"
            )
    return PseudonymKey(key, key_fingerprint(key), demo, source)
