"""Drift detectors that need no labels, and how to score them against known change points.

Both detectors watch a number the deployed model produces on every batch, its confidence (the
largest softmax probability of each image). :func:`cusum_alarms` is a one-sided CUSUM (Page,
1954) on the batch's mean confidence, standardised by a reference window; :func:`ks_alarms` runs
a two-sample Kolmogorov-Smirnov test of each batch's confidences against the reference window's.
After an alarm both take the next ``reference`` batches as the new normal (the operator has
been told; the detector re-arms), so a second change can be detected too. Introduced in
``18_continuous_learning``. NumPy and SciPy only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats


def _check_scores(scores: np.ndarray, reference: int) -> np.ndarray:
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(
            f"scores must be (T, B): one row of per-image scores per batch; got {arr.shape}"
        )
    if not 2 <= reference < len(arr):
        raise ValueError(f"reference must be 2 .. T-1 batches (T = {len(arr)}); got {reference}")
    return arr


def _rearming(
    scores: np.ndarray,
    reference: int,
    start: Callable[[np.ndarray], None],
    alarm_at: Callable[[np.ndarray], bool],
) -> np.ndarray:
    """Run a detector that is (re)armed on ``reference`` batches and then tests each batch."""
    alarms = []
    t = 0
    while t + reference < len(scores):
        start(scores[t : t + reference])
        t += reference
        while t < len(scores):
            if alarm_at(scores[t]):
                alarms.append(t)
                t += 1
                break
            t += 1
    return np.asarray(alarms, dtype=np.int64)


def cusum_alarms(
    scores: np.ndarray, *, reference: int = 5, slack: float = 0.5, threshold: float = 5.0
) -> np.ndarray:
    """Alarms of a one-sided CUSUM for a drop in the mean of per-batch scores.

    On batch t the mean score m_t is standardised with the reference window's batch means
    (mean mu, standard deviation sd): ``z_t = (mu - m_t) / sd``, positive when the score
    falls. The statistic ``g_t = max(0, g_{t-1} + z_t - slack)`` sums the drops that exceed
    ``slack``; an alarm rings when ``g_t > threshold``, and the next ``reference`` batches
    then become the new reference.

    Args:
        scores: (T, B) per-image scores of each batch, for example max-softmax confidence.
        reference: batches that define "normal" at the start and after each alarm.
        slack: drop, in reference standard deviations, that one batch may show for free.
        threshold: how much accumulated drop rings the alarm; higher gives fewer false
            alarms and later detection.

    Returns:
        (k,) int64 indices of the batches that raised an alarm, ascending.
    """
    arr = _check_scores(scores, reference)
    state = {"mu": 0.0, "sd": 1.0, "g": 0.0}

    def start(window: np.ndarray) -> None:
        means = window.mean(axis=1)
        state.update(mu=float(means.mean()), sd=float(max(means.std(ddof=1), 1e-6)), g=0.0)

    def alarm_at(batch: np.ndarray) -> bool:
        z = (state["mu"] - float(batch.mean())) / state["sd"]
        state["g"] = max(0.0, state["g"] + z - slack)
        return state["g"] > threshold

    return _rearming(arr, reference, start, alarm_at)


def ks_alarms(scores: np.ndarray, *, reference: int = 5, alpha: float = 0.01) -> np.ndarray:
    """Alarms of a two-sample Kolmogorov-Smirnov test, each batch against the reference.

    The reference window's per-image scores (all ``reference`` batches pooled) are compared
    with one batch's scores by ``scipy.stats.ks_2samp``; an alarm rings when the p-value is
    below ``alpha``. It sees any change of the distribution (its spread too, not only its
    mean), but tests each batch on its own, so about ``alpha`` of the batches without drift
    ring anyway.

    Returns:
        (k,) int64 indices of the batches that raised an alarm, ascending.
    """
    arr = _check_scores(scores, reference)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be a probability in (0, 1); got {alpha}")
    state: dict[str, np.ndarray] = {}

    def start(window: np.ndarray) -> None:
        state["ref"] = window.ravel()

    def alarm_at(batch: np.ndarray) -> bool:
        return bool(stats.ks_2samp(state["ref"], batch).pvalue < alpha)

    return _rearming(arr, reference, start, alarm_at)


def detection_delay(alarms: Sequence[int], change_points: Sequence[int], length: int) -> np.ndarray:
    """Batches from each change point to the first alarm at or after it.

    An alarm counts for a change only if it rings before the next change (or the stream's end,
    ``length`` batches); a change with no such alarm was missed and gets NaN.

    Returns:
        (len(change_points),) float64 delays in batches (0 = on the changed batch itself).
    """
    a = np.asarray(alarms, dtype=np.int64)
    ends = [*list(change_points)[1:], length]
    delays = []
    for cp, end in zip(change_points, ends):
        hits = a[(a >= cp) & (a < end)]
        delays.append(float(hits.min() - cp) if hits.size else float("nan"))
    return np.asarray(delays, dtype=np.float64)


def false_alarms(alarms: Sequence[int], change_points: Sequence[int]) -> int:
    """Alarms before the first change point: the world had not changed yet."""
    if not len(change_points):
        raise ValueError("need at least one change point")
    return int(np.sum(np.asarray(alarms) < change_points[0]))
