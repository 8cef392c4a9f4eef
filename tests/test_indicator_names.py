"""Indicator names are defined once, in ``barometer/indicators.py``: no other module of the
package spells one as a string literal (docstrings may name them)."""

from __future__ import annotations

import ast
from pathlib import Path

import barometer
from barometer import indicators

PACKAGE = Path(barometer.__file__).parent
NAMES = {v for k, v in vars(indicators).items() if k.isupper() and isinstance(v, str)}
PREFIXES = (
    indicators.THEME_PREFIX,
    indicators.HOSTILITY_PREFIX,
    indicators.IMMIGRATION_PREFIX,
    indicators.RUMOUR_PREFIX,
)


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def literal_names(source: str) -> list[tuple[int, str]]:
    """(line, literal) of every string constant outside docstrings that is an indicator name."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and (node.value in NAMES or node.value.startswith(PREFIXES))
    ]


def test_the_catalogue_names_indicators() -> None:
    assert {"composite_trust_index", "digital_negative_share"} <= NAMES


def test_the_scan_finds_a_literal_but_not_a_docstring() -> None:
    source = '"""About digital_negative_share."""\nx = "digital_negative_share"\n'
    assert literal_names(source) == [(2, "digital_negative_share")]


def test_no_module_spells_an_indicator_name() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {value!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "indicators.py"
        for line, value in literal_names(path.read_text(encoding="utf-8"))
    ]
    assert not found, "use barometer.indicators instead of:\n" + "\n".join(found)
