"""``barometer fetch`` against a local Mastodon replaying recorded pages: new since the cursor,
landing folder, ingest through the adapter, re-ingest from the landing folder, odd pages."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from conftest import shared_data
from live_server import FakeClock, Replay, mastodon_link, page, write_config

from barometer.config import load_config
from barometer.live.cursors import LiveState
from barometer.live.fetch import FetchOptions
from barometer.live.landing import Landing
from barometer.pipeline import run_fetch
from barometer.schema import POSTS, QUARANTINE
from barometer.warehouse import Warehouse

TAG = "/api/v1/timelines/tag/botkyrka"
LOCAL = "/api/v1/timelines/public"
FIRST_IDS = ["113500000000000105", "113500000000000104", "113500000000000103"]


@pytest.fixture
def server():
    replay = Replay()
    yield replay
    replay.stop()
    replay.check()


def _config(tmp_path, server, extra: str = "", fetch: str = ""):
    live = f"""
[[sources.live]]
kind = "mastodon"
name = "masto"
instance = "{server.url}"
hashtags = ["#Botkyrka"]
start = 2024-01-01
{extra}
"""
    return load_config(write_config(tmp_path, live, fetch=fetch))


def _fetch(config, root, clock=None, **options):
    clock = clock or FakeClock()
    opts = FetchOptions(sleep=clock.sleep, clock=clock.time, **options)
    return run_fetch(config, warehouse=root, options=opts)


def _first_two_pages(server) -> None:
    server.add(
        TAG,
        page("mastodon_tag_1"),
        query={"limit": "40", "max_id": None, "since_id": None},
        headers=mastodon_link(server.url, "botkyrka", FIRST_IDS[-1], FIRST_IDS[0]),
    )
    server.add(
        TAG,
        page("mastodon_tag_2"),
        query={"max_id": "113500000000000103", "since_id": None},
        headers=mastodon_link(server.url, "botkyrka", "113500000000000101", "113500000000000102"),
    )
    server.add(TAG, b"[]", query={"max_id": "113500000000000101"})


def _posts(root) -> pd.DataFrame:
    """Stored posts with ``status_id``: the status id the server gave (the last part of the
    post id, whichever server prefix the adapter adds)."""
    posts = Warehouse(root).read(POSTS)
    posts["status_id"] = posts["post_id"].str.rsplit(":", n=1).str[-1]
    return posts.sort_values("status_id", ignore_index=True)


def test_pages_land_then_ingest_and_the_next_run_asks_only_for_newer(tmp_path, server) -> None:
    root = tmp_path / "wh"
    config = _config(tmp_path, server)
    _first_two_pages(server)
    report = _fetch(config, root)
    posts = _posts(root)
    # 5 statuses on two pages, one with a broken created_at: 4 posts + 1 quarantined
    assert list(posts["status_id"]) == [f"11350000000000010{i}" for i in (2, 3, 4, 5)]
    quarantine = Warehouse(root).read(QUARANTINE)
    assert list(quarantine["field"]) == ["created_at"]
    by_id = posts.set_index("status_id")
    assert by_id.loc["113500000000000105", "neighbourhood_id"] == "west"
    assert by_id.loc["113500000000000104", "neighbourhood_id"] == "east"
    assert by_id.loc["113500000000000104", "text"].endswith("igen & ingen information.")
    summary = report.manifest["fetch"]
    stream = summary["sources"][0]["streams"][0]
    assert (stream["stream"], stream["pages"], stream["pages_landed"]) == ("tag-botkyrka", 3, 2)
    assert stream["posts_new"] == 4 and stream["status"] == "up to date"
    # the landing folder: two pages (the empty one is not landed), byte for byte
    pages = Landing(root).pages()
    assert [p.path.read_bytes() for p in pages] == [
        page("mastodon_tag_1"),
        page("mastodon_tag_2"),
    ]
    assert all(p.path.name.endswith(f"-{p.sha256[:16]}.page.json") for p in pages)
    assert pages[0].meta()["request"]["params"] == {"limit": "40"}
    assert pages[1].meta()["headers"]["link"].startswith("<http://127.0.0.1")
    assert (root / "landing").stat().st_mode & 0o077 == 0
    assert all(p.path.stat().st_mode & 0o077 == 0 for p in pages)
    cursor = LiveState(root).cursor("masto", "tag-botkyrka")
    assert cursor.newest is not None and cursor.newest.id == FIRST_IDS[0]
    assert cursor.window is None
    # every page is an input of the run manifest, with counts that reconcile
    inputs = [e for e in report.manifest["inputs"] if e["source"] == "live:masto"]
    assert [e["n_read"] for e in inputs] == [3, 2]
    assert all(e["n_read"] == e["n_kept"] + e["n_quarantined"] + e["n_duplicates"] for e in inputs)

    # a week later: only what is newer than the newest stored status
    server.add(
        TAG,
        page("mastodon_tag_new"),
        query={"since_id": FIRST_IDS[0], "max_id": None},
        headers=mastodon_link(server.url, "botkyrka", "113500000000000106", "113500000000000107"),
    )
    server.add(TAG, b"[]", query={"since_id": FIRST_IDS[0], "max_id": "113500000000000106"})
    report = _fetch(config, root)
    assert report.manifest["fetch"]["posts_new"] == 2
    assert len(_posts(root)) == 6
    assert LiveState(root).cursor("masto", "tag-botkyrka").newest.id == "113500000000000107"

    # nothing new: one request, nothing landed, nothing stored
    server.add(TAG, b"[]", query={"since_id": "113500000000000107"})
    report = _fetch(config, root)
    assert report.manifest["fetch"]["sources"][0]["streams"][0]["status"] == "up to date"
    assert len(Landing(root).pages()) == 3 and len(_posts(root)) == 6
    assert [s.path for s in server.seen] == [TAG] * 6


def test_authors_are_keyed_by_server_and_account_id(tmp_path, server) -> None:
    """Two servers: the same account seen on both is one author and the same status one post;
    two accounts that share a server-local id are two authors."""
    dina = json.loads(page("mastodon_tag_2"))[0]  # dina@mastodon.nu, local id 109345004
    other = json.loads(json.dumps(dina))
    other["account"].update(acct="erik", username="erik", url="https://{host}/@erik")
    other.update(id="113500000000000099", uri="https://{host}/users/erik/statuses/99")
    second = Replay()
    try:
        for replay, statuses in ((server, [dina]), (second, [dina, other])):
            host = replay.url.removeprefix("http://")
            body = json.dumps(statuses).replace("{host}", host).encode()
            replay.add(TAG, body)
        live = "".join(
            f"""
[[sources.live]]
kind = "mastodon"
name = "{name}"
instance = "{replay.url}"
hashtags = ["botkyrka"]
start = 2024-01-01
"""
            for name, replay in (("a", server), ("b", second))
        )
        _fetch(load_config(write_config(tmp_path, live)), tmp_path / "wh")
    finally:
        second.stop()
        second.check()
    posts = _posts(tmp_path / "wh")
    assert len(posts) == 2  # dina's status once, although both servers sent it
    assert posts["author_pseudonym"].nunique() == 2  # dina and erik (same local account id)


def test_reingest_from_the_landing_folder_reproduces_the_warehouse(tmp_path, server) -> None:
    root = tmp_path / "wh"
    config = _config(tmp_path, server, extra="local = true")
    _first_two_pages(server)
    server.add(LOCAL, page("mastodon_local_1"), query={"local": "true"})  # no Link: no more
    _fetch(config, root)
    copy = tmp_path / "rebuilt"
    shutil.copytree(root / "landing", copy / "landing")
    report = _fetch(config, copy, from_landing=True)
    assert report.manifest["fetch"]["replayed_pages"] == 3
    for table in (POSTS, QUARANTINE):
        fresh = Warehouse(root).read(table).drop(columns=["run_id"], errors="ignore")
        rebuilt = Warehouse(copy).read(table).drop(columns=["run_id"], errors="ignore")
        key = list(table.key)
        pd.testing.assert_frame_equal(
            fresh.sort_values(key, ignore_index=True), rebuilt.sort_values(key, ignore_index=True)
        )
    assert len(Warehouse(copy).read(POSTS)) == 5
    assert len(server.seen) == 4  # the re-ingest asked no server
    # the cursors come back from the pages' meta files; a window that an empty page closed
    # (not landed) is confirmed by one request, and then they equal the original ones
    server.add(TAG, b"[]", query={"max_id": "113500000000000101", "since_id": None})
    server.add(TAG, b"[]", query={"since_id": FIRST_IDS[0]})
    server.add(LOCAL, b"[]", query={"since_id": "113500000000000110"})
    _fetch(config, copy)
    assert LiveState(copy).cursors() == LiveState(root).cursors()
    assert len(Warehouse(copy).read(POSTS)) == 5


def test_an_empty_first_page_lands_nothing_and_stores_no_cursor(tmp_path, server) -> None:
    root = tmp_path / "wh"
    server.add(TAG, b"[]")
    report = _fetch(_config(tmp_path, server), root)
    assert report.manifest["fetch"]["sources"][0]["streams"][0]["status"] == "up to date"
    assert Landing(root).pages() == []
    assert not LiveState(root).has_cursor("masto", "tag-botkyrka")
    assert report.manifest["fetch"]["errors"] == []


def test_a_malformed_page_is_retried_then_reported_and_the_cursor_stays(tmp_path, server) -> None:
    root = tmp_path / "wh"
    config = _config(tmp_path, server, extra="local = true", fetch="retries = 1")
    server.add(TAG, b"<html><body>502 Bad Gateway</body></html>")
    server.add(TAG, b'[{"id": "1", "content": "<p>cut')  # truncated JSON
    server.add(LOCAL, page("mastodon_local_1"))
    clock = FakeClock()
    report = _fetch(config, root, clock=clock)
    summary = report.manifest["fetch"]
    streams = {s["stream"]: s for s in summary["sources"][0]["streams"]}
    assert streams["tag-botkyrka"]["status"] == "error"
    assert streams["local"]["status"] == "up to date"  # the other stream still ran
    (error,) = summary["errors"]
    assert error.startswith("masto: malformed page (not JSON")
    assert "2 tries" in error and "\n" not in error
    assert clock.slept == [2.0]  # one backoff before the retry
    assert not LiveState(root).has_cursor("masto", "tag-botkyrka")
    assert [p.stream for p in Landing(root).pages()] == ["local"]
    # the next run gets a good page and loses nothing
    _first_two_pages(server)
    server.add(LOCAL, b"[]", query={"since_id": "113500000000000110"})
    report = _fetch(config, root)
    assert report.manifest["fetch"]["errors"] == []
    assert len(_posts(root)) == 5


def test_a_repeated_page_is_asked_again_and_stored_once(tmp_path, server) -> None:
    root = tmp_path / "wh"
    link = mastodon_link(server.url, "botkyrka", FIRST_IDS[-1], FIRST_IDS[0])
    server.add(TAG, page("mastodon_tag_1"), headers=link)
    server.add(TAG, page("mastodon_tag_1"), headers=link, query={"max_id": FIRST_IDS[-1]})
    server.add(TAG, page("mastodon_tag_2"), headers=link, query={"max_id": FIRST_IDS[-1]})
    # page 2's Link repeats page 1's max_id: the client moves down from the oldest id instead
    server.add(TAG, b"[]", query={"max_id": "113500000000000101"})
    report = _fetch(_config(tmp_path, server), root)
    stream = report.manifest["fetch"]["sources"][0]["streams"][0]
    assert stream["notes"] == ["the server repeated a page; asked again"]
    assert stream["status"] == "up to date" and stream["pages_landed"] == 2
    assert len(_posts(root)) == 4 and len(Landing(root).pages()) == 2


def test_a_server_that_keeps_repeating_a_page_does_not_loop(tmp_path, server) -> None:
    root = tmp_path / "wh"
    link = mastodon_link(server.url, "botkyrka", FIRST_IDS[-1], FIRST_IDS[0])
    for _ in range(3):
        server.add(TAG, page("mastodon_tag_1"), headers=link)
    report = _fetch(_config(tmp_path, server), root)
    stream = report.manifest["fetch"]["sources"][0]["streams"][0]
    assert stream["pages"] == 3 and stream["status"] == "up to date"
    assert "closed early" in stream["notes"][-1]
    assert len(_posts(root)) == 3 and len(Landing(root).pages()) == 1
    assert LiveState(root).cursor("masto", "tag-botkyrka").newest.id == FIRST_IDS[0]


def test_the_page_cap_leaves_a_window_the_next_run_finishes(tmp_path, server) -> None:
    root = tmp_path / "wh"
    config = _config(tmp_path, server, extra="max_pages = 1")
    link = mastodon_link(server.url, "botkyrka", FIRST_IDS[-1], FIRST_IDS[0])
    server.add(TAG, page("mastodon_tag_1"), headers=link)
    report = _fetch(config, root)
    stream = report.manifest["fetch"]["sources"][0]["streams"][0]
    assert stream["status"].startswith("page cap reached (1 pages)")
    cursor = LiveState(root).cursor("masto", "tag-botkyrka")
    assert cursor.newest is None and cursor.window is not None
    assert cursor.window.bottom.id == FIRST_IDS[-1]
    # next run: finish the old window below its bottom first, then look for newer posts
    link = mastodon_link(server.url, "botkyrka", "113500000000000101", "113500000000000102")
    server.add(
        TAG, page("mastodon_tag_2"), headers=link, query={"max_id": FIRST_IDS[-1], "since_id": None}
    )
    _fetch(config, root)
    server.add(TAG, b"[]", query={"max_id": "113500000000000101"})
    _fetch(config, root)
    link = mastodon_link(server.url, "botkyrka", "113500000000000106", "113500000000000107")
    since = {"since_id": FIRST_IDS[0], "max_id": None}
    server.add(TAG, page("mastodon_tag_new"), headers=link, query=since)
    _fetch(config, root)
    assert len(_posts(root)) == 6
    cursor = LiveState(root).cursor("masto", "tag-botkyrka")
    assert cursor.newest.id == FIRST_IDS[0] and cursor.window.top.id == "113500000000000107"


def test_a_real_public_status_replayed_by_a_local_server(tmp_path, server) -> None:
    """The Mastodon API docs' Status entity, served as a one-status timeline page."""
    specimen = shared_data("formats", "mastodon", "status_entity_docs_example.json")
    status = json.loads(specimen.read_text(encoding="utf-8"))
    server.add(TAG, json.dumps([status]).encode())
    server.add(TAG, b"[]", query={"max_id": status["id"]})
    root = tmp_path / "wh"
    _fetch(_config(tmp_path, server), root)
    (post,) = _posts(root).to_dict("records")
    assert post["post_id"].startswith("mastodon:") and post["status_id"] == status["id"]
    assert post["text"].startswith('"I lost my inheritance with one wrong digit on my sort code"')
    assert post["engagement"] == 5 + 6 + 11
    assert post["created_at"] == pd.Timestamp("2019-12-08T03:48:33.901Z")
