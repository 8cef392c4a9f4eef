"""A fetch killed at any point between two pages, and a rerun: nothing lost, nothing twice.

The killed fetch runs in a subprocess that SIGKILLs itself right after a page is landed, right
after its posts are stored (before its quarantine rows and its cursor), or right after its
cursor is stored (before the next page is asked for). The rerun must leave the warehouse, the
cursors and the landing folder exactly as one uninterrupted fetch does.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from conftest import REPO_ROOT
from live_server import Replay, page, write_config

from barometer.config import load_config
from barometer.live.cursors import LiveState
from barometer.live.fetch import FetchOptions
from barometer.live.landing import Landing
from barometer.pipeline import run_fetch
from barometer.schema import POSTS, QUARANTINE
from barometer.warehouse import Warehouse

TAG = "/api/v1/timelines/tag/botkyrka"

KILLED_FETCH = textwrap.dedent(
    """
    import os, signal, sys
    from barometer.config import load_config
    from barometer.live.cursors import LiveState
    from barometer.live.landing import Landing
    from barometer.pipeline import run_fetch
    from barometer.warehouse import Warehouse

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    point = sys.argv[3]
    if point == "landed":
        write = Landing.write
        def landed(self, *args, **kwargs):
            write(self, *args, **kwargs)
            die()
        Landing.write = landed
    elif point == "posts stored":
        append = Warehouse.append
        def stored(self, table, frame, **where):
            added = append(self, table, frame, **where)
            if table.name == "posts" and added:
                die()
            return added
        Warehouse.append = stored
    else:
        save = LiveState.save
        def saved(self):
            save(self)
            die()
        LiveState.save = saved
    run_fetch(load_config(sys.argv[1]), warehouse=sys.argv[2])
    """
)


def _snapshot(root) -> dict[str, object]:
    store = Warehouse(root)
    tables = {}
    for table in (POSTS, QUARANTINE):
        frame = store.read(table).drop(columns=["run_id"], errors="ignore")
        if "file" in frame:  # landing names start with the fetch time: keep the content hash
            frame["file"] = frame["file"].str.split("-", n=1).str[1]
        tables[table.name] = frame.sort_values(list(table.key), ignore_index=True)
    landed = sorted(p.sha256 for p in Landing(root).pages())
    return {"tables": tables, "cursors": LiveState(root).cursors(), "landed": landed}


@pytest.fixture
def server():
    replay = Replay()
    statuses = json.loads(page("mastodon_tag_1")) + json.loads(page("mastodon_tag_2"))
    replay.timeline(TAG, statuses, page_size=2)  # three pages: 2 + 2 + 1 statuses
    yield replay
    replay.stop()
    replay.check()


@pytest.mark.parametrize("point", ["landed", "posts stored", "cursor stored"])
def test_a_killed_fetch_and_a_rerun_equal_one_uninterrupted_fetch(tmp_path, server, point):
    live = f"""
[[sources.live]]
kind = "mastodon"
name = "masto"
instance = "{server.url}"
hashtags = ["botkyrka"]
start = 2024-01-01
"""
    config_path = write_config(tmp_path, live)
    config = load_config(config_path)
    clean = tmp_path / "clean"
    run_fetch(config, warehouse=clean, options=FetchOptions())
    expected = _snapshot(clean)
    assert len(expected["tables"]["posts"]) == 4 and len(expected["landed"]) == 3

    killed = tmp_path / "killed"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_FETCH, str(config_path), str(killed), point],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert len(Landing(killed).pages()) == 1  # killed during the first page
    report = run_fetch(config, warehouse=killed, options=FetchOptions())
    recovered = report.manifest["fetch"]["recovered_pages"]
    assert recovered == (0 if point == "cursor stored" else 1)
    after = _snapshot(killed)
    for name, frame in expected["tables"].items():
        pd.testing.assert_frame_equal(after["tables"][name], frame)
    assert after["cursors"] == expected["cursors"]
    assert after["landed"] == expected["landed"]


REDDIT = ("reddit", "/r/botkyrka/new.json", "reddit_new_1", "reddit_new_2", {"after": "t3_1cm0a3"})
X = (
    "x",
    "/2/tweets/search/recent",
    "x_recent_1",
    "x_recent_2",
    {"until_id": "1787654321098765003"},
)


@pytest.mark.parametrize(
    ("kind", "path", "first", "last", "resume"), [REDDIT, X], ids=["reddit", "x"]
)
def test_reddit_and_x_killed_between_two_pages_resume_below_the_stored_cursor(
    tmp_path, monkeypatch, kind, path, first, last, resume
) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", "planted-x-bearer-1234")
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    server = Replay()
    try:
        source = {"reddit": 'subreddits = ["botkyrka"]', "x": 'query = "westby"'}[kind]
        live = f"""
[[sources.live]]
kind = "{kind}"
{source}
api_base = "{server.url}"
start = 2024-01-01
"""
        config_path = write_config(tmp_path, live)
        config = load_config(config_path)
        server.add(path, page(first))
        server.add(path, page(last))
        run_fetch(config, warehouse=tmp_path / "clean", options=FetchOptions())
        expected = _snapshot(tmp_path / "clean")

        server.add(path, page(first))
        killed = tmp_path / "killed"
        done = subprocess.run(
            [sys.executable, "-c", KILLED_FETCH, str(config_path), str(killed), "cursor stored"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
        server.add(path, page(last), query=resume)  # tokens expire: resumed from the cursor
        server.add(path, page(first))  # then newer posts are looked for: none
        run_fetch(config, warehouse=killed, options=FetchOptions())
        after = _snapshot(killed)
        for name, frame in expected["tables"].items():
            pd.testing.assert_frame_equal(after["tables"][name], frame)
        assert after["cursors"] == expected["cursors"]
        assert after["landed"] == expected["landed"]
    finally:
        server.stop()
    server.check()
