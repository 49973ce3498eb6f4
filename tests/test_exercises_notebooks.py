"""The exercise checks print, for each notebook's own solution, exactly what the committed
notebook shows under the check cell.

nbval compares the stored outputs with a fresh run, but only when a notebook runs (the slow
tier). This test reads the committed notebooks and runs every exercise whose answer stands
on its own (a function or a prediction, given the notebook's imports and parameters): its
solution cell, then its check cell, and compares what the check prints with the stored
output. An exercise about the notebook's trained model needs the whole run; its cell stops
at a name the notebook defined earlier, and it is left to nbval.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import traceback
from pathlib import Path

import nbformat
import numpy as np

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
CHECK_CALL = re.compile(r"\bcheck_\w+\(|\brecord_prediction\(")
IMPORT_LINE = re.compile(r"^(import|from) \w[\w.]* ?(import [\w, ]+|as \w+)?$")

#: At least this many exercises run on their own (33 when this was written): fewer means the
#: collection below stopped finding them, not that the checks are right.
MIN_STANDALONE = 30


def _exercises(nb: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """(solution cell, check cell) indices: the first code cell calling a check after each
    solution cell, before the next solution."""
    pairs = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or "solution" not in cell.metadata.get("tags", []):
            continue
        for j in range(i + 1, len(cells)):
            later = cells[j]
            if later.cell_type != "code":
                continue
            if "solution" in later.metadata.get("tags", []):
                break
            if CHECK_CALL.search(later.source):
                pairs.append((i, j))
                break
    return pairs


def _namespace(nb: nbformat.NotebookNode) -> dict:
    """The notebook's parameters and its one-line imports, as a kernel would have them."""
    ns: dict = {"np": np, "math": math}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(cell.source, ns)
        for line in cell.source.splitlines():
            if IMPORT_LINE.match(line.strip()) and not line.startswith((" ", "\t")):
                exec(line, ns)
    return ns


def _stream(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def _needs_the_run(error: BaseException, cell_name: str) -> bool:
    """A NameError raised by the notebook's own cell: it uses what an earlier cell made."""
    frames = traceback.extract_tb(error.__traceback__)
    return isinstance(error, NameError) and frames[-1].filename == cell_name


def test_checks_print_what_the_committed_notebooks_show() -> None:
    ran, left, wrong = [], [], []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for solution, check in _exercises(nb):
            where = f"{path.name} cell {check}"
            ns = _namespace(nb)
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(nb.cells[solution].source, "<solution>", "exec"), ns)
                with contextlib.redirect_stdout(printed):
                    exec(compile(nb.cells[check].source, "<check>", "exec"), ns)
            except Exception as error:
                if _needs_the_run(error, "<solution>") or _needs_the_run(error, "<check>"):
                    left.append(where)
                    continue
                raise AssertionError(f"{where}: {type(error).__name__}: {error}") from error
            stored = _stream(nb.cells[check])
            shown = printed.getvalue()
            ran.append(where)
            if not shown.startswith(("Correct: ", "Not yet: ")) or shown not in stored:
                wrong.append(f"{where}:\n  printed {shown!r}\n  stored  {stored!r}")
    assert not wrong, "checks print other text than the committed notebooks:\n" + "\n".join(wrong)
    assert len(ran) >= MIN_STANDALONE, (
        f"only {len(ran)} exercises ran on their own (at least {MIN_STANDALONE} expected); "
        f"left to the notebook runs: {left}"
    )
