"""Image grids, training curves, confusion matrices, kernels and feature maps: the figures
most notebooks use."""

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
