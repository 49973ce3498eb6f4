"""Checks for the exercises of ``09_object_detection``: a predicted IoU, the peaks of a
heatmap, and the trained detector's recall at a stricter IoU.

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

#: (G, G) heatmaps for :func:`check_heatmap_peaks`: peaks in corners, on a border and inside,
#: and a plateau of two equal cells (both are peaks: neither is beaten).
PEAK_CASES: tuple[np.ndarray, ...] = (
    np.array([[0.8, 0.3, 0.1], [0.3, 0.2, 0.3], [0.1, 0.4, 0.7]]),
    np.array(
        [[0.1, 0.2, 0.1, 0.0], [0.2, 0.9, 0.3, 0.1], [0.1, 0.3, 0.2, 0.6], [0.0, 0.1, 0.5, 0.4]]
    ),
    np.array([[0.1, 0.2, 0.2, 0.1, 0.0], [0.2, 0.5, 0.5, 0.2, 0.1], [0.1, 0.2, 0.2, 0.2, 0.3]]),
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


def local_peaks(heat: np.ndarray) -> np.ndarray:
    """(G, G) bool: cells at least as high as every cell of their 3x3 neighbourhood (cells at
    the border have fewer neighbours); ``decode_predictions(peaks_only=True)`` per class."""
    heat = np.asarray(heat, np.float64)
    padded = np.pad(heat, 1, constant_values=-np.inf)
    g0, g1 = heat.shape
    windows = [padded[i : i + g0, j : j + g1] for i in range(3) for j in range(3)]
    return heat >= np.max(windows, axis=0)


def _strict_peaks(heat: np.ndarray) -> np.ndarray:
    """Like :func:`local_peaks`, but a cell must beat its neighbours (plateaus vanish)."""
    heat = np.asarray(heat, np.float64)
    padded = np.pad(heat, 1, constant_values=-np.inf)
    g0, g1 = heat.shape
    others = [
        padded[i : i + g0, j : j + g1] for i in range(3) for j in range(3) if (i, j) != (1, 1)
    ]
    return heat > np.max(others, axis=0)


@check(wrap=True)
def check_heatmap_peaks(fn: Callable[..., Any]) -> Feedback:
    """Exercise 2: ``fn(heat) -> (G, G) bool``, the 3x3 local maxima of a heatmap."""
    for n, heat in enumerate(PEAK_CASES, 1):
        want = local_peaks(heat)
        got = call(
            fn,
            heat.copy(),
            shown=f"heatmap_peaks(case {n})",
            then=lambda result: np.asarray(result, bool),
        )
        if got.shape != want.shape:
            raise NotYet(f"case {n}: return a {want.shape} mask, one per cell; got {got.shape}")
        if np.array_equal(got, want):
            continue
        border = np.ones_like(want)
        border[1:-1, 1:-1] = False
        if np.array_equal(got, _strict_peaks(heat)):
            hint = "two equal neighbours are both peaks: compare with >=, not >."
        elif np.array_equal(got, heat == heat.max()):
            hint = "keep every local maximum, not only the highest cell of the heatmap."
        elif (want & ~got)[border].any() and not got[border].any():
            hint = "border cells can be peaks too: give them only the neighbours they have."
        else:
            hint = "a cell is a peak when no cell of its 3x3 neighbourhood is higher."
        cells = [tuple(int(v) for v in rc) for rc in np.argwhere(got != want)]
        raise NotYet(f"case {n}: the mask is wrong at cells {cells}: {hint}")
    return f"all {len(PEAK_CASES)} heatmaps: the right peaks, plateaus and borders included."


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
