"""Tests for imgcourse.models.unet."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse import models
from imgcourse.models.unet import unet


def test_unet_shapes_names_and_registry():
    model = models.build("unet", input_shape=(32, 32, 1), num_classes=3, base_filters=4)
    assert model.output_shape == (None, 32, 32, 3)
    assert model.get_layer("features").output.shape[1:] == (8, 8, 16)
    assert model.get_layer("skip1").output.shape[1:] == (32, 32, 8)
    assert model.get_layer("head").dtype_policy.compute_dtype == "float32"
    probs = model.predict(np.random.default_rng(0).random((2, 32, 32, 1)), verbose=0)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)


def test_unet_depth_changes_the_bottleneck():
    model = unet((48, 48, 3), 2, base_filters=4, depth=3)
    assert model.get_layer("features").output.shape[1:] == (6, 6, 32)
    assert [n for n in ("up3", "up2", "up1") if model.get_layer(n)] == ["up3", "up2", "up1"]


@pytest.mark.parametrize(
    ("shape", "kwargs", "words"),
    [
        ((30, 32, 3), {}, "divisible by 2**depth = 4"),
        ((32, 32, 3), {"depth": 0}, "depth must be"),
        ((32, 32), {}, "(height, width, channels)"),
        ((2, 2, 3), {}, "too small"),
    ],
)
def test_unet_rejects_bad_input(shape, kwargs, words):
    with pytest.raises(ValueError, match=None) as err:
        unet(shape, 3, **kwargs)
    assert words in str(err.value)
