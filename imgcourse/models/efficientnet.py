"""EfficientNet: MBConv blocks, scaled in width, depth and resolution together
(``05_cnn_architectures``).

Tan, M. and Le, Q. V. (2019). EfficientNet: Rethinking Model Scaling for Convolutional Neural
Networks. ICML. arXiv:1905.11946. The building block is MBConv (Sandler et al., 2018,
MobileNetV2) with squeeze-and-excitation (Hu et al., 2018): a 1x1 expansion, a depthwise
convolution, channel weights from the pooled maps, a 1x1 projection, and a residual where
shapes match. Compound scaling grows the network with one coefficient phi: width by
1.1 ** phi, depth by 1.2 ** phi and input resolution by 1.15 ** phi (the paper's alpha, beta,
gamma, chosen so that each step of phi about doubles the FLOPs). The paper's B1-B7 use these
coefficients rounded by hand (B1: width 1.0, depth 1.1, 240 pixels); here they are exact.
Stochastic depth, used in the paper's training, is left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import check_input, register_model

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15  # depth, width, resolution multipliers per step of phi

#: A stage: (expansion ratio, kernel size, stride, output filters, blocks).
Stage = tuple[int, int, int, int, int]

#: EfficientNet-B0 (the paper's Table 1), after a 3x3 stride-2 stem of 32 filters.
B0_STAGES: tuple[Stage, ...] = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)

#: The small default, for 32x32 images, after a 3x3 stride-2 stem of 16 filters.
SMALL_STAGES: tuple[Stage, ...] = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 2),
)


def compound_scaling(phi: float) -> tuple[float, float, float]:
    """(width, depth, resolution) multipliers for a compound coefficient ``phi``:
    (1.1 ** phi, 1.2 ** phi, 1.15 ** phi)."""
    return BETA**phi, ALPHA**phi, GAMMA**phi


def efficientnet_resolution(phi: float, base: int = 224) -> int:
    """The input height and width that ``phi`` implies for a network designed for ``base``
    pixels: round(base * 1.15 ** phi). For example 224 -> 258 (phi=1), 32 -> 42 (phi=2)."""
    if base < 1:
        raise ValueError(f"base must be a positive number of pixels; got {base}")
    return round(base * compound_scaling(phi)[2])


def scale_filters(filters: int, width: float, divisor: int = 8) -> int:
    """Channels times ``width``, rounded to a multiple of ``divisor`` (as the paper's code)."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * scaled else rounded)


def mbconv_block(
    x: keras.KerasTensor,
    filters: int,
    name: str,
    *,
    expand: int = 6,
    kernel: int = 3,
    stride: int = 1,
    se_ratio: float = 0.25,
) -> keras.KerasTensor:
    """One MBConv block with squeeze-and-excitation: (b, h, w, c) -> (b, h / stride,
    w / stride, filters).

    ``{name}_expand`` (1x1 to ``expand * c`` channels, skipped when ``expand == 1``),
    ``{name}_dwconv`` (depthwise ``kernel`` x ``kernel`` with the stride), ``{name}_se_squeeze``
    (average over positions), ``{name}_se_reduce`` (1x1 to ``se_ratio * c``, swish),
    ``{name}_se_expand`` (1x1 back, sigmoid: one weight per channel), ``{name}_se_excite``
    (the maps times those weights), ``{name}_project`` (1x1 to ``filters``, no activation),
    and ``{name}_add`` (the input added back) when stride is 1 and channels match. Every
    convolution but the squeeze-and-excitation ones is followed by batch norm ``..._bn``.
    """
    channels = x.shape[-1]
    expanded = channels * expand
    y = x
    if expand != 1:
        y = layers.Conv2D(expanded, 1, use_bias=False, name=f"{name}_expand")(y)
        y = layers.BatchNormalization(name=f"{name}_expand_bn")(y)
        y = layers.Activation("swish", name=f"{name}_expand_swish")(y)
    y = layers.DepthwiseConv2D(
        kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_dwconv"
    )(y)
    y = layers.BatchNormalization(name=f"{name}_dwconv_bn")(y)
    y = layers.Activation("swish", name=f"{name}_dwconv_swish")(y)
    se = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_se_squeeze")(y)
    se = layers.Conv2D(
        max(1, int(channels * se_ratio)), 1, activation="swish", name=f"{name}_se_reduce"
    )(se)
    se = layers.Conv2D(expanded, 1, activation="sigmoid", name=f"{name}_se_expand")(se)
    y = layers.Multiply(name=f"{name}_se_excite")([y, se])
    y = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project")(y)
    y = layers.BatchNormalization(name=f"{name}_project_bn")(y)
    if stride == 1 and channels == filters:
        y = layers.Add(name=f"{name}_add")([y, x])
    return y


@register_model("efficientnet", input_shape=(32, 32, 3), num_classes=10)
def efficientnet(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    phi: float = 0,
    stages: Sequence[Stage] = SMALL_STAGES,
    stem_filters: int = 16,
    stem_stride: int = 2,
    top_filters: int = 256,
    dropout: float = 0.0,
    name: str = "efficientnet",
) -> keras.Model:
    """Build an EfficientNet: a stem, stages of MBConv blocks, a 1x1 top convolution.

    Layers: ``stem_conv``/``stem_bn``/``stem_swish``, blocks ``stage1_block1_...`` (see
    :func:`mbconv_block`; the first block of a stage carries its stride), ``top_conv``/
    ``top_bn``/``top_swish``, ``features`` (global average pooling), ``dropout`` (when
    ``dropout > 0``) and ``head`` (softmax, computed in float32).

    ``phi`` scales every stage's filters (and the stem's and top's) by 1.1 ** phi and its
    number of blocks by 1.2 ** phi (rounded up). It does not change the input: feed images of
    ``efficientnet_resolution(phi, base)`` pixels, where ``base`` is the size the phi=0 network
    was meant for (32 for the default, 224 for :func:`efficientnet_b0`). The default (phi=0,
    about 235 thousand parameters for 10 classes, 2.8 M multiply-adds at 32x32) trains in
    seconds on 32x32 images.

    Args:
        input_shape: (height, width, channels) of one image, float32 in [0, 1].
        num_classes: number of classes (at least 2).
        phi: compound scaling coefficient, at least 0.
        stages: (expansion ratio, kernel size, stride, output filters, blocks) per stage,
            before scaling.
        stem_filters: filters of the 3x3 stem convolution, before scaling.
        stem_stride: stride of the stem convolution.
        top_filters: filters of the 1x1 convolution before pooling, before scaling.
        dropout: dropout rate before the head, in [0, 1).
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model``: (batch, height, width, channels) ->
        (batch, num_classes) class probabilities.
    """
    if phi < 0:
        raise ValueError(f"{name}: phi must be at least 0; got {phi}")
    stages = tuple(tuple(int(v) for v in stage) for stage in stages)
    if not stages or any(len(s) != 5 or min(s) < 1 for s in stages):
        raise ValueError(
            f"{name}: stages must be one or more (expansion, kernel, stride, filters, blocks) "
            f"tuples of positive integers; got {stages}"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"{name}: dropout must be in [0, 1); got {dropout}")
    stride = stem_stride * math.prod(s[2] for s in stages)
    shape = check_input(name, input_shape, num_classes, min_side=stride)
    width, depth, _ = compound_scaling(phi)

    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(
        scale_filters(stem_filters, width),
        3,
        strides=stem_stride,
        padding="same",
        use_bias=False,
        name="stem_conv",
    )(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_swish")(x)
    for s, (expand, kernel, stage_stride, filters, blocks) in enumerate(stages, start=1):
        for b in range(1, math.ceil(blocks * depth) + 1):
            x = mbconv_block(
                x,
                scale_filters(filters, width),
                f"stage{s}_block{b}",
                expand=expand,
                kernel=kernel,
                stride=stage_stride if b == 1 else 1,
            )
    x = layers.Conv2D(scale_filters(top_filters, width), 1, use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(name="top_bn")(x)
    x = layers.Activation("swish", name="top_swish")(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def efficientnet_b0(
    input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000
) -> keras.Model:
    """EfficientNet-B0 as in the paper's Table 1: a 32-filter stride-2 stem, seven MBConv
    stages, a 1,280-filter top, dropout 0.2. At 224x224 with 1,000 classes: 5,330,564
    parameters, as ``keras.applications.EfficientNetB0`` without its input normalisation
    (5,288,548 trained, as torchvision's; the rest are batch-norm statistics), and 0.39 G
    multiply-adds, as in the paper."""
    return efficientnet(
        input_shape,
        num_classes,
        stages=B0_STAGES,
        stem_filters=32,
        stem_stride=2,
        top_filters=1280,
        dropout=0.2,
        name="efficientnet_b0",
    )
