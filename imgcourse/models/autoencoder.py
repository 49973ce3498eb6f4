"""A convolutional autoencoder: encoder, bottleneck, decoder (``11_autoencoders``).

The **encoder** is a stack of 3x3 convolutions of stride 2, each halving the height and
width; the **bottleneck** (the layer named ``features``) is a 1x1 convolution to
``code_channels`` channels with a sigmoid, so the code of an image is a small stack of maps
with values in [0, 1] (easy to quantise to 8 bits); the **decoder** mirrors the encoder with
3x3 transposed convolutions of stride 2, and the ``head``, a 3x3 convolution with a sigmoid
computed in float32, gives back an image of the input's shape in [0, 1]. Every layer is
named after its part (``encoder_conv{i}``, ``features``, ``decoder_up{i}``, ``head``), and
:func:`split_autoencoder` returns the encoder and the decoder as two models that share the
autoencoder's weights. Hinton and Salakhutdinov (2006); Vincent et al. (2008) for denoising.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgcourse.models import register_model


@register_model("conv_autoencoder", input_shape=(32, 32, 3))
def conv_autoencoder(
    input_shape: Sequence[int],
    *,
    filters: Sequence[int] = (16, 32),
    code_channels: int = 4,
    name: str = "conv_autoencoder",
) -> keras.Model:
    """Build a convolutional autoencoder that reconstructs its input.

    Layers: ``encoder_conv{i}`` (3x3, stride 2, ReLU, ``filters[i-1]`` channels) for
    ``i = 1..len(filters)``; ``features`` (1x1, sigmoid, ``code_channels`` channels): the
    code, of shape (height / 2**depth, width / 2**depth, code_channels) with
    ``depth = len(filters)``; ``decoder_up{i}`` (3x3 transposed, stride 2, ReLU,
    ``filters[i-1]`` channels) for ``i = depth..1``; ``head`` (3x3, sigmoid, the input's
    channels, float32).

    Args:
        input_shape: (height, width, channels); height and width divisible by 2**depth.
        filters: channels of the encoder's convolutions, first to last (the decoder uses
            them in reverse).
        code_channels: channels of the code; the code holds
            (height / 2**depth) * (width / 2**depth) * code_channels numbers.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from (batch, height, width, channels) in [0, 1] to the
        same shape in [0, 1].

    Example:
        >>> model = conv_autoencoder((32, 32, 3), code_channels=2)
        >>> model.get_layer("features").output.shape  # 8 * 8 * 2 = 128 numbers
        (None, 8, 8, 2)
    """
    filters = [int(f) for f in filters]
    if not filters or min(filters) < 1:
        raise ValueError(
            f"conv_autoencoder: filters must be one or more positive channel counts, such as "
            f"(16, 32); got {tuple(filters)}"
        )
    if int(code_channels) < 1:
        raise ValueError(f"conv_autoencoder: code_channels must be 1 or more; got {code_channels}")
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"conv_autoencoder: input_shape must be (height, width, channels); got "
            f"{tuple(input_shape)}"
        )
    stride = 2 ** len(filters)
    if shape[0] % stride or shape[1] % stride:
        raise ValueError(
            f"conv_autoencoder: height and width must be divisible by 2**len(filters) = "
            f"{stride} so that the decoder gives back the input's size; got "
            f"{shape[0]}x{shape[1]}. Resize the images or use fewer filters."
        )
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(
            f, 3, strides=2, padding="same", activation="relu", name=f"encoder_conv{i}"
        )(x)
    x = layers.Conv2D(int(code_channels), 1, activation="sigmoid", name="features")(x)
    for i in range(len(filters), 0, -1):
        x = layers.Conv2DTranspose(
            filters[i - 1],
            3,
            strides=2,
            padding="same",
            activation="relu",
            name=f"decoder_up{i}",
        )(x)
    outputs = layers.Conv2D(
        shape[-1], 3, padding="same", activation="sigmoid", dtype="float32", name="head"
    )(x)
    return keras.Model(inputs, outputs, name=name)


def split_autoencoder(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """The encoder (image -> code) and decoder (code -> image) of an autoencoder built by
    :func:`conv_autoencoder`, as two models sharing its layers and weights.

    Returns:
        ``(encoder, decoder)``: the encoder maps (batch, h, w, c) images to (batch, h / s,
        w / s, code_channels) codes, the decoder maps codes back to images.

    Raises:
        ValueError: if the model has no layer named ``features`` (not an autoencoder from
            this module).
    """
    names = [layer.name for layer in model.layers]
    if "features" not in names:
        raise ValueError(
            f"split_autoencoder: model {model.name!r} has no layer named 'features' (the code); "
            "build it with imgcourse.models.build('conv_autoencoder', ...)"
        )
    code = model.get_layer("features")
    encoder = keras.Model(model.input, code.output, name="encoder")
    code_in = keras.Input(shape=tuple(code.output.shape[1:]), name="code")
    x = code_in
    for layer in model.layers[names.index("features") + 1 :]:
        x = layer(x)
    decoder = keras.Model(code_in, x, name="decoder")
    return encoder, decoder
