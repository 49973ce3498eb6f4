"""Figures of ``02_cnn_basics``: the sliding window, panels, receptive fields, strongest
patches and layer maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from imgcourse.viz.core import _as_displayable


def _annotate(ax: plt.Axes, values: np.ndarray, fmt: str = "{:g}", size: float = 8) -> None:
    """Write each value of a small 2-D array on its cell, black or white for contrast."""
    image = ax.images[-1]
    for (i, j), value in np.ndenumerate(values):
        r, g, b, _ = image.cmap(image.norm(value))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(
            j,
            i,
            fmt.format(value + 0.0),
            ha="center",
            va="center",
            fontsize=size,
            color="white" if dark else "black",
        )


def _box(ax: plt.Axes, row: float, col: float, size: int, color: str = "crimson") -> None:
    """Outline the size x size block of pixels whose top-left pixel is (row, col)."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - 0.5, row - 0.5), size, size, fill=False, lw=2, edgecolor=color))


def show_convolution_step(image: np.ndarray, kernel: np.ndarray, row: int, col: int) -> plt.Figure:
    """One step of a 'valid' convolution (cross-correlation): where output pixel (row, col)
    comes from. Introduced in ``02_cnn_basics``.

    Four numbered panels: the image with the kernel's window outlined, the kernel, the
    products window * kernel (their sum is the output pixel), and the whole output with
    that pixel outlined. Every value is written on its cell, so keep arrays small (<= 10x10).

    Args:
        image: (height, width) grey values.
        kernel: (k, k) weights, k odd or even, no larger than the image.
        row, col: the output pixel, 0 <= row <= height - k, 0 <= col <= width - k.
    """
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    if image.ndim != 2 or kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1]:
        raise ValueError(
            "image must be (height, width) and kernel (k, k); got shapes "
            f"{image.shape} and {kernel.shape}"
        )
    k = kernel.shape[0]
    out_h, out_w = image.shape[0] - k + 1, image.shape[1] - k + 1
    if out_h < 1 or out_w < 1 or not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(
            f"output pixel ({row}, {col}) does not exist: a {k}x{k} kernel on a "
            f"{image.shape[0]}x{image.shape[1]} image gives a {out_h}x{out_w} output"
        )
    products = image[row : row + k, col : col + k] * kernel
    output = np.array(
        [[np.sum(image[i : i + k, j : j + k] * kernel) for j in range(out_w)] for i in range(out_h)]
    )
    widths = [image.shape[1], k, k, out_w]
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.0), gridspec_kw={"width_ratios": widths})
    lim = max(float(np.abs(kernel).max()), 1e-8)
    plim = max(float(np.abs(products).max()), 1e-8)
    olim = max(float(np.abs(output).max()), 1e-8)
    panels = [
        (image, "gray", None, None, f"1 · image; window at ({row}, {col})"),
        (kernel, "RdBu_r", -lim, lim, "2 · kernel"),
        (products, "RdBu_r", -plim, plim, f"3 · window x kernel\nsum = {products.sum():g}"),
        (output, "RdBu_r", -olim, olim, f"4 · output {out_h}x{out_w};\npixel ({row}, {col})"),
    ]
    for ax, (values, cmap, vmin, vmax, title) in zip(axes, panels):
        ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
        _annotate(ax, values)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    _box(axes[0], row, col, k)
    _box(axes[3], row, col, 1)
    fig.tight_layout()
    return fig


def show_panels(
    panels: list[np.ndarray],
    titles: list[str],
    *,
    cmap: str = "viridis",
    symmetric: bool = False,
    colorbar: bool = True,
    suptitle: str | None = None,
    cell: float = 2.0,
) -> plt.Figure:
    """Panels side by side: colour images as they are, 2-D maps on ONE shared colour scale.
    Introduced in ``02_cnn_basics``.

    Args:
        panels: (h, w, 3) floats in [0, 1] (drawn as images) or (h, w) maps (drawn with
            ``cmap``; all maps share the smallest and largest value of any of them).
        titles: one per panel.
        symmetric: centre the shared scale on 0 (for weights and signed responses).
        colorbar: one colour bar for the shared scale, right of the panels.
    """
    if not panels or len(titles) != len(panels):
        raise ValueError(
            f"need one title per panel; got {len(panels)} panels and {len(titles)} titles"
        )
    arrays = [np.asarray(p, np.float32) for p in panels]
    for a in arrays:
        if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] == 3)):
            raise ValueError(f"each panel must be (h, w) or (h, w, 3); got shape {a.shape}")
    maps = [a for a in arrays if a.ndim == 2]
    vmin = min((float(m.min()) for m in maps), default=0.0)
    vmax = max((float(m.max()) for m in maps), default=1.0)
    if symmetric:
        vmax = max(abs(vmin), abs(vmax), 1e-8)
        vmin = -vmax
    fig, axes = plt.subplots(
        1, len(arrays), figsize=(cell * len(arrays) + 0.8, cell + 0.4), squeeze=False
    )
    mappable = None
    for ax, a, title in zip(axes[0], arrays, titles):
        if a.ndim == 3:
            ax.imshow(np.clip(a, 0, 1))
        else:
            mappable = ax.imshow(a, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    if colorbar and mappable is not None:
        fig.colorbar(mappable, ax=list(axes[0]), fraction=0.02, pad=0.02)
    return fig


def show_receptive_fields(
    image: np.ndarray, fields: dict[str, int], centre: tuple[int, int] | None = None
) -> plt.Figure:
    """Squares of the given sizes centred on one pixel: what a unit of each layer sees.
    Introduced in ``02_cnn_basics``.

    Args:
        image: (h, w, 3) floats in [0, 1] or (h, w) grey.
        fields: layer name -> receptive-field size in input pixels (one side of the square).
        centre: (row, col) of the pixel the fields are centred on; default the image centre.
    """
    shown, cmap = _as_displayable(image)
    height, width = shown.shape[:2]
    row, col = centre if centre is not None else (height // 2, width // 2)
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"centre {(row, col)} is outside the {height}x{width} image")
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    ax.imshow(shown, cmap=cmap, vmin=0, vmax=1)
    colours = plt.get_cmap("autumn")(np.linspace(0, 0.9, max(len(fields), 1)))
    for (name, size), colour in zip(fields.items(), colours):
        start = (row - (size - 1) / 2 - 0.5, col - (size - 1) / 2 - 0.5)
        ax.add_patch(
            Rectangle(
                (start[1], start[0]),
                size,
                size,
                fill=False,
                lw=2,
                edgecolor=colour,
                label=f"{name}: {size}x{size}",
            )
        )
    ax.plot(col, row, "+", color="white", markersize=8)
    ax.set_xlim(
        min(-0.5, col - max(fields.values(), default=1) / 2 - 1),
        max(width - 0.5, col + max(fields.values(), default=1) / 2 + 1),
    )
    ax.set_ylim(
        max(height - 0.5, row + max(fields.values(), default=1) / 2 + 1),
        min(-0.5, row - max(fields.values(), default=1) / 2 - 1),
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    return fig


def strongest_patches(
    images: np.ndarray, responses: np.ndarray, *, top: int = 40, radius: int = 3
) -> np.ndarray:
    """For each channel of ``responses``, the image patches around its ``top`` strongest
    values, averaged: what that filter answers to. Introduced in ``02_cnn_basics``.

    Args:
        images: (n, h, w, c) inputs of the layer.
        responses: (n, h, w, filters) its outputs at the same resolution ('same' padding).
        top: how many of the strongest positions to average.
        radius: patches are (2 * radius + 1) pixels on a side, centred on each position
            (the image is padded by repeating its edge pixels).

    Returns:
        (filters, 2 * radius + 1, 2 * radius + 1, c) averaged patches.
    """
    images, responses = np.asarray(images), np.asarray(responses)
    if images.ndim != 4 or responses.ndim != 4 or images.shape[:3] != responses.shape[:3]:
        raise ValueError(
            "images (n, h, w, c) and responses (n, h, w, filters) must share n, h and w; got "
            f"{images.shape} and {responses.shape}"
        )
    if not 1 <= top <= responses[..., 0].size:
        raise ValueError(f"top must be between 1 and {responses[..., 0].size}; got {top}")
    r = radius
    padded = np.pad(images, ((0, 0), (r, r), (r, r), (0, 0)), mode="edge")
    averages = []
    for f in range(responses.shape[-1]):
        flat = responses[..., f].ravel()
        strongest = np.argpartition(flat, flat.size - top)[flat.size - top :]
        strongest = strongest[np.argsort(flat[strongest])[::-1]]  # strongest first
        where = zip(*np.unravel_index(strongest, responses.shape[:3]))  # (image, row, col)
        patches = [padded[n, y : y + 2 * r + 1, x : x + 2 * r + 1] for n, y, x in where]
        averages.append(np.mean(patches, axis=0))
    return np.stack(averages)


def show_kernels_and_patches(
    kernels: np.ndarray, patches: np.ndarray, *, window: int = 3, ncols: int = 8
) -> plt.Figure:
    """Numbered first-layer kernels, each above the patch it answers to most, with the
    window x window pixels the kernel itself sees outlined in the patch's centre.
    Introduced in ``02_cnn_basics``.

    Args:
        kernels: (kh, kw, 3, filters) weights; each kernel is rescaled to [0, 1] on its own
            (its most negative weight black, its most positive white).
        patches: (filters, p, p, 3) patches, such as :func:`strongest_patches` returns.
    """
    if kernels.ndim != 4 or kernels.shape[2] != 3 or patches.ndim != 4:
        raise ValueError(
            "expected kernels (kh, kw, 3, filters) and patches (filters, p, p, 3); got "
            f"{kernels.shape} and {patches.shape}"
        )
    n = kernels.shape[-1]
    if len(patches) != n:
        raise ValueError(f"{n} kernels but {len(patches)} patches: give one patch per kernel")
    ncols = max(1, min(ncols, n))
    blocks = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        2 * blocks, ncols, figsize=(1.25 * ncols, 2.5 * blocks + 0.4), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    start = (patches.shape[1] - window) // 2
    for i in range(n):
        top, bottom = axes[2 * (i // ncols), i % ncols], axes[2 * (i // ncols) + 1, i % ncols]
        k = kernels[..., i]
        top.imshow((k - k.min()) / max(float(k.max() - k.min()), 1e-8), interpolation="nearest")
        top.set_title(f"kernel {i + 1}", fontsize=8)
        bottom.imshow(np.clip(patches[i], 0, 1), interpolation="nearest")
        _box(bottom, start, start, window, color="white")
        bottom.set_title(f"patch {i + 1}", fontsize=8)
    fig.tight_layout()
    return fig


def show_layer_maps(
    image: np.ndarray,
    maps_by_layer: dict[str, np.ndarray],
    *,
    channels: int = 8,
    cmap: str = "viridis",
) -> plt.Figure:
    """One row per layer: the image, then that layer's most varied feature maps, all maps
    of a row on one shared colour scale with its colour bar. Introduced in ``02_cnn_basics``.

    Args:
        image: (h, w, 3) floats in [0, 1], the input the maps come from.
        maps_by_layer: layer name -> (h', w', c) activations of that one image.
        channels: how many maps per row: those with the largest spread over the image.
    """
    if not maps_by_layer:
        raise ValueError("maps_by_layer is empty: give at least one layer's maps")
    for name, maps in maps_by_layer.items():
        if np.ndim(maps) != 3:
            raise ValueError(
                f"maps of {name!r} must be (height, width, channels) for one "
                f"image; got shape {np.shape(maps)}"
            )
    rows = len(maps_by_layer)
    fig, axes = plt.subplots(
        rows, channels + 1, figsize=(1.25 * (channels + 1) + 0.9, 1.45 * rows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for row, (name, maps) in enumerate(maps_by_layer.items()):
        maps = np.asarray(maps, np.float32)
        chosen = np.argsort(maps.std(axis=(0, 1)))[::-1][:channels]
        vmin, vmax = float(maps[..., chosen].min()), float(maps[..., chosen].max())
        axes[row, 0].imshow(np.clip(image, 0, 1))
        h, w, c = maps.shape
        axes[row, 0].set_title(f"{name}: {h}x{w}x{c}", fontsize=8, loc="left")
        mappable = None
        for col, channel in enumerate(chosen, start=1):
            mappable = axes[row, col].imshow(
                maps[..., channel], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest"
            )
            axes[row, col].set_title(f"channel {channel + 1}", fontsize=7)
        fig.colorbar(mappable, ax=list(axes[row, 1:]), fraction=0.015, pad=0.01)
    return fig
