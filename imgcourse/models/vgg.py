"""VGG: stacks of 3x3 convolutions, halved by max pooling (``05_cnn_architectures``).

Simonyan, K. and Zisserman, A. (2015). Very Deep Convolutional Networks for Large-Scale Image
Recognition. ICLR. arXiv:1409.1556. Two stacked 3x3 convolutions see a 5x5 window and three
see 7x7, with fewer weights and more non-linearities than one large kernel.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import check_input, register_model

#: VGG-16 (configuration D of the paper): (filters, convolutions) per block.
VGG16_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


def vgg_block(x: keras.KerasTensor, filters: int, convs: int, name: str) -> keras.KerasTensor:
    """``convs`` 3x3 convolutions (same padding, ReLU) named ``{name}_conv1``, ..., then a
    2x2 max pooling ``{name}_pool``: (b, h, w, c) -> (b, h // 2, w // 2, filters)."""
    for i in range(1, convs + 1):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_conv{i}")(x)
    return layers.MaxPooling2D(2, name=f"{name}_pool")(x)


@register_model("vgg", input_shape=(32, 32, 3), num_classes=10)
def vgg(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    blocks: Sequence[tuple[int, int]] = ((16, 2), (32, 2), (64, 2)),
    pooling: str = "avg",
    dense_units: Sequence[int] = (),
    dropout: float = 0.0,
    name: str = "vgg",
) -> keras.Model:
    """Build a VGG-style classifier: blocks of stacked 3x3 convolutions, each ending in pooling.

    Layers: ``block1_conv1``, ..., ``block1_pool``, ... (see :func:`vgg_block`), then
    ``features`` (the last block's maps as a vector: their average over positions with
    ``pooling="avg"``, or all of them with ``"flatten"`` as in the paper), then ``fc1``, ...
    (one ReLU dense layer per entry of ``dense_units``, each followed by dropout when
    ``dropout > 0``) and ``head`` (softmax, computed in float32).

    The default (three blocks of two convolutions, 16-32-64 filters, about 70 thousand
    parameters for 10 classes) trains in seconds on 32x32 images; :func:`vgg16` is the paper's
    network.

    Args:
        input_shape: (height, width, channels) of one image, float32 in [0, 1]; height and
            width at least 2 ** len(blocks).
        num_classes: number of classes (at least 2).
        blocks: (filters, convolutions) per block.
        pooling: "avg" (global average pooling) or "flatten".
        dense_units: sizes of the hidden dense layers between ``features`` and ``head``.
        dropout: dropout rate after each hidden dense layer, in [0, 1).
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model``: (batch, height, width, channels) ->
        (batch, num_classes) class probabilities.
    """
    blocks = tuple((int(f), int(n)) for f, n in blocks)
    shape = check_input(name, input_shape, num_classes, min_side=2 ** len(blocks))
    if not blocks or min(min(b) for b in blocks) < 1:
        raise ValueError(
            f"{name}: blocks must be one or more (filters, convolutions) pairs of positive "
            f"numbers; got {blocks}"
        )
    if pooling not in ("avg", "flatten"):
        raise ValueError(f"{name}: pooling must be 'avg' or 'flatten'; got {pooling!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"{name}: dropout must be in [0, 1); got {dropout}")

    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for i, (filters, convs) in enumerate(blocks, start=1):
        x = vgg_block(x, filters, convs, f"block{i}")
    if pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="features")(x)
    else:
        x = layers.Flatten(name="features")(x)
    for i, units in enumerate(dense_units, start=1):
        x = layers.Dense(int(units), activation="relu", name=f"fc{i}")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def vgg16(input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000) -> keras.Model:
    """VGG-16 as in the paper (configuration D): 13 convolutions in five blocks, flattened,
    two dense layers of 4,096 with dropout 0.5, and the classifier. 138,357,544 parameters at
    224x224 with 1,000 classes, as ``keras.applications.VGG16``."""
    return vgg(
        input_shape,
        num_classes,
        blocks=VGG16_BLOCKS,
        pooling="flatten",
        dense_units=(4096, 4096),
        dropout=0.5,
        name="vgg16",
    )
