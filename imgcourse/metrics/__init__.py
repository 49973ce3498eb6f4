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

# [11 autoencoders] imports
# [12 gans] imports
# [13 style transfer] imports
# [14 attention] imports
# [15 few-shot] imports

__all__ = [
    # [11 autoencoders] names
    # [12 gans] names
    # [13 style transfer] names
    # [14 attention] names
    # [15 few-shot] names
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
