"""imgcourse.deploy.latency: median and spread of repeated calls."""

import time

import pytest

from imgcourse.deploy import measure_latency


def test_median_tracks_a_known_sleep():
    stats = measure_latency(lambda: time.sleep(0.005), repeats=10, warmup=1)
    assert stats.repeats == 10
    assert 4.5 <= stats.median_ms < 50
    assert stats.p10_ms <= stats.median_ms <= stats.p90_ms
    assert stats.spread_ms >= 0
    assert stats.calls_per_second == pytest.approx(1000 / stats.median_ms)


def test_warmup_calls_are_not_timed():
    calls = []

    def slow_first():
        calls.append(1)
        time.sleep(0.05 if len(calls) == 1 else 0.0)

    stats = measure_latency(slow_first, repeats=5, warmup=1)
    assert len(calls) == 6
    assert stats.p90_ms < 40


@pytest.mark.parametrize("repeats, warmup", [(0, 1), (3, -1)])
def test_bad_counts_are_refused(repeats, warmup):
    with pytest.raises(ValueError, match="repeats must be"):
        measure_latency(lambda: None, repeats=repeats, warmup=warmup)
