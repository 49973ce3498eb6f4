"""The few-shot papers' interval: mean accuracy over test episodes with a normal-approximation
confidence interval (``15_few_and_zero_shot``).

Few-shot results are reported as the mean accuracy over many random test episodes plus or
minus ``z * sd / sqrt(n)`` (z = 1.96 for 95%), the convention since Vinyals et al. (2016) and
Snell et al. (2017). The episodes are independent draws, so by the central limit theorem their
mean is close to normal once n is a few hundred; :func:`imgcourse.metrics.bootstrap_ci` gives a
distribution-free check. NumPy and SciPy only.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from imgcourse.metrics.classification import Interval


def episode_interval(accuracies: np.ndarray, level: float = 0.95) -> Interval:
    """Mean of per-episode accuracies and its normal-approximation confidence interval.

    The half-width is ``z * sd / sqrt(n)``, with ``sd`` the sample standard deviation
    (``ddof=1``) of the n episode accuracies and ``z`` the normal quantile of
    ``(1 + level) / 2`` (1.96 for 0.95).

    Args:
        accuracies: (n,) accuracy of each test episode, in [0, 1]; n >= 2.
        level: confidence level in (0, 1).

    Returns:
        An :class:`~imgcourse.metrics.Interval` (value, low, high), in the accuracies' units.

    Example:
        >>> episode_interval(np.array([0.6, 0.8, 0.7, 0.9])).value
        0.75
    """
    acc = np.asarray(accuracies, dtype=np.float64).ravel()
    if acc.size < 2:
        raise ValueError(f"need the accuracies of at least 2 episodes; got {acc.size}")
    if not np.all(np.isfinite(acc)):
        raise ValueError("accuracies contain NaN or infinite values")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), for example 0.95; got {level}")
    mean = float(acc.mean())
    half = float(stats.norm.ppf((1 + level) / 2) * acc.std(ddof=1) / np.sqrt(acc.size))
    return Interval(mean, mean - half, mean + half)


__all__ = ["episode_interval"]
