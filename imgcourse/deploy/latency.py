"""Wall-clock latency of one call, repeated: median and spread in milliseconds.

Used to time a model on one image at batch 1 (``16_architecture_search`` for the latency axis
of its Pareto plot, ``17_deployment_and_on_device`` for Keras against TFLite). The median is
reported because a shared CPU gives a long right tail; the 10th and 90th percentiles show the
spread.

Example::

    image = test.images[:1]
    stats = measure_latency(lambda: model(image, training=False), repeats=50)
    print(f"{stats.median_ms:.2f} ms (p10-p90 {stats.p10_ms:.2f}-{stats.p90_ms:.2f})")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Latency:
    """Timings of ``repeats`` calls after warm-up, in milliseconds."""

    median_ms: float
    p10_ms: float
    p90_ms: float
    repeats: int

    @property
    def spread_ms(self) -> float:
        """Width of the 10th-90th percentile band, in milliseconds."""
        return self.p90_ms - self.p10_ms

    @property
    def calls_per_second(self) -> float:
        """How many calls a second the median latency allows (frames/s at batch 1)."""
        return 1000.0 / self.median_ms if self.median_ms > 0 else float("inf")


def measure_latency(call: Callable[[], object], repeats: int = 50, warmup: int = 5) -> Latency:
    """Time ``call()`` ``repeats`` times after ``warmup`` untimed calls.

    The first calls of a Keras or TFLite model trace graphs and allocate buffers, so they are
    left out. Returns a :class:`Latency` in milliseconds.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(
            f"repeats must be >= 1 and warmup >= 0; got repeats={repeats}, warmup={warmup}"
        )
    for _ in range(warmup):
        call()
    seconds = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        call()
        seconds[i] = time.perf_counter() - start
    ms = seconds * 1000.0
    p10, median, p90 = np.percentile(ms, [10, 50, 90])
    return Latency(float(median), float(p10), float(p90), repeats)


def measure_latencies(
    calls: Mapping[str, Callable[[], object]],
    repeats: int = 50,
    warmup: int = 5,
    rounds: int = 5,
) -> dict[str, Latency]:
    """Time several calls fairly on a shared CPU: ``repeats`` timed calls of each, taken in
    ``rounds`` interleaved rounds, after ``warmup`` untimed calls of each.

    Timing one model after another lets a burst of other work on the machine land on one
    model only; interleaving spreads it over all of them, and the 10th percentile
    (:attr:`Latency.p10_ms`) then shows each model's own cost even on a busy machine
    (``16_architecture_search`` compares networks by it). Returns name -> :class:`Latency`,
    in the order given.
    """
    if repeats < 1 or warmup < 0 or rounds < 1:
        raise ValueError(
            f"repeats and rounds must be >= 1 and warmup >= 0; got repeats={repeats}, "
            f"warmup={warmup}, rounds={rounds}"
        )
    for call in calls.values():
        for _ in range(warmup):
            call()
    per_round = -(-repeats // rounds)  # ceil
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            for _ in range(min(per_round, repeats - len(seconds[name]))):
                start = time.perf_counter()
                call()
                seconds[name].append(time.perf_counter() - start)
    result = {}
    for name, values in seconds.items():
        p10, median, p90 = np.percentile(np.asarray(values) * 1000.0, [10, 50, 90])
        result[name] = Latency(float(median), float(p10), float(p90), len(values))
    return result
