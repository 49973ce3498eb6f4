"""Inception: parallel 1x1, 3x3, 5x5 and pooling branches, concatenated
(``05_cnn_architectures``).

Szegedy, C. et al. (2015). Going Deeper with Convolutions. CVPR. arXiv:1409.4842. Each module
looks at the same maps at several scales; 1x1 convolutions first reduce the channels, so the
3x3 and 5x5 branches stay cheap. As in most later implementations (torchvision's included),
every convolution is followed by batch normalisation (Ioffe and Szegedy, 2015), which the
original network, with local response normalisation, did not have.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import check_input, register_model

#: A module's channels: (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection).
Module = tuple[int, int, int, int, int, int]

#: GoogLeNet (the paper's Table 1): modules 3a-3b, 4a-4e, 5a-5b, a max pooling between stages.
GOOGLENET_STAGES: tuple[tuple[Module, ...], ...] = (
    ((64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64)),
    (
        (192, 96, 208, 16, 48, 64),
        (160, 112, 224, 24, 64, 64),
        (128, 128, 256, 24, 64, 64),
        (112, 144, 288, 32, 64, 64),
        (256, 160, 320, 32, 128, 128),
    ),
    ((256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)),
)

#: The small default: two stages of two modules, for 32x32 images.
SMALL_STAGES: tuple[tuple[Module, ...], ...] = (
    ((16, 16, 32, 4, 8, 8), (32, 24, 48, 8, 16, 16)),
    ((48, 32, 64, 8, 16, 16), (64, 40, 80, 8, 24, 24)),
)


def conv_bn(
    x: keras.KerasTensor, filters: int, kernel: int, name: str, *, stride: int = 1
) -> keras.KerasTensor:
    """Convolution (no bias) ``{name}_conv``, batch norm ``{name}_bn``, ReLU ``{name}_relu``."""
    x = layers.Conv2D(
        filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def inception_module(x: keras.KerasTensor, channels: Module, name: str) -> keras.KerasTensor:
    """One Inception module: (b, h, w, c) -> (b, h, w, c1 + c3 + c5 + cp).

    Four branches on the same input, concatenated along channels (``{name}_concat``):
    ``{name}_1x1``; ``{name}_3x3_reduce`` then ``{name}_3x3``; ``{name}_5x5_reduce`` then
    ``{name}_5x5``; a 3x3 max pooling (stride 1) ``{name}_pool`` then ``{name}_pool_proj``.
    """
    c1, c3r, c3, c5r, c5, cp = channels
    b1 = conv_bn(x, c1, 1, f"{name}_1x1")
    b3 = conv_bn(conv_bn(x, c3r, 1, f"{name}_3x3_reduce"), c3, 3, f"{name}_3x3")
    b5 = conv_bn(conv_bn(x, c5r, 1, f"{name}_5x5_reduce"), c5, 5, f"{name}_5x5")
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = conv_bn(bp, cp, 1, f"{name}_pool_proj")
    return layers.Concatenate(name=f"{name}_concat")([b1, b3, b5, bp])


@register_model("inception", input_shape=(32, 32, 3), num_classes=10)
def inception(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    stages: Sequence[Sequence[Module]] = SMALL_STAGES,
    stem: str = "small",
    stem_filters: int = 32,
    dropout: float = 0.0,
    name: str = "inception",
) -> keras.Model:
    """Build an Inception network (GoogLeNet's layout, sized by ``stages``).

    Layers: the stem (``stem_conv`` 3x3 with ``stem_filters`` and a 3x3 stride-2 max pooling
    ``stem_pool`` for small images; for ``stem="imagenet"`` the paper's 7x7/2 convolution,
    pooling, 1x1 and 3x3 convolutions and pooling: ``stem1``, ``stem_pool1``, ``stem2``,
    ``stem3``, ``stem_pool2``), then the modules ``inception3a``, ``inception3b``,
    ``inception4a``, ... numbered as in GoogLeNet (see :func:`inception_module`) with a 3x3
    stride-2 max pooling ``pool3``, ``pool4``, ... between stages, then ``features`` (global
    average pooling), ``dropout`` (when ``dropout > 0``) and ``head`` (softmax, in float32).

    The default (two stages of two modules, about 120 thousand parameters for 10 classes)
    trains in seconds on 32x32 images; :func:`googlenet` is the paper's network.

    Args:
        input_shape: (height, width, channels) of one image, float32 in [0, 1].
        num_classes: number of classes (at least 2).
        stages: per stage, the channels of each module: (1x1, 3x3 reduce, 3x3, 5x5 reduce,
            5x5, pool projection).
        stem: "small" or "imagenet".
        stem_filters: filters of the small stem's convolution.
        dropout: dropout rate before the head, in [0, 1).
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model``: (batch, height, width, channels) ->
        (batch, num_classes) class probabilities.
    """
    stages = tuple(tuple(tuple(int(c) for c in m) for m in stage) for stage in stages)
    if (
        not stages
        or not all(0 < len(s) <= 26 for s in stages)
        or any(len(m) != 6 or min(m) < 1 for s in stages for m in s)
    ):
        raise ValueError(
            f"{name}: stages must be one or more stages of 1 to 26 modules, each six positive "
            f"channel counts (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection); got "
            f"{stages}"
        )
    if stem not in ("small", "imagenet"):
        raise ValueError(f"{name}: stem must be 'small' or 'imagenet'; got {stem!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"{name}: dropout must be in [0, 1); got {dropout}")
    stride = 2 ** (len(stages) - 1) * (2 if stem == "small" else 8)
    shape = check_input(name, input_shape, num_classes, min_side=stride)

    inputs = keras.Input(shape=shape, name="image")
    if stem == "small":
        x = conv_bn(inputs, int(stem_filters), 3, "stem")
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    else:
        x = conv_bn(inputs, 64, 7, "stem1", stride=2)
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool1")(x)
        x = conv_bn(x, 64, 1, "stem2")
        x = conv_bn(x, 192, 3, "stem3")
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool2")(x)
    for s, modules in enumerate(stages, start=3):
        if s > 3:
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{s - 1}")(x)
        for letter, channels in zip(string.ascii_lowercase, modules):
            x = inception_module(x, channels, f"inception{s}{letter}")
    x = layers.GlobalAveragePooling2D(name="features")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def googlenet(input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000) -> keras.Model:
    """GoogLeNet (Inception-v1) as in the paper's Table 1, without its two auxiliary
    classifiers (used only in training), with batch norm after every convolution and no bias
    (the original had biases and no batch norm), dropout 0.4. At 224x224 with 1,000
    classes: 7,020,392 parameters (7,005,832 trained; the rest are batch-norm statistics),
    3% more than the 6.8 M that the paper's Table 1 adds up to (its per-layer figures are
    rounded down), and 1.58 G multiply-adds (the paper: "1.5 billion")."""
    return inception(
        input_shape,
        num_classes,
        stages=GOOGLENET_STAGES,
        stem="imagenet",
        dropout=0.4,
        name="googlenet",
    )
