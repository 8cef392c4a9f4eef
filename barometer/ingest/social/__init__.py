"""Social-media adapters, one module per platform export format.

Every adapter returns an :class:`~barometer.ingest.base.IngestResult` whose rows have the
columns in :data:`SOCIAL_RAW_COLUMNS`: canonical ``posts`` columns before enrichment plus the raw
author id, coordinates and platform place name that the enrich step turns into a pseudonym and a
neighbourhood (and then drops).
"""

from barometer.ingest.social.crowdtangle import read_crowdtangle
from barometer.ingest.social.mastodon import read_mastodon
from barometer.ingest.social.reddit import read_reddit
from barometer.ingest.social.tabular import ColumnMapping, read_tabular
from barometer.ingest.social.telegram import read_telegram
from barometer.ingest.social.x import read_x_v2

__all__ = [
    "ColumnMapping",
    "read_crowdtangle",
    "read_mastodon",
    "read_reddit",
    "read_tabular",
    "read_telegram",
    "read_x_v2",
]
