"""Tests for imgcourse.exercises.transfer (notebook 06)."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers
from sklearn.neighbors import KNeighborsClassifier

from imgcourse.exercises import transfer


def _frozen_model() -> keras.Model:
    inputs = keras.Input((8, 8, 3))
    backbone = keras.Sequential(
        [keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()]
    )
    backbone.trainable = False
    outputs = layers.Dense(10, activation="softmax")(backbone(inputs))
    return keras.Model(inputs, outputs)


def test_trainable_prediction_right_and_wrong(capsys):
    model = _frozen_model()
    assert transfer.check_trainable_prediction((4 + 1) * 10, model).passed
    total = transfer.check_trainable_prediction(model.count_params(), model)
    assert not total.passed and "frozen" in total.message
    kernel = transfer.check_trainable_prediction(40, model)
    assert not kernel.passed and "bias" in kernel.message
    assert not transfer.check_trainable_prediction("50", model).passed
    assert not transfer.check_trainable_prediction(True, model).passed
    assert "Not yet" in capsys.readouterr().out


def _features(seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 5)) * 3
    train_y = np.repeat(np.arange(3), 4)
    test_y = np.repeat(np.arange(3), 10)
    train_x = centres[train_y] + rng.normal(size=(12, 5))
    test_x = centres[test_y] + rng.normal(size=(30, 5)) * 2
    return train_x, train_y, test_x, test_y


def test_nearest_neighbour_reference_is_scikit_learns():
    data = _features()
    expected = KNeighborsClassifier(1).fit(data[0], data[1]).score(data[2], data[3])
    assert transfer.reference_nearest_neighbour_accuracy(*data) == expected
    hits = transfer.reference_nearest_neighbour_hits(*data)
    assert hits.dtype == bool and hits.shape == (30,) and hits.mean() == expected


def test_nearest_neighbour_check_feedback():
    data = _features()
    expected = transfer.reference_nearest_neighbour_accuracy(*data)
    assert transfer.check_nearest_neighbour_accuracy(expected, *data).passed
    percent = transfer.check_nearest_neighbour_accuracy(expected * 100, *data)
    assert not percent.passed and "percentage" in percent.message
    if expected != 0.5:
        error = transfer.check_nearest_neighbour_accuracy(1 - expected, *data)
        assert not error.passed and "error rate" in error.message
    assert not transfer.check_nearest_neighbour_accuracy(None, *data).passed
