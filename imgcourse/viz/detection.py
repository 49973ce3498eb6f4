"""Figures of ``09_object_detection``: boxes with one readable label each, anchor boxes beside
the centre grid, and precision-recall curves per class.

Boxes are ``(ymin, xmin, ymax, xmax)`` in pixels, as in ``imgcourse.metrics.detection``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle


def _colour(k: int):
    colours = plt.get_cmap("tab10").colors
    return colours[int(k) % len(colours)]


def _overlaps(a, b, margin: float = 1.0) -> bool:
    """Whether two display boxes overlap or come within ``margin`` pixels."""
    return not (
        a.x1 + margin <= b.x0
        or b.x1 + margin <= a.x0
        or a.y1 + margin <= b.y0
        or b.y1 + margin <= a.y0
    )


def draw_boxes(
    ax: plt.Axes,
    entry: dict,
    class_names: Sequence[str],
    *,
    min_score: float | None = None,
) -> int:
    """Draw one image's boxes on ``ax``, each with one label (class, and score if given).

    ``entry`` holds ``boxes`` (k, 4) and ``labels`` (k,), and ``scores`` (k,) for detections;
    boxes scoring below ``min_score`` are skipped. Labels go inside the box's top edge, or
    elsewhere around the box when that spot already holds a label; draw them after the
    figure's layout is set (``tight_layout``). Returns the number of boxes drawn.
    """
    boxes = np.asarray(entry["boxes"], float).reshape(-1, 4)
    labels = np.asarray(entry["labels"]).reshape(-1)
    scores = entry.get("scores")
    order = np.argsort(-np.asarray(scores)) if scores is not None else np.arange(len(boxes))
    renderer = ax.figure.canvas.get_renderer()
    taken: list = []
    drawn = 0
    for i in order:
        if scores is not None and min_score is not None and scores[i] < min_score:
            continue
        y0, x0, y1, x1 = boxes[i]
        colour = _colour(labels[i])
        ax.add_patch(
            Rectangle(
                (x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=colour, linewidth=1.5
            )
        )
        text = class_names[int(labels[i])]
        if scores is not None:
            text += f" {scores[i]:.2f}"
        label = ax.text(
            x0 - 0.5,
            y0 - 0.5,
            text,
            color="white",
            fontsize=7,
            va="top",
            clip_on=True,
            bbox={"facecolor": colour, "pad": 0.6, "linewidth": 0, "alpha": 0.9},
        )
        # inside the top edge, inside the bottom edge, above, below: the first free spot
        for x, y, va in ((x0, y0, "top"), (x0, y1, "bottom"), (x0, y0, "bottom"), (x0, y1, "top")):
            label.set_position((x - 0.5, y - 0.5))
            label.set_va(va)
            extent = label.get_window_extent(renderer)
            if not any(_overlaps(extent, other) for other in taken):
                break
        else:  # every spot holds a label: go down from the top edge until one is free
            label.set_position((x0 - 0.5, y0 - 0.5))
            label.set_va("top")
            for _ in range(len(taken)):
                extent = label.get_window_extent(renderer)
                hits = [other for other in taken if _overlaps(extent, other)]
                if not hits:
                    break
                below = min(other.y0 for other in hits) - 1  # display y grows upwards
                y = ax.transData.inverted().transform((extent.x0, below))[1]
                label.set_position((x0 - 0.5, y))
        taken.append(label.get_window_extent(renderer))
        drawn += 1
    return drawn


def show_detections(
    images: np.ndarray,
    ground_truths: Sequence[dict],
    detections: Sequence[dict],
    class_names: Sequence[str],
    *,
    titles: Sequence[str] | None = None,
    min_score: float = 0.3,
    cell: float = 2.2,
) -> plt.Figure:
    """True boxes (top row) above the detector's boxes (bottom row), one column per image.

    ``images`` (n, H, W, 3) in [0, 1]; ground truths and detections as in
    ``imgcourse.metrics.detection_metrics``. Only detections scoring at least ``min_score``
    are drawn; every box carries one label (class, and score for detections), placed so that
    no two labels of a panel overlap. Colours follow the class.
    """
    n = len(images)
    if not len(ground_truths) == len(detections) == n:
        raise ValueError(
            f"give one ground truth and one detection dict per image: got {n} images, "
            f"{len(ground_truths)} ground truths, {len(detections)} detections"
        )
    side = float(np.shape(images)[1])
    fig, axes = plt.subplots(2, n, figsize=(cell * n, cell * 2 + 0.3), squeeze=False)
    for c in range(n):
        for r in range(2):
            axes[r, c].imshow(np.clip(images[c], 0, 1))
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        if titles is not None:
            axes[0, c].set_title(titles[c], fontsize=8)
    axes[0, 0].set_ylabel("truth", fontsize=9)
    axes[1, 0].set_ylabel(f"detections >= {min_score:g}", fontsize=9)
    fig.tight_layout()  # before the labels, which are placed in the final layout
    for c in range(n):
        for r, entry in enumerate((ground_truths[c], detections[c])):
            axes[r, c].set_xlim(-0.5, side - 0.5)
            axes[r, c].set_ylim(side - 0.5, -0.5)
            draw_boxes(axes[r, c], entry, class_names, min_score=min_score if r else None)
    return fig


def anchor_boxes(
    centre: tuple[float, float], sizes: Sequence[float], ratios: Sequence[float]
) -> np.ndarray:
    """Anchor boxes around one centre (y, x) pixels: one per size (the square root of the
    area, pixels) and height/width ratio -> (len(sizes) * len(ratios), 4) boxes."""
    cy, cx = centre
    out = []
    for s in sizes:
        for r in ratios:
            h, w = s * np.sqrt(r), s / np.sqrt(r)
            out.append([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2])
    return np.asarray(out, float)


def show_anchors_and_centres(
    image: np.ndarray,
    box: Sequence[float],
    anchors: np.ndarray,
    anchor_ious: np.ndarray,
    *,
    stride: int,
    size_cells: tuple[float, float],
) -> plt.Figure:
    """Two ways to predict one object ``box``: panel 1, anchor boxes at the cell holding its
    centre (the anchor of highest IoU, ``anchor_ious``, drawn thick: it would be trained to
    stretch into the box); panel 2, the centre-heatmap way: the centre cell on a grid of
    ``stride``-pixel cells and the height and width (``size_cells``, in cells) it predicts.
    """
    side = image.shape[0]
    fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.9))
    y0, x0, y1, x1 = box
    cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
    best = int(np.argmax(anchor_ious))
    for ax in axes:
        ax.imshow(np.clip(image, 0, 1), alpha=0.55)
        for g in np.arange(0, side + 1, stride):
            ax.axhline(g - 0.5, color="white", linewidth=0.4)
            ax.axvline(g - 0.5, color="white", linewidth=0.4)
        ax.add_patch(
            Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor="black", lw=2)
        )
        ax.set_xlim(-0.5, side - 0.5)
        ax.set_ylim(side - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
    for k, (a0, b0, a1, b1) in enumerate(anchors):
        thick = k == best
        axes[0].add_patch(
            Rectangle(
                (b0 - 0.5, a0 - 0.5),
                b1 - b0,
                a1 - a0,
                fill=False,
                edgecolor="tab:red" if thick else "tab:orange",
                lw=2.2 if thick else 0.9,
                ls="-" if thick else "--",
            )
        )
    _ = axes[0].set_title(
        f"1: {len(anchors)} anchors at one cell\n(best IoU {anchor_ious[best]:.2f}, thick)",
        fontsize=9,
    )
    r, q = int(cy // stride), int(cx // stride)
    axes[1].add_patch(
        Rectangle((q * stride - 0.5, r * stride - 0.5), stride, stride, color="tab:red", alpha=0.8)
    )
    h, w = size_cells[0] * stride, size_cells[1] * stride
    arrow = {"arrowstyle": "<->", "color": "tab:blue", "lw": 1.6}
    axes[1].annotate("", (cx, cy - h / 2), (cx, cy + h / 2), arrowprops=arrow)
    axes[1].annotate("", (cx - w / 2, cy), (cx + w / 2, cy), arrowprops=arrow)
    _ = axes[1].set_title(
        f"2: centre cell (red) + size\n({size_cells[0]:.1f} x {size_cells[1]:.1f} cells, blue)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def show_pr_curves(
    curves: Sequence[dict], class_names: Sequence[str], recall_points: np.ndarray
) -> plt.Figure:
    """One panel per class: precision against recall after each ranked detection (thin grey),
    its envelope (the best precision at that recall or beyond, blue), and the envelope read at
    ``recall_points`` (dots), whose mean is the AP given in the title.

    ``curves``: one dict per class with ``recall``, ``precision`` (as
    ``imgcourse.metrics.detection.precision_recall_curve`` returns), ``envelope`` (the
    precision at each of ``recall_points``) and ``ap``.
    """
    fig, axes = plt.subplots(1, len(curves), figsize=(3.1 * len(curves), 2.9), squeeze=False)
    for k, (ax, cur) in enumerate(zip(axes[0], curves)):
        ax.plot(cur["recall"], cur["precision"], color="0.6", lw=1, label="after each box")
        ax.step(
            recall_points, cur["envelope"], where="post", color="tab:blue", lw=1.6, label="envelope"
        )
        ax.plot(recall_points[::5], cur["envelope"][::5], ".", color="tab:blue", ms=3)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("recall")
        _ = ax.set_title(f"{k + 1}: {class_names[k]}, AP@0.5 {cur['ap']:.3f}", fontsize=9)
    axes[0, 0].set_ylabel("precision")
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig
