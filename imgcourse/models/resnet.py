"""ResNet: blocks that learn a residual added to a shortcut (``05_cnn_architectures``).

He, K., Zhang, X., Ren, S. and Sun, J. (2016). Deep Residual Learning for Image Recognition.
CVPR. arXiv:1512.03385. A block outputs ``relu(F(x) + shortcut(x))``; the shortcut is the
identity, or a 1x1 convolution with the block's stride where the shape changes. With
``plain=True`` the same network is built without shortcuts, for the paper's degradation
experiment (a deeper plain network trains worse; a deeper residual one does not).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import check_input, register_model

BLOCKS = ("basic", "bottleneck")
#: Convolutions per block, to turn a depth into blocks per stage.
_CONVS = {"basic": 2, "bottleneck": 3}


def conv_bn(
    x: keras.KerasTensor,
    filters: int,
    kernel: int,
    name: str,
    *,
    stride: int = 1,
    relu: bool = True,
) -> keras.KerasTensor:
    """Convolution (no bias) ``{name}_conv``, batch norm ``{name}_bn``, ReLU ``{name}_relu``."""
    x = layers.Conv2D(
        filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def residual_block(
    x: keras.KerasTensor,
    filters: int,
    name: str,
    *,
    stride: int = 1,
    block: str = "basic",
    plain: bool = False,
) -> keras.KerasTensor:
    """One residual block: (b, h, w, c) -> (b, h / stride, w / stride, out), where ``out`` is
    ``filters`` for a basic block and ``4 * filters`` for a bottleneck.

    Basic: two 3x3 convolutions. Bottleneck: 1x1 down to ``filters``, 3x3 (carrying the stride,
    as in torchvision's "v1.5"; the paper put it on the first 1x1), 1x1 up to ``4 * filters``.
    The shortcut is projected (1x1 convolution with the stride, ``{name}_proj``) when the shape
    changes; ``plain=True`` leaves the shortcut out.
    """
    out = filters * (4 if block == "bottleneck" else 1)
    if block == "basic":
        y = conv_bn(x, filters, 3, f"{name}_1", stride=stride)
        y = conv_bn(y, filters, 3, f"{name}_2", relu=False)
    else:
        y = conv_bn(x, filters, 1, f"{name}_1")
        y = conv_bn(y, filters, 3, f"{name}_2", stride=stride)
        y = conv_bn(y, out, 1, f"{name}_3", relu=False)
    if not plain:
        shortcut = x
        if stride != 1 or x.shape[-1] != out:
            shortcut = conv_bn(x, out, 1, f"{name}_proj", stride=stride, relu=False)
        y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_out")(y)


@register_model("resnet", input_shape=(32, 32, 3), num_classes=10)
def resnet(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    depth: int | None = 14,
    stages: Sequence[int] | None = None,
    filters: Sequence[int] = (16, 32, 64),
    block: str = "basic",
    stem: str = "small",
    plain: bool = False,
    name: str = "resnet",
) -> keras.Model:
    """Build a ResNet (or, with ``plain=True``, the same network without shortcuts).

    Layers: the stem ``stem_conv``/``stem_bn``/``stem_relu`` (3x3, stride 1, for small images;
    or 7x7 stride 2 and a 3x3 max pooling ``stem_pool`` for ``stem="imagenet"``), then stages
    of blocks ``stage1_block1_1_conv``, ... (see :func:`residual_block`; the first block of
    each stage after the first halves height and width), then ``features`` (global average
    pooling) and ``head`` (softmax, computed in float32).

    The depth counts the layers with weights, as in the paper: a stem convolution, the block
    convolutions and the head. With basic blocks and three stages the depth is 6n + 2 (the
    paper's CIFAR networks: 20, 32, 44, 56, 110), n blocks per stage; the default ResNet-14
    has about 180 thousand parameters (ResNet-20: 270 thousand). Give ``stages`` (blocks per
    stage) instead of ``depth`` for other layouts; :func:`resnet50` is the paper's ImageNet
    network.

    Args:
        input_shape: (height, width, channels) of one image, float32 in [0, 1].
        num_classes: number of classes (at least 2).
        depth: layers with weights; needs ``stages=None``.
        stages: blocks per stage, one entry per entry of ``filters``; needs ``depth=None``.
        filters: filters of each stage's blocks (a bottleneck block outputs four times more).
        block: "basic" (two 3x3) or "bottleneck" (1x1, 3x3, 1x1).
        stem: "small" (for images of 32 pixels or so) or "imagenet" (for 224x224).
        plain: leave out every shortcut (and projection): the plain network of the paper.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model``: (batch, height, width, channels) ->
        (batch, num_classes) class probabilities.
    """
    filters = tuple(int(f) for f in filters)
    if not filters or min(filters) < 1:
        raise ValueError(f"{name}: filters must be positive channel counts; got {filters}")
    if block not in BLOCKS:
        raise ValueError(f"{name}: block must be one of {BLOCKS}; got {block!r}")
    if stem not in ("small", "imagenet"):
        raise ValueError(f"{name}: stem must be 'small' or 'imagenet'; got {stem!r}")
    stages = _stages(name, depth, stages, len(filters), block)
    stride = 2 ** (len(filters) - 1) * (4 if stem == "imagenet" else 1)
    shape = check_input(name, input_shape, num_classes, min_side=stride)

    inputs = keras.Input(shape=shape, name="image")
    if stem == "small":
        x = conv_bn(inputs, filters[0], 3, "stem")
    else:
        x = conv_bn(inputs, 64, 7, "stem", stride=2)
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    for s, (f, n) in enumerate(zip(filters, stages), start=1):
        for b in range(1, n + 1):
            first_stride = 2 if (b == 1 and s > 1) else 1
            x = residual_block(
                x, f, f"stage{s}_block{b}", stride=first_stride, block=block, plain=plain
            )
    x = layers.GlobalAveragePooling2D(name="features")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def _stages(
    name: str, depth: int | None, stages: Sequence[int] | None, n_stages: int, block: str
) -> tuple[int, ...]:
    """Blocks per stage, from ``stages`` or from ``depth``."""
    if (depth is None) == (stages is None):
        raise ValueError(
            f"{name}: give either depth or stages (blocks per stage), not both or neither; got "
            f"depth={depth}, stages={stages}"
        )
    if stages is not None:
        stages = tuple(int(n) for n in stages)
        if len(stages) != n_stages or min(stages) < 1:
            raise ValueError(
                f"{name}: stages must hold one positive block count per stage ({n_stages}, one "
                f"per entry of filters); got {stages}"
            )
        return stages
    per_layer = _CONVS[block] * n_stages
    n, rest = divmod(int(depth) - 2, per_layer)
    if rest or n < 1:
        valid = ", ".join(str(per_layer * k + 2) for k in range(1, 6))
        raise ValueError(
            f"{name}: with {block} blocks and {n_stages} stages the depth must be "
            f"{per_layer}n + 2 ({valid}, ...); got {depth}"
        )
    return (n,) * n_stages


def resnet50(input_shape: Sequence[int] = (224, 224, 3), num_classes: int = 1000) -> keras.Model:
    """ResNet-50 as in the paper's Table 1: 7x7 stem, bottleneck stages of 3, 4, 6 and 3
    blocks with 64-128-256-512 filters. At 224x224 with 1,000 classes: 25,610,152
    parameters, 25,557,032 of them trained (as torchvision's resnet50, whose convolutions have
    no bias either; ``keras.applications.ResNet50`` keeps the biases: 25,636,712), and
    4.09 G multiply-adds (the paper's 3.8 G puts the stride on the first 1x1)."""
    return resnet(
        input_shape,
        num_classes,
        depth=None,
        stages=(3, 4, 6, 3),
        filters=(64, 128, 256, 512),
        block="bottleneck",
        stem="imagenet",
        name="resnet50",
    )
