"""Figures of ``04_training_and_tuning``: seed curves and search results."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_seed_curves(
    histories: dict,
    metrics: Sequence[str] = ("loss", "val_loss"),
    *,
    titles: Sequence[str] | None = None,
    ylim: tuple[float, float] | None = None,
) -> plt.Figure:
    """Learning curves over several seeds: per condition the mean and a ±1 std band.

    Args:
        histories: condition name -> list of Keras histories (metric -> per-epoch values),
            one per seed. Runs may have different lengths (early stopping): each epoch is
            averaged over the runs that reached it.
        metrics: one panel per metric, in order (for example ``"loss"``, ``"val_accuracy"``).
        titles: a title per panel; numbered metric names if None.
        ylim: (bottom, top) of every panel's y axis, to zoom in; automatic if None.
    Introduced in ``04_training_and_tuning``.
    """
    if not histories:
        raise ValueError("histories is empty: give at least one condition's runs")
    if titles is not None and len(titles) != len(metrics):
        raise ValueError(f"{len(titles)} titles for {len(metrics)} metrics: give one per panel")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.2), squeeze=False)
    for p, (ax, metric) in enumerate(zip(axes.flat, metrics)):
        for i, (name, runs) in enumerate(histories.items()):
            missing = [k for k, run in enumerate(runs) if metric not in run]
            if missing or not runs:
                raise ValueError(f"condition {name!r} has runs without {metric!r}: {missing}")
            longest = max(len(run[metric]) for run in runs)
            values = np.full((len(runs), longest), np.nan)
            for k, run in enumerate(runs):
                values[k, : len(run[metric])] = run[metric]
            epochs = np.arange(1, longest + 1)
            mean = np.nanmean(values, axis=0)
            std = np.nanstd(values, axis=0)
            ax.plot(epochs, mean, color=f"C{i}", label=f"{name} ({len(runs)} runs)")
            ax.fill_between(epochs, mean - std, mean + std, color=f"C{i}", alpha=0.2, lw=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(titles[p] if titles else f"{p + 1} · {metric}", fontsize=10)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_search_heatmaps(
    tables: dict,
    x: str,
    y: str,
    *,
    value: str = "score",
    x_values: Sequence | None = None,
    y_values: Sequence | None = None,
    fmt: str = ".2f",
) -> plt.Figure:
    """Where each search looked: one heat map per strategy over two hyperparameters.

    Cells a search never tried stay blank; all panels share one colour scale (shown by the
    colour bar), so a colour means the same score in each.

    Args:
        tables: strategy name -> trials table (``SearchResult.trials``) with columns x, y, value.
            Several trials in one cell (a third hyperparameter) show their best value.
        x, y: the hyperparameters on the columns and rows.
        x_values, y_values: every value of the space, in order; those seen in the tables if
            None.
    Introduced in ``04_training_and_tuning``.
    """
    import pandas as pd
    import seaborn as sns

    if not tables:
        raise ValueError("tables is empty: give at least one strategy's trials")
    for name, table in tables.items():
        absent = [c for c in (x, y, value) if c not in table.columns]
        if absent:
            raise ValueError(f"table {name!r} has no column {absent}; it has {list(table)}")
    combined = pd.concat(list(tables.values()))
    xs = list(x_values) if x_values is not None else sorted(combined[x].unique())
    ys = list(y_values) if y_values is not None else sorted(combined[y].unique())
    vmin, vmax = float(combined[value].min()), float(combined[value].max())
    fig, axes = plt.subplots(
        1,
        len(tables),
        figsize=(0.9 * len(xs) * len(tables) + 2.2, 0.45 * len(ys) + 1.6),
        squeeze=False,
    )
    for p, (ax, (name, table)) in enumerate(zip(axes.flat, tables.items())):
        grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="max")
        grid = grid.reindex(index=ys, columns=xs)
        sns.heatmap(
            grid,
            ax=ax,
            vmin=vmin,
            vmax=vmax,
            cmap="viridis",
            annot=True,
            fmt=fmt,
            cbar=p == len(tables) - 1,
            linewidths=0.5,
            linecolor="white",
            cbar_kws={"label": value},
        )
        ax.set_facecolor("#eeeeee")
        ax.set_yticklabels([f"{v:g}" if isinstance(v, float) else v for v in ys], rotation=0)
        ax.set_title(
            f"{p + 1} · {name}: {len(table)} trials, {grid.notna().sum().sum()} cells", fontsize=10
        )
    fig.tight_layout()
    return fig


def plot_best_so_far(
    tables: dict, *, value: str = "best_so_far", ylabel: str | None = None
) -> plt.Figure:
    """The best score found after each trial, one line per strategy (a step per trial).

    Args:
        tables: strategy name -> trials table with ``trial``, ``score`` and ``value`` columns.
    Introduced in ``04_training_and_tuning``.
    """
    if not tables:
        raise ValueError("tables is empty: give at least one strategy's trials")
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for i, (name, table) in enumerate(tables.items()):
        for column in ("trial", "score", value):
            if column not in table.columns:
                raise ValueError(f"table {name!r} has no column {column!r}")
        ax.step(table["trial"], table[value], where="post", color=f"C{i}", label=name)
        ax.plot(table["trial"], table["score"], "o", color=f"C{i}", alpha=0.35, ms=5)
    ax.set_xlabel("trials spent")
    ax.set_ylabel(ylabel or value.replace("_", " "))
    ax.set_title("line: best so far; dots: each trial's score", fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_range_test(
    rates: Sequence[float],
    losses: Sequence[float],
    smoothed: Sequence[float],
    *,
    zones: Sequence[tuple[str, float, float]] = (),
    marked: float | None = None,
    top: float | None = None,
) -> plt.Figure:
    """A learning-rate range test: the training loss against the rate of each step.

    Args:
        rates: (steps,) learning rate of each training step, rising (log x axis).
        losses: (steps,) the loss of each step's batch (dots).
        smoothed: (steps,) a running mean of ``losses`` (the line read).
        zones: (label, first rate, last rate) bands to shade and name, for example
            ``("too small", 1e-5, 3e-4)``.
        marked: a rate to mark with a dashed vertical line (the one the notebook trains with).
        top: top of the y axis (the loss past a too-large rate can be huge); 1.5 x the first
            smoothed loss if None.
    Introduced in ``04_training_and_tuning``.
    """
    rates, losses, smoothed = (np.asarray(v, dtype=float) for v in (rates, losses, smoothed))
    if not (len(rates) == len(losses) == len(smoothed)) or len(rates) < 2:
        raise ValueError(
            f"rates, losses and smoothed need one value per step (2 or more); got "
            f"{len(rates)}, {len(losses)}, {len(smoothed)}"
        )
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.scatter(rates, losses, s=8, color="0.6", label="loss of each step's batch")
    ax.plot(rates, smoothed, color="C0", lw=2, label="running mean")
    top = 1.5 * float(smoothed[0]) if top is None else top
    for i, (label, low, high) in enumerate(zones):
        ax.axvspan(low, high, color=f"C{i + 1}", alpha=0.15, lw=0)
        ax.text(np.sqrt(low * high), 0.96 * top, label, ha="center", va="top", fontsize=9)
    if marked is not None:
        ax.axvline(marked, color="k", ls="--", lw=1, label=f"rate used above ({marked:g})")
    ax.set_xscale("log")
    ax.set_ylim(0, top)
    ax.set_xlabel("learning rate (raised at every step)")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
