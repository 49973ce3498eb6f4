"""Attention figures and a word-by-word caption stepper (``14_attention_and_captioning``).

Attention maps come on a coarse grid (one value per patch or feature cell); they are drawn
enlarged to the image's size, smoothly, over a grey copy of the image, on one colour scale
shared by all panels of a figure (stated in the figure). The stepper widget also draws a
static figure, so the lesson does not depend on a widget front end.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np


def _mean_of_channels(image: np.ndarray) -> np.ndarray:
    """A (h, w, c) image as its (h, w) mean over the channels, a backdrop for attention maps;
    a (h, w) image unchanged (float32)."""
    img = np.asarray(image, np.float32)
    return img.mean(axis=-1) if img.ndim == 3 else img


def upsample(att: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Enlarge a (gh, gw) map to ``size`` (height, width) with bilinear interpolation."""
    from skimage.transform import resize

    return resize(np.asarray(att, np.float64), size, order=1, mode="edge").astype(np.float32)


def _check_maps(images: np.ndarray, maps: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    images, maps = np.asarray(images, np.float32), np.asarray(maps, np.float32)
    if images.ndim not in (3, 4) or maps.ndim != 3 or len(images) != len(maps):
        raise ValueError(
            f"{what}: images (n, h, w[, c]) and maps (n, gh, gw) must have the same n; got "
            f"{images.shape} and {maps.shape}"
        )
    return images, maps


def show_attention_rollout(
    images: np.ndarray,
    maps: np.ndarray,
    *,
    titles: Sequence[str] | None = None,
) -> plt.Figure:
    """Row 1: the images; row 2: each rollout map over its image (one shared colour scale).

    Args:
        images: (n, h, w) or (n, h, w, c) floats in [0, 1].
        maps: (n, gh, gw) attention on the patch grid, each summing to 1 (for example
            :func:`imgcourse.models.vit.attention_rollout`); drawn as multiples of the
            uniform share 1 / (gh * gw), so 1 means "as much as every patch".
        titles: one title per column (default: panel numbers).
    """
    images, maps = _check_maps(images, maps, "show_attention_rollout")
    n = len(images)
    rel = maps * maps[0].size  # 1 = a uniform share
    vmax = float(rel.max())
    fig, axes = plt.subplots(2, n, figsize=(1.45 * n + 0.8, 3.2), squeeze=False)
    for i in range(n):
        img = images[i]
        axes[0, i].imshow(
            np.squeeze(img), cmap="gray" if img.shape[-1] == 1 else None, vmin=0, vmax=1
        )
        title = titles[i] if titles is not None else f"{i + 1}"
        axes[0, i].set_title(title, fontsize=8)
        axes[1, i].imshow(_mean_of_channels(img), cmap="gray", vmin=0, vmax=1)
        shown = axes[1, i].imshow(
            upsample(rel[i], img.shape[:2]), cmap="inferno", alpha=0.6, vmin=0, vmax=vmax
        )
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1, 0].set_ylabel("rollout", fontsize=8)
    bar = fig.colorbar(shown, ax=axes[1].tolist(), fraction=0.03, pad=0.02)
    bar.set_label("x uniform share", fontsize=7)
    return fig


def show_caption_attention(
    images: np.ndarray,
    words: Sequence[Sequence[str]],
    maps: np.ndarray,
    *,
    max_words: int = 14,
) -> plt.Figure:
    """One row per image: the image, then the attention behind each generated word.

    Args:
        images: (n, h, w, c) floats in [0, 1].
        words: the generated words of each image (without start and end tokens).
        maps: (n, t, gh, gw) cross-attention from
            :func:`imgcourse.models.captioner.cross_attention`; map j produced word j.
        max_words: at most this many word panels per row.

    All panels share one colour scale (0 to the largest weight shown), given by the bar.
    """
    images, maps = np.asarray(images, np.float32), np.asarray(maps, np.float32)
    if maps.ndim != 4 or len(maps) != len(images) or len(words) != len(images):
        raise ValueError(
            f"images (n, h, w, c), words (n lists) and maps (n, t, gh, gw) must agree; got "
            f"{images.shape}, {len(words)} and {maps.shape}"
        )
    cols = 1 + min(max_words, max((len(w) for w in words), default=0))
    vmax = max((float(maps[i, : len(w)].max()) for i, w in enumerate(words) if len(w)), default=1.0)
    fig, axes = plt.subplots(
        len(images), cols, figsize=(1.05 * cols + 0.6, 1.25 * len(images)), squeeze=False
    )
    shown = None
    for i, (img, ws) in enumerate(zip(images, words)):
        axes[i, 0].imshow(img, vmin=0, vmax=1)
        axes[i, 0].set_title(f"image {i + 1}", fontsize=8)
        for j in range(1, cols):
            ax = axes[i, j]
            if j - 1 < len(ws):
                ax.imshow(_mean_of_channels(img), cmap="gray", vmin=0, vmax=1)
                shown = ax.imshow(
                    upsample(maps[i, j - 1], img.shape[:2]),
                    cmap="inferno",
                    alpha=0.65,
                    vmin=0,
                    vmax=vmax,
                )
                ax.set_title(ws[j - 1], fontsize=8)
            else:
                ax.axis("off")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    if shown is not None:
        bar = fig.colorbar(shown, ax=axes.ravel().tolist(), fraction=0.015, pad=0.01)
        bar.set_label("attention weight", fontsize=7)
    return fig


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return buffer.getvalue()


def caption_stepper(
    image: np.ndarray, words: Sequence[str], maps: np.ndarray, *, static: bool = True
) -> CaptionStepper:
    """A slider that steps through a generated caption word by word, showing where the
    decoder looked for each word. With ``static`` it first displays
    :func:`show_caption_attention` for this image (renders without a widget front end).

    Args:
        image: (h, w, c) floats in [0, 1].
        words: the generated words (an empty caption shows the map that chose to stop).
        maps: (t, gh, gw) cross-attention, map j behind word j.
    """
    image, maps = np.asarray(image, np.float32), np.asarray(maps, np.float32)
    words = list(words) or ["(end)"]  # a caption of no words: the map that chose to stop
    if maps.ndim != 3 or len(maps) < len(words):
        raise ValueError(f"maps must be (t, gh, gw) with t >= {len(words)} words; got {maps.shape}")
    if static:
        from IPython.display import display

        fig = show_caption_attention(image[None], [list(words)], maps[None])
        display(fig)
        plt.close(fig)
    return CaptionStepper(image, list(words), maps)


class CaptionStepper(w.VBox):
    """The widget behind :func:`caption_stepper`: a word slider, the caption so far, and
    the attention map behind the chosen word."""

    def __init__(self, image: np.ndarray, words: list[str], maps: np.ndarray) -> None:
        self.image, self.words, self.maps = image, words, maps
        self.slider = w.IntSlider(value=1, min=1, max=len(words), description="word")
        self.text = w.HTML()
        self.view = w.Image(format="png")
        self.slider.observe(lambda _: self._redraw(), names="value")
        self._vmax = float(maps[: len(words)].max())
        super().__init__([w.HBox([self.slider, self.text]), self.view])
        self._redraw()

    def _redraw(self) -> None:
        j = int(self.slider.value) - 1
        done = " ".join(self.words[:j])
        self.text.value = f"{done} <b>{self.words[j]}</b>"
        fig, ax = plt.subplots(figsize=(2.6, 2.6))
        ax.imshow(_mean_of_channels(self.image), cmap="gray", vmin=0, vmax=1)
        ax.imshow(
            upsample(self.maps[j], self.image.shape[:2]),
            cmap="inferno",
            alpha=0.65,
            vmin=0,
            vmax=self._vmax,
        )
        ax.set_axis_off()
        self.view.value = _png(fig)

    def __repr__(self) -> str:
        return f"CaptionStepper(words={len(self.words)}, word={self.slider.value})"
