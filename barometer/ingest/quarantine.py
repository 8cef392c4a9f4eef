"""Rejected input rows: where they came from and why.

Adapters never drop a row silently. A row that cannot become a canonical row is recorded with its
file, line (1-based line of a text file, or 1-based data row of a table), its number among the
file's rejected records (``record``: one line can hold several records, e.g. the tweets of an X
page), field and a reason in plain words; ``raw`` keeps a PII-scrubbed, shortened copy for
whoever fixes the file.

Privacy, for every adapter at once: the reason is published (``quarantine_summary``), so any
value it quotes is scrubbed and cut to a few characters (:func:`barometer.privacy.redact_quoted`;
file, line and field already say where to look; the field's own name is kept); ``raw`` is cut
*before* it is scrubbed, so a 20 MB cell costs no more than a short one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from barometer.privacy import redact_quoted, scrub_pii
from barometer.schema import QUARANTINE, empty_frame

RAW_MAX_CHARS = 300
#: characters scrubbed beyond the cut, so that an e-mail or phone number straddling it is
#: still recognised whole (an e-mail address is at most 320 characters)
_SCRUB_MARGIN = 400


def shortened_raw(raw: object) -> str:
    """The first :data:`RAW_MAX_CHARS` characters of ``raw``, PII-scrubbed, without a cut-off
    last word (which could be the first half of an identifier)."""
    text = str(raw)
    head = scrub_pii(text[: RAW_MAX_CHARS + _SCRUB_MARGIN])
    if len(text) <= RAW_MAX_CHARS and len(head) <= RAW_MAX_CHARS:
        return head
    cut = head[:RAW_MAX_CHARS]
    return (cut.rsplit(maxsplit=1)[0] if " " in cut else "") + " …"


@dataclass
class Quarantine:
    """Collects rejected rows of one source while an adapter reads it."""

    source: str
    rows: list[dict[str, object]] = field(default_factory=list)
    #: rejected records of the file handed on before these (:meth:`drain`)
    offset: int = 0

    def reject(self, file: str, line: int, field_name: str, reason: str, raw: object = "") -> None:
        self.rows.append(
            {
                "source": self.source,
                "file": file,
                "line": int(line),
                "record": self.offset + len(self.rows) + 1,
                "field": field_name,
                "reason": redact_quoted(reason, keep={field_name}),
                "raw": shortened_raw(raw),
            }
        )

    def __len__(self) -> int:
        return len(self.rows)

    def drain(self) -> Quarantine:
        """The rows collected so far, handed on (a streaming reader's batch); numbering of the
        file's rejected records goes on from them."""
        taken = Quarantine(self.source, self.rows, self.offset)
        self.offset += len(self.rows)
        self.rows = []
        return taken

    def merged(self, later: Quarantine) -> Quarantine:
        """These rows followed by those of a later batch of the same file."""
        return Quarantine(self.source, self.rows + later.rows, self.offset)

    def to_frame(self, run_id: str = "") -> pd.DataFrame:
        if not self.rows:
            return empty_frame(QUARANTINE)
        frame = pd.DataFrame(self.rows)
        frame["run_id"] = run_id
        return frame[QUARANTINE.columns]


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate quarantine frames, keeping the canonical columns even when all are empty."""
    kept = [f for f in frames if not f.empty]
    if not kept:
        return empty_frame(QUARANTINE)
    return pd.concat(kept, ignore_index=True)[QUARANTINE.columns]
