"""Figures of ``07_evaluation_and_fairness``: reliability diagrams, ROC/PR, interval widths,
seed trade-offs."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_reliability(bins: dict, *, titles: Sequence[str] | None = None) -> plt.Figure:
    """Reliability diagrams side by side, with the share of predictions per bin below.

    Args:
        bins: name -> an :class:`imgcourse.metrics.ReliabilityBins`; each top panel draws
            the accuracy of each confidence bin as a bar, the diagonal a calibrated model
            would follow, and the gap between the bar and the bin's mean confidence
            hatched in red (above the bar: over-confident; inside it: under-confident);
            the panel below shows how many
            predictions fall in each bin.
        titles: one title per entry; "n · name: ECE x.xxx" if None.
    Introduced in ``07_evaluation_and_fairness``.
    """
    if not bins:
        raise ValueError("bins is empty: give name -> ReliabilityBins")
    if titles is not None and len(titles) != len(bins):
        raise ValueError(f"{len(titles)} titles for {len(bins)} diagrams: give one each")
    fig, axes = plt.subplots(
        2,
        len(bins),
        figsize=(3.6 * len(bins), 4.6),
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 1]},
        sharex=True,
    )
    for i, (name, b) in enumerate(bins.items()):
        top, bottom = axes[0, i], axes[1, i]
        width = np.diff(b.edges)
        seen = b.counts > 0
        left = b.edges[:-1][seen]
        top.bar(
            left,
            b.accuracy[seen],
            width=width[seen],
            align="edge",
            color="C0",
            edgecolor="white",
            label="accuracy",
        )
        gap = b.confidence[seen] - b.accuracy[seen]
        top.bar(
            left,
            np.abs(gap),
            bottom=np.minimum(b.accuracy, b.confidence)[seen],
            width=width[seen],
            align="edge",
            fill=False,
            hatch="///",
            edgecolor="crimson",
            lw=0.8,
            label="gap to mean confidence",
        )
        top.plot([0, 1], [0, 1], "k--", lw=1, label="calibrated")
        top.set(xlim=(0, 1), ylim=(0, 1), ylabel="accuracy in the bin" if i == 0 else None)
        top.set_title(titles[i] if titles else f"{i + 1} · {name}: ECE {b.ece:.3f}", fontsize=10)
        bottom.bar(b.edges[:-1], b.counts / b.counts.sum(), width=width, align="edge", color="grey")
        bottom.set(xlabel="confidence", ylabel="share" if i == 0 else None, ylim=(0, 1))
        for ax in (top, bottom):
            ax.spines[["top", "right"]].set_visible(False)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_roc_pr(labels: np.ndarray, probs: np.ndarray, class_names: Sequence[str]) -> plt.Figure:
    """One-vs-rest ROC curves (panel 1) and precision-recall curves (panel 2), one line
    per class, with the area under each curve in the legend (scikit-learn computes both).

    Args:
        labels: (n,) int class indices.
        probs: (n, num_classes) probabilities; class k's score is column k.
    Introduced in ``07_evaluation_and_fairness``.
    """
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2 or probs.shape[1] != len(class_names) or len(probs) != len(labels):
        raise ValueError(
            f"probs must be (n, {len(class_names)}) for {len(labels)} labels; got {probs.shape}"
        )
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(9.0, 3.8))
    for k, name in enumerate(class_names):
        positive = labels == k
        if positive.all() or not positive.any():
            continue  # a curve needs both positives and negatives
        fpr, tpr, _ = roc_curve(positive, probs[:, k])
        auc = roc_auc_score(positive, probs[:, k])
        roc_ax.plot(fpr, tpr, color=f"C{k}", label=f"{name} (AUC {auc:.3f})")
        precision, recall, _ = precision_recall_curve(positive, probs[:, k])
        ap = average_precision_score(positive, probs[:, k])
        pr_ax.plot(recall, precision, color=f"C{k}", label=f"{name} (AP {ap:.3f})")
        pr_ax.axhline(positive.mean(), color=f"C{k}", lw=0.8, ls=":")
    roc_ax.plot([0, 1], [0, 1], "k--", lw=1, label="chance")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate (recall)")
    roc_ax.set_title("1 · ROC, one class against the rest", fontsize=10)
    pr_ax.set(xlabel="recall", ylabel="precision", ylim=(0, 1.02))
    pr_ax.set_title("2 · precision-recall (dotted: chance)", fontsize=10)
    for ax in (roc_ax, pr_ax):
        ax.legend(fontsize=8, loc="lower left" if ax is pr_ax else "lower right")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_interval_widths(
    sizes: Sequence[int],
    widths: np.ndarray,
    *,
    theory: np.ndarray | None = None,
    level: float = 0.95,
) -> plt.Figure:
    """Width of a confidence interval against the number of test images (log-log axes).

    Args:
        sizes: (m,) test-set sizes.
        widths: (m,) or (m, r) interval widths (r repeats: the mean is drawn with the
            spread as a band).
        theory: (m,) widths from a formula, drawn dashed.
    Introduced in ``07_evaluation_and_fairness``.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    sizes = np.asarray(sizes)
    widths = np.asarray(widths, np.float64).reshape(len(sizes), -1)
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    mean = widths.mean(axis=1)
    ax.plot(sizes, mean, "o-", color="C0", label="bootstrap")
    if widths.shape[1] > 1:
        ax.fill_between(
            sizes,
            widths.min(axis=1),
            widths.max(axis=1),
            color="C0",
            alpha=0.2,
            lw=0,
            label="range over repeats",
        )
    if theory is not None:
        ax.plot(sizes, theory, "k--", lw=1, label="formula")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel="test images", ylabel=f"width of the {level:.0%} interval")
    ax.grid(alpha=0.3, which="both")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_seed_tradeoff(
    runs: dict,
    x: str,
    y: str,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> plt.Figure:
    """Each condition's seeds as dots in the plane of two metrics, with the mean ± 1 std
    as a cross: which condition buys one metric at the cost of the other.

    Args:
        runs: condition name -> a :class:`imgcourse.train.SeedRuns` holding ``x`` and ``y``.
    Introduced in ``07_evaluation_and_fairness``.
    """
    if not runs:
        raise ValueError("runs is empty: give at least one condition's SeedRuns")
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    for i, (name, r) in enumerate(runs.items()):
        mean_x, mean_y = r.mean(x), r.mean(y)  # a KeyError naming the metrics recorded
        xs, ys = r.values[x], r.values[y]
        ax.scatter(xs, ys, color=f"C{i}", alpha=0.5, s=25)
        ax.errorbar(
            mean_x,
            mean_y,
            xerr=r.std(x),
            yerr=r.std(y),
            fmt="o",
            color=f"C{i}",
            markersize=8,
            capsize=4,
            label=f"{name} ({len(xs)} seeds)",
        )
    ax.set(xlabel=xlabel or x, ylabel=ylabel or y)
    ax.set_title(title or "dots: one seed each; crosses: mean ± 1 std", fontsize=9)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
