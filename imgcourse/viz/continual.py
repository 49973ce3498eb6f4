"""Figures for ``18_continuous_learning``: the phases of a drifting stream, the deployed model's
accuracy and confidence over time with change points and detector alarms, and the update
strategies' old/new accuracy and cost over seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def _show(ax: plt.Axes, image: np.ndarray) -> None:
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
    else:
        ax.imshow(np.clip(image, 0, 1))
    ax.set_xticks([])
    ax.set_yticks([])


def show_phases(
    phases: Sequence, *, per_phase: int = 6, class_names: Sequence[str] | None = None
) -> plt.Figure:
    """One row per phase (an ImageSet each): its first ``per_phase`` images, titled by label.

    Rows are numbered in their label, "1 · before" and so on, so the text can name them.
    """
    if not phases:
        raise ValueError("phases is empty: give the list of phase ImageSets")
    rows = len(phases)
    fig, axes = plt.subplots(rows, per_phase, figsize=(1.3 * per_phase, 1.45 * rows), squeeze=False)
    for r, phase in enumerate(phases):
        names = class_names or phase.class_names
        for c in range(per_phase):
            ax = axes[r, c]
            _show(ax, phase.images[c])
            ax.set_title(names[int(phase.labels[c])], fontsize=8)
        axes[r, 0].set_ylabel(f"{r + 1} · {phase.name}", fontsize=9)
    fig.tight_layout()
    return fig


def plot_stream(
    accuracy: np.ndarray,
    confidence: np.ndarray,
    change_points: Sequence[int],
    alarms: Mapping[str, Sequence[int]] | None = None,
    *,
    phase_names: Sequence[str] = (),
) -> plt.Figure:
    """Panel 1: accuracy per batch; panel 2: mean confidence per batch, over the stream.

    Dashed vertical lines mark the true change points (labelled with the phase that starts);
    each detector's alarms are markers on panel 2, one row of markers per detector.
    """
    t = np.arange(len(accuracy))
    fig, axes = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    axes[0].plot(t, accuracy, "o-", ms=3, color="C0")
    axes[0].set_ylabel("accuracy")
    axes[0].set_ylim(0, 1.02)
    axes[0].set_title("1 · accuracy of the deployed model on each batch (needs labels)", fontsize=9)
    axes[1].plot(t, confidence, "o-", ms=3, color="C1")
    axes[1].set_ylabel("mean confidence")
    axes[1].set_xlabel("batch of the stream (time)")
    axes[1].set_title("2 · its mean max-softmax confidence (needs no labels)", fontsize=9)
    low = float(np.min(confidence))
    for ax in axes:
        for i, cp in enumerate(change_points):
            ax.axvline(cp - 0.5, color="black", ls="--", lw=1)
            if ax is axes[0] and i + 1 < len(phase_names):
                ax.text(cp, 0.05, f" {phase_names[i + 1]}", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    markers = ["v", "^", "s", "D"]
    for k, (name, at) in enumerate((alarms or {}).items()):
        at = np.asarray(at, dtype=int)
        y = np.full(len(at), low - 0.03 * (k + 1))
        axes[1].scatter(at, y, marker=markers[k % 4], color=f"C{k + 2}", label=f"{name} alarm")
    if alarms:
        axes[1].legend(fontsize=8, loc="upper right", frameon=False)
    fig.tight_layout()
    return fig


def plot_strategies(
    table: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    before: tuple[float, float] | None = None,
) -> plt.Figure:
    """Panel 1: accuracy on old data against accuracy on new data, one point per seed and
    strategy (a cross: the mean); panel 2: seconds per update, dots per seed, bar the mean.

    Args:
        table: strategy -> {"old": [...], "new": [...], "seconds": [...]}, one value per seed.
        before: (old, new) accuracy of the deployed model before any update, drawn as a star.
    """
    if not table:
        raise ValueError("table is empty: give strategy -> {'old', 'new', 'seconds'} lists")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1.3, 1]})
    for i, (name, runs) in enumerate(table.items()):
        old, new = np.asarray(runs["old"]), np.asarray(runs["new"])
        axes[0].scatter(new, old, color=f"C{i}", alpha=0.6, label=name)
        axes[0].scatter(new.mean(), old.mean(), color=f"C{i}", marker="X", s=120)
        secs = np.asarray(runs["seconds"])
        axes[1].bar(i, secs.mean(), color=f"C{i}", alpha=0.5)
        axes[1].scatter(np.full(len(secs), i), secs, color=f"C{i}", zorder=3)
    if before is not None:
        axes[0].scatter(before[1], before[0], marker="*", s=200, color="black", label="deployed")
    axes[0].set_xlabel("accuracy on new data")
    axes[0].set_ylabel("accuracy on old data")
    axes[0].set_title("1 · old against new (top right is best; X = mean)", fontsize=9)
    axes[0].legend(fontsize=8, frameon=False)
    axes[1].set_xticks(range(len(table)), list(table), fontsize=8)
    axes[1].set_ylabel("seconds per update")
    axes[1].set_title("2 · cost (bar: mean; dots: seeds)", fontsize=9)
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
