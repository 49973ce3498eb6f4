"""``fit``: Keras ``model.fit`` with a compact log, images/s and a timing summary."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import keras

from imgcourse.data.dataset import ImageSet
from imgcourse.train.callbacks import ThroughputLogger


@dataclass
class TrainResult:
    """What a training run produced: per-epoch metrics and measured speed."""

    history: dict[str, list[float]]
    seconds: float
    images_per_second: float
    epochs: int
    num_images: int
    extra: dict[str, Any] = field(default_factory=dict)

    def final(self, metric: str) -> float:
        """The last epoch's value of ``metric`` (for example ``"val_accuracy"``)."""
        if metric not in self.history:
            raise KeyError(f"no metric {metric!r}; logged: {sorted(self.history)}")
        return float(self.history[metric][-1])


def _count_images(data: Any) -> int:
    if isinstance(data, ImageSet):
        return len(data)
    if isinstance(data, tuple):
        return len(data[0])
    cardinality = getattr(data, "cardinality", None)
    if cardinality is None:
        raise ValueError("pass num_images= when training from a generator")
    if int(cardinality()) < 0:  # tf.data's INFINITE (-1) or UNKNOWN (-2) cardinality
        raise ValueError(
            "cannot count the images of a repeated or filtered tf.data.Dataset; "
            "pass num_images= (the images one epoch covers)"
        )
    # a batched tf.data.Dataset: count the images once (cheap for cached, in-memory data)
    return int(sum(int(x.shape[0]) for x, *_ in data))


class TrainingOutOfMemoryError(MemoryError):
    """Training ran out of memory; the message names the knobs that lower the need."""


def _is_out_of_memory(err: BaseException) -> bool:
    """True for the ways backends report exhausted memory: Python's ``MemoryError``,
    TensorFlow's ``ResourceExhaustedError`` and XLA's ``RESOURCE_EXHAUSTED`` (JAX)."""
    return (
        isinstance(err, MemoryError)
        or type(err).__name__ == "ResourceExhaustedError"
        or "RESOURCE_EXHAUSTED" in str(err)
    )


def _out_of_memory_message(data: Any, batch_size: int, err: BaseException) -> str:
    if isinstance(data, tuple):
        shape, batch = tuple(data[0].shape[1:]), f"batch_size={batch_size}"
    else:  # a batched tf.data.Dataset: its batch size was set when it was made
        spec = getattr(data, "element_spec", None)
        first = spec[0] if isinstance(spec, tuple) else spec
        shape = tuple(getattr(first, "shape", [None])[1:])
        batch = "the dataset's batch size"
    size = "x".join(str(d) for d in shape) or "unknown"
    return (
        f"Training ran out of memory ({type(err).__name__}). The memory a step needs grows "
        f"with the batch size ({batch}) and with the image size ({size} per image). "
        "Lower the batch size (halve it), or the image size (the notebook's IMAGE_SIZE "
        "parameter), or use a smaller model; then run the cell again."
    )


def _build_before_tracing(model: keras.Model, data: Any) -> None:
    """Create the optimizer's and the compiled metrics' variables now, outside the traced step.

    Without a distribution strategy, Keras (TensorFlow backend) creates them inside the first
    trace of the training step; a ``tf.function`` that creates variables is traced a second
    time, and for a small network that second trace costs more than an epoch. The variables
    start at the same values either way, so the training is the same, bit for bit.
    """
    if not model.built or getattr(model, "optimizer", None) is None:
        return
    symbolic_build = getattr(model, "_symbolic_build", None)  # Keras 3 builds with it
    if isinstance(data, tuple) and symbolic_build is not None:
        symbolic_build(data_batch=(data[0][:1], data[1][:1]))
    elif not model.optimizer.built:  # a tf.data.Dataset: the metrics build when traced
        model.optimizer.build(model.trainable_variables)


def fit(
    model: keras.Model,
    data: Any,
    *,
    epochs: int,
    validation_data: Any = None,
    batch_size: int = 64,
    every: int = 1,
    num_images: int | None = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    build_first: bool = False,
) -> TrainResult:
    """Train a compiled model and print one line per epoch plus a summary with images/s.

    Args:
        model: a compiled ``keras.Model``.
        data: an :class:`ImageSet`, a pair (x, y) of arrays, or a batched ``tf.data.Dataset``.
        epochs: passes over the training data.
        validation_data: same kinds as ``data``; evaluated after each epoch.
        batch_size: used when ``data`` holds arrays.
        every: print every this many epochs.
        num_images: images per epoch, if it cannot be counted from ``data``.
        callbacks: more Keras callbacks.
        build_first: create the optimizer's and metrics' variables before training, so that
            TensorFlow traces the training step once instead of twice (the same results,
            seconds sooner per network; ``05_cnn_architectures`` trains ten networks).

    Returns:
        A :class:`TrainResult` (history, seconds, images/s).
    """

    def as_xy(d: Any) -> Any:
        return (d.images, d.labels) if isinstance(d, ImageSet) else d

    data, validation_data = as_xy(data), as_xy(validation_data)
    n = num_images if num_images is not None else _count_images(data)
    if build_first:
        _build_before_tracing(model, data)
    logger = ThroughputLogger(n, every=every)
    kwargs: dict[str, Any] = {"epochs": epochs, "verbose": 0}
    if isinstance(data, tuple):
        kwargs.update(x=data[0], y=data[1], batch_size=batch_size)
    else:  # a tf.data.Dataset shuffles itself (tf_dataset(shuffle=True))
        kwargs.update(x=data, shuffle=False)
    if validation_data is not None:
        kwargs["validation_data"] = validation_data
    start = time.perf_counter()
    try:
        history = model.fit(callbacks=[logger, *(callbacks or [])], **kwargs)
    except Exception as err:
        if not _is_out_of_memory(err):
            raise
        raise TrainingOutOfMemoryError(_out_of_memory_message(data, batch_size, err)) from err
    seconds = time.perf_counter() - start
    ran = len(next(iter(history.history.values()), [])) or epochs  # early stopping ends sooner
    result = TrainResult(
        history={k: [float(v) for v in vals] for k, vals in history.history.items()},
        seconds=seconds,
        images_per_second=logger.images_per_second,
        epochs=ran,
        num_images=n,
    )
    print(
        f"trained {ran} epochs on {n:,} images in {seconds:.1f} s; "
        f"{result.images_per_second:,.0f} images/s (median epoch, first epoch left out)"
    )
    return result
