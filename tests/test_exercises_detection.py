"""Checks for the exercises of 09_object_detection."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import detection as checks


def test_iou_prediction(capsys):
    assert checks.check_iou_prediction(1 / 3).passed
    wrong = checks.check_iou_prediction(0.5)
    assert not wrong.passed and "union" in wrong.message
    assert not checks.check_iou_prediction("a third").passed


def _right(box, stride):
    cy, cx = (box[0] + box[2]) / 2 / stride, (box[1] + box[3]) / 2 / stride
    return int(cy), int(cx), cy - int(cy), cx - int(cx)


def test_centre_cell():
    assert checks.check_centre_cell(_right).passed
    swapped = checks.check_centre_cell(lambda b, s: (*_right(b, s)[1::-1], *_right(b, s)[2:]))
    assert not swapped.passed and "swapped" in swapped.message
    corner = checks.check_centre_cell(lambda b, s: (b[0] // s, b[1] // s, 0.0, 0.0))
    assert not corner.passed and "corner" in corner.message
    assert not checks.check_centre_cell(lambda b, s: 1 / 0).passed


def test_recall_at_iou():
    truth = [{"boxes": np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), "labels": np.array([0, 1])}]
    dets = [
        {
            "boxes": np.array([[0, 0, 10, 12], [20, 20, 30, 30]]),
            "labels": np.array([0, 1]),
            "scores": np.array([0.9, 0.1]),
        }
    ]
    assert checks.recall_at_iou(dets, truth, iou_min=0.75) == 0.5
    assert checks.recall_at_iou(dets, truth, iou_min=0.75, min_score=0) == 1.0
    assert checks.check_recall_at_iou(0.5, dets, truth).passed
    wrong = checks.check_recall_at_iou(1.0, dets, truth)
    assert not wrong.passed and "at least 0.3" in wrong.message
    assert not checks.check_recall_at_iou(50, dets, truth).passed
