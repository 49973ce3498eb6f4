"""Figures of ``13_style_transfer``: images side by side, loss curves, Gram matrices, the
style-weight grid (with a slider explorer beside its static figure) and the trade-off
between keeping the content and taking the style."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np


def _as_rgb(image: Any) -> np.ndarray:
    array = np.asarray(image, dtype=np.float32)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"expected a colour image (height, width, 3); got shape {array.shape}")
    return np.clip(array, 0.0, 1.0)


def show_style_images(images: Mapping[str, Any], *, size: float = 2.6) -> plt.Figure:
    """One row of images, each titled "(i) name" so the text can name panel i.

    Args:
        images: title -> (h, w, 3) float image in [0, 1].
    """
    if not images:
        raise ValueError("give at least one image to show")
    fig, axes = plt.subplots(
        1, len(images), figsize=(size * len(images), size + 0.3), squeeze=False
    )
    for i, (ax, (title, image)) in enumerate(zip(axes[0], images.items()), start=1):
        ax.imshow(_as_rgb(image))
        ax.set_title(f"({i}) {title}", fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_gram_matrices(grams: Mapping[str, Any], *, channels: int = 16) -> plt.Figure:
    """Heat maps of Gram matrices (the first ``channels`` channels), one panel each, on one
    colour scale shared by all panels (with a colour bar).

    Args:
        grams: title -> (c, c) Gram matrix.
    """
    mats = {k: np.asarray(v, np.float32)[:channels, :channels] for k, v in grams.items()}
    if not mats or any(m.ndim != 2 for m in mats.values()):
        raise ValueError("give one or more Gram matrices of shape (channels, channels)")
    top = max(float(np.abs(m).max()) for m in mats.values()) or 1.0
    fig, axes = plt.subplots(1, len(mats), figsize=(3.0 * len(mats) + 0.8, 3.0), squeeze=False)
    for i, (ax, (title, m)) in enumerate(zip(axes[0], mats.items()), start=1):
        shown = ax.imshow(m, cmap="viridis", vmin=0.0, vmax=top)
        ax.set_title(f"({i}) {title}", fontsize=9)
        ax.set_xlabel("channel")
    axes[0, 0].set_ylabel("channel")
    fig.colorbar(shown, ax=list(axes[0]), shrink=0.85, label="mean product (shared scale)")
    return fig


def plot_style_losses(histories: Mapping[str, Mapping[str, Sequence[float]]]) -> plt.Figure:
    """Panel 1: style loss per step (log scale); panel 2: content loss per step (linear, it
    starts at 0 when the optimisation starts from the content image); one line per run.

    Args:
        histories: run name -> its ``StyleTransferResult.history``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.2))
    for name, history in histories.items():
        for ax, key in zip(axes, ("style", "content")):
            values = np.asarray(history[key], np.float64)
            ax.plot(np.arange(len(values)), values, label=name)
    axes[0].set_yscale("log")  # the style loss falls by orders of magnitude
    for i, (ax, key) in enumerate(zip(axes, ("style", "content")), start=1):
        ax.set_xlabel("optimisation step")
        ax.set_title(f"({i}) {key} loss (in the network optimised)", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_weight_grid(
    images: Mapping[str, Sequence[Any]], weights: Sequence[float], *, size: float = 2.3
) -> plt.Figure:
    """A grid of results: one row per extractor, one column per style weight (a factor of
    that row's base weight), each panel titled with its factor.

    Args:
        images: row name -> one (h, w, 3) image per weight.
        weights: the style-weight factors, one per column.
    """
    rows = list(images.items())
    if not rows or any(len(imgs) != len(weights) for _, imgs in rows):
        raise ValueError("give one image per weight for every row")
    fig, axes = plt.subplots(
        len(rows),
        len(weights),
        figsize=(size * len(weights), size * len(rows) + 0.2),
        squeeze=False,
    )
    for r, (name, imgs) in enumerate(rows):
        for c, image in enumerate(imgs):
            ax = axes[r, c]
            ax.imshow(_as_rgb(image))
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"style weight x{weights[c]:g}", fontsize=9)
        axes[r, 0].set_ylabel(name, fontsize=9)
    fig.tight_layout()
    return fig


def plot_tradeoff(
    points: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    labels: Sequence[str] | None = None,
    references: Mapping[str, tuple[float, float]] | None = None,
    judge: str = "third network",
) -> plt.Figure:
    """Content distance against style distance, both measured in a third network: one line
    per extractor (its style-weight grid), reference points (content image, a blend) as
    crosses. Lower left is better on both.

    Args:
        points: line name -> (content distances, style distances), one per weight.
        labels: a label per point of each line (the weight factors).
        references: name -> (content distance, style distance).
        judge: the network that measured them, named in the axis labels.
    """
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    for name, (content, style) in points.items():
        ax.plot(content, style, marker="o", label=name)
        for i, (x, y) in enumerate(zip(content, style)):
            if labels is not None:
                ax.annotate(
                    labels[i], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7
                )
    for name, (x, y) in (references or {}).items():
        ax.scatter([x], [y], marker="x", s=50, color="black")
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, -10), fontsize=8)
    ax.set_xlabel(f"content distance to the content image ({judge})")
    ax.set_ylabel(f"style distance to the style image ({judge})")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _png(image: np.ndarray, scale: int = 3) -> bytes:
    from PIL import Image

    array = (np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    pil = Image.fromarray(array)
    pil = pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


def style_weight_explorer(images: Mapping[str, Sequence[Any]], weights: Sequence[float]):
    """A slider over the style weights showing each row's result at that weight: the live
    companion of :func:`show_weight_grid` (draw that figure beside it; the widget needs a
    kernel and a widget front end).

    Returns:
        An ``ipywidgets.VBox`` whose text form is stable ("StyleWeightExplorer(...)").
    """
    import ipywidgets as w

    rows = {name: [_png(_as_rgb(im)) for im in imgs] for name, imgs in images.items()}
    if any(len(pngs) != len(weights) for pngs in rows.values()):
        raise ValueError("give one image per weight for every row")
    slider = w.SelectionSlider(options=[f"x{f:g}" for f in weights], description="style x")
    views = {name: w.Image(value=pngs[0], format="png") for name, pngs in rows.items()}

    def redraw(change: dict) -> None:
        index = slider.options.index(change["new"])
        for name, view in views.items():
            view.value = rows[name][index]

    slider.observe(redraw, names="value")
    boxes = [w.VBox([w.Label(name), view]) for name, view in views.items()]

    class StyleWeightExplorer(w.VBox):
        def __repr__(self) -> str:  # the text/plain output: stable from run to run
            return f"StyleWeightExplorer(rows={len(rows)}, weights={len(weights)})"

    return StyleWeightExplorer([slider, w.HBox(boxes)])


def show_judges(
    judged: Mapping[str, Mapping[str, tuple[float, Any]]],
    pairs: Sequence[tuple[str, str]],
    verdict: Any,
) -> dict[tuple[str, str], dict[str, str]]:
    """Print each candidate's style distance in each judge (a table), then each pair's
    verdicts with their 95% intervals.

    Args:
        judged: {judge: {candidate: (distance on the whole image, bootstrap draws)}}.
        pairs: (a, b) candidate names to compare.
        verdict: ``verdict(scores, a, b) -> (winner or "level", low, high)``, the
            notebook's decision rule (``scores`` is one judge's dict).

    Returns:
        {(a, b): {judge: winner or "level"}}.
    """
    judges = list(judged)
    print(f"{'style distance':<24}" + "".join(f"{j:>17}" for j in judges))
    for label in judged[judges[0]]:
        row = "".join(f"{scores[label][0]:17.4f}" for scores in judged.values())
        print(f"{label:<24}{row}")
    found: dict[tuple[str, str], dict[str, str]] = {}
    for a, b in pairs:
        print(f"{a} vs {b}:")
        found[a, b] = {}
        for j, scores in judged.items():
            found[a, b][j], lo, hi = verdict(scores, a, b)
            print(f"  {j}: {found[a, b][j]} (difference {lo:.4f} to {hi:.4f})")
    return found


__all__ = [
    "plot_gram_matrices",
    "plot_style_losses",
    "plot_tradeoff",
    "show_judges",
    "show_style_images",
    "show_weight_grid",
    "style_weight_explorer",
]
