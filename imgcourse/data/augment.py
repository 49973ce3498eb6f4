"""Data augmentation, two ways with the same parameters: Keras layers and TensorFlow ops.

Augmentation shows the network a slightly different version of each training image every
epoch (flipped, turned, shifted, zoomed, with more or less contrast), so it cannot memorise
pixels and must learn what stays the same. Introduced in ``03_data_and_augmentation``.

- :func:`augmentation_layers` builds a ``keras.Sequential`` of Keras preprocessing layers
  (``RandomFlip``, ``RandomRotation``, ``RandomTranslation``, ``RandomZoom``,
  ``RandomContrast``). Put it at the start of a model: it runs in training only, on any
  Keras backend.
- :func:`tf_augment` does the same with TensorFlow ops on a batch: the flip, rotation,
  translation and zoom are combined into one affine warp per image (one resampling instead
  of four), then the contrast is changed. Use it in a ``tf.data`` map
  (``tf_dataset(..., augment=tf_augmenter(...))``); ``imgcourse bench`` measures which is
  faster (see BENCHMARKS.md).

Parameters mean the same in both (they follow the Keras layers): ``rotation`` is a fraction
of a full turn (0.05 = up to 18 degrees either way), ``translation`` a fraction of the image
size, ``zoom`` a fraction of the image size (the view is scaled by a factor drawn from
[1 - zoom, 1 + zoom]), ``contrast`` the largest relative change of contrast. A parameter of 0
(or ``flip=False``) leaves that step out. Borders are filled by reflecting the image.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Keras is imported when a function runs: importing the package stays cheap
    import keras

#: The defaults: mild changes that keep a photograph's class obvious to a person.
DEFAULTS: dict[str, Any] = {
    "flip": True,
    "rotation": 0.05,
    "translation": 0.1,
    "zoom": 0.1,
    "contrast": 0.2,
}


#: name -> (largest value allowed, whether it may be reached, what the number means)
_LIMITS = {
    "rotation": (0.5, True, "a fraction of a full turn (0.05 = 18 degrees), not degrees"),
    "translation": (1.0, False, "a fraction of the image size"),
    "zoom": (1.0, False, "a fraction of the image size (0.1 = 10% in or out)"),
    "contrast": (1.0, True, "a relative change (0.2 = up to 20% more or less contrast)"),
}


def _check(flip: Any, rotation: Any, translation: Any, zoom: Any, contrast: Any) -> None:
    if not isinstance(flip, bool):
        raise ValueError(f"flip must be True or False (a left-right flip); got {flip!r}")
    values = {"rotation": rotation, "translation": translation, "zoom": zoom}
    values["contrast"] = contrast
    for name, value in values.items():
        top, closed, meaning = _LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number, {meaning}; got {value!r}")
        if value < 0 or value > top or (value == top and not closed):
            bound = f"at most {top}" if closed else f"below {top}"
            raise ValueError(f"{name} must be 0 or more and {bound}, {meaning}; got {value}")


def augmentation_layers(
    flip: bool = DEFAULTS["flip"],
    rotation: float = DEFAULTS["rotation"],
    translation: float = DEFAULTS["translation"],
    zoom: float = DEFAULTS["zoom"],
    contrast: float = DEFAULTS["contrast"],
    *,
    seed: int | None = None,
    name: str = "augmentation",
) -> keras.Sequential:
    """Keras preprocessing layers that augment images in training and pass them at inference.

    Args:
        flip: flip left-right with probability 1/2.
        rotation: largest turn, a fraction of a full turn (``RandomRotation(rotation)``).
        translation: largest shift, a fraction of the height and width.
        zoom: largest zoom in or out, a fraction of the size.
        contrast: largest relative change of contrast, for images in [0, 1].
        seed: seed of the layers' random draws.
        name: the Sequential's name; its layers are ``f"{name}_flip"``, ``..._rotation``...

    Returns:
        A ``keras.Sequential`` mapping (batch, h, w, c) float32 in [0, 1] to the same shape.

    Example:
        >>> model = keras.Sequential([keras.Input((32, 32, 3)), augmentation_layers(), ...])
    """
    import keras
    from keras import layers

    _check(flip, rotation, translation, zoom, contrast)
    steps: list[keras.layers.Layer] = []
    if flip:
        steps.append(layers.RandomFlip("horizontal", seed=seed, name=f"{name}_flip"))
    if rotation:
        steps.append(layers.RandomRotation(rotation, seed=seed, name=f"{name}_rotation"))
    if translation:
        steps.append(
            layers.RandomTranslation(
                translation, translation, seed=seed, name=f"{name}_translation"
            )
        )
    if zoom:
        steps.append(layers.RandomZoom(zoom, seed=seed, name=f"{name}_zoom"))
    if contrast:
        steps.append(
            layers.RandomContrast(
                contrast, value_range=(0.0, 1.0), seed=seed, name=f"{name}_contrast"
            )
        )
    return keras.Sequential(steps, name=name)


def tf_augment(
    images: Any,
    flip: bool = DEFAULTS["flip"],
    rotation: float = DEFAULTS["rotation"],
    translation: float = DEFAULTS["translation"],
    zoom: float = DEFAULTS["zoom"],
    contrast: float = DEFAULTS["contrast"],
    *,
    seed: int | None = None,
) -> Any:
    """Augment a batch with TensorFlow ops: one affine warp per image, then contrast.

    Same parameters as :func:`augmentation_layers`. Each image gets its own random flip,
    angle, shift and zoom, composed into one 3x3 transform about the image centre and applied
    by a single bilinear resampling with reflected borders; then its contrast is scaled about
    its per-channel mean by a factor drawn from [1 - contrast, 1 + contrast] and clipped to
    [0, 1].

    Args:
        images: (batch, h, w, c) or (h, w, c) float32 in [0, 1] (tensor or array).
        seed: op-level seed for the random draws.

    Returns:
        A float32 tensor of the input's shape.
    """
    import tensorflow as tf

    _check(flip, rotation, translation, zoom, contrast)
    x = tf.convert_to_tensor(images, dtype=tf.float32)
    if x.shape.rank not in (3, 4):
        raise ValueError(
            f"images must be (batch, height, width, channels) or (height, width, channels); "
            f"got shape {tuple(x.shape)}"
        )
    single = x.shape.rank == 3
    if single:
        x = x[None]
    n = tf.shape(x)[0]
    h = tf.cast(tf.shape(x)[1], tf.float32)
    w = tf.cast(tf.shape(x)[2], tf.float32)

    def uniform(low: float, high: float, offset: int) -> Any:
        s = None if seed is None else seed + offset
        return tf.random.uniform((n,), low, high, seed=s)

    if flip or rotation or translation or zoom:
        sign = tf.where(uniform(0.0, 1.0, 0) < 0.5, -1.0, 1.0) if flip else tf.ones((n,))
        angle = uniform(-rotation, rotation, 1) * 2.0 * math.pi if rotation else tf.zeros((n,))
        scale = uniform(1.0 - zoom, 1.0 + zoom, 2) if zoom else tf.ones((n,))
        if translation:
            dx = uniform(-translation, translation, 3) * w
            dy = uniform(-translation, translation, 4) * h
        else:
            dx = dy = tf.zeros((n,))
        # Output pixel (x, y) reads input pixel A @ (x - cx, y - cy) + (cx - dx, cy - dy):
        # A = zoom * rotation * flip, all about the centre (cx, cy); zoom > 1 shows more.
        cx, cy = (w - 1.0) / 2.0, (h - 1.0) / 2.0
        cos, sin = tf.cos(angle), tf.sin(angle)
        a0, a1 = scale * cos * sign, -scale * sin
        b0, b1 = scale * sin * sign, scale * cos
        a2 = cx - dx - a0 * cx - a1 * cy
        b2 = cy - dy - b0 * cx - b1 * cy
        zeros = tf.zeros((n,))
        transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
        x = tf.raw_ops.ImageProjectiveTransformV3(
            images=x,
            transforms=transforms,
            output_shape=tf.shape(x)[1:3],
            fill_value=0.0,
            interpolation="BILINEAR",
            fill_mode="REFLECT",
        )
    if contrast:
        factor = tf.reshape(uniform(1.0 - contrast, 1.0 + contrast, 5), (-1, 1, 1, 1))
        mean = tf.reduce_mean(x, axis=(1, 2), keepdims=True)
        x = tf.clip_by_value((x - mean) * factor + mean, 0.0, 1.0)
    return x[0] if single else x


def tf_augmenter(
    flip: bool = DEFAULTS["flip"],
    rotation: float = DEFAULTS["rotation"],
    translation: float = DEFAULTS["translation"],
    zoom: float = DEFAULTS["zoom"],
    contrast: float = DEFAULTS["contrast"],
    *,
    seed: int | None = None,
) -> Callable[[Any], Any]:
    """:func:`tf_augment` with its parameters fixed, for ``tf_dataset(..., augment=...)``."""
    _check(flip, rotation, translation, zoom, contrast)
    return functools.partial(
        tf_augment,
        flip=flip,
        rotation=rotation,
        translation=translation,
        zoom=zoom,
        contrast=contrast,
        seed=seed,
    )


__all__ = ["DEFAULTS", "augmentation_layers", "tf_augment", "tf_augmenter"]
