"""Checks for the exercises of ``10_segmentation``: Dice from IoU (predict, then run),
per-class IoU by hand, and the worst held-out image of the trained U-Net.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
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
    nan_pattern_differs,
    read,
    values_differ,
    verdict,
)
from imgcourse.metrics import per_class_iou


def expected_dice(iou: float = 0.5) -> float:
    """Dice of two masks whose IoU is ``iou``: 2 iou / (1 + iou)."""
    return 2 * iou / (1 + iou)


@check(wrap=True)
def check_dice_prediction(prediction: Any, iou: float = 0.5) -> Feedback:
    """Check a predicted Dice score for a pair of masks with IoU ``iou`` (Exercise 1)."""
    value = read(prediction, float, f"store a number in [0, 1]; got {prediction!r}.")
    want = expected_dice(iou)
    return verdict(
        value,
        right=abs(value - want) < 0.01,
        correct=f"Dice = 2 x {iou:g} / (1 + {iou:g}) = {want:.3f}: it "
        "counts the overlap twice, so it is never below IoU.",
        wrong="{value:.3f} is not it. {hint}",
        hints=[
            (
                abs(value - iou) < 0.01,
                "Dice equals IoU only for perfect or empty overlap. Dice divides twice the "
                "overlap by the two areas added, IoU the overlap by their union.",
            ),
            (
                value < iou,
                "Dice is never lower than IoU: its numerator counts the overlap twice and its "
                "denominator, the two areas added, is at most twice the union.",
            ),
        ],
        hint="Write both areas in units of the overlap: with IoU 0.5 the union is two "
        "overlaps; how big are the two masks together?",
    )


#: Cases for :func:`check_iou_per_class`: (true, pred, num_classes), the edge cases last.
def _iou_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, (2, 6, 6))
    p = np.where(rng.random(t.shape) < 0.7, t, rng.integers(0, 3, t.shape))
    absent = np.where(t == 2, 0, t)  # class 2 in neither truth nor prediction
    only_pred = np.zeros((4, 4), int)
    return [(t, p, 3), (absent, np.where(p == 2, 1, p), 3), (only_pred, only_pred + 1, 2)]


@check(wrap=True)
def check_iou_per_class(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(true, pred, num_classes) -> (num_classes,)`` IoU per class (Exercise 2),
    NaN for a class in neither map, against :func:`imgcourse.metrics.per_class_iou`."""
    for i, (t, p, k) in enumerate(_iou_cases(), start=1):
        answer = call(fn, t, p, k, shown=f"case {i}")
        want = per_class_iou(t, p, k)
        arr = np.asarray(answer, dtype=np.float64) if answer is not None else None
        if arr is None or arr.shape != want.shape:
            got = None if arr is None else arr.shape
            raise NotYet(
                f"case {i}: expected an array of shape {want.shape} (one IoU per class); got {got}."
            )
        if nan_pattern_differs(arr, want):
            raise NotYet(
                f"case {i}: expected {np.round(want, 3).tolist()}; got "
                f"{np.round(arr, 3).tolist()}. A class in neither map has no union: "
                "its IoU is undefined (NaN), not 0 or 1, so that the mean can leave it "
                "out."
            )
        if values_differ(arr, want, atol=1e-6):
            hint = (
                "Intersection: pixels where both maps say class c; union: pixels where "
                "either says c. Did you count the intersection twice or use only the "
                "true pixels as the denominator?"
            )
            raise NotYet(
                f"case {i}: expected {np.round(want, 3).tolist()}; "
                f"got {np.round(arr, 3).tolist()}. {hint}"
            )
    return "IoU per class, with NaN for a class in neither map."


def image_scores(true: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Mean IoU of each image on its own: (n, h, w) maps -> (n,)."""
    from imgcourse.metrics import mean_iou

    return np.array([mean_iou(t, p, num_classes) for t, p in zip(true, pred)])


@check(wrap=True)
def check_worst_image(index: Any, true: np.ndarray, pred: np.ndarray, num_classes: int) -> Feedback:
    """Check that ``index`` is the held-out image with the lowest mean IoU (Exercise 3)."""
    scores = image_scores(true, pred, num_classes)
    worst = int(np.nanargmin(scores))
    i = read(index, int, f"store an image index (an int); got {index!r}.")
    if not 0 <= i < len(scores):
        raise NotYet(f"{i} is not an index of the {len(scores)} test images.")
    if np.isclose(scores[i], scores[worst]):
        return f"image {i} has the lowest mean IoU, {scores[i]:.3f}."
    hint = (
        "score each image on its own (a loop over images is fine; mean_iou pools pixels), "
        "then take the index of the smallest"
    )
    if np.isclose(scores[i], np.nanmax(scores)):
        hint = "that is the best image: argmin, not argmax"
    raise NotYet(f"image {i} has mean IoU {scores[i]:.3f}; one image scores lower. Hint: {hint}.")
