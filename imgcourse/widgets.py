"""Interactive explorers (ipywidgets), each with a static figure that renders everywhere.

Widgets need a live kernel and a front end that runs their JavaScript; VS Code, hosted
services, nbval and the book do not always have both. So every explorer here also draws a
matplotlib figure holding the same lesson, and no lesson lives only in a widget.

``kernel_playground`` is introduced in ``02_cnn_basics``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

#: Classic 3x3 kernels, applied as cross-correlation (as ``keras.layers.Conv2D`` does).
PRESET_KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32),
    "blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float32) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32),
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32),
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32),
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], np.float32),
}

#: Weights summing to less than this (in absolute value) count as summing to 0.
_SUM_ZERO_TOLERANCE = 1e-6


def _check_kernel(kernel: Any) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim != 2 or k.shape[0] % 2 == 0 or k.shape[1] % 2 == 0:
        raise ValueError(
            f"kernel must be a 2-D array with odd height and width (such as 3x3); got shape "
            f"{k.shape}"
        )
    if not np.all(np.isfinite(k)):
        raise ValueError("kernel contains NaN or infinite values")
    return k


def _check_image(image: Any) -> np.ndarray:
    img = np.asarray(image, dtype=np.float32)
    if img.ndim not in (2, 3):
        raise ValueError(
            f"image must be (height, width) or (height, width, channels); got shape {img.shape}"
        )
    return img


def filter_image(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Slide a small kernel over an image: each output pixel is the weighted sum of the
    input pixels under the kernel (cross-correlation, the kernel is not flipped).

    Borders are handled by mirroring the image, so the output has the input's size (a
    ``Conv2D`` layer pads with zeros instead; away from the border the two agree).

    Args:
        image: (height, width) or (height, width, channels) floats; each channel is
            filtered on its own.
        kernel: (kh, kw) weights, kh and kw odd.

    Returns:
        float32 array of the image's shape. Not clipped: edge kernels give negative values.

    Example:
        >>> filter_image(np.eye(4), PRESET_KERNELS["identity"]).shape
        (4, 4)
    """
    img = _check_image(image)
    k = _check_kernel(kernel)
    kh, kw = k.shape
    ph, pw = kh // 2, kw // 2
    height, width = img.shape[:2]
    if height <= max(ph, pw) or width <= max(ph, pw):
        raise ValueError(f"image of {height}x{width} pixels is too small for a {kh}x{kw} kernel")
    from scipy.ndimage import correlate

    weights = k if img.ndim == 2 else k[..., None]  # each channel on its own
    return correlate(img, weights.astype(img.dtype), mode="mirror")


def for_display(filtered: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Map a filtered image to [0, 1] for showing it.

    Kernels whose weights sum to 0 (edge detectors) turn flat areas into 0 and give signed
    responses: they are shown with mid-grey for 0, white for strong positive and black for
    strong negative responses (scaled so that the strongest 0.5% saturate, which keeps one
    extreme pixel from washing out the rest). Other kernels are clipped to [0, 1].
    """
    if abs(float(np.sum(kernel))) < _SUM_ZERO_TOLERANCE:
        scale = max(float(np.percentile(np.abs(filtered), 99.5)), 1e-8)
        return np.clip(0.5 + 0.5 * filtered / scale, 0.0, 1.0)
    return np.clip(filtered, 0.0, 1.0)


def _kernel_effect(kernel: np.ndarray) -> str:
    total = float(np.sum(kernel))
    if abs(total) < _SUM_ZERO_TOLERANCE:
        return (
            "weights sum to 0: flat areas become 0 (mid-grey here); only changes in "
            "brightness survive"
        )
    if abs(total - 1.0) < _SUM_ZERO_TOLERANCE:
        return "weights sum to 1: flat areas keep their brightness"
    return f"weights sum to {total:.2f}: flat areas are scaled by that factor"


def _default_image() -> np.ndarray:
    from imgcourse.data import load_photo

    # a 256x256 full-resolution crop (head and camera): fast to filter live, and detailed
    # enough for 3x3 kernels to make a visible difference
    return load_photo("camera")[40:296, 100:356]


def _check_kernels(kernels: Mapping[str, Any] | None, size: tuple[int, int] | None) -> dict:
    kernels = PRESET_KERNELS if kernels is None else kernels
    if not kernels:
        raise ValueError("kernels must name at least one kernel")
    checked = {str(name): _check_kernel(k) for name, k in kernels.items()}
    if size is not None:
        wrong = {n: k.shape for n, k in checked.items() if k.shape != size}
        if wrong:
            raise ValueError(f"the playground edits {size[0]}x{size[1]} kernels; got {wrong}")
    return checked


def plot_filtered(
    image: np.ndarray | None = None, kernels: Mapping[str, Any] | None = None
) -> plt.Figure:
    """The image filtered by every kernel: the kernels' weights above, the results below.

    Args:
        image: (height, width) or (height, width, 3) floats in [0, 1]; default the
            scikit-image camera man, a 256x256 crop.
        kernels: name -> (kh, kw) weights; default :data:`PRESET_KERNELS`.
    """
    img = _default_image() if image is None else _check_image(image)
    checked = _check_kernels(kernels, None)
    n = len(checked)
    aspect = img.shape[0] / img.shape[1]
    fig, axes = plt.subplots(
        2,
        n,
        figsize=(2.0 * n, 2.4 + 2.0 * aspect),
        squeeze=False,
        gridspec_kw={"height_ratios": [1, 2 * aspect]},
    )
    for col, (name, k) in enumerate(checked.items()):
        top, bottom = axes[0, col], axes[1, col]
        limit = max(float(np.abs(k).max()), 1e-8)
        top.imshow(k, cmap="RdBu_r", vmin=-limit, vmax=limit)
        if k.size <= 25:
            for (r, c), v in np.ndenumerate(k):
                colour = "white" if abs(v) > 0.6 * limit else "black"
                top.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=8, color=colour)
        top.set_title(name, fontsize=10)
        shown = for_display(filter_image(img, k), k)
        gray = shown.ndim == 2 or shown.shape[-1] == 1
        bottom.imshow(np.squeeze(shown), cmap="gray" if gray else None, vmin=0, vmax=1)
        for ax in (top, bottom):
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    return fig


def _png(array: np.ndarray, min_side: int = 256) -> bytes:
    from PIL import Image

    arr = np.squeeze(np.clip(array, 0, 1))
    pil = Image.fromarray((arr * 255).round().astype(np.uint8))
    scale = int(np.ceil(min_side / min(pil.size)))
    if scale > 1:  # small images: enlarge with visible pixels
        pil = pil.resize((pil.size[0] * scale, pil.size[1] * scale), Image.NEAREST)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


class KernelPlayground(w.VBox):
    """A preset menu, nine editable weights and the filtered image, updated live."""

    def __init__(self, image: np.ndarray, kernels: dict[str, np.ndarray]) -> None:
        self.image = image
        self.kernels = kernels
        first = next(iter(kernels))
        self.preset = w.Dropdown(options=[*kernels, "custom"], value=first, description="kernel")
        self.weights = [
            w.FloatText(value=float(v), step=0.25, layout=w.Layout(width="70px"))
            for v in kernels[first].ravel()
        ]
        self.effect = w.HTML()
        self.view = w.Image(format="png")
        self._updating = False
        self.preset.observe(self._on_preset, names="value")
        for field_ in self.weights:
            field_.observe(self._on_weight, names="value")
        grid = w.GridBox(self.weights, layout=w.Layout(grid_template_columns="repeat(3, 75px)"))
        controls = w.VBox([self.preset, grid, self.effect])
        super().__init__([w.HBox([controls, self.view])])
        self._redraw()

    @property
    def kernel(self) -> np.ndarray:
        """The 3x3 weights currently in the boxes."""
        return np.array([f.value for f in self.weights], np.float32).reshape(3, 3)

    def _on_preset(self, change: dict) -> None:
        if change["new"] == "custom":
            return
        self._updating = True
        try:
            for field_, v in zip(self.weights, self.kernels[change["new"]].ravel()):
                field_.value = float(v)
        finally:
            self._updating = False
        self._redraw()

    def _on_weight(self, change: dict) -> None:
        if self._updating:
            return
        self._updating = True
        try:
            self.preset.value = "custom"
        finally:
            self._updating = False
        self._redraw()

    def _redraw(self) -> None:
        k = self.kernel
        self.view.value = _png(for_display(filter_image(self.image, k), k))
        self.effect.value = f"<i>{_kernel_effect(k)}</i>"

    def __repr__(self) -> str:  # the text/plain output: stable from run to run
        h, w_ = self.image.shape[:2]
        return f"KernelPlayground(preset={self.preset.value!r}, image={h}x{w_})"


def kernel_playground(
    image: np.ndarray | None = None,
    kernels: Mapping[str, Any] | None = None,
    *,
    static: bool = True,
) -> KernelPlayground:
    """Explore 3x3 kernels: pick a preset or edit the nine weights, see the image filtered.

    With ``static`` (the default) it first displays :func:`plot_filtered` (the image under
    every preset), which renders where widgets do not. Make the widget the last line of a
    cell to display it.

    Args:
        image: (height, width) or (height, width, channels) floats in [0, 1]; default the
            scikit-image camera man, a 256x256 crop.
        kernels: name -> 3x3 weights; default :data:`PRESET_KERNELS`.
        static: also display the static figure.

    Returns:
        The widget (a :class:`KernelPlayground`, an ``ipywidgets.VBox``); ``.kernel`` holds
        the current weights.
    """
    img = _default_image() if image is None else _check_image(image)
    checked = _check_kernels(kernels, (3, 3))
    if static:
        from IPython.display import display

        fig = plot_filtered(img, checked)
        display(fig)
        plt.close(fig)
    return KernelPlayground(img, checked)


__all__ = [
    "PRESET_KERNELS",
    "KernelPlayground",
    "filter_image",
    "for_display",
    "kernel_playground",
    "plot_filtered",
]


# ------------------------------------------------- augmentation explorer (03_data_and_augmentation)

#: The explorer's sliders: name -> (largest value, step); the defaults are augment.DEFAULTS.
_AUGMENT_SLIDERS = {
    "rotation": (0.5, 0.01),
    "translation": (0.5, 0.02),
    "zoom": (0.9, 0.05),
    "contrast": (1.0, 0.05),
}


def _photo_for_augmentation() -> np.ndarray:
    from imgcourse.data import load_photo

    # the cat's head from scikit-image's chelsea, 300x300, a third of it: 100x100
    return load_photo("chelsea")[:, 90:390][::3, ::3].copy()


def plot_augmentation_steps(
    image: np.ndarray | None = None, *, draws: int = 5, seed: int = 0, **params: Any
) -> plt.Figure:
    """One row per augmentation step (at its setting in ``params``), then all together.

    Each row shows the image and ``draws`` random draws of that one step alone, made with
    :func:`imgcourse.data.augment.tf_augment`; the last row uses every step at once.

    Args:
        image: (h, w, 3) floats in [0, 1]; default a crop of scikit-image's cat.
        params: flip, rotation, translation, zoom, contrast; missing ones take
            ``augment.DEFAULTS``.
    """
    from imgcourse.data.augment import DEFAULTS, tf_augment

    img = _photo_for_augmentation() if image is None else _check_image(image)
    if img.ndim != 3:
        raise ValueError(f"image must be (height, width, channels); got shape {img.shape}")
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(
            f"unknown augmentation parameter(s) {sorted(unknown)}; use {sorted(DEFAULTS)}"
        )
    settings = {**DEFAULTS, **params}
    off = {"flip": False, "rotation": 0.0, "translation": 0.0, "zoom": 0.0, "contrast": 0.0}
    rows = {f"{k} {settings[k]}": {**off, k: settings[k]} for k in DEFAULTS}
    rows["all together"] = settings
    batch = np.repeat(img[None], draws, axis=0)
    fig, axes = plt.subplots(
        len(rows), draws + 1, figsize=(1.4 * (draws + 1), 1.45 * len(rows)), squeeze=False
    )
    for r, (label, kwargs) in enumerate(rows.items()):
        out = np.asarray(tf_augment(batch, **kwargs, seed=seed + r))
        for c, shown in enumerate([img, *out]):
            ax = axes[r, c]
            grey = shown.shape[-1] == 1
            ax.imshow(np.clip(np.squeeze(shown), 0, 1), cmap="gray" if grey else None)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=8)
        axes[r, 0].set_title("original" if r == 0 else "", fontsize=8)
    for c in range(1, draws + 1):
        axes[0, c].set_title(f"draw {c}", fontsize=8)
    fig.tight_layout()
    return fig


class AugmentationExplorer(w.VBox):
    """Sliders for the five augmentation steps and a grid of random draws, updated live."""

    def __init__(self, image: np.ndarray, draws: int = 6) -> None:
        from imgcourse.data.augment import DEFAULTS

        self.image = image
        self.draws = draws
        self._seed = 0
        self.flip = w.Checkbox(value=DEFAULTS["flip"], description="flip")
        self.sliders = {
            name: w.FloatSlider(
                value=DEFAULTS[name],
                min=0.0,
                max=top,
                step=step,
                description=name,
                continuous_update=False,
            )
            for name, (top, step) in _AUGMENT_SLIDERS.items()
        }
        self.again = w.Button(description="new draws")
        self.view = w.Image(format="png")
        self.flip.observe(lambda _: self._redraw(), names="value")
        for slider in self.sliders.values():
            slider.observe(lambda _: self._redraw(), names="value")
        self.again.on_click(self._new_draws)
        controls = w.VBox([self.flip, *self.sliders.values(), self.again])
        super().__init__([w.HBox([controls, self.view])])
        self._redraw()

    @property
    def params(self) -> dict[str, Any]:
        """The current settings, as keyword arguments of ``tf_augment``."""
        return {
            "flip": bool(self.flip.value),
            **{k: float(s.value) for k, s in self.sliders.items()},
        }

    def _new_draws(self, _button: Any = None) -> None:
        self._seed += 1
        self._redraw()

    def _redraw(self) -> None:
        from imgcourse.data.augment import tf_augment

        batch = np.repeat(self.image[None], self.draws, axis=0)
        out = np.asarray(tf_augment(batch, **self.params, seed=self._seed))
        cols = 3
        rows = int(np.ceil(self.draws / cols))
        h, w_, c = self.image.shape
        sheet = np.ones((rows * (h + 4), cols * (w_ + 4), c), np.float32)
        for i, shown in enumerate(out):
            r, col = divmod(i, cols)
            sheet[r * (h + 4) : r * (h + 4) + h, col * (w_ + 4) : col * (w_ + 4) + w_] = shown
        self.view.value = _png(sheet, min_side=300)

    def __repr__(self) -> str:  # the text/plain output: stable from run to run
        h, w_ = self.image.shape[:2]
        return f"AugmentationExplorer(image={h}x{w_}, draws={self.draws})"


def augmentation_explorer(
    image: np.ndarray | None = None, *, draws: int = 6, static: bool = True
) -> AugmentationExplorer:
    """Explore augmentation: sliders for flip, rotation, translation, zoom and contrast.

    With ``static`` (the default) it first displays :func:`plot_augmentation_steps` (each
    step alone, then all together), which renders where widgets do not. Introduced in
    ``03_data_and_augmentation``.

    Args:
        image: (h, w, 3) floats in [0, 1]; default a crop of scikit-image's cat.
        draws: random draws shown by the widget.
        static: also display the static figure.
    """
    img = _photo_for_augmentation() if image is None else _check_image(image)
    if img.ndim != 3:
        raise ValueError(f"image must be (height, width, channels); got shape {img.shape}")
    if static:
        from IPython.display import display

        fig = plot_augmentation_steps(img)
        display(fig)
        plt.close(fig)
    return AugmentationExplorer(img, draws=draws)


__all__ += ["AugmentationExplorer", "augmentation_explorer", "plot_augmentation_steps"]


# ------------------------------------------------------------ segmentation: foreground threshold

#: Thresholds the static figure of :func:`threshold_explorer` draws.
SHOWN_THRESHOLDS = (0.1, 0.5, 0.9)


def _check_threshold_inputs(images: Any, truth: Any, foreground: Any) -> tuple:
    images, truth, fg = np.asarray(images, np.float32), np.asarray(truth), np.asarray(foreground)
    if images.ndim != 4 or truth.shape != images.shape[:3] or fg.shape != truth.shape:
        raise ValueError(
            f"images (n, h, w, c), truth (n, h, w) and foreground (n, h, w) must agree; got "
            f"{images.shape}, {truth.shape} and {fg.shape}"
        )
    if fg.size and (fg.min() < 0 or fg.max() > 1):
        raise ValueError("foreground must hold probabilities in [0, 1] (1 - p(background))")
    return images, truth > 0, fg


def threshold_scores(truth: np.ndarray, foreground: np.ndarray, thresholds: Any) -> np.ndarray:
    """Foreground IoU (all pixels pooled) of ``foreground >= t`` against ``truth > 0``, per t."""
    from imgcourse.metrics import mask_iou

    t = np.asarray(truth) > 0
    return np.array([mask_iou(t, np.asarray(foreground) >= th) for th in thresholds])


def plot_thresholds(
    images: np.ndarray, truth: np.ndarray, foreground: np.ndarray, *, shown: int = 4
) -> plt.Figure:
    """Panel 1: foreground IoU against the threshold; then the first ``shown`` images with the
    predicted foreground at each of :data:`SHOWN_THRESHOLDS` (red) over the true outline."""
    from imgcourse.viz import overlay_mask

    images, t, fg = _check_threshold_inputs(images, truth, foreground)
    grid = np.linspace(0.02, 0.98, 49)
    scores = threshold_scores(t, fg, grid)
    shown = min(shown, len(images))
    fig = plt.figure(figsize=(3.2 + 1.5 * len(SHOWN_THRESHOLDS), 1.5 * shown + 0.4))
    spec = fig.add_gridspec(shown, 1 + len(SHOWN_THRESHOLDS), width_ratios=[2.2] + [1] * 3)
    ax = fig.add_subplot(spec[:, 0])
    ax.plot(grid, scores, color="k")
    best = grid[int(np.argmax(scores))]
    ax.axvline(best, color="crimson", ls="--", lw=1, label=f"best: {best:.2f}")
    ax.set_xlabel("threshold on 1 - p(background)")
    ax.set_ylabel("foreground IoU")
    ax.set_title("1 · IoU by threshold", fontsize=9)
    ax.legend(fontsize=8)
    for c, th in enumerate(SHOWN_THRESHOLDS, start=1):
        for r in range(shown):
            a = fig.add_subplot(spec[r, c])
            a.imshow(overlay_mask(images[r], (fg[r] >= th).astype(int), alpha=0.55))
            a.contour(t[r], levels=[0.5], colors="white", linewidths=0.8)
            a.set_xticks([])
            a.set_yticks([])
            if r == 0:
                a.set_title(f"{c + 1} · t = {th:.1f}", fontsize=9)
    fig.tight_layout()
    return fig


class ThresholdExplorer(w.VBox):
    """A threshold slider over a sheet of images with their predicted foreground, and the IoU."""

    def __init__(
        self, images: np.ndarray, truth: np.ndarray, foreground: np.ndarray, shown: int = 6
    ) -> None:
        self.images, self.truth, self.foreground = images[:shown], truth[:shown], foreground
        self._all_truth = truth
        self.slider = w.FloatSlider(
            value=0.5,
            min=0.02,
            max=0.98,
            step=0.02,
            description="threshold",
            continuous_update=False,
        )
        self.score = w.HTML()
        self.view = w.Image(format="png")
        self.slider.observe(lambda _: self._redraw(), names="value")
        super().__init__([w.HBox([self.slider, self.score]), self.view])
        self._redraw()

    def _redraw(self) -> None:
        from imgcourse.viz import overlay_mask

        th = float(self.slider.value)
        iou = threshold_scores(self._all_truth, self.foreground, [th])[0]
        self.score.value = f"foreground IoU over all images: <b>{iou:.3f}</b>"
        n = len(self.images)
        h, w_ = self.images.shape[1:3]
        sheet = np.ones((h, n * (w_ + 2), 3), np.float32)
        for i in range(n):
            pred = (self.foreground[i] >= th).astype(int)
            sheet[:, i * (w_ + 2) : i * (w_ + 2) + w_] = overlay_mask(
                self.images[i], pred, alpha=0.55
            )
        self.view.value = _png(sheet, min_side=120)

    def __repr__(self) -> str:  # the text/plain output: stable from run to run
        return f"ThresholdExplorer(images={len(self.images)}, threshold={self.slider.value:g})"


def threshold_explorer(
    images: np.ndarray, truth: np.ndarray, foreground: np.ndarray, *, static: bool = True
) -> ThresholdExplorer:
    """Explore the threshold that turns foreground probabilities into a mask.

    With ``static`` (the default) it first displays :func:`plot_thresholds` (the IoU at every
    threshold and overlays at three of them), which renders where widgets do not. Introduced
    in ``10_segmentation``.

    Args:
        images: (n, h, w, c) floats in [0, 1].
        truth: (n, h, w) int masks; every class above 0 counts as foreground.
        foreground: (n, h, w) probabilities of "not background", ``1 - probs[..., 0]``.
        static: also display the static figure.
    """
    images, t, fg = _check_threshold_inputs(images, truth, foreground)
    if static:
        from IPython.display import display

        fig = plot_thresholds(images, t, fg)
        display(fig)
        plt.close(fig)
    return ThresholdExplorer(images, t, fg)


__all__ += ["ThresholdExplorer", "plot_thresholds", "threshold_explorer", "threshold_scores"]
