"""U-Net: an encoder-decoder with skip connections, for segmentation (``10_segmentation``).

The encoder is blocks of two 3x3 convolutions then a 2x2 max-pooling, each block doubling the
channels and halving the size; the bottleneck is two more convolutions (the ``features``
layer); the decoder mirrors the encoder: a 2x2 transposed convolution doubles the size, the
encoder's maps of the same size are concatenated (the skip connection, which brings back the
detail that pooling threw away), and two 3x3 convolutions mix them. A 1x1 convolution (the
``head``) gives class probabilities for every pixel. Ronneberger, Fischer and Brox (2015).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import check_input, register_model


@register_model("unet", input_shape=(32, 32, 3), num_classes=4)
def unet(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    base_filters: int = 16,
    depth: int = 2,
    name: str = "unet",
) -> keras.Model:
    """Build a U-Net that predicts a class for every pixel.

    Layers are named ``enc{i}_conv1``, ``enc{i}_conv2``, ``pool{i}`` for encoder block
    ``i = 1..depth`` (``base_filters * 2**(i-1)`` channels), ``bottleneck_conv1`` and
    ``features`` (the bottleneck, ``base_filters * 2**depth`` channels at
    1 / 2**depth of the input size), then for ``i = depth..1`` ``up{i}`` (transposed
    convolution), ``skip{i}`` (concatenation with ``enc{i}_conv2``), ``dec{i}_conv1``,
    ``dec{i}_conv2``; and ``head`` (1x1 convolution, softmax over classes, in float32).

    Args:
        input_shape: (height, width, channels); height and width divisible by 2**depth.
        num_classes: classes per pixel, background included (at least 2).
        base_filters: channels of the first block.
        depth: number of pooling steps (encoder blocks).
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from (batch, height, width, channels) to
        (batch, height, width, num_classes) probabilities.

    Example:
        >>> unet((32, 32, 3), 4).output_shape
        (None, 32, 32, 4)
    """
    if int(depth) < 1:
        raise ValueError(f"unet: depth must be 1 or more; got {depth}")
    if int(base_filters) < 1:
        raise ValueError(f"unet: base_filters must be 1 or more; got {base_filters}")
    depth, base_filters = int(depth), int(base_filters)
    shape = check_input("unet", input_shape, num_classes, min_side=2**depth)
    if shape[0] % 2**depth or shape[1] % 2**depth:
        raise ValueError(
            f"unet: height and width must be divisible by 2**depth = {2**depth} so that the "
            f"decoder's maps line up with the encoder's; got {shape[0]}x{shape[1]}"
        )

    def conv(x, filters: int, label: str):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=label)(x)
        x = layers.BatchNormalization(name=f"{label}_bn")(x)
        return layers.Activation("relu", name=f"{label}_relu")(x)

    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    skips = []
    for i in range(1, depth + 1):
        f = base_filters * 2 ** (i - 1)
        x = conv(x, f, f"enc{i}_conv1")
        x = conv(x, f, f"enc{i}_conv2")
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = conv(x, base_filters * 2**depth, "bottleneck_conv1")
    x = conv(x, base_filters * 2**depth, "features")
    for i in range(depth, 0, -1):
        f = base_filters * 2 ** (i - 1)
        x = layers.Conv2DTranspose(f, 2, strides=2, name=f"up{i}")(x)
        x = layers.Concatenate(name=f"skip{i}")([x, skips[i - 1]])
        x = conv(x, f, f"dec{i}_conv1")
        x = conv(x, f, f"dec{i}_conv2")
    outputs = layers.Conv2D(
        int(num_classes), 1, activation="softmax", dtype="float32", name="head"
    )(x)
    return keras.Model(inputs, outputs, name=name)
