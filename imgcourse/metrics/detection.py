"""Detection metrics: box IoU and COCO's mean average precision (mAP).

Introduced in ``09_object_detection``. Boxes are ``(ymin, xmin, ymax, xmax)`` in pixels, the
convention of ``make_shapes``'s ``boxes`` extra (and of ``tf.image`` and Keras's ``"yxyx"``
format); ``ymax`` and ``xmax`` are exclusive edges, so a box's area is
``(ymax - ymin) * (xmax - xmin)`` with no ``+ 1`` (as in COCO). COCO files store
``[x, y, width, height]``: convert with :func:`boxes_to_xywh` and :func:`boxes_from_xywh`.

Detections and ground truth are lists with one dict per image, in the same order::

    ground_truths = [{"boxes": (k, 4) array, "labels": (k,) int array}, ...]
    detections = [{"boxes": (d, 4), "labels": (d,) int, "scores": (d,) float}, ...]

An image without objects has ``(0, 4)`` boxes and ``(0,)`` labels. For shapes scenes,
``[{"boxes": b, "labels": k} for b, k in zip(data.extras["boxes"], data.extras["box_labels"])]``
gives the ground truth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: COCO's IoU thresholds 0.50, 0.55, ..., 0.95 (computed as pycocotools does).
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
#: COCO's 101 recall points 0.00, 0.01, ..., 1.00 at which precision is read.
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def _boxes(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.size == 0:
        return arr.reshape(0, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(
            f"{name} must have shape (n, 4) as (ymin, xmin, ymax, xmax); got {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{name} holds NaN or infinite coordinates: rows {_bad_rows(~np.isfinite(arr).all(1))}"
        )
    inverted = (arr[:, 2] < arr[:, 0]) | (arr[:, 3] < arr[:, 1])
    if inverted.any():
        raise ValueError(
            f"{name} has boxes with ymax < ymin or xmax < xmin at rows {_bad_rows(inverted)}; "
            "boxes are (ymin, xmin, ymax, xmax) (convert (x, y, w, h) with boxes_from_xywh)"
        )
    return arr


def _bad_rows(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask)[:10].tolist()


def boxes_to_xywh(boxes) -> np.ndarray:
    """``(n, 4)`` boxes ``(ymin, xmin, ymax, xmax)`` to COCO's ``(x, y, width, height)``."""
    b = _boxes(boxes, "boxes")
    return np.stack([b[:, 1], b[:, 0], b[:, 3] - b[:, 1], b[:, 2] - b[:, 0]], axis=1)


def boxes_from_xywh(boxes) -> np.ndarray:
    """``(n, 4)`` COCO boxes ``(x, y, width, height)`` to ``(ymin, xmin, ymax, xmax)``."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return _boxes(np.stack([b[:, 1], b[:, 0], b[:, 1] + b[:, 3], b[:, 0] + b[:, 2]], 1), "boxes")


def box_iou(boxes_a, boxes_b) -> np.ndarray:
    """Intersection over union of every box in ``boxes_a`` with every box in ``boxes_b``.

    Args:
        boxes_a: ``(n, 4)`` boxes ``(ymin, xmin, ymax, xmax)`` in pixels.
        boxes_b: ``(m, 4)`` boxes, same convention.

    Returns:
        ``(n, m)`` float64 in [0, 1]. Boxes that only touch share no area (IoU 0); a box of
        zero area has IoU 0 with everything, itself included (never NaN).

    Example:
        >>> box_iou([[0, 0, 10, 10]], [[0, 5, 10, 15], [20, 20, 30, 30]])
        array([[0.33333333, 0.        ]])
    """
    return _iou(_boxes(boxes_a, "boxes_a"), _boxes(boxes_b, "boxes_b"))


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`box_iou` of boxes already checked by ``_boxes``."""
    height = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    width = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.maximum(height, 0.0) * np.maximum(width, 0.0)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    out = np.zeros(inter.shape)
    np.divide(inter, union, out=out, where=union > 0)
    return out


def _image(entry, index: int, kind: str, keys: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    if not isinstance(entry, dict) or any(k not in entry for k in keys):
        got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
        raise ValueError(f"{kind}[{index}] must be a dict with keys {keys}; got {got}")
    boxes = _boxes(entry["boxes"], f"{kind}[{index}]['boxes']")
    rest = [np.asarray(entry[k]).reshape(-1) for k in keys[1:]]
    for key, arr in zip(keys[1:], rest):
        if len(arr) != len(boxes):
            raise ValueError(
                f"{kind}[{index}] has {len(boxes)} boxes but {len(arr)} {key}; give one per box"
            )
    labels = rest[0]
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"{kind}[{index}]['labels'] must be integer class indices; got {labels.dtype}"
        )
    if labels.size and labels.min() < 0:
        raise ValueError(f"{kind}[{index}]['labels'] holds negative class indices {labels.min()}")
    scores = [r.astype(np.float64) for r in rest[1:]]
    if scores and not np.isfinite(scores[0]).all():
        raise ValueError(f"{kind}[{index}]['scores'] holds NaN or infinite values")
    return (boxes, labels.astype(np.int64), *scores)


def _match(ious: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Greedy matching of detections (rows of ``ious``, best score first) to ground truth.

    Each detection takes the unmatched ground-truth box of highest IoU at or above the
    threshold (the last one on a tie), as pycocotools does. Returns ``(T, d)`` bool: true
    positives per threshold.
    """
    num_det, num_gt = ious.shape
    tp = np.zeros((len(thresholds), num_det), bool)
    if num_gt == 0:
        return tp
    matched = np.zeros((len(thresholds), num_gt), bool)
    last = num_gt - 1
    for j in range(num_det):  # a loop over detections: each match depends on the earlier ones
        ok = (ious[j][None, :] >= thresholds[:, None]) & ~matched
        hit = ok.any(axis=1)
        if not hit.any():
            continue
        candidates = np.where(ok, ious[j][None, :], -1.0)
        pick = last - np.argmax(candidates[:, ::-1], axis=1)
        tp[hit, j] = True
        matched[np.flatnonzero(hit), pick[hit]] = True
    return tp


def _interpolated_ap(tp: np.ndarray, scores: np.ndarray, num_gt: int) -> np.ndarray:
    """COCO's 101-point AP per threshold from ``(T, d)`` true positives and ``(d,)`` scores."""
    order = np.argsort(-scores, kind="mergesort")
    tp = tp[:, order]
    if tp.shape[1] == 0:
        return np.zeros(tp.shape[0])
    tp_sum = np.cumsum(tp, axis=1).astype(float)
    fp_sum = np.cumsum(~tp, axis=1).astype(float)
    recall = tp_sum / num_gt
    precision = tp_sum / (tp_sum + fp_sum + np.spacing(1))
    # precision envelope: the best precision at this recall or any higher one
    precision = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    ap = np.empty(tp.shape[0])
    for t in range(tp.shape[0]):
        idx = np.searchsorted(recall[t], RECALL_POINTS, side="left")
        reached = idx < tp.shape[1]
        ap[t] = np.where(reached, precision[t, np.minimum(idx, tp.shape[1] - 1)], 0.0).mean()
    return ap


def _matches_per_class(
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    iou_thresholds,
    num_classes: int | None,
    max_detections: int,
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Checked inputs matched per class: ``(T, d_c)`` true positives, ``(d_c,)`` scores (in
    image order, not yet ranked) and ``(C,)`` ground-truth counts."""
    if len(detections) != len(ground_truths):
        raise ValueError(
            f"got detections for {len(detections)} images but ground truth for "
            f"{len(ground_truths)}; give one entry per image for both (empty arrays if none)"
        )
    thresholds = np.atleast_1d(np.asarray(iou_thresholds, dtype=np.float64))
    if thresholds.size == 0 or thresholds.min() < 0 or thresholds.max() > 1:
        raise ValueError(f"iou_thresholds must be values in [0, 1]; got {iou_thresholds}")
    thresholds = np.minimum(thresholds, 1 - 1e-10)  # as pycocotools: IoU 1.0 still matches
    if max_detections < 1:
        raise ValueError(f"max_detections must be 1 or more; got {max_detections}")
    gts = [_image(g, i, "ground_truths", ("boxes", "labels")) for i, g in enumerate(ground_truths)]
    dets = [
        _image(d, i, "detections", ("boxes", "labels", "scores")) for i, d in enumerate(detections)
    ]
    largest = max([int(x[1].max()) for x in gts + dets if x[1].size], default=-1)
    if num_classes is None:
        num_classes = largest + 1
    elif num_classes < 1 or largest >= num_classes:
        raise ValueError(f"labels go up to {largest} but num_classes is {num_classes}")
    tps = [[] for _ in range(num_classes)]
    scores = [[] for _ in range(num_classes)]
    num_gt = np.zeros(num_classes, np.int64)
    for (gt_boxes, gt_labels), (det_boxes, det_labels, det_scores) in zip(gts, dets):
        num_gt += np.bincount(gt_labels, minlength=num_classes)
        if det_labels.size == 0:
            continue
        image_ious = _iou(det_boxes, gt_boxes)  # all pairs once; each class takes its block
        for c in np.unique(det_labels):
            keep = np.flatnonzero(det_labels == c)
            keep = keep[np.argsort(-det_scores[keep], kind="mergesort")][:max_detections]
            ious = image_ious[np.ix_(keep, np.flatnonzero(gt_labels == c))]
            tps[c].append(_match(ious, thresholds))
            scores[c].append(det_scores[keep])
    tp_out, score_out = [], []
    for c in range(num_classes):
        tp_out.append(
            np.concatenate(tps[c], axis=1) if tps[c] else np.zeros((len(thresholds), 0), bool)
        )
        score_out.append(np.concatenate(scores[c]) if scores[c] else np.zeros(0))
    return tp_out, score_out, num_gt


def average_precision(
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    *,
    iou_thresholds=COCO_IOU_THRESHOLDS,
    num_classes: int | None = None,
    max_detections: int = 100,
) -> np.ndarray:
    """Average precision of each class at each IoU threshold, as COCO defines it.

    Per class and threshold: each image's detections, best score first (at most
    ``max_detections`` per image and class, as pycocotools counts them), are matched greedily
    to unmatched ground-truth boxes of the same class with IoU >= threshold; all images'
    detections are then ranked by score, and precision (made non-increasing) is averaged at
    the 101 recall points 0, 0.01, ..., 1. The same numbers as pycocotools' ``COCOeval`` with
    area range "all" and no crowd boxes.

    Args:
        detections: one dict per image with ``boxes`` (d, 4) ``(ymin, xmin, ymax, xmax)``
            pixels, ``labels`` (d,) int and ``scores`` (d,) float.
        ground_truths: one dict per image, same order, with ``boxes`` (k, 4) and ``labels``
            (k,).
        iou_thresholds: IoU thresholds; COCO's 0.50:0.05:0.95 by default.
        num_classes: number of classes; the largest label + 1 when not given.
        max_detections: detections kept per image and class, highest scores first.

    Returns:
        ``(len(iou_thresholds), num_classes)`` float64 in [0, 1]. A class with no
        ground-truth box is NaN (COCO's -1) and left out of means; a class with ground truth
        but no detections has AP 0.
    """
    tps, scores, num_gt = _matches_per_class(
        detections, ground_truths, iou_thresholds, num_classes, max_detections
    )
    num_thresholds = np.atleast_1d(np.asarray(iou_thresholds)).size
    ap = np.full((num_thresholds, len(tps)), np.nan)
    for c in np.flatnonzero(num_gt):
        ap[:, c] = _interpolated_ap(tps[c], scores[c], int(num_gt[c]))
    return ap


def mean_average_precision(
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    *,
    iou_thresholds=COCO_IOU_THRESHOLDS,
    num_classes: int | None = None,
    max_detections: int = 100,
) -> float:
    """COCO's mAP: :func:`average_precision` averaged over classes with ground truth and over
    the IoU thresholds. The default thresholds give mAP@[0.5:0.95] (COCO's "AP");
    ``iou_thresholds=(0.5,)`` gives mAP@0.5 (PASCAL VOC's threshold with COCO's 101 points).
    NaN when no image has a ground-truth box.
    """
    ap = average_precision(
        detections,
        ground_truths,
        iou_thresholds=iou_thresholds,
        num_classes=num_classes,
        max_detections=max_detections,
    )
    seen = ap[~np.isnan(ap)]
    return float(seen.mean()) if seen.size else float("nan")


def detection_metrics(
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    *,
    num_classes: int | None = None,
    max_detections: int = 100,
) -> dict[str, float | np.ndarray]:
    """The usual summary in one pass: ``{"map": mAP@[0.5:0.95], "map50": mAP@0.5,
    "map75": mAP@0.75, "ap_per_class": (num_classes,) AP@[0.5:0.95], NaN without ground
    truth}``. Arguments as in :func:`average_precision`.
    """
    ap = average_precision(
        detections, ground_truths, num_classes=num_classes, max_detections=max_detections
    )
    has_gt = ~np.isnan(ap[0])
    if not has_gt.any():
        nan = float("nan")
        return {"map": nan, "map50": nan, "map75": nan, "ap_per_class": ap[0]}
    return {
        "map": float(ap[:, has_gt].mean()),
        "map50": float(ap[0, has_gt].mean()),
        "map75": float(ap[5, has_gt].mean()),
        "ap_per_class": ap.mean(axis=0),
    }


def precision_recall_curve(
    detections: Sequence[dict],
    ground_truths: Sequence[dict],
    class_index: int,
    *,
    iou_threshold: float = 0.5,
    num_classes: int | None = None,
    max_detections: int = 100,
) -> dict[str, np.ndarray | int]:
    """One class's precision-recall curve at one IoU threshold, as :func:`average_precision`
    builds it before taking its area.

    Detections of ``class_index`` are matched as in :func:`average_precision`, then ranked by
    score over all images; after each detection in that ranking, recall is the share of the
    class's true boxes found so far and precision the share of detections so far that are
    right. Averaging the precision envelope (the best precision at that recall or beyond) at
    the 101 recall points 0, 0.01, ..., 1 (0 where recall never gets there) gives the AP.
    Introduced in ``09_object_detection``.

    Returns:
        ``{"recall": (d,), "precision": (d,), "scores": (d,)}`` float64, best score first
        (precision not yet made non-increasing), and ``"num_gt"``: the class's true boxes.
    """
    tps, scores, num_gt = _matches_per_class(
        detections, ground_truths, (iou_threshold,), num_classes, max_detections
    )
    if not 0 <= class_index < len(tps):
        raise ValueError(f"class_index must be in 0..{len(tps) - 1}; got {class_index}")
    order = np.argsort(-scores[class_index], kind="mergesort")
    tp = tps[class_index][0, order]
    found = np.cumsum(tp).astype(float)
    total = int(num_gt[class_index])
    return {
        "recall": found / max(total, 1),
        "precision": found / np.arange(1, len(tp) + 1),
        "scores": scores[class_index][order],
        "num_gt": total,
    }


def map_bootstrap(
    detection_sets: Sequence[Sequence[dict]],
    ground_truths: Sequence[dict],
    *,
    iou_threshold: float = 0.5,
    num_classes: int | None = None,
    num_boot: int = 100,
    seed: int = 0,
    max_detections: int = 100,
) -> np.ndarray:
    """mAP at one IoU threshold on images resampled with replacement, the same resamples for
    every set of detections (so differences between sets are paired).

    Each image's detections are matched once (matching never crosses images); every resample
    then ranks the chosen images' detections and takes COCO's 101-point AP per class, as
    :func:`mean_average_precision` does. Introduced in ``09_object_detection``, to give a
    difference of mAP its spread.

    Args:
        detection_sets: one or more lists of detections, each with one dict per image.
        ground_truths: one dict per image, as in :func:`average_precision`.
        iou_threshold: the IoU a detection needs to count as right.
        num_classes: number of classes; from the labels when not given.
        num_boot: resamples.
        seed: seed of the resampling.
        max_detections: as in :func:`average_precision`.

    Returns:
        ``(len(detection_sets), num_boot)`` float64 mAP values.
    """
    if num_boot < 1:
        raise ValueError(f"num_boot must be 1 or more; got {num_boot}")
    if num_classes is None:
        labels = [np.asarray(e["labels"]).reshape(-1) for e in ground_truths]
        labels += [np.asarray(e["labels"]).reshape(-1) for s in detection_sets for e in s]
        num_classes = max([int(x.max()) for x in labels if x.size], default=0) + 1
    n = len(ground_truths)
    picks = np.random.default_rng(seed).integers(0, n, size=(num_boot, n))
    out = np.full((len(detection_sets), num_boot), np.nan)
    for s, dets in enumerate(detection_sets):
        if len(dets) != n:
            raise ValueError(f"detection set {s} has {len(dets)} images, ground truth {n}")
        per_image = [
            _matches_per_class([d], [g], (iou_threshold,), num_classes, max_detections)
            for d, g in zip(dets, ground_truths)
        ]
        for b, pick in enumerate(picks):
            aps = []
            for c in range(num_classes):
                num_gt = int(sum(per_image[i][2][c] for i in pick))
                if num_gt:
                    tp = np.concatenate([per_image[i][0][c] for i in pick], axis=1)
                    scores = np.concatenate([per_image[i][1][c] for i in pick])
                    aps.append(_interpolated_ap(tp, scores, num_gt)[0])
            if aps:
                out[s, b] = np.mean(aps)
    return out
