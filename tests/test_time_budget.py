"""The course's time budget: every notebook's recorded ``default_seconds`` (``imgcourse run
--record-time``: the median of 2 runs on an idle 2-core CPU) stays within
``runner.BUDGET_SECONDS`` and their sum within ``runner.COURSE_BUDGET_SECONDS``. Nothing is run:
the test reads the notebooks' metadata, which also holds each notebook's slowest cells, so a
failure names what to cut."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import nbformat
import pytest

from imgcourse import course
from imgcourse.course import runner
from imgcourse.course.catalogue import NotebookInfo


def assert_within_budget(notebooks: Sequence[NotebookInfo]) -> None:
    """Fail, naming each notebook over its limit and its slowest cells, or the course's sum."""
    problems = runner.budget_problems(notebooks)
    assert not problems, (
        f"the default profile's time budget ({runner.BUDGET_SECONDS} s a notebook, "
        f"{runner.COURSE_BUDGET_SECONDS:,} s in all) is broken:\n  " + "\n  ".join(problems)
    )


#: Notebooks known to be over the per-notebook limit, each with the issue that cuts it. Listed
#: here so the failure is visible and tracked, not hidden: the test below fails when a listed
#: notebook comes back within the limit (remove it then) or when any other passes the limit.
KNOWN_OVER: dict[str, str] = {}


def test_the_recorded_times_fit_the_budget(monkeypatch):
    monkeypatch.delenv("IMGCOURSE_NOTEBOOKS", raising=False)
    notebooks = course.list_notebooks()
    assert notebooks
    assert_within_budget([nb for nb in notebooks if nb.name not in KNOWN_OVER])
    over = {nb.name: nb.default_seconds for nb in notebooks if nb.name in KNOWN_OVER}
    for name, seconds in over.items():
        assert seconds is not None and seconds > runner.BUDGET_SECONDS, (
            f"{name} is recorded at {seconds} s, within the budget now: remove it from KNOWN_OVER"
        )
    total = sum(nb.default_seconds or 0 for nb in notebooks)
    assert total <= runner.COURSE_BUDGET_SECONDS, (
        f"the course is recorded at {total:,.0f} s, over {runner.COURSE_BUDGET_SECONDS:,} s"
    )


# --- the guard itself, on made-up numbers --------------------------------------------------------


def _notebook(number: str, seconds: float | None, slowest: Sequence[dict] = ()) -> NotebookInfo:
    return NotebookInfo(
        number=number,
        slug="topic",
        path=Path(f"{number}_topic.ipynb"),
        title="Topic",
        default_seconds=seconds,
        default_slowest_cells=list(slowest),
    )


SLOWEST = [
    {"cell": 14, "seconds": 31.2, "first_line": "history = fit(model, train)"},
    {"cell": 9, "seconds": 12.0, "first_line": "# Exercise 1: a residual block"},
    {"cell": 2, "seconds": 6.1, "first_line": "try: import imgcourse"},
]


def test_the_guard_fails_on_a_notebook_over_its_limit_and_names_its_slowest_cells():
    notebooks = [_notebook("04", 60), _notebook("05", runner.BUDGET_SECONDS + 6, SLOWEST)]
    with pytest.raises(AssertionError) as failure:
        assert_within_budget(notebooks)
    message = str(failure.value)
    over = f"recorded {runner.BUDGET_SECONDS + 6} s, over the {runner.BUDGET_SECONDS} s limit"
    assert f"05_topic: {over}" in message
    assert (
        "slowest cells: In [14] 31.2 s `history = fit(model, train)`, "
        "In [9] 12.0 s `# Exercise 1: a residual block`, In [2] 6.1 s `try: import imgcourse`"
    ) in message
    assert "04_topic" not in message


def test_the_guard_fails_when_the_course_sum_passes_its_limit():
    per = runner.BUDGET_SECONDS - 1  # each within its own limit
    count = runner.COURSE_BUDGET_SECONDS // per + 1
    notebooks = [_notebook(f"{k:02d}", per) for k in range(count)]
    problems = runner.budget_problems(notebooks)
    assert len(problems) == 1
    over = f"over the {runner.COURSE_BUDGET_SECONDS:,} s limit"
    assert problems[0].startswith(f"the course: recorded {per * count:,} s in all, {over}")
    with pytest.raises(AssertionError, match=over):
        assert_within_budget(notebooks)


def test_the_guard_fails_on_a_notebook_without_a_recorded_time_or_cells():
    seconds = runner.BUDGET_SECONDS + 30
    problems = runner.budget_problems([_notebook("07", None), _notebook("08", seconds)])
    assert problems == [
        "07_topic: no recorded default_seconds; record it with "
        "`imgcourse run 07 --record-time` on an idle machine",
        f"08_topic: recorded {seconds} s, over the {runner.BUDGET_SECONDS} s limit per notebook; "
        "no per-cell times recorded (re-record: imgcourse run 08 --record-time)",
    ]


def test_the_guard_passes_at_the_limits():
    at_limit = [_notebook("00", runner.BUDGET_SECONDS)]
    rest = runner.COURSE_BUDGET_SECONDS - runner.BUDGET_SECONDS
    at_limit.append(_notebook("01", rest % runner.BUDGET_SECONDS))
    full = rest // runner.BUDGET_SECONDS
    at_limit += [_notebook(f"{k + 2:02d}", runner.BUDGET_SECONDS) for k in range(full)]
    assert sum(nb.default_seconds for nb in at_limit) == runner.COURSE_BUDGET_SECONDS
    assert runner.budget_problems(at_limit) == []
    assert_within_budget(at_limit)


def test_each_notebook_states_its_recorded_time(monkeypatch):
    """The Time line at the top of each notebook gives the recorded ``default_seconds``, so
    the number a learner reads is the one the guard above checks."""
    monkeypatch.delenv("IMGCOURSE_NOTEBOOKS", raising=False)
    pattern = re.compile(r"\*\*Time\.\*\* `default` profile: (\d+) s recorded with `imgcourse run")
    for nb in course.list_notebooks():
        first = "".join(nbformat.read(nb.path, as_version=4).cells[0].source)
        stated = pattern.search(first)
        assert stated, f"{nb.name}: no Time line of the form '{pattern.pattern}' in its first cell"
        assert int(stated.group(1)) == nb.default_seconds, (
            f"{nb.name} says {stated.group(1)} s, its recorded time is {nb.default_seconds} s"
        )
