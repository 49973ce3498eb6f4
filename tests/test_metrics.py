"""Tests for imgcourse.metrics, each against a reference on the same inputs: scikit-learn
(confusion matrix, Jaccard, F1), keras.metrics.MeanIoU, pycocotools' COCOeval and plain
Python loops."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
import sklearn.metrics
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from imgcourse.data import make_shapes
from imgcourse.metrics import (
    COCO_IOU_THRESHOLDS,
    average_precision,
    box_iou,
    boxes_from_xywh,
    boxes_to_xywh,
    confusion_matrix,
    detection_metrics,
    dice,
    mask_iou,
    mean_average_precision,
    mean_dice,
    mean_iou,
    per_class_dice,
    per_class_iou,
    pixel_accuracy,
)

# --- segmentation ------------------------------------------------------------------------------


def random_masks(seed: int, shape=(6, 24, 24), num_classes: int = 5, absent: int | None = None):
    """Integer class maps: truth and a prediction that agrees on about 70% of the pixels."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, num_classes, shape)
    noise = rng.integers(0, num_classes, shape)
    pred = np.where(rng.random(shape) < 0.7, true, noise)
    if absent is not None:  # a class in neither truth nor prediction
        true[true == absent] = 0
        pred[pred == absent] = 0
    return true, pred


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_confusion_matrix_and_pixel_accuracy_match_sklearn(seed):
    true, pred = random_masks(seed)
    expected = sklearn.metrics.confusion_matrix(true.ravel(), pred.ravel(), labels=range(5))
    np.testing.assert_array_equal(confusion_matrix(true, pred, 5), expected)
    assert pixel_accuracy(true, pred) == pytest.approx(
        np.trace(expected) / expected.sum(), abs=1e-12
    )
    assert pixel_accuracy(true, pred) == pytest.approx(
        sklearn.metrics.accuracy_score(true.ravel(), pred.ravel()), abs=1e-12
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_per_class_iou_and_dice_match_sklearn(seed):
    true, pred = random_masks(seed, absent=3)
    cm = sklearn.metrics.confusion_matrix(true.ravel(), pred.ravel(), labels=range(5))
    tp = np.diag(cm).astype(float)
    with np.errstate(invalid="ignore"):
        iou_from_cm = tp / (cm.sum(0) + cm.sum(1) - tp)
        dice_from_cm = 2 * tp / (cm.sum(0) + cm.sum(1))
    kw = {"labels": range(5), "average": None, "zero_division": 0}
    jaccard = sklearn.metrics.jaccard_score(true.ravel(), pred.ravel(), **kw)
    f1 = sklearn.metrics.f1_score(true.ravel(), pred.ravel(), **kw)
    jaccard[3] = f1[3] = np.nan  # scikit-learn gives 0 (or 1) for the absent class; we give NaN
    iou, dsc = per_class_iou(true, pred, 5), per_class_dice(true, pred, 5)
    assert np.isnan(iou[3]) and np.isnan(dsc[3])
    for ours, ref in ((iou, iou_from_cm), (iou, jaccard), (dsc, dice_from_cm), (dsc, f1)):
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12, equal_nan=True)
    assert mean_iou(true, pred, 5) == pytest.approx(np.nanmean(jaccard), abs=1e-12)
    assert mean_dice(true, pred, 5) == pytest.approx(np.nanmean(f1), abs=1e-12)


@pytest.mark.parametrize(
    "case",
    ["random", "absent_class", "all_background", "class_only_predicted", "empty_prediction"],
)
def test_mean_iou_matches_keras_mean_iou(case):
    import keras

    true, pred = random_masks(7, shape=(4, 16, 16), absent=2 if case == "absent_class" else None)
    if case == "all_background":
        true, pred = np.zeros_like(true), np.zeros_like(pred)
    elif case == "class_only_predicted":  # class 4 predicted but never true: IoU 0, counted
        true[true == 4] = 0
    elif case == "empty_prediction":  # the model predicts background everywhere
        pred = np.zeros_like(pred)
    metric = keras.metrics.MeanIoU(num_classes=5)
    metric.update_state(true, pred)
    # Keras adds an epsilon of 1e-7 to each denominator and sums in float32
    assert mean_iou(true, pred, 5) == pytest.approx(float(metric.result()), abs=1e-6)


def test_all_background_images_give_perfect_scores_not_nan():
    true = np.zeros((3, 8, 8), np.int64)
    assert mean_iou(true, true, 3) == 1.0
    assert mean_dice(true, true, 3) == 1.0
    assert pixel_accuracy(true, true) == 1.0
    iou = per_class_iou(true, true, 3)
    assert iou[0] == 1.0 and np.isnan(iou[1:]).all()


def test_dice_matches_the_direct_formula_and_its_relation_to_iou():
    rng = np.random.default_rng(3)
    true, pred = rng.random((2, 5, 20, 20)) < 0.4
    direct = 2 * (true & pred).sum() / (true.sum() + pred.sum())
    assert dice(true, pred) == pytest.approx(direct, abs=1e-12)
    iou = mask_iou(true, pred)
    assert iou == pytest.approx((true & pred).sum() / (true | pred).sum(), abs=1e-12)
    assert dice(true, pred) == pytest.approx(2 * iou / (1 + iou), abs=1e-12)
    # the binary functions agree with class 1 of the per-class ones
    assert dice(true, pred) == pytest.approx(per_class_dice(true, pred, 2)[1], abs=1e-12)
    assert iou == pytest.approx(per_class_iou(true, pred, 2)[1], abs=1e-12)


def test_empty_masks():
    empty = np.zeros((16, 16), bool)
    full = np.ones((16, 16), np.uint8)
    assert mask_iou(empty, empty) == 1.0 and dice(empty, empty) == 1.0  # "nothing here": right
    assert mask_iou(full, empty) == 0.0 and dice(full, empty) == 0.0
    assert mask_iou(empty, full) == 0.0 and dice(empty, full) == 0.0
    assert mask_iou(full, full) == 1.0 and dice(full, full) == 1.0
    none = np.zeros((0, 16, 16), np.int64)  # no pixels at all
    assert np.isnan(pixel_accuracy(none, none)) and np.isnan(mean_iou(none, none, 2))
    assert np.isnan(per_class_iou(none, none, 2)).all()
    np.testing.assert_array_equal(confusion_matrix(none, none, 2), np.zeros((2, 2)))


def test_segmentation_metrics_reject_bad_input():
    true, pred = random_masks(0, shape=(2, 8, 8), num_classes=3)
    with pytest.raises(ValueError, match="argmax"):
        mean_iou(true, np.eye(3)[pred], 3)  # one-hot / probabilities instead of classes
    with pytest.raises(ValueError, match="integer class indices"):
        pixel_accuracy(true, pred.astype(float))
    with pytest.raises(ValueError, match=r"outside \[0, 2\)"):
        confusion_matrix(true, pred, 2)
    with pytest.raises(ValueError, match="binary mask"):
        dice(true * 127, true > 0)  # a 0/255-style mask not thresholded
    with pytest.raises(ValueError, match="shape"):
        mask_iou(np.zeros((4, 4), bool), np.zeros((4, 5), bool))


def test_segmentation_on_shapes_masks():
    data = make_shapes(20, image_size=32, max_shapes=3, seed=2)
    true = data.extras["masks"]
    pred = np.roll(true, 1, axis=2)  # shifted by one pixel: a slightly wrong prediction
    ref = sklearn.metrics.jaccard_score(true.ravel(), pred.ravel(), labels=range(4), average=None)
    np.testing.assert_allclose(per_class_iou(true, pred, 4), ref, atol=1e-12)
    assert 0.5 < mean_iou(true, pred, 4) < 1.0


# --- box IoU -------------------------------------------------------------------------------------


def slow_box_iou(a, b):
    out = np.zeros((len(a), len(b)))
    for i, (ay0, ax0, ay1, ax1) in enumerate(a):
        for j, (by0, bx0, by1, bx1) in enumerate(b):
            h = max(0.0, min(ay1, by1) - max(ay0, by0))
            w = max(0.0, min(ax1, bx1) - max(ax0, bx0))
            union = (ay1 - ay0) * (ax1 - ax0) + (by1 - by0) * (bx1 - bx0) - h * w
            out[i, j] = h * w / union if union > 0 else 0.0
    return out


def random_boxes(rng, n, size=64.0, integer=False):
    corner = rng.uniform(0, size * 0.8, (n, 2))
    extent = rng.uniform(1, size * 0.4, (n, 2))
    boxes = np.concatenate([corner, np.minimum(corner + extent, size)], axis=1)
    return np.round(boxes) if integer else boxes


def test_box_iou_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    a, b = random_boxes(rng, 30), random_boxes(rng, 25)
    b[:3] = a[:3]  # identical boxes
    a[5, 2] = a[5, 0]  # zero height
    np.testing.assert_allclose(box_iou(a, b), slow_box_iou(a, b), atol=1e-12)
    np.testing.assert_allclose(np.diag(box_iou(a, b)[:3, :3]), 1.0)


def test_box_iou_edge_cases():
    # boxes touching each other share an edge, not area; boxes touching the image border
    touching = box_iou([[0, 0, 10, 10]], [[0, 10, 10, 20], [10, 0, 20, 10], [0, 0, 10, 10]])
    np.testing.assert_array_equal(touching, [[0.0, 0.0, 1.0]])
    border = [[0, 0, 32, 32], [0, 16, 32, 32]]  # the whole 32x32 image and its right half
    np.testing.assert_allclose(box_iou(border, border), [[1.0, 0.5], [0.5, 1.0]])
    zero = box_iou([[5, 5, 5, 9], [3, 3, 3, 3]], [[5, 5, 5, 9], [0, 0, 10, 10]])
    assert not np.isnan(zero).any() and (zero == 0).all()
    assert box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert box_iou([[0, 0, 1, 1]], []).shape == (1, 0)
    with pytest.raises(ValueError, match="ymax < ymin"):
        box_iou([[10, 0, 5, 5]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        box_iou([[0, 0, 1]], [[0, 0, 1, 1]])
    xywh = boxes_to_xywh([[1, 2, 11, 22]])
    np.testing.assert_array_equal(xywh, [[2, 1, 20, 10]])
    np.testing.assert_array_equal(boxes_from_xywh(xywh), [[1, 2, 11, 22]])


def test_shapes_boxes_are_yxyx_with_exclusive_ends():
    data = make_shapes(10, image_size=32, max_shapes=2, seed=3)
    for mask, boxes in zip(data.extras["masks"], data.extras["boxes"]):
        for y0, x0, y1, x1 in boxes.astype(int):
            inside = mask[y0:y1, x0:x1] > 0
            assert inside[0].any() and inside[-1].any()
            assert inside[:, 0].any() and inside[:, -1].any()


# --- mean average precision ----------------------------------------------------------------------


def coco_reference(detections, ground_truths, num_classes):
    """pycocotools' COCOeval on the same boxes: (T, K) AP (-1 -> NaN), mAP, mAP@0.5."""
    images = [{"id": i + 1} for i in range(len(ground_truths))]
    categories = [{"id": c + 1, "name": str(c)} for c in range(num_classes)]

    def annotations(entries, with_scores):
        anns = []
        for i, entry in enumerate(entries):
            for k, (box, label) in enumerate(zip(boxes_to_xywh(entry["boxes"]), entry["labels"])):
                ann = {
                    "id": len(anns) + 1,  # COCO ids start at 1: 0 means "unmatched"
                    "image_id": i + 1,
                    "category_id": int(label) + 1,
                    "bbox": [float(v) for v in box],
                    "area": float(box[2] * box[3]),
                    "iscrowd": 0,
                }
                if with_scores:
                    ann["score"] = float(entry["scores"][k])
                anns.append(ann)
        return anns

    with contextlib.redirect_stdout(io.StringIO()):
        gt, dt = COCO(), COCO()
        gt.dataset = {
            "images": images,
            "categories": categories,
            "annotations": annotations(ground_truths, False),
        }
        dt.dataset = {
            "images": images,
            "categories": categories,
            "annotations": annotations(detections, True),
        }
        gt.createIndex()
        dt.createIndex()
        evaluator = COCOeval(gt, dt, iouType="bbox")  # areaRng "all", maxDets 100, iscrowd 0
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    precision = evaluator.eval["precision"][:, :, :, 0, -1]  # (T, R, K), area all, 100 dets
    ap = np.where((precision > -1).all(axis=1), precision.mean(axis=1), np.nan)
    return ap, evaluator.stats[0], evaluator.stats[1]


def random_scenes(seed, n_images=30, num_classes=4, integer=False, max_objects=6, spare=0.3):
    """Ground truth and noisy detections: jittered, missed, mislabelled and spurious boxes."""
    rng = np.random.default_rng(seed)
    gts, dets = [], []
    for _ in range(n_images):
        k = int(rng.integers(0, max_objects + 1))
        boxes = random_boxes(rng, k, integer=integer)
        labels = rng.integers(0, num_classes, k)
        kept = rng.random(k) > 0.2
        jitter = rng.normal(0, 1.5, (k, 4))
        det = np.sort((boxes + jitter)[kept].reshape(-1, 2, 2), axis=1).reshape(-1, 4)
        det_labels = np.where(rng.random(k) < 0.1, rng.integers(0, num_classes, k), labels)[kept]
        extra = int(rng.poisson(spare * max_objects))
        det = np.concatenate([det, random_boxes(rng, extra, integer=integer)])
        if integer:
            det = np.round(det)
        det_labels = np.concatenate([det_labels, rng.integers(0, num_classes, extra)])
        gts.append({"boxes": boxes, "labels": labels})
        scores = np.concatenate([rng.uniform(0.3, 1.0, kept.sum()), rng.uniform(0, 0.7, extra)])
        dets.append({"boxes": det, "labels": det_labels, "scores": scores})
    return dets, gts


def assert_matches_coco(dets, gts, num_classes):
    ref_ap, ref_map, ref_map50 = coco_reference(dets, gts, num_classes)
    ap = average_precision(dets, gts, num_classes=num_classes)
    np.testing.assert_allclose(ap, ref_ap, rtol=0, atol=1e-12, equal_nan=True)
    summary = detection_metrics(dets, gts, num_classes=num_classes)
    if ref_map == -1:  # COCO's "no ground truth"
        assert np.isnan(summary["map"]) and np.isnan(summary["map50"])
        return summary
    assert summary["map"] == pytest.approx(ref_map, abs=1e-12)
    assert summary["map50"] == pytest.approx(ref_map50, abs=1e-12)
    assert mean_average_precision(dets, gts, num_classes=num_classes) == pytest.approx(
        ref_map, abs=1e-12
    )
    assert mean_average_precision(
        dets, gts, iou_thresholds=(0.5,), num_classes=num_classes
    ) == pytest.approx(ref_map50, abs=1e-12)
    return summary


@pytest.mark.parametrize("seed", range(5))
def test_map_matches_pycocotools_on_random_scenes(seed):
    dets, gts = random_scenes(seed)
    summary = assert_matches_coco(dets, gts, 4)
    assert 0.05 < summary["map"] < summary["map50"] < 1.0


def test_map_matches_pycocotools_with_integer_boxes():
    dets, gts = random_scenes(11, num_classes=3, integer=True, max_objects=8, spare=0.8)
    assert_matches_coco(dets, gts, 3)


def test_map_matches_pycocotools_on_shapes_scenes():
    data = make_shapes(40, image_size=48, max_shapes=4, difficulty=0.6, seed=4)
    gts = [
        {"boxes": b, "labels": k} for b, k in zip(data.extras["boxes"], data.extras["box_labels"])
    ]
    rng = np.random.default_rng(0)
    dets = [
        {
            "boxes": np.clip(g["boxes"] + rng.normal(0, 1.5, g["boxes"].shape), 0, 48),
            "labels": g["labels"],
            "scores": rng.random(len(g["labels"])),
        }
        for g in gts
    ]
    summary = assert_matches_coco(dets, gts, 3)
    assert summary["map50"] > 0.9


def test_iou_ties_and_iou_exactly_at_the_threshold_follow_pycocotools():
    gts = [
        {"boxes": np.array([[0, 0, 10, 10], [0, 4, 10, 14]]), "labels": np.array([0, 0])},
        {"boxes": np.array([[0, 0, 10, 10]]), "labels": np.array([0])},
    ]
    dets = [
        # IoU 2/3 with both boxes: COCO matches the last, which leaves the first for the second
        {
            "boxes": np.array([[0, 2, 10, 12], [0, 0, 10, 10]]),
            "labels": [0, 0],
            "scores": [0.9, 0.8],
        },
        # IoU exactly 0.5: a match at the 0.5 threshold only
        {"boxes": np.array([[0, 0, 10, 20]]), "labels": [0], "scores": [0.7]},
    ]
    assert box_iou(dets[1]["boxes"], gts[1]["boxes"])[0, 0] == 0.5
    summary = assert_matches_coco(dets, gts, 1)
    assert summary["map50"] == 1.0 and summary["map"] < 1.0


def test_perfect_detections_score_one_including_boxes_on_the_border():
    gts = [
        {"boxes": np.array([[0, 0, 32, 32]]), "labels": np.array([0])},  # the whole image
        {"boxes": np.array([[0, 20, 12, 32], [20, 0, 32, 12]]), "labels": np.array([1, 0])},
    ]
    dets = [{**g, "scores": np.linspace(0.9, 0.5, len(g["labels"]))} for g in gts]
    summary = assert_matches_coco(dets, gts, 2)
    assert summary["map"] == 1.0 and summary["map50"] == 1.0


def test_no_predictions_give_ap_zero():
    _, gts = random_scenes(1)
    dets = [{"boxes": np.zeros((0, 4)), "labels": [], "scores": []} for _ in gts]
    summary = assert_matches_coco(dets, gts, 4)
    assert summary["map"] == 0.0 and summary["map50"] == 0.0


def test_a_class_without_ground_truth_is_left_out_as_coco_does():
    dets, gts = random_scenes(2, num_classes=3)
    for g in gts:  # class 2 only ever appears in the predictions
        keep = g["labels"] != 2
        g["boxes"], g["labels"] = g["boxes"][keep], g["labels"][keep]
    assert any((d["labels"] == 2).any() for d in dets)
    summary = assert_matches_coco(dets, gts, 3)
    assert np.isnan(summary["ap_per_class"][2]) and not np.isnan(summary["ap_per_class"][:2]).any()


def test_images_without_objects_count_their_detections_as_false_positives():
    dets, gts = random_scenes(3)
    for g in gts[::3]:
        g["boxes"], g["labels"] = np.zeros((0, 4)), np.zeros(0, np.int64)
    with_empty = assert_matches_coco(dets, gts, 4)
    no_extra = [
        {"boxes": d["boxes"][:0], "labels": d["labels"][:0], "scores": d["scores"][:0]}
        if i % 3 == 0
        else d
        for i, d in enumerate(dets)
    ]
    assert mean_average_precision(no_extra, gts, num_classes=4) >= with_empty["map"]


def test_no_ground_truth_at_all_gives_nan():
    dets, gts = random_scenes(4, n_images=5)
    empty = [{"boxes": np.zeros((0, 4)), "labels": np.zeros(0, np.int64)} for _ in gts]
    summary = assert_matches_coco(dets, empty, 4)
    assert np.isnan(summary["ap_per_class"]).all()
    nothing = [{"boxes": np.zeros((0, 4)), "labels": [], "scores": []} for _ in gts]
    assert np.isnan(mean_average_precision(nothing, empty))


def test_max_detections_keeps_the_best_hundred_per_image_and_class():
    dets, gts = random_scenes(5, n_images=4, num_classes=2, max_objects=10)
    rng = np.random.default_rng(5)
    for d in dets:  # 150 extra low-scoring boxes: some would be matches, all are dropped
        d["boxes"] = np.concatenate([d["boxes"], random_boxes(rng, 150)])
        d["labels"] = np.concatenate([d["labels"], np.zeros(150, np.int64)])
        d["scores"] = np.concatenate([d["scores"], rng.uniform(-2, -1, 150)])
    assert_matches_coco(dets, gts, 2)


def test_detection_metrics_reject_bad_input():
    dets, gts = random_scenes(0, n_images=3)
    with pytest.raises(ValueError, match="one entry per image"):
        average_precision(dets[:2], gts)
    with pytest.raises(ValueError, match="keys"):
        average_precision([{"boxes": dets[0]["boxes"]}] + dets[1:], gts)
    bad = [{**dets[0], "scores": dets[0]["scores"][:-1]}] + dets[1:]
    with pytest.raises(ValueError, match="one per box"):
        average_precision(bad, gts)
    nan_scores = [{**dets[0], "scores": np.full(len(dets[0]["labels"]), np.nan)}] + dets[1:]
    with pytest.raises(ValueError, match="NaN"):
        average_precision(nan_scores, gts)
    with pytest.raises(ValueError, match="num_classes"):
        average_precision(dets, gts, num_classes=2)
    with pytest.raises(ValueError, match="iou_thresholds"):
        average_precision(dets, gts, iou_thresholds=(0.5, 1.5))
    assert COCO_IOU_THRESHOLDS[0] == 0.5 and len(COCO_IOU_THRESHOLDS) == 10
