"""Figures of ``10_segmentation``: mask overlays (detection figures are in ``viz.detection``)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

#: Colours of mask classes 1, 2, ... in overlays (class 0, the background, is left clear).
MASK_COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#ff7f00", "#984ea3", "#ffff33", "#a65628")


def overlay_mask(
    image: np.ndarray, mask: np.ndarray, *, alpha: float = 0.5, grey: bool = True
) -> np.ndarray:
    """Blend class colours over an image: (h, w, 3) or (h, w) image, (h, w) int mask -> RGB.

    Class 0 (background) keeps the image; class k >= 1 is mixed with ``MASK_COLOURS[k-1]``
    at opacity ``alpha`` (0: image only, 1: colour only). With ``grey`` the image is first
    turned to grey (the mean of its channels), so that the class colours cannot be confused
    with the image's own colours. Introduced in ``10_segmentation``.
    """
    from matplotlib.colors import to_rgb

    img = np.asarray(image, np.float32)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 3 and grey:
        img = img.mean(axis=-1)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    mask = np.asarray(mask)
    if img.shape[:2] != mask.shape:
        raise ValueError(f"image is {img.shape[:2]} but mask is {mask.shape}; they must match")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1]; got {alpha}")
    if mask.size and mask.max() > len(MASK_COLOURS):
        raise ValueError(
            f"mask holds class {mask.max()}; overlays colour classes 1 to {len(MASK_COLOURS)}"
        )
    palette = np.array([(0.0, 0.0, 0.0)] + [to_rgb(c) for c in MASK_COLOURS], np.float32)
    colour = palette[mask]
    weight = np.where(mask > 0, alpha, 0.0)[..., None].astype(np.float32)
    return np.clip(img, 0, 1) * (1 - weight) + colour * weight


def show_mask_overlays(
    images: np.ndarray,
    rows: dict,
    *,
    class_names: Sequence[str] | None = None,
    alpha: float = 0.5,
    titles: Sequence[str] | None = None,
    cell: float = 1.5,
) -> plt.Figure:
    """A grid: the images in the first row, then one row of overlays per entry of ``rows``.

    Args:
        images: (n, h, w, c) floats in [0, 1].
        rows: row label -> (n, h, w) int masks (for example ``{"truth": y, "predicted": p}``).
        class_names: names of classes 0, 1, ...; classes 1+ get a legend.
        alpha: opacity of the class colours.
        titles: one title per column (for example a score per image).

    Introduced in ``10_segmentation``.
    """
    from matplotlib.patches import Patch

    images = np.asarray(images)
    n = len(images)
    for label, masks in rows.items():
        if np.shape(masks)[:3] != (n, *images.shape[1:3]):
            raise ValueError(
                f"row {label!r} has masks of shape {np.shape(masks)}; expected "
                f"({n}, {images.shape[1]}, {images.shape[2]})"
            )
    fig, axes = plt.subplots(
        1 + len(rows), n, figsize=(cell * n + 0.6, cell * (1 + len(rows))), squeeze=False
    )
    for c in range(n):
        img = np.clip(images[c], 0, 1)
        axes[0, c].imshow(
            img[..., 0] if img.shape[-1] == 1 else img, cmap="gray" if img.shape[-1] == 1 else None
        )
        if titles is not None:
            axes[0, c].set_title(titles[c], fontsize=8)
        for r, masks in enumerate(rows.values(), start=1):
            axes[r, c].imshow(overlay_mask(images[c], np.asarray(masks[c]), alpha=alpha))
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for r, label in enumerate(["image", *rows]):
        axes[r, 0].set_ylabel(label, fontsize=9)
    if class_names is not None and len(class_names) > 1:
        handles = [
            Patch(color=MASK_COLOURS[k - 1], label=class_names[k])
            for k in range(1, len(class_names))
        ]
        fig.legend(
            handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False
        )
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    else:
        fig.tight_layout()
    return fig
