"""The centre-heatmap detector of 09: builder, target encoding, loss, decoding and NMS
(checked against ``tf.image.non_max_suppression``)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from imgcourse import models
from imgcourse.data import make_shapes
from imgcourse.metrics import detection_metrics
from imgcourse.models import detector


def test_builder_is_registered_and_names_its_layers():
    model = models.build("centre_detector")
    assert model.input_shape == (None, 48, 48, 3)
    assert model.output_shape == (None, 12, 12, 3 + 4)
    assert model.get_layer("features").output.shape[1:3] == (12, 12)
    assert model.layers[-1].name == "head"
    assert model.get_layer("head").compute_dtype == "float32"


def test_builder_rejects_sizes_that_do_not_divide_by_the_stride():
    with pytest.raises(ValueError, match="divisible by 4"):
        detector.centre_detector((50, 50, 3), 3)
    with pytest.raises(ValueError, match="num_classes"):
        detector.centre_detector((48, 48, 3), 0)


def test_initial_scores_are_low():
    model = detector.centre_detector((16, 16, 3), 2)
    out = np.asarray(model(np.zeros((1, 16, 16, 3), np.float32)))
    scores = 1 / (1 + np.exp(-out[..., :2]))
    assert np.allclose(scores, 0.1, atol=0.02)


def test_encode_targets_puts_peak_size_and_offset_at_the_centre():
    boxes = [np.array([[4, 8, 12, 20]], np.float32)]  # centre (8, 14) px -> cell (2, 3)
    y = detector.encode_targets(boxes, [np.array([1])], image_size=16, stride=4, num_classes=2)
    assert y.shape == (1, 4, 4, 2 + 5)
    assert y[0, 2, 3, 1] == 1.0 and y[0, :, :, 1].sum() > 1  # a bump, peak 1
    assert y[0, :, :, 0].max() == 0  # nothing on the other class
    np.testing.assert_allclose(y[0, 2, 3, 2:], [2.0, 3.0, 0.0, 0.5, 1.0])
    assert y[0, :, :, -1].sum() == 1


def test_encode_targets_checks_labels():
    with pytest.raises(ValueError, match="outside"):
        detector.encode_targets(
            [np.zeros((1, 4))], [np.array([3])], image_size=16, stride=4, num_classes=2
        )


def test_loss_is_small_for_a_perfect_prediction_and_decoding_gives_the_boxes_back():
    data = make_shapes(6, image_size=32, max_shapes=3, seed=0)
    y = detector.encode_targets(
        data.extras["boxes"], data.extras["box_labels"], image_size=32, stride=4, num_classes=3
    )
    heat = np.clip(y[..., :3], 1e-4, 1 - 1e-4)
    perfect = np.concatenate([np.log(heat / (1 - heat)), y[..., 3:7]], axis=-1)
    good = np.asarray(detector.detector_loss(y, perfect))
    bad = np.asarray(detector.detector_loss(y, np.zeros_like(perfect)))
    assert good.shape == (6,) and (good < 0.05).all() and (bad > 1).all()
    dets = detector.decode_predictions(perfect, stride=4, score_threshold=0.5)
    truth = [
        {"boxes": b, "labels": k} for b, k in zip(data.extras["boxes"], data.extras["box_labels"])
    ]
    assert detection_metrics(dets, truth, num_classes=3)["map"] > 0.99


def test_decode_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match="classes \\+ 4"):
        detector.decode_predictions(np.zeros((2, 4, 4)), stride=4)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_nms_matches_tensorflow(seed, threshold):
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, 40, (60, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(2, 15, (60, 2))], axis=1)
    scores = rng.random(60)
    ours = detector.non_max_suppression(boxes, scores, iou_threshold=threshold)
    ref = tf.image.non_max_suppression(boxes, scores, 60, iou_threshold=threshold).numpy()
    np.testing.assert_array_equal(ours, ref)
    top = detector.non_max_suppression(boxes, scores, iou_threshold=threshold, max_output=3)
    np.testing.assert_array_equal(top, ref[:3])


def test_nms_edge_cases():
    assert detector.non_max_suppression(np.zeros((0, 4)), np.zeros(0)).shape == (0,)
    with pytest.raises(ValueError, match="one score per box"):
        detector.non_max_suppression(np.zeros((2, 4)), np.zeros(3))


def test_detect_runs_end_to_end():
    keras.utils.set_random_seed(0)
    model = detector.centre_detector((16, 16, 3), 2)
    dets = detector.detect(model, np.zeros((2, 16, 16, 3), np.float32), score_threshold=0.0)
    assert len(dets) == 2 and set(dets[0]) == {"boxes", "labels", "scores"}
    assert dets[0]["boxes"].shape[1] == 4


def test_builder_options_add_batch_norm_and_head_convolutions():
    plain = detector.centre_detector((16, 16, 3), 2)
    assert not any(layer.name.startswith(("bn", "head_conv")) for layer in plain.layers)
    model = detector.centre_detector(
        (16, 16, 3), 2, filters=(8, 8, 8), batch_norm=True, head_convs=2
    )
    names = {layer.name for layer in model.layers}
    assert {"bn2a", "bn2b", "bn3a", "bn3b", "head_conv1", "head_conv2"} <= names
    assert "bn1a" not in names  # none at full resolution
    assert model.output_shape == (None, 4, 4, 2 + 4)
    with pytest.raises(ValueError, match="head_convs"):
        detector.centre_detector((16, 16, 3), 2, head_convs=-1)
