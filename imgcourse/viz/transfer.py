"""Figures of ``06_transfer_learning``: accuracy against labels per class."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_label_curves(
    results: dict,
    *,
    methods: Sequence[str] | None = None,
    chance: float | None = None,
    title: str | None = None,
) -> plt.Figure:
    """Test accuracy against labelled images per class, one line per method.

    Each line is the mean over seeds with a ±1 standard deviation band; each seed's value is
    a dot beside it. The x axis is logarithmic, ticked at the label counts given.

    Args:
        results: labelled images per class (int, > 0) -> a :class:`imgcourse.train.SeedRuns`
            whose metrics are the methods' accuracies (fractions in [0, 1]).
        methods: which metrics to draw, in order; every metric of the first SeedRuns if None.
        chance: draw a dotted line at this accuracy (1 / number of classes), if given.
        title: the axes' title.
    Introduced in ``06_transfer_learning``.
    """
    if not results:
        raise ValueError("results is empty: give labels per class -> SeedRuns")
    counts = sorted(results)
    if counts[0] <= 0:
        raise ValueError(f"labels per class must be positive for a log axis; got {counts}")
    methods = list(methods) if methods is not None else list(results[counts[0]].values)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    x = np.asarray(counts, float)
    for i, method in enumerate(methods):
        mean = np.array([results[n].mean(method) for n in counts])
        std = np.array([results[n].std(method) for n in counts])
        ax.plot(x, mean, "o-", color=f"C{i}", label=method, zorder=3)
        ax.fill_between(x, mean - std, mean + std, color=f"C{i}", alpha=0.18, lw=0)
        for k, n in enumerate(counts):
            values = results[n].values[method]
            ax.scatter(
                np.full(len(values), x[k] * (1.04 + 0.03 * i)),
                values,
                s=10,
                color=f"C{i}",
                alpha=0.6,
                zorder=2,
            )
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", lw=1)
        ax.annotate(
            "chance",
            (x[0], chance),
            textcoords="offset points",
            xytext=(2, 3),
            fontsize=8,
            color="grey",
        )
    ax.set_xscale("log")
    ax.set_xticks(x, [str(n) for n in counts])
    ax.minorticks_off()
    ax.set(xlabel="labelled images per class (log scale)", ylabel="test accuracy")
    ax.set_title(title or "mean over seeds, band ±1 std, dots: one seed each", fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
