"""The kit every exercise check is built from (introduced in ``00_welcome``).

A check is a function decorated with :func:`check`. Its body states what it found:

- it returns the text of the verdict when the answer is right (``return "all 5 cases
  match"``), or a :class:`Feedback` it already has (one of :func:`compare_arrays`,
  :func:`compare_number`, :func:`verdict`);
- it raises :class:`NotYet` with the learner's problem and a hint at the first thing that is
  wrong (``raise NotYet("case 2: ...")``); the kit's helpers raise it too: :func:`call`
  when the learner's code raises or returns None, :func:`read` and :func:`read_choice` when
  an answer is not a number (or not what was asked) or not one of the choices.

:func:`check` turns that into a :class:`Feedback`, hands it to :func:`report` (the one place
that prints a verdict and logs it for ``imgcourse grade``) and returns it, so a notebook can
assert on it. A check never raises on a wrong answer; a wrong *call* of the check (the
notebook passing tables that do not match) still raises ValueError.

Each topic module keeps the look its notebook's stored outputs show: ``@check(wrap=True)``
prints the verdict wrapped to :data:`WIDTH` columns, the book's code column; plain
``@check`` prints it on one line.
"""

from __future__ import annotations

import functools
import json
import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import numpy as np

#: Columns a wrapped verdict is folded to: the book's code column.
WIDTH = 80

#: When this environment variable names a file, :func:`report` also appends every verdict it
#: prints to it as one JSON line ``{"kind": "feedback", "passed": ..., "message": ...}``, so
#: that ``imgcourse grade`` can read the checks' verdicts; what a learner sees does not change.
ENV_FEEDBACK_LOG = "IMGCOURSE_FEEDBACK_LOG"

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class Feedback:
    """The result of a check: passed or not, and a message saying why."""

    passed: bool
    message: str

    def __str__(self) -> str:
        return ("Correct: " if self.passed else "Not yet: ") + self.message

    def __bool__(self) -> bool:
        return self.passed


class NotYet(Exception):
    """Stops a check at the first problem; its text is the message after ``Not yet:``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def log_feedback(feedback: Feedback) -> None:
    """Append ``feedback`` as a JSON line to the file named by ``$IMGCOURSE_FEEDBACK_LOG``.

    Does nothing when the variable is unset (a learner's session). :func:`report` calls it
    once per verdict shown; the grader takes the last line written during a check cell.
    """
    target = os.environ.get(ENV_FEEDBACK_LOG)
    if not target:
        return
    line = {"kind": "feedback", "passed": bool(feedback.passed), "message": str(feedback.message)}
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def report(feedback: Feedback, *, wrap: bool = False) -> Feedback:
    """Print the feedback (folded to :data:`WIDTH` columns if ``wrap``), log it for the
    grader (:func:`log_feedback`) and return it unchanged."""
    text = str(feedback)
    if wrap:
        text = textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False)
    print(text)
    log_feedback(feedback)
    return feedback


@overload
def check(fn: F, /) -> F: ...
@overload
def check(*, wrap: bool = False) -> Callable[[F], F]: ...
def check(fn: Callable[..., Any] | None = None, /, *, wrap: bool = False) -> Any:
    """Make ``fn`` an exercise check: what it returns or raises becomes a reported Feedback.

    ``fn`` returns a str (the message of a right answer) or a :class:`Feedback`, or raises
    :class:`NotYet` (a wrong answer). The check prints the verdict through :func:`report`
    (wrapped to :data:`WIDTH` columns if ``wrap``) and returns the :class:`Feedback`.
    """

    def decorate(body: Callable[..., Any]) -> Callable[..., Feedback]:
        @functools.wraps(body)
        def run(*args: Any, **kwargs: Any) -> Feedback:
            try:
                result = body(*args, **kwargs)
            except NotYet as problem:
                result = Feedback(False, problem.message)
            if isinstance(result, str):
                result = Feedback(True, result)
            if not isinstance(result, Feedback):
                raise TypeError(
                    f"check {body.__name__} returned {type(result).__name__}; a check returns "
                    "the message of a right answer (str) or a Feedback, or raises NotYet"
                )
            return report(result, wrap=wrap)

        return run

    return decorate(fn) if fn is not None else decorate


def call(
    fn: Callable[..., Any],
    /,
    *args: Any,
    shown: str = "your function",
    raised: str = "raised",
    end: str = "",
    none: bool | str = False,
    then: Callable[[Any], Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Run the learner's ``fn(*args, **kwargs)`` and return its result (``then(result)`` if
    ``then`` is given: a conversion that fails on a wrong kind of result, guarded the same way).

    Any exception in the learner's code stops the check (it is reported, never swallowed):
    ``NotYet("<shown> <raised> <Type>: <error><end>")``. With ``none`` set, a result of None
    stops it too: ``none`` is the message, or True for "<shown> returned None. Did it forget
    to `return`?".
    """
    try:
        result = fn(*args, **kwargs)
        if then is not None:
            result = then(result)
    except Exception as error:  # the learner's code: report any error, never swallow it
        raise NotYet(f"{shown} {raised} {type(error).__name__}: {error}{end}") from None
    if result is None and none:
        raise NotYet(
            none if isinstance(none, str) else f"{shown} returned None. Did it forget to `return`?"
        )
    return result


def read(answer: Any, convert: Callable[[Any], T], problem: str) -> T:
    """``convert(answer)`` (``float``, ``int``, a function of the caller's), or stop the check
    with ``problem`` when that fails (TypeError or ValueError): a prediction that is not a
    number, a pair that is not two counts.

    ``read(x, float, ...)`` is as lenient as Python's ``float``: a NumPy scalar, a 0-d array
    or the string "0.25" is read as a number. :func:`compare_number` insists on the type.
    """
    try:
        return convert(answer)
    except (TypeError, ValueError):
        raise NotYet(problem) from None


def read_choice(answer: Any, choices: Sequence[str], problem: str) -> str:
    """``answer`` stripped and lower-cased if it is one of ``choices``, else stop the check
    with ``problem``."""
    value = answer.strip().lower() if isinstance(answer, str) else None
    if value not in choices:
        raise NotYet(problem)
    return value


def verdict(
    value: Any,
    *,
    right: bool,
    correct: str,
    wrong: str,
    hints: Sequence[tuple[bool, str]] = (),
    hint: str = "",
) -> Feedback:
    """The verdict on a prediction made before running an experiment (predict, then run).

    Args:
        value: the prediction, already read (:func:`read`, :func:`read_choice`).
        right: whether it is right.
        correct: the message of a right prediction: the reason, not only the number.
        wrong: the message of a wrong one, a template with ``{value}`` and ``{hint}``
            (``"{value:.3f} is not it. Hint: {hint}"``).
        hints: (this slip was made, its hint) pairs, the most specific first; the first that
            applies is given, else ``hint``.
    """
    if right:
        return Feedback(True, correct)
    chosen = next((text for made, text in hints if made), hint)
    return Feedback(False, wrong.format(value=value, hint=chosen))


def as_array(answer: Any) -> np.ndarray | None:
    """The answer as a float64 array, or None when it is None or not numbers (for the hints
    a check looks for before :func:`compare_arrays` gives its verdict)."""
    if answer is None:
        return None
    try:
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def nan_pattern_differs(got: np.ndarray, want: np.ndarray) -> bool:
    """True when ``got`` (same shape) has NaN in other places than ``want``: for answers where
    NaN means "undefined" (the IoU of an absent class, a missed change)."""
    return not np.array_equal(np.isnan(got), np.isnan(want))


def values_differ(got: np.ndarray, want: np.ndarray, *, atol: float = 1e-8) -> bool:
    """True when a value of ``got`` is more than ``atol`` (plus NumPy's default relative
    tolerance) from ``want``; positions where ``want`` is NaN are not compared."""
    keep = ~np.isnan(want)
    return not np.allclose(got[keep], want[keep], atol=atol)


def compare_arrays(
    answer: Any, expected: np.ndarray, *, what: str, atol: float = 1e-5, hint: str = ""
) -> Feedback:
    """Check type, shape and values of an array answer, most basic problem first."""
    if answer is None:
        return Feedback(False, f"{what} is None. Did the function forget to `return` it?")
    try:
        raw = np.asarray(answer)
        if raw.dtype.kind not in "biuf":  # strings, complex numbers, objects
            raise TypeError(raw.dtype)
        arr = raw.astype(np.float64)
    except (TypeError, ValueError):
        return Feedback(
            False, f"{what} should be an array of numbers; got {type(answer).__name__}."
        )
    if arr.shape != expected.shape:
        extra = f" {hint}" if hint else ""
        return Feedback(False, f"{what} has shape {arr.shape}; expected {expected.shape}.{extra}")
    if not np.all(np.isfinite(arr)):
        return Feedback(False, f"{what} contains NaN or infinite values.")
    diff = np.abs(arr - expected)
    if diff.max() > atol:
        pos = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
        extra = f" {hint}" if hint else ""
        return Feedback(
            False,
            f"{what} differs from the expected values at {int((diff > atol).sum())} of "
            f"{diff.size} positions; the largest gap is at index {pos} "
            f"(yours {arr[pos]:.4g}, expected {expected[pos]:.4g}).{extra}",
        )
    return Feedback(True, f"{what} matches: shape {arr.shape}, values within {atol:g}.")


def compare_number(
    answer: Any,
    expected: float,
    *,
    what: str,
    rtol: float = 1e-6,
    atol: float = 1e-12,
    hint: str = "",
) -> Feedback:
    """Check a scalar answer: type first, then value within rtol (relative) or atol."""
    if isinstance(answer, (bool, np.bool_, str, bytes)) or np.ndim(answer) != 0:
        return Feedback(False, f"{what} should be a number; got {type(answer).__name__}.")
    try:
        value = float(answer)  # int, float, NumPy scalar, 0-d array or tensor
    except (TypeError, ValueError):
        return Feedback(False, f"{what} should be a number; got {type(answer).__name__}.")
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        extra = f" {hint}" if hint else ""
        return Feedback(False, f"{what} is {answer}; expected {expected}.{extra}")
    return Feedback(True, f"{what} is {answer}.")


def is_number(answer: Any) -> bool:
    """True for an int or a float, NumPy's included; False for a bool or anything else."""
    numeric = (int, float, np.integer, np.floating)
    return isinstance(answer, numeric) and not isinstance(answer, bool)


__all__ = [
    "ENV_FEEDBACK_LOG",
    "WIDTH",
    "Feedback",
    "NotYet",
    "as_array",
    "call",
    "check",
    "compare_arrays",
    "compare_number",
    "is_number",
    "log_feedback",
    "nan_pattern_differs",
    "verdict",
    "read_choice",
    "read",
    "report",
    "values_differ",
]
