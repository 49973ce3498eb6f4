"""Tests for imgcourse.train.batch_norm (refresh_batch_norm)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from imgcourse.train import refresh_batch_norm


def _net(inner: bool = False) -> keras.Model:
    inputs = keras.Input((4, 4, 2))
    x = layers.Conv2D(3, 1, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn1")(x)
    if inner:  # a nested model with its own batch norm
        block = keras.Sequential([layers.Conv2D(3, 1), layers.BatchNormalization()], name="block")
        x = block(x)
    x = layers.BatchNormalization(name="bn2")(layers.ReLU()(x))
    return keras.Model(inputs, x)


def _images(n: int = 10, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (3.0 + 2.0 * rng.normal(size=(n, 4, 4, 2))).astype("float32")


def test_one_batch_sets_the_averages_to_the_statistics_of_the_images():
    net, images = _net(), _images()
    before = [w.copy() for w in net.get_weights()]
    trainable = [v.numpy().copy() for v in net.trainable_variables]
    assert refresh_batch_norm(net, images) == 2
    conv = net.get_layer("conv")(images).numpy()
    bn1 = net.get_layer("bn1")
    np.testing.assert_allclose(bn1.moving_mean.numpy(), conv.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(bn1.moving_variance.numpy(), conv.var(axis=(0, 1, 2)), rtol=1e-4)
    assert bn1.momentum == 0.99  # restored
    for old, new in zip(trainable, net.trainable_variables):
        np.testing.assert_array_equal(old, new.numpy())  # no trained weight moved
    assert any(not np.allclose(a, b) for a, b in zip(before, net.get_weights()))


def test_matches_the_notebook_version_with_momentum_zero():
    images = _images()
    keras.utils.set_random_seed(1)
    mine = _net()
    keras.utils.set_random_seed(1)
    theirs = _net()
    refresh_batch_norm(mine, images)
    for layer in theirs.layers:  # 05_cnn_architectures' refresh_batch_norm
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.0
    _ = theirs(images, training=True)
    for a, b in zip(mine.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_batches_average_the_batch_statistics_weighted_by_size():
    net, images = _net(), _images(n=10)
    refresh_batch_norm(net, images, batch_size=4)  # batches of 4, 4 and 2
    conv = net.get_layer("conv")(images).numpy()
    parts = [conv[:4], conv[4:8], conv[8:]]
    weights = np.array([4, 4, 2]) / 10
    mean = sum(w * p.mean(axis=(0, 1, 2)) for w, p in zip(weights, parts))
    var = sum(w * p.var(axis=(0, 1, 2)) for w, p in zip(weights, parts))
    bn1 = net.get_layer("bn1")
    np.testing.assert_allclose(bn1.moving_mean.numpy(), mean, rtol=1e-5)
    np.testing.assert_allclose(bn1.moving_variance.numpy(), var, rtol=1e-4)


def test_nested_models_and_frozen_layers():
    net = _net(inner=True)
    net.get_layer("bn2").trainable = False
    start = net.get_layer("bn2").moving_mean.numpy().copy()
    assert refresh_batch_norm(net, _images()) == 2  # bn1 and the nested one
    inner = net.get_layer("block").layers[1]
    assert not np.allclose(inner.moving_mean.numpy(), 0.0)  # the nested one was refreshed
    np.testing.assert_array_equal(net.get_layer("bn2").moving_mean.numpy(), start)


def test_a_model_without_batch_norm_is_left_alone():
    net = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    assert refresh_batch_norm(net, np.ones((4, 3), "float32")) == 0


@pytest.mark.parametrize(
    ("images", "kwargs", "words"),
    [
        (np.ones((1, 4, 4, 2)), {}, "at least 2 images"),
        (_images(), {"batch_size": 1}, "batch_size must be"),
    ],
)
def test_rejects_bad_input(images, kwargs, words):
    with pytest.raises(ValueError) as err:
        refresh_batch_norm(_net(), images, **kwargs)
    assert words in str(err.value)
