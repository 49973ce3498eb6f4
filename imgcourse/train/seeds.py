"""``over_seeds``: run a small experiment once per seed and summarise each metric.

A comparison from one run can be luck; repeating it over a few seeds gives a mean and a
spread. Introduced in ``01_why_deep_learning``; used wherever a notebook compares methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np

Metrics = Mapping[str, float] | float


@dataclass
class SeedRuns:
    """Each metric's value per seed, in seed order.

    Attributes:
        seeds: the seeds run, in order.
        values: metric name -> (n_seeds,) float64 array.
        seconds: wall-clock seconds of each run, (n_seeds,).
    """

    seeds: tuple[int, ...]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _get(self, metric: str) -> np.ndarray:
        if metric not in self.values:
            raise KeyError(f"no metric {metric!r}; recorded: {sorted(self.values)}")
        return self.values[metric]

    def mean(self, metric: str = "value") -> float:
        """The mean of ``metric`` over the seeds."""
        return float(self._get(metric).mean())

    def std(self, metric: str = "value") -> float:
        """The sample standard deviation (ddof=1) of ``metric``; 0.0 for a single seed."""
        values = self._get(metric)
        return float(values.std(ddof=1)) if len(values) > 1 else 0.0

    def describe(self, metric: str = "value", fmt: str = ".1%") -> str:
        """``"93.2% ± 1.1% (3 seeds)"``: mean ± sample standard deviation."""
        return f"{self.mean(metric):{fmt}} ± {self.std(metric):{fmt}} ({len(self.seeds)} seeds)"


def over_seeds(
    run: Callable[[int], Metrics], seeds: Sequence[int] = (0, 1, 2), *, verbose: bool = False
) -> SeedRuns:
    """Call ``run(seed)`` once per seed, after seeding Python, NumPy and Keras with it.

    Args:
        run: takes a seed and returns a float (recorded as ``"value"``) or a mapping of
            metric name -> float; every run must return the same names.
        seeds: at least one distinct integer.
        verbose: print one line per run.

    Example: ``runs = over_seeds(lambda s: train_once(s)["test_accuracy"], seeds=(0, 1, 2))``
    then ``runs.describe()``.
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("over_seeds needs at least one seed; got none")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds}")
    collected: dict[str, list[float]] = {}
    seconds = []
    for i, seed in enumerate(seeds):
        keras.utils.set_random_seed(seed)
        start = time.perf_counter()
        result = run(seed)
        seconds.append(time.perf_counter() - start)
        metrics = {"value": result} if not isinstance(result, Mapping) else dict(result)
        if i and set(metrics) != set(collected):
            raise ValueError(
                f"seed {seed} returned metrics {sorted(metrics)}; earlier seeds returned "
                f"{sorted(collected)}: every run must return the same names"
            )
        for name, value in metrics.items():
            collected.setdefault(name, []).append(float(value))
        if verbose:
            shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
            print(f"seed {seed}: {shown} ({seconds[-1]:.1f} s)")
    return SeedRuns(
        seeds=seeds,
        values={k: np.asarray(v, dtype=np.float64) for k, v in collected.items()},
        seconds=np.asarray(seconds),
    )
