import gzip
import json

import pandas as pd
import pytest

from barometer.exceptions import InputError
from barometer.ingest.social import read_mastodon, read_x_v2
from barometer.ingest.social.mastodon import html_to_text


def test_x_v2_reads_pages_and_reconciles(fixtures) -> None:
    result = read_x_v2(fixtures / "x_page.jsonl")
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["x:101", "x:102", "x:103", "x:106"]
    assert result.n_duplicates == 1  # tweet 101 repeated in page 2
    assert result.reconciles()
    assert rows.loc["x:101", "created_at"] == pd.Timestamp("2024-03-05 14:22:01", tz="UTC")
    assert rows.loc["x:101", "engagement"] == 6
    assert rows.loc["x:102", "lon"] == 17.15 and rows.loc["x:102", "lat"] == 59.05
    assert bool(rows.loc["x:103", "is_repost"]) and not bool(rows.loc["x:101", "is_repost"])
    assert rows.loc["x:106", "place_name"] == "Östby, Sverige"
    assert rows.loc["x:101", "lang_hint"] == "sv"
    reasons = {(r["line"], r["field"]) for r in result.quarantine.rows}
    assert reasons == {(1, "created_at"), (2, "text"), (3, "(json)")}
    assert all("9003" not in r["raw"] for r in result.quarantine.rows)  # no author id kept


def test_x_v2_gzip_equals_plain(fixtures, tmp_path) -> None:
    packed = tmp_path / "x.jsonl.gz"
    packed.write_bytes(gzip.compress((fixtures / "x_page.jsonl").read_bytes()))
    pd.testing.assert_frame_equal(read_x_v2(packed).rows, read_x_v2(fixtures / "x_page.jsonl").rows)


def test_x_v2_missing_file(tmp_path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_x_v2(tmp_path / "nope.jsonl")


def test_mastodon_statuses(fixtures) -> None:
    result = read_mastodon(fixtures / "mastodon.json")
    rows = result.rows.set_index("post_id")
    assert list(rows.index) == ["mastodon:201", "mastodon:202"]
    assert result.reconciles() and result.n_duplicates == 1
    assert (
        rows.loc["mastodon:201", "text"]
        == "Hej @bo! Fint i Ostby idag\nSes example.org/x\n#grannar"
    )
    # an account's address, the same whichever server answered (not the local id 77)
    assert rows.loc["mastodon:201", "author_id"] == "cecilia@social.example"
    assert rows.loc["mastodon:201", "engagement"] == 3
    assert bool(rows.loc["mastodon:202", "is_repost"])
    assert rows.loc["mastodon:202", "text"] == "I trust my neighbours"
    assert rows.loc["mastodon:202", "lang_hint"] == "en"
    assert [(r["line"], r["field"]) for r in result.quarantine.rows] == [(3, "created_at")]


def test_mastodon_rejects_what_is_not_statuses(tmp_path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"accounts": []}))
    with pytest.raises(InputError, match="expected Mastodon statuses"):
        read_mastodon(path)
    path.write_text("[{")
    with pytest.raises(InputError, match="not valid JSON at line 1"):
        read_mastodon(path)


def test_html_to_text_entities_and_breaks() -> None:
    assert html_to_text("<p>a &amp; b<br/>c</p><p>d</p>") == "a & b\nc\nd"
