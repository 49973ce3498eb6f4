"""Neural style transfer by optimising the image itself (``13_style_transfer``).

Gatys et al. (2016): start from an image, and change its pixels by gradient descent so that
its feature maps in a fixed network match those of a *content* image, and the Gram matrices
of its feature maps match those of a *style* image. The network's weights never change.

This module holds the objective (:func:`gram_matrix`, :func:`content_loss`,
:func:`style_loss`, :func:`total_variation`, written in ``keras.ops``; the notebook writes
the same four and asserts they agree) and the one optimisation loop,
:func:`transfer_style`. Gradients with respect to the *image* are backend-specific; they
live in :func:`tf_style_step` (``tf.GradientTape``) and :func:`jax_style_step`
(``jax.value_and_grad``), and :func:`style_step` picks the one of the running backend. The
Adam update, :func:`adam_update`, is plain ``keras.ops`` shared by both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
from keras import ops

from imgcourse.models.style import StyleExtractor

LossParts = dict[str, Any]


def gram_matrix(features):
    """Channel-by-channel correlations of feature maps, averaged over positions.

    ``G[b, c, d] = sum_p F[b, p, c] * F[b, p, d] / P``, with ``P = h * w`` positions, so the
    Gram matrix of a map does not depend on the image's size, only on how often channels
    fire together; where they fire is summed away.

    Args:
        features: (batch, h, w, channels) feature maps.

    Returns:
        (batch, channels, channels).
    """
    if len(features.shape) != 4:
        raise ValueError(
            f"gram_matrix expects feature maps (batch, h, w, channels); got shape "
            f"{tuple(features.shape)}"
        )
    shape = ops.shape(features)
    flat = ops.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    positions = ops.cast(shape[1] * shape[2], flat.dtype)
    return ops.einsum("bpc,bpd->bcd", flat, flat) / positions


def _relative_error(value, target):
    """||value - target||^2 / ||target||^2 (a unit-free squared error)."""
    return ops.sum(ops.square(value - target)) / (ops.sum(ops.square(target)) + 1e-12)


def content_loss(maps: Sequence[Any], targets: Sequence[Any]):
    """Mean over layers of ``||F - P||^2 / ||P||^2``: the generated maps F against the
    content image's maps P, as a relative squared error. Scalar."""
    _check_pairs(maps, targets, "content_loss")
    return ops.mean(ops.stack([_relative_error(f, p) for f, p in zip(maps, targets)]))


def style_loss(maps: Sequence[Any], style_grams: Sequence[Any]):
    """Mean over layers of ``||G - A||^2 / ||A||^2``: the Gram matrices G of the generated
    maps against the style image's Gram matrices A. Scalar."""
    _check_pairs(maps, style_grams, "style_loss")
    parts = [_relative_error(gram_matrix(f), a) for f, a in zip(maps, style_grams)]
    return ops.mean(ops.stack(parts))


def total_variation(images):
    """Mean squared difference between neighbouring pixels, down and across. Scalar.

    Args:
        images: (batch, h, w, channels).
    """
    down = images[:, 1:, :, :] - images[:, :-1, :, :]
    across = images[:, :, 1:, :] - images[:, :, :-1, :]
    return ops.mean(ops.square(down)) + ops.mean(ops.square(across))


def _check_pairs(maps: Sequence[Any], targets: Sequence[Any], what: str) -> None:
    if len(maps) != len(targets) or not maps:
        raise ValueError(
            f"{what}: give one target per layer; got {len(maps)} map(s) and "
            f"{len(targets)} target(s)"
        )


def style_objective(
    extractor: StyleExtractor,
    content_image: np.ndarray,
    style_image: np.ndarray,
    *,
    content_weight: float = 1.0,
    style_weight: float = 10.0,
    tv_weight: float = 0.0,
) -> Callable[[Any], LossParts]:
    """The function to minimise: image (1, h, w, 3) -> {"total", "content", "style", "tv"}.

    ``total = content_weight * content + style_weight * style + tv_weight * tv``. The
    targets (the content image's maps and the style image's Gram matrices) are computed once,
    here.
    """
    style_maps, _ = extractor(_batch(style_image, "style_image"))
    style_grams = [gram_matrix(m) for m in style_maps]
    _, content_targets = extractor(_batch(content_image, "content_image"))

    def objective(image) -> LossParts:
        s_maps, c_maps = extractor(image)
        parts = {
            "content": content_loss(c_maps, content_targets),
            "style": style_loss(s_maps, style_grams),
            "tv": total_variation(image),
        }
        parts["total"] = (
            content_weight * parts["content"]
            + style_weight * parts["style"]
            + tv_weight * parts["tv"]
        )
        return parts

    return objective


def _batch(image: Any, name: str) -> Any:
    array = np.asarray(image, dtype=np.float32)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(
            f"{name} must be one colour image (height, width, 3) in [0, 1]; got shape {array.shape}"
        )
    return ops.convert_to_tensor(array[None])


def adam_update(image, grad, m, v, step, learning_rate: float, beta1=0.9, beta2=0.999):
    """One Adam step on the pixels, then clipping to [0, 1]; ``step`` counts from 1.

    Returns:
        (image, m, v): the new image and moment estimates, shapes of ``image``.
    """
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * ops.square(grad)
    m_hat = m / (1.0 - beta1**step)
    v_hat = v / (1.0 - beta2**step)
    image = image - learning_rate * m_hat / (ops.sqrt(v_hat) + 1e-8)
    return ops.clip(image, 0.0, 1.0), m, v


def tf_style_step(objective: Callable[[Any], LossParts], learning_rate: float) -> Callable:
    """TensorFlow: a compiled step (image, m, v, step) -> (image, m, v, parts), with the
    gradient of ``parts["total"]`` with respect to the image from ``tf.GradientTape``."""
    import tensorflow as tf

    @tf.function
    def step(image, m, v, t):
        with tf.GradientTape() as tape:
            tape.watch(image)
            parts = objective(image)
        grad = tape.gradient(parts["total"], image)
        image, m, v = adam_update(image, grad, m, v, t, learning_rate)
        return image, m, v, parts

    return step


def jax_style_step(objective: Callable[[Any], LossParts], learning_rate: float) -> Callable:
    """JAX: the same step as :func:`tf_style_step`, with ``jax.value_and_grad``, compiled
    by ``jax.jit``."""
    import jax

    def total(image):
        parts = objective(image)
        return parts["total"], parts

    grad_fn = jax.value_and_grad(total, has_aux=True)

    @jax.jit
    def step(image, m, v, t):
        (_, parts), grad = grad_fn(image)
        image, m, v = adam_update(image, grad, m, v, t, learning_rate)
        return image, m, v, parts

    return step


def style_step(objective: Callable[[Any], LossParts], learning_rate: float) -> Callable:
    """The step of the running Keras backend (TensorFlow or JAX)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return tf_style_step(objective, learning_rate)
    if backend == "jax":
        return jax_style_step(objective, learning_rate)
    raise NotImplementedError(
        f"style transfer's image gradient is written for the tensorflow and jax backends; "
        f"the running backend is {backend!r}: set KERAS_BACKEND=tensorflow"
    )


@dataclass
class StyleTransferResult:
    """What an optimisation produced.

    Attributes:
        image: (h, w, 3) float32 in [0, 1], the optimised image.
        history: per step, the losses before that step's update: "total", "content",
            "style", "tv" (lists of ``steps`` floats), and the final values appended as one
            more entry (so each list has ``steps + 1`` values).
        seconds: wall time of the loop, compilation included.
        steps_per_second: optimisation steps per second, the first (compiling) step left out.
        pixels_per_second: image pixels updated per second (``h * w * steps_per_second``).
    """

    image: np.ndarray
    history: dict[str, list[float]]
    seconds: float
    steps_per_second: float
    pixels_per_second: float
    extra: dict[str, Any] = field(default_factory=dict)

    def drop(self, key: str = "style") -> float:
        """Final value of a loss divided by its starting value (below 1: it fell)."""
        values = self.history[key]
        return float(values[-1] / max(values[0], 1e-12))


def transfer_style(
    extractor: StyleExtractor,
    content_image: np.ndarray,
    style_image: np.ndarray,
    *,
    steps: int = 200,
    content_weight: float = 1.0,
    style_weight: float = 10.0,
    tv_weight: float = 0.0,
    learning_rate: float = 0.02,
    init: str | np.ndarray = "content",
    seed: int = 0,
    log_every: int = 0,
    verbose: bool = True,
) -> StyleTransferResult:
    """Optimise an image's pixels (Adam, clipped to [0, 1]) to minimise
    :func:`style_objective`; prints steps/s and pixels/s.

    Args:
        extractor: a :class:`imgcourse.models.style.StyleExtractor`.
        content_image, style_image: (h, w, 3) float32 in [0, 1], the extractor's input size.
        steps: gradient steps.
        content_weight, style_weight, tv_weight: weights of the three losses.
        learning_rate: Adam's step size, in pixel units (pixels lie in [0, 1]).
        init: "content" (start from the content image), "noise" (uniform noise drawn with
            ``seed``) or an (h, w, 3) array.
        log_every: print the losses every this many steps (0: only the summary).
        verbose: print anything at all.

    Returns:
        A :class:`StyleTransferResult`.
    """
    if int(steps) < 1:
        raise ValueError(f"steps must be at least 1; got {steps}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be above 0; got {learning_rate}")
    content = np.asarray(content_image, np.float32)
    style = np.asarray(style_image, np.float32)
    if content.shape != style.shape:
        raise ValueError(
            f"content and style images must have the same shape (resize them first); got "
            f"{content.shape} and {style.shape}"
        )
    if isinstance(init, str):
        if init == "content":
            start = content
        elif init == "noise":
            start = np.random.default_rng(seed).random(content.shape, dtype=np.float32)
        else:
            raise ValueError(f"init must be 'content', 'noise' or an array; got {init!r}")
    else:
        start = np.asarray(init, np.float32)
        if start.shape != content.shape:
            raise ValueError(f"init has shape {start.shape}; expected {content.shape}")
    objective = style_objective(
        extractor,
        content,
        style,
        content_weight=content_weight,
        style_weight=style_weight,
        tv_weight=tv_weight,
    )
    step = style_step(objective, float(learning_rate))
    image = ops.convert_to_tensor(start[None])
    m, v = ops.zeros_like(image), ops.zeros_like(image)
    history: dict[str, list[float]] = {k: [] for k in ("total", "content", "style", "tv")}
    began = time.perf_counter()
    after_first = began
    for t in range(1, int(steps) + 1):
        image, m, v, parts = step(image, m, v, ops.convert_to_tensor(float(t)))
        for key in history:
            history[key].append(float(parts[key]))
        if t == 1:
            after_first = time.perf_counter()
        if verbose and log_every and (t % log_every == 0 or t == 1):
            print(f"step {t:4d}/{steps}  " + _format(parts))
    final = objective(image)
    for key in history:
        history[key].append(float(final[key]))
    seconds = time.perf_counter() - began
    rest = time.perf_counter() - after_first
    per_second = (int(steps) - 1) / rest if steps > 1 and rest > 0 else int(steps) / seconds
    pixels = content.shape[0] * content.shape[1] * per_second
    if verbose:
        ratio = history["style"][-1] / max(history["style"][0], 1e-12)
        print(
            f"{steps} steps on a {content.shape[1]}x{content.shape[0]} image in "
            f"{seconds:.1f} s: {per_second:.1f} steps/s, {pixels / 1e6:.2f} megapixels/s, "
            f"{per_second:,.0f} images/s; style loss x{ratio:.3f} of its start"
        )
    return StyleTransferResult(
        image=np.asarray(image)[0],
        history=history,
        seconds=seconds,
        steps_per_second=per_second,
        pixels_per_second=pixels,
    )


def bootstrap_style_distances(
    extractor: StyleExtractor,
    images: Sequence[np.ndarray],
    style_image: np.ndarray,
    *,
    tiles: int = 4,
    draws: int = 200,
    seed: int = 0,
) -> np.ndarray:
    """Each image's style distance to ``style_image`` in ``extractor``'s space (the
    :func:`style_loss` of that image), recomputed over a block bootstrap of its tiles.

    A Gram matrix is a mean over the positions of a feature map. Cutting each map into
    ``tiles x tiles`` tiles (the same image regions at every layer), drawing that many tiles
    with replacement and averaging their Gram sums again shows how much the distance depends
    on which regions of the image happen to be there (tiles, not single positions, because
    neighbouring positions are alike). Every image of a draw gets the same tiles, so
    differences between images are paired. The style's Gram matrices use all its positions.

    Args:
        extractor: the space to measure in (a :class:`StyleExtractor`).
        images: n images (h, w, 3) in [0, 1], the extractor's input size.
        style_image: (h, w, 3) in [0, 1].
        tiles: tiles per side; every style layer's map side must be a multiple of it.
        draws: bootstrap resamplings.
        seed: seed of the resampling.

    Returns:
        (n, draws) float64: the relative squared Gram error, averaged over the style layers.
    """
    if int(draws) < 1 or int(tiles) < 1:
        raise ValueError(f"draws and tiles must be at least 1; got {draws} and {tiles}")
    style_maps, _ = extractor(_batch(style_image, "style_image"))
    targets = [np.asarray(gram_matrix(m), np.float64)[0] for m in style_maps]
    batch = np.stack([np.asarray(im, np.float32) for im in images])
    if batch.ndim != 4 or batch.shape[1:] != np.shape(style_image):
        raise ValueError(
            f"images must have the style image's shape {np.shape(style_image)}; got "
            f"{batch.shape[1:]}"
        )
    maps, _ = extractor(ops.convert_to_tensor(batch))
    t = int(tiles)
    counts = np.stack(
        [
            np.bincount(r, minlength=t * t)
            for r in np.random.default_rng(seed).integers(0, t * t, (int(draws), t * t))
        ]
    ).astype(np.float64)  # (draws, tiles^2): how often each tile was drawn
    out = np.zeros((len(batch), int(draws)))
    for f, target in zip(maps, targets):
        n, h, w, c = f.shape
        if h % t or w % t:
            raise ValueError(f"a {h}x{w} feature map does not split into {t}x{t} tiles")
        blocks = np.asarray(f, np.float64).reshape(n, t, h // t, t, w // t, c)
        blocks = blocks.transpose(0, 1, 3, 2, 4, 5).reshape(n, t * t, -1, c)
        sums = np.einsum("ntpc,ntpd->ntcd", blocks, blocks)  # each tile's Gram sum
        grams = np.einsum("kt,ntcd->nkcd", counts, sums) / (h * w)  # (n, draws, c, c)
        out += np.sum((grams - target) ** 2, axis=(2, 3)) / (np.sum(target**2) + 1e-12)
    return out / len(targets)


def _format(parts: LossParts) -> str:
    return "  ".join(f"{k} {float(parts[k]):.3e}" for k in ("total", "content", "style", "tv"))


__all__ = [
    "StyleTransferResult",
    "adam_update",
    "bootstrap_style_distances",
    "content_loss",
    "gram_matrix",
    "jax_style_step",
    "style_loss",
    "style_objective",
    "style_step",
    "tf_style_step",
    "total_variation",
    "transfer_style",
]
