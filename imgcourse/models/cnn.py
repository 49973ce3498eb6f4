"""A small convolutional network: the first CNN of the course (``02_cnn_basics``).

Blocks of ``Conv2D`` (3x3, same padding, ReLU) and ``MaxPooling2D`` (2x2), then the last
block's maps flattened into one vector (the ``features`` layer) and a softmax classifier
(the ``head`` layer). Flattening keeps where in the image each pattern was found; on the
shapes data it learns several times faster than global average pooling.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import register_model


@register_model("small_cnn", input_shape=(32, 32, 3), num_classes=3)
def small_cnn(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    filters: Sequence[int] = (16, 32, 64),
    dropout: float = 0.0,
    name: str = "small_cnn",
) -> keras.Model:
    """Build a small CNN classifier.

    Layers are named ``conv1``, ``pool1``, ``conv2``, ``pool2``, ... (one block per entry of
    ``filters``), then ``features`` (the last block's maps flattened into a vector of
    (height // 2**blocks) * (width // 2**blocks) * filters[-1] numbers), ``dropout`` (only
    when ``dropout > 0``) and ``head`` (softmax over classes, computed in float32 also under a
    ``mixed_float16`` policy, so that it cannot overflow).

    Args:
        input_shape: (height, width, channels) of one image, float32 in [0, 1].
        num_classes: number of classes (at least 2).
        filters: output channels of each conv block; each block halves height and width, so
            the image must be at least 2 ** len(filters) pixels on a side.
        dropout: dropout rate before the head, in [0, 1).
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from (batch, height, width, channels) to
        (batch, num_classes) class probabilities.

    Example:
        >>> model = small_cnn((32, 32, 3), 5)
        >>> model.get_layer("conv1").kernel.shape
        (3, 3, 3, 16)
    """
    input_shape = tuple(int(s) for s in input_shape)
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise ValueError(f"input_shape must be (height, width, channels); got {input_shape}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2; got {num_classes}")
    filters = tuple(int(f) for f in filters)
    if not filters or min(filters) < 1:
        raise ValueError(f"filters must be one or more positive channel counts; got {filters}")
    if min(input_shape[:2]) < 2 ** len(filters):
        raise ValueError(
            f"a {input_shape[0]}x{input_shape[1]} image is too small for {len(filters)} "
            f"pooling blocks (each halves it): use at least {2 ** len(filters)} pixels or "
            "fewer filters"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1); got {dropout}")

    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Flatten(name="features")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)
