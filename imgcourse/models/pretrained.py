"""The course's own pretrained backbone: its architecture and a checked loader, and the
ImageNet backbones of ``keras.applications`` for the full profile.

``datasets/pretrain_backbone.py`` trains :func:`course_backbone` on a generated source task,
:func:`imgcourse.data.make_glyphs` (hundreds of classes of pen-stroke glyphs, 16x16 colour),
and writes its weights into the package, ``imgcourse/assets/weights/``, so that they ship
with it (a wheel, ``pip install`` from git); the file is registered in
:mod:`imgcourse.data.registry` (``get_weights("shapes_backbone")``) with its sha256;
:func:`load_course_backbone` checks the file against that checksum before it loads it.
Introduced in ``06_transfer_learning``.

Example:
    >>> backbone = load_course_backbone()          # doctest: +SKIP
    >>> backbone.output_shape                      # doctest: +SKIP
    (None, 128)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
from keras import layers

from imgcourse.data.registry import WeightsEntry, get_weights
from imgcourse.packaged import package_file, sha256_file


class WeightsFileError(RuntimeError):
    """A registered weights file is missing or does not match its pinned sha256."""


def course_backbone(
    input_shape: Sequence[int] = (32, 32, 3),
    *,
    filters: Sequence[int] = (16, 32, 64),
    bn_momentum: float = 0.9,
    name: str = "course_backbone",
) -> keras.Model:
    """The course's backbone: blocks of Conv2D 3x3 -> BatchNorm -> ReLU -> MaxPool 2x2,
    then global average pooling.

    Batch norm's moving statistics use momentum ``bn_momentum``: 0.9 by default (Keras's
    default is 0.99), so that they catch up within the few dozen steps of a short training
    run from scratch. The momentum changes only training, not the weights a file holds.

    Layers are named ``block{i}_conv``, ``block{i}_bn``, ``block{i}_relu``,
    ``block{i}_pool`` and ``features`` (the pooled vector).

    Args:
        input_shape: (height, width, channels), float32 images in [0, 1].
        filters: channels of each block; each block halves height and width.
        bn_momentum: momentum of the batch-norm moving mean and variance, in (0, 1).
        name: the model's name.

    Returns:
        A ``keras.Model`` from (batch, h, w, c) to (batch, filters[-1]) features.
    """
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (height, width, channels); got {input_shape}")
    if min(shape[:2]) < 2 ** len(filters):
        raise ValueError(
            f"a {shape[0]}x{shape[1]} image is too small for {len(filters)} pooling blocks; "
            f"use at least {2 ** len(filters)} pixels a side"
        )
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(f, 3, padding="same", use_bias=False, name=f"block{i}_conv")(x)
        x = layers.BatchNormalization(momentum=bn_momentum, name=f"block{i}_bn")(x)
        x = layers.ReLU(name=f"block{i}_relu")(x)
        x = layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
    outputs = layers.GlobalAveragePooling2D(name="features")(x)
    return keras.Model(inputs, outputs, name=name)


def weights_path(name: str = "shapes_backbone") -> Path:
    """Where the registered weights ``name`` are: a file shipped inside the package."""
    return package_file(get_weights(name).path)


def check_weights(
    path: str | os.PathLike[str], entry: WeightsEntry | str = "shapes_backbone"
) -> Path:
    """Check that ``path`` exists and matches ``entry``'s sha256; return it as a Path.

    Raises:
        WeightsFileError: naming the file, the expected and actual checksums and the script
            that rebuilds it.
    """
    entry = get_weights(entry) if isinstance(entry, str) else entry
    path = Path(path)
    rebuild = f"rebuild it with `python {entry.script}` from a clone of the repository"
    shipped = f"imgcourse/{entry.path}, which ships inside the imgcourse package"
    if not path.is_file():
        raise WeightsFileError(
            f"the weights {entry.name!r} are missing: no file at {path}. "
            f"Reinstall the package to get {shipped} (pip install --force-reinstall "
            f"imgcourse), or {rebuild}."
        )
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise WeightsFileError(
            f"the weights file {path} does not match the registry: expected sha256 "
            f"{entry.sha256}, got {actual}. The file is altered or from another run; "
            f"restore {shipped} (reinstall it, or check it out again in a clone), or "
            f"{rebuild} (and update the sha256 in imgcourse/data/registry.py if you changed "
            "the script)."
        )
    return path


def load_course_backbone(
    name: str = "shapes_backbone", *, path: str | os.PathLike[str] | None = None
) -> keras.Model:
    """Build :func:`course_backbone` and load the registered weights ``name`` into it.

    Args:
        name: a weights entry of :func:`imgcourse.data.registry.list_weights`.
        path: the weights file; by default the registered file shipped in the package.

    Returns:
        The backbone, (batch, 32, 32, 3) in [0, 1] -> (batch, 64) features, trainable.

    Raises:
        WeightsFileError: the file is missing or its sha256 differs from the registry's.
    """
    entry = get_weights(name)
    checked = check_weights(path if path is not None else weights_path(name), entry)
    model = course_backbone(entry.input_shape, filters=entry.filters)
    model.load_weights(checked)
    return model


#: ``BACKBONE`` names of notebook 06's full profile -> the ``keras.applications`` module.
IMAGENET_BACKBONES = {
    "VGG16": "vgg16",
    "ResNet50": "resnet",
    "InceptionV3": "inception_v3",
    "EfficientNetB0": "efficientnet",
    "MobileNetV2": "mobilenet_v2",
}


def imagenet_backbone(
    name: str,
    input_shape: Sequence[int] = (160, 160, 3),
    *,
    weights: str | os.PathLike[str] | None = "imagenet",
) -> tuple[keras.Model, Callable[[Any], Any]]:
    """A ``keras.applications`` network without its classifier, pooled to one vector.

    Args:
        name: one of :data:`IMAGENET_BACKBONES` ("VGG16", "ResNet50", "InceptionV3",
            "EfficientNetB0", "MobileNetV2").
        input_shape: (height, width, 3) of the images.
        weights: ``"imagenet"`` (Keras's cache, downloaded on first use), the path of a
            local weights file (the "no top" file of that network), or None for random
            weights (a smoke test).

    Returns:
        The backbone, (batch, h, w, 3) in the network's own input range -> (batch, features),
        and its ``preprocess_input`` (images in [0, 255] -> that range).

    Raises:
        ValueError: an unknown ``name``.
        WeightsFileError: a weights file that does not exist, or ImageNet weights that could
            not be fetched; the message says where to put the file.
    Introduced in ``06_transfer_learning`` (full profile).
    """
    if name not in IMAGENET_BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; choose one of {list(IMAGENET_BACKBONES)}")
    module = getattr(keras.applications, IMAGENET_BACKBONES[name])
    build = getattr(module, name)
    cache = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"
    where = (
        f"download the ImageNet weights of keras.applications.{name} without the top "
        f"(the '..._notop.h5' or '..._no_top...h5' file) on a machine with internet, then "
        "either pass its path (the notebook's ..._WEIGHTS_PATH parameter) or copy it into the "
        f"Keras cache, {cache}"
    )
    if weights not in (None, "imagenet"):
        path = Path(weights).expanduser()
        if not path.is_file():
            raise WeightsFileError(f"no weights file at {path}: {where}.")
        weights = str(path)
    try:
        model = build(
            include_top=False, weights=weights, input_shape=tuple(input_shape), pooling="avg"
        )
    except Exception as err:  # a failed download: no network, a proxy, a bad file
        if weights != "imagenet":
            raise
        raise WeightsFileError(
            f"could not get the ImageNet weights of {name} ({type(err).__name__}: {err}). "
            f"On a machine without internet, {where}."
        ) from err
    return model, module.preprocess_input


__all__ = [
    "IMAGENET_BACKBONES",
    "WeightsFileError",
    "check_weights",
    "course_backbone",
    "imagenet_backbone",
    "load_course_backbone",
    "weights_path",
]
