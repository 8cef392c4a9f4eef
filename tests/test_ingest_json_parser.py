"""The fast JSON Lines parser (barometer.ingest.files.parse_json) gives exactly what
:func:`json.loads` gives: the same values (types included, integers at any size) and, for a
line that is not JSON, the same error, so the readers' messages and quarantine do not change."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.ingest.files import json_lines, parse_json

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


def outcome(parse: object, text: str) -> tuple[str, object]:
    """("ok", value as JSON-comparable text) or ("error", the message of json_lines)."""
    try:
        value = parse(text)  # type: ignore[operator]
    except json.JSONDecodeError as exc:
        return "error", f"{exc.msg} at column {exc.colno}"
    return "ok", repr(value)


def same_types(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_types(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return all(same_types(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[call-overload]
    return True


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_values_equal_json_loads(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    parsed, expected = parse_json(text), json.loads(text)
    assert parsed == expected
    assert same_types(parsed, expected)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('{}[]",:0123456789.-+eE \\tnaulrsfNI\x00\u00e9')), max_size=30
    )
)
def test_any_text_gives_the_same_value_or_error(text: str) -> None:
    assert outcome(parse_json, text) == outcome(json.loads, text)


@pytest.mark.parametrize(
    "text",
    [
        "[NaN]",
        "1e400",
        '"\\ud800"',
        "18446744073709551616",
        "-9223372036854775809",
        '{"a": 1, "a": 2}',
        '"a\tb"',
        '{"id": 1}x',
        "[1,]",
        "",
    ],
)
def test_what_only_python_reads_or_nobody_reads(text: str) -> None:
    assert outcome(parse_json, text) == outcome(json.loads, text)


def test_big_integers_stay_exact_and_nan_is_read_as_python_reads_it() -> None:
    assert parse_json('{"id": 123456789012345678901234567890}') == {
        "id": 123456789012345678901234567890
    }
    assert math.isnan(parse_json("[NaN]")[0])


def test_json_lines_messages_are_the_standard_librarys() -> None:
    got = list(json_lines('{"a": 1}\n{"a": \n\n[1, 2]\n' + "[" * 100_000))
    assert got[0] == (1, {"a": 1}, "")
    assert got[1] == (2, None, "not valid JSON: Expecting value at column 7")
    assert got[2] == (4, [1, 2], "")
    assert got[3] == (5, None, "JSON nested too deeply")
