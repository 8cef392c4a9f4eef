"""Every module under 400 lines and every function body (docstring excluded) at most 50 lines.

Walks ``barometer/`` with :mod:`ast`; a failure names the file, the function and its length.
No file is exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import barometer

PACKAGE = Path(barometer.__file__).parent
MAX_MODULE_LINES = 400
MAX_BODY_LINES = 50


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the last one."""
    body = node.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def oversized(root: Path) -> list[str]:
    """One line per module over :data:`MAX_MODULE_LINES` lines and per function whose body is
    over :data:`MAX_BODY_LINES` lines, under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        n_lines = len(text.splitlines())
        if n_lines > MAX_MODULE_LINES:
            found.append(f"{name}: module of {n_lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = body_lines(node)
                if length > MAX_BODY_LINES:
                    found.append(
                        f"{name}:{node.lineno} {node.name}(): body of {length} lines "
                        f"(at most {MAX_BODY_LINES})"
                    )
    return found


def test_modules_and_functions_are_short_enough_to_read() -> None:
    problems = oversized(PACKAGE)
    assert not problems, "split these into named steps:\n" + "\n".join(problems)


def _function(n_statements: int, docstring: bool = True) -> str:
    doc = '    """What it does.\n\n    More words.\n    """\n' if docstring else ""
    return "def f():\n" + doc + "".join(f"    x{i} = {i}\n" for i in range(n_statements))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (_function(50), []),
        (_function(51), ["m.py:1 f(): body of 51 lines (at most 50)"]),
        (_function(50, docstring=False), []),
        ("x = 1\n" * 400, []),
        ("x = 1\n" * 401, ["m.py: module of 401 lines (at most 400)"]),
        (
            "class C:\n    def g(self):\n" + "".join(f"        y{i} = {i}\n" for i in range(60)),
            ["m.py:2 g(): body of 60 lines (at most 50)"],
        ),
    ],
)
def test_the_check_counts_bodies_without_docstrings(tmp_path, source, expected) -> None:
    (tmp_path / "m.py").write_text(source, encoding="utf-8")
    assert oversized(tmp_path) == expected
