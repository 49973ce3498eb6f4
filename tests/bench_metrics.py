"""Speed of imgcourse.metrics against the reference implementations, on the same inputs.

Run: ``python tests/bench_metrics.py [--repeats 7]``. Each pair is timed in turn (ours, the
reference, ours, ...), after one warm-up call each, and the medians are printed as a Markdown
table for BENCHMARKS.md. Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import sklearn.metrics
from test_metrics import coco_reference, random_boxes, random_scenes  # the tests' inputs

from imgcourse.metrics import (
    box_iou,
    boxes_to_xywh,
    detection_metrics,
    mean_iou,
    per_class_iou,
    pixel_accuracy,
)


def timed(fn, repeats: int, other) -> tuple[float, float]:
    """Median seconds of ``fn`` and ``other``, called in turn ``repeats`` times each."""
    fn(), other()  # warm-up
    ours, ref = [], []
    for _ in range(repeats):
        for f, out in ((fn, ours), (other, ref)):
            start = time.perf_counter()
            f()
            out.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(ref)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    import keras  # after argparse, so --help is quick

    rng = np.random.default_rng(0)
    true = rng.integers(0, 5, (64, 128, 128))
    pred = np.where(rng.random(true.shape) < 0.7, true, rng.integers(0, 5, true.shape))

    metric = keras.metrics.MeanIoU(num_classes=5)

    def keras_miou():
        metric.reset_state()
        metric.update_state(true, pred)
        return float(metric.result())

    def sklearn_iou_and_accuracy():
        cm = sklearn.metrics.confusion_matrix(true.ravel(), pred.ravel(), labels=range(5))
        tp = np.diag(cm)
        return tp / (cm.sum(0) + cm.sum(1) - tp), tp.sum() / cm.sum()

    def ours_iou_and_accuracy():
        return per_class_iou(true, pred, 5), pixel_accuracy(true, pred)

    a, b = random_boxes(rng, 1000), random_boxes(rng, 1000)
    a_xywh, b_xywh = boxes_to_xywh(a).tolist(), boxes_to_xywh(b).tolist()

    def coco_box_iou():
        from pycocotools import mask

        return mask.iou(a_xywh, b_xywh, [0] * len(b_xywh))

    dets, gts = random_scenes(0, n_images=200, num_classes=5)
    rows = [
        (
            "mIoU, 64 masks of 128x128, 5 classes",
            "`keras.metrics.MeanIoU` (reset_state, update_state, result)",
            timed(lambda: mean_iou(true, pred, 5), repeats, keras_miou),
        ),
        (
            "per-class IoU + pixel accuracy, same masks",
            "`sklearn.metrics.confusion_matrix` + the same two lines",
            timed(ours_iou_and_accuracy, repeats, sklearn_iou_and_accuracy),
        ),
        (
            "box IoU matrix, 1,000 x 1,000 boxes",
            "`pycocotools.mask.iou` (C)",
            timed(lambda: box_iou(a, b), repeats, coco_box_iou),
        ),
        (
            "mAP@[.5:.95] + mAP@0.5, 200 images, 5 classes, "
            f"{sum(len(g['labels']) for g in gts)} boxes, "
            f"{sum(len(d['labels']) for d in dets)} detections",
            "pycocotools `COCO` + `COCOeval` (evaluate, accumulate, summarize)",
            timed(
                lambda: detection_metrics(dets, gts, num_classes=5),
                repeats,
                lambda: coco_reference(dets, gts, 5),
            ),
        ),
    ]
    print(f"median of {repeats} runs each, taken in turn\n")
    print("| metric and input | reference | imgcourse | reference | ratio ref / ours |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, ref_name, (ours, ref) in rows:
        times = f"{ours * 1e3:.1f} ms | {ref * 1e3:.1f} ms | {ref / ours:.1f}x"
        print(f"| {name} | {ref_name} | {times} |")


if __name__ == "__main__":
    main()
