"""``[[sources.live]]`` and ``[fetch]``: what is accepted, and errors that name the key."""

from __future__ import annotations

import pytest
from live_server import write_config

from barometer.config import load_config
from barometer.exceptions import ConfigError
from barometer.live.streams import stream_name


def _load(tmp_path, live: str):
    return load_config(write_config(tmp_path, live))


def test_a_mastodon_source_with_defaults(tmp_path) -> None:
    config = _load(
        tmp_path,
        """
[[sources.live]]
kind = "mastodon"
instance = "https://mastodon.nu/"
hashtags = ["#Botkyrka", "fittja", "FITTJA", "Hallunda_Norsborg"]
""",
    )
    (source,) = config.sources.live
    assert source.instance == "https://mastodon.nu"
    assert source.hashtags == ["botkyrka", "fittja", "hallunda_norsborg"]
    assert source.source_name() == "mastodon-mastodon.nu"
    assert (source.max_pages, source.start, source.local) == (50, None, False)
    assert config.fetch.contact == "mailto:trust@testby.example"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "mastodon"\ninstance = "http://mastodon.nu"\nlocal = true', "use https"),
        ('kind = "mastodon"\ninstance = "https://mastodon.nu"', "hashtags = \\[...\\] or local"),
        ('kind = "mastodon"\ninstance = "https://m.nu"\nhashtags = ["två ord"]', "hashtag is"),
        ('kind = "reddit"\nsubreddits = ["a"]', "subreddit name is 2-21"),
        ('kind = "reddit"\nsubreddits = []', "sources.live.0.reddit.subreddits"),
        ('kind = "x"\nquery = "a"\napi_base = "ftp://x"', "not an http\\(s\\) URL"),
        ('kind = "x"\nquery = "a"\ntoken = "do-not-put-it-here"', "token: Extra inputs"),
        ('kind = "bluesky"', "sources.live.0: Input tag 'bluesky'"),
        ('kind = "x"\nquery = "a"\nname = "My X"', "a source name is lower-case"),
    ],
)
def test_invalid_live_tables_name_the_key(tmp_path, table, message) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, f"[[sources.live]]\n{table}\n")


def test_two_sources_with_one_name_are_refused(tmp_path) -> None:
    live = '[[sources.live]]\nkind = "x"\nquery = "a"\n[[sources.live]]\nkind = "x"\nquery = "b"\n'
    with pytest.raises(ConfigError, match=r"live sources \['x'\] share a name"):
        _load(tmp_path, live)


def test_stream_names_are_folder_safe_and_keep_values_apart() -> None:
    assert stream_name("tag", "botkyrka") == "tag-botkyrka"
    assert stream_name("tag", "fittjaträff").startswith("tag-fittjatraff-")
    assert stream_name("tag", "fittjaträff") != stream_name("tag", "fittjatraff")
    assert stream_name("search", "a/../../b") == "search-a-b-" + stream_name("x", "a/../../b")[-8:]
    assert "/" not in stream_name("search", "../../etc") and stream_name("s", "") != "s-"
