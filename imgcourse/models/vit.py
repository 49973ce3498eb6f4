"""A small Vision Transformer (ViT) and attention rollout (``14_attention_and_captioning``).

The image is cut into non-overlapping ``patch_size`` x ``patch_size`` patches, each turned
into a vector by one linear map (a ``Conv2D`` whose kernel and stride are the patch size:
the **patch embedding**); a learned class token is put in front and a learned **position
embedding** added, then ``depth`` pre-norm encoder blocks (layer norm, multi-head
self-attention, residual; layer norm, two-layer MLP with GELU, residual) mix the tokens.
The class token's final vector (the ``features`` layer) goes to a softmax ``head``.
Built from ``keras.layers`` and ``keras.ops`` only, so it runs on the JAX backend too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import layers, ops

from imgcourse.models import check_input, register_model


@keras.saving.register_keras_serializable(package="imgcourse")
class ClassToken(layers.Layer):
    """Prepend one learned vector to a sequence: (batch, n, dim) -> (batch, n + 1, dim)."""

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.token = self.add_weight(
            shape=(1, 1, int(input_shape[-1])), initializer="zeros", name="token"
        )

    def call(self, x: Any) -> Any:
        batch = ops.shape(x)[0]
        token = ops.broadcast_to(ops.cast(self.token, x.dtype), (batch, 1, ops.shape(x)[-1]))
        return ops.concatenate([token, x], axis=1)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple:
        n = None if input_shape[1] is None else input_shape[1] + 1
        return (input_shape[0], n, input_shape[2])


@keras.saving.register_keras_serializable(package="imgcourse")
class PositionEmbedding(layers.Layer):
    """Add a learned vector per position: (batch, n, dim) -> (batch, n, dim)."""

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.positions = self.add_weight(
            shape=(1, int(input_shape[1]), int(input_shape[2])),
            initializer=keras.initializers.RandomNormal(stddev=0.02),
            name="positions",
        )

    def call(self, x: Any) -> Any:
        return x + ops.cast(self.positions, x.dtype)


@keras.saving.register_keras_serializable(package="imgcourse")
class FirstToken(layers.Layer):
    """The first token of a sequence: (batch, n, dim) -> (batch, dim)."""

    def call(self, x: Any) -> Any:
        return x[:, 0]

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple:
        return (input_shape[0], input_shape[2])


def encoder_block(x: Any, *, heads: int, dim: int, mlp_dim: int, name: str) -> Any:
    """One pre-norm Transformer encoder block; its attention layer is ``f"{name}_attn"``."""
    h = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm1")(x)
    h = layers.MultiHeadAttention(heads, dim // heads, name=f"{name}_attn")(h, h)
    x = layers.Add(name=f"{name}_add1")([x, h])
    h = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm2")(x)
    h = layers.Dense(mlp_dim, activation="gelu", name=f"{name}_mlp1")(h)
    h = layers.Dense(dim, name=f"{name}_mlp2")(h)
    return layers.Add(name=f"{name}_add2")([x, h])


@register_model("small_vit", input_shape=(32, 32, 3), num_classes=3)
def small_vit(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    patch_size: int = 4,
    dim: int = 32,
    depth: int = 2,
    heads: int = 2,
    mlp_dim: int = 64,
    name: str = "small_vit",
) -> keras.Model:
    """Build a small Vision Transformer classifier.

    Layers: ``stem_patches`` (the patch embedding, (h/p, w/p, dim)), ``tokens`` (flattened to
    (h/p * w/p, dim)), ``cls`` (class token prepended), ``positions``, ``block{i}_attn`` ...
    for i = 1..depth, ``final_norm``, ``features`` (the class token's vector, (dim,)) and
    ``head`` (softmax, float32).

    Args:
        input_shape: (height, width, channels), both sides multiples of ``patch_size``.
        num_classes: number of classes (at least 2).
        patch_size: side of a square patch in pixels.
        dim: width of every token vector; a multiple of ``heads``.
        depth: number of encoder blocks.
        heads: attention heads per block.
        mlp_dim: hidden units of each block's MLP.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from (batch, height, width, channels) floats in [0, 1]
        to (batch, num_classes) class probabilities.

    Example:
        >>> model = small_vit((32, 32, 3), 3)
        >>> model.get_layer("positions").output.shape
        (None, 65, 32)
    """
    shape = check_input(name, input_shape, num_classes, min_side=patch_size)
    if patch_size < 1 or shape[0] % patch_size or shape[1] % patch_size:
        raise ValueError(
            f"{name}: height and width {shape[:2]} must be multiples of patch_size "
            f"({patch_size}); resize the images or choose another patch size"
        )
    if dim < 1 or heads < 1 or dim % heads:
        raise ValueError(f"{name}: dim ({dim}) must be a positive multiple of heads ({heads})")
    if depth < 1 or mlp_dim < 1:
        raise ValueError(f"{name}: depth and mlp_dim must be at least 1; got {depth}, {mlp_dim}")
    inputs = keras.Input(shape, name="image")
    x = layers.Conv2D(dim, patch_size, strides=patch_size, name="stem_patches")(inputs)
    x = layers.Reshape((-1, dim), name="tokens")(x)
    x = ClassToken(name="cls")(x)
    x = PositionEmbedding(name="positions")(x)
    for i in range(1, depth + 1):
        x = encoder_block(x, heads=heads, dim=dim, mlp_dim=mlp_dim, name=f"block{i}")
    x = layers.LayerNormalization(epsilon=1e-6, name="final_norm")(x)
    x = FirstToken(name="features")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def attention_layers(model: keras.Model) -> list[layers.MultiHeadAttention]:
    """The ``MultiHeadAttention`` layers of a model, in order of depth."""
    found = [lay for lay in model.layers if isinstance(lay, layers.MultiHeadAttention)]
    if not found:
        raise ValueError(f"model {model.name!r} has no MultiHeadAttention layer")
    return found


def attention_maps(model: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Every block's attention weights on ``images``.

    Runs the model up to each block's attention input, then calls that block's attention
    layer again with ``return_attention_scores=True`` (the same weights).

    Args:
        model: a ViT built by :func:`small_vit`.
        images: (n, height, width, channels) floats in [0, 1].

    Returns:
        (n, depth, heads, tokens, tokens) float32: row q of a head is how token q spreads
        its attention over all tokens (each row sums to 1); token 0 is the class token.
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or tuple(images.shape[1:]) != tuple(model.input_shape[1:]):
        raise ValueError(
            f"images must be (n, {', '.join(str(s) for s in model.input_shape[1:])}); got "
            f"{images.shape}"
        )
    blocks = [lay.name[: -len("_attn")] for lay in attention_layers(model)]
    normed = [model.get_layer(f"{block}_norm1").output for block in blocks]
    probe = keras.Model(model.input, normed)  # each block's attention input
    out = []
    for start in range(0, len(images), batch_size):
        hs = probe(images[start : start + batch_size], training=False)
        hs = hs if isinstance(hs, (list, tuple)) else [hs]
        per_block = [
            model.get_layer(f"{block}_attn")(h, h, return_attention_scores=True)[1]
            for block, h in zip(blocks, hs)
        ]
        out.append(np.stack([ops.convert_to_numpy(s) for s in per_block], axis=1))
    return np.concatenate(out).astype(np.float32)


def attention_rollout(attentions: np.ndarray, *, residual: float = 0.5) -> np.ndarray:
    """Attention rollout (Abnar and Zuidema, 2020): how much the class token draws on each
    patch through all blocks.

    Each block's weights are averaged over heads, the residual connection is accounted for as
    ``residual * I + (1 - residual) * A`` (rows renormalised to sum to 1), and the blocks'
    matrices multiplied from the first to the last.

    Args:
        attentions: (n, depth, heads, tokens, tokens) from :func:`attention_maps`, token 0
            the class token and tokens 1.. the patches in row-major order.
        residual: weight of the identity (the skip connection) in [0, 1).

    Returns:
        (n, side, side) float32: the class token's row over the patches, each map summing
        to 1, reshaped to the grid of patches (tokens - 1 must be a square number).
    """
    att = np.asarray(attentions, np.float64)
    if att.ndim != 5 or att.shape[-1] != att.shape[-2]:
        raise ValueError(
            f"attentions must be (n, depth, heads, tokens, tokens); got shape {att.shape}"
        )
    if not 0.0 <= residual < 1.0:
        raise ValueError(f"residual must be in [0, 1); got {residual}")
    side = int(round(np.sqrt(att.shape[-1] - 1)))
    if side * side != att.shape[-1] - 1:
        raise ValueError(f"{att.shape[-1] - 1} patch tokens do not form a square grid")
    eye = np.eye(att.shape[-1])
    mixed = residual * eye + (1.0 - residual) * att.mean(axis=2)  # (n, depth, t, t)
    mixed = mixed / mixed.sum(axis=-1, keepdims=True)
    rollout = mixed[:, 0]
    for d in range(1, mixed.shape[1]):
        rollout = mixed[:, d] @ rollout
    cls = rollout[:, 0, 1:]
    cls = cls / cls.sum(axis=-1, keepdims=True)
    return cls.reshape(-1, side, side).astype(np.float32)
