"""Keras callbacks for compact, stable training logs with throughput.

Every training cell in the course prints images/s through :class:`ThroughputLogger`.
"""

from __future__ import annotations

import time

import keras
import numpy as np


def format_metrics(logs: dict[str, float]) -> str:
    """``loss 0.1234  accuracy 0.9876`` with 4 decimals, in the order Keras logged them."""
    return "  ".join(f"{k} {float(v):.4f}" for k, v in logs.items())


class ThroughputLogger(keras.callbacks.Callback):
    """Print one line every ``every`` epochs: metrics, training images/s and seconds.

    Training time is measured from the start of the epoch to the start of validation, so
    images/s counts the training steps only. Use ``verbose=0`` in ``fit`` with it.

    Args:
        num_images: training images per epoch.
        every: print every this many epochs (the last epoch is always printed).
    """

    def __init__(self, num_images: int, every: int = 1) -> None:
        super().__init__()
        self.num_images = int(num_images)
        self.every = max(1, int(every))
        self.epoch_seconds: list[float] = []
        self._start = 0.0
        self._train_end: float | None = None

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._train_end = None
        self._start = time.perf_counter()

    def on_test_begin(self, logs: dict | None = None) -> None:
        if self._train_end is None:
            self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        end = self._train_end or time.perf_counter()
        seconds = end - self._start
        self.epoch_seconds.append(seconds)
        total = self.params.get("epochs", epoch + 1)
        if (epoch + 1) % self.every == 0 or epoch + 1 == total:
            width = len(str(total))
            rate = self.num_images / max(seconds, 1e-9)
            print(
                f"epoch {epoch + 1:>{width}}/{total}  {format_metrics(logs or {})}  "
                f"| {rate:,.0f} images/s",
                flush=True,
            )

    @property
    def images_per_second(self) -> float:
        """Median training throughput over the epochs, leaving out the first (it compiles)."""
        steady = self.epoch_seconds[1:] or self.epoch_seconds
        return self.num_images / float(np.median(steady)) if steady else float("nan")
