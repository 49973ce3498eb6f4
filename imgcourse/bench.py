"""``imgcourse bench``: the package's way against the plain way, measured in one run.

1. Input pipeline: ``tf_dataset`` (cache, shuffle, batch, augment in parallel, prefetch) fed to
   ``model.fit``, against a Python loop that slices NumPy batches, flips them and calls
   ``train_on_batch``. Same model, same images, same augmentation; images/s and the ratio.
2. Training throughput of the 02 model (``small_cnn``) for a few batch sizes.
"""

from __future__ import annotations

import os
import platform
import time

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


def _fit_epoch(model, ds):
    """One epoch of ``model.fit`` on a dataset, as a no-argument function."""
    return lambda: model.fit(ds, epochs=1, verbose=0, shuffle=False)


def _images_per_second(run_epoch, epochs: int, n: int) -> float:
    run_epoch()  # warm-up: tracing and compilation are not counted
    start = time.perf_counter()
    for _ in range(epochs):
        run_epoch()
    return epochs * n / (time.perf_counter() - start)


def run_benchmarks(num_images: int = 4096, epochs: int = 3, image_size: int = 32) -> dict:
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
        f"{num_images} images of {shape}, {epochs} timed epochs after one warm-up"
    )
    results: dict = {}
    batch = 64
    model = compiled()
    ds = tf_dataset(data, batch_size=batch, shuffle=True, augment=flip)
    fast = _images_per_second(_fit_epoch(model, ds), epochs, num_images)
    model = compiled()
    rng = np.random.default_rng(0)
    plain = _images_per_second(
        lambda: _python_loop_epoch(model, data.images, data.labels, batch, rng), epochs, num_images
    )
    results["pipeline"] = {"tf_data": fast, "python_loop": plain, "ratio": fast / plain}
    print(
        f"input pipeline, batch {batch}: tf.data + fit {fast:,.0f} images/s | "
        f"Python loop + train_on_batch {plain:,.0f} images/s | ratio {fast / plain:.2f}x"
    )
    results["training"] = {}
    for batch in (32, 64, 128):
        model = compiled()
        ds = tf_dataset(data, batch_size=batch, shuffle=True)
        rate = _images_per_second(_fit_epoch(model, ds), epochs, num_images)
        results["training"][batch] = rate
        print(f"small_cnn training, batch {batch:>3}: {rate:,.0f} images/s")
    return results
