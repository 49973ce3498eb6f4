"""Figures of the capstone report (``19_capstone_report``): the image sizes found in a
user's folder, and the model's most confident mistakes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def plot_image_sizes(files: pd.DataFrame, *, image_size: int | None = None) -> plt.Figure:
    """Width against height of every readable file, one colour per class, one marker per
    file format; a dashed square marks the size the images are resized to.

    Args:
        files: :func:`imgcourse.data.describe_files` of a folder (columns ``class``,
            ``width``, ``height``, ``format``).
        image_size: the side every image is resized to, drawn as a dashed square.
    """
    required = {"class", "width", "height", "format"}
    if not required <= set(files.columns):
        raise ValueError(
            f"files needs the columns {sorted(required)}; got {list(files.columns)}. "
            "Pass the table of imgcourse.data.describe_files."
        )
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    formats = sorted(set(files["format"]))
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for c, name in enumerate(dict.fromkeys(files["class"])):
        for f, fmt in enumerate(formats):
            part = files[(files["class"] == name) & (files["format"] == fmt)]
            if len(part):
                ax.scatter(
                    part["width"],
                    part["height"],
                    s=22,
                    alpha=0.7,
                    color=f"C{c}",
                    marker=markers[f % len(markers)],
                    label=f"{name} ({fmt})",
                )
    if image_size:
        ax.plot(
            [0, image_size, image_size],
            [image_size, image_size, 0],
            "k--",
            lw=1,
            label=f"resized to {image_size}x{image_size}",
        )
    ax.set_xlim(0, None)
    ax.set_ylim(0, None)
    ax.set_xlabel("width (pixels)")
    ax.set_ylabel("height (pixels)")
    ax.set_title("image sizes in the folder")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def worst_errors(labels: np.ndarray, probabilities: np.ndarray, n: int = 8) -> np.ndarray:
    """Indices of the ``n`` wrong predictions made with the highest confidence.

    Args:
        labels: (k,) true class indices.
        probabilities: (k, classes) predicted probabilities.
        n: how many to return at most.

    Returns:
        (m,) int indices, m <= n, most confident mistake first; empty if none is wrong.
    """
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"probabilities must be (k, classes) for k = {len(labels)} labels; "
            f"got shape {probabilities.shape}"
        )
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:n]


def show_worst_errors(
    images: np.ndarray,
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    *,
    n: int = 8,
    ncols: int = 4,
) -> plt.Figure:
    """The model's most confident mistakes, each titled ``true -> predicted (confidence)``.

    Args:
        images: (k, h, w, c) floats in [0, 1], the images the probabilities are for.
        labels: (k,) true class indices.
        probabilities: (k, classes) predicted probabilities.
        class_names: one name per class.
        n: mistakes to show at most (see :func:`worst_errors`).
        ncols: panels per row.
    """
    index = worst_errors(labels, probabilities, n)
    if len(index) == 0:
        fig, ax = plt.subplots(figsize=(4, 1.2))
        ax.text(0.5, 0.5, "no test image is misclassified", ha="center", va="center")
        ax.axis("off")
        return fig
    rows = -(-len(index) // ncols)
    cols = min(ncols, len(index))
    fig, axes = plt.subplots(rows, cols, figsize=(2.1 * cols, 2.7 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for k, (ax, i) in enumerate(zip(axes.ravel(), index), start=1):
        guess = int(np.argmax(probabilities[i]))
        image = np.clip(images[i], 0, 1)
        ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0, vmax=1)
        ax.set_title(
            f"{k}. {class_names[labels[i]]} -> {class_names[guess]}\n"
            f"({probabilities[i, guess]:.0%} sure)",
            fontsize=8,
            color="tab:red",
        )
    fig.suptitle("most confident mistakes (true -> predicted)", fontsize=10)
    fig.tight_layout()
    return fig


__all__ = ["plot_image_sizes", "show_worst_errors", "worst_errors"]
