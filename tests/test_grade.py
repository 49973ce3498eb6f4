"""Tests of imgcourse.course.grade and ``imgcourse grade``: a tiny course notebook with two
exercises (cheap checks of imgcourse.exercises.convolution), a generated class graded into
the expected gradebook, and the pieces (matching, the graded notebook, the Feedback log) on
their own."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from pathlib import Path

import nbformat
import pytest

from imgcourse import atomic
from imgcourse.cli import main
from imgcourse.course import grade
from imgcourse.course.catalogue import CourseError
from imgcourse.course.student import make_student_version
from imgcourse.exercises import ENV_FEEDBACK_LOG, Feedback, NotYet, check, report

SOLUTION_1 = '''# Exercise 1: the output size of a convolution
def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    """Output length along one axis (an int)."""
    ### BEGIN SOLUTION
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1
    ### END SOLUTION'''
CHECK_1 = "feedback = checks.check_conv_output_size(conv_output_size)\nassert feedback.passed"
SOLUTION_2 = "# Exercise 2: predict the Sobel response on the edge\npredicted_edge = -2.0"
CHECK_2 = "feedback = checks.check_edge_prediction(predicted_edge)\nassert feedback.passed"
WRONG_1 = '''# Exercise 1: the output size of a convolution
def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    """Output length along one axis (an int)."""
    return size - kernel_size'''
LOOP_1 = """# Exercise 1: the output size of a convolution
def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    return 0
while True:
    pass"""
#: alice leaves traces; bob's notebook fails a cell if he can see them.
LEAVE_TRACES = (
    "import os, tempfile, urllib.request\n"
    "open('trace.txt', 'w').write('alice')\n"
    "open(os.path.join(tempfile.gettempdir(), 'trace.txt'), 'w').write('alice')\n"
    "os.environ['ALICE_WAS_HERE'] = '1'\n"
    "try:\n"
    "    urllib.request.urlopen('http://example.com', timeout=5)\n"
    "    network = 'on'\n"
    "except Exception:\n"
    "    network = 'off'\n"
    "assert network == 'off', 'the network is reachable from a graded kernel'"
)
SEE_NO_TRACES = (
    "import os, tempfile\n"
    "assert not os.path.exists('trace.txt')\n"
    "assert not os.path.exists(os.path.join(tempfile.gettempdir(), 'trace.txt'))\n"
    "assert 'ALICE_WAS_HERE' not in os.environ"
)
TIMEOUT = 10  # seconds per notebook in the tests; the cells themselves take milliseconds


def _course_notebook(path: Path) -> Path:
    cells = [
        nbformat.v4.new_markdown_cell("# 01 · Tiny\n\nTwo exercises for the grader's tests."),
        nbformat.v4.new_code_cell("SEED = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from imgcourse.exercises import convolution as checks"),
        nbformat.v4.new_markdown_cell("Write `conv_output_size`."),
        nbformat.v4.new_code_cell(
            SOLUTION_1, metadata={"tags": ["solution"], "imgcourse": {"hint": "count positions"}}
        ),
        nbformat.v4.new_code_cell(CHECK_1),
        nbformat.v4.new_markdown_cell("Predict the response."),
        nbformat.v4.new_code_cell(
            SOLUTION_2, metadata={"tags": ["solution"], "imgcourse": {"hint": "left minus right"}}
        ),
        nbformat.v4.new_code_cell(CHECK_2),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _answer(student: nbformat.NotebookNode, number: int, source: str) -> None:
    """Put ``source`` into the student's stub of exercise ``number``."""
    for cell in student.cells:
        if cell.source.startswith(f"# Exercise {number}:") and cell.cell_type == "code":
            cell.source = source
            return
    raise AssertionError(f"no stub for exercise {number}")


def _edit(student: nbformat.NotebookNode, old: str, new: str) -> None:
    for cell in student.cells:
        if cell.source == old:
            cell.source = new
            return
    raise AssertionError(f"no cell {old!r}")


def _insert_before_first_exercise(student: nbformat.NotebookNode, source: str) -> None:
    at = next(i for i, c in enumerate(student.cells) if c.source.startswith("# Exercise 1"))
    student.cells.insert(at, nbformat.v4.new_code_cell(source))


def _sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _course_notebook(tmp_path_factory.mktemp("course") / "01_tiny.ipynb").parent


@pytest.fixture(scope="module")
def student_version(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("student") / "01_tiny.ipynb"
    make_student_version(course / "01_tiny.ipynb", dst)
    return dst


def _write_class(student_version: Path, folder: Path) -> None:
    """Five submissions in both layouts: a folder per student and files named by student."""

    def version() -> nbformat.NotebookNode:
        return nbformat.read(student_version, as_version=4)

    alice = version()  # all right, and leaves traces for the others
    _answer(alice, 1, SOLUTION_1)
    _answer(alice, 2, SOLUTION_2)
    _insert_before_first_exercise(alice, LEAVE_TRACES)
    bob = version()  # all wrong; fails a cell if he sees alice's traces
    _answer(bob, 1, WRONG_1)
    _answer(bob, 2, "# Exercise 2: predict\npredicted_edge = 2.0")
    _insert_before_first_exercise(bob, SEE_NO_TRACES)
    carol = version()  # never finishes
    _answer(carol, 1, LOOP_1)
    dave = version()  # wrong answer, check cell edited to look passed
    _answer(dave, 1, WRONG_1)
    _answer(dave, 2, SOLUTION_2)
    _edit(dave, CHECK_1, "print('Correct: all 9 cases match')")
    (folder / "alice").mkdir(parents=True)
    (folder / "carol").mkdir()
    nbformat.write(alice, folder / "alice" / "01_tiny.ipynb")
    nbformat.write(bob, folder / "bob_01_tiny.ipynb")
    nbformat.write(carol, folder / "carol" / "homework.ipynb")
    nbformat.write(dave, folder / "dave_01.ipynb")
    (folder / "erin.ipynb").write_text('{"cells": [ not json', encoding="utf-8")


@pytest.fixture(scope="module")
def graded_class(
    course: Path, student_version: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict:
    root = tmp_path_factory.mktemp("class")
    _write_class(student_version, root / "submissions")
    before = _sha256(course)
    start = time.perf_counter()
    code = main(
        [
            "grade",
            str(root / "submissions"),
            "--out",
            str(root / "grades"),
            "--source",
            str(course),
            "--timeout",
            str(TIMEOUT),
        ]
    )
    seconds = time.perf_counter() - start
    with open(root / "grades" / "gradebook.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"graded the class in {seconds:.1f} s")
    print((root / "grades" / "gradebook.csv").read_text(encoding="utf-8"))
    return {
        "code": code,
        "rows": {r["student"]: r for r in rows},
        "out": root / "grades",
        "before": before,
        "after": _sha256(course),
        "seconds": seconds,
    }


@pytest.mark.slow
def test_class_gradebook(graded_class: dict) -> None:
    assert graded_class["code"] == 0
    rows = graded_class["rows"]
    got = {s: (r["01_ex1"], r["01_ex2"], r["passed"]) for s, r in rows.items()}
    assert got == {
        "alice": ("pass", "pass", "2"),
        "bob": ("fail", "fail", "0"),
        "carol": ("timeout", "timeout", "0"),
        "dave": ("fail", "pass", "1"),
        "erin": ("-", "-", "0"),
    }
    assert rows["alice"]["status"] == "ok"  # no network, files written only in its own run
    assert rows["bob"]["status"] == "ok"  # saw none of alice's files or variables
    assert rows["carol"]["status"].startswith(f"timeout: did not finish within {TIMEOUT} s")
    assert rows["dave"]["status"] == "edited check of ex1 (the course's check was run)"
    assert rows["erin"]["status"].startswith("not valid JSON")
    assert float(rows["carol"]["seconds"]) < TIMEOUT + 30
    assert list(rows["alice"]) == ["student", "status", "01_ex1", "01_ex2", "passed", "seconds"]


@pytest.mark.slow
def test_class_reports_and_originals(graded_class: dict) -> None:
    out = graded_class["out"]
    assert graded_class["before"] == graded_class["after"], "the course notebook was modified"
    assert sorted(p.name for p in (out / "feedback").glob("*.html")) == [
        f"{s}.html" for s in ("alice", "bob", "carol", "dave", "erin")
    ]
    bob = (out / "feedback" / "bob.html").read_text(encoding="utf-8")
    assert "Not yet" in bob and "expected 30" in bob  # the check's own feedback text
    assert "_imgcourse_grade" not in bob  # the harness cell is hidden
    details = {d["student"]: d for d in json.loads((out / "gradebook.json").read_text())}
    assert "expected 30" in details["bob"]["exercises"]["01_ex1"]["feedback"]
    assert details["dave"]["exercises"]["01_ex1"]["result"] == "fail"
    assert not list(out.parent.glob(".grades.*")), "the staging folder was left behind"


@pytest.mark.slow
def test_deleted_check_and_error_before_checks(
    course: Path, student_version: Path, tmp_path: Path
) -> None:
    frank = nbformat.read(student_version, as_version=4)
    _answer(frank, 1, SOLUTION_1)
    _answer(frank, 2, "# Exercise 2: predict\npredicted_edge = 2.0")
    frank.cells = [c for c in frank.cells if c.source != CHECK_2]  # deleted check
    _insert_before_first_exercise(frank, "1 / 0")
    (tmp_path / "in").mkdir()
    nbformat.write(frank, tmp_path / "in" / "frank.ipynb")
    results = grade.grade_class(tmp_path / "in", tmp_path / "out", source=course, timeout=TIMEOUT)
    (result,) = results
    assert result.outcomes["01_ex1"].value == "pass"
    assert result.outcomes["01_ex2"].value == "fail"  # the course's check was put back
    assert "deleted check of ex2" in result.status
    assert "raised before the checks: ZeroDivisionError" in result.status


def test_graded_notebook_replaces_checks(course: Path, student_version: Path) -> None:
    course_nb = grade.read_course_notebook(course / "01_tiny.ipynb")
    assert [e.key for e in course_nb.exercises] == ["ex1", "ex2"]
    student = nbformat.read(student_version, as_version=4)
    _edit(student, CHECK_1, "feedback = True")
    student.cells = [c for c in student.cells if c.source != CHECK_2]
    before = json.dumps(student, sort_keys=True)
    graded, notes = grade.build_graded_notebook(course_nb, student)
    assert json.dumps(student, sort_keys=True) == before  # the submission is not changed
    assert notes == [
        "edited check of ex1 (the course's check was run)",
        "deleted check of ex2 (the course's check was run)",
    ]
    sources = [c.source for c in graded.cells]
    assert "feedback = True" not in sources
    assert sources.count(CHECK_1) == sources.count(CHECK_2) == 1
    roles = [c.metadata.get(grade.META, {}).get("role") for c in graded.cells]
    assert roles[0] == "harness" and roles.count("check") == 2 and roles.count("answer") == 2
    assert sources.index(CHECK_2) == roles.index("answer", sources.index(CHECK_1)) + 1
    code = [c for c in graded.cells[1:] if c.cell_type == "code"]
    assert all("raises-exception" in c.metadata["tags"] for c in code)
    assert all(not c.outputs for c in code)


def test_find_submissions_both_layouts(course: Path, tmp_path: Path) -> None:
    course_nbs = grade.read_course(course)
    (tmp_path / "alice").mkdir()
    for path in ("alice/01_tiny.ipynb", "bob_01_tiny.ipynb", "01-carol.ipynb", "dave.ipynb"):
        (tmp_path / path).write_text("{}", encoding="utf-8")
    found = grade.find_submissions(tmp_path, course_nbs)
    assert [(s.student, s.notebook.name) for s in found] == [
        ("carol", "01_tiny"),
        ("alice", "01_tiny"),
        ("bob", "01_tiny"),
        ("dave", "01_tiny"),
    ]
    (tmp_path / "empty").mkdir()
    with pytest.raises(CourseError, match="no submitted notebooks"):
        grade.find_submissions(tmp_path / "empty", course_nbs)
    with pytest.raises(CourseError, match="not found"):
        grade.find_submissions(tmp_path / "nowhere", course_nbs)


def test_a_submission_of_05b_is_not_taken_for_05(tmp_path: Path) -> None:
    def nb(name: str) -> grade.CourseNotebook:
        number = name.split("_", 1)[0]
        return grade.CourseNotebook(
            path=tmp_path / f"{name}.ipynb", number=number, name=name, exercises=[]
        )

    course_nbs = [nb("05_cnn_architectures"), nb("05b_depth_and_scaling")]
    for stem, want in [
        ("alice_05b", "05b_depth_and_scaling"),
        ("05b-bob", "05b_depth_and_scaling"),
        ("carol_05", "05_cnn_architectures"),
        ("dave_depth_and_scaling", "05b_depth_and_scaling"),
    ]:
        found, rest = grade._match_notebook(stem, course_nbs)
        assert found is not None and found.name == want, (stem, found)
        assert "05" not in rest, (stem, rest)
    assert grade._number("05b_depth_and_scaling") == "05b"


def test_refuses_out_inside_course_and_student_versions(
    course: Path, student_version: Path, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(CourseError, match="inside"):
        grade.grade_class(tmp_path / "in", course / "grades", source=course)
    with pytest.raises(CourseError, match="no code cell tagged 'solution'"):
        grade.read_course_notebook(student_version)
    with pytest.raises(CourseError, match="positive"):
        grade.grade_class(tmp_path / "in", tmp_path / "out", source=course, timeout=0)


def test_feedback_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "feedback.jsonl"
    monkeypatch.delenv(ENV_FEEDBACK_LOG, raising=False)
    report(Feedback(True, "not logged"))
    assert not log.exists()
    monkeypatch.setenv(ENV_FEEDBACK_LOG, str(log))
    Feedback(True, "built, never shown: not logged")
    first = report(Feedback(False, "the shape is (3, 3)"))
    report(Feedback(True, "fine"))
    assert str(first) == "Not yet: the shape is (3, 3)"  # what a learner sees is unchanged
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == [
        {"kind": "feedback", "passed": False, "message": "the shape is (3, 3)"},
        {"kind": "feedback", "passed": True, "message": "fine"},
    ]
    assert capsys.readouterr().out.splitlines()[-1] == "Correct: fine"


def test_a_check_logs_exactly_its_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One line per check call, the verdict it printed, whatever it built on its way."""

    @check
    def check_positive(x: float) -> Feedback:
        if x <= 0:
            raise NotYet(f"{x} is not positive.")
        Feedback(False, "an intermediate result")  # built, not reported: not logged
        return f"{x} is positive."

    log = tmp_path / "feedback.jsonl"
    monkeypatch.setenv(ENV_FEEDBACK_LOG, str(log))
    check_positive(-1)
    check_positive(2)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["passed"], line["message"]) for line in lines] == [
        (False, "-1 is not positive."),
        (True, "2 is positive."),
    ]


def test_kernel_environment_points_proxies_at_a_closed_port(tmp_path: Path) -> None:
    env = grade.kernel_environment(tmp_path)
    assert env["https_proxy"] == env["HTTP_PROXY"] == grade.CLOSED_PROXY
    assert env[ENV_FEEDBACK_LOG] == str(tmp_path / "feedback.jsonl")
    assert "IMGCOURSE_MIRROR" not in env and "NO_PROXY" not in env
    assert env["TMPDIR"] == str(tmp_path / "tmp")


def test_read_outcomes_names_the_students_error(
    course: Path, student_version: Path, tmp_path: Path
) -> None:
    """A stub left as it is: the check raised NameError, the report names the stub's error."""
    course_nb = grade.read_course_notebook(course / "01_tiny.ipynb")
    graded, _ = grade.build_graded_notebook(course_nb, nbformat.read(student_version, 4))
    log = tmp_path / "feedback.jsonl"
    lines = []
    for count, cell in enumerate(c for c in graded.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        role = cell.metadata.get(grade.META, {})
        if role.get("exercise") == "ex1":
            name = "NotImplementedError" if role["role"] == "answer" else "NameError"
            cell.outputs = [nbformat.v4.new_output("error", ename=name, evalue="stub")]
        if role == {"role": "check", "exercise": "ex2"}:
            lines.append({"kind": "feedback", "passed": True, "message": "intermediate"})
            lines.append({"kind": "feedback", "passed": False, "message": "the sign is wrong"})
        lines.append({"kind": "cell", "count": count + 1})
    log.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    outcomes, notes = grade.read_outcomes(course_nb, graded, log, timed_out=False)
    assert outcomes["01_ex1"] == grade.Outcome("error", "NotImplementedError: stub")
    assert outcomes["01_ex2"] == grade.Outcome("fail", "the sign is wrong")
    assert notes == []


def test_replace_folder_swaps_an_earlier_gradebook(tmp_path: Path) -> None:
    """grade_class builds the gradebook with imgcourse.atomic.replace_folder."""
    out = tmp_path / "grades"
    out.mkdir()
    (out / "gradebook.csv").write_text("old", encoding="utf-8")
    with atomic.replace_folder(out) as new:
        (new / "gradebook.csv").write_text("new", encoding="utf-8")
    assert (out / "gradebook.csv").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades"]


def test_cli_usage_errors_exit_2(
    course: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grade", str(tmp_path / "nowhere"), "--source", str(course)]) == 2
    assert "submissions folder" in capsys.readouterr().err
