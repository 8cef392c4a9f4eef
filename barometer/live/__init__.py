"""Live connectors: pull public posts from Mastodon, Reddit and X on a schedule.

Each page a server sends is written unchanged to the warehouse's landing folder
(:mod:`barometer.live.landing`), read by the same adapter as an exported file
(:mod:`barometer.ingest.social`), and only then does the stream's cursor move
(:mod:`barometer.live.cursors`). :func:`barometer.live.fetch.fetch_sources` runs it;
``docs/OPERATIONS.md`` says how to run it weekly. This package imports only its configuration
models eagerly, so reading a pipeline config stays cheap.
"""

from barometer.live.config import FetchSettings, LiveSource, MastodonLive, RedditLive, XLive

__all__ = ["FetchSettings", "LiveSource", "MastodonLive", "RedditLive", "XLive"]
