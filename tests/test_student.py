"""Student versions: no solution survives, stubs raise with a hint, the rest is untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from imgcourse.course import CourseError
from imgcourse.student import (
    GENERIC_HINT,
    KEPT_COMMENT,
    is_solution,
    make_student_version,
    write_student_versions,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SENTINEL = "SOLUTION_SENTINEL_7f3a"


def _code(source: str, tags: list[str] | None = None, **metadata: Any) -> Any:
    cell = nbformat.v4.new_code_cell(source, metadata=metadata)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _stream(text: str) -> Any:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _strings(node: Any) -> list[str]:
    """Every string in a notebook's JSON (multi-line sources joined), for leak searches."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        if node and all(isinstance(x, str) for x in node):
            return ["".join(node), *node]
        return [s for x in node for s in _strings(x)]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (k, *_strings(v))]
    return []


@pytest.fixture()
def instructor_nb(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    params = _code('PROFILE = "default"\nSEED = 0', tags=["parameters"])
    hinted = _code(
        f"# Exercise 1: double a number\n# TODO: fill in\n# {SENTINEL} explanation\n"
        f"def double(x):\n    return 2 * x  # {SENTINEL}\nprint(double(2))",
        tags=["solution", "keep-me"],
        imgcourse={"hint": "multiply x by two"},
    )
    hinted.outputs = [_stream(f"4 {SENTINEL}\n")]
    hinted.execution_count = 2
    bare = _code(f"answer = 42  # {SENTINEL}", tags=["solution"])
    bare.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/plain": SENTINEL}, execution_count=3)
    ]
    flat = _code(f"y = 1  # {SENTINEL}", tags=["solution"], **{"imgcourse.hint": "a flat key"})
    written = nbformat.v4.new_markdown_cell(f"Because {SENTINEL}.", metadata={"tags": ["solution"]})
    check = _code("assert double(3) == 6\nprint('ok')")
    check.outputs = [_stream("ok\n")]
    check.execution_count = 4
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n**Exercise 1.** Write `double`."),
        params,
        hinted,
        check,
        bare,
        flat,
        written,
    ]
    path = tmp_path / "instructor" / "03_example.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def test_no_solution_source_survives(instructor_nb: Path, tmp_path: Path) -> None:
    out = tmp_path / "student" / instructor_nb.name
    report = make_student_version(instructor_nb, out)
    assert report.solutions_replaced == 4
    assert SENTINEL not in out.read_text(encoding="utf-8")
    assert SENTINEL in instructor_nb.read_text(encoding="utf-8")  # the original is untouched
    nbformat.validate(nbformat.read(out, as_version=4))


def test_stubs_raise_with_the_hint(instructor_nb: Path, tmp_path: Path) -> None:
    out = tmp_path / "student.ipynb"
    make_student_version(instructor_nb, out)
    cells = nbformat.read(out, as_version=4).cells
    expected = {2: "multiply x by two", 4: GENERIC_HINT, 5: "a flat key"}
    for index, hint in expected.items():
        with pytest.raises(NotImplementedError, match="^Exercise: ") as raised:
            exec(compile(cells[index].source, f"cell{index}", "exec"), {})
        assert hint in str(raised.value)
    first = cells[2].source.splitlines()
    assert first[:2] == ["# Exercise 1: double a number", "# TODO: fill in"]
    assert len(first) == 3  # the comment after them is part of the answer and is dropped
    assert cells[2].metadata["tags"] == ["exercise", "keep-me"]
    assert cells[6].cell_type == "markdown" and "Exercise" in cells[6].source


def test_solution_outputs_cleared_and_other_cells_unchanged(
    instructor_nb: Path, tmp_path: Path
) -> None:
    out = tmp_path / "student.ipynb"
    make_student_version(instructor_nb, out)
    before = nbformat.read(instructor_nb, as_version=4).cells
    after = nbformat.read(out, as_version=4).cells
    assert len(before) == len(after)
    for old, new in zip(before, after):
        assert new.get("id") == old.get("id")
        if is_solution(old):
            assert new.get("outputs", []) == []
            assert new.get("execution_count") is None
        else:
            assert new == old  # source, metadata and outputs exactly as they were


def test_report_names_cells_without_hint(instructor_nb: Path, tmp_path: Path) -> None:
    report = make_student_version(instructor_nb, tmp_path / "s.ipynb")
    assert report.cells_without_hint == [4, 6]
    assert "generic hint" in str(report) and "03_example.ipynb" in str(report)


def test_refuses_to_overwrite_the_instructor_version(instructor_nb: Path) -> None:
    with pytest.raises(CourseError, match="overwrite"):
        make_student_version(instructor_nb, instructor_nb)
    with pytest.raises(CourseError, match="notebooks folder"):
        write_student_versions(instructor_nb.parent, instructor_nb.parent)
    assert SENTINEL in instructor_nb.read_text(encoding="utf-8")


def test_write_student_versions(instructor_nb: Path, tmp_path: Path) -> None:
    reports = write_student_versions(instructor_nb.parent, tmp_path / "out")
    assert [r.dst.name for r in reports] == [instructor_nb.name]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [instructor_nb.name]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CourseError, match="no notebooks"):
        write_student_versions(empty, tmp_path / "elsewhere")


def _solution_lines(nb: Any) -> set[str]:
    """Lines of solution cells that appear nowhere else in the instructor notebook."""
    elsewhere = "\n".join(c.source for c in nb.cells if not is_solution(c))
    lines = set()
    for cell in nb.cells:
        if is_solution(cell):
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) >= 8 and not KEPT_COMMENT.match(line) and line not in elsewhere:
                    lines.add(line)
    return lines


REAL = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.skipif(not REAL, reason="no notebooks in notebooks/ yet")
def test_real_notebooks_keep_no_solution(tmp_path: Path) -> None:
    reports = write_student_versions(NOTEBOOKS, tmp_path)
    assert len(reports) == len(REAL)
    for report in reports:
        original = nbformat.read(report.src, as_version=4)
        haystack = "\n".join(_strings(json.loads(report.dst.read_text(encoding="utf-8"))))
        leaked = sorted(line for line in _solution_lines(original) if line in haystack)
        assert not leaked, f"{report.src.name}: solution lines left in the student copy: {leaked}"
        student = nbformat.read(report.dst, as_version=4)
        assert not any(is_solution(c) for c in student.cells)
        assert sum(1 for c in original.cells if is_solution(c)) == report.solutions_replaced
