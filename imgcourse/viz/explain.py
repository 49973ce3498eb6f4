"""Figures of ``08_interpretability``: attribution maps and the randomisation check."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from imgcourse.viz.core import _as_displayable


def show_explanations(
    images: np.ndarray,
    maps: dict[str, np.ndarray],
    *,
    row_titles: Sequence[str] | None = None,
    cell: float = 1.5,
    overlay: bool = False,
) -> plt.Figure:
    """A grid of explanation maps: one row per image, the image then one column per method.

    Methods measure in different units, so each map is drawn as |map| divided by its own
    largest |value| (0 to 1, one colour scale for every panel, with a colour bar).
    Introduced in ``08_interpretability``.

    Args:
        images: (n, h, w, 3) or (n, h, w) floats in [0, 1].
        maps: method name -> (n, h, w) maps, in column order.
        row_titles: one short label per image (for example the class), drawn left of the row.
        overlay: draw each map half-transparent over its image in grey (alpha grows with
            the map's value, so unimportant pixels show the image).
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
    fig, axes = plt.subplots(n, ncols, figsize=(cell * ncols + 0.7, cell * n + 0.4), squeeze=False)
    mappable = None
    for i in range(n):
        shown, cmap = _as_displayable(images[i])
        axes[i, 0].imshow(shown, cmap=cmap)
        if row_titles is not None:
            axes[i, 0].set_ylabel(row_titles[i], fontsize=9)
        for j, (name, m) in enumerate(maps.items(), start=1):
            a = np.abs(np.asarray(m[i], np.float32))
            a = a / a.max() if a.max() > 0 else a
            if overlay:
                grey = np.asarray(shown, np.float32)
                grey = grey.mean(axis=-1) if grey.ndim == 3 else grey
                axes[i, j].imshow(grey, cmap="gray", vmin=0, vmax=1)
                mappable = axes[i, j].imshow(
                    a, cmap="magma", vmin=0, vmax=1, alpha=np.clip(0.15 + 0.85 * a, 0, 1)
                )
            else:
                mappable = axes[i, j].imshow(a, cmap="magma", vmin=0, vmax=1)
            if i == 0:
                axes[i, j].set_title(textwrap.fill(f"{j} · {name}", 18), fontsize=9)
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
    fig, ax = plt.subplots(figsize=(7.6, 3.6))
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
    ax.set(
        xlabel="layers randomised, from the top (cumulative)",
        ylabel="rank correlation with\nthe trained model's map",
        ylim=(-0.3, 1.05),
    )
    ax.set_title(title or "mean over images, band ±1 std", fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def print_mark_table(accuracies: dict[str, tuple[float, float]]) -> None:
    """Print one row per model: accuracy (a fraction) on images with the mark, then without."""
    print(f"{'model':<22} {'with the mark':>14} {'without':>9}")
    for name, (with_mark, without) in accuracies.items():
        print(f"{name:<22} {with_mark:>14.1%} {without:>9.1%}")


def print_share_table(shares: dict[str, dict[str, float]], title: str) -> None:
    """Print a table of shares (fractions): one column per model, one row per method.

    ``shares[model][method]``; the methods are the first model's keys, in order.
    """
    models = list(shares)
    print(f"{title:<22}" + "".join(f" {m:>9}" for m in models))
    for method in shares[models[0]]:
        print(f"{method:<22}" + "".join(f" {shares[m][method]:>9.1%}" for m in models))
