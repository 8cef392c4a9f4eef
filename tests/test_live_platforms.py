"""Reddit and X connectors against a local server replaying recorded pages; credentials from
the environment and never written anywhere; the command line."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import FIXTURES
from live_server import Replay, mastodon_link, page, write_config
from typer.testing import CliRunner

from barometer.cli import app
from barometer.config import load_config
from barometer.live.config import XLive
from barometer.live.cursors import LiveState, Mark
from barometer.live.fetch import FetchOptions
from barometer.live.x import XConnector
from barometer.pipeline import run_fetch
from barometer.schema import POST_SCORES, POSTS
from barometer.warehouse import Warehouse

SECRETS = ("planted-client-secret-4711", "planted-reddit-token-0815", "planted-x-bearer-1234")
SEARCH = "/2/tweets/search/recent"


@pytest.fixture
def server():
    replay = Replay()
    yield replay
    replay.stop()
    replay.check()


def _files_mention(root: Path, needle: str) -> list[str]:
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and needle.encode() in path.read_bytes()
    ]


def _reddit(server, extra: str = "") -> str:
    return f"""
[[sources.live]]
kind = "reddit"
subreddits = ["r/botkyrka"]
api_base = "{server.url}"
oauth_base = "{server.url}"
start = 2024-01-01
{extra}
"""


def _x(server) -> str:
    return f"""
[[sources.live]]
kind = "x"
query = "(westby OR östby) -is:retweet"
api_base = "{server.url}"
start = 2024-01-01
"""


def _posts(root: Path):
    return Warehouse(root).read(POSTS).set_index("post_id")


def test_reddit_anonymous_listing_pages_and_a_later_run(tmp_path, server, monkeypatch) -> None:
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    config = load_config(write_config(tmp_path, _reddit(server)))
    root = tmp_path / "wh"
    new = "/r/botkyrka/new.json"
    server.add(new, page("reddit_new_1"), query={"limit": "100", "raw_json": "1", "after": None})
    server.add(new, page("reddit_new_2"), query={"after": "t3_1cm0a3"})
    report = run_fetch(config, warehouse=root, options=FetchOptions())
    posts = _posts(root)
    assert sorted(posts.index) == [f"reddit:t3_1cm0a{i}" for i in range(1, 6)]
    assert posts.loc["reddit:t3_1cm0a5", "neighbourhood_id"] == "west"
    assert posts.loc["reddit:t3_1cm0a5", "text"].endswith("kl 18 & går runt.")
    assert LiveState(root).cursor("reddit", "r-botkyrka-new").newest.id == "t3_1cm0a5"
    assert report.manifest["fetch"]["sources"][0]["streams"][0]["pages"] == 2
    # Reddit has no lower bound: the later run stops at the first post it already has
    server.add(new, page("reddit_new_later"), query={"after": None})
    report = run_fetch(config, warehouse=root, options=FetchOptions())
    assert report.manifest["fetch"]["posts_new"] == 2
    assert len(_posts(root)) == 7
    assert LiveState(root).cursor("reddit", "r-botkyrka-new").newest.id == "t3_1cm0a7"


def test_reddit_oauth_token_from_the_environment_is_used_and_never_stored(
    tmp_path, server, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", "planted-client-id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", SECRETS[0])
    config = load_config(write_config(tmp_path, _reddit(server, 'search = "Westby"')))
    root = tmp_path / "wh"
    token = {"access_token": SECRETS[1], "token_type": "bearer", "expires_in": 86400}
    server.add("/api/v1/access_token", token)
    search = {"q": "Westby", "restrict_sr": "1", "sort": "new", "limit": "100"}
    server.add("/r/botkyrka/search", page("reddit_new_2"), query=search)
    report = run_fetch(config, warehouse=root, options=FetchOptions())
    assert report.manifest["fetch"]["errors"] == []
    grant, listing = server.seen
    assert grant.method == "POST" and grant.form == {"grant_type": "client_credentials"}
    assert grant.headers["Authorization"].startswith("Basic ")
    assert listing.headers["Authorization"] == f"bearer {SECRETS[1]}"
    assert len(_posts(root)) == 2
    printed = capsys.readouterr()
    for secret in SECRETS[:2]:
        assert _files_mention(root, secret) == []
        assert secret not in printed.out + printed.err


def test_reddit_with_half_the_credentials_says_which_is_missing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", "planted-client-id")
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    config = load_config(write_config(tmp_path, _reddit_offline()))
    report = run_fetch(config, warehouse=tmp_path / "wh", options=FetchOptions())
    assert report.manifest["fetch"]["errors"] == [
        "reddit: REDDIT_CLIENT_SECRET is not set; set both REDDIT_CLIENT_ID and "
        "REDDIT_CLIENT_SECRET (a Reddit app's id and secret) or neither (anonymous, slower)"
    ]


def _reddit_offline() -> str:
    return """
[[sources.live]]
kind = "reddit"
subreddits = ["botkyrka"]
api_base = "http://127.0.0.1:9"
"""


def test_x_recent_search_pages_includes_and_bearer_token(tmp_path, server, monkeypatch, capsys):
    monkeypatch.setenv("X_BEARER_TOKEN", SECRETS[2])
    config = load_config(write_config(tmp_path, _x(server)))
    root = tmp_path / "wh"
    first = {"query": "(westby OR östby) -is:retweet", "max_results": "100", "since_id": None}
    server.add(SEARCH, page("x_recent_1"), query=first)
    server.add(
        SEARCH,
        page("x_recent_2"),
        query={"next_token": "b26v89c19zqg8o3fo7gghep0wmpt92c0wn0jiqwtc7tdp"},
    )
    run_fetch(config, warehouse=root, options=FetchOptions())
    request = server.seen[0]
    assert request.headers["Authorization"] == f"Bearer {SECRETS[2]}"
    assert request.query["expansions"] == "author_id,geo.place_id"
    assert "start_time" in request.query
    posts = _posts(root)
    assert len(posts) == 4
    assert posts.loc["x:1787654321098765005", "geo_method"] == "place"  # includes.places
    assert posts.loc["x:1787654321098765005", "neighbourhood_id"] == "west"
    assert posts.loc["x:1787654321098765003", "neighbourhood_id"] == "east"  # coordinates
    assert LiveState(root).cursor(
        "x", "search-westby-or-ostby-is-retweet-" + _hash8()
    ).newest.id == ("1787654321098765005")
    # later: the newest post is older than recent search reaches (X would refuse it as
    # since_id), so start_time bounds the search and the cursor stops at posts already stored
    server.add(SEARCH, page("x_recent_1"), query={"since_id": None, "next_token": None})
    report = run_fetch(config, warehouse=root, options=FetchOptions())
    stream = report.manifest["fetch"]["sources"][0]["streams"][0]
    assert (stream["status"], stream["pages"], stream["posts_new"]) == ("up to date", 1, 0)
    assert "start_time" in server.seen[-1].query
    printed = capsys.readouterr()
    assert _files_mention(root, SECRETS[2]) == []
    assert SECRETS[2] not in printed.out + printed.err


def _hash8() -> str:
    return hashlib.sha256("(westby OR östby) -is:retweet".encode()).hexdigest()[:8]


def test_cli_fetch_reports_a_refused_token_in_one_line_and_fetches_the_rest(
    tmp_path, server, monkeypatch
) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", SECRETS[2])
    live = (
        _x(server)
        + f"""
[[sources.live]]
kind = "mastodon"
instance = "{server.url}"
hashtags = ["botkyrka"]
start = 2024-01-01
"""
    )
    config = write_config(tmp_path, live)
    unauthorized = {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    server.add(SEARCH, unauthorized, status=401)
    server.add("/api/v1/timelines/tag/botkyrka", page("mastodon_local_1"))
    result = CliRunner().invoke(app, ["fetch", str(config), "--warehouse", str(tmp_path / "wh")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert lines[-1] == (
        "error: x: HTTP 401 from 127.0.0.1/2/tweets/search/recent: X refused the bearer token "
        "(X says: Unauthorized); check X_BEARER_TOKEN"
    )
    assert "Traceback" not in result.output and SECRETS[2] not in result.output
    assert len(_posts(tmp_path / "wh")) == 1  # the Mastodon source was still fetched
    status = CliRunner().invoke(app, ["status", "--warehouse", str(tmp_path / "wh")])
    assert status.exit_code == 0 and "live sources" in status.output


def test_cli_fetch_without_live_sources_says_so(tmp_path) -> None:
    result = CliRunner().invoke(app, ["fetch", str(FIXTURES / "mini.toml")])
    assert result.exit_code == 1
    assert "no [[sources.live]] table: nothing to fetch" in result.output


def test_run_fetches_first_and_no_fetch_skips_it(tmp_path, server, monkeypatch) -> None:
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    mini = (FIXTURES / "mini.toml").read_text(encoding="utf-8")
    inputs = ["neighbourhoods.geojson", "x_page.jsonl", "mastodon.json", "survey.csv"]
    inputs += ["codebook.toml", "footfall_wide.csv", "sensors.csv", "kobo.csv", "sites.csv"]
    for name in inputs:
        mini = mini.replace(f'"{name}"', f'"{(FIXTURES / name).as_posix()}"')
    mini += f"""
[fetch]
request_interval_seconds = 0

[[sources.live]]
kind = "mastodon"
name = "masto"
instance = "{server.url}"
hashtags = ["botkyrka"]
start = 2024-01-01

[[sources.live]]
kind = "x"
query = "westby"
api_base = "{server.url}"
"""
    config = tmp_path / "mini_live.toml"
    config.write_text(mini, encoding="utf-8")
    root = tmp_path / "wh"
    link = mastodon_link(server.url, "botkyrka", "113500000000000103", "113500000000000105")
    server.add("/api/v1/timelines/tag/botkyrka", page("mastodon_tag_1"), headers=link)
    server.add("/api/v1/timelines/tag/botkyrka", b"[]", query={"max_id": "113500000000000103"})
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(config), "--warehouse", str(root), "--quiet"])
    # X has no token: the run still builds the barometer from what it has, and exits with 1
    assert result.exit_code == 1, result.output
    assert "error: x: no bearer token: set the environment variable X_BEARER_TOKEN" in result.output
    assert "a live source failed: the barometer was built from what is stored" in result.output
    assert (root / "barometer.duckdb").is_file()
    store = Warehouse(root)
    posts = store.read(POSTS)
    live = posts[posts["post_id"].str.contains("11350000000000010")]
    assert sorted(live["post_id"].str[-3:]) == ["103", "104", "105"]
    assert set(live["post_id"]) <= set(store.read(POST_SCORES)["post_id"])  # scored too
    manifest = store.manifests()[-1]
    assert manifest["fetch"]["posts_new"] == 3
    result = runner.invoke(
        app, ["run", str(config), "--warehouse", str(root), "--quiet", "--no-fetch"]
    )
    assert result.exit_code == 0, result.output
    assert len(server.seen) == 2  # --no-fetch asked no server
    assert "fetch" not in store.manifests()[-1]


def test_x_bounds_the_search_with_since_id_only_within_seven_days() -> None:
    source = XLive(kind="x", query="botkyrka")
    connector = XConnector(source, client=None)  # type: ignore[arg-type]
    recent = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    old = (datetime.now(UTC) - timedelta(days=9)).isoformat()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    params = connector.request(
        "s", newest=Mark("1790", recent), bottom=None, token=None, start=start
    )
    assert params.params["since_id"] == "1790" and "start_time" not in params.params
    params = connector.request("s", newest=Mark("1790", old), bottom=None, token=None, start=start)
    assert "since_id" not in params.params
    earliest = datetime.fromisoformat(params.params["start_time"].replace("Z", "+00:00"))
    assert timedelta(days=6, hours=23) < datetime.now(UTC) - earliest <= timedelta(days=7)
    resumed = connector.request(
        "s", newest=None, bottom=Mark("1780", recent), token=None, start=start
    ).params
    assert resumed["until_id"] == "1780" and "next_token" not in resumed


def test_cli_errors_keep_their_bracketed_config_keys(tmp_path, server) -> None:
    live = f"""
[[sources.live]]
kind = "mastodon"
name = "masto"
instance = "{server.url}"
hashtags = ["botkyrka"]
"""
    server.add("/api/v1/timelines/tag/botkyrka", b'{"error": "Not Found"}', status=404)
    config = write_config(tmp_path, live)
    result = CliRunner().invoke(app, ["fetch", str(config), "--warehouse", str(tmp_path / "wh")])
    assert result.exit_code == 1
    expected = (
        "masto: HTTP 404 from 127.0.0.1/api/v1/timelines/tag/botkyrka: no Mastodon API at this "
        f"address (the server says: Not Found); check instance = '{server.url}' in "
        "[[sources.live]] 'masto'"
    )
    # printed once as it happens and once in the summary, brackets intact both times
    assert result.output.count(expected) == 2, result.output


def test_reddit_comments_are_a_stream_of_their_own(tmp_path, server, monkeypatch) -> None:
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    config = load_config(write_config(tmp_path, _reddit(server, "comments = true")))
    comment = {
        "kind": "t1",
        "data": {"id": "l9x0a2", "name": "t1_l9x0a2", "link_id": "t3_1cm0a5", "author": "granne_o",
                 "body": "Vi kommer från Östby!", "created_utc": 1715020000.0, "score": 2,
                 "subreddit": "botkyrka", "parent_id": "t3_1cm0a5", "replies": ""},
    }  # fmt: skip
    comments = {"kind": "Listing", "data": {"after": None, "children": [comment]}}
    server.add("/r/botkyrka/new.json", page("reddit_new_2"))
    server.add("/r/botkyrka/comments.json", comments, query={"limit": "100", "raw_json": "1"})
    report = run_fetch(config, warehouse=tmp_path / "wh", options=FetchOptions())
    streams = [s["stream"] for s in report.manifest["fetch"]["sources"][0]["streams"]]
    assert streams == ["r-botkyrka-new", "r-botkyrka-comments"]
    posts = _posts(tmp_path / "wh")
    assert posts.loc["reddit:t1_l9x0a2", "neighbourhood_id"] == "east"
    assert len(posts) == 3
    cursor = LiveState(tmp_path / "wh").cursor("reddit", "r-botkyrka-comments")
    assert cursor.newest.id == "t1_l9x0a2"


def test_cli_fetch_one_source_with_a_page_cap(tmp_path, server) -> None:
    live = "".join(
        f"""
[[sources.live]]
kind = "mastodon"
name = "{name}"
instance = "{server.url}"
hashtags = ["botkyrka"]
start = 2024-01-01
"""
        for name in ("a", "b")
    )
    config = write_config(tmp_path, live)
    root = tmp_path / "wh"
    link = mastodon_link(server.url, "botkyrka", "113500000000000103", "113500000000000105")
    server.add("/api/v1/timelines/tag/botkyrka", page("mastodon_tag_1"), headers=link)
    args = ["fetch", str(config), "--warehouse", str(root), "--source", "b", "--max-pages", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = Warehouse(root).manifests()[-1]["fetch"]
    assert [s["source"] for s in summary["sources"]] == ["b"]
    assert summary["sources"][0]["streams"][0]["status"].startswith("page cap reached (1 pages)")
    args = ["fetch", str(config), "--warehouse", str(root), "--source", "zzz"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "no live source named ['zzz']; the config has ['a', 'b']" in result.output
