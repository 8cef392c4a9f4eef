"""The file's author table (:class:`barometer.nlp.author_languages.AuthorRows`) numbers
authors as a dict of first appearances does, batch after batch, in a fraction of the memory."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from barometer.nlp.author_languages import AuthorRows

_NAMES = ["x-0a1b", "x-0a1b2c", "a", "a\x00"]  # a prefix; a trailing NUL byte
_AUTHOR = st.one_of(st.none(), st.text(max_size=6), st.sampled_from(_NAMES))


@given(st.lists(st.lists(_AUTHOR, max_size=12), max_size=6))
def test_rows_equal_a_dict_of_first_appearances(batches: list[list[str | None]]) -> None:
    table, seen = AuthorRows(), {}
    for batch in batches:
        expected = [-1 if a is None else seen.setdefault(a, len(seen)) for a in batch]
        assert table.rows(batch).tolist() == expected
    assert len(table) == len(seen)


def test_known_rows_and_a_longer_author_later() -> None:
    table = AuthorRows()
    assert table.rows(["b", "a", None, "b"]).tolist() == [0, 1, -1, 0]
    assert table.rows(["a-long-one", "a", "c"]).tolist() == [2, 1, 3]
    assert table.rows([]).tolist() == []
    assert table.rows([None]).tolist() == [-1]


def test_a_pseudonym_takes_31_bytes() -> None:
    table = AuthorRows()
    table.rows([f"x-{i:020x}" for i in range(10_000)])
    assert len(table) == 10_000
    assert table.nbytes == 10_000 * (23 + 8)
    assert np.all(table.rows(["x-00000000000000000007"]) == 7)
