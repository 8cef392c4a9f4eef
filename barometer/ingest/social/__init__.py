"""Social-media adapters, one module per platform export format.

Every adapter returns an :class:`~barometer.ingest.base.IngestResult` whose rows have the
columns in :data:`SOCIAL_RAW_COLUMNS`: canonical ``posts`` columns before enrichment plus the raw
author id, coordinates and platform place name that the enrich step turns into a pseudonym and a
neighbourhood (and then drops).
"""

from barometer.ingest.social.mastodon import read_mastodon
from barometer.ingest.social.x import read_x_v2

__all__ = ["read_mastodon", "read_x_v2"]
