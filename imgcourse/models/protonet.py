"""Prototypical networks: an embedding network, class prototypes and the episode loss
(``15_few_and_zero_shot``).

A prototypical network (Snell, Swersky and Zemel, 2017) maps images to vectors; in an
**episode** of ``n_way`` classes with ``k_shot`` labelled **support** images each, a class's
**prototype** is the mean embedding of its support images, and a **query** image is scored
by minus its squared Euclidean distance to each prototype (a softmax over these gives class
probabilities). Training on many small episodes of seen classes teaches an embedding in which
classes never seen in training still cluster.

Episode layout used throughout (see :mod:`imgcourse.train.episodes`): the support images come
first, class by class (``k_shot`` of class 0, then ``k_shot`` of class 1, ...), then the
query images; labels are episode-local, 0 .. n_way - 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
from keras import layers, ops

from imgcourse.models import register_model


@register_model("protonet", input_shape=(16, 16, 3))
def protonet(
    input_shape: Sequence[int],
    *,
    filters: Sequence[int] = (32, 32, 32),
    embedding_dim: int = 64,
    name: str = "protonet",
) -> keras.Model:
    """The embedding network of a prototypical network: conv blocks, then a linear projection.

    Each block is Conv2D 3x3 -> BatchNorm -> ReLU -> MaxPool 2x2 (Snell et al.'s "Conv-4"
    blocks, fewer of them for small images). Layers are named ``block{i}_conv``,
    ``block{i}_bn``, ``block{i}_relu``, ``block{i}_pool``, ``features`` (the flattened maps)
    and ``head`` (a Dense layer without activation, the embedding, in float32).

    Args:
        input_shape: (height, width, channels), float32 images in [0, 1]; height and width at
            least 2**len(filters).
        filters: channels of each block; each block halves height and width.
        embedding_dim: length of the embedding vector.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from (batch, h, w, c) to (batch, embedding_dim).

    Example:
        >>> protonet((16, 16, 3)).output_shape
        (None, 64)
    """
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"protonet: input_shape must be (height, width, channels); got {tuple(input_shape)}"
        )
    if not filters or min(int(f) for f in filters) < 1:
        raise ValueError(f"protonet: filters must be positive channel counts; got {filters}")
    if min(shape[:2]) < 2 ** len(filters):
        raise ValueError(
            f"protonet: a {shape[0]}x{shape[1]} image is too small for {len(filters)} "
            f"pooling blocks; use at least {2 ** len(filters)} pixels a side or fewer filters"
        )
    if int(embedding_dim) < 1:
        raise ValueError(f"protonet: embedding_dim must be 1 or more; got {embedding_dim}")
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(int(f), 3, padding="same", use_bias=False, name=f"block{i}_conv")(x)
        x = layers.BatchNormalization(name=f"block{i}_bn")(x)
        x = layers.ReLU(name=f"block{i}_relu")(x)
        x = layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
    x = layers.Flatten(name="features")(x)
    outputs = layers.Dense(int(embedding_dim), name="head", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def _check_episode(n_way: int, k_shot: int) -> tuple[int, int]:
    if int(n_way) < 2 or int(k_shot) < 1:
        raise ValueError(
            f"an episode needs n_way >= 2 and k_shot >= 1; got n_way={n_way}, k_shot={k_shot}"
        )
    return int(n_way), int(k_shot)


def prototypes(support: Any, n_way: int, k_shot: int) -> Any:
    """Class prototypes: the mean embedding of each class's support images.

    Args:
        support: (n_way * k_shot, d) embeddings, class by class (k_shot rows per class).
        n_way: classes in the episode.
        k_shot: support images per class.

    Returns:
        (n_way, d) prototypes, row c the mean of rows c*k_shot .. (c+1)*k_shot - 1.
    """
    n_way, k_shot = _check_episode(n_way, k_shot)
    return ops.mean(ops.reshape(support, (n_way, k_shot, -1)), axis=1)


def squared_distances(query: Any, protos: Any) -> Any:
    """Squared Euclidean distances, (q, d) and (n, d) -> (q, n)."""
    diff = ops.expand_dims(query, 1) - ops.expand_dims(protos, 0)
    return ops.sum(ops.square(diff), axis=-1)


def _split(y_true: Any, y_pred: Any, n_way: int, k_shot: int) -> tuple[Any, Any]:
    """Logits (minus squared distances) of the query rows and their integer labels."""
    s = n_way * k_shot
    logits = -squared_distances(y_pred[s:], prototypes(y_pred[:s], n_way, k_shot))
    labels = ops.cast(ops.reshape(y_true, (-1,))[s:], "int32")
    return logits, labels


def protonet_loss(n_way: int, k_shot: int) -> Callable[[Any, Any], Any]:
    """The episode loss for ``model.compile(loss=...)``: cross-entropy of the query images
    under a softmax over minus their squared distances to the prototypes.

    The returned function takes ``y_true`` (episode-local labels, (batch,)) and ``y_pred``
    (embeddings, (batch, d)) of one whole episode as one batch, support rows first.
    """
    n_way, k_shot = _check_episode(n_way, k_shot)

    def loss(y_true: Any, y_pred: Any) -> Any:
        logits, labels = _split(y_true, y_pred, n_way, k_shot)
        return ops.mean(ops.sparse_categorical_crossentropy(labels, logits, from_logits=True))

    loss.__name__ = "protonet_loss"
    return loss


def protonet_accuracy(n_way: int, k_shot: int) -> Callable[[Any, Any], Any]:
    """Share of the episode's query images whose nearest prototype is their class, as a
    metric for ``model.compile(metrics=[...])`` (same arguments as :func:`protonet_loss`)."""
    n_way, k_shot = _check_episode(n_way, k_shot)

    def accuracy(y_true: Any, y_pred: Any) -> Any:
        logits, labels = _split(y_true, y_pred, n_way, k_shot)
        hits = ops.equal(ops.cast(ops.argmax(logits, axis=-1), "int32"), labels)
        return ops.mean(ops.cast(hits, "float32"))

    accuracy.__name__ = "accuracy"
    return accuracy


__all__ = [
    "protonet",
    "protonet_accuracy",
    "protonet_loss",
    "prototypes",
    "squared_distances",
]
