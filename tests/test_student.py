"""Student versions: no solution survives, stubs raise with a hint, the rest is untouched."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from imgcourse.course.catalogue import CourseError
from imgcourse.course.student import (
    BEGIN_MARKER,
    END_MARKER,
    GENERIC_HINT,
    KEPT_COMMENT,
    answer_cells,
    cell_hint,
    has_markers,
    is_solution,
    leaked_verdicts,
    make_student_version,
    output_text,
    stub_source,
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
    answers = answer_cells(before)
    assert answers == [3]  # the check after the first solution: part of its exercise
    for index, (old, new) in enumerate(zip(before, after)):
        assert new.get("id") == old.get("id")
        if is_solution(old) or index in answers:
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


def _answer_lines(source: str) -> list[str]:
    """The lines a student copy must not hold: those between markers, or the whole cell."""
    if not has_markers(source):
        return source.splitlines()
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() in (BEGIN_MARKER, END_MARKER):
            inside = line.strip() == BEGIN_MARKER
        elif inside:
            lines.append(line)
    return lines


def _solution_lines(nb: Any) -> set[str]:
    """Answer lines of solution cells that appear nowhere else in the instructor notebook."""
    elsewhere = "\n".join(c.source for c in nb.cells if not is_solution(c))
    lines = set()
    for cell in nb.cells:
        if is_solution(cell):
            for line in _answer_lines(cell.source):
                line = line.strip()
                if len(line) >= 8 and not KEPT_COMMENT.match(line) and line not in elsewhere:
                    lines.add(line)
    return lines


REAL = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_real_notebooks_keep_no_solution(tmp_path: Path) -> None:
    assert REAL, f"no notebooks in {NOTEBOOKS}"
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


# --- solution markers: a function keeps its signature and docstring ----------------------
MARKED = f"""# Exercise 2: add one
def add_one(x, *, times=1):
    \"\"\"Return x + times, as a float.\"\"\"
    {BEGIN_MARKER}
    result = float(x)  # {SENTINEL}
    return result + times
    {END_MARKER}


class Box:
    def area(self):
        \"\"\"Width times height.\"\"\"
        {BEGIN_MARKER}
        return 6  # {SENTINEL}
        {END_MARKER}
"""


def test_markers_keep_signature_and_docstring() -> None:
    stub = stub_source(MARKED, "add times to x")
    assert SENTINEL not in stub and BEGIN_MARKER not in stub and END_MARKER not in stub
    assert "def add_one(x, *, times=1):" in stub
    assert '"""Return x + times, as a float."""' in stub
    assert stub.splitlines()[0] == "# Exercise 2: add one"
    namespace: dict[str, Any] = {}
    exec(compile(stub, "stub", "exec"), namespace)  # defining the stubs does not raise
    with pytest.raises(NotImplementedError, match="^Exercise: add times to x$"):
        namespace["add_one"](1)
    with pytest.raises(NotImplementedError, match="add times to x"):
        namespace["Box"]().area()
    raise_lines = [line for line in stub.splitlines() if "NotImplementedError" in line]
    assert [len(line) - len(line.lstrip()) for line in raise_lines] == [4, 8]


def test_cells_without_markers_keep_todays_behaviour() -> None:
    solution = f"# Exercise 1: a value\nanswer = 42  # {SENTINEL}"
    assert not has_markers(solution)
    assert stub_source(solution, None) == (
        f"# Exercise 1: a value\nraise NotImplementedError({'Exercise: ' + GENERIC_HINT!r})"
    )


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (f"def f():\n    {BEGIN_MARKER}\n    return 1\n", "never closed"),
        (f"def f():\n    return 1\n    {END_MARKER}\n", "without a"),
        (f"{BEGIN_MARKER}\n{BEGIN_MARKER}\nx = 1\n{END_MARKER}\n", "inside the block"),
    ],
)
def test_unpaired_markers_are_errors(source: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=words):
        stub_source(source, None)
    nb = nbformat.v4.new_notebook()
    nb.cells = [_code(source, tags=["solution"])]
    src = tmp_path / "04_bad.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(CourseError, match="04_bad.ipynb, cell 0"):
        make_student_version(src, tmp_path / "out.ipynb")


# --- the real student version of 02 -------------------------------------------------------
CNN_BASICS = NOTEBOOKS / "02_cnn_basics.ipynb"


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    return {
        node.name: node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)
    }


def _dummy_args(fn: ast.FunctionDef) -> list[int]:
    """One placeholder per required positional argument: a stub raises before using them."""
    required = len(fn.args.posonlyargs) + len(fn.args.args) - len(fn.args.defaults)
    return [0] * required


def test_student_version_of_02(tmp_path: Path) -> None:
    report = make_student_version(CNN_BASICS, tmp_path / CNN_BASICS.name)
    original = nbformat.read(CNN_BASICS, as_version=4).cells
    student = nbformat.read(report.dst, as_version=4).cells
    solutions = [i for i, cell in enumerate(original) if is_solution(cell)]
    assert report.solutions_replaced == len(solutions) >= 4
    assert report.cells_without_hint == []
    marked = [i for i in solutions if has_markers(original[i].source)]
    assert marked, "02 should have at least one function exercise written with markers"
    for index in solutions:
        hint = cell_hint(original[index])
        source = student[index].source
        assert student[index].metadata["tags"].count("exercise") == 1
        assert source.splitlines()[0] == original[index].source.splitlines()[0]
        namespace: dict[str, Any] = {"np": __import__("numpy")}
        before = _functions(original[index].source)
        after = _functions(source)
        assert set(after) == set(before), f"cell {index}: functions lost or added"
        if not after:  # a value exercise: running the cell raises at once
            with pytest.raises(NotImplementedError) as raised:
                exec(compile(source, f"cell{index}", "exec"), namespace)
            assert str(raised.value) == f"Exercise: {hint}"
            continue
        exec(compile(source, f"cell{index}", "exec"), namespace)  # defining does not raise
        for name, fn in after.items():
            old = before[name]
            assert ast.dump(fn.args) == ast.dump(old.args), f"{name}: signature changed"
            assert ast.get_docstring(fn), f"{name}: the stub lost its docstring"
            assert ast.get_docstring(fn) == ast.get_docstring(old)
            with pytest.raises(NotImplementedError) as raised:
                namespace[name](*_dummy_args(fn))
            assert str(raised.value) == f"Exercise: {hint}"
    leaked = sorted(
        line
        for index in solutions
        for line in _answer_lines(original[index].source)
        if len(line.strip()) >= 8
        and not KEPT_COMMENT.match(line)
        and line.strip() in student[index].source
    )
    assert not leaked, f"solution lines left in the student version of 02: {leaked}"


# --- the answers stay hidden (issue 21): outputs from a stub to the end of its exercise ---


def _md(text: str, tags: list[str] | None = None) -> Any:
    cell = nbformat.v4.new_markdown_cell(text)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _ran(source: str, text: str, tags: list[str] | None = None) -> Any:
    cell = _code(source, tags)
    cell.outputs = [_stream(text)]
    cell.execution_count = 1
    return cell


def test_answer_cells_run_from_the_stub_to_the_next_heading() -> None:
    cells = [
        _md("## 1 · Lesson"),
        _ran("x = 1", "lesson output\n"),  # 1: before any exercise: kept
        _md("### Exercise 1"),
        _code("guess = 3", ["solution"]),  # 3
        _ran("check(guess)", "Correct: 3\n"),  # 4: cleared
        _md("**What to notice.** plain text is no heading"),
        _ran("run()", "the answer\n"),  # 6: cleared (still the exercise)
        _ran("plot()", "lesson figure\n", ["keep-output"]),  # 7: kept by tag
        _md("## 2 · Next lesson"),
        _ran("y = 2", "more lesson\n"),  # 9: kept
        _ran("reveal()", "the answer again\n", ["exercise-part"]),  # 10: cleared by tag
    ]
    assert answer_cells(cells) == [4, 6, 10]


def test_student_version_clears_answers_and_keeps_the_rest(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _md("# T"),
        _ran("x = 1", "lesson output\n"),
        _code("guess = 3", ["solution"]),
        _ran("check(guess)", "Correct: 3\n"),
        _md("## Next"),
        _ran("y = 2", "more lesson\n"),
    ]
    src = tmp_path / "00_t.ipynb"
    nbformat.write(nb, src)
    report = make_student_version(src, tmp_path / "out" / "00_t.ipynb")
    out = nbformat.read(report.dst, as_version=4)
    assert report.outputs_cleared == [3]
    assert out.cells[3].outputs == [] and out.cells[3].execution_count is None
    assert output_text(out.cells[1]).strip() == "lesson output"
    assert output_text(out.cells[5]).strip() == "more lesson"
    assert leaked_verdicts(out) == []
    assert leaked_verdicts(nb) == [3]  # the instructor's version shows it


@pytest.mark.slow
def test_whole_course_student_versions_show_no_verdict(tmp_path: Path) -> None:
    """Over the generated course: no verdict, every answer cell clear, the rest untouched."""
    reports = write_student_versions(NOTEBOOKS, tmp_path)
    assert len(reports) == len(list(NOTEBOOKS.glob("*.ipynb")))
    problems = []
    for report in reports:
        teacher = nbformat.read(report.src, as_version=4)
        student = nbformat.read(report.dst, as_version=4)
        name = report.src.name
        leaks = leaked_verdicts(student)
        if leaks:
            problems.append(f"{name}: cells {leaks} still show a check's verdict")
        cleared = set(answer_cells(teacher.cells))
        for index, (mine, theirs) in enumerate(zip(student.cells, teacher.cells)):
            if mine.cell_type != "code" or is_solution(theirs):
                continue
            if index in cleared and mine.outputs:
                problems.append(f"{name}: cell {index} is inside an exercise but keeps outputs")
            if index not in cleared and mine.outputs != theirs.outputs:
                problems.append(f"{name}: cell {index} lies outside every exercise but changed")
        if not cleared:
            problems.append(f"{name}: no exercise found (no cell tagged solution?)")
    assert not problems, "\n".join(problems)
