"""Tests for imgcourse.metrics.drift: CUSUM and KS alarms, delay and false alarms."""

import numpy as np
import pytest

from imgcourse.metrics.drift import (
    cusum_alarms,
    detection_delay,
    false_alarms,
    ks_alarms,
)


def _stream(seed=0, drop=0.2):
    rng = np.random.default_rng(seed)
    means = np.r_[np.full(30, 0.8), np.full(30, 0.8 - drop)]
    return np.clip(means[:, None] + rng.normal(0, 0.1, (60, 64)), 0, 1)


@pytest.mark.parametrize("detector", [cusum_alarms, ks_alarms])
def test_detectors_find_a_clear_drop_quickly(detector):
    alarms = detector(_stream())
    delays = detection_delay(alarms, [30], 60)
    assert 0 <= delays[0] <= 3
    assert false_alarms(alarms, [30]) == 0


@pytest.mark.parametrize("detector", [cusum_alarms, ks_alarms])
def test_detectors_rarely_ring_without_drift(detector):
    rings = [len(detector(_stream(seed, drop=0.0))) for seed in range(10)]
    assert np.mean(rings) < 1.0


def test_cusum_threshold_only_delays():
    scores = _stream(3, drop=0.03)
    low, high = cusum_alarms(scores, threshold=3.0), cusum_alarms(scores, threshold=10.0)
    first = detection_delay(low, [30], 60)[0]
    later = detection_delay(high, [30], 60)[0]
    assert np.isnan(later) or later >= first


def test_cusum_by_hand():
    # reference batch means 1.0 and 0.0: mu 0.5, sd 0.7071; then means 0.5, -0.5, -0.5
    scores = np.array([[1.0], [0.0], [0.5], [-0.5], [-0.5]])
    # z: 0, 1.414, 1.414; g with slack 0.5: 0, 0.914, 1.828 -> alarm at batch 4 (> 1.5)
    assert cusum_alarms(scores, reference=2, slack=0.5, threshold=1.5).tolist() == [4]
    assert cusum_alarms(scores, reference=2, slack=0.5, threshold=2.0).tolist() == []


def test_rearming_after_an_alarm():
    scores = np.r_[np.full(10, 0.8), np.full(10, 0.5), np.full(10, 0.2)][:, None]
    scores = scores + np.random.default_rng(0).normal(0, 0.01, (30, 16))
    alarms = cusum_alarms(scores, reference=3)
    assert detection_delay(alarms, [10, 20], 30).tolist() == [0.0, 0.0]


def test_delay_and_false_alarms():
    assert detection_delay([3, 22, 41], [20, 40], 60).tolist() == [2.0, 1.0]
    d = detection_delay([25], [20, 40], 60)
    assert d[0] == 5.0 and np.isnan(d[1])
    assert false_alarms([3, 5, 22], [20, 40]) == 2
    with pytest.raises(ValueError, match="change point"):
        false_alarms([1], [])


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(T, B\)"):
        cusum_alarms(np.zeros(10))
    with pytest.raises(ValueError, match="reference"):
        ks_alarms(np.zeros((4, 3)), reference=4)
    with pytest.raises(ValueError, match="alpha"):
        ks_alarms(np.zeros((10, 3)), alpha=2.0)
