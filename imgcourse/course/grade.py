"""Grading a class's submitted notebooks: ``imgcourse grade SUBMISSIONS_DIR``.

The instructor hands out student versions (``imgcourse student``), collects the notebooks and
grades them here. For each submission:

1. it is matched to a course notebook by name or number (``02_cnn_basics.ipynb``,
   ``alice_02.ipynb``, or ``alice.ipynb`` when the course source is a single notebook);
2. a *graded notebook* is built from the student's cells, with every check cell replaced by
   the course's own check cell (matched by cell id or source; a deleted check is put back
   after the student's answer cell), so editing or deleting a check cannot pass it;
3. it runs through papermill in a kernel of its own, in a fresh temporary working folder
   (also its ``TMPDIR``), with a time limit for the whole notebook and the network off
   (a new network namespace through ``unshare -rn`` where Linux allows it, and always proxies
   pointed at a closed port of 127.0.0.1);
4. each check's verdict is read from the JSON lines that :func:`imgcourse.exercises.report`
   writes when ``IMGCOURSE_FEEDBACK_LOG`` is set, and errors from the executed cells.

The output folder (written to a temporary folder, then renamed into place) holds
``gradebook.csv`` (one row per student, one column per exercise, a status column),
``gradebook.json`` (the same with the feedback texts), ``feedback/<student>.html`` and the
executed graded notebooks in ``executed/<student>/``. The instructor's workflow, from
``imgcourse student`` to ``imgcourse grade``, is in README.md and the book's how-to page.

The grader guards against mistakes and edited check cells, not against code written to
fool it (a student's code runs in the same kernel as the checks).
"""

from __future__ import annotations

import csv
import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from imgcourse import atomic
from imgcourse.course.catalogue import NOTEBOOK_NAME, CourseError, notebooks_dir
from imgcourse.course.student import SOLUTION_TAG
from imgcourse.exercises import ENV_FEEDBACK_LOG

#: Per-notebook time limit, in seconds, unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT = 600
#: Proxy settings handed to each kernel: a closed port, so any HTTP(S) request fails fast.
CLOSED_PROXY = "http://127.0.0.1:9"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")
#: Metadata key marking the cells the grader reads back.
META = "imgcourse_grade"
EXERCISE_LINE = re.compile(r"^\s*#\s*Exercise\s+(\w+)\s*[:.\-]?\s*(.*)$", re.IGNORECASE)
CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")
#: Values of the exercise columns.
PASS, FAIL, ERROR, TIMEOUT, NOT_RUN, MISSING, UNGRADED = (
    "pass",
    "fail",
    "error",
    "timeout",
    "not run",
    "missing",
    "-",
)
#: The graded notebook's first cell (hidden in reports): after each cell, append its execution
#: count to the feedback log, so the grader knows which cell wrote the Feedback lines before.
HARNESS_SOURCE = f"""# imgcourse grade: logs the end of each cell to the feedback log
def _imgcourse_grade_hook():
    import json, os
    target = os.environ["{ENV_FEEDBACK_LOG}"]

    def after(result):
        line = {{"kind": "cell", "count": result.execution_count}}
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\\n")

    get_ipython().events.register("post_run_cell", after)


_imgcourse_grade_hook()
del _imgcourse_grade_hook"""


@dataclass
class Exercise:
    """One graded exercise of a course notebook: its solution cell and its check cell."""

    key: str  # "ex1"
    title: str
    solution_id: str | None
    check_source: str | None
    check_id: str | None = None


@dataclass
class CourseNotebook:
    """A course notebook as the grader sees it: its exercises, in order."""

    path: Path
    number: str
    name: str  # "02_cnn_basics"
    exercises: list[Exercise]

    def column(self, exercise: Exercise) -> str:
        return f"{self.number}_{exercise.key}"


@dataclass
class Submission:
    """One submitted notebook file, with the student and course notebook it belongs to."""

    student: str
    path: Path
    notebook: CourseNotebook | None
    problem: str = ""


@dataclass
class Outcome:
    """The verdict on one exercise: a column value and the feedback text or error."""

    value: str
    message: str = ""


@dataclass
class GradeResult:
    """Everything the gradebook says about one submission."""

    student: str
    notebook: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # column -> outcome
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    executed: Path | None = None

    @property
    def status(self) -> str:
        return "; ".join(self.notes) if self.notes else "ok"


# --------------------------------------------------------------------------- course side


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line
    return ""


def _exercise_key(source: str, fallback: int) -> tuple[str, str]:
    match = EXERCISE_LINE.match(_first_line(source))
    if match:
        return f"ex{match.group(1).lower()}", match.group(2).strip()
    return f"ex{fallback}", ""


def read_course_notebook(path: Path) -> CourseNotebook:
    """The exercises of an instructor notebook: each code cell tagged ``solution`` and the
    first code cell after it (before the next solution) that calls a ``check_...`` function.

    Raises:
        CourseError: the file is not a readable notebook or has no solution cells.
    """
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:
        raise CourseError(f"cannot read the course notebook {path}: {error}") from None
    match = NOTEBOOK_NAME.match(path.name)
    number = match.group(1) if match else path.stem
    exercises: list[Exercise] = []
    cells = nb.cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or SOLUTION_TAG not in cell.metadata.get("tags", []):
            continue
        key, title = _exercise_key(cell.source, len(exercises) + 1)
        check = None
        for later in cells[index + 1 :]:
            if SOLUTION_TAG in later.metadata.get("tags", []):
                break
            if later.cell_type == "code" and CHECK_CALL.search(later.source):
                check = later
                break
        exercises.append(
            Exercise(
                key=key,
                title=title,
                solution_id=cell.get("id"),
                check_source=check.source if check is not None else None,
                check_id=check.get("id") if check is not None else None,
            )
        )
    if not exercises:
        raise CourseError(
            f"{path.name} has no code cell tagged 'solution': nothing to grade. Point --source "
            "at the instructor's notebook (with solutions), not a student version."
        )
    return CourseNotebook(path=path, number=number, name=path.stem, exercises=exercises)


def read_course(source: Path | None = None) -> list[CourseNotebook]:
    """The gradable notebooks of ``source``: one notebook file, or every notebook with
    solution cells in a folder (default: the course's notebooks folder)."""
    source = Path(source) if source is not None else notebooks_dir()
    if source.is_file():
        return [read_course_notebook(source)]
    if not source.is_dir():
        raise CourseError(f"--source {source} is neither a notebook nor a folder")
    found = []
    for path in sorted(source.glob("*.ipynb")):
        try:
            found.append(read_course_notebook(path))
        except CourseError:
            continue  # no exercises (00_welcome, ...): nothing to grade there
    if not found:
        raise CourseError(f"no notebook with solution cells in {source}")
    return found


# ------------------------------------------------------------------------ submissions


def _match_notebook(stem: str, course: list[CourseNotebook]) -> tuple[CourseNotebook | None, str]:
    """The course notebook a file stem names, and the rest of the stem (the student)."""
    low = stem.lower()
    for nb in course:
        for token in (nb.name.lower(), nb.name.split("_", 1)[-1].lower()):
            if token and token in low:
                return nb, low.replace(token, " ", 1)
    # the longer number first: "hw_05b" is 05b, not 05
    for nb in sorted(course, key=lambda nb: -len(nb.number)):
        pattern = re.compile(rf"(?<!\d){re.escape(nb.number)}(?!\d)")
        if pattern.search(low):
            return nb, pattern.sub(" ", low, count=1)
    if len(course) == 1:
        return course[0], low
    return None, low


def _number(notebook: str) -> str:
    """The course number of a notebook's name: ``05b`` for ``05b_depth_and_scaling``."""
    match = NOTEBOOK_NAME.match(notebook + ".ipynb")
    return match.group(1) if match else notebook


def _clean_name(text: str) -> str:
    return re.sub(r"[\s_.\-]+", "_", text).strip("_")


def find_submissions(folder: Path, course: list[CourseNotebook]) -> list[Submission]:
    """The submitted notebooks in ``folder``, in two layouts (they may be mixed):

    - one folder per student: ``alice/02_cnn_basics.ipynb`` (the folder names the student,
      the file's name or number the notebook);
    - files named by student: ``alice_02_cnn_basics.ipynb``, ``02_alice.ipynb``, or just
      ``alice.ipynb`` when only one course notebook is graded.

    Raises:
        CourseError: ``folder`` does not exist or holds no ``*.ipynb`` file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseError(f"submissions folder {folder} not found")
    found: list[Submission] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            for path in sorted(entry.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in path.parts:
                    continue
                nb, _ = _match_notebook(path.stem, course)
                problem = "" if nb else "cannot tell which course notebook this is"
                found.append(Submission(entry.name, path, nb, problem))
        elif entry.suffix == ".ipynb":
            nb, rest = _match_notebook(entry.stem, course)
            student = _clean_name(rest) if nb else entry.stem
            problem = "" if nb else "cannot tell which course notebook this is"
            found.append(Submission(student or entry.stem, entry, nb, problem))
    if not found:
        raise CourseError(
            f"no submitted notebooks (*.ipynb) in {folder}: put one folder per student, or "
            "files named by student (alice_02_cnn_basics.ipynb)"
        )
    return found


# -------------------------------------------------------------------- graded notebook


def _role(cell: Any) -> dict[str, str]:
    return cell.metadata.get(META, {})


def _find_answer(cells: list[Any], exercise: Exercise) -> int | None:
    for i, cell in enumerate(cells):
        if exercise.solution_id and cell.get("id") == exercise.solution_id:
            return i
    for i, cell in enumerate(cells):
        match = EXERCISE_LINE.match(_first_line(cell.source))
        if cell.cell_type == "code" and match and f"ex{match.group(1).lower()}" == exercise.key:
            return i
    return None


def _find_check(cells: list[Any], exercise: Exercise) -> tuple[int | None, bool]:
    """Index of the student's copy of the check cell and whether it was edited."""
    wanted = (exercise.check_source or "").strip()
    cells = [
        c if _role(c).get("role") != "check" else nbformat.v4.new_markdown_cell() for c in cells
    ]
    for i, cell in enumerate(cells):
        if exercise.check_id and cell.get("id") == exercise.check_id:
            return i, cell.source.strip() != wanted
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.source.strip() == wanted:
            return i, False
    names = set(re.findall(r"\b(check_\w+)\s*\(", wanted))
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and names & set(re.findall(r"\b(check_\w+)", cell.source)):
            if not EXERCISE_LINE.match(_first_line(cell.source)):
                return i, True
    return None, False


def build_graded_notebook(
    course_nb: CourseNotebook, student_nb: nbformat.NotebookNode
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to execute: the student's cells, outputs cleared, each check cell
    replaced by the course's own (put back after the answer when deleted), every code cell
    tagged ``raises-exception`` so one error does not stop the rest, and a first cell that
    records which cell runs. Returns it with notes on edited or deleted checks and missing
    answers. The student's notebook object is not changed.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(student_nb)))
    notes: list[str] = []
    cells = list(nb.cells)
    for cell in cells:
        cell.metadata.pop(META, None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    for exercise in course_nb.exercises:
        answer = _find_answer(cells, exercise)
        if answer is not None:
            cells[answer].metadata[META] = {"role": "answer", "exercise": exercise.key}
        else:
            notes.append(f"answer cell of {exercise.key} missing")
        if exercise.check_source is None:
            continue
        check = nbformat.v4.new_code_cell(exercise.check_source)
        check.metadata[META] = {"role": "check", "exercise": exercise.key}
        at, edited = _find_check(cells, exercise)
        if at is not None:
            if edited:
                notes.append(f"edited check of {exercise.key} (the course's check was run)")
            cells[at] = check
        elif answer is not None:
            notes.append(f"deleted check of {exercise.key} (the course's check was run)")
            cells.insert(answer + 1, check)
        else:
            cells.append(check)
    harness = nbformat.v4.new_code_cell(HARNESS_SOURCE)
    harness.metadata["tags"] = ["remove-cell"]
    harness.metadata[META] = {"role": "harness"}
    for cell in cells:
        if cell.cell_type == "code":
            tags = [t for t in cell.metadata.get("tags", []) if t != "raises-exception"]
            cell.metadata["tags"] = [*tags, "raises-exception"]
    nb.cells = [harness, *cells]
    nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    for cell in nb.cells:
        if "id" not in cell:
            cell["id"] = nbformat.v4.new_code_cell().id
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb, notes


# ------------------------------------------------------------------ running one notebook


@functools.lru_cache(maxsize=1)
def network_sandbox() -> tuple[list[str], str]:
    """The command prefix that runs a process without network, and a sentence saying what
    the grader does about the network."""
    proxies = f"proxies set to {CLOSED_PROXY} (a closed port)"
    unshare = shutil.which("unshare")
    if sys.platform.startswith("linux") and unshare:
        try:
            probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            probe = None
        if probe is not None and probe.returncode == 0:
            return [unshare, "-rn"], f"network off (own network namespace, unshare -rn); {proxies}"
    return [], f"no network namespace on this platform; {proxies}"


def kernel_environment(run_dir: Path) -> dict[str, str]:
    """The environment of one graded run: the grader's, with proxies at a closed port, the
    feedback log and temporary files in ``run_dir``, and no download mirror or results file."""
    env = dict(os.environ)
    for name in PROXY_VARIABLES:
        env[name] = env[name.upper()] = CLOSED_PROXY
    for name in ("no_proxy", "NO_PROXY", "IMGCOURSE_MIRROR", "IMGCOURSE_RESULTS"):
        env.pop(name, None)
    (run_dir / "tmp").mkdir(exist_ok=True)
    env.update(
        {
            ENV_FEEDBACK_LOG: str(run_dir / "feedback.jsonl"),
            "TMPDIR": str(run_dir / "tmp"),
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _kernel_manager_class(env: dict[str, str], prefix: list[str], log: Any) -> type:
    """A Jupyter kernel manager that starts the kernel with ``env`` (instead of the grader's
    environment), its command behind ``prefix`` (``unshare -rn``: no network) and its own
    output to the open file ``log`` (not the grader's terminal)."""
    from jupyter_client.manager import AsyncKernelManager

    class GradeKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            return [*prefix, *super().format_kernel_cmd(extra_arguments)]

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            kw.update(env=dict(env), stdout=log, stderr=log)
            return await super()._async_pre_start_kernel(**kw)

    return GradeKernelManager


def run_graded(graded: Path, executed: Path, run_dir: Path, timeout: float) -> dict[str, str]:
    """Execute a graded notebook with papermill in a kernel of its own, started with
    :func:`kernel_environment` in ``run_dir/work`` (the network off where possible), at most
    ``timeout`` seconds from its first cell on. Returns ``{"status", "error"}``; the status
    is ``finished`` (even when cells raised: they are read back from ``executed``),
    ``timeout``, ``dead kernel`` or ``error``."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from imgcourse.course.runner import _kernel_sockets_config, _papermill_engine

    work = run_dir / "work"
    work.mkdir(exist_ok=True)
    deadline: list[float] = []

    def remaining(cell: Any) -> int:
        if not deadline:
            deadline.append(time.monotonic() + timeout)
        return max(1, round(deadline[0] - time.monotonic()))

    try:
        with (
            open(run_dir / "kernel.log", "ab") as log,
            _kernel_sockets_config() as config,
        ):
            manager = _kernel_manager_class(kernel_environment(run_dir), network_sandbox()[0], log)
            papermill.execute_notebook(
                str(graded),
                str(executed),
                cwd=str(work),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                engine_name=_papermill_engine(),
                timeout_func=remaining,
                kernel_manager_class=manager,
                config=config,
            )
    except papermill.PapermillExecutionError:
        pass  # errors of the student's cells: read back from the executed notebook
    except CellTimeoutError:
        return {"status": "timeout", "error": f"did not finish within {timeout:g} s"}
    except DeadKernelError as error:
        return {"status": "dead kernel", "error": f"the kernel died: {_shorten(str(error))}"}
    except Exception as error:  # report anything else as this notebook's error, go on
        return {"status": "error", "error": f"{type(error).__name__}: {_shorten(str(error))}"}
    return {"status": "finished", "error": ""}


def _cell_error(cell: Any) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    return ""


def _feedback_by_count(log: Path) -> dict[int, list[dict[str, Any]]]:
    """Feedback lines grouped by the execution count of the cell that wrote them (the
    harness writes a cell's count after the cell, so the lines before it are that cell's)."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    pending: list[dict[str, Any]] = []
    if not log.exists():
        return grouped
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("kind") == "feedback":
            pending.append(entry)
        elif entry.get("kind") == "cell" and isinstance(entry.get("count"), int):
            grouped[entry["count"]], pending = pending, []
    return grouped


def read_outcomes(
    course_nb: CourseNotebook, executed: nbformat.NotebookNode, log: Path, timed_out: bool
) -> tuple[dict[str, Outcome], list[str]]:
    """Each exercise's outcome from an executed graded notebook and its feedback log, and
    notes on errors raised outside the answer and check cells."""
    feedback = _feedback_by_count(log)
    answers: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    notes: list[str] = []
    seen_check = False
    for cell in executed.cells:
        role = _role(cell)
        if role.get("role") == "answer":
            answers[role["exercise"]] = cell
        elif role.get("role") == "check":
            checks[role["exercise"]] = cell
            seen_check = True
        elif cell.cell_type == "code" and role.get("role") != "harness" and _cell_error(cell):
            where = "before the checks" if not seen_check else "after a check"
            snippet = _shorten(_first_line(cell.source), 40)
            notes.append(f"cell `{snippet}` raised {where}: {_shorten(_cell_error(cell))}")
    outcomes: dict[str, Outcome] = {}
    for exercise in course_nb.exercises:
        column = course_nb.column(exercise)
        answer, check = answers.get(exercise.key), checks.get(exercise.key)
        answer_error = _cell_error(answer) if answer is not None else ""
        if check is None:  # no check cell in the course: the answer must run without error
            if answer is None:
                outcomes[column] = Outcome(MISSING, "no answer cell")
            elif answer.get("execution_count") is None:
                outcomes[column] = Outcome(TIMEOUT if timed_out else NOT_RUN)
            else:
                outcomes[column] = Outcome(ERROR, answer_error) if answer_error else Outcome(PASS)
            continue
        count = check.get("execution_count")
        check_error = _cell_error(check)
        if count is None:
            if timed_out:
                outcomes[column] = Outcome(TIMEOUT, "the check did not run within the time limit")
            else:
                outcomes[column] = Outcome(NOT_RUN, "the check did not run")
            continue
        lines = feedback.get(count, [])
        if lines:
            last = lines[-1]
            if last["passed"] and not check_error:
                outcomes[column] = Outcome(PASS, last["message"])
            elif last["passed"]:  # the check said yes, then the cell raised
                outcomes[column] = Outcome(ERROR, check_error)
            else:
                message = last["message"]
                if answer_error:
                    message += f" (your answer cell raised {answer_error})"
                outcomes[column] = Outcome(FAIL, message)
        elif check_error:
            outcomes[column] = Outcome(ERROR, answer_error or check_error)
        else:
            outcomes[column] = Outcome(PASS, "the check ran without error")
        if answer is None and outcomes[column].value != PASS:
            outcomes[column] = Outcome(MISSING, "no answer cell; " + outcomes[column].message)
    return outcomes, notes


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def grade_submission(submission: Submission, out_dir: Path, timeout: float) -> GradeResult:
    """Grade one submitted notebook; its executed graded notebook goes to
    ``out_dir/executed/<student>/``. Never raises for a bad submission: the result says."""
    course_nb = submission.notebook
    result = GradeResult(submission.student, course_nb.name if course_nb else "")
    if course_nb is None:
        result.notes.append(f"{submission.path.name}: {submission.problem}")
        return result
    columns = [course_nb.column(e) for e in course_nb.exercises]
    try:
        student_nb = nbformat.read(submission.path, as_version=4)
    except Exception as error:  # NotJSONError, a validation error, a decoding error
        kind = "not valid JSON" if "JSON" in type(error).__name__ else "not a notebook"
        result.notes.append(f"{kind}: {_shorten(str(error), 120)}")
        result.outcomes = {c: Outcome(UNGRADED, "the file could not be read") for c in columns}
        return result
    graded, notes = build_graded_notebook(course_nb, student_nb)
    result.notes.extend(notes)
    safe = _clean_name(re.sub(r"[^\w.\-]+", "_", submission.student)) or "student"
    target = out_dir / "executed" / safe
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="imgcourse-grade-") as tmp:
        run_dir = Path(tmp)
        graded_path = run_dir / f"{course_nb.name}.graded.ipynb"
        executed_path = target / f"{course_nb.name}.ipynb"
        nbformat.write(graded, graded_path)
        start = time.perf_counter()
        run = run_graded(graded_path, executed_path, run_dir, timeout)
        result.seconds = time.perf_counter() - start
        timed_out = run["status"] == "timeout"
        if run["status"] != "finished":
            result.notes.insert(0, f"{run['status']}: {run['error']}")
        if executed_path.exists():
            executed = nbformat.read(executed_path, as_version=4)
            result.executed = executed_path
        else:
            executed = graded
        outcomes, errors = read_outcomes(course_nb, executed, run_dir / "feedback.jsonl", timed_out)
        result.outcomes = outcomes
        result.notes.extend(errors)
    return result


# ------------------------------------------------------------------------- the class


def _rows(results: list[GradeResult], columns: list[str]) -> list[dict[str, str]]:
    by_student: dict[str, list[GradeResult]] = {}
    for r in results:
        by_student.setdefault(r.student, []).append(r)
    several = len({r.notebook for r in results if r.notebook}) > 1
    rows = []
    for student, mine in by_student.items():
        row = {"student": student}
        notes = []
        for r in mine:
            for note in r.notes:
                notes.append(f"{_number(r.notebook)}: {note}" if several and r.notebook else note)
        row["status"] = "; ".join(notes) if notes else "ok"
        outcomes = {c: o for r in mine for c, o in r.outcomes.items()}
        for column in columns:
            row[column] = outcomes[column].value if column in outcomes else MISSING
        row["passed"] = str(sum(row[c] == PASS for c in columns))
        row["seconds"] = f"{sum(r.seconds for r in mine):.1f}"
        rows.append(row)
    return rows


def write_gradebook(results: list[GradeResult], columns: list[str], path: Path) -> Path:
    """``gradebook.csv``: student, status, one column per exercise (pass, fail, error,
    timeout, not run, missing or -), the number passed and the seconds taken."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["student", "status", *columns, "passed", "seconds"])
        writer.writeheader()
        writer.writerows(_rows(results, columns))
    return path


def _summary_markdown(result: GradeResult) -> str:
    lines = [
        f"# Feedback for {result.student}: {result.notebook}",
        "",
        f"**Status:** {html.escape(result.status)}",
        "",
        "| exercise | result | feedback |",
        "| --- | --- | --- |",
    ]
    for column, outcome in result.outcomes.items():
        text = html.escape(" ".join(outcome.message.split())).replace("|", "&#124;")
        lines.append(f"| {column} | **{outcome.value}** | {text} |")
    return "\n".join(lines)


def write_feedback_report(result: GradeResult, path: Path) -> Path:
    """A student's HTML report: the table of outcomes, then the executed graded notebook
    (harness cells hidden)."""
    from imgcourse.course.runner import write_html_report

    if result.executed is not None:
        nb = nbformat.read(result.executed, as_version=4)
        nb.cells = [
            c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
        ]
    else:
        nb = nbformat.v4.new_notebook()
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_summary_markdown(result)))
    source = path.with_suffix(".ipynb.part")
    nbformat.write(nb, source)
    try:
        write_html_report(source, path)
    finally:
        source.unlink(missing_ok=True)
    return path


def grade_class(
    submissions: Path,
    out: Path,
    *,
    source: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: bool = False,
) -> list[GradeResult]:
    """Grade every submission in ``submissions`` against the course notebooks of ``source``
    and write the gradebook, reports and executed notebooks to ``out`` (atomically).

    Raises:
        CourseError: a missing folder, no submissions, ``out`` inside the submissions or
            course folder, or a timeout that is not positive.
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if timeout <= 0:
        raise CourseError(f"--timeout must be a positive number of seconds; got {timeout}")
    course_nbs = read_course(source)
    course_root = (Path(source) if source else notebooks_dir()).resolve()
    course_root = course_root if course_root.is_dir() else course_root.parent
    for folder in (submissions, course_root):
        if out == folder or folder in out.parents:
            raise CourseError(f"--out {out} is inside {folder}: pick a folder outside it")
    found = find_submissions(submissions, course_nbs)
    used = {s.notebook.name for s in found if s.notebook}
    graded_nbs = [nb for nb in course_nbs if nb.name in used] or course_nbs
    columns = [nb.column(e) for nb in graded_nbs for e in nb.exercises]
    # built beside ``out`` and swapped in whole; an earlier gradebook goes once it is in
    with atomic.replace_folder(out) as staging:
        results = []
        for submission in found:
            if progress:
                print(f"grading {submission.student}: {submission.path.name} ...", flush=True)
            result = grade_submission(submission, staging, timeout)
            if progress:
                print(f"  {result.status} in {result.seconds:.1f} s", flush=True)
            results.append(result)
        (staging / "feedback").mkdir()
        for result in results:
            safe = _clean_name(re.sub(r"[^\w.\-]+", "_", result.student)) or "student"
            suffix = f"_{result.notebook}" if len(used) > 1 and result.notebook else ""
            write_feedback_report(result, staging / "feedback" / f"{safe}{suffix}.html")
        write_gradebook(results, columns, staging / "gradebook.csv")
        details = [
            {
                "student": r.student,
                "notebook": r.notebook,
                "status": r.status,
                "seconds": round(r.seconds, 2),
                "exercises": {
                    c: {"result": o.value, "feedback": o.message} for c, o in r.outcomes.items()
                },
            }
            for r in results
        ]
        (staging / "gradebook.json").write_text(json.dumps(details, indent=2), encoding="utf-8")
    return results
