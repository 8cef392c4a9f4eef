"""The ingest's fast paths give exactly what the plain code gives: PII scrubbing that skips
patterns a text cannot match, timestamps read by the standard library, one HMAC per author."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer import privacy
from barometer.enrich import author_pseudonyms
from barometer.ingest.social._common import parse_utc, to_frame
from barometer.privacy import Pseudonymiser, scrub_pii


def scrub_every_pattern(text: str) -> str:
    """scrub_pii as it was: every pattern on every text, in the same order."""
    text = privacy._PROFILE_URL.sub("<profile_url>", text)
    text = privacy._EMAIL.sub("<email>", text)
    text = privacy._URL.sub("<url>", text)
    text = privacy._HANDLE.sub("<user>", text)
    text = privacy._REDDIT_USER.sub("<user>", text)
    text = privacy._PERSONNUMMER.sub(privacy._replace_personnummer, text)
    return privacy._PHONE.sub(privacy._replace_phone, text)


PII_PIECES = [
    "@anna", "anna@example.se", "https://x.com/anna", "http://t.me/x", "WWW.Botkyrka.se",
    "www.", "u/anna_b", "/u/Bo-12", "19811218-9876", "811218-9876", "070-123 45 67",
    "+46 70 123 45 67", "٠٧٠١٢٣٤٥٦٧", "0046701234567", "https://mastodon.social/@anna",
    "Fittja", " ", ".", "/", "@", "0", "9", "w", "u", "hej", "١", "\n", "ſ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PII_PIECES) | st.text(max_size=6), max_size=12))
def test_scrub_pii_equals_every_pattern_run(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert scrub_pii(text) == scrub_every_pattern(text)


def test_scrub_pii_known_answers_on_the_skipped_paths() -> None:
    assert scrub_pii("ring ٠٧٠١٢٣٤٥٦٧ nu") == scrub_every_pattern("ring ٠٧٠١٢٣٤٥٦٧ nu")
    assert scrub_pii("se WWW.botkyrka.se idag") == "se <url> idag"
    assert scrub_pii("hej u/anna_b och @bo") == "hej <user> och <user>"
    assert scrub_pii("inget att ta bort") == "inget att ta bort"


def slow_parse_utc(value: str) -> pd.Timestamp | None:
    """parse_utc without its fast path."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return None if ts is pd.NaT or ts.tzinfo is None else ts.tz_convert("UTC")


STAMPS = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{}".format,
    st.sampled_from([1, 1677, 1678, 1970, 2024, 2261, 2262, 2300, 9999]),
    st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 60),
    st.integers(0, 61),
    st.sampled_from(["", ".0", ".000", ".5", ".123456", ".1234567", ".123456789"]),
    st.sampled_from(["Z", "+00:00", "+02:00", "-05:30", "+23:59", "+24:00", "", "z"]),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(STAMPS)
def test_parse_utc_fast_path_gives_the_same_instant(value: str) -> None:
    fast, slow = parse_utc(value), slow_parse_utc(value)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert pd.Timestamp(fast) == slow
        assert pd.Timestamp(fast).utcoffset() == pd.Timedelta(0)


def test_parsed_timestamps_make_the_same_column() -> None:
    values = ["2024-03-01T12:34:56.000Z", "2024-03-01T14:34:56+02:00", "2024-03-01 12:34:56Z",
              "2024-03-01T12:34:56.123456789Z"]  # fmt: skip
    for chosen in (values[:2], values[:3], values):
        records = [{"created_at": parse_utc(v)} for v in chosen]
        reference = [{"created_at": slow_parse_utc(v)} for v in chosen]
        pd.testing.assert_series_equal(
            to_frame(records)["created_at"], to_frame(reference)["created_at"]
        )
    assert parse_utc("2024-03-01T12:34:56") is None  # no offset: rejected, not guessed
    assert parse_utc("2024-02-30T12:00:00Z") is None


def test_author_pseudonyms_equal_one_hmac_per_post() -> None:
    pseudonymiser = Pseudonymiser(b"k" * 32)
    sources = pd.Series(["x", "x", "mastodon", "x", "x"])
    authors = pd.Series(["1", "2", "1", "1", "True"])
    expected = [pseudonymiser.pseudonym(s, a) for s, a in zip(sources, authors, strict=True)]
    assert author_pseudonyms(sources, authors, pseudonymiser) == expected
    assert len(set(expected)) == 4
