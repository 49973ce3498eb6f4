"""Figures of ``17_deployment_and_on_device``: size, accuracy and latency per exported format,
and where the time of a video loop goes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter


def _log_axis(ax: plt.Axes, values: np.ndarray, fmt: str, ends: np.ndarray | None = None) -> None:
    """A log x axis with plain numbers at the ticks, and each bar's value written just past
    ``ends`` (the bar's end, or its whisker's)."""
    ends = values if ends is None else ends
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(values.min() / 2, ends.max() * 5)
    for i, (v, e) in enumerate(zip(values, ends)):
        ax.annotate(
            format(v, fmt),
            (e, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )


def plot_deployment(
    names: Sequence[str],
    size_kb: Sequence[float],
    accuracy: Sequence[float],
    median_ms: Sequence[float],
    p10_ms: Sequence[float],
    p90_ms: Sequence[float],
    *,
    title: str | None = None,
) -> plt.Figure:
    """Three panels, one bar per format: 1 file size (KB, log scale), 2 test accuracy,
    3 latency per image at batch 1 (median, whiskers from the 10th to the 90th percentile,
    log scale). Introduced in ``17_deployment_and_on_device``."""
    n = len(names)
    if not (len(size_kb) == len(accuracy) == len(median_ms) == len(p10_ms) == len(p90_ms) == n):
        raise ValueError("every sequence needs one value per name")
    y = np.arange(n)
    colours = plt.cm.tab10(np.arange(n) % 10)
    fig, axes = plt.subplots(1, 3, figsize=(12, 0.45 * n + 1.4), sharey=True)
    axes[0].barh(y, size_kb, color=colours)
    _log_axis(axes[0], np.asarray(size_kb, float), ".0f")
    axes[0].set_xlabel("file size (KB, log scale)")
    axes[0].set_title("1 · size on disk")
    acc = np.asarray(accuracy, float)
    axes[1].barh(y, 100 * acc, color=colours)
    low = max(0.0, 100 * acc.min() - 5)
    axes[1].set_xlim(low, min(100.0, 100 * acc.max() + 2))
    axes[1].set_xlabel("test accuracy (%)")
    axes[1].set_title("2 · accuracy (axis cut)")
    med = np.asarray(median_ms, float)
    err = np.vstack([med - np.asarray(p10_ms), np.asarray(p90_ms) - med])
    axes[2].barh(y, med, xerr=err, color=colours, capsize=3)
    _log_axis(axes[2], med, ".3g", np.asarray(p90_ms, float))
    axes[2].set_xlabel("ms per image, batch 1 (log scale)")
    axes[2].set_title("3 · latency (p10-p90)")
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    for ax in axes:
        ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_stream_stages(
    stage_ms: Mapping[str, np.ndarray], budget: float, *, title: str | None = None
) -> plt.Figure:
    """Panel 1: milliseconds of each stage and of the whole frame (black), frame by frame,
    on a log scale, with the frame budget as a dashed line; panel 2: each stage's median
    milliseconds per frame. Introduced in ``17_deployment_and_on_device``."""
    stages = list(stage_ms)
    values = np.array([np.asarray(stage_ms[s], float) for s in stages])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6), width_ratios=[2, 1])
    frames = np.arange(values.shape[1])
    for i, stage in enumerate(stages):
        ax1.plot(frames, values[i], color=f"C{i}", lw=0.9, label=stage)
    ax1.plot(frames, values.sum(0), color="k", lw=1.4, label="whole frame")
    ax1.axhline(budget, color="k", linestyle="--", lw=1, label=f"budget {budget:.1f} ms")
    ax1.set_yscale("log")
    ax1.set_ylim(max(values.min(), 1e-3) / 1.5, max(budget, values.sum(0).max()) * 12)
    ax1.set_xlabel("frame")
    ax1.set_ylabel("ms (log scale)")
    ax1.set_title("1 · time per frame, by stage")
    ax1.legend(loc="upper left", fontsize=8, ncol=6)
    med = np.median(values, axis=1)
    ax2.bar(stages, med, color=[f"C{i}" for i in range(len(stages))])
    ax2.set_ylabel("median ms per frame")
    ax2.set_title("2 · median per stage")
    for i, v in enumerate(med):
        ax2.annotate(f"{v:.2f}", (i, v), ha="center", va="bottom", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
