"""Metrics for segmentation (``10_segmentation``) and detection (``09_object_detection``).

Each is checked in ``tests/test_metrics.py`` against a reference on the same inputs:
scikit-learn's confusion matrix, ``keras.metrics.MeanIoU`` and pycocotools' ``COCOeval``.
NumPy only: importing this module does not import TensorFlow.
Classification metrics (calibration, temperature scaling, bootstrap intervals, per-group
accuracy; ``07_evaluation_and_fairness``) are in ``classification``, tested against
scikit-learn in ``tests/test_metrics_classification.py``.
"""

from __future__ import annotations

from imgcourse.metrics.classification import (
    GroupAccuracy,
    Interval,
    ReliabilityBins,
    bootstrap_ci,
    expected_calibration_error,
    fit_temperature,
    group_accuracy,
    reliability_bins,
    softmax_with_temperature,
)
from imgcourse.metrics.detection import (
    COCO_IOU_THRESHOLDS,
    RECALL_POINTS,
    average_precision,
    box_iou,
    boxes_from_xywh,
    boxes_to_xywh,
    detection_metrics,
    mean_average_precision,
)
from imgcourse.metrics.fewshot import episode_interval
from imgcourse.metrics.generation import (
    class_counts,
    class_coverage,
    label_agreement,
    sample_diversity,
)
from imgcourse.metrics.image_quality import mse, psnr, ssim
from imgcourse.metrics.segmentation import (
    confusion_matrix,
    dice,
    mask_iou,
    mean_dice,
    mean_iou,
    per_class_dice,
    per_class_iou,
    pixel_accuracy,
)
from imgcourse.metrics.text import corpus_bleu, ngram_counts

__all__ = [
    "mse",
    "psnr",
    "ssim",
    "class_counts",
    "class_coverage",
    "label_agreement",
    "sample_diversity",
    "corpus_bleu",
    "ngram_counts",
    "episode_interval",
    "COCO_IOU_THRESHOLDS",
    "RECALL_POINTS",
    "average_precision",
    "box_iou",
    "boxes_from_xywh",
    "boxes_to_xywh",
    "confusion_matrix",
    "detection_metrics",
    "dice",
    "mask_iou",
    "mean_average_precision",
    "mean_dice",
    "mean_iou",
    "per_class_dice",
    "per_class_iou",
    "pixel_accuracy",
    "GroupAccuracy",
    "Interval",
    "ReliabilityBins",
    "bootstrap_ci",
    "expected_calibration_error",
    "fit_temperature",
    "group_accuracy",
    "reliability_bins",
    "softmax_with_temperature",
]
