"""Student versions of the notebooks: solutions out, everything else kept.

A cell tagged ``solution`` becomes a stub, where the hint is the cell's ``imgcourse.hint``
metadata (or a generic sentence):

- with markers (as nbgrader writes them), only the lines between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` go; they become ``raise NotImplementedError("Exercise: <hint>")`` at
  the marker's indentation, so a function keeps its ``def`` line and docstring;
- without markers, the whole cell goes: the solution's leading ``# Exercise ...`` or
  ``# TODO ...`` comment lines are kept, then the ``raise``.

The stub's outputs are cleared and its ``solution`` tag becomes ``exercise``. The answer must
not show below the stub either, so the outputs of every code cell **from a solution cell to
the end of its exercise** are cleared too: the check's verdict, and the run whose result a
predict-then-run exercise asks for. An exercise ends at the next markdown cell that opens
with a heading (``#``). Two tags adjust the rule where a notebook needs it:

- ``exercise-part``: clear this cell's outputs wherever it is (an answer shown after the
  next heading);
- ``keep-output``: keep this cell's outputs although it lies inside an exercise (lesson
  output that gives nothing away).

Every other cell is kept as it is, outputs included. ``imgcourse student --out DIR`` writes
them for the whole course; the exercise anatomy is introduced in ``00_welcome`` and
``02_cnn_basics`` shows both kinds of solution cell. CONTRIBUTING.md states the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from imgcourse.course.catalogue import CourseError, write_notebook

SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
EXERCISE_PART_TAG = "exercise-part"
KEEP_OUTPUT_TAG = "keep-output"
#: What the checks print first (:class:`imgcourse.exercises.Feedback`): a verdict.
VERDICT_PREFIXES = ("Correct: ", "Not yet: ")
GENERIC_HINT = "write your solution here, then run the check below."
MARKDOWN_STUB = "*Exercise: write your answer here.*"
KEPT_COMMENT = re.compile(r"^\s*#\s*(Exercise|TODO)\b", re.IGNORECASE)
BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"


@dataclass
class StudentReport:
    """What :func:`make_student_version` did to one notebook."""

    src: Path
    dst: Path
    solutions_replaced: int
    cells_without_hint: list[int] = field(default_factory=list)  # indices of stubbed cells
    outputs_cleared: list[int] = field(default_factory=list)  # indices of other cleared cells

    def __str__(self) -> str:
        text = (
            f"{self.src.name}: {self.solutions_replaced} solution cell(s) replaced, outputs of "
            f"{len(self.outputs_cleared)} exercise cell(s) cleared -> {self.dst}"
        )
        if self.cells_without_hint:
            text += f" (generic hint in cells {self.cells_without_hint}: add imgcourse.hint)"
        return text


def cell_hint(cell: Any) -> str | None:
    """The ``imgcourse.hint`` of a cell: nested (``{"imgcourse": {"hint": ...}}``) or flat."""
    nested = cell.metadata.get("imgcourse", {})
    hint = nested.get("hint") if isinstance(nested, dict) else None
    hint = hint or cell.metadata.get("imgcourse.hint")
    text = str(hint).strip() if hint else ""
    return text or None


def stub_source(solution: str, hint: str | None) -> str:
    """The code a learner sees instead of ``solution``.

    With ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers, each marked block becomes one
    ``raise NotImplementedError`` at the marker's indentation and every other line is kept.
    Without markers, keeps the leading comment lines that start with ``# Exercise`` or
    ``# TODO`` (nothing after them, so no part of the answer leaks), then raises.

    Raises:
        ValueError: a marker without its partner, or markers nested or out of order.
    """
    message = f"Exercise: {hint or GENERIC_HINT}"
    if has_markers(solution):
        return _stub_between_markers(solution, message)
    kept = []
    for line in solution.splitlines():
        if not KEPT_COMMENT.match(line):
            break
        kept.append(line.rstrip())
    return "\n".join([*kept, f"raise NotImplementedError({message!r})"])


def has_markers(source: str) -> bool:
    """Whether ``source`` holds a ``### BEGIN SOLUTION`` or ``### END SOLUTION`` line."""
    return any(line.strip() in (BEGIN_MARKER, END_MARKER) for line in source.splitlines())


def _stub_between_markers(solution: str, message: str) -> str:
    out: list[str] = []
    begin: int | None = None  # line number of the open BEGIN marker
    for number, line in enumerate(solution.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN_MARKER:
            if begin is not None:
                raise ValueError(
                    f"line {number}: {BEGIN_MARKER!r} inside the block opened on line "
                    f"{begin}; close it with {END_MARKER!r} first"
                )
            begin = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}raise NotImplementedError({message!r})")
        elif marker == END_MARKER:
            if begin is None:
                raise ValueError(
                    f"line {number}: {END_MARKER!r} without a {BEGIN_MARKER!r} before it"
                )
            begin = None
        elif begin is None:
            out.append(line.rstrip())
    if begin is not None:
        raise ValueError(f"line {begin}: {BEGIN_MARKER!r} is never closed by {END_MARKER!r}")
    return "\n".join(out)


def is_solution(cell: Any) -> bool:
    """Whether a cell is tagged ``solution``."""
    return SOLUTION_TAG in cell.metadata.get("tags", [])


def _tags(cell: Any) -> list[str]:
    return list(cell.metadata.get("tags", []))


def is_heading(cell: Any) -> bool:
    """Whether a cell is markdown that opens with a heading (``# ...``, ``### ...``)."""
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("#")


def answer_cells(cells: list[Any]) -> list[int]:
    """Indices of the code cells whose outputs a student version clears.

    A cell is cleared when it lies after a solution cell and before the next heading (the
    rest of that exercise), or is tagged ``exercise-part``; a ``keep-output`` tag keeps it.
    Solution cells themselves are not listed (they become stubs).
    """
    cleared, inside = [], False
    for index, cell in enumerate(cells):
        tags = _tags(cell)
        if is_heading(cell):
            inside = False
        if SOLUTION_TAG in tags:
            inside = True
            continue
        if cell.cell_type != "code" or KEEP_OUTPUT_TAG in tags:
            continue
        if inside or EXERCISE_PART_TAG in tags:
            cleared.append(index)
    return cleared


def clear_outputs(cell: Any) -> None:
    """Remove a code cell's outputs and execution count (and papermill's timing)."""
    cell.outputs = []
    cell.execution_count = None
    cell.metadata.pop("execution", None)


def _stub_cell(cell: Any) -> Any:
    hint = cell_hint(cell)
    tags = [EXERCISE_TAG if t == SOLUTION_TAG else t for t in cell.metadata.get("tags", [])]
    metadata = {k: v for k, v in cell.metadata.items() if k not in ("tags", "execution")}
    metadata["tags"] = tags
    if cell.cell_type == "code":
        stub = nbformat.v4.new_code_cell(stub_source(cell.source, hint), metadata=metadata)
    else:
        text = f"{MARKDOWN_STUB} Hint: {hint}" if hint else MARKDOWN_STUB
        stub = nbformat.v4.new_markdown_cell(text, metadata=metadata)
    if "id" in cell:
        stub["id"] = cell["id"]
    return stub


def make_student_version(src: Path, dst: Path) -> StudentReport:
    """Write the student version of notebook ``src`` to ``dst`` and say what changed.

    Raises:
        CourseError: ``dst`` is ``src`` (the instructor version is never overwritten), or a
            solution cell's markers do not pair up.
    """
    src, dst = Path(src), Path(dst)
    if dst.resolve() == src.resolve():
        raise CourseError(f"refusing to overwrite the instructor notebook {src}: pick another dst")
    nb = nbformat.read(src, as_version=4)
    replaced, without_hint = 0, []
    cleared = answer_cells(nb.cells)
    for index in cleared:
        clear_outputs(nb.cells[index])
    for index, cell in enumerate(nb.cells):
        if is_solution(cell):
            if cell_hint(cell) is None:
                without_hint.append(index)
            try:
                nb.cells[index] = _stub_cell(cell)
            except ValueError as error:
                raise CourseError(f"{src.name}, cell {index}: {error}") from None
            replaced += 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    write_notebook(nb, dst)
    return StudentReport(src, dst, replaced, without_hint, cleared)


def write_student_versions(notebooks_dir: Path, out_dir: Path) -> list[StudentReport]:
    """Write the student version of every ``*.ipynb`` in ``notebooks_dir`` into ``out_dir``.

    Raises:
        CourseError: no notebooks there, or ``out_dir`` is the notebooks folder itself.
    """
    notebooks_dir, out_dir = Path(notebooks_dir), Path(out_dir)
    if out_dir.resolve() == notebooks_dir.resolve():
        raise CourseError(
            f"--out {out_dir} is the notebooks folder: student versions would overwrite the "
            "solutions; pick another folder (the default is student/)"
        )
    sources = sorted(notebooks_dir.glob("*.ipynb"))
    if not sources:
        raise CourseError(f"no notebooks (*.ipynb) in {notebooks_dir}")
    return [make_student_version(src, out_dir / src.name) for src in sources]


def output_text(cell: Any) -> str:
    """The text a code cell's outputs show (streams, plain text, HTML), joined."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(str(output.get("text", "")))
        data = output.get("data", {})
        parts.extend(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


def leaked_verdicts(nb: Any) -> list[int]:
    """Indices of code cells whose stored outputs show a check's verdict (``Correct: ...``)."""
    return [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and any(prefix in output_text(cell) for prefix in VERDICT_PREFIXES)
    ]
