"""Every assert in the notebooks says what it measured (issue 21).

A failing check must show the value it saw, not only that it failed: ``assert acc > MIN, (
f"test accuracy {acc:.3f} <= MIN {MIN}: train longer")``, or ``assert feedback.passed,
feedback`` for an exercise check (the Feedback's text carries its values). This test reads
the code cells with ``ast`` (no kernel) and fails on an assert whose message is missing or
shows none of the values its test measured.

The rule: the message, whatever its form (f-string, name, call, tuple, ``+``), must use a
value the test uses. A value is a name, or a chain from one through attributes, subscripts
and method calls (``acc``, ``row["test_accuracy"]``, ``runs.mean("CNN")``); the message's and
the test's share a value when one is the other or starts it (``feedback`` shows
``feedback.passed``; ``row["model"]`` does not show ``row["test_accuracy"]``). Not values:
ALL_CAPS names of two letters or more (thresholds and settings, which the message should
show as well, but they are not what was measured), the names the notebook imports or defines
with ``def`` or ``class`` (``np`` in ``np.allclose(a, b)``: its arguments are the values),
and a called plain name (``len`` or ``shape_path`` in ``shape_path(mine)``: ``mine`` is the
value). A subscript's key is not a value of its own: ``f"{name} did not learn"`` does not
show ``accs[name]``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))

Chain = tuple[str, ...]


def python_of(source: str) -> str:
    """A cell's source with IPython's magic (%) and shell (!) lines blanked, so that ``ast``
    parses it; blanking keeps the line numbers."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def defined_names(tree: ast.AST) -> set[str]:
    """The names that ``import``, ``def`` and ``class`` bind in ``tree``: modules, functions
    and classes, never a measured value."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def chain_of(node: ast.expr) -> Chain | None:
    """``row["acc"].mean()`` as ``("row", "['acc']", ".mean", "()")``; None for an expression
    that is not a name followed by attributes, subscripts and method calls."""
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        head = chain_of(node.value)
        return None if head is None else (*head, f".{node.attr}")
    if isinstance(node, ast.Subscript):
        head = chain_of(node.value)
        return None if head is None else (*head, f"[{ast.unparse(node.slice)}]")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        head = chain_of(node.func)
        arguments = ast.unparse(ast.Call(ast.Name("_"), node.args, node.keywords))[1:]
        return None if head is None else (*head, arguments)
    return None


def is_value(name: str, not_values: set[str]) -> bool:
    """Whether a chain starting at ``name`` can be a measured value: not an ALL_CAPS setting
    (two letters or more: ``W1`` and ``X`` are values) and not in ``not_values``."""
    all_caps = name.isupper() and sum(ch.isalpha() for ch in name) >= 2
    return not (all_caps or name in not_values)


def values_of(node: ast.AST, not_values: set[str]) -> set[Chain]:
    """The value chains ``node`` uses (see the module's docstring)."""
    found: set[Chain] = set()

    def visit(node: ast.AST) -> None:
        chain = chain_of(node) if isinstance(node, ast.expr) else None
        if chain is not None and is_value(chain[0], not_values):
            found.add(chain)
            # A method call's arguments are values too (``model.evaluate(x)``), a key is not.
            for part in ast.walk(node):
                if isinstance(part, ast.Call):
                    for argument in [*part.args, *(k.value for k in part.keywords)]:
                        visit(argument)
            return
        if isinstance(node, ast.Name):
            return  # ALL_CAPS or a module, function or class
        if isinstance(node, ast.Subscript):
            visit(node.value)  # (a - b)[0]: a and b; the key is not a value
            return
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):  # len(x), shape_path(mine): x, mine
                visit(node.func)
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                visit(argument)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(node)
    return found


def shares_a_value(message: set[Chain], test: set[Chain]) -> bool:
    """Whether a message value is a test value or starts one, or the other way round."""
    return any(m[: len(t)] == t or t[: len(m)] == m for m in message for t in test)


def message_problem(
    test: ast.expr, message: ast.expr | None, not_values: Iterable[str] = ()
) -> str | None:
    """Why an assert's message names no value, or None when it names one."""
    if message is None:
        return "no message"
    if isinstance(message, ast.JoinedStr) and not any(
        isinstance(part, ast.FormattedValue) for part in message.values
    ):
        return "an f-string message with no {} field"
    not_values = set(not_values)
    shown = values_of(message, not_values)
    if not shown:
        return "a constant message"  # "...", "a" "b", ("a", 1), f"{1}", f"{MIN}"
    if not shares_a_value(shown, values_of(test, not_values)):
        return "a message that shows none of the test's values"
    return None


def assert_problems(source: str, not_values: Iterable[str] = ()) -> list[str]:
    """``"<why>: <the assert's source>"`` for each assert of a cell whose message names no
    value, in the order they appear. ``not_values``: names the notebook's other cells import
    or define (the cell's own are added)."""
    code = python_of(source)
    tree = ast.parse(code)
    not_values = set(not_values) | defined_names(tree)
    asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    problems = []
    for node in sorted(asserts, key=lambda node: (node.lineno, node.col_offset)):
        why = message_problem(node.test, node.msg, not_values)
        if why is not None:
            problems.append(f"{why}: {ast.get_source_segment(code, node)}")
    return problems


def notebook_defined_names(notebook: nbformat.NotebookNode) -> set[str]:
    """What the notebook's code cells import or define (cells that do not parse are skipped;
    the test reports them)."""
    names: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            try:
                names |= defined_names(ast.parse(python_of(cell.source)))
            except SyntaxError:
                pass
    return names


def test_notebooks_are_found() -> None:
    assert len(NOTEBOOKS) >= 20, f"found {len(NOTEBOOKS)} notebooks in notebooks/, expected 20"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_assert_names_a_value(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    not_values = notebook_defined_names(notebook)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            found = assert_problems(cell.source, not_values)
        except SyntaxError as error:
            found = [f"does not parse ({error.msg}, line {error.lineno})"]
        problems += [f"{path.name} cell {index}: {problem}" for problem in found]
    assert not problems, (
        f"{len(problems)} assert(s) whose message shows no value the test measured; say what "
        "was measured (the test's value), what it had to reach and what to try (f-string), or "
        "`assert feedback.passed, feedback`:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    "statement",
    [
        'assert acc > MIN, f"accuracy {acc:.3f} <= MIN {MIN}: train longer"',
        "assert feedback.passed, feedback",
        "assert ok(x, y), (x, y)",
        "assert describe(x).ok, describe(x)",
        'assert x > 0, "values: " + str(x)',
        'assert gap < 1e-5, (\n    "largest gap "\n    f"{gap:.1e}: was f changed?"\n)',
        # the tested value, or a chain it starts or that starts it
        "assert row[\"acc\"] > MIN, f\"{row['model']}: {row['acc']:.3f} <= MIN {MIN}\"",
        'assert row["acc"] > MIN, f"{row} <= MIN {MIN}"',
        'assert runs.mean("CNN") > MIN, f"{runs.mean(\'CNN\'):.3f} <= MIN"',
        'assert names == CLASSES, f"{names}, not {CLASSES}"',
        'assert not changed, f"scenes {changed} differ"',
        # a function's or module's arguments are the values
        'assert np.allclose(a, b), f"largest gap {np.abs(a - b).max():.1e}"',
        'assert len(kept) == 3, f"kept {kept}"',
        'assert shape_path(mine) == SHAPE, f"{shape_path(mine)} here"',
        'assert model.evaluate(x)[1] > MIN, f"{model.evaluate(x)}"',
        'assert all(a > MIN for a in accs), f"accuracies {accs}"',
        'assert np.abs(W1 - W).max() < TOL, f"{np.abs(W1 - W).max():.1e}"',  # W1: a value
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
        # only the threshold
        ('assert acc > MIN, f"the CNN should beat {MIN:.0%}"', "a constant message"),
        # only a label: a name, a key or another field than the one tested
        (
            'assert acc > MIN, f"{name} did not learn"',
            "a message that shows none of the test's values",
        ),
        (
            'assert accs[name] > MIN, f"{name} did not learn"',
            "a message that shows none of the test's values",
        ),
        (
            'assert row["acc"] > MIN, f"{row[\'model\']} learned"',
            "a message that shows none of the test's values",
        ),
        (
            'assert runs.mean("test") > MIN, runs.mean("gap")',
            "a message that shows none of the test's values",
        ),
        # another value than the test's
        ("assert lead > MIN, baselines", "a message that shows none of the test's values"),
        ("assert ok, (x, y)", "a message that shows none of the test's values"),
        # a module or function the test also uses is no value
        ('assert np.allclose(a, b), f"{np.pi}"', "a constant message"),
        ('assert len(a) == 3, f"{len(b)}"', "a message that shows none of the test's values"),
    ],
)
def test_a_message_without_a_value_fails(statement: str, why: str) -> None:
    assert assert_problems(statement, not_values={"np"}) == [f"{why}: {statement}"]


def test_imports_and_definitions_are_not_values() -> None:
    cell = 'import numpy as np\ndef f(x):\n    return x\nassert np.all(f(a)), f"{np.e} {f}"'
    assert assert_problems(cell) == ['a constant message: assert np.all(f(a)), f"{np.e} {f}"']
    assert assert_problems('assert np.all(a), f"{np}"') == []  # np not imported here
    assert assert_problems('assert np.all(a), f"{np}"', not_values={"np"}) != []


def test_magics_are_skipped_and_each_assert_is_named() -> None:
    cell = "%matplotlib inline\n!ls\nfor x in xs:\n    assert x, x\n    assert x > 0\nassert y"
    assert assert_problems(cell) == ["no message: assert x > 0", "no message: assert y"]
