"""Figures the notebooks share: image grids, training curves, confusion matrices, filters and
feature maps. Every function draws with matplotlib (seaborn for heat maps) and returns the
figure; call ``plt.show()`` in the notebook.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def _grid(n: int, ncols: int, cell: float = 1.6) -> tuple[plt.Figure, np.ndarray]:
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(cell * ncols, cell * nrows + 0.3), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes


def _as_displayable(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        return image[..., 0], "gray"
    if image.ndim == 2:
        return image, "gray"
    return np.clip(image, 0, 1), None


def show_images(
    images: np.ndarray,
    labels: Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    *,
    predictions: Sequence[int] | None = None,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    max_images: int = 32,
    suptitle: str | None = None,
) -> plt.Figure:
    """A grid of images with optional labels; with ``predictions`` wrong ones are titled red.

    Args:
        images: (n, h, w, c) or (n, h, w) floats in [0, 1].
        labels, predictions: (n,) class indices; names come from ``class_names``.
        titles: free-text titles, overriding labels.
    """

    def name(k: int) -> str:
        return class_names[k] if class_names is not None else str(k)

    images = np.asarray(images)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3, 4)):
        raise ValueError(
            "images must be (n, height, width) or (n, height, width, channels) with 1, 3 or 4 "
            f"channels; got shape {images.shape}"
        )
    if len(images) == 0:
        raise ValueError("images is empty: there is nothing to show")
    n = min(len(images), max_images)
    for arg, values in (("labels", labels), ("predictions", predictions), ("titles", titles)):
        if values is not None and len(values) < n:
            raise ValueError(f"{arg} has {len(values)} entries for {n} images shown")
    fig, axes = _grid(n, ncols)
    for i, ax in enumerate(axes.flat[:n]):
        shown, cmap = _as_displayable(images[i])
        ax.imshow(shown, cmap=cmap, vmin=0, vmax=1)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
        elif predictions is not None and labels is not None:
            ok = predictions[i] == labels[i]
            ax.set_title(
                f"{name(predictions[i])}" + ("" if ok else f"\n(true {name(labels[i])})"),
                fontsize=8,
                color="black" if ok else "crimson",
            )
        elif labels is not None:
            ax.set_title(name(labels[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_history(
    history: dict[str, list[float]], metrics: Sequence[str] = ("loss", "accuracy")
) -> plt.Figure:
    """Training and validation curves, one panel per metric, epochs on the x axis."""
    wanted, metrics = list(metrics), [m for m in metrics if m in history]
    if not metrics:
        raise ValueError(
            f"none of the metrics {wanted} is in the history; it has {sorted(history)}. "
            "Pass metrics=(...) naming some of them."
        )
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], "o-", label="training")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_confusion(
    labels: np.ndarray,
    predictions: np.ndarray,
    class_names: Sequence[str],
    *,
    normalize: bool = True,
) -> plt.Figure:
    """A confusion-matrix heat map (rows: true class, columns: predicted class)."""
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(labels, predictions, labels=np.arange(len(class_names)))
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    size = 1.0 + 0.55 * len(class_names)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    sns.heatmap(
        cm,
        annot=True,
        fmt=".2f" if normalize else "d",
        cmap="Blues",
        cbar=False,
        xticklabels=class_names,
        yticklabels=class_names,
        ax=ax,
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    return fig


def show_filters(kernels: np.ndarray, *, ncols: int = 8, title: str | None = None) -> plt.Figure:
    """First-layer convolution kernels as small images.

    Args:
        kernels: (kh, kw, in_channels, filters) weights of a ``Conv2D`` layer. With 3 input
            channels each filter is shown in colour, otherwise the channel mean in grey.
    """
    if kernels.ndim != 4:
        raise ValueError(f"expected Conv2D kernels (kh, kw, in, out); got shape {kernels.shape}")
    n = kernels.shape[-1]
    fig, axes = _grid(n, ncols, cell=1.0)
    for i, ax in enumerate(axes.flat[:n]):
        k = kernels[..., i]
        k = k if k.shape[-1] == 3 else k.mean(axis=-1)
        k = (k - k.min()) / max(float(k.max() - k.min()), 1e-8)
        ax.imshow(k, cmap=None if k.ndim == 3 else "gray", interpolation="nearest")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_feature_maps(
    maps: np.ndarray, *, max_maps: int = 16, ncols: int = 8, title: str | None = None
) -> plt.Figure:
    """The channels of one image's activations.

    Args:
        maps: (h, w, channels) activations of one image (drop the batch axis first).
    """
    if maps.ndim != 3:
        raise ValueError(f"expected (height, width, channels) for one image; got {maps.shape}")
    n = min(maps.shape[-1], max_maps)
    fig, axes = _grid(n, ncols, cell=1.1)
    for i, ax in enumerate(axes.flat[:n]):
        ax.imshow(maps[..., i], cmap="viridis", interpolation="nearest")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- convolution figures of 02_cnn_basics ----------------------------------------------------


def _annotate(ax: plt.Axes, values: np.ndarray, fmt: str = "{:g}", size: float = 8) -> None:
    """Write each value of a small 2-D array on its cell, black or white for contrast."""
    image = ax.images[-1]
    for (i, j), value in np.ndenumerate(values):
        r, g, b, _ = image.cmap(image.norm(value))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, fmt.format(value + 0.0), ha="center", va="center", fontsize=size,
                color="white" if dark else "black")


def _box(ax: plt.Axes, row: float, col: float, size: int, color: str = "crimson") -> None:
    """Outline the size x size block of pixels whose top-left pixel is (row, col)."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - 0.5, row - 0.5), size, size, fill=False, lw=2,
                           edgecolor=color))


def show_convolution_step(
    image: np.ndarray, kernel: np.ndarray, row: int, col: int
) -> plt.Figure:
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
        [[np.sum(image[i : i + k, j : j + k] * kernel) for j in range(out_w)]
         for i in range(out_h)]
    )
    widths = [image.shape[1], k, k, out_w]
    fig, axes = plt.subplots(
        1, 4, figsize=(10, 3.0), gridspec_kw={"width_ratios": widths}
    )
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
    fig, axes = plt.subplots(1, len(arrays), figsize=(cell * len(arrays) + 0.8, cell + 0.4),
                             squeeze=False)
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
        ax.add_patch(Rectangle((start[1], start[0]), size, size, fill=False, lw=2,
                               edgecolor=colour, label=f"{name}: {size}x{size}"))
    ax.plot(col, row, "+", color="white", markersize=8)
    ax.set_xlim(min(-0.5, col - max(fields.values(), default=1) / 2 - 1),
                max(width - 0.5, col + max(fields.values(), default=1) / 2 + 1))
    ax.set_ylim(max(height - 0.5, row + max(fields.values(), default=1) / 2 + 1),
                min(-0.5, row - max(fields.values(), default=1) / 2 - 1))
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
    fig, axes = plt.subplots(2 * blocks, ncols, figsize=(1.25 * ncols, 2.5 * blocks + 0.4),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    start = (patches.shape[1] - window) // 2
    for i in range(n):
        top, bottom = axes[2 * (i // ncols), i % ncols], axes[2 * (i // ncols) + 1, i % ncols]
        k = kernels[..., i]
        top.imshow((k - k.min()) / max(float(k.max() - k.min()), 1e-8),
                   interpolation="nearest")
        top.set_title(f"kernel {i + 1}", fontsize=8)
        bottom.imshow(np.clip(patches[i], 0, 1), interpolation="nearest")
        _box(bottom, start, start, window, color="white")
        bottom.set_title(f"patch {i + 1}", fontsize=8)
    fig.tight_layout()
    return fig


def show_layer_maps(
    image: np.ndarray, maps_by_layer: dict[str, np.ndarray], *, channels: int = 8,
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
            raise ValueError(f"maps of {name!r} must be (height, width, channels) for one "
                             f"image; got shape {np.shape(maps)}")
    rows = len(maps_by_layer)
    fig, axes = plt.subplots(rows, channels + 1, figsize=(1.25 * (channels + 1) + 0.9,
                                                          1.45 * rows), squeeze=False)
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
            mappable = axes[row, col].imshow(maps[..., channel], cmap=cmap, vmin=vmin,
                                             vmax=vmax, interpolation="nearest")
            axes[row, col].set_title(f"channel {channel + 1}", fontsize=7)
        fig.colorbar(mappable, ax=list(axes[row, 1:]), fraction=0.015, pad=0.01)
    return fig


# ------------------------------------------------- data and augmentation (03_data_and_augmentation)


def plot_class_balance(parts: dict, *, title: str | None = None) -> plt.Figure:
    """Bars of images per class, one group per class and one bar per part.

    Args:
        parts: part name -> an ImageSet (or anything with ``class_counts()``), for example
            ``{"train": train, "validation": val, "test": test}``; all with the same classes.
    Introduced in ``03_data_and_augmentation``.
    """
    if not parts:
        raise ValueError("parts is empty: give at least one named ImageSet")
    counts = {name: part.class_counts() for name, part in parts.items()}
    classes = list(next(iter(counts.values())))
    for name, c in counts.items():
        if list(c) != classes:
            raise ValueError(f"part {name!r} has classes {list(c)}; the first part has {classes}")
    width = 0.8 / len(counts)
    fig, ax = plt.subplots(figsize=(1.2 + 1.3 * len(classes), 3.0))
    x = np.arange(len(classes))
    for i, (name, c) in enumerate(counts.items()):
        bars = ax.bar(x + (i - (len(counts) - 1) / 2) * width, list(c.values()), width,
                      label=f"{name} ({sum(c.values())})")
        ax.bar_label(bars, fontsize=7)
    ax.set_xticks(x, classes)
    ax.set_ylabel("images")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def show_augmentations(
    images: dict, augment, *, draws: int = 5, suptitle: str | None = None
) -> plt.Figure:
    """Each image (a row) then ``draws`` random augmentations of it.

    Args:
        images: name -> (h, w, 3) float image in [0, 1]; all of one size.
        augment: called on a (draws, h, w, 3) batch, returns the augmented batch
            (a Keras layer called with ``training=True``, or ``tf_augment``).
    Introduced in ``03_data_and_augmentation``.
    """
    if not images:
        raise ValueError("images is empty: give at least one named image")
    fig, axes = plt.subplots(len(images), draws + 1, figsize=(1.5 * (draws + 1), 1.6 * len(images)),
                             squeeze=False)
    for row, (name, image) in enumerate(images.items()):
        batch = np.repeat(np.asarray(image, np.float32)[None], draws, axis=0)
        out = np.asarray(augment(batch))
        for col, shown in enumerate([image, *out]):
            ax = axes[row, col]
            ax.imshow(np.clip(shown, 0, 1))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(name if col == 0 else f"draw {col}", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def plot_seed_comparison(
    runs: dict, metric: str = "value", *, ylabel: str = "test accuracy", title: str | None = None
) -> plt.Figure:
    """One column per condition: each seed's value as a dot, the mean ± 1 std as a bar.

    Args:
        runs: condition name -> a :class:`imgcourse.train.SeedRuns` (from ``over_seeds``).
    Introduced in ``03_data_and_augmentation``.
    """
    if not runs:
        raise ValueError("runs is empty: give at least one condition's SeedRuns")
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(runs), 3.0))
    for i, (name, r) in enumerate(runs.items()):
        mean = r.mean(metric)  # a KeyError naming the recorded metrics if it is missing
        values = r.values[metric]
        ax.errorbar(i, mean, yerr=r.std(metric), fmt="o", color="black", capsize=8,
                    markersize=7, zorder=3)
        ax.scatter(np.full(len(values), i + 0.15), values, color=f"C{i}", alpha=0.8, zorder=2,
                   label=f"{name}: {len(values)} seeds")
    ax.set_xticks(range(len(runs)), list(runs))
    ax.set_xlim(-0.6, len(runs) - 0.4)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or "black: mean ± 1 standard deviation; dots: one seed each", fontsize=9)
    fig.tight_layout()
    return fig


# ----------------------------------------------- training and tuning (04_training_and_tuning)


def plot_seed_curves(
    histories: dict,
    metrics: Sequence[str] = ("loss", "val_loss"),
    *,
    titles: Sequence[str] | None = None,
    ylim: tuple[float, float] | None = None,
) -> plt.Figure:
    """Learning curves over several seeds: per condition the mean and a ±1 std band.

    Args:
        histories: condition name -> list of Keras histories (metric -> per-epoch values),
            one per seed. Runs may have different lengths (early stopping): each epoch is
            averaged over the runs that reached it.
        metrics: one panel per metric, in order (for example ``"loss"``, ``"val_accuracy"``).
        titles: a title per panel; numbered metric names if None.
        ylim: (bottom, top) of every panel's y axis, to zoom in; automatic if None.
    Introduced in ``04_training_and_tuning``.
    """
    if not histories:
        raise ValueError("histories is empty: give at least one condition's runs")
    if titles is not None and len(titles) != len(metrics):
        raise ValueError(f"{len(titles)} titles for {len(metrics)} metrics: give one per panel")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.2), squeeze=False)
    for p, (ax, metric) in enumerate(zip(axes.flat, metrics)):
        for i, (name, runs) in enumerate(histories.items()):
            missing = [k for k, run in enumerate(runs) if metric not in run]
            if missing or not runs:
                raise ValueError(f"condition {name!r} has runs without {metric!r}: {missing}")
            longest = max(len(run[metric]) for run in runs)
            values = np.full((len(runs), longest), np.nan)
            for k, run in enumerate(runs):
                values[k, : len(run[metric])] = run[metric]
            epochs = np.arange(1, longest + 1)
            mean = np.nanmean(values, axis=0)
            std = np.nanstd(values, axis=0)
            ax.plot(epochs, mean, color=f"C{i}", label=f"{name} ({len(runs)} runs)")
            ax.fill_between(epochs, mean - std, mean + std, color=f"C{i}", alpha=0.2, lw=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(titles[p] if titles else f"{p + 1} · {metric}", fontsize=10)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_search_heatmaps(
    tables: dict,
    x: str,
    y: str,
    *,
    value: str = "score",
    x_values: Sequence | None = None,
    y_values: Sequence | None = None,
    fmt: str = ".2f",
) -> plt.Figure:
    """Where each search looked: one heat map per strategy over two hyperparameters.

    Cells a search never tried stay blank; all panels share one colour scale (shown by the
    colour bar), so a colour means the same score in each.

    Args:
        tables: strategy name -> trials table (``SearchResult.trials``) with columns x, y, value.
            Several trials in one cell (a third hyperparameter) show their best value.
        x, y: the hyperparameters on the columns and rows.
        x_values, y_values: every value of the space, in order; those seen in the tables if
            None.
    Introduced in ``04_training_and_tuning``.
    """
    import pandas as pd
    import seaborn as sns

    if not tables:
        raise ValueError("tables is empty: give at least one strategy's trials")
    for name, table in tables.items():
        absent = [c for c in (x, y, value) if c not in table.columns]
        if absent:
            raise ValueError(f"table {name!r} has no column {absent}; it has {list(table)}")
    combined = pd.concat(list(tables.values()))
    xs = list(x_values) if x_values is not None else sorted(combined[x].unique())
    ys = list(y_values) if y_values is not None else sorted(combined[y].unique())
    vmin, vmax = float(combined[value].min()), float(combined[value].max())
    fig, axes = plt.subplots(
        1, len(tables), figsize=(0.9 * len(xs) * len(tables) + 2.2, 0.45 * len(ys) + 1.6),
        squeeze=False,
    )
    for p, (ax, (name, table)) in enumerate(zip(axes.flat, tables.items())):
        grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="max")
        grid = grid.reindex(index=ys, columns=xs)
        sns.heatmap(
            grid, ax=ax, vmin=vmin, vmax=vmax, cmap="viridis", annot=True, fmt=fmt,
            cbar=p == len(tables) - 1, linewidths=0.5, linecolor="white",
            cbar_kws={"label": value},
        )
        ax.set_facecolor("#eeeeee")
        ax.set_yticklabels([f"{v:g}" if isinstance(v, float) else v for v in ys], rotation=0)
        ax.set_title(f"{p + 1} · {name}: {len(table)} trials, {grid.notna().sum().sum()} cells",
                     fontsize=10)
    fig.tight_layout()
    return fig


def plot_best_so_far(tables: dict, *, value: str = "best_so_far", ylabel: str | None = None
                     ) -> plt.Figure:
    """The best score found after each trial, one line per strategy (a step per trial).

    Args:
        tables: strategy name -> trials table with ``trial``, ``score`` and ``value`` columns.
    Introduced in ``04_training_and_tuning``.
    """
    if not tables:
        raise ValueError("tables is empty: give at least one strategy's trials")
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for i, (name, table) in enumerate(tables.items()):
        for column in ("trial", "score", value):
            if column not in table.columns:
                raise ValueError(f"table {name!r} has no column {column!r}")
        ax.step(table["trial"], table[value], where="post", color=f"C{i}", label=name)
        ax.plot(table["trial"], table["score"], "o", color=f"C{i}", alpha=0.35, ms=5)
    ax.set_xlabel("trials spent")
    ax.set_ylabel(ylabel or value.replace("_", " "))
    ax.set_title("line: best so far; dots: each trial's score", fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend()
    fig.tight_layout()
    return fig


def show_kernel_rows(
    rows: dict[str, Sequence[np.ndarray]],
    *,
    titles: dict[str, Sequence[str]] | None = None,
    cell: float = 0.95,
) -> plt.Figure:
    """Rows of 2-D convolution kernels (red positive, blue negative, white zero).

    Introduced in ``01_why_deep_learning`` to set hand-made filters (Sobel, Gabor) beside the
    first-layer kernels a CNN learned. Each kernel gets its own symmetric colour scale,
    -max|w| to +max|w|, so panels compare the *pattern* of weights, not their size; kernels of
    different sizes fill panels of the same size.

    Args:
        rows: row label -> kernels, each a (kh, kw) array; rows may differ in count and size.
        titles: optional row label -> one title per kernel of that row.
        cell: inches per panel.

    Example: ``show_kernel_rows({"Sobel": [sx, sx.T], "learned": list(w[:, :, 0].T)})`` for
    Conv2D weights ``w`` of shape (3, 3, 1, filters).
    """
    if not rows:
        raise ValueError("rows is empty: give at least one row label -> list of kernels")
    for label, kernels in rows.items():
        if len(kernels) == 0:
            raise ValueError(f"row {label!r} has no kernels")
        for i, k in enumerate(kernels):
            if np.ndim(k) != 2:
                raise ValueError(
                    f"kernel {i} of row {label!r} has shape {np.shape(k)}; expected (kh, kw). "
                    "Pick one input channel first, for example w[:, :, 0, f]."
                )
        if titles is not None and label in titles and len(titles[label]) != len(kernels):
            raise ValueError(
                f"row {label!r} has {len(kernels)} kernels but {len(titles[label])} titles"
            )
    ncols = max(len(k) for k in rows.values())
    fig, axes = plt.subplots(
        len(rows), ncols, figsize=(cell * ncols + 1.4, (cell + 0.3) * len(rows)), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for r, (label, kernels) in enumerate(rows.items()):
        axes[r, 0].text(-0.12, 0.5, label, transform=axes[r, 0].transAxes, ha="right", va="center")
        for c, kernel in enumerate(kernels):
            k = np.asarray(kernel, dtype=np.float32)
            limit = max(float(np.abs(k).max()), 1e-8)
            axes[r, c].imshow(k, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
            if titles is not None and label in titles:
                axes[r, c].set_title(titles[label][c], fontsize=8)
    fig.tight_layout()
    return fig


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
        raise ValueError(f"mask holds class {mask.max()}; overlays colour classes 1 to "
                         f"{len(MASK_COLOURS)}")
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
            raise ValueError(f"row {label!r} has masks of shape {np.shape(masks)}; expected "
                             f"({n}, {images.shape[1]}, {images.shape[2]})")
    fig, axes = plt.subplots(1 + len(rows), n, figsize=(cell * n + 0.6, cell * (1 + len(rows))),
                             squeeze=False)
    for c in range(n):
        img = np.clip(images[c], 0, 1)
        axes[0, c].imshow(img[..., 0] if img.shape[-1] == 1 else img,
                          cmap="gray" if img.shape[-1] == 1 else None)
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
        handles = [Patch(color=MASK_COLOURS[k - 1], label=class_names[k])
                   for k in range(1, len(class_names))]
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
                   frameon=False)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    else:
        fig.tight_layout()
    return fig


def show_detections(
    images: np.ndarray,
    ground_truths: Sequence[dict],
    detections: Sequence[dict],
    class_names: Sequence[str],
    *,
    titles: Sequence[str] | None = None,
    min_score: float = 0.3,
    cell: float = 2.0,
) -> plt.Figure:
    """Ground-truth boxes (top row) beside predicted boxes (bottom row) for each image.

    ``images`` (n, H, W, 3) in [0, 1]; ground truths and detections as in
    ``imgcourse.metrics.detection_metrics`` (boxes ``(ymin, xmin, ymax, xmax)`` pixels); only
    detections scoring at least ``min_score`` are drawn, with their class and score. Colours
    follow the class. Introduced in ``09_object_detection``.
    """
    from matplotlib.patches import Rectangle

    n = len(images)
    if not len(ground_truths) == len(detections) == n:
        raise ValueError(
            f"give one ground truth and one detection dict per image: got {n} images, "
            f"{len(ground_truths)} ground truths, {len(detections)} detections"
        )
    colours = plt.get_cmap("tab10").colors
    fig, axes = plt.subplots(2, n, figsize=(cell * n, cell * 2 + 0.3), squeeze=False)
    for c in range(n):
        for r, (entry, label) in enumerate(((ground_truths[c], "truth"), (detections[c], "pred"))):
            ax = axes[r, c]
            ax.imshow(np.clip(images[c], 0, 1))
            scores = np.asarray(entry.get("scores", np.ones(len(entry["labels"]))))
            boxes = np.asarray(entry["boxes"]).reshape(-1, 4)
            for box, k, s in zip(boxes, entry["labels"], scores):
                if r == 1 and s < min_score:
                    continue
                y0, x0, y1, x1 = box
                colour = colours[int(k) % len(colours)]
                ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False,
                                       edgecolor=colour, linewidth=1.5))
                text = class_names[int(k)] + (f" {s:.2f}" if r == 1 else "")
                ax.text(x0 - 0.5, y0 - 1, text, color="white", fontsize=6,
                        bbox={"facecolor": colour, "pad": 0.5, "linewidth": 0})
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=9)
        if titles is not None:
            axes[0, c].set_title(titles[c], fontsize=8)
    fig.tight_layout()
    return fig


# ------------------------------------------------------- architectures (05_cnn_architectures)


def plot_depth_curves(
    histories: dict, metric: str = "loss", *, ylabel: str | None = None
) -> plt.Figure:
    """Curves of one metric, one panel per family, one line per depth, shared y axis.

    Args:
        histories: family name (for example "plain", "residual") -> {depth: Keras history
            (metric -> per-epoch values)}.
        metric: the history key to draw (for example "loss" or "val_accuracy").
        ylabel: the y axis label; ``metric`` if None.
    Introduced in ``05_cnn_architectures`` (the degradation experiment).
    """
    if not histories or not all(histories.values()):
        raise ValueError("histories is empty: give family -> {depth: history}, one run each")
    fig, axes = plt.subplots(1, len(histories), figsize=(4.2 * len(histories), 3.2),
                             sharey=True, squeeze=False)
    for p, (ax, (family, runs)) in enumerate(zip(axes.flat, histories.items()), start=1):
        for i, (depth, history) in enumerate(sorted(runs.items())):
            if metric not in history:
                raise ValueError(f"{family!r} depth {depth} has no {metric!r}: {sorted(history)}")
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], "o-", color=f"C{i}", label=f"{depth} layers")
        ax.set_title(f"{p} · {family}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes.flat[0].set_ylabel(ylabel or metric)
    fig.tight_layout()
    return fig


def plot_architecture_comparison(table: object, *, label: str = "model") -> plt.Figure:
    """Three panels from a comparison table (a pandas DataFrame, one row per model): test
    accuracy against multiply-adds (log scale, marker area by parameters), training and
    inference images/s, and parameters.

    The table needs the columns ``label`` (default "model"), "parameters", "multiply_adds",
    "train_images_per_s", "inference_images_per_s" and "test_accuracy".
    Introduced in ``05_cnn_architectures``.
    """
    import pandas as pd
    import seaborn as sns

    needed = [label, "parameters", "multiply_adds", "train_images_per_s",
              "inference_images_per_s", "test_accuracy"]
    missing = [c for c in needed if c not in getattr(table, "columns", [])]
    if missing:
        raise ValueError(f"the table lacks the column(s) {missing}; it needs {needed}")
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    sns.scatterplot(data=table, x="multiply_adds", y="test_accuracy", hue=label,
                    size="parameters", sizes=(60, 400), ax=axes[0], legend=False)
    for _, row in table.iterrows():
        axes[0].annotate(row[label], (row["multiply_adds"], row["test_accuracy"]),
                         textcoords="offset points", xytext=(6, 6), fontsize=8)
    axes[0].set_xscale("log")
    # within one decade the minor tick labels (3e5, 4e5, ...) overlap: plain numbers instead
    axes[0].xaxis.set_minor_formatter(plt.NullFormatter())
    axes[0].xaxis.set_major_formatter(
        plt.FuncFormatter(lambda v, _: f"{v / 1e6:g} M" if v >= 1e6 else f"{v / 1e3:g} k")
    )
    axes[0].xaxis.set_major_locator(plt.LogLocator(subs=(1.0, 2.0, 5.0)))
    axes[0].margins(x=0.25, y=0.15)  # room for the labels beside the points
    axes[0].set(xlabel="multiply-adds per image (log)", ylabel="test accuracy",
                title="1 · accuracy against cost (area: parameters)")
    speed = pd.melt(table, id_vars=[label], value_name="images/s", var_name="phase",
                    value_vars=["train_images_per_s", "inference_images_per_s"])
    speed["phase"] = speed["phase"].str.replace("_images_per_s", "")
    sns.barplot(data=speed, x=label, y="images/s", hue="phase", ax=axes[1])
    axes[1].set(xlabel="", title="2 · speed (images/s)")
    sns.barplot(data=table, x=label, y="parameters", hue=label, ax=axes[2], legend=False)
    axes[2].set(xlabel="", title="3 · parameters")
    for ax in axes:
        ax.grid(alpha=0.3)
    for ax in axes[1:]:
        ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    return fig


# ------------------------------------------------------- transfer learning (06_transfer_learning)


def plot_label_curves(
    results: dict,
    *,
    methods: Sequence[str] | None = None,
    chance: float | None = None,
    title: str | None = None,
) -> plt.Figure:
    """Test accuracy against labelled images per class, one line per method.

    Each line is the mean over seeds with a ±1 standard deviation band; each seed's value is
    a dot beside it. The x axis is logarithmic, ticked at the label counts given.

    Args:
        results: labelled images per class (int, > 0) -> a :class:`imgcourse.train.SeedRuns`
            whose metrics are the methods' accuracies (fractions in [0, 1]).
        methods: which metrics to draw, in order; every metric of the first SeedRuns if None.
        chance: draw a dotted line at this accuracy (1 / number of classes), if given.
        title: the axes' title.
    Introduced in ``06_transfer_learning``.
    """
    if not results:
        raise ValueError("results is empty: give labels per class -> SeedRuns")
    counts = sorted(results)
    if counts[0] <= 0:
        raise ValueError(f"labels per class must be positive for a log axis; got {counts}")
    methods = list(methods) if methods is not None else list(results[counts[0]].values)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    x = np.asarray(counts, float)
    for i, method in enumerate(methods):
        mean = np.array([results[n].mean(method) for n in counts])
        std = np.array([results[n].std(method) for n in counts])
        ax.plot(x, mean, "o-", color=f"C{i}", label=method, zorder=3)
        ax.fill_between(x, mean - std, mean + std, color=f"C{i}", alpha=0.18, lw=0)
        for k, n in enumerate(counts):
            values = results[n].values[method]
            ax.scatter(np.full(len(values), x[k] * (1.04 + 0.03 * i)), values, s=10,
                       color=f"C{i}", alpha=0.6, zorder=2)
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", lw=1)
        ax.annotate("chance", (x[0], chance), textcoords="offset points", xytext=(2, 3),
                    fontsize=8, color="grey")
    ax.set_xscale("log")
    ax.set_xticks(x, [str(n) for n in counts])
    ax.minorticks_off()
    ax.set(xlabel="labelled images per class (log scale)", ylabel="test accuracy")
    ax.set_title(title or "mean over seeds, band ±1 std, dots: one seed each", fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def show_explanations(
    images: np.ndarray,
    maps: dict[str, np.ndarray],
    *,
    row_titles: Sequence[str] | None = None,
    cell: float = 1.5,
) -> plt.Figure:
    """A grid of explanation maps: one row per image, the image then one column per method.

    Methods measure in different units, so each map is drawn as |map| divided by its own
    largest |value| (0 to 1, one colour scale for every panel, with a colour bar).
    Introduced in ``08_interpretability``.

    Args:
        images: (n, h, w, 3) or (n, h, w) floats in [0, 1].
        maps: method name -> (n, h, w) maps, in column order.
        row_titles: one short label per image (for example the class), drawn left of the row.
    """
    images = np.asarray(images)
    n = len(images)
    if not maps:
        raise ValueError("maps is empty: give method name -> (n, h, w) maps")
    for name, m in maps.items():
        if np.shape(m) != images.shape[:3]:
            raise ValueError(
                f"maps[{name!r}] has shape {np.shape(m)}; expected one (h, w) map per image, "
                f"{images.shape[:3]}"
            )
    if row_titles is not None and len(row_titles) != n:
        raise ValueError(f"need {n} row titles; got {len(row_titles)}")
    ncols = 1 + len(maps)
    fig, axes = plt.subplots(n, ncols, figsize=(cell * ncols + 0.7, cell * n + 0.4),
                             squeeze=False)
    mappable = None
    for i in range(n):
        shown, cmap = _as_displayable(images[i])
        axes[i, 0].imshow(shown, cmap=cmap)
        if row_titles is not None:
            axes[i, 0].set_ylabel(row_titles[i], fontsize=9)
        for j, (name, m) in enumerate(maps.items(), start=1):
            a = np.abs(np.asarray(m[i], np.float32))
            a = a / a.max() if a.max() > 0 else a
            mappable = axes[i, j].imshow(a, cmap="magma", vmin=0, vmax=1)
            if i == 0:
                axes[i, j].set_title(f"{j} · {name}", fontsize=9)
    axes[0, 0].set_title("image", fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    bar = fig.colorbar(mappable, ax=list(axes.flat), fraction=0.025, pad=0.02)
    bar.set_label("|map| / its largest |value|", fontsize=8)
    return fig


def plot_randomization(
    similarity: dict[str, np.ndarray],
    steps: Sequence[str],
    *,
    title: str | None = None,
) -> plt.Figure:
    """Similarity of each method's maps to the trained model's, as layers are randomised.

    Args:
        similarity: method name -> (len(steps), n) values (for example Spearman rank
            correlations, one per image); the line is the mean, the band +-1 std over images.
        steps: x tick labels, for example ("none", "+head", "+conv3", ...).
    Introduced in ``08_interpretability``.
    """
    if not similarity:
        raise ValueError("similarity is empty: give method name -> (steps, n) values")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    x = np.arange(len(steps))
    for i, (name, values) in enumerate(similarity.items()):
        values = np.asarray(values, np.float64)
        if values.ndim != 2 or values.shape[0] != len(steps):
            raise ValueError(
                f"similarity[{name!r}] must be (steps, images) = ({len(steps)}, n); got "
                f"{values.shape}"
            )
        mean, std = values.mean(axis=1), values.std(axis=1)
        ax.plot(x, mean, "o-", color=f"C{i}", label=name)
        ax.fill_between(x, mean - std, mean + std, color=f"C{i}", alpha=0.15, lw=0)
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    ax.set_xticks(x, list(steps))
    ax.set(xlabel="layers randomised, from the top (cumulative)",
           ylabel="rank correlation with\nthe trained model's map", ylim=(-0.3, 1.05))
    ax.set_title(title or "mean over images, band ±1 std", fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


# ------------------------------------------------ evaluation (07_evaluation_and_fairness)


def plot_reliability(bins: dict, *, titles: Sequence[str] | None = None) -> plt.Figure:
    """Reliability diagrams side by side, with the share of predictions per bin below.

    Args:
        bins: name -> an :class:`imgcourse.metrics.ReliabilityBins`; each top panel draws
            the accuracy of each confidence bin as a bar, the diagonal a calibrated model
            would follow, and the gap between the bar and the bin's mean confidence
            hatched in red (above the bar: over-confident; inside it: under-confident);
            the panel below shows how many
            predictions fall in each bin.
        titles: one title per entry; "n · name: ECE x.xxx" if None.
    Introduced in ``07_evaluation_and_fairness``.
    """
    if not bins:
        raise ValueError("bins is empty: give name -> ReliabilityBins")
    if titles is not None and len(titles) != len(bins):
        raise ValueError(f"{len(titles)} titles for {len(bins)} diagrams: give one each")
    fig, axes = plt.subplots(2, len(bins), figsize=(3.6 * len(bins), 4.6), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    for i, (name, b) in enumerate(bins.items()):
        top, bottom = axes[0, i], axes[1, i]
        width = np.diff(b.edges)
        seen = b.counts > 0
        left = b.edges[:-1][seen]
        top.bar(left, b.accuracy[seen], width=width[seen], align="edge", color="C0",
                edgecolor="white", label="accuracy")
        gap = b.confidence[seen] - b.accuracy[seen]
        top.bar(left, np.abs(gap), bottom=np.minimum(b.accuracy, b.confidence)[seen],
                width=width[seen], align="edge", fill=False, hatch="///",
                edgecolor="crimson", lw=0.8, label="gap to mean confidence")
        top.plot([0, 1], [0, 1], "k--", lw=1, label="calibrated")
        top.set(xlim=(0, 1), ylim=(0, 1), ylabel="accuracy in the bin" if i == 0 else None)
        top.set_title(titles[i] if titles else f"{i + 1} · {name}: ECE {b.ece:.3f}",
                      fontsize=10)
        bottom.bar(b.edges[:-1], b.counts / b.counts.sum(), width=width, align="edge",
                   color="grey")
        bottom.set(xlabel="confidence", ylabel="share" if i == 0 else None, ylim=(0, 1))
        for ax in (top, bottom):
            ax.spines[["top", "right"]].set_visible(False)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_roc_pr(labels: np.ndarray, probs: np.ndarray, class_names: Sequence[str]
                ) -> plt.Figure:
    """One-vs-rest ROC curves (panel 1) and precision-recall curves (panel 2), one line
    per class, with the area under each curve in the legend (scikit-learn computes both).

    Args:
        labels: (n,) int class indices.
        probs: (n, num_classes) probabilities; class k's score is column k.
    Introduced in ``07_evaluation_and_fairness``.
    """
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2 or probs.shape[1] != len(class_names) or len(probs) != len(labels):
        raise ValueError(
            f"probs must be (n, {len(class_names)}) for {len(labels)} labels; got "
            f"{probs.shape}"
        )
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(9.0, 3.8))
    for k, name in enumerate(class_names):
        positive = labels == k
        if positive.all() or not positive.any():
            continue  # a curve needs both positives and negatives
        fpr, tpr, _ = roc_curve(positive, probs[:, k])
        auc = roc_auc_score(positive, probs[:, k])
        roc_ax.plot(fpr, tpr, color=f"C{k}", label=f"{name} (AUC {auc:.3f})")
        precision, recall, _ = precision_recall_curve(positive, probs[:, k])
        ap = average_precision_score(positive, probs[:, k])
        pr_ax.plot(recall, precision, color=f"C{k}", label=f"{name} (AP {ap:.3f})")
        pr_ax.axhline(positive.mean(), color=f"C{k}", lw=0.8, ls=":")
    roc_ax.plot([0, 1], [0, 1], "k--", lw=1, label="chance")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate (recall)")
    roc_ax.set_title("1 · ROC, one class against the rest", fontsize=10)
    pr_ax.set(xlabel="recall", ylabel="precision", ylim=(0, 1.02))
    pr_ax.set_title("2 · precision-recall (dotted: chance)", fontsize=10)
    for ax in (roc_ax, pr_ax):
        ax.legend(fontsize=8, loc="lower left" if ax is pr_ax else "lower right")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_interval_widths(sizes: Sequence[int], widths: np.ndarray, *,
                         theory: np.ndarray | None = None, level: float = 0.95
                         ) -> plt.Figure:
    """Width of a confidence interval against the number of test images (log-log axes).

    Args:
        sizes: (m,) test-set sizes.
        widths: (m,) or (m, r) interval widths (r repeats: the mean is drawn with the
            spread as a band).
        theory: (m,) widths from a formula, drawn dashed.
    Introduced in ``07_evaluation_and_fairness``.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    sizes = np.asarray(sizes)
    widths = np.asarray(widths, np.float64).reshape(len(sizes), -1)
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    mean = widths.mean(axis=1)
    ax.plot(sizes, mean, "o-", color="C0", label="bootstrap")
    if widths.shape[1] > 1:
        ax.fill_between(sizes, widths.min(axis=1), widths.max(axis=1), color="C0",
                        alpha=0.2, lw=0, label="range over repeats")
    if theory is not None:
        ax.plot(sizes, theory, "k--", lw=1, label="formula")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel="test images", ylabel=f"width of the {level:.0%} interval")
    ax.grid(alpha=0.3, which="both")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_seed_tradeoff(runs: dict, x: str, y: str, *, xlabel: str | None = None,
                       ylabel: str | None = None, title: str | None = None) -> plt.Figure:
    """Each condition's seeds as dots in the plane of two metrics, with the mean ± 1 std
    as a cross: which condition buys one metric at the cost of the other.

    Args:
        runs: condition name -> a :class:`imgcourse.train.SeedRuns` holding ``x`` and ``y``.
    Introduced in ``07_evaluation_and_fairness``.
    """
    if not runs:
        raise ValueError("runs is empty: give at least one condition's SeedRuns")
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    for i, (name, r) in enumerate(runs.items()):
        mean_x, mean_y = r.mean(x), r.mean(y)  # a KeyError naming the metrics recorded
        xs, ys = r.values[x], r.values[y]
        ax.scatter(xs, ys, color=f"C{i}", alpha=0.5, s=25)
        ax.errorbar(mean_x, mean_y, xerr=r.std(x), yerr=r.std(y), fmt="o",
                    color=f"C{i}", markersize=8, capsize=4,
                    label=f"{name} ({len(xs)} seeds)")
    ax.set(xlabel=xlabel or x, ylabel=ylabel or y)
    ax.set_title(title or "dots: one seed each; crosses: mean ± 1 std", fontsize=9)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
