"""Feature extractors for neural style transfer (``13_style_transfer``).

Style transfer compares images through the feature maps of a fixed convolutional network:
the maps of a few layers define the "style" (through their Gram matrices) and of one layer
the "content". A :class:`StyleExtractor` is a ``keras.Model`` from images in [0, 1] to
those maps, with the names of the layers it returns. Three networks can fill the role:

- :func:`vgg19_extractor`: VGG19 with ImageNet weights, the network of Gatys et al. (the
  notebook's full profile);
- :func:`course_extractor`: the course-pretrained backbone
  (:func:`imgcourse.models.pretrained.load_course_backbone`, trained on generated glyphs);
- :func:`random_extractor`: a small VGG-like network with random weights, which is known to
  carry texture statistics too (Ustyuzhaninov et al., 2016).

These are not registered with :func:`imgcourse.models.register_model`: they are not
classifiers, and the registry's contract (``num_classes``, a ``head`` layer) does not fit.
Everything here is ``keras.layers``/``keras.ops``, so it runs on the JAX backend too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import layers, ops

from imgcourse.models.pretrained import WeightsFileError, check_weights, course_backbone
from imgcourse.models.pretrained import weights_path as _course_weights_path

#: VGG19's layers used by Gatys et al. (2016): the first convolution of each block for
#: style, the second of block 4 for content.
VGG19_STYLE_LAYERS = (
    "block1_conv1",
    "block2_conv1",
    "block3_conv1",
    "block4_conv1",
    "block5_conv1",
)
VGG19_CONTENT_LAYERS = ("block4_conv2",)

#: The course backbone's layers (after each block's ReLU).
COURSE_STYLE_LAYERS = ("block1_relu", "block2_relu", "block3_relu")
COURSE_CONTENT_LAYERS = ("block3_relu",)

#: ImageNet's mean pixel, in VGG's BGR order and 0-255 units ("caffe" preprocessing).
_VGG_MEAN_BGR = (103.939, 116.779, 123.68)


@dataclass
class StyleExtractor:
    """A network that maps images to the feature maps style transfer compares.

    Attributes:
        model: ``keras.Model`` from (batch, h, w, 3) float32 images in [0, 1] to a list of
            feature maps (batch, h_l, w_l, c_l): first one per ``style_layers``, then one per
            ``content_layers``.
        style_layers: names of the layers whose Gram matrices define the style.
        content_layers: names of the layers whose maps define the content.
        name: a short label for tables ("VGG19", "course backbone", "random network").
    """

    model: keras.Model
    style_layers: tuple[str, ...]
    content_layers: tuple[str, ...]
    name: str

    def __call__(self, images):
        """Feature maps of ``images``: (style maps, content maps), two lists."""
        outputs = self.model(images, training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        k = len(self.style_layers)
        return list(outputs[:k]), list(outputs[k:])


def _pick_layers(
    network: keras.Model,
    style_layers: Sequence[str],
    content_layers: Sequence[str],
    name: str,
    preprocess=None,
) -> StyleExtractor:
    known = [layer.name for layer in network.layers]
    missing = [n for n in (*style_layers, *content_layers) if n not in known]
    if missing:
        raise ValueError(f"{name} has no layer(s) {missing}; its layers are: {known}")
    if not style_layers or not content_layers:
        raise ValueError(
            f"give at least one style layer and one content layer; got {list(style_layers)} "
            f"and {list(content_layers)}"
        )
    names = (*style_layers, *content_layers)
    picked = keras.Model(network.input, [network.get_layer(n).output for n in names])
    inputs = keras.Input(shape=network.input.shape[1:], name="image")
    x = preprocess(inputs) if preprocess is not None else inputs
    model = keras.Model(inputs, picked(x), name=f"{name.replace(' ', '_')}_features")
    model.trainable = False
    return StyleExtractor(model, tuple(style_layers), tuple(content_layers), name)


def random_extractor(
    input_shape: Sequence[int] = (64, 64, 3),
    *,
    filters: Sequence[int] = (32, 64, 128),
    kernel_size: int = 3,
    seed: int = 0,
    name: str = "random network",
) -> StyleExtractor:
    """A VGG-like network with random weights: blocks of Conv2D -> ReLU -> AveragePooling 2x2.

    Layers are named ``conv{i}`` and ``relu{i}``; the style layers are every ``relu{i}``, the
    content layer the last one. Weights are He-normal with ``seed``, biases 0; average
    pooling (not max) keeps gradients flowing to every pixel, as Gatys et al. advise.

    Args:
        input_shape: (height, width, 3) of the images.
        filters: channels of each block.
        kernel_size: side of the square kernels, odd.
        seed: seed of the random weights (the same seed gives the same network).

    Returns:
        A :class:`StyleExtractor` for images (batch, h, w, 3) in [0, 1].
    """
    if not filters or min(filters) < 1:
        raise ValueError(f"filters must be a non-empty list of positive counts; got {filters}")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be odd and positive; got {kernel_size}")
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        if i > 1:
            x = layers.AveragePooling2D(2, name=f"pool{i - 1}")(x)
        init = keras.initializers.HeNormal(seed=seed * 1000 + i)
        x = layers.Conv2D(f, kernel_size, padding="same", kernel_initializer=init, name=f"conv{i}")(
            x
        )
        x = layers.ReLU(name=f"relu{i}")(x)
    network = keras.Model(inputs, x, name="random_net")
    style = tuple(f"relu{i}" for i in range(1, len(filters) + 1))
    return _pick_layers(network, style, style[-1:], name)


def course_extractor(
    input_shape: Sequence[int] = (64, 64, 3),
    *,
    path: str | os.PathLike[str] | None = None,
    style_layers: Sequence[str] = COURSE_STYLE_LAYERS,
    content_layers: Sequence[str] = COURSE_CONTENT_LAYERS,
) -> StyleExtractor:
    """The course-pretrained backbone (``06_transfer_learning``) as a style extractor.

    Its convolutions were trained on 16x16 glyphs, but they slide over an image of any size,
    so the backbone is rebuilt for ``input_shape`` and the checked weights file loaded into
    it. Batch normalisation runs in inference mode (its stored statistics).

    Args:
        input_shape: (height, width, 3) of the images.
        path: the weights file; by default the registered ``shapes_backbone`` file.

    Raises:
        WeightsFileError: the file is missing or does not match its registered sha256.
    """
    from imgcourse.data.registry import get_weights

    entry = get_weights("shapes_backbone")
    checked = check_weights(path if path is not None else _course_weights_path(), entry)
    network = course_backbone(tuple(input_shape), filters=entry.filters, name="course_backbone")
    network.load_weights(checked)
    return _pick_layers(network, style_layers, content_layers, "course backbone")


def _vgg_preprocess(images):
    """[0, 1] RGB -> VGG's input: BGR, 0-255, ImageNet mean subtracted."""
    bgr = ops.flip(images, axis=-1) * 255.0
    return bgr - ops.convert_to_tensor(_VGG_MEAN_BGR, dtype=bgr.dtype)


def vgg19_extractor(
    input_shape: Sequence[int] = (64, 64, 3),
    *,
    weights: str | os.PathLike[str] | None = "imagenet",
    style_layers: Sequence[str] = VGG19_STYLE_LAYERS,
    content_layers: Sequence[str] = VGG19_CONTENT_LAYERS,
) -> StyleExtractor:
    """VGG19 (``keras.applications``) without its classifier, as in Gatys et al. (2016).

    The extractor takes images in [0, 1] and applies VGG's own preprocessing inside the
    model (RGB -> BGR, times 255, minus the ImageNet mean pixel).

    Args:
        input_shape: (height, width, 3) of the images.
        weights: ``"imagenet"`` (Keras's cache; downloaded on first use), the path of a local
            ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` file, or None for random
            weights (a smoke test).

    Raises:
        WeightsFileError: a weights path with no file there, or ImageNet weights that could
            not be fetched; the message says where to put the file.
    """
    cache = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"
    where = (
        "download vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (keras.applications.VGG19 "
        "without the top) on a machine with internet, then pass its path as "
        f"VGG19_WEIGHTS_PATH or copy it into the Keras cache, {cache}"
    )
    if weights not in (None, "imagenet"):
        path = Path(weights).expanduser()
        if not path.is_file():
            raise WeightsFileError(f"no VGG19 weights file at {path}: {where}.")
        weights = str(path)
    try:
        network = keras.applications.VGG19(
            include_top=False, weights=weights, input_shape=tuple(input_shape)
        )
    except Exception as err:  # a failed download: no network, a proxy, a bad file
        if weights != "imagenet":
            raise
        raise WeightsFileError(
            f"could not get VGG19's ImageNet weights ({type(err).__name__}: {err}). "
            f"On a machine without internet, {where}."
        ) from err
    return _pick_layers(network, style_layers, content_layers, "VGG19", _vgg_preprocess)


__all__ = [
    "COURSE_CONTENT_LAYERS",
    "COURSE_STYLE_LAYERS",
    "StyleExtractor",
    "VGG19_CONTENT_LAYERS",
    "VGG19_STYLE_LAYERS",
    "course_extractor",
    "random_extractor",
    "vgg19_extractor",
]
