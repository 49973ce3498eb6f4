"""Figures of ``03_data_and_augmentation``: class balance, augmentation grids, seed comparisons."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


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
        bars = ax.bar(
            x + (i - (len(counts) - 1) / 2) * width,
            list(c.values()),
            width,
            label=f"{name} ({sum(c.values())})",
        )
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
    fig, axes = plt.subplots(
        len(images), draws + 1, figsize=(1.5 * (draws + 1), 1.6 * len(images)), squeeze=False
    )
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
        ax.errorbar(
            i, mean, yerr=r.std(metric), fmt="o", color="black", capsize=8, markersize=7, zorder=3
        )
        ax.scatter(
            np.full(len(values), i + 0.15),
            values,
            color=f"C{i}",
            alpha=0.8,
            zorder=2,
            label=f"{name}: {len(values)} seeds",
        )
    ax.set_xticks(range(len(runs)), list(runs))
    ax.set_xlim(-0.6, len(runs) - 0.4)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or "black: mean ± 1 standard deviation; dots: one seed each", fontsize=9)
    fig.tight_layout()
    return fig


def show_augmentation_steps(
    image: np.ndarray,
    steps: dict,
    *,
    draws: int = 5,
    grid: int = 4,
    suptitle: str | None = None,
) -> plt.Figure:
    """One named row per augmentation step: the image, then ``draws`` random draws of it.

    Dashed lines at the same pixels in every panel (``grid`` - 1 across each axis) show
    shifts, turns and changes of scale against the original.

    Args:
        image: (h, w, 3) float image in [0, 1]; an asymmetric drawing shows every change.
        steps: row name -> a callable taking a (draws, h, w, 3) batch and returning the
            augmented batch (a Keras preprocessing layer called with ``training=True``).
        draws: random draws per row.
        grid: dashed lines divide each side into this many parts (0: none).
    Introduced in ``03_data_and_augmentation``.
    """
    image = np.asarray(image, np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (height, width, 3); got shape {image.shape}")
    if not steps:
        raise ValueError("steps is empty: give at least one named augmentation")
    h, w = image.shape[:2]
    fig, axes = plt.subplots(
        len(steps), draws + 1, figsize=(1.55 * (draws + 1) + 1.2, 1.6 * len(steps)), squeeze=False
    )
    batch = np.repeat(image[None], draws, axis=0)
    for row, (name, augment) in enumerate(steps.items()):
        out = np.asarray(augment(batch))
        for col, shown in enumerate([image, *out]):
            ax = axes[row, col]
            ax.imshow(np.clip(shown, 0, 1))
            for k in range(1, grid):
                ax.axhline(k * h / grid - 0.5, color="white", lw=0.7, ls="--", alpha=0.8)
                ax.axvline(k * w / grid - 0.5, color="white", lw=0.7, ls="--", alpha=0.8)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title("original" if col == 0 else f"draw {col}", fontsize=10)
        axes[row, 0].set_ylabel(name, fontsize=11, rotation=0, ha="right", va="center")
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig


def plot_pipeline_rates(rates: dict, *, title: str | None = None) -> plt.Figure:
    """Images/s of each input pipeline: its first pass and the median of its later passes.

    Args:
        rates: pipeline name -> images/s of each pass over the files, in order (at least
            one pass); drawn top to bottom in the dict's order, on a log scale.
    Introduced in ``03_data_and_augmentation``.
    """
    if not rates:
        raise ValueError("rates is empty: give at least one pipeline's images/s per pass")
    for name, values in rates.items():
        if len(values) == 0 or min(values) <= 0:
            raise ValueError(f"pipeline {name!r}: need positive images/s per pass; got {values}")
    names = list(rates)[::-1]
    first = [rates[n][0] for n in names]
    later = [float(np.median(rates[n][1:] if len(rates[n]) > 1 else rates[n])) for n in names]
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7.0, 0.9 + 0.45 * len(names)))
    ax.barh(y + 0.2, first, 0.4, color="C1", label="first pass")
    ax.barh(y - 0.2, later, 0.4, color="C0", label="later passes (median)")
    ax.set_yticks(y, names)
    ax.set_xscale("log")
    ax.set_xlabel("images/s, log scale (higher is faster)")
    ax.legend(fontsize=8, frameon=False, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
