"""Figures of ``16_architecture_search``: best score so far against the budget spent, and
accuracy against parameters and latency with the Pareto front."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

#: One colour per block type of :data:`imgcourse.train.search_space.SPACE`.
BLOCK_COLOURS = {
    "vgg": "tab:blue",
    "residual": "tab:orange",
    "inception": "tab:green",
    "mbconv": "tab:purple",
}


def plot_search_progress(
    curves: Mapping[str, pd.DataFrame], *, objective: str = "val_accuracy"
) -> plt.Figure:
    """Best score so far of each search, against epochs trained (panel 1) and seconds (panel 2).

    Args:
        curves: strategy name -> a table with one row per trial in the order run and columns
            ``epochs`` (trained in that trial), ``seconds`` (its wall time) and
            ``best_so_far``; each curve steps up when a trial ends with a better score.
        objective: the score's name, for the y axis.
    Introduced in ``16_architecture_search``.
    """
    if not curves:
        raise ValueError("curves is empty: give at least one strategy's trials table")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for (name, table), marker in zip(curves.items(), "osD^v"):
        missing = {"epochs", "seconds", "best_so_far"} - set(table.columns)
        if missing:
            raise ValueError(f"the {name!r} table lacks the column(s) {sorted(missing)}")
        best = table["best_so_far"].to_numpy(dtype=float)
        for ax, column in zip(axes, ("epochs", "seconds")):
            spent = np.cumsum(table[column].to_numpy(dtype=float))
            ax.step(
                np.r_[0.0, spent],
                np.r_[np.nan, best],
                where="post",
                marker=marker,
                markevery=list(range(1, len(spent) + 1)),
                label=f"{name} ({len(table)} trials)",
            )
    axes[0].set_xlabel("epochs trained (all trials so far)")
    axes[1].set_xlabel("seconds (all trials so far)")
    axes[0].set_ylabel(f"best {objective} so far")
    for ax, title in zip(axes, ("1 · against epochs", "2 · against seconds")):
        _ = ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right")
    fig.tight_layout()
    return fig


def plot_pareto(
    candidates: pd.DataFrame,
    *,
    score: str = "val_accuracy",
    costs: tuple[str, str] = ("parameters", "latency_ms"),
    reference: Mapping[str, float] | None = None,
    reference_label: str = "hand-designed",
) -> plt.Figure:
    """Accuracy against each cost, one panel per cost, with the Pareto front as a step line.

    Args:
        candidates: one row per architecture: ``block`` (its colour), ``score``, the two
            ``costs`` columns and, per cost, a boolean ``front_<cost>`` (on the front).
        score: the column on the y axis.
        costs: the two cost columns, parameters (log axis) then milliseconds.
        reference: a point drawn as a black star (for example the hand-designed network),
            with the same keys as the columns.
    Introduced in ``16_architecture_search``.
    """
    needed = {"block", score, *costs} | {f"front_{c}" for c in costs}
    missing = needed - set(candidates.columns)
    if missing:
        raise ValueError(f"candidates lacks the column(s) {sorted(missing)}")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    labels = {"parameters": "parameters (log scale)", "latency_ms": "latency, batch 1 (ms)"}
    for i, (ax, cost) in enumerate(zip(axes, costs), start=1):
        for block, rows in candidates.groupby("block"):
            ax.scatter(
                rows[cost],
                rows[score],
                color=BLOCK_COLOURS.get(str(block), "grey"),
                label=str(block),
                s=40,
                alpha=0.8,
            )
        front = candidates[candidates[f"front_{cost}"]].sort_values(cost)
        ax.step(front[cost], front[score], where="post", color="black", lw=1, label="front")
        ax.scatter(front[cost], front[score], facecolor="none", edgecolor="black", s=110)
        if reference is not None:
            ax.scatter(
                reference[cost],
                reference[score],
                marker="*",
                s=220,
                color="black",
                label=reference_label,
                zorder=3,
            )
        if cost == "parameters":
            ax.set_xscale("log")
        ax.set_xlabel(labels.get(cost, cost))
        _ = ax.set_title(f"{i} · {score} against {cost.replace('_', ' ')}")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(score)
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    fig.tight_layout()
    return fig
