"""Figures of ``01_why_deep_learning``: filter responses, HOG pictures and the accuracy of
hand-made and learned pipelines side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from skimage.feature import hog
from skimage.transform import resize

from imgcourse.viz.core import show_images


def show_filter_responses(
    images: np.ndarray,
    responses: Mapping[str, np.ndarray],
    row_titles: Sequence[str],
) -> plt.Figure:
    """One row per image: the image, then its response to each filter.

    Each response column is divided by its largest value over all rows, so a column shares
    one scale (black: none, white: that filter's strongest) and rows can be compared.

    Args:
        images: (n, h, w, 1) or (n, h, w) floats in [0, 1].
        responses: filter name -> (n, h, w) responses, >= 0 (for example ``abs`` of a
            correlation).
        row_titles: n titles, one per image (its class).
    """
    grey = np.asarray(images, dtype=np.float32)
    grey = grey[..., 0] if grey.ndim == 4 else grey
    if grey.ndim != 3 or len(row_titles) != len(grey):
        raise ValueError(
            f"expected (n, h, w[, 1]) images and n row titles; got images {np.shape(images)} "
            f"and {len(row_titles)} titles"
        )
    if not responses:
        raise ValueError("responses is empty: give at least one filter name -> responses")
    columns = [grey]
    for name, response in responses.items():
        response = np.asarray(response, dtype=np.float32)
        if response.shape != grey.shape:
            raise ValueError(
                f"responses[{name!r}] has shape {response.shape}; expected {grey.shape}"
            )
        columns.append(response / max(float(response.max()), 1e-8))
    panels = np.stack(columns, axis=1).reshape(-1, *grey.shape[1:])
    titles = [t for row in row_titles for t in (row, *responses)]
    return show_images(panels, titles=titles, ncols=len(columns), max_images=len(panels))


def show_hog_pictures(
    images: np.ndarray,
    titles: Sequence[str],
    *,
    size: int = 32,
    cells: int = 4,
    suptitle: str | None = None,
) -> plt.Figure:
    """Pairs of panels: an image, then scikit-image's picture of its HOG descriptor.

    Images smaller than ``size`` are enlarged to ``size`` x ``size`` pixels (cubic) so that
    each cell has room for its star of edge directions; HOG uses ``cells`` x ``cells`` cells,
    9 orientations and 2x2-cell blocks, as in the notebook.

    Args:
        images: (n, h, w, 1) or (n, h, w) square grey images, floats in [0, 1].
        titles: n titles (the classes); each picture is titled "its HOG".
        size: side in pixels below which images are enlarged.
        cells: cells per side.
    """
    grey = np.asarray(images, dtype=np.float32)
    grey = grey[..., 0] if grey.ndim == 4 else grey
    if grey.ndim != 3 or grey.shape[1] != grey.shape[2] or len(titles) != len(grey):
        raise ValueError(
            f"expected n square (h, h[, 1]) images and n titles; got images "
            f"{np.shape(images)} and {len(titles)} titles"
        )
    side = max(size, grey.shape[1])
    cell = side // cells
    panels, names = [], []
    for image, title in zip(grey, titles):
        if image.shape[0] < side:
            image = resize(image, (side, side), order=3, mode="edge").clip(0, 1)
        _, picture = hog(
            image,
            orientations=9,
            pixels_per_cell=(cell, cell),
            cells_per_block=(2, 2),
            visualize=True,
        )
        panels += [image, picture / max(float(picture.max()), 1e-8)]
        names += [title, "its HOG"]
    return show_images(
        np.stack(panels), titles=names, ncols=8, max_images=len(panels), suptitle=suptitle
    )


def plot_pipeline_accuracies(
    accuracies: Mapping[str, Mapping[str, tuple[float, float]]],
    chance: Mapping[str, float],
) -> plt.Figure:
    """One panel per data set: each pipeline's test accuracy as a bar with its spread.

    Args:
        accuracies: set name -> pipeline name -> (mean, standard deviation) over seeds,
            as shares in [0, 1].
        chance: set name -> the accuracy of guessing (1 / classes), drawn as a dashed line.
    """
    if not accuracies:
        raise ValueError("accuracies is empty: give set name -> pipeline -> (mean, std)")
    missing = [name for name in accuracies if name not in chance]
    if missing:
        raise ValueError(f"chance has no value for {missing}")
    fig, axes = plt.subplots(
        1, len(accuracies), figsize=(3.4 * len(accuracies), 3.0), squeeze=False, sharey=True
    )
    for i, (ax, (name, rows)) in enumerate(zip(axes[0], accuracies.items()), start=1):
        means = [100 * mean for mean, _ in rows.values()]
        spreads = [100 * std for _, std in rows.values()]
        colours = ["tab:orange" if p == "CNN" else "tab:blue" for p in rows]
        ax.bar(range(len(rows)), means, yerr=spreads, capsize=4, color=colours)
        ax.axhline(100 * chance[name], color="grey", linestyle="--", label="chance")
        ax.set_xticks(range(len(rows)), list(rows), rotation=30, ha="right")
        ax.set_ylim(0, 100)
        ax.set_title(f"({i}) {name}")
    axes[0, 0].set_ylabel("test accuracy, % (mean ± std)")
    axes[0, 0].legend(loc="lower left")
    fig.tight_layout()
    return fig
