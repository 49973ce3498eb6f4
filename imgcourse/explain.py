"""Explanation maps for image classifiers: saliency, Grad-CAM, occlusion, integrated gradients.

Introduced in ``08_interpretability``. Every method answers one question for a batch of images
and one target class per image: *which pixels move the model's score for that class?* They
differ in how they ask it:

- :func:`saliency` (Simonyan et al., 2014): the gradient of the score with respect to the
  pixels, one backward pass;
- :func:`grad_cam` (Selvaraju et al., 2017): a convolution layer's feature maps, weighted by
  the average gradient of the score over each map, kept where positive, at that layer's
  resolution and resized to the image;
- :func:`occlusion` (Zeiler and Fergus, 2014): cover one patch at a time and measure how much
  the score drops; forward passes only;
- :func:`integrated_gradients` (Sundararajan et al., 2017): the gradient averaged along a
  straight path from a baseline image to the image, times (image - baseline), so that the
  attributions add up to score(image) - score(baseline).

The *score* is the model's pre-softmax output (the logit) of the target class by default: a
final layer with a softmax activation is run without it while a map is computed (the model is
left as it was). Everything is written with ``keras.ops``; the one backend-specific piece, a
gradient, is :func:`_gradients_tf` (TensorFlow's ``GradientTape``), chosen by
:func:`_gradients`, beside which a JAX version could sit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import keras
import numpy as np
from keras import ops

#: A function from a batch of images (or feature maps) to one score per image, (n,).
ScoreFn = Callable[[Any], Any]


# --------------------------------------------------------------------------- input checks
def _check_images(images: Any, model: keras.Model | None = None) -> np.ndarray:
    """(n, h, w, c) float32; a single (h, w, c) image is NOT accepted, to keep shapes plain."""
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim != 4:
        raise ValueError(
            "images must be a batch of shape (n, height, width, channels); got shape "
            f"{arr.shape} (for one image pass image[None])"
        )
    if model is not None:
        expected = tuple(model.input_shape[1:])
        if any(e is not None and e != a for e, a in zip(expected, arr.shape[1:])):
            raise ValueError(
                f"the model takes images of shape {expected}; got a batch of {arr.shape[1:]}"
            )
    return arr


def _check_targets(targets: Any, n: int, num_classes: int) -> np.ndarray:
    """(n,) int class indices; a single int means the same class for every image."""
    arr = np.asarray(targets)
    if arr.ndim == 0:
        arr = np.full(n, int(arr))
    if arr.shape != (n,) or arr.dtype.kind not in "iu":
        raise ValueError(
            f"targets must be one class index per image, shape ({n},) of ints, or one int; "
            f"got shape {arr.shape} of {arr.dtype}"
        )
    if arr.min() < 0 or arr.max() >= num_classes:
        raise ValueError(
            f"targets must be class indices in 0..{num_classes - 1}; got {sorted(set(arr))}"
        )
    return arr.astype(np.int64)


# ------------------------------------------------------------------------------ the score
@contextmanager
def _without_softmax(model: keras.Model, logits: bool) -> Iterator[None]:
    """Run the model's last layer without its softmax (when ``logits``), then restore it."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    if not logits or activation is not keras.activations.softmax:
        yield
        return
    last.activation = keras.activations.linear
    try:
        yield
    finally:
        last.activation = activation


def _target_score(model: Callable[[Any], Any], targets: np.ndarray) -> ScoreFn:
    """A function from a batch to each image's score for its own target class, (n,)."""
    one_hot = None

    def score(x: Any) -> Any:
        nonlocal one_hot
        out = ops.cast(model(x), "float32")
        if one_hot is None:
            one_hot = ops.one_hot(ops.convert_to_tensor(targets), out.shape[-1])
        return ops.sum(out * one_hot, axis=-1)

    return score


# -------------------------------------------------------------------------- the gradient
def _gradients_tf(score: ScoreFn, x: Any) -> tuple[np.ndarray, np.ndarray]:
    """TensorFlow only: (score(x) as (n,), d score_i / d x_i as x.shape), with GradientTape.

    Each image's score depends on that image alone (no batch normalisation in training mode),
    so the gradient of the summed scores is every image's own gradient.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        values = score(x)
        total = tf.reduce_sum(values)
    grads = tape.gradient(total, x)
    return ops.convert_to_numpy(values), ops.convert_to_numpy(grads)


def _gradients(score: ScoreFn, x: Any) -> tuple[np.ndarray, np.ndarray]:
    """The backend's gradient of ``score`` at ``x``: (scores (n,), gradients like x)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _gradients_tf(score, x)
    raise NotImplementedError(
        f"imgcourse.explain computes gradients with TensorFlow only; Keras runs on {backend!r}. "
        "Set KERAS_BACKEND=tensorflow, or add a _gradients_<backend> function beside "
        "_gradients_tf."
    )


def _num_classes(model: keras.Model) -> int:
    shape = model.output_shape
    if not isinstance(shape, tuple) or len(shape) != 2:
        raise ValueError(
            f"explanations need a classifier with outputs (batch, classes); got {shape}"
        )
    return int(shape[-1])


def _batches(n: int, batch_size: int) -> Iterator[slice]:
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


# ------------------------------------------------------------------------------ methods
def input_gradients(
    model: keras.Model,
    images: Any,
    targets: Any,
    *,
    logits: bool = True,
    batch_size: int = 64,
) -> np.ndarray:
    """The gradient of each image's target score with respect to its pixels.

    Args:
        model: a classifier from (n, h, w, c) images to (n, classes) scores.
        images: (n, h, w, c) float32, as the model was trained on (here in [0, 1]).
        targets: (n,) class indices, or one int for all images.
        logits: differentiate the pre-softmax score (True) or the probability (False).

    Returns:
        (n, h, w, c) float32: score units per unit of pixel value, signed.
    """
    x = _check_images(images, model)
    t = _check_targets(targets, len(x), _num_classes(model))
    out = np.empty_like(x)
    with _without_softmax(model, logits):
        for part in _batches(len(x), batch_size):
            _, out[part] = _gradients(_target_score(model, t[part]), x[part])
    return out


def saliency(model: keras.Model, images: Any, targets: Any, *, logits: bool = True) -> np.ndarray:
    """Saliency map (Simonyan et al., 2014): the largest |gradient| over the colour channels.

    Returns:
        (n, h, w) float32, >= 0, in score units per unit of pixel value.
    """
    return np.abs(input_gradients(model, images, targets, logits=logits)).max(axis=-1)


def integrated_gradients(
    model: keras.Model,
    images: Any,
    targets: Any,
    *,
    baseline: Any = 0.0,
    steps: int = 32,
    logits: bool = True,
    batch_size: int = 128,
) -> np.ndarray:
    """Integrated gradients (Sundararajan et al., 2017), by a midpoint Riemann sum.

    attribution = (x - x') * mean over k of grad score(x' + a_k (x - x')), with
    a_k = (k + 1/2) / steps for k = 0 .. steps-1, the straight path from the baseline x' to
    the image x. The attributions of one image add up to score(x) - score(x') up to the error
    of the sum, which shrinks as ``steps`` grows (:func:`completeness_gap` measures it).

    Args:
        baseline: a number (for example 0.0, a black image) or an array broadcastable to
            ``images``, (h, w, c) or (n, h, w, c).
        steps: points on the path (at least 1); cost is ``steps`` backward passes per image.

    Returns:
        (n, h, w, c) float32, signed, in score units.
    """
    x = _check_images(images, model)
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a positive int; got {steps!r}")
    try:
        base = np.broadcast_to(np.asarray(baseline, np.float32), x.shape)
    except ValueError:
        raise ValueError(
            f"baseline must be a number or broadcast to the images' shape {x.shape}; got shape "
            f"{np.shape(baseline)}"
        ) from None
    t = _check_targets(targets, len(x), _num_classes(model))
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps
    out = np.empty_like(x)
    per_batch = max(1, batch_size // steps)
    with _without_softmax(model, logits):
        for part in _batches(len(x), per_batch):
            xs, bs = x[part], base[part]
            path = bs[None] + alphas[:, None, None, None, None] * (xs - bs)[None]  # (s, m, ...)
            flat = path.reshape(-1, *x.shape[1:])
            _, grads = _gradients(_target_score(model, np.tile(t[part], steps)), flat)
            out[part] = (xs - bs) * grads.reshape(path.shape).mean(axis=0)
    return out


def completeness_gap(
    model: keras.Model,
    images: Any,
    targets: Any,
    attributions: Any,
    *,
    baseline: Any = 0.0,
    logits: bool = True,
) -> np.ndarray:
    """For each image, sum(attributions) - (score(x) - score(baseline)), in score units (n,).

    Integrated gradients should make this close to 0 (its *completeness* property).
    """
    x = _check_images(images, model)
    t = _check_targets(targets, len(x), _num_classes(model))
    base = np.broadcast_to(np.asarray(baseline, np.float32), x.shape)
    with _without_softmax(model, logits):
        score = _target_score(model, t)
        change = ops.convert_to_numpy(score(x)) - ops.convert_to_numpy(score(base))
    total = np.asarray(attributions, np.float32).reshape(len(x), -1).sum(axis=1)
    return total - change


def _layer_names(model: keras.Model) -> list[str]:
    return [layer.name for layer in model.layers]


def grad_cam(
    model: keras.Model,
    images: Any,
    targets: Any,
    layer_name: str,
    *,
    logits: bool = True,
    resize: bool = True,
) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017) at the output of the layer named ``layer_name``.

    With A the layer's maps (n, h', w', k): weights a_k = mean over (h', w') of d score / d A_k,
    map = ReLU(sum_k a_k A_k). The model must be a chain from ``model.input`` through that
    layer to the output (as the builders of ``imgcourse.models`` make them; the last conv
    layer of ``small_cnn`` is ``conv3``, or ``conv2`` for a two-block model).

    Returns:
        (n, h, w) float32 >= 0 (resized bilinearly to the images' size) or (n, h', w') when
        ``resize`` is False; in score units, not normalised.
    """
    x = _check_images(images, model)
    names = _layer_names(model)
    if layer_name not in names:
        raise ValueError(
            f"the model {model.name!r} has no layer named {layer_name!r}; its layers are "
            f"{names}. Grad-CAM needs a convolution layer, usually the last one."
        )
    layer = model.get_layer(layer_name)
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"layer {layer_name!r} gives outputs of shape {layer.output.shape}; Grad-CAM needs "
            "spatial maps (batch, height, width, channels), so choose a convolution or pooling "
            "layer"
        )
    t = _check_targets(targets, len(x), _num_classes(model))
    bottom = keras.Model(model.input, layer.output)
    top = keras.Model(layer.output, model.output)
    maps = ops.convert_to_numpy(bottom(x))
    with _without_softmax(model, logits):
        _, grads = _gradients(_target_score(top, t), maps)
    weights = grads.mean(axis=(1, 2), keepdims=True)  # (n, 1, 1, k)
    cam = np.maximum((weights * maps).sum(axis=-1), 0.0).astype(np.float32)
    if not resize:
        return cam
    resized = ops.image.resize(cam[..., None], x.shape[1:3], interpolation="bilinear")
    return np.maximum(ops.convert_to_numpy(resized)[..., 0], 0.0)


def occlusion(
    model: keras.Model,
    images: Any,
    targets: Any,
    *,
    patch: int = 4,
    stride: int = 2,
    fill: float = 0.5,
    logits: bool = True,
    batch_size: int = 256,
) -> np.ndarray:
    """Occlusion sensitivity (Zeiler and Fergus, 2014): the score drop when a patch is hidden.

    A ``patch`` x ``patch`` square of value ``fill`` slides over the image in steps of
    ``stride`` pixels; each pixel's value is the mean drop, score(x) - score(x occluded), over
    the positions that covered it. Forward passes only: (number of positions) per image.

    Returns:
        (n, h, w) float32 in score units; positive where hiding the pixels lowers the score.
    """
    x = _check_images(images, model)
    h, w = x.shape[1:3]
    if not (1 <= patch <= min(h, w)) or stride < 1:
        raise ValueError(
            f"patch must be 1..{min(h, w)} pixels and stride at least 1; got patch {patch}, "
            f"stride {stride}"
        )
    t = _check_targets(targets, len(x), _num_classes(model))
    rows = sorted(set(range(0, h - patch + 1, stride)) | {h - patch})
    cols = sorted(set(range(0, w - patch + 1, stride)) | {w - patch})
    corners = [(r, c) for r in rows for c in cols]
    out = np.zeros(x.shape[:3], np.float32)
    with _without_softmax(model, logits):
        for i in range(len(x)):
            hidden = np.repeat(x[i : i + 1], len(corners) + 1, axis=0)  # first: unhidden
            for k, (r, c) in enumerate(corners, start=1):
                hidden[k, r : r + patch, c : c + patch] = fill
            scores = np.concatenate(
                [
                    ops.convert_to_numpy(
                        _target_score(model, np.full(p.stop - p.start, t[i]))(hidden[p])
                    )
                    for p in _batches(len(hidden), batch_size)
                ]
            )
            drops = scores[0] - scores[1:]
            total = np.zeros((h, w), np.float32)
            count = np.zeros((h, w), np.float32)
            for (r, c), drop in zip(corners, drops):
                total[r : r + patch, c : c + patch] += drop
                count[r : r + patch, c : c + patch] += 1
            out[i] = total / count
    return out


# ---------------------------------------------------------------- sanity checks, helpers
def randomize_layers(
    model: keras.Model, layer_names: Sequence[str], *, seed: int = 0
) -> keras.Model:
    """A copy of ``model`` whose named layers get fresh random weights (their initialisers).

    The sanity check of Adebayo et al. (2018) randomises from the top (the head) down,
    one more layer each step (cascading); pass the names of the layers to randomise.
    The original model is not changed.
    """
    names = _layer_names(model)
    unknown = [n for n in layer_names if n not in names]
    if unknown:
        raise ValueError(f"no layer(s) named {unknown} in {model.name!r}; its layers are {names}")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    keras.utils.set_random_seed(seed)
    for name in layer_names:
        layer = copy.get_layer(name)
        if not layer.weights:
            raise ValueError(f"layer {name!r} has no weights to randomise")
        for attr in ("kernel", "bias"):
            var = getattr(layer, attr, None)
            init = getattr(layer, f"{attr}_initializer", None)
            if var is not None and init is not None:
                var.assign(init(var.shape, dtype=var.dtype))
    return copy


def weighted_layers(model: keras.Model) -> list[str]:
    """Names of the layers that hold weights, from the input to the output."""
    return [layer.name for layer in model.layers if layer.weights]


def rank_similarity(maps_a: Any, maps_b: Any) -> np.ndarray:
    """Spearman rank correlation between two batches of maps, one value per image (n,).

    Maps are (n, h, w) or (n, h, w, c); compared as given (take ``abs`` first to ignore
    signs). A constant map has no ranks: its correlation is reported as 0.
    """
    from scipy.stats import spearmanr

    a = np.asarray(maps_a, np.float64)
    b = np.asarray(maps_b, np.float64)
    if a.shape != b.shape or a.ndim < 3:
        raise ValueError(
            f"need two batches of maps of one shape (n, h, w[, c]); got {a.shape} and {b.shape}"
        )
    out = np.zeros(len(a))
    for i in range(len(a)):
        u, v = a[i].ravel(), b[i].ravel()
        if np.ptp(u) > 0 and np.ptp(v) > 0:
            out[i] = spearmanr(u, v).statistic
    return out


def region_share(maps: Any, region: Any) -> np.ndarray:
    """Share of each map's total |value| that falls inside ``region``, one value per map (n,).

    Args:
        maps: (n, h, w) attributions (any sign; absolute values are used).
        region: (h, w) or (n, h, w) booleans, True inside the region.
    """
    m = np.abs(np.asarray(maps, np.float64))
    if m.ndim != 3:
        raise ValueError(f"maps must be (n, height, width); got shape {m.shape}")
    r = np.broadcast_to(np.asarray(region, bool), m.shape)
    total = m.sum(axis=(1, 2))
    inside = (m * r).sum(axis=(1, 2))
    return np.where(total > 0, inside / np.maximum(total, 1e-30), 0.0)
