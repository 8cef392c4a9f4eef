import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometer.exceptions import ConfigError
from barometer.keys import DEMO_KEY, load_key
from barometer.privacy import Pseudonymiser, luhn_valid, scrub_pii, suppress_small_cells


def _personnummer_with_check(first9: str) -> str:
    for check in range(10):
        if luhn_valid(first9 + str(check)):
            return first9 + str(check)
    raise AssertionError("no check digit")


def test_load_key_prefers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", "x" * 32)
    assert load_key() == b"x" * 32


def test_load_key_refuses_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigError, match="no pseudonymisation key"):
        load_key()
    assert load_key(demo=True) == DEMO_KEY


def test_load_key_rejects_short_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAROMETER_PSEUDONYM_KEY", "short")
    with pytest.raises(ConfigError, match="at least 16"):
        load_key()


def test_load_key_from_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAROMETER_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_bytes(b"k" * 20 + b"\n")
    key_file.chmod(0o600)
    assert load_key(key_file=key_file) == b"k" * 20
    with pytest.raises(ConfigError, match="does not exist"):
        load_key(key_file=tmp_path / "missing")


def test_pseudonyms_are_keyed_stable_and_namespaced() -> None:
    a, b = Pseudonymiser(b"a" * 16), Pseudonymiser(b"b" * 16)
    assert a.pseudonym("x", "42") == a.pseudonym("x", "42")
    assert a.pseudonym("x", "42") != b.pseudonym("x", "42")
    assert a.pseudonym("x", "42") != a.pseudonym("mastodon", "42")
    assert a.pseudonym("x", "42").startswith("x-") and len(a.pseudonym("x", "42")) == 22
    series = a.pseudonymise("x", pd.Series(["1", None, "1"]))
    assert series[0] == series[2] and pd.isna(series[1])


def test_scrub_replaces_each_kind_of_identifier() -> None:
    pnr = _personnummer_with_check("811218987")
    text = (
        f"Mejla anna.svensson@example.se eller ring 070-123 45 67, pnr {pnr[:6]}-{pnr[6:]}, "
        "@anna_s skrev https://x.com/anna_s och https://example.org/a?b=1"
    )
    scrubbed = scrub_pii(text)
    for secret in ("anna.svensson", "123 45 67", pnr[6:], "@anna_s", "x.com/anna_s"):
        assert secret not in scrubbed
    for placeholder in ("<email>", "<phone>", "<personnummer>", "<user>", "<profile_url>", "<url>"):
        assert placeholder in scrubbed


def test_scrub_keeps_numbers_that_fail_the_checksum() -> None:
    pnr = _personnummer_with_check("811218987")
    wrong = pnr[:9] + str((int(pnr[9]) + 1) % 10)
    assert "<personnummer>" not in scrub_pii(f"ordernummer {wrong[:6]}-{wrong[6:]}")


def test_samordningsnummer_recognised() -> None:
    number = _personnummer_with_check("811278987")  # day 18 + 60
    assert "<personnummer>" in scrub_pii(f"{number[:6]}-{number[6:]}")


@given(st.text(max_size=200))
def test_scrub_is_idempotent(text: str) -> None:
    once = scrub_pii(text)
    assert scrub_pii(once) == once


def test_suppression_blanks_small_cells_only() -> None:
    frame = pd.DataFrame(
        {"value": [1.0, 2.0], "lower": [0.5, 1.5], "upper": [1.5, 2.5], "n_effective": [3, 10],
         "suppressed": [False, False]}
    )  # fmt: skip
    out = suppress_small_cells(frame, min_cell_size=5)
    assert out["suppressed"].tolist() == [True, False]
    assert out["value"].isna().tolist() == [True, False]
    assert out["n_effective"].tolist() == [3, 10]
    assert frame["value"].notna().all()  # input unchanged


@pytest.mark.parametrize(
    "number", ["070-123 45 67", "+46 70 123 45 67", "08-123 456 78", "0701234567", "0046 8 1234567"]
)
def test_phone_numbers_scrubbed(number: str) -> None:
    assert scrub_pii(f"ring mig på {number} ikväll") == "ring mig på <phone> ikväll"


@pytest.mark.parametrize(
    "text", ["möte 2024-07-02 09:00 i Fittja", "kl 09:30", "år 2025", "buss 0745 till Tumba"]
)
def test_dates_times_and_short_numbers_are_not_phones(text: str) -> None:
    assert scrub_pii(text) == text
