"""Checks that give a learner specific feedback on an exercise.

A check never raises on a wrong answer: it prints what is wrong and a hint, and returns a
:class:`Feedback` whose ``passed`` is False. Topic modules (``exercises.convolution``, ...)
build their checks from the helpers here. Introduced in ``00_welcome``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

#: When this environment variable names a file, every :class:`Feedback` made is also appended
#: to it as one JSON line ``{"kind": "feedback", "passed": ..., "message": ...}``, so that
#: ``imgcourse grade`` can read the checks' verdicts; what a learner sees does not change.
ENV_FEEDBACK_LOG = "IMGCOURSE_FEEDBACK_LOG"


@dataclass
class Feedback:
    """The result of a check: passed or not, and a message saying why."""

    passed: bool
    message: str

    def __post_init__(self) -> None:
        log_feedback(self)

    def __str__(self) -> str:
        return ("Correct: " if self.passed else "Not yet: ") + self.message

    def __bool__(self) -> bool:
        return self.passed


def log_feedback(feedback: Feedback) -> None:
    """Append ``feedback`` as a JSON line to the file named by ``$IMGCOURSE_FEEDBACK_LOG``.

    Does nothing when the variable is unset (a learner's session). A check may make several
    Feedback objects on its way; the grader takes the last one written during a check cell,
    the one the check returns.
    """
    target = os.environ.get(ENV_FEEDBACK_LOG)
    if not target:
        return
    line = {"kind": "feedback", "passed": bool(feedback.passed), "message": str(feedback.message)}
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def report(feedback: Feedback) -> Feedback:
    """Print the feedback and return it (so notebooks can assert on it)."""
    print(feedback)
    return feedback


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
