"""Checks that give a learner specific feedback on an exercise.

A check never raises on a wrong answer: it prints what is wrong and a hint, and returns a
:class:`Feedback` whose ``passed`` is False. One module per notebook (``exercises.convolution``
for 02, ...) holds its checks, all built from the small kit in :mod:`imgcourse.exercises.kit`
(re-exported here). Introduced in ``00_welcome``.
"""

from __future__ import annotations

from imgcourse.exercises.kit import (
    ENV_FEEDBACK_LOG,
    WIDTH,
    Feedback,
    NotYet,
    as_array,
    call,
    check,
    compare_arrays,
    compare_number,
    is_number,
    log_feedback,
    nan_pattern_differs,
    read,
    read_choice,
    report,
    values_differ,
    verdict,
)

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
