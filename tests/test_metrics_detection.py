"""The precision-recall curve and the paired bootstrap of ``imgcourse.metrics.detection``
(added for 09): the curve gives back ``average_precision``'s AP, and the bootstrap resamples
images the same way for every set of detections."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.metrics import average_precision
from imgcourse.metrics.detection import (
    RECALL_POINTS,
    map_bootstrap,
    mean_average_precision,
    precision_recall_curve,
)


def _scenes(seed: int, n: int = 30):
    rng = np.random.default_rng(seed)
    truths, dets = [], []
    for _ in range(n):
        k = rng.integers(1, 4)
        corner = rng.uniform(0, 30, (k, 2))
        boxes = np.concatenate([corner, corner + rng.uniform(4, 15, (k, 2))], axis=1)
        labels = rng.integers(0, 3, k)
        truths.append({"boxes": boxes, "labels": labels})
        noisy = boxes + rng.normal(0, 1.5, boxes.shape)
        noisy[:, 2:] = np.maximum(noisy[:, 2:], noisy[:, :2] + 0.5)
        extra = np.array([[0, 0, 5, 5]], float)
        flipped = np.where(rng.random(k) < 0.2, (labels + 1) % 3, labels)
        dets.append(
            {
                "boxes": np.concatenate([noisy, extra]),
                "labels": np.concatenate([flipped, rng.integers(0, 3, 1)]),
                "scores": rng.random(k + 1),
            }
        )
    return dets, truths


@pytest.mark.parametrize("seed", range(3))
def test_ap_read_off_the_curve_equals_average_precision(seed):
    dets, truths = _scenes(seed)
    ap = average_precision(dets, truths, iou_thresholds=(0.5,), num_classes=3)[0]
    for k in range(3):
        pr = precision_recall_curve(dets, truths, k, num_classes=3)
        assert np.all(np.diff(pr["recall"]) >= 0) and np.all(np.diff(pr["scores"]) <= 0)
        envelope = np.maximum.accumulate(pr["precision"][::-1])[::-1]
        at = np.searchsorted(pr["recall"], RECALL_POINTS, side="left")
        read = np.where(at < len(envelope), envelope[np.minimum(at, len(envelope) - 1)], 0)
        assert read.mean() == pytest.approx(ap[k], abs=1e-9)


def test_curve_rejects_a_class_out_of_range():
    dets, truths = _scenes(0, n=3)
    with pytest.raises(ValueError, match="class_index"):
        precision_recall_curve(dets, truths, 5, num_classes=3)


def test_bootstrap_is_paired_and_centred_on_the_map():
    dets, truths = _scenes(1, n=60)
    perfect = [{**t, "scores": np.ones(len(t["labels"]))} for t in truths]
    boot = map_bootstrap([dets, dets, perfect], truths, num_classes=3, num_boot=40, seed=0)
    assert boot.shape == (3, 40)
    np.testing.assert_array_equal(boot[0], boot[1])  # same resamples for every set
    assert np.allclose(boot[2], 1.0)  # the truth as detections: perfect on any resample
    full = mean_average_precision(dets, truths, iou_thresholds=(0.5,), num_classes=3)
    assert abs(boot[0].mean() - full) < 3 * boot[0].std() + 1e-9
    with pytest.raises(ValueError, match="num_boot"):
        map_bootstrap([dets], truths, num_boot=0)
