"""DCGAN generator and discriminator, plain or conditional on a class (``12_gans``).

The **generator** maps a noise vector (and, when conditional, a class index) to an image:
a dense layer to a small map of ``filters[0]`` channels, then 4x4 transposed convolutions
of stride 2 that double the height and width, each followed by batch normalisation and ReLU,
and a ``head`` (3x3 convolution, tanh, float32) that gives images in [-1, 1]. The
**discriminator** maps an image (and the class) to one logit, "real" when positive: 4x4
convolutions of stride 2 with leaky ReLU, an optional **minibatch standard deviation**
channel (Karras et al., 2018) that lets it see how varied a batch is, a flattened
``features`` layer and a dense ``head``. Radford et al. (2016) for the DCGAN recipe; Mirza
and Osindero (2014) for conditioning on a label. Both are small by default (16x16 grey
images, a few tens of thousands of weights), sized for a CPU.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers, ops

from imgcourse.models import register_model


def _check_shape(model: str, image_shape: Sequence[int], depth: int) -> tuple[int, int, int]:
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"{model}: image_shape must be (height, width, channels); got {tuple(image_shape)}"
        )
    stride = 2**depth
    if shape[0] % stride or shape[1] % stride:
        raise ValueError(
            f"{model}: height and width must be divisible by 2**len(filters) = {stride}; got "
            f"{shape[0]}x{shape[1]}. Resize the images or pass fewer filters."
        )
    return shape  # type: ignore[return-value]


def _check_filters(model: str, filters: Sequence[int]) -> list[int]:
    out = [int(f) for f in filters]
    if not out or min(out) < 1:
        raise ValueError(
            f"{model}: filters must be one or more positive channel counts, such as (64, 32); "
            f"got {tuple(filters)}"
        )
    return out


def _check_classes(model: str, num_classes: int | None) -> int | None:
    if num_classes is not None and int(num_classes) < 2:
        raise ValueError(
            f"{model}: num_classes must be None (not conditional) or at least 2; got {num_classes}"
        )
    return None if num_classes is None else int(num_classes)


@register_model("dcgan_generator", latent_dim=32, image_shape=(16, 16, 1))
def dcgan_generator(
    latent_dim: int,
    image_shape: Sequence[int],
    *,
    filters: Sequence[int] = (64, 32),
    num_classes: int | None = None,
    name: str = "generator",
) -> keras.Model:
    """Build a DCGAN generator: noise (and a class) -> an image in [-1, 1].

    Layers: ``project`` (dense to (h / 2**d, w / 2**d, filters[0]), d = len(filters)),
    ``up{i}`` (4x4 transposed convolution of stride 2, ``filters[i-1]`` channels, batch
    normalisation, ReLU) for i = 1..d, the last of which is ``features``; ``head`` (3x3
    convolution, tanh, the image's channels, float32). When ``num_classes`` is given, the
    class index goes through an ``embedding`` of ``latent_dim`` numbers multiplied into the
    noise, so each class gets its own region of the noise space.

    Args:
        latent_dim: length of the noise vector z.
        image_shape: (height, width, channels) of the images made; height and width divisible
            by 2**len(filters).
        filters: channels of the first map and of each up-sampling step.
        num_classes: None for an unconditional generator, else the number of classes.
        name: the model's name.

    Returns:
        A ``keras.Model``: inputs ``noise`` (batch, latent_dim) float32 (and ``label``
        (batch,) int); output (batch, height, width, channels) float32 in [-1, 1].

    Example:
        >>> g = dcgan_generator(32, (16, 16, 1), num_classes=10)
        >>> g.output.shape
        (None, 16, 16, 1)
    """
    filters = _check_filters("dcgan_generator", filters)
    shape = _check_shape("dcgan_generator", image_shape, len(filters))
    classes = _check_classes("dcgan_generator", num_classes)
    if int(latent_dim) < 1:
        raise ValueError(f"dcgan_generator: latent_dim must be 1 or more; got {latent_dim}")
    noise = keras.Input((int(latent_dim),), name="noise")
    inputs: list = [noise]
    x = noise
    if classes is not None:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        x = layers.Multiply(name="condition")(
            [x, layers.Embedding(classes, int(latent_dim), name="embedding")(label)]
        )
    h, w = shape[0] // 2 ** len(filters), shape[1] // 2 ** len(filters)
    x = layers.Dense(h * w * filters[0], use_bias=False, name="project")(x)
    x = layers.Reshape((h, w, filters[0]), name="project_map")(x)
    x = layers.ReLU(name="project_relu")(layers.BatchNormalization(name="project_bn")(x))
    for i, f in enumerate(filters, start=1):
        last = i == len(filters)
        x = layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(
            x
        )
        x = layers.BatchNormalization(name=f"up{i}_bn")(x)
        x = layers.ReLU(name="features" if last else f"up{i}_relu")(x)
    out = layers.Conv2D(
        shape[-1], 3, padding="same", activation="tanh", dtype="float32", name="head"
    )(x)
    return keras.Model(inputs if classes is not None else noise, out, name=name)


class MinibatchStdDev(layers.Layer):
    """Append one channel holding the batch's average standard deviation (Karras et al.,
    2018): a collapsed generator's batch has a small one, so the discriminator can tell.

    Input (batch, h, w, c); output (batch, h, w, c + 1). The standard deviation of each
    feature over the batch, averaged over all features, fills the new channel.
    """

    def call(self, x):  # noqa: D102
        std = ops.sqrt(ops.var(x, axis=0) + 1e-8)  # (h, w, c): spread over the batch
        mean_std = ops.mean(std)
        extra = ops.ones_like(x[..., :1]) * mean_std
        return ops.concatenate([x, extra], axis=-1)

    def compute_output_shape(self, input_shape):  # noqa: D102
        return (*input_shape[:-1], input_shape[-1] + 1)


@register_model("dcgan_discriminator", image_shape=(16, 16, 1))
def dcgan_discriminator(
    image_shape: Sequence[int],
    *,
    filters: Sequence[int] = (32, 64),
    num_classes: int | None = None,
    minibatch_std: bool = False,
    dropout: float = 0.0,
    name: str = "discriminator",
) -> keras.Model:
    """Build a DCGAN discriminator: an image (and its class) -> one logit, > 0 for "real".

    Layers: ``down{i}`` (4x4 convolution of stride 2, ``filters[i-1]`` channels, leaky ReLU
    with slope 0.2) for i = 1..len(filters); ``minibatch_std`` (optional, see
    :class:`MinibatchStdDev`); ``features`` (the flattened maps); ``head`` (dense, 1 logit,
    float32). When ``num_classes`` is given, the class index is one-hot encoded and added as
    that many constant channels of the input image, so the discriminator judges "a real image
    of this class".

    Args:
        image_shape: (height, width, channels); height and width divisible by 2**len(filters).
        filters: channels of each down-sampling convolution.
        num_classes: None for an unconditional discriminator, else the number of classes.
        minibatch_std: add the minibatch standard deviation channel before ``features``.
        dropout: dropout rate after each convolution (0 for none).
        name: the model's name.

    Returns:
        A ``keras.Model``: inputs ``image`` (batch, height, width, channels) float32 in
        [-1, 1] (and ``label`` (batch,) int); output (batch, 1) float32 logits.
    """
    filters = _check_filters("dcgan_discriminator", filters)
    shape = _check_shape("dcgan_discriminator", image_shape, len(filters))
    classes = _check_classes("dcgan_discriminator", num_classes)
    if not 0.0 <= float(dropout) < 1.0:
        raise ValueError(f"dcgan_discriminator: dropout must be in [0, 1); got {dropout}")
    image = keras.Input(shape, name="image")
    inputs: list = [image]
    x = image
    if classes is not None:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        onehot = layers.CategoryEncoding(classes, output_mode="one_hot", name="onehot")(label)
        maps = layers.RepeatVector(shape[0] * shape[1], name="label_repeat")(onehot)
        maps = layers.Reshape((shape[0], shape[1], classes), name="label_maps")(maps)
        x = layers.Concatenate(name="with_label")([x, maps])
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(f, 4, strides=2, padding="same", name=f"down{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"down{i}_relu")(x)
        if dropout:
            x = layers.Dropout(float(dropout), name=f"down{i}_dropout")(x)
    if minibatch_std:
        x = MinibatchStdDev(name="minibatch_std")(x)
    x = layers.Flatten(name="features")(x)
    out = layers.Dense(1, dtype="float32", name="head")(x)
    return keras.Model(inputs if classes is not None else image, out, name=name)


__all__ = ["MinibatchStdDev", "dcgan_discriminator", "dcgan_generator"]
