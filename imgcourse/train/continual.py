"""Updating a deployed model after drift: fine-tune on new data only, retrain on everything, or
rehearse with a small replay buffer; each timed in seconds. Introduced in
``18_continuous_learning``.

Every update trains through :func:`imgcourse.train.fit`, so each prints its images/s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from imgcourse.train.fit import TrainResult, fit

#: The three update strategies, in the order the notebook compares them.
STRATEGIES = ("fine-tune only", "full retrain", "rehearsal")


class ReservoirBuffer:
    """A replay buffer of at most ``capacity`` images, a uniform sample of all it was offered.

    Reservoir sampling (Vitter, 1985): the first ``capacity`` items go in; item number n
    (counting from 1) after that replaces a random slot with probability ``capacity / n``.
    Every item seen so far is then in the buffer with the same probability, without keeping
    the stream.
    """

    def __init__(self, capacity: int, seed: int = 0) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1 image; got {capacity}")
        self.capacity = capacity
        self.seen = 0
        self._rng = np.random.default_rng(seed)
        self._images: list[np.ndarray] = []
        self._labels: list[int] = []

    def add(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Offer a batch: images (B, H, W, C), labels (B,)."""
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        for image, label in zip(images, labels):
            self.seen += 1
            if len(self._images) < self.capacity:
                self._images.append(image)
                self._labels.append(int(label))
            else:
                j = int(self._rng.integers(self.seen))
                if j < self.capacity:
                    self._images[j] = image
                    self._labels[j] = int(label)

    def __len__(self) -> int:
        return len(self._images)

    @property
    def images(self) -> np.ndarray:
        """(len, H, W, C) the buffered images."""
        return np.stack(self._images)

    @property
    def labels(self) -> np.ndarray:
        """(len,) int64 their labels."""
        return np.asarray(self._labels, dtype=np.int64)


@dataclass
class UpdateResult:
    """One update: the new model, its wall-clock cost in seconds and the images it trained on."""

    strategy: str
    model: keras.Model
    seconds: float
    num_images: int
    result: TrainResult


def compile_classifier(model: keras.Model, learning_rate: float) -> keras.Model:
    """Compile with Adam, sparse categorical cross-entropy and accuracy; returns the model."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def update_model(
    strategy: str,
    *,
    deployed: keras.Model,
    build: Callable[[], keras.Model],
    old: tuple[np.ndarray, np.ndarray],
    new: tuple[np.ndarray, np.ndarray],
    buffer: ReservoirBuffer | None = None,
    epochs: int = 5,
    retrain_epochs: int | None = None,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> UpdateResult:
    """Update ``deployed`` with one of ``STRATEGIES``; the deployed model is left unchanged.

    - ``"fine-tune only"``: a copy of the deployed weights trains on ``new`` alone.
    - ``"full retrain"``: a fresh ``build()`` trains on ``old`` and ``new`` together for
      ``retrain_epochs`` (default ``epochs``).
    - ``"rehearsal"``: a copy of the deployed weights trains on ``new`` plus the images of
      ``buffer`` (a :class:`ReservoirBuffer` filled with old data).

    Args:
        old, new: (images (n, H, W, C), labels (n,)) pairs.
        seed: seeds the fresh weights and the shuffling (``keras.utils.set_random_seed``).

    Returns:
        An :class:`UpdateResult`; ``seconds`` covers building, copying and training.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {STRATEGIES}")
    if strategy == "rehearsal" and (buffer is None or len(buffer) == 0):
        raise ValueError("rehearsal needs a ReservoirBuffer holding old images; got none")
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    if strategy == "full retrain":
        model = build()
        x = np.concatenate([old[0], new[0]])
        y = np.concatenate([old[1], new[1]])
        epochs = retrain_epochs or epochs
    else:
        model = keras.models.clone_model(deployed)
        model.set_weights(deployed.get_weights())
        x, y = new
        if strategy == "rehearsal":
            assert buffer is not None
            x = np.concatenate([x, buffer.images])
            y = np.concatenate([y, buffer.labels])
    order = np.random.default_rng(seed).permutation(len(x))
    compile_classifier(model, learning_rate)
    result = fit(model, (x[order], y[order]), epochs=epochs, batch_size=batch_size, every=epochs)
    seconds = time.perf_counter() - start
    return UpdateResult(strategy, model, seconds, len(x), result)
