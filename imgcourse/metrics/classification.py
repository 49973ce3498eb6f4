"""Classification metrics that scikit-learn lacks: calibration, temperature scaling,
bootstrap intervals and per-group accuracy (``07_evaluation_and_fairness``).

Precision, recall, F1, confusion matrices, ROC and precision-recall curves come from
``sklearn.metrics`` directly; this module adds what the course reuses on top of them. NumPy,
SciPy and scikit-learn only: importing it does not import TensorFlow.

Binning for calibration: ``n_bins`` equal-width bins over [0, 1], each closed on the right,
(lo, hi], with 0 itself in the first bin. These are the bins of
``sklearn.calibration.calibration_curve(..., strategy="uniform")``, so the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class Interval(NamedTuple):
    """A point estimate and a confidence interval around it (same units)."""

    value: float
    low: float
    high: float

    @property
    def width(self) -> float:
        """high - low."""
        return self.high - self.low


@dataclass
class ReliabilityBins:
    """Per-bin counts, mean confidence and accuracy of the top-label predictions.

    Attributes:
        edges: (n_bins + 1,) bin edges, 0 to 1.
        counts: (n_bins,) predictions per bin.
        confidence: (n_bins,) mean confidence in each bin; NaN for an empty bin.
        accuracy: (n_bins,) share of correct predictions in each bin; NaN for an empty bin.
    """

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error: sum over bins of (count / n) |accuracy - confidence|."""
        seen = self.counts > 0
        gaps = np.abs(self.accuracy[seen] - self.confidence[seen])
        return float(np.sum(self.counts[seen] / self.counts.sum() * gaps))


def _probabilities(probs: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(
            f"probs must be (n, num_classes) class probabilities with at least 2 classes; "
            f"got shape {probs.shape}"
        )
    if labels is not None and len(labels) != len(probs):
        raise ValueError(f"{len(labels)} labels for {len(probs)} rows of probabilities")
    if len(probs) == 0:
        raise ValueError("probs is empty: there are no predictions to measure")
    return probs


def _check_bins(n_bins: int) -> None:
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}")


def reliability_bins(labels: np.ndarray, probs: np.ndarray, n_bins: int = 10) -> ReliabilityBins:
    """Bin the top-label predictions by confidence: the numbers behind a reliability diagram.

    Each prediction's confidence is its largest class probability; it is correct when that
    class is the label. Bins are equal-width, closed on the right (see the module docstring).

    Args:
        labels: (n,) int class indices.
        probs: (n, num_classes) probabilities, rows summing to 1.
        n_bins: number of equal-width bins over [0, 1].
    """
    _check_bins(n_bins)
    labels = np.asarray(labels)
    probs = _probabilities(probs, labels)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], confidence, side="left")  # (lo, hi] bins
    counts = np.bincount(ids, minlength=n_bins).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(ids, weights=confidence, minlength=n_bins) / counts
        accuracy = np.bincount(ids, weights=correct, minlength=n_bins) / counts
    return ReliabilityBins(edges, counts, mean_conf, accuracy)


def expected_calibration_error(labels: np.ndarray, probs: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error (ECE) of the top-label predictions, in [0, 1].

    The mean over predictions of |accuracy - confidence| of their confidence bin:
    sum_b (n_b / n) |acc_b - conf_b| over ``n_bins`` equal-width bins (Guo et al., 2017).

    Args:
        labels: (n,) int class indices.
        probs: (n, num_classes) probabilities.
        n_bins: number of equal-width bins over [0, 1], closed on the right.
    """
    return reliability_bins(labels, probs, n_bins).ece


def softmax_with_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) row by row: (n, k) -> (n, k) probabilities.

    Log-probabilities work as logits too (softmax ignores a constant added to a row).
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive; got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)  # no overflow
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(labels)), labels].mean())


def fit_temperature(
    logits: np.ndarray, labels: np.ndarray, *, bounds: tuple[float, float] = (0.05, 20.0)
) -> float:
    """The temperature T > 0 that minimises the mean negative log-likelihood (NLL) of
    ``labels`` under softmax(logits / T): temperature scaling (Guo et al., 2017).

    Fit it on validation data, never on the test set. T > 1 softens over-confident
    predictions, T < 1 sharpens under-confident ones; the predicted class never changes.

    Args:
        logits: (n, k) scores before softmax (or log-probabilities).
        labels: (n,) int class indices in [0, k).
        bounds: the search interval for T.
    """
    from scipy.optimize import minimize_scalar

    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    _probabilities(logits, labels)
    if not np.all(np.isfinite(logits)):
        raise ValueError(
            "logits contain NaN or infinite values; if they are log-probabilities, clip the "
            "probabilities away from 0 first (for example np.log(np.clip(p, 1e-7, 1)))"
        )
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(
            f"labels must be class indices in [0, {logits.shape[1]}); got values from "
            f"{labels.min()} to {labels.max()}"
        )
    lo, hi = bounds
    if not 0 < lo < hi:
        raise ValueError(f"bounds must satisfy 0 < low < high; got {bounds}")
    result = minimize_scalar(
        lambda log_t: _nll(logits, labels, float(np.exp(log_t))),
        bounds=(np.log(lo), np.log(hi)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.exp(result.x))


def bootstrap_ci(
    metric: Callable[..., float],
    *arrays: np.ndarray,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap confidence interval for ``metric(*arrays)``.

    Resamples the rows of all ``arrays`` together (same indices), with replacement,
    ``n_boot`` times, and returns the metric on the original data with the
    ((1 - level) / 2, (1 + level) / 2) quantiles of the resampled values.

    Example: ``bootstrap_ci(sklearn.metrics.accuracy_score, labels, predictions)``.

    Args:
        metric: a function of the arrays returning a float.
        arrays: one or more arrays with the same first dimension n.
        n_boot: number of resamples.
        level: the confidence level, in (0, 1).
        seed: seed of the resampling.
    """
    if not arrays:
        raise ValueError("give at least one array to resample")
    arrays = tuple(np.asarray(a) for a in arrays)
    n = len(arrays[0])
    if n == 0 or any(len(a) != n for a in arrays):
        raise ValueError(
            f"arrays must be non-empty and of one length; got {[len(a) for a in arrays]}"
        )
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), for example 0.95; got {level}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1; got {n_boot}")
    rng = np.random.default_rng(seed)
    values = np.empty(n_boot)
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        values[b] = metric(*(a[idx] for a in arrays))
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(metric(*arrays)), float(low), float(high))


@dataclass
class GroupAccuracy:
    """Accuracy per group with bootstrap intervals, and the gap between best and worst group.

    Attributes:
        groups: (g,) the group values, sorted.
        counts: (g,) images per group.
        accuracy: one :class:`Interval` per group.
        gap: an :class:`Interval` for the accuracy of the best group minus that of the
            worst (the two chosen by the point estimates; a bootstrap round may reverse
            their order, so the interval can reach below 0).
    """

    groups: np.ndarray
    counts: np.ndarray
    accuracy: list[Interval]
    gap: Interval

    def table(self, names: list[str] | None = None, level: float = 0.95) -> str:
        """A printable table: group, count, accuracy and interval, then the gap."""
        names = names or [str(g) for g in self.groups]
        lines = [f"{'group':<12} {'images':>6} {'accuracy':>9}   {level:.0%} interval"]
        for name, n, acc in zip(names, self.counts, self.accuracy):
            lines.append(f"{name:<12} {n:>6} {acc.value:>9.1%}   {acc.low:.1%} to {acc.high:.1%}")
        g = self.gap
        lines.append(f"{'gap':<12} {'':>6} {g.value:>9.1%}   {g.low:.1%} to {g.high:.1%}")
        return "\n".join(lines)


def group_accuracy(
    labels: np.ndarray,
    predictions: np.ndarray,
    groups: np.ndarray,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> GroupAccuracy:
    """Accuracy of each group with a percentile bootstrap interval, and the gap between
    the best and the worst group.

    Each bootstrap round resamples every group on its own (its size stays fixed), so the
    gap's interval reflects how few images the smallest group has.

    Args:
        labels, predictions: (n,) int class indices.
        groups: (n,) group of each image (for example 0 plain, 1 textured background).
        n_boot, level, seed: as in :func:`bootstrap_ci`.
    """
    labels, predictions, groups = (np.asarray(a) for a in (labels, predictions, groups))
    if not len(labels) == len(predictions) == len(groups):
        raise ValueError(
            f"labels, predictions and groups must have one length; got {len(labels)}, "
            f"{len(predictions)} and {len(groups)}"
        )
    if len(labels) == 0:
        raise ValueError("no images: labels is empty")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1; got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), for example 0.95; got {level}")
    correct = (labels == predictions).astype(np.float64)
    names = np.unique(groups)
    members = [correct[groups == g] for g in names]
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, len(names)))
    for b in range(n_boot):
        for j, c in enumerate(members):
            boot[b, j] = c[rng.integers(0, len(c), len(c))].mean()
    q = [(1 - level) / 2, (1 + level) / 2]
    point = np.array([c.mean() for c in members])
    intervals = [
        Interval(float(point[j]), *map(float, np.quantile(boot[:, j], q)))
        for j in range(len(names))
    ]
    best, worst = int(point.argmax()), int(point.argmin())  # fixed by the point estimates
    gaps = boot[:, best] - boot[:, worst]
    gap = Interval(float(point[best] - point[worst]), *map(float, np.quantile(gaps, q)))
    counts = np.array([len(c) for c in members])
    return GroupAccuracy(names, counts, intervals, gap)


def group_rates(
    y_true: np.ndarray,
    flagged: np.ndarray,
    groups: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    n_groups: int | None = None,
) -> np.ndarray:
    """True positive rate, false positive rate and flag rate of a yes/no decision, per group.

    The rates behind the fairness criteria of ``07_evaluation_and_fairness``: equal
    opportunity compares the groups' TPR, equalised odds their TPR and FPR, demographic
    parity their flag rates (the share of each group the decision says yes to).

    Args:
        y_true: (n,) 0/1 (or bool) truth: is the image a positive?
        flagged: (n,) 0/1 (or bool) decision: did the rule say yes?
        groups: (n,) int group of each image, 0 to n_groups - 1.
        weights: optional (n,) or (b, n) non-negative weights per image; a (b, n) array
            gives b sets of rates at once (for example bootstrap counts: how often each
            resample drew each image).
        n_groups: number of groups (default: ``groups.max() + 1``).

    Returns:
        (n_groups, 3) float array of [TPR, FPR, flag rate] per group, or (b, n_groups, 3)
        for (b, n) weights; NaN where a group has no positives (TPR) or no negatives (FPR).
    """
    y_true, flagged, groups = (np.asarray(a) for a in (y_true, flagged, groups))
    n = len(y_true)
    if n == 0 or not len(flagged) == len(groups) == n:
        raise ValueError(
            "y_true, flagged and groups must be non-empty and of one length; got "
            f"{len(y_true)}, {len(flagged)} and {len(groups)}"
        )
    n_groups = int(groups.max()) + 1 if n_groups is None else int(n_groups)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape[-1] != n or w.ndim > 2:
        raise ValueError(f"weights must have shape (n,) or (b, n) with n = {n}; got {w.shape}")
    pos, yes = y_true.astype(bool), flagged.astype(bool)
    out = []
    for g in range(n_groups):
        member = groups == g
        tp, p = w @ (member & pos & yes), w @ (member & pos)
        fp, neg = w @ (member & ~pos & yes), w @ (member & ~pos)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.stack([tp / p, fp / neg, (tp + fp) / (p + neg)], axis=-1))
    return np.stack(out, axis=-2)
