"""Figures of ``11_autoencoders``: image rows with scores, a rate-distortion plot against
JPEG, and a 2-D map of codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import is_color_like

from imgcourse.viz.core import _as_displayable


def show_image_rows(
    rows: Mapping[str, np.ndarray],
    *,
    scores: Mapping[str, np.ndarray] | None = None,
    titles: Sequence[str] | None = None,
    cell: float = 1.3,
) -> plt.Figure:
    """One row of images per entry of ``rows``, the row's name at its left; with ``scores``,
    each image's score (for example PSNR in dB) as its title.

    Args:
        rows: name -> (n, h, w, c) or (n, h, w) floats in [0, 1]; every row has the same n.
        scores: name -> (n,) numbers, for some or all rows; printed with one decimal.
        titles: n words, one per column, written above the first row's images (before a
            score, if that row has one); for example panel numbers.
        cell: inches per image.

    Introduced in ``11_autoencoders`` (noisy, each denoiser, clean).
    """
    if not rows:
        raise ValueError("rows is empty: give at least one name -> images entry")
    counts = {name: len(images) for name, images in rows.items()}
    if len(set(counts.values())) != 1:
        raise ValueError(f"every row needs the same number of images; got {counts}")
    n = next(iter(counts.values()))
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles needs one entry per column ({n}); got {len(titles)}")
    fig, axes = plt.subplots(
        len(rows), n, figsize=(cell * n + 1.2, cell * len(rows) + 0.2), squeeze=False
    )
    for r, (name, images) in enumerate(rows.items()):
        for i in range(n):
            ax = axes[r, i]
            shown, cmap = _as_displayable(images[i])
            ax.imshow(shown, cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            title = [titles[i]] if titles is not None and r == 0 else []
            if scores is not None and name in scores:
                title.append(f"{float(scores[name][i]):.1f}")
            if title:
                ax.set_title("\n".join(title), fontsize=7, pad=2)
        axes[r, 0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center")
    fig.tight_layout(pad=0.3)
    return fig


def plot_rate_distortion(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]],
    *,
    raw_bytes: float | None = None,
) -> plt.Figure:
    """PSNR (panel 1) and SSIM (panel 2) against bytes per image, one line per codec.

    Args:
        curves: codec name -> (bytes per image, mean PSNR in dB, mean SSIM), each a sequence
            with one value per setting (bottleneck size or JPEG quality).
        raw_bytes: the uncompressed size of one image (8 bits per value), drawn as a
            vertical line.

    Introduced in ``11_autoencoders``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    markers = "osD^v"
    for k, (name, (size, psnr_db, ssim_value)) in enumerate(curves.items()):
        marker = markers[k % len(markers)]
        axes[0].plot(size, psnr_db, marker=marker, label=name)
        axes[1].plot(size, ssim_value, marker=marker, label=name)
    for ax, what in zip(axes, ("1 · PSNR (dB, higher is better)", "2 · SSIM (1 = identical)")):
        ax.set_xscale("log")
        ax.set_xlabel("bytes per image (log scale)")
        ax.set_title(what, fontsize=10)
        ax.grid(alpha=0.3)
        if raw_bytes:
            ax.axvline(raw_bytes, color="grey", linestyle=":", label="uncompressed")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_codes_2d(
    points: np.ndarray,
    colourings: Mapping[str, tuple[np.ndarray, Sequence[str]]],
    *,
    title_prefix: str = "",
) -> plt.Figure:
    """Scatter 2-D points (a PCA or t-SNE of codes) once per colouring, side by side.

    Args:
        points: (n, 2) coordinates.
        colourings: panel title -> ((n,) integer labels, their names); each panel colours
            the same points by one labelling. When every name is a colour ("red", "white"),
            the points are drawn in that colour on a grey ground, otherwise in the tab10
            palette.
        title_prefix: text put before each panel's title.

    Introduced in ``11_autoencoders`` (the latent space).
    """
    pts = np.asarray(points, np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points must be (n, 2); got shape {pts.shape}. Project them first.")
    fig, axes = plt.subplots(
        1, len(colourings), figsize=(4.2 * len(colourings), 3.8), squeeze=False
    )
    cmap = plt.get_cmap("tab10")
    for i, (ax, (title, (labels, names))) in enumerate(zip(axes[0], colourings.items())):
        labels = np.asarray(labels)
        if len(labels) != len(pts):
            raise ValueError(f"{title!r} has {len(labels)} labels for {len(pts)} points")
        # names such as "red" and "white" draw in their colour ("0.5", a grey, does not)
        by_name = all(is_color_like(n) and not n[:1].isdigit() for n in names)
        for k, name in enumerate(names):
            sel = labels == k
            colour = name if by_name else cmap(k % 10)
            ax.scatter(
                pts[sel, 0],
                pts[sel, 1],
                s=9,
                color=colour,
                label=name,
                alpha=0.8,
                edgecolors="0.4",
                linewidths=0.3,
            )
        if by_name:  # a grey ground, so that white and yellow points show
            ax.set_facecolor("0.82")
        ax.set_title(f"{i + 1} · {title_prefix}{title}", fontsize=10)
        ax.set_xlabel("component 1")
        ax.set_ylabel("component 2")
        ax.legend(fontsize=7, markerscale=1.5, loc="best")
    fig.tight_layout()
    return fig
