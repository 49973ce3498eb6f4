"""Segmentation metrics: confusion matrix, pixel accuracy, IoU, mean IoU and Dice.

Introduced in ``10_segmentation`` (``mask_iou`` also in ``09_object_detection``). Every function
takes integer class maps of any shape, for example ``(n, height, width)`` or ``(height, width)``,
and pools all their pixels, as ``keras.metrics.MeanIoU`` does over the batches it sees. A
network's output ``(n, height, width, num_classes)`` becomes a class map with
``probs.argmax(axis=-1)``. Everything is computed from one ``np.bincount``: no Python loop over
pixels.

Two conventions for a class that is in neither the truth nor the prediction:
- the per-class functions (:func:`per_class_iou`, :func:`per_class_dice`) give NaN for it, and
  the means leave it out, so a class that never occurs cannot lift or sink the mean. This is
  what ``keras.metrics.MeanIoU`` does (it divides by the number of classes seen);
- the binary functions (:func:`mask_iou`, :func:`dice`) give 1.0 for two empty masks: for one
  image, predicting "nothing here" where there is nothing is a perfect answer (the usual
  convention in medical imaging).
"""

from __future__ import annotations

import numpy as np


def _class_map(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{name} must hold integer class indices; got dtype {arr.dtype}. Take the argmax "
            "over the class axis (probs.argmax(axis=-1)) or threshold probabilities first."
        )
    return arr


def _pair(true, pred) -> tuple[np.ndarray, np.ndarray]:
    t, p = _class_map(true, "true"), _class_map(pred, "pred")
    if t.shape != p.shape:
        hint = ""
        if p.ndim == t.ndim + 1:
            hint = " pred has one more axis: take pred.argmax(axis=-1) first."
        raise ValueError(f"true has shape {t.shape} but pred has shape {p.shape}.{hint}")
    return t, p


def _binary(x, name: str) -> np.ndarray:
    arr = _class_map(x, name)
    if arr.size and ((arr != 0) & (arr != 1)).any():
        values = np.unique(arr)[:10].tolist()
        raise ValueError(
            f"{name} must be a binary mask of 0/1 or bool; got values {values}. Threshold it "
            "(mask > 0) or compare one class (mask == k) first."
        )
    return arr.astype(bool)


def confusion_matrix(true, pred, num_classes: int) -> np.ndarray:
    """Count pixels by (true class, predicted class), as ``sklearn.metrics.confusion_matrix``.

    Args:
        true: class map of any shape, integers in ``[0, num_classes)``.
        pred: class map of the same shape.
        num_classes: number of classes, background included.

    Returns:
        ``(num_classes, num_classes)`` int64; row ``i``, column ``j`` counts pixels of true class
        ``i`` predicted as ``j``.

    Example:
        >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), 2)
        array([[1, 0],
               [1, 1]])
    """
    if int(num_classes) < 1:
        raise ValueError(f"num_classes must be 1 or more; got {num_classes}")
    num_classes = int(num_classes)
    t, p = _pair(true, pred)
    t, p = t.ravel(), p.ravel()
    for name, arr in (("true", t), ("pred", p)):
        if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
            bad = np.unique(arr[(arr < 0) | (arr >= num_classes)])[:10].tolist()
            raise ValueError(
                f"{name} holds class indices {bad} outside [0, {num_classes}); pass the right "
                "num_classes or remap the labels."
            )
    flat = t.astype(np.int64) * num_classes + p
    counts = np.bincount(flat, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def pixel_accuracy(true, pred) -> float:
    """Share of pixels whose predicted class is the true class (0 to 1); NaN for no pixels.

    ``true`` and ``pred`` are integer class maps of the same shape.
    """
    t, p = _pair(true, pred)
    if t.size == 0:
        return float("nan")
    return float(np.count_nonzero(t == p) / t.size)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(numerator.shape, np.nan)
    seen = denominator > 0
    out[seen] = numerator[seen] / denominator[seen]
    return out


def per_class_iou(true, pred, num_classes: int) -> np.ndarray:
    """Intersection over union of each class: ``TP / (TP + FP + FN)``.

    Returns:
        ``(num_classes,)`` float64 in [0, 1]; NaN for a class in neither ``true`` nor
        ``pred``.
    """
    cm = confusion_matrix(true, pred, num_classes)
    tp = np.diag(cm)
    return _ratio(tp, cm.sum(0) + cm.sum(1) - tp)


def _nanmean(values: np.ndarray) -> float:
    seen = values[~np.isnan(values)]
    return float(seen.mean()) if seen.size else float("nan")


def mean_iou(true, pred, num_classes: int) -> float:
    """Mean of :func:`per_class_iou` over the classes present in ``true`` or ``pred``.

    The same as ``keras.metrics.MeanIoU(num_classes)`` fed the same pixels, to about 1e-7: Keras
    adds an epsilon of 1e-7 to each denominator and sums in float32. Where no class occurs at
    all (no pixels) this returns NaN and Keras returns 0.
    """
    return _nanmean(per_class_iou(true, pred, num_classes))


def per_class_dice(true, pred, num_classes: int) -> np.ndarray:
    """Dice coefficient (F1 score) of each class: ``2 TP / (2 TP + FP + FN)``.

    Returns:
        ``(num_classes,)`` float64 in [0, 1]; NaN for a class in neither ``true`` nor
        ``pred`` (see the module note; :func:`dice` of two empty binary masks is 1.0).
    """
    cm = confusion_matrix(true, pred, num_classes)
    tp = np.diag(cm)
    return _ratio(2 * tp, cm.sum(0) + cm.sum(1))


def mean_dice(true, pred, num_classes: int) -> float:
    """Mean of :func:`per_class_dice` over the classes present in ``true`` or ``pred``."""
    return _nanmean(per_class_dice(true, pred, num_classes))


def mask_iou(true, pred) -> float:
    """IoU of two binary masks of the same shape (bool or 0/1); 1.0 when both are empty."""
    t, p = _binary(true, "true"), _binary(pred, "pred")
    if t.shape != p.shape:
        raise ValueError(f"true has shape {t.shape} but pred has shape {p.shape}")
    union = np.count_nonzero(t | p)
    return 1.0 if union == 0 else float(np.count_nonzero(t & p) / union)


def dice(true, pred) -> float:
    """Dice of two binary masks of the same shape (bool or 0/1); 1.0 when both are empty.

    ``2 |true & pred| / (|true| + |pred|)``; related to IoU by ``dice = 2 iou / (1 + iou)``.
    """
    t, p = _binary(true, "true"), _binary(pred, "pred")
    if t.shape != p.shape:
        raise ValueError(f"true has shape {t.shape} but pred has shape {p.shape}")
    total = np.count_nonzero(t) + np.count_nonzero(p)
    return 1.0 if total == 0 else float(2 * np.count_nonzero(t & p) / total)
