"""Rejected input rows: where they came from and why.

Adapters never drop a row silently. A row that cannot become a canonical row is recorded with its
file, line (1-based line of a text file, or 1-based data row of a table), its number among the
file's rejected records (``record``: one line can hold several records, e.g. the tweets of an X
page), field and a reason in plain words; ``raw`` keeps a PII-scrubbed, shortened copy for the
data-quality page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from barometer.privacy import scrub_pii
from barometer.schema import QUARANTINE, empty_frame

RAW_MAX_CHARS = 300


@dataclass
class Quarantine:
    """Collects rejected rows of one source while an adapter reads it."""

    source: str
    rows: list[dict[str, object]] = field(default_factory=list)

    def reject(self, file: str, line: int, field_name: str, reason: str, raw: object = "") -> None:
        text = scrub_pii(str(raw))[:RAW_MAX_CHARS]
        self.rows.append(
            {
                "source": self.source,
                "file": file,
                "line": int(line),
                "record": len(self.rows) + 1,
                "field": field_name,
                "reason": reason,
                "raw": text,
            }
        )

    def __len__(self) -> int:
        return len(self.rows)

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
