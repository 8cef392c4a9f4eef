"""What every ingestion adapter returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from barometer.ingest.quarantine import Quarantine

#: records per batch of a streaming reader: bounds the memory of reading, enriching and
#: storing one batch (about 1 KiB per post in pandas, so some 100 MiB)
STREAM_BATCH = 100_000


@dataclass
class IngestResult:
    """Rows read from one input file.

    ``rows`` holds canonical columns plus adapter-specific raw columns that the enrich step
    consumes (e.g. raw author ids, coordinates); ``quarantine`` the rejected rows.
    ``n_read`` counts every record found in the file, so that
    ``n_read == len(rows) + quarantined + n_duplicates`` always holds.
    """

    rows: pd.DataFrame
    quarantine: Quarantine
    n_read: int
    n_duplicates: int = 0
    n_quarantined: int | None = None
    notes: list[str] = field(default_factory=list)
    #: records kept when ``rows`` no longer holds them all (a streamed file's total)
    kept: int | None = None

    @property
    def n_kept(self) -> int:
        """Records accepted (``len(rows)`` unless set)."""
        return len(self.rows) if self.kept is None else self.kept

    @n_kept.setter
    def n_kept(self, value: int) -> None:
        self.kept = value

    @property
    def quarantined(self) -> int:
        """Records rejected; differs from ``len(quarantine)`` only where one quarantine row
        stands for several records (a bad line of a wide file holds one reading per sensor)."""
        return len(self.quarantine) if self.n_quarantined is None else self.n_quarantined

    def reconciles(self) -> bool:
        return self.n_read == self.n_kept + self.quarantined + self.n_duplicates

    @classmethod
    def merge(cls, parts: list[IngestResult]) -> IngestResult:
        """One result from the batches of one file (rows concatenated, counts added)."""
        if len(parts) == 1:
            return parts[0]
        quarantine = parts[0].quarantine
        for part in parts[1:]:
            quarantine = quarantine.merged(part.quarantine)
        frames = [p.rows for p in parts if not p.rows.empty] or [parts[-1].rows]
        return cls(
            pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0],
            quarantine,
            n_read=sum(p.n_read for p in parts),
            n_duplicates=sum(p.n_duplicates for p in parts),
            n_quarantined=None
            if all(p.n_quarantined is None for p in parts)
            else sum(p.quarantined for p in parts),
            notes=[n for p in parts for n in p.notes],
        )
