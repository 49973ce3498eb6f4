"""Pen-stroke glyphs: a generated classification task with hundreds of classes, the source
task of the course's pretrained backbone (``datasets/pretrain_backbone.py``). Each class is a
random stroke path; each image a jittered, rotated, thickened drawing of it. Introduced in
``06_transfer_learning``.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def _glyph_templates(num_classes: int, segments: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Control points (num_classes, 2 * segments + 1, 2) in [0, 1] and segments used."""
    rng = np.random.default_rng(seed)
    points = np.empty((num_classes, 2 * segments + 1, 2))
    points[..., 0] = rng.uniform(0.08, 0.92, points.shape[:2])  # rows: a tall box
    points[..., 1] = rng.uniform(0.2, 0.8, points.shape[:2])  # columns
    return points, rng.integers(2, segments + 1, num_classes)


def _paper_and_ink(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Background and ink colours (n, 3) in [0, 1]: mostly grey, light ink on dark paper,
    one image in five the other way round."""
    back, ink = rng.uniform(0, 0.4, (n, 3)), rng.uniform(0.6, 1.0, (n, 3))
    grey = rng.random(n) < 0.7
    back[grey] = back[grey].mean(1, keepdims=True)
    ink[grey] = ink[grey].mean(1, keepdims=True)
    dark_ink = rng.random(n) < 0.2
    back[dark_ink], ink[dark_ink] = ink[dark_ink].copy(), back[dark_ink].copy()
    return back, ink


def make_glyphs(
    n: int,
    *,
    num_classes: int = 400,
    image_size: int = 16,
    seed: int = 0,
    template_seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` images of random pen-stroke glyphs, the course backbone's source task.

    Each class is a pen path of 2-4 chained quadratic Bezier curves whose control points are
    drawn once (``template_seed``); each image redraws its class's path with jittered
    points, a random rotation, scale, shear and shift, stroke width and blur, on a plain
    background (mostly grey, light on dark or dark on light) with a little noise.

    Args:
        n: number of images.
        num_classes: how many glyph classes (the same ``template_seed`` gives the same ones).
        image_size: height and width in pixels, at least 8.
        seed: the seed of the drawing (which classes, jitter, colours).
        template_seed: the seed of the class templates.

    Returns:
        images (n, image_size, image_size, 3) float32 in [0, 1] and labels (n,) int64 in
        [0, num_classes).
    """
    if n < 0 or num_classes < 1:
        raise ValueError(f"need n >= 0 and num_classes >= 1; got n={n}, num_classes={num_classes}")
    if image_size < 8:
        raise ValueError(f"image_size must be at least 8 pixels; got {image_size}")
    segments = 4
    templates, counts = _glyph_templates(num_classes, segments, template_seed)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, n)
    pts = templates[labels] + rng.normal(0, 0.04, (n, *templates.shape[1:]))
    angle, scale = rng.uniform(-0.25, 0.25, n), rng.uniform(0.85, 1.1, n)
    shear = rng.uniform(-0.25, 0.25, n)
    cos, sin = np.cos(angle) * scale, np.sin(angle) * scale
    affine = np.stack([np.stack([cos, shear - sin], -1), np.stack([sin, cos], -1)], -2)
    shift = rng.uniform(-0.06, 0.06, (n, 1, 2))
    pts = np.einsum("npj,nij->npi", pts - 0.5, affine) + 0.5 + shift
    t = np.linspace(0, 1, 12)[:, None]
    p0, p1, p2 = pts[:, 0:-1:2, None], pts[:, 1::2, None], pts[:, 2::2, None]
    curve = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2  # (n, segments, 12, 2)
    used = np.arange(segments)[None, :] < counts[labels][:, None]
    curve = np.where(used[:, :, None, None], curve, 1e3).reshape(n, -1, 2) * (image_size - 1)
    curve = curve.astype(np.float32)
    rows, cols = np.mgrid[0:image_size, 0:image_size]
    grid = np.stack([rows.ravel(), cols.ravel()], 1).astype(np.float32)
    width = (rng.uniform(1.2, 2.8, n) * image_size / 32).astype(np.float32)
    sigma = rng.uniform(0.3, 1.5, n) * image_size / 32
    back, ink = _paper_and_ink(rng, n)
    noise = rng.uniform(0, 0.04, n)
    images = np.empty((n, image_size, image_size, 3), np.float32)
    for a in range(0, n, 512):
        b = min(a + 512, n)
        diff = grid[None, :, None, :] - curve[a:b, None, :, :]
        dist = np.sqrt(np.einsum("npqk,npqk->npq", diff, diff).min(-1))
        stroke = np.clip(width[a:b, None] - dist + 0.5, 0, 1).reshape(-1, image_size, image_size)
        for j in range(b - a):
            blurred = ndimage.gaussian_filter(stroke[j], sigma[a + j])
            stroke[j] = blurred / max(blurred.max(), 1e-3)
        image = back[a:b, None, None] + (ink - back)[a:b, None, None] * stroke[..., None]
        image = image + rng.normal(0, 1, image.shape) * noise[a:b, None, None, None]
        images[a:b] = np.clip(image, 0, 1)
    return images, labels.astype(np.int64)


def paint_scans(images: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Paint grey scans in the glyphs' colours: ink and paper drawn as :func:`make_glyphs`
    draws them (mostly grey, one in five dark ink on light paper), plus a little noise.

    Notebook 06 uses it to show digit scans as a camera would see them on paper and ink of
    any colour: variation the glyph backbone met in pretraining.

    Args:
        images: (n, h, w) or (n, h, w, 1) float in [0, 1], ink bright (1) on dark paper (0).
        seed: the seed of the colours and noise.

    Returns:
        (n, h, w, 3) float32 in [0, 1].
    """
    grey = np.asarray(images, dtype=np.float32)
    if grey.ndim == 4 and grey.shape[-1] == 1:
        grey = grey[..., 0]
    if grey.ndim != 3:
        raise ValueError(f"expected grey images (n, h, w) or (n, h, w, 1); got {images.shape}")
    if grey.size and (grey.min() < 0 or grey.max() > 1):
        raise ValueError("grey images must lie in [0, 1]; divide by 255 (or the maximum) first")
    rng = np.random.default_rng(seed)
    back, ink = _paper_and_ink(rng, len(grey))
    noise = rng.uniform(0, 0.04, len(grey))
    painted = back[:, None, None] + (ink - back)[:, None, None] * grey[..., None]
    painted = painted + rng.normal(0, 1, painted.shape) * noise[:, None, None, None]
    return np.clip(painted, 0, 1).astype(np.float32)
