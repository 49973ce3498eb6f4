"""Augmentation as Keras layers and as TF ops: same parameters, same meaning."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from imgcourse.data import tf_dataset
from imgcourse.data.augment import augmentation_layers, tf_augment, tf_augmenter

NONE = {"flip": False, "rotation": 0.0, "translation": 0.0, "zoom": 0.0, "contrast": 0.0}


def _disk(n: int = 32, size: int = 33, radius: float = 8.0) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size] - (size - 1) / 2
    disk = (np.hypot(yy, xx) <= radius).astype(np.float32)
    return np.repeat(disk[None, :, :, None], n, axis=0)


def _bars(n: int = 16) -> np.ndarray:
    images = np.zeros((n, 16, 16, 3), np.float32)
    images[:, 6:10, 2:14] = 1.0  # a horizontal bar, off nothing: symmetric left-right
    images[:, 2:4, 1:4, 0] = 1.0  # a red corner mark at the top left: shows flips
    return images


def test_layers_are_the_five_keras_layers_with_the_given_factors():
    model = augmentation_layers(rotation=0.1, translation=0.2, zoom=0.3, contrast=0.4, seed=1)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "RandomFlip",
        "RandomRotation",
        "RandomTranslation",
        "RandomZoom",
        "RandomContrast",
    ]
    names = [layer.name for layer in model.layers]
    assert names[0] == "augmentation_flip" and names[-1] == "augmentation_contrast"
    config = {type(layer).__name__: layer.get_config() for layer in model.layers}
    assert config["RandomRotation"]["factor"] in (0.1, (-0.1, 0.1), [-0.1, 0.1])
    assert config["RandomZoom"]["height_factor"] == 0.3
    assert config["RandomContrast"]["value_range"] in ((0.0, 1.0), [0.0, 1.0])


def test_a_zero_parameter_leaves_its_layer_out():
    model = augmentation_layers(flip=False, rotation=0.0, translation=0.1, zoom=0.0, contrast=0)
    assert [type(layer).__name__ for layer in model.layers] == ["RandomTranslation"]


def test_layers_pass_images_through_at_inference():
    images = _bars()
    out = augmentation_layers(seed=0)(images, training=False)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), images, atol=1e-6)


def test_tf_augment_with_every_step_off_is_the_identity():
    images = np.random.default_rng(0).random((4, 10, 12, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(tf_augment(images, **NONE)), images, atol=1e-6)


def test_tf_flip_gives_the_image_or_its_mirror_and_both_occur():
    images = _bars(32)
    out = np.asarray(tf_augment(images, **{**NONE, "flip": True}, seed=3))
    mirrored = [np.allclose(o, i[:, ::-1], atol=1e-5) for o, i in zip(out, images)]
    same = [np.allclose(o, i, atol=1e-5) for o, i in zip(out, images)]
    assert all(m or s for m, s in zip(mirrored, same))
    assert 0 < sum(mirrored) < len(images)


def test_tf_augment_keeps_shape_dtype_and_range_batched_and_single():
    images = np.random.default_rng(1).random((8, 20, 24, 3)).astype(np.float32)
    out = np.asarray(tf_augment(images, seed=0))
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert np.asarray(tf_augment(images[0], seed=0)).shape == images[0].shape


def test_rotation_turns_a_bar_but_leaves_a_centred_disk():
    disk = _disk(8)
    turned = np.asarray(tf_augment(disk, **{**NONE, "rotation": 0.25}, seed=0))
    assert np.abs(turned - disk).mean() < 0.02  # a disk looks the same at any angle
    bar = np.zeros((8, 33, 33, 1), np.float32)
    bar[:, 15:18, 4:29] = 1.0
    turned = np.asarray(tf_augment(bar, **{**NONE, "rotation": 0.25}, seed=0))
    assert np.abs(turned - bar).mean() > 0.02


@pytest.mark.parametrize("way", ["layers", "tf ops"])
def test_zoom_scales_a_disk_within_the_same_range_both_ways(way):
    zoom, disk = 0.3, _disk(48)
    if way == "layers":
        layer = augmentation_layers(**{**NONE, "zoom": zoom}, seed=0)
        out = keras.ops.convert_to_numpy(layer(disk, training=True))
    else:
        out = np.asarray(tf_augment(disk, **{**NONE, "zoom": zoom}, seed=0))
    ratio = (out > 0.5).sum(axis=(1, 2, 3)) / (disk[0] > 0.5).sum()
    # the view is scaled by z in [1 - zoom, 1 + zoom]: areas by 1 / z**2
    assert ratio.min() > 1 / (1 + zoom) ** 2 - 0.08
    assert ratio.max() < 1 / (1 - zoom) ** 2 + 0.08
    assert ratio.min() < 0.9 and ratio.max() > 1.1  # zoomed out and in, both seen


@pytest.mark.parametrize("way", ["layers", "tf ops"])
def test_translation_moves_by_at_most_the_fraction_both_ways(way):
    translation, disk = 0.2, _disk(48, radius=4.0)
    if way == "layers":
        layer = augmentation_layers(**{**NONE, "translation": translation}, seed=0)
        out = keras.ops.convert_to_numpy(layer(disk, training=True))
    else:
        out = np.asarray(tf_augment(disk, **{**NONE, "translation": translation}, seed=0))
    yy, xx = np.mgrid[:33, :33]
    mass = out[..., 0].sum(axis=(1, 2))
    shift_x = (out[..., 0] * xx).sum(axis=(1, 2)) / mass - 16
    assert np.abs(shift_x).max() <= translation * 33 + 1
    assert np.abs(shift_x).max() > translation * 33 / 3  # it does move


def test_contrast_scales_about_each_images_mean_like_keras():
    rng = np.random.default_rng(2)
    checker = np.indices((8, 8)).sum(axis=0) % 2 * 2.0 - 1.0  # +1 and -1, mean 0
    base = 0.3 + 0.4 * rng.random((16, 1, 1, 3))  # each image's mean, per channel
    images = (base + 0.1 * checker[None, :, :, None]).astype(np.float32)  # no clipping
    contrast = 0.5
    mean = images.mean(axis=(1, 2), keepdims=True)
    out = np.asarray(tf_augment(images, **{**NONE, "contrast": contrast}, seed=0))
    factor = (out - mean) / (images - mean)
    per_image = factor.reshape(16, -1)
    np.testing.assert_allclose(per_image - per_image[:, :1], 0.0, atol=1e-3)
    assert per_image.min() >= 1 - contrast - 1e-3 and per_image.max() <= 1 + contrast + 1e-3
    # the Keras layer obeys the same rule
    layer = augmentation_layers(**{**NONE, "contrast": contrast}, seed=0)
    keras_out = keras.ops.convert_to_numpy(layer(images, training=True))
    keras_factor = ((keras_out - mean) / (images - mean)).reshape(16, -1)
    np.testing.assert_allclose(keras_factor - keras_factor[:, :1], 0.0, atol=1e-3)
    assert keras_factor.min() >= 1 - contrast - 1e-3


def test_tf_augmenter_works_in_a_tf_dataset():
    images = _bars(10)
    ds = tf_dataset((images, np.arange(10)), batch_size=4, augment=tf_augmenter(seed=0))
    batches = [(np.asarray(x), np.asarray(y)) for x, y in ds]
    assert [x.shape[0] for x, _ in batches] == [4, 4, 2]
    assert np.concatenate([y for _, y in batches]).tolist() == list(range(10))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"rotation": 30}, "not degrees"),
        ({"rotation": -0.1}, "0 or more"),
        ({"zoom": 1.0}, "below 1.0"),
        ({"translation": "a bit"}, "must be a number"),
        ({"flip": "horizontal"}, "True or False"),
        ({"contrast": 2}, "at most 1.0"),
    ],
)
def test_bad_parameters_say_what_they_mean(kwargs, words):
    for build in (augmentation_layers, tf_augmenter):
        with pytest.raises(ValueError, match=words):
            build(**kwargs)


def test_tf_augment_rejects_a_flat_array():
    with pytest.raises(ValueError, match="batch, height, width, channels"):
        tf_augment(np.zeros((4, 4), np.float32))
