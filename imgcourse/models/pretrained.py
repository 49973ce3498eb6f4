"""The course's own pretrained backbone: its architecture and a checked loader.

``datasets/pretrain_backbone.py`` trains :func:`course_backbone` on a generated source task
(five shape classes of :func:`imgcourse.data.make_shapes`, 32x32 colour) and writes its
weights to ``datasets/weights/``; the file is registered in :mod:`imgcourse.data.registry`
(``get_weights("shapes_backbone")``) with its sha256. :func:`load_course_backbone` checks the
file against that checksum before it loads it. Introduced in ``06_transfer_learning``.

Example:
    >>> backbone = load_course_backbone()          # doctest: +SKIP
    >>> backbone.output_shape                      # doctest: +SKIP
    (None, 64)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import keras
from keras import layers

from imgcourse.data.registry import WeightsEntry, get_weights

#: The repository root (the folder that holds ``datasets/`` in a checkout).
REPO_ROOT = Path(__file__).resolve().parents[2]


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


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weights_path(name: str = "shapes_backbone") -> Path:
    """Where the registered weights ``name`` live in a repository checkout."""
    return REPO_ROOT / get_weights(name).path


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
    rebuild = f"rebuild it with `python {entry.script}` from the repository root"
    if not path.is_file():
        raise WeightsFileError(
            f"the weights {entry.name!r} are missing: no file at {path}. "
            f"Get the repository's copy of {entry.path}, or {rebuild}."
        )
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise WeightsFileError(
            f"the weights file {path} does not match the registry: expected sha256 "
            f"{entry.sha256}, got {actual}. The file is altered or from another run; "
            f"restore the repository's copy of {entry.path}, or {rebuild} (and update the "
            "sha256 in imgcourse/data/registry.py if you changed the script)."
        )
    return path


def load_course_backbone(
    name: str = "shapes_backbone", *, path: str | os.PathLike[str] | None = None
) -> keras.Model:
    """Build :func:`course_backbone` and load the registered weights ``name`` into it.

    Args:
        name: a weights entry of :func:`imgcourse.data.registry.list_weights`.
        path: the weights file; by default the registered path in this checkout.

    Returns:
        The backbone, (batch, 32, 32, 3) in [0, 1] -> (batch, 64) features, trainable.

    Raises:
        WeightsFileError: the file is missing or its sha256 differs from the registry's.
    """
    entry = get_weights(name)
    checked = check_weights(path if path is not None else REPO_ROOT / entry.path, entry)
    model = course_backbone(entry.input_shape, filters=entry.filters)
    model.load_weights(checked)
    return model


__all__ = [
    "REPO_ROOT",
    "WeightsFileError",
    "check_weights",
    "course_backbone",
    "load_course_backbone",
    "sha256_file",
    "weights_path",
]
