"""Checks for the exercises of ``18_continuous_learning``: how a detector's threshold moves its
alarms (predict, then run), a detection-delay function, and what the deployed model does with
images of a class it never saw.

Each check prints what is wrong and a hint and returns a :class:`~imgcourse.exercises.Feedback`;
the delay is compared with :func:`imgcourse.metrics.drift.detection_delay`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.exercises.kit import (
    Feedback,
    NotYet,
    call,
    check,
    compare_number,
    nan_pattern_differs,
    read_choice,
    values_differ,
    verdict,
)
from imgcourse.metrics.drift import detection_delay

DIRECTIONS = ("sooner", "later")


@check
def check_threshold_prediction(prediction: Any) -> Feedback:
    """Check the prediction ("sooner" or "later") of when a CUSUM with a higher threshold
    first rings after a change (Exercise 1)."""
    answer = read_choice(
        prediction, DIRECTIONS, f"store one of {DIRECTIONS} as a string; got {prediction!r}."
    )
    return verdict(
        answer,
        right=answer == "later",
        correct="the statistic g_t is the same sum of drops whatever the threshold; a higher "
        "bar is crossed at the same batch or a later one, never an earlier one. The "
        "price of fewer false alarms is a longer delay.",
        wrong="{value!r} is not it. Hint: {hint}",
        hint="the threshold does not change g_t, the running sum of drops; it only changes "
        "the height that sum must reach. Which comes first, reaching 5 or reaching 10?",
    )


_DELAY_CASES = [
    ([3, 22, 41], [20, 40], 60, "one alarm after each change"),
    ([25], [20, 40], 60, "the second change is missed (NaN)"),
    ([5, 20, 30, 47], [20, 40], 60, "a false alarm first; an alarm on the change batch itself"),
    ([], [10], 30, "no alarms at all"),
    ([45, 12], [10, 40], 50, "alarms not sorted"),
]


@check
def check_detection_delay(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(alarms, change_points, length) -> delays`` (Exercise 2) on five streams
    against :func:`imgcourse.metrics.drift.detection_delay`."""
    for alarms, cps, length, what in _DELAY_CASES:
        want = detection_delay(alarms, cps, length)
        got = call(
            fn,
            list(alarms),
            list(cps),
            length,
            shown=f"the case '{what}'",
            then=lambda result: np.asarray(result, dtype=np.float64),
        )
        if got.shape != want.shape:
            raise NotYet(
                f"case '{what}': expected one delay per change point, shape "
                f"{want.shape}; got {got.shape}."
            )
        if nan_pattern_differs(got, want):
            raise NotYet(
                f"case '{what}' (alarms {alarms}, changes {cps}): expected {want.tolist()}, "
                f"got {got.tolist()}. Hint: a change with no alarm before the next change "
                "(or the end) was missed: NaN, not a delay."
            )
        if values_differ(got, want):
            raise NotYet(
                f"case '{what}' (alarms {alarms}, changes {cps}): expected {want.tolist()}, "
                f"got {got.tolist()}. Hint: only alarms at or after the change, and before "
                "the next one, count; take the first of them."
            )
    return (
        "delays match on all five streams: alarms before a change are false alarms, not "
        "early detections, and a change no alarm follows is a miss."
    )


@check
def check_spare_share(
    answer: Any, predictions: np.ndarray, labels: np.ndarray, new_label: int
) -> Feedback:
    """Check the share of new-class images that the deployed model gave the spare output
    (Exercise 3). ``predictions`` and ``labels`` are (n,) ints over the stream's images."""
    new = np.asarray(labels) == new_label
    if not new.any():
        raise NotYet(f"no image has the new label {new_label}; check labels.")
    share = float(np.mean(np.asarray(predictions)[new] == new_label))
    feedback = compare_number(
        answer,
        share,
        what="the share",
        atol=1e-6,
        hint="take only the images whose label is the new class, then the share of them "
        "whose prediction is that label (a number between 0 and 1).",
    )
    if not feedback:
        return feedback
    wrong = 1.0 - share
    return (
        f"{share:.1%} of the new-class images went to the spare output and {wrong:.1%} "
        "to an old class. Training never gave the spare unit a target, so cross-entropy "
        "only pushed its score down: a model cannot name a class it was not taught, and it "
        "says an old name instead. That is why the new class barely moved the "
        "confidence that the detectors watch."
    )
