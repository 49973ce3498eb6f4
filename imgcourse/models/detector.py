"""A one-stage, centre-heatmap object detector (CenterNet-like), introduced in
``09_object_detection``.

The network maps an image (batch, H, W, 3) to a grid (batch, H/s, W/s, C + 4), s the stride
(2 ** number of pooling blocks). Per grid cell it predicts:

- channels ``0..C-1``: one logit per class for "an object of this class is centred here"
  (the **heatmap**; a sigmoid turns it into a score);
- channels ``C, C+1``: the box's height and width, in grid cells;
- channels ``C+2, C+3``: where in the cell the centre lies (row and column offset in [0, 1)).

:func:`encode_targets` turns boxes into the training target (batch, H/s, W/s, C + 5): a
Gaussian bump per object on its class's heatmap, its size and offset at its centre cell, and a
last channel that is 1 at object centres. :func:`detector_loss` is the focal loss on the
heatmap plus an L1 loss on size and offset at the centres; :func:`decode_predictions` reads
boxes back and :func:`non_max_suppression` removes duplicates. Boxes are
``(ymin, xmin, ymax, xmax)`` in pixels, as ``make_shapes`` and ``imgcourse.metrics`` use.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers, ops

from imgcourse.models import register_model

#: Weight of the L1 size term in :func:`detector_loss` (CenterNet uses 0.1 with pixel sizes).
SIZE_WEIGHT = 0.1
#: Weight of the L1 offset term in :func:`detector_loss`.
OFFSET_WEIGHT = 1.0


@register_model("centre_detector", input_shape=(48, 48, 3), num_classes=3)
def centre_detector(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    filters: Sequence[int] = (16, 32, 48),
    batch_norm: bool = False,
    head_convs: int = 0,
    name: str = "centre_detector",
) -> keras.Model:
    """Build a small centre-heatmap detector.

    A backbone of 3x3 ReLU convolutions (``conv1a`` at full resolution, then ``conv{i}a``
    and ``conv{i}b`` for each later block) with a 2x2 max pooling between blocks
    (``pool{i}``), so the stride is ``2 ** (len(filters) - 1)``; a dilated 3x3 convolution
    (``features``) widens the view of each cell; a 1x1 convolution (``head``, float32) gives
    ``num_classes + 4`` numbers per cell (see the module docstring).

    ``batch_norm`` adds a batch normalisation before the ReLU of every backbone convolution
    after ``conv1a`` (``bn{i}a``, ``bn{i}b``; at full resolution it would cost the most time),
    and ``head_convs`` adds that many 3x3 ReLU convolutions (``head_conv1``, ...) between
    ``features`` and ``head``, so each cell's class is decided from a wider view. Both off
    keep the original network; ``09_object_detection`` turns both on (its classes need them).

    Args:
        input_shape: (height, width, channels), float32 in [0, 1]; height and width divisible
            by the stride.
        num_classes: number of object classes (at least 1).
        filters: channels of each block.
        batch_norm: batch normalisation in the backbone (not at full resolution).
        head_convs: extra 3x3 convolutions of ``filters[-1]`` channels before the head.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` from (batch, H, W, channels) to
        (batch, H / stride, W / stride, num_classes + 4).
    """
    shape = tuple(int(s) for s in input_shape)
    filters = tuple(int(f) for f in filters)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (height, width, channels); got {input_shape}")
    if not filters or min(filters) < 1:
        raise ValueError(f"filters must be one or more positive channel counts; got {filters}")
    if int(num_classes) < 1:
        raise ValueError(f"num_classes must be at least 1; got {num_classes}")
    if int(head_convs) < 0:
        raise ValueError(f"head_convs must be 0 or more; got {head_convs}")
    stride = 2 ** (len(filters) - 1)
    if shape[0] % stride or shape[1] % stride:
        raise ValueError(
            f"a {shape[0]}x{shape[1]} image does not divide into a grid of stride {stride}; "
            f"use a height and width divisible by {stride}, or fewer filters"
        )
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        if i > 1:
            x = layers.MaxPooling2D(2, name=f"pool{i - 1}")(x)
        for part in ("a", "b") if i > 1 else ("a",):  # at full resolution, one (the costliest)
            x = _conv(x, f, f"{i}{part}", batch_norm=batch_norm and i > 1)
    x = layers.Conv2D(
        filters[-1], 3, padding="same", dilation_rate=2, activation="relu", name="features"
    )(x)
    for j in range(1, int(head_convs) + 1):
        x = layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name=f"head_conv{j}")(
            x
        )
    outputs = layers.Conv2D(
        int(num_classes) + 4,
        1,
        dtype="float32",
        bias_initializer=_HeadBias(int(num_classes)),
        name="head",
    )(x)
    return keras.Model(inputs, outputs, name=name)


def _conv(x, filters: int, suffix: str, *, batch_norm: bool):
    """3x3 convolution ``conv{suffix}`` and ReLU, with ``bn{suffix}`` between them if asked."""
    if not batch_norm:
        return layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{suffix}")(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{suffix}")(x)
    x = layers.BatchNormalization(name=f"bn{suffix}")(x)
    return layers.ReLU(name=f"relu{suffix}")(x)


class _HeadBias(keras.initializers.Initializer):
    """Heatmap logits start at -2.19 (a score of 0.1), as in CenterNet; the rest at 0."""

    def __init__(self, num_classes: int):
        self.num_classes = num_classes

    def __call__(self, shape, dtype=None):
        bias = np.zeros(shape, np.float32)
        bias[: self.num_classes] = -2.19
        return ops.convert_to_tensor(bias, dtype=dtype)

    def get_config(self):
        return {"num_classes": self.num_classes}


def encode_targets(
    boxes: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    *,
    image_size: int,
    stride: int,
    num_classes: int,
) -> np.ndarray:
    """Training targets for :func:`centre_detector`.

    Args:
        boxes: one (k, 4) array per image, ``(ymin, xmin, ymax, xmax)`` in pixels.
        labels: one (k,) int array per image, class indices.
        image_size: height (= width) of the images in pixels.
        stride: pixels per grid cell.
        num_classes: number of classes.

    Returns:
        (n, G, G, num_classes + 5) float32, G = image_size // stride: heatmaps (a Gaussian of
        peak 1 at each centre, spread by the object's size), height and width in cells, row
        and column offset of the centre in its cell, and a 0/1 channel marking centres.
    """
    if len(boxes) != len(labels):
        raise ValueError(f"got {len(boxes)} box arrays but {len(labels)} label arrays")
    if image_size % stride:
        raise ValueError(f"image_size {image_size} is not divisible by the stride {stride}")
    g = image_size // stride
    out = np.zeros((len(boxes), g, g, num_classes + 5), np.float32)
    centres = (np.arange(g) + 0.5)[:, None]  # cell centres, in cells
    for i, (b, k) in enumerate(zip(boxes, labels)):
        b = np.asarray(b, np.float64).reshape(-1, 4) / stride
        k = np.asarray(k, np.int64).reshape(-1)
        if k.size and (k.min() < 0 or k.max() >= num_classes):
            raise ValueError(f"image {i}: labels {k.tolist()} outside 0..{num_classes - 1}")
        cy, cx = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        h, w = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
        row = np.clip(cy.astype(int), 0, g - 1)
        col = np.clip(cx.astype(int), 0, g - 1)
        sigma = np.maximum(np.sqrt(h * w) / 6, 0.5)
        # (k, G) along rows and columns, peak 1 at the centre cell of each object
        gy = np.exp(-((centres.T - (row[:, None] + 0.5)) ** 2) / (2 * sigma[:, None] ** 2))
        gx = np.exp(-((centres.T - (col[:, None] + 0.5)) ** 2) / (2 * sigma[:, None] ** 2))
        bumps = gy[:, :, None] * gx[:, None, :]  # (k, G, G)
        for j in range(len(k)):
            out[i, :, :, k[j]] = np.maximum(out[i, :, :, k[j]], bumps[j])
        out[i, row, col, num_classes : num_classes + 5] = np.stack(
            [h, w, cy - row, cx - col, np.ones_like(h)], axis=1
        )
    return out


def detector_loss(y_true, y_pred):
    """Focal loss on the heatmap plus L1 on size and offset at object centres.

    ``y_true`` is :func:`encode_targets`'s (batch, G, G, C + 5); ``y_pred`` the model's
    (batch, G, G, C + 4). With p the predicted score and y the target heatmap, each cell and
    class adds ``-(1 - p)**2 log p`` where y = 1 (a centre) and ``-(1 - y)**4 p**2 log(1 - p)``
    elsewhere (cells near a centre are punished less); the sum is divided by the number of
    objects, and ``SIZE_WEIGHT`` x L1(size) + ``OFFSET_WEIGHT`` x L1(offset) at centres is added.
    Returns (batch,) losses.
    """
    c = ops.shape(y_pred)[-1] - 4
    heat, reg_true, centre = y_true[..., :c], y_true[..., c:-1], y_true[..., -1]
    p = ops.clip(ops.sigmoid(y_pred[..., :c]), 1e-4, 1 - 1e-4)
    pos = ops.cast(heat >= 1.0 - 1e-6, p.dtype)
    focal = -pos * (1 - p) ** 2 * ops.log(p) - (1 - pos) * (1 - heat) ** 4 * p**2 * ops.log(1 - p)
    n = ops.maximum(ops.sum(centre, axis=(1, 2)), 1.0)
    l1 = ops.abs(y_pred[..., c:] - reg_true) * centre[..., None]
    size = ops.sum(l1[..., :2], axis=(1, 2, 3))
    offset = ops.sum(l1[..., 2:], axis=(1, 2, 3))
    return (ops.sum(focal, axis=(1, 2, 3)) + SIZE_WEIGHT * size + OFFSET_WEIGHT * offset) / n


def decode_predictions(
    outputs, *, stride: int, score_threshold: float = 0.1, peaks_only: bool = True
) -> list[dict[str, np.ndarray]]:
    """Boxes from the model's raw output.

    Args:
        outputs: (n, G, G, C + 4) model outputs (heatmap logits, size, offset).
        stride: pixels per grid cell.
        score_threshold: keep cells whose class score is at least this.
        peaks_only: keep only cells that are the maximum of their 3x3 neighbourhood on their
            class's heatmap (CenterNet's cheap stand-in for NMS); False keeps every cell above
            the threshold, which gives many overlapping boxes per object.

    Returns:
        One dict per image: ``boxes`` (d, 4) float64 ``(ymin, xmin, ymax, xmax)`` pixels,
        ``labels`` (d,) int64, ``scores`` (d,) float64, sorted by score, highest first.
    """
    out = np.asarray(outputs, np.float64)
    if out.ndim != 4 or out.shape[-1] < 5:
        raise ValueError(f"outputs must be (n, G, G, classes + 4); got shape {out.shape}")
    c = out.shape[-1] - 4
    scores = 1 / (1 + np.exp(-out[..., :c]))
    keep = scores >= score_threshold
    if peaks_only:
        padded = np.pad(scores, ((0, 0), (1, 1), (1, 1), (0, 0)), constant_values=-1)
        g0, g1 = scores.shape[1:3]
        windows = [padded[:, i : i + g0, j : j + g1] for i in range(3) for j in range(3)]
        keep &= scores >= np.max(windows, axis=0)
    results = []
    for i in range(len(out)):
        r, q, k = np.nonzero(keep[i])
        h, w, dy, dx = (out[i, r, q, c + j] for j in range(4))
        cy, cx = (r + dy) * stride, (q + dx) * stride
        h, w = np.maximum(h, 0) * stride, np.maximum(w, 0) * stride
        boxes = np.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], axis=1)
        s = scores[i, r, q, k]
        order = np.argsort(-s, kind="stable")
        results.append(
            {"boxes": boxes[order].reshape(-1, 4), "labels": k[order], "scores": s[order]}
        )
    return results


def non_max_suppression(
    boxes, scores, *, iou_threshold: float = 0.5, max_output: int | None = None
) -> np.ndarray:
    """Greedy NMS: indices of the boxes kept, highest score first.

    Walks the boxes from the highest score down and drops any box whose IoU with a box
    already kept is above ``iou_threshold``. Matches ``tf.image.non_max_suppression``.

    Args:
        boxes: (n, 4) ``(ymin, xmin, ymax, xmax)``.
        scores: (n,) scores.
        iou_threshold: boxes overlapping a kept box by more than this are removed.
        max_output: keep at most this many (all by default).

    Returns:
        (m,) int64 indices into ``boxes``.
    """
    from imgcourse.metrics import box_iou

    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    s = np.asarray(scores, np.float64).reshape(-1)
    if len(b) != len(s):
        raise ValueError(f"got {len(b)} boxes but {len(s)} scores; give one score per box")
    order = np.argsort(-s, kind="stable")
    iou = box_iou(b[order], b[order])
    suppressed = np.zeros(len(b), bool)
    kept = []
    limit = len(b) if max_output is None else int(max_output)
    for i in range(len(b)):
        if suppressed[i]:
            continue
        kept.append(order[i])
        if len(kept) >= limit:
            break
        suppressed |= iou[i] > iou_threshold
    return np.asarray(kept, np.int64)


def detect(
    model: keras.Model,
    images: np.ndarray,
    *,
    score_threshold: float = 0.1,
    iou_threshold: float = 0.5,
    batch_size: int = 128,
) -> list[dict[str, np.ndarray]]:
    """Run :func:`centre_detector` on images (n, H, W, 3) and return its detections per image
    (see :func:`decode_predictions`), after class-wise :func:`non_max_suppression`."""
    outputs = model.predict(images, batch_size=batch_size, verbose=0)
    stride = images.shape[1] // outputs.shape[1]
    results = []
    for d in decode_predictions(outputs, stride=stride, score_threshold=score_threshold):
        keep = [
            np.flatnonzero(d["labels"] == k)[
                non_max_suppression(
                    d["boxes"][d["labels"] == k],
                    d["scores"][d["labels"] == k],
                    iou_threshold=iou_threshold,
                )
            ]
            for k in np.unique(d["labels"])
        ]
        idx = np.sort(np.concatenate(keep)) if keep else np.zeros(0, np.int64)
        results.append({key: v[idx] for key, v in d.items()})
    return results
