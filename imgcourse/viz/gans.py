"""Figures for ``12_gans``: samples across training, loss curves, class coverage, latent
interpolation, and a slider over an interpolation (with its static figure).

Images are (n, h, w, c) or (n, h, w) floats in [0, 1] (generators in [-1, 1] are rescaled
by the caller, for example with :func:`imgcourse.train.gan.generate`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np


def _drop_channel_axis(image: np.ndarray) -> np.ndarray:
    """A (h, w, 1) grey image as (h, w) for imshow; anything else unchanged (float32)."""
    image = np.asarray(image, np.float32)
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def _off(ax: plt.Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def show_snapshots(snapshots: Mapping[int, np.ndarray], *, max_samples: int = 10) -> plt.Figure:
    """One row per snapshot epoch: the generator's images from the same fixed noise.

    Args:
        snapshots: epoch -> (n, h, w, c) images in [-1, 1], as kept by
            :func:`imgcourse.train.gan.train_gan` (``result.extra["snapshots"]``).
        max_samples: columns shown.
    """
    if not snapshots:
        raise ValueError("snapshots is empty: pass snapshot_epochs= to train_gan")
    epochs = sorted(snapshots)
    n = min(max_samples, min(len(v) for v in snapshots.values()))
    fig, axes = plt.subplots(
        len(epochs), n, figsize=(0.9 * n + 0.9, 0.9 * len(epochs) + 0.3), squeeze=False
    )
    for r, epoch in enumerate(epochs):
        for c in range(n):
            ax = axes[r, c]
            image = _drop_channel_axis((snapshots[epoch][c] + 1) / 2)
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            _off(ax)
            if c == 0:
                ax.set_ylabel(f"epoch {epoch}", fontsize=8)
            if r == 0:
                ax.set_title(f"z{c + 1}", fontsize=8)
    fig.tight_layout()
    return fig


def plot_gan_losses(history: Mapping[str, Sequence[float]], *, window: int = 10) -> plt.Figure:
    """Panel 1: both losses per step (light) and their moving average over ``window`` steps,
    with ln 4 and ln 2, the values at the equilibrium; panel 2: the discriminator's mean
    probability of "real" on real and on generated images, per epoch.

    Args:
        history: ``train_gan``'s history (``step_d_loss``, ``step_g_loss``, ``d_real``,
            ``d_fake``).
    """
    missing = {"step_d_loss", "step_g_loss", "d_real", "d_fake"} - set(history)
    if missing:
        raise ValueError(f"history lacks {sorted(missing)}; pass train_gan's result.history")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
    _draw_losses(ax1, history, window)
    ax1.set_ylabel("loss (nats)")
    ax1.set_title("1 · losses per step", fontsize=9)
    ax1.legend(fontsize=7, ncol=2)
    epochs = np.arange(1, len(history["d_real"]) + 1)
    ax2.plot(epochs, history["d_real"], "o-", ms=3, label="D(real)")
    ax2.plot(epochs, history["d_fake"], "s-", ms=3, label="D(generated)")
    ax2.axhline(0.5, color="grey", ls=":", lw=1)
    ax2.set_ylim(0, 1)
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("mean probability of 'real'")
    ax2.set_title("2 · the discriminator's verdicts", fontsize=9)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _draw_losses(ax: plt.Axes, history: Mapping[str, Sequence[float]], window: int) -> None:
    """Both losses per step (light), their moving average over ``window`` steps, ln 4 and ln 2."""
    for key, colour, label in (
        ("step_d_loss", "tab:blue", "discriminator"),
        ("step_g_loss", "tab:orange", "generator"),
    ):
        v = np.asarray(history[key], float)
        ax.plot(v, color=colour, alpha=0.25, lw=0.8)
        k = max(1, min(window, len(v)))
        smooth = np.convolve(v, np.ones(k) / k, mode="valid")
        ax.plot(np.arange(k - 1, len(v)), smooth, color=colour, label=label)
    ax.axhline(np.log(4), color="tab:blue", ls=":", lw=1, label="ln 4")
    ax.axhline(np.log(2), color="tab:orange", ls=":", lw=1, label="ln 2")
    ax.set_xlabel("step")


def compare_gan_losses(
    histories: Mapping[str, Mapping[str, Sequence[float]]], *, window: int = 10
) -> plt.Figure:
    """One panel per run, side by side on one y scale: both losses per step (light) and
    their moving average over ``window`` steps, with ln 4 and ln 2 dotted.

    Args:
        histories: run name -> ``train_gan``'s history (``step_d_loss``, ``step_g_loss``).
    """
    if not histories:
        raise ValueError("histories is empty: pass run name -> train_gan's result.history")
    for name, history in histories.items():
        missing = {"step_d_loss", "step_g_loss"} - set(history)
        if missing:
            raise ValueError(f"history of {name!r} lacks {sorted(missing)}; pass train_gan's")
    fig, axes = plt.subplots(
        1, len(histories), figsize=(4.2 * len(histories), 3.0), squeeze=False, sharey=True
    )
    for i, (ax, (name, history)) in enumerate(zip(axes[0], histories.items()), start=1):
        _draw_losses(ax, history, window)
        ax.set_title(f"{i} · {name}", fontsize=9)
    axes[0, 0].set_ylabel("loss (nats)")
    axes[0, 0].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def plot_class_coverage(
    counts: Mapping[str, Sequence[int]], class_names: Sequence[str] | None = None
) -> plt.Figure:
    """One panel per run: the share of samples a classifier puts in each class, on one
    y scale, with the uniform share dashed.

    Args:
        counts: run name -> (num_classes,) counts of predicted classes.
        class_names: labels of the x axis; default the class indices.
    """
    if not counts:
        raise ValueError("counts is empty: pass run name -> counts per class")
    fig, axes = plt.subplots(
        1, len(counts), figsize=(3.6 * len(counts), 2.8), squeeze=False, sharey=True
    )
    for i, (ax, (name, c)) in enumerate(zip(axes[0], counts.items()), start=1):
        c = np.asarray(c, float)
        share = c / max(c.sum(), 1.0)
        names = class_names or [str(k) for k in range(len(c))]
        ax.bar(range(len(c)), share, color="tab:purple")
        ax.axhline(1 / len(c), color="grey", ls="--", lw=1)
        ax.set_xticks(range(len(c)), names, fontsize=8)
        ax.set_title(f"{i} · {name}", fontsize=9)
        ax.set_xlabel("class given by the classifier")
    axes[0, 0].set_ylabel("share of samples")
    fig.tight_layout()
    return fig


def plot_interpolation(
    rows: Mapping[str, np.ndarray], ts: Sequence[float] | None = None
) -> plt.Figure:
    """One row per interpolation: the images made along a straight line in the noise space.

    Args:
        rows: row name -> (steps, h, w, c) images in [0, 1].
        ts: the positions t in [0, 1] of the columns (titles of the first row).
    """
    if not rows:
        raise ValueError("rows is empty: pass name -> images along the interpolation")
    n = len(next(iter(rows.values())))
    fig, axes = plt.subplots(
        len(rows), n, figsize=(0.85 * n + 1.2, 0.9 * len(rows) + 0.4), squeeze=False
    )
    for r, (name, images) in enumerate(rows.items()):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(_drop_channel_axis(images[c]), cmap="gray", vmin=0, vmax=1)
            _off(ax)
            if c == 0:
                ax.set_ylabel(name, fontsize=8)
            if r == 0 and ts is not None:
                ax.set_title(f"t={ts[c]:.2f}", fontsize=7)
    fig.tight_layout()
    return fig


def _png(image: np.ndarray, side: int = 160) -> bytes:
    from PIL import Image

    arr = (np.clip(_drop_channel_axis(image), 0, 1) * 255).round().astype(np.uint8)
    pil = Image.fromarray(arr)
    scale = max(1, side // max(pil.size))
    pil = pil.resize((pil.size[0] * scale, pil.size[1] * scale), Image.NEAREST)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


class InterpolationExplorer(w.VBox):
    """A slider over precomputed frames of a latent interpolation, one image per row."""

    def __init__(self, rows: Mapping[str, np.ndarray], ts: Sequence[float]) -> None:
        self.rows = {k: np.asarray(v, np.float32) for k, v in rows.items()}
        self.ts = [float(t) for t in ts]
        self.slider = w.IntSlider(
            value=0, min=0, max=len(self.ts) - 1, description="step", continuous_update=True
        )
        self.readout = w.HTML()
        self.views = [w.Image(format="png") for _ in self.rows]
        self.slider.observe(lambda _: self._redraw(), names="value")
        boxes = [
            w.VBox([w.HTML(f"<b>{name}</b>"), view]) for name, view in zip(self.rows, self.views)
        ]
        super().__init__([w.HBox([self.slider, self.readout]), w.HBox(boxes)])
        self._redraw()

    def _redraw(self) -> None:
        i = int(self.slider.value)
        self.readout.value = f"t = {self.ts[i]:.2f}"
        for view, images in zip(self.views, self.rows.values()):
            view.value = _png(images[i])

    def __repr__(self) -> str:  # the text/plain output: stable from run to run
        return f"InterpolationExplorer(rows={len(self.rows)}, steps={len(self.ts)})"


def interpolation_explorer(
    rows: Mapping[str, np.ndarray], ts: Sequence[float], *, static: bool = True
) -> InterpolationExplorer:
    """A slider that walks along latent interpolations, with :func:`plot_interpolation`
    displayed first as the static figure (it renders where widgets do not). Introduced in
    ``12_gans``.

    Args:
        rows: name -> (steps, h, w, c) images in [0, 1], one per position in ``ts``.
        ts: the positions t in [0, 1].
        static: also display the static figure.
    """
    steps = {len(v) for v in rows.values()}
    if not rows or steps != {len(ts)}:
        raise ValueError(
            f"every row needs one image per t ({len(ts)} positions); got row lengths "
            f"{sorted(steps)}"
        )
    if static:
        from IPython.display import display

        fig = plot_interpolation(rows, ts)
        display(fig)
        plt.close(fig)
    return InterpolationExplorer(rows, ts)


__all__ = [
    "InterpolationExplorer",
    "compare_gan_losses",
    "interpolation_explorer",
    "plot_class_coverage",
    "plot_gan_losses",
    "plot_interpolation",
    "show_snapshots",
]
