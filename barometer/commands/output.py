"""What the commands print, and how an expected error ends one.

Every command runs inside :func:`show_errors` (used as a decorator): a :class:`BarometerError`
becomes one plain ``error: ...`` line on stderr and exit status 1, never a traceback. Messages and
values from files are printed as text, never parsed as rich markup, so a message naming
``[sources.social.column_mapping]`` prints exactly that (rich would drop it as an unknown style
tag). Help strings that show a config table in brackets go through :func:`help_text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from barometer.exceptions import BarometerError

console = Console()
errors = Console(stderr=True)


def say(message: str) -> None:
    """Print ``message`` to stdout as plain text (no markup, no highlighting)."""
    console.print(Text(message), highlight=False, soft_wrap=True)


def print_error(message: str, *, label: str = "error") -> None:
    """Print ``label: message`` to stderr, the label in colour and the message as plain text."""
    style = "bold red" if label == "error" else "bold yellow"
    errors.print(Text.assemble((f"{label}:", style), " ", message), soft_wrap=True)


@contextmanager
def show_errors() -> Iterator[None]:
    """Print a :class:`BarometerError` raised inside the block as one ``error:`` line and exit
    with status 1 (like spaCy's ``show_validation_error``); usable as a decorator.

    >>> import pytest
    >>> with pytest.raises(typer.Exit):
    ...     with show_errors():
    ...         raise BarometerError("needs a [sources.social.column_mapping] table")
    """
    try:
        yield
    except BarometerError as exc:
        print_error(str(exc))
        raise typer.Exit(code=1) from None


def help_text(text: str) -> str:
    """``text`` with its ``[brackets]`` escaped for typer's rich help (which reads markup).

    >>> help_text("warehouse folder (default: [store] path of the config)")
    'warehouse folder (default: \\\\[store] path of the config)'
    """
    return escape(text)


def plain_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[str | Text]],
    *,
    right: Sequence[str] = (),
) -> Table:
    """A rich table whose cells are plain text (a value with brackets prints as written);
    ``right`` names the right-aligned (numeric) columns. Pass a :class:`Text` for a styled cell."""
    table = Table(title=Text(title))
    for column in columns:
        table.add_column(Text(column), justify="right" if column in right else "left")
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in row))
    return table
