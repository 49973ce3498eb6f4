"""Batch-norm statistics refreshed after training ("precise BN"; ``05_cnn_architectures``).

A batch-normalisation layer trains with the statistics of each batch but predicts with running
averages of them, which Keras updates slowly (momentum 0.99: after 100 steps the starting
values still weigh 0.99**100, about 37 %). After a short run whose weights were still changing
fast, those averages describe earlier networks, and the trained network can predict far worse
than its training loss says, differently from seed to seed. :func:`refresh_batch_norm`
replaces them by the statistics of one pass of the training images through the final network
(Wu and Johnson, 2021, "Rethinking 'Batch' in BatchNorm"); no trained weight changes.
``05_cnn_architectures`` writes it out; later notebooks (``10_segmentation``) import this copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
from keras import layers


def _batch_norms(layer: Any) -> Iterator[layers.BatchNormalization]:
    """Every BatchNormalization layer in ``layer``, nested models included, each once."""
    seen: set[int] = set()
    stack = [layer]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, layers.BatchNormalization):
            yield current
        stack.extend(reversed(getattr(current, "layers", [])))


def refresh_batch_norm(model: keras.Model, images: Any, *, batch_size: int | None = None) -> int:
    """Set every batch norm's running averages to its statistics on ``images``.

    One forward pass in training mode with the final weights. With ``batch_size=None`` the
    whole of ``images`` is one batch (as ``05_cnn_architectures`` writes it); with a batch
    size, the per-batch means and variances are averaged, each batch weighted by its size
    (for data too large for one pass). The layers' momentum is restored afterwards, so training
    can go on. No trainable weight changes; a frozen layer (``trainable=False``, as in
    transfer learning) keeps its averages, since Keras normalises it with them even in
    training mode.

    Args:
        model: a built ``keras.Model`` (or layer) holding ``BatchNormalization`` layers.
        images: (N, H, W, C) array of training images, N >= 2.
        batch_size: images per forward pass; None for all of them at once.

    Returns:
        The number of batch-normalisation layers refreshed (frozen ones are not counted;
        0 leaves the model as it was).
    """
    images = np.asarray(images)
    if images.ndim < 2 or len(images) < 2:
        raise ValueError(
            "refresh_batch_norm: images must be a batch of at least 2 images (N, ...); "
            f"got shape {images.shape}"
        )
    if batch_size is not None and int(batch_size) < 2:
        raise ValueError(
            f"refresh_batch_norm: batch_size must be None or 2 or more; got {batch_size}"
        )
    norms = [norm for norm in _batch_norms(model) if norm.trainable]
    if not norms:
        return 0
    step = len(images) if batch_size is None else int(batch_size)
    momenta = [norm.momentum for norm in norms]
    seen = 0
    try:
        for start in range(0, len(images), step):
            batch = images[start : start + step]
            if len(batch) < 2 and seen:  # one image has no variance to average in
                break
            for norm in norms:  # new average = old * seen/(seen+n) + batch * n/(seen+n)
                norm.momentum = seen / (seen + len(batch))
            _ = model(batch, training=True)
            seen += len(batch)
    finally:
        for norm, momentum in zip(norms, momenta):
            norm.momentum = momentum
    return len(norms)
