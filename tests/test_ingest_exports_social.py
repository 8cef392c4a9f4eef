"""Issue 14, social media: what real exports look like (X entity escaping and withheld
placeholders, implausible points, Mastodon single statuses and servers, Telegram account and old
exports, CrowdTangle zone abbreviations, locale numbers and API JSON) and one quarantine row per
rejected record."""

import json
import zoneinfo
from datetime import datetime

import pandas as pd
import pytest
from conftest import FIXTURES, shared_data
from hypothesis import given
from hypothesis import strategies as st

from barometer.exceptions import InputError
from barometer.ingest.numbers import detect_decimal, parse_count, parse_number
from barometer.ingest.social import (
    read_crowdtangle,
    read_mastodon,
    read_reddit,
    read_tabular,
    read_telegram,
    read_x_v2,
)
from barometer.ingest.social.tabular import ColumnMapping
from barometer.ingest.timezones import AMBIGUOUS_ABBREVIATIONS, ZONE_ABBREVIATIONS, ZoneResolver
from barometer.schema import QUARANTINE
from barometer.warehouse import Warehouse

UTC = "UTC"


def _tweet(tweet_id: str, text: str, **extra) -> dict:
    return {"id": tweet_id, "text": text, "author_id": "9", "lang": "en",
            "created_at": "2024-03-05T10:00:00.000Z", **extra}  # fmt: skip


def _page(path, *pages) -> None:
    path.write_text("\n".join(json.dumps({"data": list(p)}) for p in pages) + "\n")


# -- X ---------------------------------------------------------------------------------------


def test_x_text_is_unescaped_and_withheld_placeholders_are_not_posts(tmp_path) -> None:
    path = tmp_path / "x.jsonl"
    copyright = "This Tweet from @anna has been withheld in response to a report from the copyright holder. Learn more."  # noqa: E501
    _page(
        path,
        [
            _tweet("1", "Fish &amp; chips &gt; pizza &lt;3 &amp;amp;"),
            _tweet("2", copyright, withheld={"copyright": True, "country_codes": ["XY"]}),
            _tweet("3", "This Post from @bo has been withheld in Germany based on local law(s)."),
            # withheld in some countries, but the text is the real one: a post
            _tweet("4", "Real text", withheld={"country_codes": ["DE"], "scope": "tweet"}),
        ],
    )
    result = read_x_v2(path)
    assert result.reconciles() and result.n_read == 4
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["x:1", "x:4"]
    # decoded once: '&amp;amp;' was '&amp;' in the tweet, which the API escaped again
    assert rows.loc["x:1", "text"] == "Fish & chips > pizza <3 &amp;"
    reasons = [(r["field"], r["reason"]) for r in result.quarantine.rows]
    assert [f for f, _ in reasons] == ["text", "text"]
    assert "copyright" in reasons[0][1] and reasons[1][1].startswith("withheld")


def test_x_implausible_points_are_dropped_and_flagged(tmp_path) -> None:
    path = tmp_path / "x.jsonl"
    point = lambda lon, lat: {"coordinates": {"type": "Point", "coordinates": [lon, lat]}}  # noqa: E731
    _page(
        path,
        [_tweet("1", "a", geo=point(17.1, 88.0)), _tweet("2", "b", geo=point(0, 0))],
        [_tweet("3", "c", geo=point(17.15, 59.05)), _tweet("4", "d", geo=point(200, 10))],
    )
    result = read_x_v2(path)
    rows = result.rows.set_index("post_id")
    assert len(rows) == 4  # kept, without their coordinates
    assert rows.loc["x:3", ["lat", "lon"]].tolist() == [59.05, 17.15]
    assert rows.loc[["x:1", "x:2", "x:4"], "lat"].isna().all()
    [note] = result.notes
    assert note.startswith("3 post(s) with implausible coordinates kept without them")
    assert "line 1: latitude beyond +-85.05" in note and "line 1: coordinates 0, 0" in note
    assert "line 2: coordinates outside the WGS84 range" in note


def test_same_reason_rejects_on_one_line_each_keep_a_quarantine_row(tmp_path) -> None:
    path = tmp_path / "x.jsonl"
    _page(path, [{"id": str(i), "text": "no time", "author_id": "9"} for i in range(3)])
    result = read_x_v2(path)
    assert result.quarantined == 3 and result.n_read == 3
    assert {(r["line"], r["field"]) for r in result.quarantine.rows} == {(1, "created_at")}
    with Warehouse.open_for_writing(tmp_path / "wh") as store:
        assert store.append(QUARANTINE, result.quarantine.to_frame("run")) == 3
        assert store.count(QUARANTINE) == 3
        assert store.append(QUARANTINE, result.quarantine.to_frame("again")) == 0  # idempotent


def test_tabular_coordinates_are_checked_the_same_way(tmp_path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,time,text,lat,lon\n"
        "1,2024-03-05T10:00:00Z,a,88,17\n"
        "2,2024-03-05T10:00:00Z,b,north,17\n"
        "3,2024-03-05T10:00:00Z,c,59.05,17.05\n"
        "4,2024-03-05T10:00:00Z,d,,\n"
    )
    mapping = ColumnMapping(id="id", created_at="time", text="text", lat="lat", lon="lon")
    result = read_tabular(path, mapping)
    assert result.rows["lat"].notna().tolist() == [False, False, True, False]
    assert "2 post(s) with implausible coordinates" in result.notes[0]


# -- Reddit ----------------------------------------------------------------------------------


def test_reddit_entities_are_decoded(tmp_path) -> None:
    thing = {"name": "t3_a", "created_utc": 1709648521, "author": "u", "title": "Q&amp;A",
             "selftext": "5 &gt; 3 &amp;&amp; 2 &lt; 4"}  # fmt: skip
    comment = {"name": "t1_b", "created_utc": 1709648521, "author": "v", "body": "&gt; quote"}
    path = tmp_path / "dump.ndjson"
    path.write_text(json.dumps(thing) + "\n" + json.dumps(comment) + "\n")
    rows = read_reddit(path).rows.set_index("post_id")
    assert rows.loc["reddit:t3_a", "text"] == "Q&A\n\n5 > 3 && 2 < 4"
    assert rows.loc["reddit:t1_b", "text"] == "> quote"


# -- Mastodon --------------------------------------------------------------------------------


def test_mastodon_single_status_entity() -> None:
    """The API documentation's Status example: one object, not an array."""
    path = shared_data("formats", "mastodon", "status_entity_docs_example.json")
    result = read_mastodon(path)
    assert result.reconciles() and len(result.rows) == 1
    row = result.rows.iloc[0]
    assert row["post_id"] == "mastodon:mastodon.social:103270115826048975"
    assert row["author_id"] == "gargron@mastodon.social"
    assert row["created_at"] == pd.Timestamp("2019-12-08 03:48:33.901", tz=UTC)
    assert row["text"].startswith('"I lost my inheritance with one wrong digit on my sort code"')
    assert row["engagement"] == 11 + 6 + 5 and row["lang_hint"] == "en"


def _status(local_id: str, uri: str, account: dict, text: str = "Hej") -> dict:
    return {"id": local_id, "uri": uri, "created_at": "2024-04-01T08:00:00.000Z",
            "content": f"<p>{text}</p>", "account": account}  # fmt: skip


def test_mastodon_two_servers_neither_merge_nor_split_people(tmp_path) -> None:
    """The same status and author read from two servers is one post by one person; account 1
    of one server and account 1 of another are two people."""
    origin = "https://a.social/users/eva/statuses/111"
    eva_home = {"id": "1", "username": "eva", "acct": "eva", "url": "https://a.social/@eva"}
    eva_remote = {"id": "9001", "username": "eva", "acct": "eva@a.social",
                  "url": "https://a.social/@eva"}  # fmt: skip
    bo = {"id": "1", "username": "bo", "acct": "bo", "url": "https://b.social/@bo"}
    boost = _status("557", "https://b.social/users/bo/statuses/557/activity", bo, "")
    boost["reblog"] = _status("111", origin, eva_remote, "Hej")
    (tmp_path / "a.json").write_text(json.dumps([_status("111", origin, eva_home)]))
    (tmp_path / "b.json").write_text(
        json.dumps(
            [
                _status("555", origin, eva_remote),
                _status("556", "https://b.social/users/bo/statuses/556", bo),
                boost,  # a boost: its own uri ends in /activity
            ]
        )
    )
    a = read_mastodon(tmp_path / "a.json").rows
    b = read_mastodon(tmp_path / "b.json").rows
    assert a["post_id"].tolist() == ["mastodon:a.social:111"]
    assert b["post_id"].tolist()[:2] == ["mastodon:a.social:111", "mastodon:b.social:556"]
    assert b["post_id"].iloc[2] == "mastodon:b.social:557" and bool(b["is_repost"].iloc[2])
    assert a["author_id"].iloc[0] == b["author_id"].iloc[0] == "eva@a.social"
    assert b["author_id"].iloc[1] == "bo@b.social" != a["author_id"].iloc[0]


def test_mastodon_statuses_without_uri_use_the_server_given(tmp_path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"statuses": [_status("7", "", {"id": "1"})]}))  # search result
    row = read_mastodon(path, server="https://c.social/").rows.iloc[0]
    assert row["post_id"] == "mastodon:c.social:7" and row["author_id"] == "1@c.social"


# -- Telegram --------------------------------------------------------------------------------


def test_telegram_account_export_reads_public_chats_only_by_default() -> None:
    path = shared_data("formats", "telegram", "MultiChat_2C_6M.json")
    result = read_telegram(path)
    assert result.reconciles() and result.n_read == 0
    assert (
        "skipped 2 chat(s)" in result.notes[0]
        and "personal_chat 1, private_group 1" in (result.notes[0])
    )
    chosen = read_telegram(path, chat_types=("personal_chat", "private_group"))
    assert chosen.reconciles() and chosen.n_read == 5  # the phone-call service message skipped
    rows = chosen.rows.set_index("post_id")
    assert list(rows.index) == ["telegram:700000001:1001", "telegram:700000001:1002",
                                "telegram:700000002:2001", "telegram:700000002:2002"]  # fmt: skip
    assert rows.loc["telegram:700000002:2001", "created_at"] == pd.Timestamp(
        "2023-01-02 12:00", tz=UTC
    )  # date_unixtime 1672660800
    assert [(r["line"], r["field"]) for r in chosen.quarantine.rows] == [(6, "text")]  # photo


def test_telegram_export_without_date_unixtime(tmp_path) -> None:
    """Exports before 2021: only the exporting computer's local time."""
    messages = [
        {"id": 1, "type": "message", "date": "2019-07-01T12:00:00", "from_id": "user1",
         "text": "Sommar"},
        {"id": 2, "type": "message", "date": "2019-12-01T12:00:00", "from_id": "user1",
         "text": "Vinter"},
        {"id": 3, "type": "message", "date": "not a date", "text": "Trasig"},
    ]  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Grannar", "type": "public_channel", "id": 42,
                                "messages": messages}))  # fmt: skip
    result = read_telegram(path, timezone="Europe/Stockholm")
    rows = result.rows.set_index("post_id")
    assert rows.loc["telegram:42:1", "created_at"] == pd.Timestamp("2019-07-01 10:00", tz=UTC)
    assert rows.loc["telegram:42:2", "created_at"] == pd.Timestamp("2019-12-01 11:00", tz=UTC)
    assert [(r["line"], r["field"]) for r in result.quarantine.rows] == [(3, "date")]
    assert result.notes == [
        "2 message time(s) read from 'date' as Europe/Stockholm local time (the export has no "
        "date_unixtime)"
    ]


# -- CrowdTangle -----------------------------------------------------------------------------

HEADER = "Page Name,Facebook Id,Post Created,Total Interactions,URL,Message\n"


def _ct(path, *rows: str) -> None:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")


def test_crowdtangle_zone_abbreviations_and_pt_br_numbers(tmp_path) -> None:
    path = tmp_path / "ct.csv"
    _ct(
        path,
        "Página,1,2021-07-05 18:02:45 BRT,407.137,https://www.facebook.com/p/posts/a,Olá",
        'Page,2,2021-07-05 18:02:45 AEST,"1.204",https://www.facebook.com/p/posts/b,Hi',
        "Page,3,2021-07-05 18:02:45 JST,12,https://www.facebook.com/p/posts/c,Konnichiwa",
        "Page,4,2021-07-05 18:02:45 -03,0,https://www.facebook.com/p/posts/d,Offset",
    )
    rows = read_crowdtangle(path).rows.set_index("post_id")
    expected = {"a": "2021-07-05 21:02:45", "b": "2021-07-05 08:02:45",
                "c": "2021-07-05 09:02:45", "d": "2021-07-05 21:02:45"}  # fmt: skip
    for post, utc in expected.items():
        assert rows.loc[f"facebook:{post}", "created_at"] == pd.Timestamp(utc, tz=UTC), post
    assert rows.loc["facebook:a", "engagement"] == 407_137  # pt-BR thousands, not 407
    assert rows.loc["facebook:b", "engagement"] == 1_204


def test_crowdtangle_decimal_comma_is_detected_and_mixed_formats_refused(tmp_path) -> None:
    path = tmp_path / "ct.csv"
    _ct(
        path,
        'P,1,2024-03-05 14:22:01 CET,"1.234.567",https://www.facebook.com/p/posts/a,x',
        'P,2,2024-03-05 14:22:01 CET,"2.500",https://www.facebook.com/p/posts/b,y',
    )
    rows = read_crowdtangle(path).rows.set_index("post_id")
    assert rows["engagement"].tolist() == [1_234_567, 2_500]
    _ct(
        path,
        'P,1,2024-03-05 14:22:01 CET,"1,5",https://www.facebook.com/p/posts/a,x',
        'P,2,2024-03-05 14:22:01 CET,"2.5",https://www.facebook.com/p/posts/b,y',
    )
    with pytest.raises(InputError, match=r"'Total Interactions' mixes number formats.*decimal_sep"):
        read_crowdtangle(path)
    rows = read_crowdtangle(path, decimal_separator=".").rows
    assert rows["engagement"].tolist() == [0, 0]  # '1,5' and '2.5' are not whole counts


def test_crowdtangle_ambiguous_and_unknown_zones_need_the_override(tmp_path) -> None:
    path = tmp_path / "ct.csv"
    _ct(
        path,
        "P,1,2021-07-05 10:00:00 UTC,1,https://www.facebook.com/p/posts/a,x",
        "P,1,2021-07-05 18:02:45 IST,1,https://www.facebook.com/p/posts/b,y",
    )
    with pytest.raises(InputError) as error:
        read_crowdtangle(path)
    message = str(error.value)
    assert "line 3, column 'Post Created': time-zone abbreviation 'IST' is ambiguous" in message
    assert "India +05:30" in message and "timezone_abbreviations = { IST =" in message
    rows = read_crowdtangle(path, timezone_abbreviations={"ist": "+05:30"}).rows
    assert rows["created_at"].iloc[1] == pd.Timestamp("2021-07-05 12:32:45", tz=UTC)
    rows = read_crowdtangle(path, timezone_abbreviations={"IST": "Europe/Dublin"}).rows
    assert rows["created_at"].iloc[1] == pd.Timestamp("2021-07-05 17:02:45", tz=UTC)
    _ct(path, "P,1,2021-07-05 18:02:45 XYZT,1,https://www.facebook.com/p/posts/a,x")
    with pytest.raises(InputError, match="'XYZT' is not in barometer's table"):
        read_crowdtangle(path)


def test_zone_table_agrees_with_the_tz_database() -> None:
    """Every abbreviation of the table that the IANA tz database uses names the same offset
    there (2019-2025: the table is of current use; KST was also Pyongyang's +08:30 until 2018),
    and the ambiguous ones are refused without an override."""
    used: dict[str, set[float]] = {}
    for name in zoneinfo.available_timezones():
        zone = zoneinfo.ZoneInfo(name)
        for year in range(2019, 2026):
            for month in (1, 7):
                moment = datetime(year, month, 15, 12, tzinfo=zone)
                abbreviation = moment.tzname() or ""
                offset = moment.utcoffset()
                if abbreviation.isalpha() and offset is not None:
                    used.setdefault(abbreviation, set()).add(offset.total_seconds() / 3600)
    checked = 0
    resolver = ZoneResolver()
    for abbreviation, setting in ZONE_ABBREVIATIONS.items():
        if abbreviation not in used or "/" in setting:
            continue
        local = pd.Timestamp("2020-01-15 12:00")
        hours = local - resolver.parse(f"2020-01-15 12:00 {abbreviation}").tz_localize(None)
        assert used[abbreviation] == {hours / pd.Timedelta(hours=1)}, abbreviation
        checked += 1
    assert checked >= 30
    for abbreviation in ("CST", "IST", "PST"):  # several offsets in the tz database itself
        assert len(used[abbreviation]) > 1 and abbreviation in AMBIGUOUS_ABBREVIATIONS
        assert resolver.parse(f"2020-01-15 12:00 {abbreviation}") is None
    assert not set(ZONE_ABBREVIATIONS) & set(AMBIGUOUS_ABBREVIATIONS)


def test_crowdtangle_api_json(tmp_path) -> None:
    """The API's response body (CrowdTangle API wiki, Post object): read as JSON, not CSV."""
    post = {
        "platformId": "100064123456789_1", "platform": "Facebook",
        "date": "2024-03-05 13:22:01", "message": "Välkomna till grannfesten!",
        "postUrl": "https://www.facebook.com/100064123456789/posts/pfbid0abc",
        "account": {"id": 1, "platformId": "100064123456789", "name": "Westby"},
        "statistics": {"actual": {"likeCount": 1000, "shareCount": 40, "commentCount": 150,
                                  "loveCount": 14}},
        "languageCode": "sv",
    }  # fmt: skip
    instagram = {"platform": "Instagram", "date": "2024-05-02 14:30:00",
                 "postUrl": "https://www.instagram.com/p/C6abcDEF/", "description": "Picknick",
                 "account": {"handle": "ostby"},
                 "statistics": {"actual": {"favoriteCount": 3}}}  # fmt: skip
    body = {"status": 200, "result": {"posts": [post, instagram, {"postUrl": ""}],
                                      "pagination": {}}}  # fmt: skip
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(body))
    result = read_crowdtangle(path)
    assert result.reconciles() and result.n_read == 3
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["facebook:pfbid0abc", "instagram:C6abcDEF"]
    assert rows.loc["facebook:pfbid0abc", "created_at"] == pd.Timestamp(
        "2024-03-05 13:22:01", tz=UTC
    )
    assert rows.loc["facebook:pfbid0abc", "engagement"] == 1204
    assert rows.loc["facebook:pfbid0abc", "author_id"] == "100064123456789"
    assert rows.loc["instagram:C6abcDEF", "text"] == "Picknick"
    # the same post in the CSV export has the same id
    assert "facebook:pfbid0abc" in set(
        read_crowdtangle(FIXTURES / "crowdtangle.csv").rows["post_id"]
    )
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps(body) + "\n{broken\n")
    result = read_crowdtangle(pages)
    assert result.reconciles() and (2, "(json)") in {
        (r["line"], r["field"]) for r in result.quarantine.rows
    }
    path.write_text(json.dumps({"status": 401, "message": "Unauthorized"}))
    with pytest.raises(InputError, match="the API answered status 401"):
        read_crowdtangle(path)


# -- numbers ---------------------------------------------------------------------------------


def test_number_formats() -> None:
    assert detect_decimal(["407.137", "1.204", "12"]) is None  # nothing decides
    assert detect_decimal(["1.234,5"]) == "," and detect_decimal(["0,125"]) == ","
    assert detect_decimal(["1,234,567"]) == "." and detect_decimal(["12.25"]) == "."
    assert parse_count("407.137", None) == 407_137 and parse_count("1\u00a0234", None) == 1234
    assert parse_number("1 234,5", ",") == 1234.5 and parse_number("1'234.5", ".") == 1234.5
    assert parse_number("1,234.5", ",") is None  # not a number in that format
    assert parse_count("-3", None) is None and parse_count("2.5", ".") is None


@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from([(",", "."), (".", ","), ("\u00a0", ","), (" ", "."), ("'", ".")]),
)
def test_grouped_counts_round_trip(value, separators) -> None:
    """A whole count written with any locale's grouping reads back as itself."""
    group, decimal = separators
    text = f"{value:,}".replace(",", group)
    assert parse_count(text, decimal) == value
    assert parse_count(text, None) == value
    assert detect_decimal([text]) in (None, decimal)
