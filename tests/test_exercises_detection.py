"""Checks for the exercises of 09_object_detection."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import detection as checks


def test_iou_prediction(capsys):
    assert checks.check_iou_prediction(1 / 3).passed
    wrong = checks.check_iou_prediction(0.5)
    assert not wrong.passed and "union" in wrong.message
    assert not checks.check_iou_prediction("a third").passed


def _peaks(heat):
    padded = np.pad(heat, 1, constant_values=-np.inf)
    g0, g1 = heat.shape
    return heat >= np.max([padded[i : i + g0, j : j + g1] for i in range(3) for j in range(3)], 0)


def test_heatmap_peaks():
    assert checks.check_heatmap_peaks(_peaks).passed
    strict = checks.check_heatmap_peaks(lambda h: checks._strict_peaks(h))
    assert not strict.passed and ">=" in strict.message
    inner = checks.check_heatmap_peaks(
        lambda h: np.pad(_peaks(h)[1:-1, 1:-1], 1, constant_values=False)
    )
    assert not inner.passed and "border" in inner.message
    top = checks.check_heatmap_peaks(lambda h: h == h.max())
    assert not top.passed and "every local maximum" in top.message
    assert not checks.check_heatmap_peaks(lambda h: 1 / 0).passed
    assert not checks.check_heatmap_peaks(lambda h: h[:2]).passed
    # the check's reference is the package's peak rule
    from imgcourse.models.detector import decode_predictions

    for heat in checks.PEAK_CASES:
        logits = np.log(heat / (1 - heat + 1e-12) + 1e-12)[None, :, :, None]
        out = np.concatenate([logits, np.ones(logits.shape[:3] + (4,))], axis=-1)
        kept = decode_predictions(out, stride=1, score_threshold=0.0)[0]
        assert len(kept["boxes"]) == checks.local_peaks(heat).sum()


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
