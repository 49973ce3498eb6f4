"""Figures of ``05_cnn_architectures``: depth curves and the architecture comparison."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_depth_curves(
    histories: dict, metric: str = "loss", *, ylabel: str | None = None
) -> plt.Figure:
    """Curves of one metric, one panel per family, one line per depth, shared y axis.

    Args:
        histories: family name (for example "plain", "residual") -> {depth: Keras history
            (metric -> per-epoch values)}.
        metric: the history key to draw (for example "loss" or "val_accuracy").
        ylabel: the y axis label; ``metric`` if None.
    Introduced in ``05_cnn_architectures`` (the degradation experiment).
    """
    if not histories or not all(histories.values()):
        raise ValueError("histories is empty: give family -> {depth: history}, one run each")
    fig, axes = plt.subplots(
        1, len(histories), figsize=(4.2 * len(histories), 3.2), sharey=True, squeeze=False
    )
    for p, (ax, (family, runs)) in enumerate(zip(axes.flat, histories.items()), start=1):
        for i, (depth, history) in enumerate(sorted(runs.items())):
            if metric not in history:
                raise ValueError(f"{family!r} depth {depth} has no {metric!r}: {sorted(history)}")
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], "o-", color=f"C{i}", label=f"{depth} layers")
        ax.set_title(f"{p} · {family}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes.flat[0].set_ylabel(ylabel or metric)
    fig.tight_layout()
    return fig


def plot_architecture_comparison(table: object, *, label: str = "model") -> plt.Figure:
    """Three panels from a comparison table (a pandas DataFrame, one row per model): test
    accuracy against multiply-adds (log scale, marker area by parameters), training and
    inference images/s, and parameters.

    The table needs the columns ``label`` (default "model"), "parameters", "multiply_adds",
    "train_images_per_s", "inference_images_per_s" and "test_accuracy".
    Introduced in ``05_cnn_architectures``.
    """
    import pandas as pd
    import seaborn as sns

    needed = [
        label,
        "parameters",
        "multiply_adds",
        "train_images_per_s",
        "inference_images_per_s",
        "test_accuracy",
    ]
    missing = [c for c in needed if c not in getattr(table, "columns", [])]
    if missing:
        raise ValueError(f"the table lacks the column(s) {missing}; it needs {needed}")
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    sns.scatterplot(
        data=table,
        x="multiply_adds",
        y="test_accuracy",
        hue=label,
        size="parameters",
        sizes=(60, 400),
        ax=axes[0],
        legend=False,
    )
    for _, row in table.iterrows():
        axes[0].annotate(
            row[label],
            (row["multiply_adds"], row["test_accuracy"]),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
        )
    axes[0].set_xscale("log")
    # within one decade the minor tick labels (3e5, 4e5, ...) overlap: plain numbers instead
    axes[0].xaxis.set_minor_formatter(plt.NullFormatter())
    axes[0].xaxis.set_major_formatter(
        plt.FuncFormatter(lambda v, _: f"{v / 1e6:g} M" if v >= 1e6 else f"{v / 1e3:g} k")
    )
    axes[0].xaxis.set_major_locator(plt.LogLocator(subs=(1.0, 2.0, 5.0)))
    axes[0].margins(x=0.25, y=0.15)  # room for the labels beside the points
    axes[0].set(
        xlabel="multiply-adds per image (log)",
        ylabel="test accuracy",
        title="1 · accuracy against cost (area: parameters)",
    )
    speed = pd.melt(
        table,
        id_vars=[label],
        value_name="images/s",
        var_name="phase",
        value_vars=["train_images_per_s", "inference_images_per_s"],
    )
    speed["phase"] = speed["phase"].str.replace("_images_per_s", "")
    sns.barplot(data=speed, x=label, y="images/s", hue="phase", ax=axes[1])
    axes[1].set(xlabel="", title="2 · speed (images/s)")
    sns.barplot(data=table, x=label, y="parameters", hue=label, ax=axes[2], legend=False)
    axes[2].set(xlabel="", title="3 · parameters")
    for ax in axes:
        ax.grid(alpha=0.3)
    for ax in axes[1:]:
        ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    return fig


def plot_scaling(table: object, *, label: str = "scaling") -> plt.Figure:
    """Two panels from a scaling table (a pandas DataFrame, one row per network, each trained
    over several seeds): 1, test accuracy (mean, bar: one sample standard deviation over the
    seeds) against multiply-adds per image (log scale); 2, the last epoch's training loss
    (mean and standard deviation) per network.

    The table needs the columns ``label`` (default "scaling"), "multiply_adds",
    "accuracy_mean", "accuracy_std", "loss_mean" and "loss_std".
    Introduced in ``05b_depth_and_scaling`` (compound scaling at matched cost).
    """
    needed = [label, "multiply_adds", "accuracy_mean", "accuracy_std", "loss_mean", "loss_std"]
    missing = [c for c in needed if c not in getattr(table, "columns", [])]
    if missing:
        raise ValueError(f"the table lacks the column(s) {missing}; it needs {needed}")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for i, (_, row) in enumerate(table.iterrows()):
        axes[0].errorbar(
            row["multiply_adds"],
            row["accuracy_mean"],
            yerr=row["accuracy_std"],
            fmt="o",
            color=f"C{i}",
            capsize=4,
            label=row[label],
        )
    axes[0].set_xscale("log")
    axes[0].xaxis.set_minor_formatter(plt.NullFormatter())
    axes[0].xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v / 1e6:g} M"))
    axes[0].xaxis.set_major_locator(plt.LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))
    axes[0].margins(x=0.2, y=0.15)
    axes[0].legend(fontsize=8)
    axes[0].set(
        xlabel="multiply-adds per image (log)",
        ylabel="test accuracy",
        title="1 · accuracy against cost (mean ± sd over seeds)",
    )
    positions = np.arange(len(table))
    axes[1].bar(
        positions,
        table["loss_mean"],
        yerr=table["loss_std"],
        capsize=4,
        color=[f"C{i}" for i in range(len(table))],
    )
    axes[1].set_xticks(positions, table[label], rotation=20)
    axes[1].set(ylabel="training loss, last epoch", title="2 · training loss (mean ± sd)")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
