"""Figures of ``15_few_and_zero_shot``: an episode, accuracies with intervals, embeddings of
unseen classes, and attribute predictions."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def _show(ax: plt.Axes, image: np.ndarray) -> None:
    ax.imshow(np.clip(image, 0, 1), cmap="gray" if image.ndim == 2 else None)
    ax.set_xticks([])
    ax.set_yticks([])


def show_episode(
    support: np.ndarray,
    query: np.ndarray,
    n_way: int,
    k_shot: int,
    *,
    query_labels: np.ndarray,
    predictions: np.ndarray | None = None,
    queries_per_class: int = 2,
) -> plt.Figure:
    """One episode: a row per class, its support images then some of its query images.

    Args:
        support: (n_way * k_shot, h, w, c) images, class by class.
        query: (q, h, w, c) images; ``query_labels`` (q,) their episode classes.
        n_way, k_shot: the episode's shape.
        predictions: (q,) predicted episode classes; query titles then say what was
            predicted, red when wrong.
        queries_per_class: query images drawn per row.
    Introduced in ``15_few_and_zero_shot``.
    """
    if len(support) != n_way * k_shot:
        raise ValueError(
            f"support has {len(support)} images; expected n_way * k_shot = {n_way * k_shot}"
        )
    cols = k_shot + queries_per_class
    fig, axes = plt.subplots(n_way, cols, figsize=(1.15 * cols + 0.6, 1.2 * n_way), squeeze=False)
    for c in range(n_way):
        for j in range(k_shot):
            ax = axes[c, j]
            _show(ax, support[c * k_shot + j])
            if c == 0:
                ax.set_title(f"support {j + 1}", fontsize=8)
        axes[c, 0].set_ylabel(f"class {c}", fontsize=9)
        shown = np.flatnonzero(np.asarray(query_labels) == c)[:queries_per_class]
        for j in range(queries_per_class):
            ax = axes[c, k_shot + j]
            if j >= len(shown):
                ax.axis("off")
                continue
            _show(ax, query[shown[j]])
            if predictions is not None:
                p = int(predictions[shown[j]])
                ax.set_title(f"query: {p}", fontsize=8, color="C3" if p != c else "black")
            elif c == 0:
                ax.set_title("query", fontsize=8)
            for side in ax.spines.values():
                side.set_edgecolor("C1")
                side.set_linewidth(2)
    fig.tight_layout()
    return fig


def plot_shot_accuracy(
    results: dict[str, dict[int, tuple[float, float, float]]],
    *,
    chance: float | None = None,
    title: str | None = None,
) -> plt.Figure:
    """Grouped bars: accuracy per method for each number of shots, with interval whiskers.

    Args:
        results: method -> {k_shot: (value, low, high)} (an ``Interval`` is such a tuple).
        chance: a dotted line at this accuracy (1 / n_way), if given.
        title: the axes' title.
    Introduced in ``15_few_and_zero_shot``.
    """
    if not results:
        raise ValueError("results is empty: give method -> {k_shot: (value, low, high)}")
    methods = list(results)
    shots = sorted({k for r in results.values() for k in r})
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for i, method in enumerate(methods):
        x = np.arange(len(shots)) + (i - (len(methods) - 1) / 2) * width
        vals = np.array([results[method][k] for k in shots], float)
        err = np.abs(vals[:, 1:] - vals[:, :1]).T
        ax.bar(x, vals[:, 0], width * 0.92, yerr=err, capsize=3, color=f"C{i}", label=method)
        for xi, v in zip(x, vals[:, 0]):
            ax.annotate(
                f"{v:.0%}",
                (xi, v),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
            )
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", lw=1, label="chance")
    ax.set_xticks(np.arange(len(shots)), [f"{k}-shot" for k in shots])
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("accuracy on unseen classes")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_embeddings_2d(
    features: dict[str, np.ndarray],
    labels: np.ndarray,
) -> plt.Figure:
    """One panel per feature space: the images projected on their first two principal
    components, coloured by class, with a separation score in each title.

    The score is the ratio of the mean distance between class means to the mean distance of
    an image to its class mean, both in the full space: higher means tighter, further-apart
    classes (a nearest-prototype rule works better).

    Args:
        features: name -> (n, ...) features of the same n images.
        labels: (n,) their classes (a handful, so the colours can be told apart).
    Introduced in ``15_few_and_zero_shot``.
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    fig, axes = plt.subplots(1, len(features), figsize=(3.3 * len(features), 3.3), squeeze=False)
    for i, (ax, (name, f)) in enumerate(zip(axes[0], features.items()), start=1):
        f = np.asarray(f, np.float64).reshape(len(f), -1)
        score = separation(f, labels)
        centred = f - f.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy = centred @ vt[:2].T
        for j, c in enumerate(classes):
            pts = xy[labels == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=9, color=f"C{j}", alpha=0.7, label=str(c))
        ax.set_title(f"panel {i}: {name}\nseparation {score:.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, -1].legend(fontsize=7, title="class", title_fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def separation(features: np.ndarray, labels: np.ndarray) -> float:
    """Mean distance between class means over mean distance of a point to its class mean.

    Args:
        features: (n, d) vectors; labels: (n,) classes (at least 2).
    Introduced in ``15_few_and_zero_shot``.
    """
    f = np.asarray(features, np.float64).reshape(len(features), -1)
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if len(classes) < 2:
        raise ValueError(f"need at least 2 classes to measure separation; got {len(classes)}")
    means = np.stack([f[labels == c].mean(0) for c in classes])
    within = np.mean(
        [np.linalg.norm(f[labels == c] - means[i], axis=1).mean() for i, c in enumerate(classes)]
    )
    between = np.linalg.norm(means[:, None] - means[None], axis=-1)
    between = between[np.triu_indices(len(classes), 1)].mean()
    return float(between / max(within, 1e-12))


def show_attribute_predictions(
    images: np.ndarray,
    truth: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    *,
    ncols: int = 6,
) -> plt.Figure:
    """Images titled with their true attributes and, below, the predicted ones; a predicted
    attribute that is wrong is written in capitals and the title turns red.

    Args:
        images: (n, h, w, c) images in [0, 1].
        truth, predicted: n sequences of attribute words (for example size, colour, shape).
        ncols: images per row.
    Introduced in ``15_few_and_zero_shot``.
    """
    n = len(images)
    if n == 0 or len(truth) != n or len(predicted) != n:
        raise ValueError(
            f"need as many truths and predictions as images; got {n} images, "
            f"{len(truth)} truths, {len(predicted)} predictions"
        )
    rows = -(-n // ncols)
    fig, axes = plt.subplots(rows, ncols, figsize=(1.75 * ncols, 2.3 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            ax.axis("off")
            continue
        _show(ax, images[i])
        words = [p if p == t else p.upper() for t, p in zip(truth[i], predicted[i])]
        wrong = any(p != t for t, p in zip(truth[i], predicted[i]))
        ax.set_title(
            f"{i + 1}: {' '.join(truth[i])}\n-> {' '.join(words)}",
            fontsize=7,
            color="C3" if wrong else "black",
        )
    fig.tight_layout()
    return fig


__all__ = [
    "plot_embeddings_2d",
    "plot_shot_accuracy",
    "separation",
    "show_attribute_predictions",
    "show_episode",
]
