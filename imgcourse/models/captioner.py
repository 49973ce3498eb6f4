"""Image captioning with attention over a CNN's feature grid (``14_attention_and_captioning``).

A small CNN turns the image into a grid of feature vectors (one per cell of an 8x8 grid at
32x32 pixels), each projected to ``dim`` numbers and given a learned position embedding. A
one-block Transformer decoder reads the caption so far: causal self-attention over the
words already written, then **cross-attention** whose queries are the words and whose keys
and values are the grid cells (layer ``cross_attn``: its weights say where in the image each
word looked), then an MLP and a softmax over the vocabulary (layer ``head``). Training uses
**teacher forcing**: the true previous words are the input, all positions at once.

Not in the model registry: its inputs and outputs are not a classifier's (the registry's
tests build every entry as one). Also here: the word vocabulary and caption encoding, a
masked loss, greedy decoding and a batched beam search, and the cross-attention weights
behind each generated word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from imgcourse.models.vit import PositionEmbedding

PAD, START, END = "<pad>", "<start>", "<end>"


@dataclass(frozen=True)
class Vocabulary:
    """Words <-> integer ids; id 0 is padding, 1 the start token, 2 the end token."""

    words: tuple[str, ...]

    @classmethod
    def from_captions(cls, captions: Sequence[str]) -> Vocabulary:
        """All words of ``captions`` (sorted) after the three special tokens."""
        found = sorted({w for c in captions for w in tokenize(c)})
        return cls((PAD, START, END, *found))

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def encode(self, captions: Sequence[str], max_len: int) -> np.ndarray:
        """Captions -> (n, max_len + 1) int32: start, the word ids, end, then padding.

        Raises:
            ValueError: for a word not in the vocabulary or a caption longer than
                ``max_len - 1`` words.
        """
        index = self.index
        out = np.zeros((len(captions), max_len + 1), np.int32)
        for i, caption in enumerate(captions):
            words = tokenize(caption)
            unknown = [w for w in words if w not in index]
            if unknown:
                raise ValueError(f"caption {i} has words {unknown} missing from the vocabulary")
            if len(words) > max_len - 1:
                raise ValueError(
                    f"caption {i} has {len(words)} words; max_len={max_len} leaves room for "
                    f"{max_len - 1} (plus start and end): raise max_len"
                )
            ids = [1, *(index[w] for w in words), 2]
            out[i, : len(ids)] = ids
        return out

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Ids -> words, stopping at the end token and skipping start and padding."""
        words = []
        for i in ids:
            if int(i) == 2:
                break
            if int(i) > 2:
                words.append(self.words[int(i)])
        return words


def tokenize(caption: str) -> list[str]:
    """Lower-case words; a comma becomes a word of its own."""
    return re.findall(r"[a-z]+|,", caption.lower())


@keras.saving.register_keras_serializable(package="imgcourse")
def masked_loss(y_true: object, y_pred: object) -> object:
    """Cross-entropy per word, averaged over the non-padding positions (id > 0).

    y_true (batch, time) int ids; y_pred (batch, time, vocabulary) probabilities.
    """
    y_true = ops.cast(y_true, "int32")
    loss = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
    mask = ops.cast(y_true > 0, loss.dtype)
    return ops.sum(loss * mask) / ops.maximum(ops.sum(mask), 1.0)


def attention_captioner(
    image_shape: Sequence[int],
    vocab_size: int,
    max_len: int,
    *,
    filters: Sequence[int] = (16, 32),
    dim: int = 48,
    heads: int = 1,
    name: str = "attention_captioner",
) -> keras.Model:
    """Build the captioner: inputs ``[image, words]``, output the next word's probabilities.

    Layers: ``conv{i}`` / ``pool{i}`` (the encoder; each pool halves the size), ``grid``
    ((cells, dim) feature vectors), ``grid_positions``, ``embed``, ``word_positions``,
    ``self_attn`` (causal), ``cross_attn`` (words attend to grid cells), ``mlp1``/``mlp2``,
    ``head``.

    Args:
        image_shape: (height, width, channels) of the images, floats in [0, 1].
        vocab_size: number of word ids, specials included.
        max_len: number of word positions the decoder reads (start token included).
        filters: channels of the encoder's conv blocks.
        dim: width of word and grid vectors; a multiple of ``heads``.
        heads: attention heads.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from [(batch, h, w, c) float32, (batch, max_len) int]
        to (batch, max_len, vocab_size) probabilities of the next word at each position.
    """
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"{name}: image_shape must be (height, width, channels); got {shape}")
    if min(shape[:2]) < 2 ** len(filters):
        raise ValueError(
            f"{name}: a {shape[0]}x{shape[1]} image is too small for {len(filters)} poolings"
        )
    if vocab_size < 4 or max_len < 2:
        raise ValueError(
            f"{name}: need vocab_size >= 4 and max_len >= 2; got {vocab_size}, {max_len}"
        )
    if dim < 1 or heads < 1 or dim % heads:
        raise ValueError(f"{name}: dim ({dim}) must be a positive multiple of heads ({heads})")
    image = keras.Input(shape, name="image")
    words = keras.Input((max_len,), dtype="int32", name="words")
    x = image
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Reshape((-1, x.shape[-1]), name="cells")(x)
    grid = layers.Dense(dim, name="grid")(x)
    grid = PositionEmbedding(name="grid_positions")(grid)
    w = layers.Embedding(vocab_size, dim, name="embed")(words)
    w = PositionEmbedding(name="word_positions")(w)
    h = layers.MultiHeadAttention(heads, dim // heads, name="self_attn")(w, w, use_causal_mask=True)
    w = layers.LayerNormalization(name="norm1")(layers.Add(name="add1")([w, h]))
    h = layers.MultiHeadAttention(heads, dim // heads, name="cross_attn")(w, grid)
    w = layers.LayerNormalization(name="norm2")(layers.Add(name="add2")([w, h]))
    h = layers.Dense(2 * dim, activation="relu", name="mlp1")(w)
    h = layers.Dense(dim, name="mlp2")(h)
    w = layers.LayerNormalization(name="norm3")(layers.Add(name="add3")([w, h]))
    out = layers.Dense(vocab_size, activation="softmax", dtype="float32", name="head")(w)
    return keras.Model([image, words], out, name=name)


def _next_word_logp(model: keras.Model, images: np.ndarray, prefix: np.ndarray) -> np.ndarray:
    """log p(next word) after each prefix: (n, t) ids -> (n, vocab)."""
    max_len = model.input_shape[1][1]
    padded = np.zeros((len(prefix), max_len), np.int32)
    padded[:, : prefix.shape[1]] = prefix
    probs = ops.convert_to_numpy(model([images, padded], training=False))
    return np.log(np.maximum(probs[:, prefix.shape[1] - 1].astype(np.float64), 1e-30))


def beam_search(
    model: keras.Model, images: np.ndarray, *, beam_width: int = 3, max_words: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Decode captions by beam search, all images at once.

    At each step every kept caption (beam) is extended by every word; the ``beam_width``
    extensions with the highest total log-probability are kept. A beam that has written the
    end token stays as it is. ``beam_width=1`` is greedy decoding.

    Args:
        model: a captioner built by :func:`attention_captioner`.
        images: (n, h, w, c) floats in [0, 1].
        beam_width: beams kept per image.
        max_words: steps to decode (default: the model's ``max_len``).

    Returns:
        ``ids`` (n, steps + 1) int32, starting with the start token, the best beam per image
        (end token, then padding, once finished), and ``log_probs`` (n,) its total
        log-probability.
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be (n, height, width, channels); got {images.shape}")
    if beam_width < 1:
        raise ValueError(f"beam_width must be at least 1; got {beam_width}")
    max_len = model.input_shape[1][1]
    steps = max_len if max_words is None else min(int(max_words), max_len)
    n, k = len(images), beam_width
    seqs = np.ones((n, 1, 1), np.int32)  # every image starts with one beam: <start>
    scores = np.zeros((n, 1))
    for _ in range(steps):
        beams = seqs.shape[1]
        done = (seqs == 2).any(axis=-1) | (seqs[..., -1] == 0)  # (n, beams)
        flat_images = np.repeat(images, beams, axis=0)
        logp = _next_word_logp(model, flat_images, seqs.reshape(n * beams, -1))
        logp = logp.reshape(n, beams, -1)
        logp[done] = -np.inf
        logp[done, 0] = 0.0  # a finished beam continues with padding, for free
        total = (scores[..., None] + logp).reshape(n, -1)
        keep = min(k, total.shape[1])
        best = np.argsort(-total, axis=1, kind="stable")[:, :keep]
        vocab = logp.shape[-1]
        parent, word = best // vocab, best % vocab
        seqs = np.concatenate(
            [np.take_along_axis(seqs, parent[..., None], axis=1), word[..., None]], axis=-1
        ).astype(np.int32)
        scores = np.take_along_axis(total, best, axis=1)
        if ((seqs == 2).any(axis=-1) | (seqs[..., -1] == 0)).all():
            break
    return seqs[:, 0], scores[:, 0]


def greedy_decode(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """The most probable word at each step: :func:`beam_search` with one beam; (n, t) ids."""
    return beam_search(model, images, beam_width=1)[0]


def cross_attention(model: keras.Model, images: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The ``cross_attn`` weights while the model reads ``ids`` (teacher forcing).

    Args:
        model: a captioner built by :func:`attention_captioner`.
        images: (n, h, w, c) floats in [0, 1].
        ids: (n, t) word ids starting with the start token, t <= max_len (for example
            :func:`beam_search`'s output); position i's weights are those used to predict
            word i + 1.

    Returns:
        (n, t, side, side) float32, averaged over heads: where in the image each position
        looked; each map sums to 1.
    """
    max_len = model.input_shape[1][1]
    ids = np.asarray(ids, np.int32)[:, :max_len]
    padded = np.zeros((len(ids), max_len), np.int32)
    padded[:, : ids.shape[1]] = ids
    layer = model.get_layer("cross_attn")
    probe = keras.Model(
        model.inputs, [model.get_layer("norm1").output, model.get_layer("grid_positions").output]
    )
    query, grid = probe([np.asarray(images, np.float32), padded], training=False)
    _, scores = layer(query, grid, return_attention_scores=True)
    att = ops.convert_to_numpy(scores).mean(axis=1)[:, : ids.shape[1]]  # (n, t, cells)
    side = int(round(np.sqrt(att.shape[-1])))
    return att.reshape(len(ids), ids.shape[1], side, side).astype(np.float32)
