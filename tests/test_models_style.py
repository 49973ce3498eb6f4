"""Tests for imgcourse.models.style: the three feature extractors and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.models.pretrained import WeightsFileError
from imgcourse.models.style import (
    COURSE_STYLE_LAYERS,
    VGG19_CONTENT_LAYERS,
    VGG19_STYLE_LAYERS,
    _pick_layers,
    course_extractor,
    random_extractor,
    vgg19_extractor,
)


def test_random_extractor_shapes_and_seed():
    ex = random_extractor((16, 16, 3), filters=(4, 8, 8), seed=3)
    x = np.random.default_rng(0).random((2, 16, 16, 3), dtype=np.float32)
    style_maps, content_maps = ex(x)
    assert [tuple(m.shape) for m in style_maps] == [(2, 16, 16, 4), (2, 8, 8, 8), (2, 4, 4, 8)]
    assert ex.content_layers == ("relu3",) and len(content_maps) == 1
    assert min(float(np.min(m)) for m in style_maps) >= 0.0  # after ReLU
    same = random_extractor((16, 16, 3), filters=(4, 8, 8), seed=3)
    other = random_extractor((16, 16, 3), filters=(4, 8, 8), seed=4)
    np.testing.assert_allclose(np.asarray(same(x)[0][0]), np.asarray(style_maps[0]))
    assert not np.allclose(np.asarray(other(x)[0][0]), np.asarray(style_maps[0]))
    assert not ex.model.trainable


def test_random_extractor_refuses_bad_options():
    with pytest.raises(ValueError, match="odd"):
        random_extractor(kernel_size=4)
    with pytest.raises(ValueError, match="filters"):
        random_extractor(filters=())


def test_course_extractor_loads_the_checked_weights():
    ex = course_extractor((24, 24, 3))
    assert ex.style_layers == COURSE_STYLE_LAYERS
    maps, _ = ex(np.zeros((1, 24, 24, 3), np.float32))
    assert [tuple(m.shape[1:]) for m in maps] == [(24, 24, 32), (12, 12, 64), (6, 6, 128)]
    assert np.isfinite(np.asarray(maps[-1])).all()


def test_course_extractor_names_a_missing_file(tmp_path):
    with pytest.raises(WeightsFileError, match="missing"):
        course_extractor((16, 16, 3), path=tmp_path / "nothing.weights.h5")


def test_unknown_layers_are_named():
    ex = random_extractor((8, 8, 3), filters=(2,))
    network = ex.model.layers[-1]
    with pytest.raises(ValueError, match=r"no layer\(s\) \['conv9'\]"):
        _pick_layers(network, ("conv9",), ("relu1",), "random")
    with pytest.raises(ValueError, match="at least one style layer"):
        _pick_layers(network, (), ("relu1",), "random")


def test_vgg19_extractor_with_random_weights_and_a_missing_file(tmp_path):
    ex = vgg19_extractor((32, 32, 3), weights=None)
    assert ex.style_layers == VGG19_STYLE_LAYERS and ex.content_layers == VGG19_CONTENT_LAYERS
    style_maps, content_maps = ex(np.full((1, 32, 32, 3), 0.5, np.float32))
    assert tuple(style_maps[0].shape) == (1, 32, 32, 64)
    assert tuple(style_maps[-1].shape) == (1, 2, 2, 512)
    assert tuple(content_maps[0].shape) == (1, 4, 4, 512)
    with pytest.raises(WeightsFileError, match="VGG19_WEIGHTS_PATH"):
        vgg19_extractor((32, 32, 3), weights=tmp_path / "vgg19.h5")


def test_vgg19_extractor_loads_a_local_weights_file(tmp_path):
    """A local "notop" file (written here from random weights) is what a user without the
    Keras cache passes; loading it must give the same network."""
    import keras

    source = keras.applications.VGG19(include_top=False, weights=None, input_shape=(32, 32, 3))
    path = tmp_path / "vgg19_notop.weights.h5"
    source.save_weights(path)
    ex = vgg19_extractor((32, 32, 3), weights=path)
    x = np.random.default_rng(0).random((1, 32, 32, 3), dtype=np.float32)
    want = keras.Model(source.input, source.get_layer("block1_conv1").output)(
        x[..., ::-1] * 255.0 - np.array([103.939, 116.779, 123.68], np.float32)
    )
    np.testing.assert_allclose(np.asarray(ex(x)[0][0]), np.asarray(want), rtol=1e-4, atol=1e-3)
