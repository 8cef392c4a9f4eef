"""Finding a file's columns by the names the config gives or by conventional names.

Names are matched ignoring case, spaces, ``_``, ``-`` and a byte-order mark (``Date``, ``DATE``
and ``date`` are one name; so are ``InCount`` and ``in_count``). A configured name that matches
no column is an :class:`InputError` naming the config key and listing the columns found (their
names only, never cell content). For forms whose answers are personal (``names_only``), only
header cells that look like form field names (``people/total``, ``_uuid``: no spaces, starting
with a letter or ``_``) are listed, so that a file without a header row, whose first line is a
submission, never has its answers printed.
"""

from __future__ import annotations

import re
from pathlib import Path

from barometer.exceptions import InputError


def normalise(name: str) -> str:
    """A column name as matched: lower case, without spaces, ``_``, ``-`` or a BOM."""
    return re.sub(r"[\s_\-\ufeff]+", "", name).casefold()


_FIELD_NAME = re.compile(r"^[A-Za-z_][\w\-./:]*$")


class Header:
    """A file's header, for finding configured or conventional columns in it."""

    def __init__(
        self, path: Path, columns: list[str], key_prefix: str, *, names_only: bool = False
    ) -> None:
        self.path = path
        self.columns = columns
        self.prefix = key_prefix
        self.names_only = names_only
        self._by_name: dict[str, str] = {}
        for column in columns:
            self._by_name.setdefault(normalise(column), column)

    def found(self) -> str:
        names = self.columns
        if self.names_only:
            names = [c for c in self.columns if _FIELD_NAME.match(c)]
        shown = [c[:40] for c in names[:25]]
        more = len(names) - len(shown)
        hidden = len(self.columns) - len(names)
        extra = f" and {more} more" if more else ""
        if hidden:
            extra += f" ({hidden} header cell(s) that are not field names, not shown)"
        return f"found columns {shown}{extra}"

    def get(self, name: str) -> str | None:
        return self._by_name.get(normalise(name))

    def configured(self, key: str, name: str) -> str:
        """The column the config names under ``key``; InputError naming the key otherwise."""
        column = self.get(name)
        if column is None:
            raise InputError(
                f"{self.path}: {self.prefix}{key} = {name!r} names no column of the file; "
                f"{self.found()}"
            )
        return column

    def conventional(self, names: tuple[str, ...]) -> str | None:
        return next((self._by_name[n] for n in names if n in self._by_name), None)

    def missing(self, what: str, setting: str) -> InputError:
        """No column for ``what`` was found by name: the error says which setting names it."""
        return InputError(
            f"{self.path}: no {what} column found; name it in the pipeline config: "
            f"{self.prefix}{setting}; {self.found()}"
        )
