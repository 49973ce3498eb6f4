"""imgcourse.deploy.latency: median and spread of repeated calls."""

import time

import pytest

from imgcourse.deploy import measure_latencies, measure_latency


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


def test_latencies_are_interleaved_and_each_gets_its_repeats():
    order = []
    calls = {
        "short": lambda: (order.append("short"), time.sleep(0.002)),
        "long": lambda: (order.append("long"), time.sleep(0.006)),
    }
    stats = measure_latencies(calls, repeats=6, warmup=1, rounds=3)
    assert list(stats) == ["short", "long"] and stats["short"].repeats == 6
    assert order[:2] == ["short", "long"]  # warm-up, then rounds of two calls each
    assert order[2:] == ["short", "short", "long", "long"] * 3
    assert stats["short"].p10_ms < stats["long"].p10_ms
    with pytest.raises(ValueError, match="rounds must be"):
        measure_latencies(calls, rounds=0)
