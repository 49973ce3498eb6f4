"""``tf.data`` input pipelines (TensorFlow-specific, hence the ``tf_`` names).

Introduced in ``03_data_augmentation``; used by every notebook that trains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.data.dataset import ImageSet


def tf_dataset(
    data: ImageSet | tuple[np.ndarray, np.ndarray],
    *,
    batch_size: int = 64,
    shuffle: bool = False,
    augment: Callable[[Any], Any] | None = None,
    cache: bool = True,
    seed: int = 0,
) -> Any:
    """A batched, prefetched ``tf.data.Dataset`` of (images, labels).

    The order of steps is the one the TensorFlow performance guide recommends: cache the
    decoded tensors, shuffle, batch, augment whole batches on the fly, then prefetch so the
    next batch is ready while the model trains on this one.

    Args:
        data: an :class:`ImageSet` or a pair (images (n, h, w, c) float32, labels (n,)).
        batch_size: images per batch.
        shuffle: reshuffle every epoch (use for training only).
        augment: a function or Keras layer applied to each batch of images (training only).
        cache: keep the tensors in memory after the first epoch.
        seed: shuffle seed.
    """
    import tensorflow as tf

    images, labels = (data.images, data.labels) if isinstance(data, ImageSet) else data
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment is not None:
        ds = ds.map(lambda x, y: (augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def python_batches(
    data: ImageSet | tuple[np.ndarray, np.ndarray],
    *,
    batch_size: int = 64,
    shuffle: bool = False,
    seed: int = 0,
):
    """The plain way: a Python generator of NumPy (images, labels) batches.

    Kept as the baseline that ``imgcourse bench`` compares :func:`tf_dataset` against.
    """
    images, labels = (data.images, data.labels) if isinstance(data, ImageSet) else data
    order = np.random.default_rng(seed).permutation(len(images)) if shuffle else None
    for start in range(0, len(images), batch_size):
        idx = (
            slice(start, start + batch_size) if order is None else order[start : start + batch_size]
        )
        yield images[idx], labels[idx]
