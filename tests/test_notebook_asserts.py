"""Every assert in the notebooks says what it measured (issue 21).

A failing check must show the value it saw, not only that it failed: ``assert acc > MIN, (
f"test accuracy {acc:.3f} <= MIN {MIN}: train longer")``, or ``assert feedback.passed,
feedback`` for an exercise check (the Feedback's text carries its values). This test reads
the code cells with ``ast`` (no kernel) and fails on an assert whose message is missing, a
constant, or an f-string with no ``{}`` field. A message that is a name, attribute, call or
other expression of the notebook's values counts as naming a value.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def python_of(source: str) -> str:
    """A cell's source with IPython's magic (%) and shell (!) lines blanked, so that ``ast``
    parses it; blanking keeps the line numbers."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def message_problem(message: ast.expr | None) -> str | None:
    """Why an assert's message names no value, or None when it names one."""
    if message is None:
        return "no message"
    if isinstance(message, ast.JoinedStr) and not any(
        isinstance(part, ast.FormattedValue) for part in message.values
    ):
        return "an f-string message with no {} field"
    if not any(isinstance(node, ast.Name) for node in ast.walk(message)):
        return "a constant message"  # "...", "a" "b", ("a", 1), f"{1}"
    return None


def assert_problems(source: str) -> list[str]:
    """``"<why>: <the assert's source>"`` for each assert of a cell whose message names no
    value, in the order they appear."""
    code = python_of(source)
    asserts = [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Assert)]
    problems = []
    for node in sorted(asserts, key=lambda node: (node.lineno, node.col_offset)):
        why = message_problem(node.msg)
        if why is not None:
            problems.append(f"{why}: {ast.get_source_segment(code, node)}")
    return problems


def test_notebooks_are_found() -> None:
    assert len(NOTEBOOKS) >= 20, f"found {len(NOTEBOOKS)} notebooks in notebooks/, expected 20"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_assert_names_a_value(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            found = assert_problems(cell.source)
        except SyntaxError as error:
            found = [f"does not parse ({error.msg}, line {error.lineno})"]
        problems += [f"{path.name} cell {index}: {problem}" for problem in found]
    assert not problems, (
        f"{len(problems)} assert(s) without a value in the message; say what was measured, "
        "what it had to reach and what to try (f-string), or `assert feedback.passed, "
        "feedback`:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    "statement",
    [
        'assert acc > MIN, f"accuracy {acc:.3f} <= MIN {MIN}: train longer"',
        "assert feedback.passed, feedback",
        "assert ok, (x, y)",
        "assert ok, describe(x)",
        'assert ok, "values: " + str(x)',
        'assert ok, (\n    "largest gap "\n    f"{gap:.1e}: was f changed?"\n)',
    ],
)
def test_a_message_with_a_value_passes(statement: str) -> None:
    assert assert_problems(statement) == []


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("assert acc > MIN", "no message"),
        ('assert acc > MIN, "the model did not learn"', "a constant message"),
        ('assert acc > MIN, ("did not " "learn")', "a constant message"),
        ('assert acc > MIN, f"the model did not learn"', "an f-string message with no {} field"),
        ('assert acc > MIN, f"{1}"', "a constant message"),
    ],
)
def test_a_message_without_a_value_fails(statement: str, why: str) -> None:
    assert assert_problems(statement) == [f"{why}: {statement}"]


def test_magics_are_skipped_and_each_assert_is_named() -> None:
    cell = "%matplotlib inline\n!ls\nfor x in xs:\n    assert x, x\n    assert x > 0\nassert y"
    assert assert_problems(cell) == ["no message: assert x > 0", "no message: assert y"]
