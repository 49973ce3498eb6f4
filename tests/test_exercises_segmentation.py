"""Tests for imgcourse.exercises.segmentation."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import segmentation as checks
from imgcourse.metrics import per_class_iou


def test_dice_prediction():
    assert checks.check_dice_prediction(2 / 3)
    assert not checks.check_dice_prediction(0.5)
    assert not checks.check_dice_prediction(0.9)
    assert not checks.check_dice_prediction("two thirds")
    assert abs(checks.expected_dice(1 / 3) - 0.5) < 1e-12


def test_iou_per_class_accepts_a_right_answer_and_explains_wrong_ones(capsys):
    assert checks.check_iou_per_class(per_class_iou)

    def zero_for_absent(t, p, k):
        return np.nan_to_num(per_class_iou(t, p, k))

    assert not checks.check_iou_per_class(zero_for_absent)
    assert "NaN" in capsys.readouterr().out

    def true_area_only(t, p, k):
        return np.array([((t == c) & (p == c)).sum() / max((t == c).sum(), 1) for c in range(k)])

    assert not checks.check_iou_per_class(true_area_only)
    assert not checks.check_iou_per_class(lambda t, p, k: 1 / 0)
    assert not checks.check_iou_per_class(lambda t, p, k: None)


def test_worst_image():
    true = np.zeros((3, 4, 4), int)
    true[:, :2] = 1
    pred = true.copy()
    pred[1] = 0  # image 1 misses its foreground
    pred[2, 0, 0] = 0
    assert checks.check_worst_image(1, true, pred, 2)
    assert not checks.check_worst_image(0, true, pred, 2)
    assert not checks.check_worst_image(7, true, pred, 2)
    assert not checks.check_worst_image("one", true, pred, 2)
