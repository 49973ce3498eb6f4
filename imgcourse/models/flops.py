"""Counting a model's cost: multiply-adds per image (``05_cnn_architectures``).

Only the layers that do nearly all the work are counted: ``Conv2D``, ``DepthwiseConv2D`` and
``Dense`` (also inside nested models, such as a ``keras.applications`` backbone in a
``Sequential``). Each costs, per image, one multiply-add per kernel weight at every output
position: ``positions * prod(kernel.shape)``, where ``positions`` is the output's height
times width (1 for a ``Dense`` on vectors). Biases, batch norm, activations, pooling,
additions and concatenations are not counted; they add a few percent.

One multiply-add is counted as **one** operation, as the papers do when they quote "FLOPs"
(ResNet-50: 3.8-4.1 G, VGG-16: 15.5 G, EfficientNet-B0: 0.39 G). Double the number for
floating-point operations in the strict sense (a multiply and an add).
"""

from __future__ import annotations

import math

import keras
from keras import layers

COUNTED = (layers.Conv2D, layers.DepthwiseConv2D, layers.Dense)


def count_flops(model: keras.Model) -> int:
    """Multiply-adds for one image through ``model`` (one multiply-add = 1).

    Args:
        model: a built ``keras.Model`` whose layers have known output shapes (height and
            width given in its input shape).

    Returns:
        The number of multiply-adds of its ``Conv2D``, ``DepthwiseConv2D`` and ``Dense``
        layers for one input.

    Raises:
        ValueError: if the model is not built, or a counted layer's output size is unknown
            (an input shape of ``(None, None, 3)``).

    Example:
        >>> count_flops(keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3)]))
        1296
    """
    if not model.built:
        raise ValueError(
            f"model {model.name!r} is not built, so its shapes are unknown: give it an input "
            "shape (keras.Input) or call it on a batch first"
        )
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += count_flops(layer)
        elif isinstance(layer, COUNTED):
            total += _layer_flops(layer)
    return total


def _layer_flops(layer: keras.layers.Layer) -> int:
    shape = tuple(layer.output.shape)
    if getattr(layer, "data_format", "channels_last") == "channels_first":
        spatial = shape[2:]
    else:
        spatial = shape[1:-1]
    if any(s is None for s in spatial):
        raise ValueError(
            f"layer {layer.name!r} has output shape {shape}: its height and width must be known "
            "to count its multiply-adds; build the model with a fixed input size"
        )
    return math.prod(spatial) * math.prod(layer.kernel.shape)
