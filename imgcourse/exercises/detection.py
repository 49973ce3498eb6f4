"""Checks for the exercises of ``09_object_detection``: a predicted IoU, the grid cell of a
box's centre, and the trained detector's recall at a stricter IoU.

Each check prints what is wrong and a hint at the likely cause, and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict
from imgcourse.metrics import box_iou

#: The two boxes of exercise 1: a 10x10 box and the same box 5 pixels to the right.
IOU_BOXES = ([0, 0, 10, 10], [0, 5, 10, 15])

#: (box, stride) cases for :func:`check_centre_cell`.
CENTRE_CASES: tuple[tuple[tuple[float, float, float, float], int], ...] = (
    ((0, 0, 8, 8), 4),
    ((10, 20, 18, 30), 4),
    ((3, 5, 14, 22), 4),
    ((0, 0, 48, 48), 8),
    ((7, 1, 9, 2), 2),
)


@check(wrap=True)
def check_iou_prediction(prediction: Any) -> Feedback:
    """Exercise 1: the IoU of :data:`IOU_BOXES`, predicted before computing it."""
    expected = float(box_iou([IOU_BOXES[0]], [IOU_BOXES[1]])[0, 0])
    value = read(prediction, float, f"store a number in predicted_iou; got {prediction!r}")
    return verdict(
        value,
        right=abs(value - expected) < 0.01,
        correct=f"{expected:.3f}: they share 50 pixels and cover 150 together.",
        wrong="the IoU is not {value:.3f}; {hint}",
        hints=[
            (
                abs(value - 0.5) < 0.01,
                "0.5 is the shared area over ONE box's area; IoU divides by the union, the "
                "area covered by either box (100 + 100 - 50).",
            )
        ],
        hint="count the shared pixels (10 rows x 5 columns) and divide by the union.",
    )


def _expected_centre(box: Sequence[float], stride: int) -> tuple[int, int, float, float]:
    cy = (box[0] + box[2]) / 2 / stride
    cx = (box[1] + box[3]) / 2 / stride
    return int(np.floor(cy)), int(np.floor(cx)), cy - np.floor(cy), cx - np.floor(cx)


@check(wrap=True)
def check_centre_cell(fn: Callable[..., Any]) -> Feedback:
    """Exercise 2: ``fn(box, stride) -> (row, col, offset_y, offset_x)``."""
    for box, stride in CENTRE_CASES:
        want = _expected_centre(box, stride)
        got = call(
            fn,
            box,
            stride,
            shown=f"centre_cell({box}, {stride})",
            then=lambda result: tuple(float(v) for v in result),
        )
        if len(got) != 4:
            raise NotYet(f"return four numbers (row, col, offset_y, offset_x); got {got}")
        if not np.allclose(got, want, atol=1e-6):
            if np.allclose(got[:2], want[1::-1]) and want[0] != want[1]:
                hint = "rows come from y (ymin, ymax), columns from x; they are swapped."
            elif np.allclose(np.array(got[:2]) * stride, [box[0], box[1]]) or np.allclose(
                got[:2], [box[0] // stride, box[1] // stride]
            ):
                hint = "that is the box's corner; use its centre, halfway between the edges."
            elif np.allclose(got[:2], [want[0] * stride, want[1] * stride]):
                hint = "divide the centre in pixels by the stride to get cells."
            else:
                hint = "the cell is the centre (in cells) rounded down; the offset is the rest."
            want_s = tuple(round(float(v), 3) for v in want)
            raise NotYet(
                f"for box {box} and stride {stride} expected {want_s}, got "
                f"{tuple(round(v, 3) for v in got)}: {hint}"
            )
    return f"all {len(CENTRE_CASES)} boxes land in the right cell."


def recall_at_iou(
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    *,
    iou_min: float,
    min_score: float = 0.3,
) -> float:
    """Share of true boxes covered by a same-class detection (score >= ``min_score``) with
    IoU >= ``iou_min``; inputs as in ``imgcourse.metrics.detection_metrics``."""
    hits = []
    for t, d in zip(ground_truths, detections):
        keep = np.asarray(d["scores"]) >= min_score
        iou = box_iou(t["boxes"], np.asarray(d["boxes"]).reshape(-1, 4)[keep])
        same = np.asarray(t["labels"])[:, None] == np.asarray(d["labels"])[keep][None, :]
        hits.append(((iou >= iou_min) & same).any(axis=1))
    return float(np.concatenate(hits).mean()) if hits else float("nan")


@check(wrap=True)
def check_recall_at_iou(
    answer: Any,
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    *,
    iou_min: float = 0.75,
    min_score: float = 0.3,
) -> Feedback:
    """Exercise 3: the detector's recall at IoU ``iou_min`` on the test scenes."""
    want = recall_at_iou(detections, ground_truths, iou_min=iou_min, min_score=min_score)
    value = read(answer, float, f"store one number (a share) in recall_75; got {answer!r}")
    if abs(value - want) < 1e-6:
        at_half = recall_at_iou(detections, ground_truths, iou_min=0.5, min_score=min_score)
        return (
            f"{want:.1%} of the objects are boxed at IoU {iou_min}, against {at_half:.1%} at 0.5."
        )
    if value > 1:
        hint = "give a share between 0 and 1, not a count or a percentage."
    elif abs(value - recall_at_iou(detections, ground_truths, iou_min=0.5)) < 1e-6:
        hint = f"that is the recall at IoU 0.5; use {iou_min}."
    elif abs(value - recall_at_iou(detections, ground_truths, iou_min=iou_min, min_score=0)) < 1e-6:
        hint = f"keep only detections scoring at least {min_score}."
    else:
        hint = "count true boxes (not detections) that a same-class detection covers."
    raise NotYet(f"expected {want:.1%}, got {value:.1%}: {hint}")
