"""What every ingestion adapter returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from barometer.ingest.quarantine import Quarantine


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

    @property
    def quarantined(self) -> int:
        """Records rejected; differs from ``len(quarantine)`` only where one quarantine row
        stands for several records (a bad line of a wide file holds one reading per sensor)."""
        return len(self.quarantine) if self.n_quarantined is None else self.n_quarantined

    def reconciles(self) -> bool:
        return self.n_read == len(self.rows) + self.quarantined + self.n_duplicates
