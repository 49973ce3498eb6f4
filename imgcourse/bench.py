"""``imgcourse bench``: the package's way against the plain way, measured in one run.

1. Input pipeline: ``tf_dataset`` (cache, shuffle, batch, augment in parallel, prefetch) fed to
   ``model.fit``, against a Python loop that slices NumPy batches, flips them and calls
   ``train_on_batch``. Same model, same images, same augmentation (random horizontal flips);
   images/s and the ratio. The flip is timed twice in tf.data: as TensorFlow ops, and as the
   ``keras.layers.RandomFlip`` layer, whose cost inside a tf.data map is worth knowing.
2. Training throughput of the 02 model (``small_cnn``) for a few batch sizes.
3. The augmentation pipeline of ``imgcourse.data.augment`` (flip, rotation, translation,
   zoom, contrast, same parameters) as Keras preprocessing layers and as TensorFlow ops, each
   in a ``tf.data`` map over in-memory images, with no model: augmented images/s and the ratio.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable

import numpy as np


def cpu_name() -> str:
    """The processor's model name where the system tells it, else the architecture."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _python_loop_epoch(model, images, labels, batch_size: int, rng) -> None:
    from imgcourse.data.pipeline import python_batches

    for x, y in python_batches(
        (images, labels), batch_size=batch_size, shuffle=True, seed=int(rng.integers(1 << 30))
    ):
        flip = rng.random(len(x)) < 0.5
        x = np.where(flip[:, None, None, None], x[:, :, ::-1], x)
        model.train_on_batch(x, y)


def tf_random_flip(images):
    """Flip each image of a (batch, h, w, c) tensor left-right with probability 1/2 (TF ops)."""
    import tensorflow as tf

    flip = tf.random.uniform((tf.shape(images)[0], 1, 1, 1), seed=0) < 0.5
    return tf.where(flip, tf.reverse(images, axis=[2]), images)


def _fit_epoch(model, ds):
    """One epoch of ``model.fit`` on a dataset, as a no-argument function."""
    return lambda: model.fit(ds, epochs=1, verbose=0, shuffle=False)


def _interleaved_images_per_second(
    runs: dict[str, Callable[[], object]], epochs: int, n: int
) -> dict[str, float]:
    """Images/s of each variant's median epoch, the variants' epochs taken in turn.

    Each variant first runs one warm-up epoch (tracing is not counted). Taking the variants in
    turn, and the median, keeps a busy moment of a shared 2-core machine from favouring one.
    """
    for run_epoch in runs.values():
        run_epoch()
    seconds: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(epochs):
        for label, run_epoch in runs.items():
            start = time.perf_counter()
            run_epoch()
            seconds[label].append(time.perf_counter() - start)
    return {label: n / float(np.median(s)) for label, s in seconds.items()}


def _consume(ds) -> Callable[[], None]:
    """One pass over a dataset, as a no-argument function (the batches are discarded)."""

    def run() -> None:
        for _ in ds:
            pass

    return run


def run_augmentation_benchmark(
    num_images: int = 4096, epochs: int = 5, image_size: int = 32, batch: int = 64
) -> dict[str, float]:
    """Augmented images/s of the Keras-layer and the TF-op pipelines, and their ratio.

    Same images, same parameters (``augment.DEFAULTS``), both in a ``tf.data`` map of
    ``tf_dataset``; nothing trains, so only the augmentation is timed.
    """
    from imgcourse.data import make_shapes, tf_dataset
    from imgcourse.data.augment import augmentation_layers, tf_augmenter

    data = make_shapes(num_images, image_size=image_size, seed=0)
    runs = {
        "augmentation as Keras layers": _consume(
            tf_dataset(data, batch_size=batch, augment=augmentation_layers(seed=0))
        ),
        "augmentation as TF ops": _consume(
            tf_dataset(data, batch_size=batch, augment=tf_augmenter(seed=0))
        ),
    }
    rates = _interleaved_images_per_second(runs, epochs, num_images)
    print(
        f"augmentation only (flip, rotation, translation, zoom, contrast), batch {batch}, "
        "in a tf.data map, no model:"
    )
    for label, rate in rates.items():
        print(f"  {label:<34} {rate:>8,.0f} images/s")
    ratio = rates["augmentation as TF ops"] / rates["augmentation as Keras layers"]
    print(f"  ratio TF ops / Keras layers: {ratio:.2f}x")
    return {**rates, "ratio": ratio}


def run_benchmarks(num_images: int = 4096, epochs: int = 5, image_size: int = 32) -> dict:
    """Print and return the measured images/s and ratios (see the module docstring)."""
    import imgcourse

    info = imgcourse.setup(seed=0)
    import keras

    from imgcourse.data import make_shapes, tf_dataset
    from imgcourse.models import build

    data = make_shapes(num_images, image_size=image_size, seed=0)
    shape = data.image_shape
    flip = keras.layers.RandomFlip("horizontal", seed=0)

    def compiled() -> keras.Model:
        model = build("small_cnn", input_shape=shape, num_classes=data.num_classes)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    print(
        f"machine: {cpu_name()}, {os.cpu_count()} cores, {info.device}; "
        f"{num_images} images of {shape}; median of {epochs} epochs per variant, "
        "variants taken in turn, after one warm-up epoch each"
    )
    results: dict = {}
    batch = 64
    runs = {}
    for label, augment in (
        ("tf.data, flip as TF ops", tf_random_flip),
        ("tf.data, keras RandomFlip layer", flip),
    ):
        ds = tf_dataset(data, batch_size=batch, shuffle=True, augment=augment)
        runs[label] = _fit_epoch(compiled(), ds)
    loop_model, rng = compiled(), np.random.default_rng(0)
    runs["Python loop, NumPy flip"] = lambda: _python_loop_epoch(
        loop_model, data.images, data.labels, batch, rng
    )
    rates = _interleaved_images_per_second(runs, epochs, num_images)
    print(f"input pipeline, batch {batch}, random horizontal flips, small_cnn training step:")
    for label, rate in rates.items():
        print(f"  {label:<34} {rate:>8,.0f} images/s")
    ratio = rates["tf.data, flip as TF ops"] / rates["Python loop, NumPy flip"]
    print(f"  ratio tf.data (TF ops) / Python loop: {ratio:.2f}x")
    results["pipeline"] = {**rates, "ratio": ratio}
    results["training"] = {}
    runs = {
        batch: _fit_epoch(compiled(), tf_dataset(data, batch_size=batch, shuffle=True))
        for batch in (32, 64, 128)
    }
    for batch, rate in _interleaved_images_per_second(runs, epochs, num_images).items():
        results["training"][batch] = rate
        print(f"small_cnn training, batch {batch:>3}: {rate:,.0f} images/s")
    results["augmentation"] = run_augmentation_benchmark(num_images, epochs, image_size)
    return results
