"""Procedural scenes of coloured shapes: one seeded source for many lessons.

Each scene has a class label (its largest shape), boxes, a segmentation mask, a caption and a
group attribute (the background style), so the same generator serves classification (02),
detection (09), segmentation (10), captioning (14) and fairness (07). Introduced in
``00_welcome``.
"""

from __future__ import annotations

import numpy as np
from skimage import draw

from imgcourse.data.dataset import ImageSet

SHAPE_NAMES = ("circle", "square", "triangle", "cross", "star")
COLOURS = {
    "red": (0.85, 0.15, 0.15),
    "green": (0.15, 0.70, 0.20),
    "blue": (0.15, 0.30, 0.90),
    "yellow": (0.95, 0.85, 0.10),
    "purple": (0.60, 0.20, 0.75),
    "white": (0.95, 0.95, 0.95),
}
#: Background styles; the style index is the scene's ``group``.
GROUP_NAMES = ("plain", "textured")


def _polygon(cy: float, cx: float, r: float, shape: str, angle: float) -> np.ndarray:
    """Vertices (k, 2) as (row, col) of a shape centred at (cy, cx) with radius r pixels."""
    if shape == "square":
        t = angle + np.pi / 4 + np.arange(4) * np.pi / 2
        rad = np.full(4, r)
    elif shape == "triangle":
        t = angle - np.pi / 2 + np.arange(3) * 2 * np.pi / 3
        rad = np.full(3, r * 1.15)
    elif shape == "star":
        t = angle - np.pi / 2 + np.arange(10) * np.pi / 5
        rad = np.where(np.arange(10) % 2 == 0, r * 1.15, r * 0.45)
    elif shape == "cross":
        w = 0.36
        base = (
            np.array(
                [
                    [-w, -1],
                    [w, -1],
                    [w, -w],
                    [1, -w],
                    [1, w],
                    [w, w],
                    [w, 1],
                    [-w, 1],
                    [-w, w],
                    [-1, w],
                    [-1, -w],
                    [-w, -w],
                ]
            )
            * r
        )
        c, s = np.cos(angle), np.sin(angle)
        rot = base @ np.array([[c, -s], [s, c]]).T
        return rot + np.array([cy, cx])
    else:
        raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPE_NAMES}")
    return np.stack([cy + rad * np.sin(t), cx + rad * np.cos(t)], axis=1)


def _shape_pixels(cy: float, cx: float, r: float, shape: str, angle: float, size: int):
    if shape == "circle":
        return draw.disk((cy, cx), r, shape=(size, size))
    poly = _polygon(cy, cx, r, shape, angle)
    return draw.polygon(poly[:, 0], poly[:, 1], shape=(size, size))


def _background(rng: np.random.Generator, size: int, group: int, difficulty: float) -> np.ndarray:
    """A (size, size, 3) background: a soft gradient (group 0) or a texture (group 1)."""
    base = rng.uniform(0.25, 0.75, 3)
    yy, xx = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    direction = rng.uniform(-1, 1, 2)
    gradient = (direction[0] * yy + direction[1] * xx)[..., None] * 0.25
    img = base + gradient * rng.uniform(-1, 1, 3)
    if group == 1:
        period = rng.uniform(3, 7)
        theta = rng.uniform(0, np.pi)
        stripes = np.sin((np.cos(theta) * yy + np.sin(theta) * xx) * size * 2 * np.pi / period)
        strength = 0.10 + 0.20 * difficulty
        img = img + strength * stripes[..., None] * rng.uniform(0.5, 1.0, 3)
        img = img + rng.normal(0, 0.04 + 0.06 * difficulty, (size, size, 1))
    return img


def _caption(objects: list[tuple[str, str, str]], group: int) -> str:
    parts = [f"a {size} {colour} {shape}" for size, colour, shape in objects]
    scene = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{scene} on a {GROUP_NAMES[group]} background"


def make_shapes(
    n: int = 1000,
    *,
    image_size: int = 32,
    classes: tuple[str, ...] = ("circle", "square", "triangle"),
    max_shapes: int = 1,
    difficulty: float = 0.3,
    textured_fraction: float = 0.5,
    seed: int = 0,
) -> ImageSet:
    """Generate ``n`` scenes of coloured shapes on plain or textured backgrounds.

    Args:
        n: number of images.
        image_size: height and width in pixels.
        classes: which shapes appear, a subset of ``SHAPE_NAMES``; the label is the index of
            the scene's largest shape in this tuple.
        max_shapes: 1 for classification; more gives scenes of 1..max_shapes shapes.
        difficulty: 0 (big, centred, clean) to 1 (small, anywhere, rotated, noisy).
        textured_fraction: share of scenes with a textured background (group 1); lower it to
            make that group under-represented.
        seed: the same seed gives the same scenes.

    Returns:
        An :class:`ImageSet` with images (n, image_size, image_size, 3) float32 in [0, 1],
        labels (n,), and extras: ``groups`` (n,) int (0 plain, 1 textured), ``masks``
        (n, image_size, image_size) int (0 background, k+1 for class k), ``boxes`` (a list of
        (k, 4) float32 arrays of (ymin, xmin, ymax, xmax) in pixels), ``box_labels`` (a list of
        (k,) int arrays) and ``captions`` (a list of str).

    Example:
        >>> data = make_shapes(200, image_size=32, seed=1)
        >>> data.images.shape
        (200, 32, 32, 3)
    """
    if n < 0:
        raise ValueError(f"n must be a number of images, 0 or more; got {n}")
    if not classes:
        raise ValueError(f"classes must name at least one shape from {SHAPE_NAMES}; got ()")
    unknown = [c for c in classes if c not in SHAPE_NAMES]
    if unknown:
        raise ValueError(f"unknown shape(s) {unknown} in classes; choose from {SHAPE_NAMES}")
    if not 0.0 <= textured_fraction <= 1.0:
        raise ValueError(f"textured_fraction must be in [0, 1]; got {textured_fraction}")
    if image_size < 16:
        raise ValueError(f"image_size must be at least 16 pixels; got {image_size}")
    if not 0.0 <= difficulty <= 1.0:
        raise ValueError(f"difficulty must be in [0, 1]; got {difficulty}")
    if max_shapes < 1:
        raise ValueError(f"max_shapes must be at least 1; got {max_shapes}")
    rng = np.random.default_rng(seed)
    colour_names = list(COLOURS)
    images = np.empty((n, image_size, image_size, 3), np.float32)
    masks = np.zeros((n, image_size, image_size), np.int32)
    labels = np.empty(n, np.int64)
    groups = (rng.random(n) < textured_fraction).astype(np.int64)
    boxes, box_labels, captions = [], [], []
    for i in range(n):
        img = _background(rng, image_size, int(groups[i]), difficulty)
        count = int(rng.integers(1, max_shapes + 1))
        radii = np.sort(rng.uniform(0.14, 0.30 - 0.08 * difficulty, count) * image_size)[::-1]
        objects, obj_boxes, obj_labels = [], [], []
        for r in radii:
            k = int(rng.integers(len(classes)))
            margin = r + 1
            spread = 0.15 + 0.85 * difficulty if count == 1 else 1.0
            lo = image_size / 2 - (image_size / 2 - margin) * spread
            hi = image_size / 2 + (image_size / 2 - margin) * spread
            angle = rng.uniform(-1, 1) * np.pi * difficulty
            colour = colour_names[int(rng.integers(len(colour_names)))]
            for _attempt in range(20):  # shapes in one scene do not overlap
                cy, cx = rng.uniform(lo, hi, 2)
                rr, cc = _shape_pixels(cy, cx, r, classes[k], angle, image_size)
                if len(rr) and not masks[i][rr, cc].any():
                    break
            else:
                continue
            img[rr, cc] = COLOURS[colour]
            masks[i][rr, cc] = k + 1
            obj_boxes.append([rr.min(), cc.min(), rr.max() + 1, cc.max() + 1])
            obj_labels.append(k)
            size_word = "large" if r > 0.2 * image_size else "small"
            objects.append((size_word, colour, classes[k]))
        labels[i] = obj_labels[0]
        noise = rng.normal(0, 0.01 + 0.04 * difficulty, img.shape)
        images[i] = np.clip(img + noise, 0.0, 1.0)
        boxes.append(np.asarray(obj_boxes, np.float32).reshape(-1, 4))
        box_labels.append(np.asarray(obj_labels, np.int64))
        captions.append(_caption(objects, int(groups[i])))
    return ImageSet(
        images=images,
        labels=labels,
        class_names=list(classes),
        name=f"shapes ({image_size}x{image_size}, difficulty {difficulty:g})",
        extras={
            "groups": groups,
            "masks": masks,
            "boxes": boxes,
            "box_labels": box_labels,
            "captions": captions,
        },
    )
